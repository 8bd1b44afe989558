"""The plain results of the ledger service (no Qt, no peewee rows): funds, branch
choices, ledger rows and views, quarter totals, the all-branches summary, the
compliance report, bulk-allocation plans and import findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from wanghu_desk import vocab
from wanghu_desk.money import format_fen

# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class FundInfo:
    id: int | None  # None: the default fund, created with the first entry
    name: str
    carries_over: bool
    minimum_fen: int


@dataclass(frozen=True)
class BranchChoice:
    id: int
    name: str
    category: str
    community: str
    status: str

    @property
    def is_estate(self) -> bool:
        return self.category == "estate"


@dataclass(frozen=True)
class LedgerRow:
    """One entry, as the ledger shows it. `income_fen` / `expense_fen` are signed: the
    reversal of an allocation is a negative income, of an expense a negative expense."""

    id: int
    branch_id: int
    fund_id: int
    fund_name: str
    year: int
    voucher_no: int
    entry_date: dt.date
    kind: str
    subject: str
    summary: str
    amount_fen: int
    handler: str | None
    approver: str | None
    second_approver: str | None
    reverses_id: int | None
    reverses_voucher_no: int | None
    reversed_kind: str | None  # the kind of the entry a reversal cancels
    reversed_by_voucher_no: int | None
    income_fen: int
    expense_fen: int
    balance_fen: int  # running balance after this entry, in the view's scope
    created_at: str
    created_by: str | None

    @property
    def kind_label(self) -> str:
        return vocab.label(vocab.LEDGER_KINDS, self.kind)

    @property
    def subject_label(self) -> str:
        return vocab.label(vocab.LEDGER_SUBJECTS, self.subject)

    @property
    def approvers(self) -> str:
        """审批人 as printed: "张三、李四" when there is a second approver."""
        return "、".join(p for p in (self.approver, self.second_approver) if p)

    @property
    def is_reversed(self) -> bool:
        return self.reversed_by_voucher_no is not None

    @property
    def delta_fen(self) -> int:
        return self.income_fen - self.expense_fen


@dataclass(frozen=True)
class QuarterTotal:
    quarter: int
    allocated_fen: int
    spent_fen: int
    closing_fen: int


@dataclass
class LedgerView:
    branch_id: int
    branch_name: str
    branch_category: str
    year: int
    fund_id: int | None  # None: every fund
    fund_name: str  # "全部经费" for every fund
    opening_fen: int  # 上年结转 (zero for funds that do not carry over)
    rows: list[LedgerRow]
    quarters: list[QuarterTotal]

    @property
    def allocated_fen(self) -> int:
        return sum(r.income_fen for r in self.rows)

    @property
    def spent_fen(self) -> int:
        return sum(r.expense_fen for r in self.rows)

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.allocated_fen - self.spent_fen

    @property
    def funds(self) -> list[str]:
        return sorted({r.fund_name for r in self.rows})


@dataclass(frozen=True)
class FundsSummaryRow:
    branch_id: int | None  # None for the 合计 row
    branch_name: str
    category: str
    community: str
    opening_fen: int  # balance at the start of the period
    allocated_fen: int  # in the period
    spent_fen: int  # in the period
    closing_fen: int  # balance at the end of the period
    year_opening_fen: int  # 上年结转
    ytd_allocated_fen: int  # from 1 January to the period's end
    ytd_spent_fen: int
    spent_in_quarter_fen: int  # in the quarter that ends the period
    minimum_allocated_fen: int  # allocated (to the period's end) in the funds with a minimum
    below_minimum: bool  # an estate branch allocated less than the yearly minimum

    @property
    def available_fen(self) -> int:
        return self.year_opening_fen + self.ytd_allocated_fen

    @property
    def spend_rate_permille(self) -> int | None:
        """Spent to date over the money available this year, in tenths of a percent."""
        if self.available_fen <= 0:
            return None
        return (self.ytd_spent_fen * 1000) // self.available_fen

    @property
    def category_label(self) -> str:
        return vocab.label(vocab.BRANCH_CATEGORIES, self.category)


@dataclass
class FundsSummary:
    year: int
    quarter: int | None
    start: dt.date
    end: dt.date
    fund_id: int | None
    fund_name: str
    minimum_fen: int
    rows: list[FundsSummaryRow]

    @property
    def title_period(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度" if self.quarter else f"{self.year}年度"

    @property
    def total(self) -> FundsSummaryRow:
        rows = self.rows

        def s(name: str) -> int:
            return sum(getattr(r, name) for r in rows)

        return FundsSummaryRow(
            None, "合计", "", "", s("opening_fen"), s("allocated_fen"), s("spent_fen"), s("closing_fen"),
            s("year_opening_fen"), s("ytd_allocated_fen"), s("ytd_spent_fen"), s("spent_in_quarter_fen"),
            s("minimum_allocated_fen"), False,
        )

    @property
    def below_minimum(self) -> list[FundsSummaryRow]:
        return [r for r in self.rows if r.below_minimum]


@dataclass(frozen=True)
class ComplianceRow:
    figures: FundsSummaryRow
    below_minimum: bool
    low_spend: bool
    no_expense_in_quarter: bool
    issues: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.issues)

    @property
    def branch_id(self) -> int:
        return self.figures.branch_id  # type: ignore[return-value]

    @property
    def branch_name(self) -> str:
        return self.figures.branch_name


@dataclass
class ComplianceReport:
    year: int
    quarter: int
    start: dt.date
    end: dt.date
    minimum_fen: int
    min_spend_percent: int
    rows: list[ComplianceRow]

    @property
    def flagged(self) -> list[ComplianceRow]:
        return [r for r in self.rows if r.flagged]

    @property
    def below_minimum(self) -> list[ComplianceRow]:
        return [r for r in self.rows if r.below_minimum]

    @property
    def low_spend(self) -> list[ComplianceRow]:
        return [r for r in self.rows if r.low_spend]

    @property
    def no_expense(self) -> list[ComplianceRow]:
        return [r for r in self.rows if r.no_expense_in_quarter]

    def sentence(self) -> str:
        """One line for a status bar or an alert."""
        period = f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"
        if not self.flagged:
            return f"{period}：各支部经费均符合要求。"
        parts = []
        if self.below_minimum:
            parts.append(f"拨付不足 {format_fen(self.minimum_fen)} 的小区党支部 {len(self.below_minimum)} 个")
        if self.low_spend:
            parts.append(f"支出进度低于 {self.min_spend_percent}% 的 {len(self.low_spend)} 个")
        if self.no_expense:
            parts.append(f"本季度没有支出的 {len(self.no_expense)} 个")
        return f"{period}：" + "，".join(parts) + "。"


@dataclass(frozen=True)
class BulkLine:
    branch_id: int
    branch_name: str
    community: str
    stars: int | None
    target_fen: int  # what the branch should have this year from this fund
    already_fen: int  # allocated already (net of reversals) this year from this fund
    amount_fen: int  # what this allocation gives; 0 = skipped
    summary: str
    note: str


@dataclass(frozen=True)
class BulkPlan:
    mode: str  # flat | stars
    year: int
    fund_id: int | None
    fund_name: str
    entry_date: dt.date
    subject: str
    handler: str
    approver: str
    top_up: bool
    rating_year: int | None
    lines: tuple[BulkLine, ...]  # every branch considered
    params: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    @property
    def to_write(self) -> list[BulkLine]:
        return [line for line in self.lines if line.amount_fen > 0]

    @property
    def skipped(self) -> list[BulkLine]:
        return [line for line in self.lines if line.amount_fen <= 0]

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.to_write)


@dataclass(frozen=True)
class RowProblem:
    """A finding about one imported row: `field` is the ledger field (None: the row)."""

    level: str  # "error" | "warning"
    field: str | None
    message: str
