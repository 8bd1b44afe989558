"""经费台账 (SPEC §5): per-branch funding ledgers that an auditor would accept.

What this module owns:

- **Writes**: `record_allocation` (拨付), `record_expense` (支出), `record_reversal`
  (冲销 of an earlier entry), `commit_bulk_allocation` (after a `preview_*_allocation`),
  `create_fund` / `set_fund_carries_over` / `set_fund_minimum`, and
  `commit_normalized_rows` for an import. Every write runs in
  `services.base.writing()` (one ``BEGIN IMMEDIATE`` transaction, with its audit events).
- **Immutability**: there is no way to change or remove an entry here. `update_entry` and
  `delete_entry` exist only to refuse, with the message a clerk needs; the database
  triggers refuse any other writer too. A mistake is corrected by a reversal entry.
- **Voucher numbers** (凭证号) are one sequence per branch and year, across funds:
  ``MAX + 1`` read inside the same ``BEGIN IMMEDIATE`` transaction as the insert, so two
  writers can never take the same number, and a rolled-back transaction leaves no gap.
- **Rules**: amounts in integer fen, > 0; subjects from `vocab.LEDGER_SUBJECTS`, never one
  of `vocab.FORBIDDEN_SUBJECTS`; an expense at or above the setting
  ``ledger.second_approver_threshold_fen`` (¥2,000) needs a second approver; no entry may
  make the balance of its fund negative at any point in date order (an expense, or the
  reversal of an allocation); dates not after today, reversals in the original's year.
- **Balances**: per fund, entries in order of (date, voucher number). A reversal counts
  against its original's kind (the reversal of an expense is a negative expense), so the
  收入 and 支出 columns add up to what was really allocated and spent. A fund with
  `carries_over` opens each year with the previous year's closing balance (上年结转);
  otherwise each year opens at zero.
- **Reads**: `ledger` (one branch and year, with running balance and quarter totals),
  `balance`, `quarter_totals`, `funds_summary` (all branches, a year or a quarter),
  `compliance` (estate branches allocated less than the minimum, spend rate under N %
  by the quarter's end, no expense this quarter), `normalize_ledger_row` (one imported
  row, pure).

No Qt here; every result is a plain dataclass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import peewee as pw

from models import Branch, Community, Fund, LedgerEntry, Rating, RatingRound
from wanghu_desk import vocab
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.money import MAX_FEN, format_fen, parse_amount
from wanghu_desk.services import settings
from wanghu_desk.services.base import current_actor, snapshot, writing
from wanghu_desk.validation import ERROR, WARNING, clean_text, parse_date

__all__ = [
    "ALLOCATION",
    "DEFAULT_FUND_NAME",
    "EXPENSE",
    "IMMUTABLE_MESSAGE",
    "LEDGER_IMPORT_FIELDS",
    "REVERSAL",
    "BranchChoice",
    "BulkLine",
    "BulkPlan",
    "ComplianceReport",
    "ComplianceRow",
    "FundInfo",
    "FundsSummary",
    "FundsSummaryRow",
    "ImmutableEntryError",
    "LedgerRow",
    "LedgerView",
    "QuarterTotal",
    "RowProblem",
    "balance",
    "branch_choices",
    "check_subject",
    "commit_bulk_allocation",
    "commit_normalized_rows",
    "compliance",
    "create_fund",
    "default_spend_percent",
    "delete_entry",
    "estate_minimum",
    "entry",
    "finalized_rating_years",
    "forbidden_terms",
    "fund_choices",
    "funds",
    "funds_summary",
    "ledger",
    "ledger_years",
    "normalize_ledger_row",
    "people_names",
    "preview_flat_allocation",
    "preview_star_allocation",
    "quarter_of",
    "quarter_period",
    "quarter_totals",
    "record_allocation",
    "record_expense",
    "record_reversal",
    "reversal_summary",
    "reversible_entries",
    "second_approver_threshold",
    "set_fund_carries_over",
    "set_fund_minimum",
    "update_entry",
]

ALLOCATION, EXPENSE, REVERSAL = "allocation", "expense", "reversal"
DEFAULT_FUND_NAME = "小区党组织服务群众专项经费"
IMMUTABLE_MESSAGE = "台账凭证保存后不能修改或删除。如有错误，请录入一笔「冲销」凭证，再重新录入正确的凭证。"
SUMMARY_MAX = 200
#: Spend rate (percent of the money available) expected by the end of each quarter;
#: a branch under it is flagged. The setting ``ledger.min_spend_percent`` overrides it.
DEFAULT_SPEND_PERCENT = {1: 10, 2: 30, 3: 50, 4: 70}


class ImmutableEntryError(ValidationError):
    """An attempt to change or remove a saved ledger entry."""

    def __init__(self, message: str = IMMUTABLE_MESSAGE):
        super().__init__(message, field=None)


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


# ---------------------------------------------------------------- small helpers


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValidationError("季度应为 1、2、3 或 4。")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year, 12, 31) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def second_approver_threshold() -> int:
    return int(settings.get("ledger.second_approver_threshold_fen") or 0)


def estate_minimum() -> int:
    return int(settings.get("ledger.estate_minimum_fen") or 0)


def default_spend_percent(quarter: int) -> int:
    configured = settings.get("ledger.min_spend_percent", DEFAULT_SPEND_PERCENT)
    try:
        return int(configured.get(str(quarter), configured.get(quarter)))  # JSON keys are text
    except (AttributeError, TypeError, ValueError):
        return DEFAULT_SPEND_PERCENT[quarter]


def _signed(kind: str, reversed_kind: str | None, amount: int) -> tuple[int, int]:
    """(income, expense) of one entry; a reversal counts against its original's kind."""
    if kind == ALLOCATION:
        return amount, 0
    if kind == EXPENSE:
        return 0, amount
    if reversed_kind == ALLOCATION:
        return -amount, 0
    return 0, -amount


def _delta(kind: str, reversed_kind: str | None, amount: int) -> int:
    income, expense = _signed(kind, reversed_kind, amount)
    return income - expense


def forbidden_terms(text: object) -> list[str]:
    """The forbidden spending terms (宴请, 旅游 …) that `text` mentions."""
    shown = clean_text(text) or ""
    return [term for term in vocab.FORBIDDEN_SUBJECTS if term in shown]


def check_subject(text: object) -> str:
    """The subject code for a label or code; forbidden or unknown subjects are refused."""
    shown = clean_text(text)
    if shown is None:
        raise ValidationError("请选择科目。", field="subject")
    terms = forbidden_terms(shown)
    if terms:
        raise ValidationError(
            f"「{terms[0]}」属于禁止列支的事项，不能记入台账。", field="subject"
        )
    code = vocab.code_for(vocab.LEDGER_SUBJECTS, shown)
    if code is None and not shown.endswith("费"):
        code = vocab.code_for(vocab.LEDGER_SUBJECTS, shown + "经费")
    if code is None:
        choices = "、".join(vocab.LEDGER_SUBJECTS.values())
        raise ValidationError(f"科目「{shown}」不在科目表中。可选：{choices}。", field="subject")
    return code


def _person(raw: object, what: str, field_name: str, *, required: bool = True) -> str | None:
    text = clean_text(raw)
    if text is None:
        if required:
            raise ValidationError(f"请填写{what}。", field=field_name)
        return None
    text = text.replace("\n", " ")
    if len(text) > 40:
        raise ValidationError(f"{what}太长了，请只填写姓名。", field=field_name)
    return text


def _summary(raw: object) -> str:
    text = clean_text(raw)
    if text is None:
        raise ValidationError("请填写摘要（这笔钱做什么用）。", field="summary")
    text = text.replace("\n", " ")
    if len(text) > SUMMARY_MAX:
        raise ValidationError(f"摘要太长了（{len(text)} 字），请控制在 {SUMMARY_MAX} 字以内。", field="summary")
    return text


def _amount(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        return parse_amount(raw)
    if raw <= 0:
        raise ValidationError("金额必须大于零。", field="amount")
    if raw > MAX_FEN:
        raise ValidationError("金额过大：最多 ¥99,999,999.99。请核对金额。", field="amount")
    return raw


def _date(raw: dt.date | str, today: dt.date) -> dt.date:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if not isinstance(raw, dt.date):
        checked = parse_date(raw, today=today)
        if checked.value is None:
            message = checked.errors[0].message if checked.errors else "请填写日期。"
            raise ValidationError(message, field="entry_date")
        raw = checked.value
    if raw > today:
        raise ValidationError(f"日期 {raw.isoformat()} 晚于今天，不能预先记账。", field="entry_date")
    if raw.year < 2000:
        raise ValidationError(f"日期 {raw.isoformat()} 太早了，请核对。", field="entry_date")
    return raw


def _branch(branch: int | str | Branch) -> Branch:
    if isinstance(branch, Branch):
        return branch
    if isinstance(branch, int):
        found = Branch.get_or_none(Branch.id == branch)
        if found is None:
            raise NotFoundError("找不到这个党支部，可能已被删除。请刷新后重试。")
        return found
    from wanghu_desk.services.lookup import find_branch

    return Branch.get_by_id(find_branch(branch).id)


def _default_fund() -> Fund | None:
    with_minimum = Fund.select().where(Fund.minimum_fen > 0).order_by(Fund.id).first()
    return with_minimum or Fund.select().order_by(Fund.id).first()


def _fund(fund: int | str | Fund | None, *, create: bool = False) -> Fund:
    if isinstance(fund, Fund):
        return fund
    if fund is None:
        found = _default_fund()
        if found is None:
            if not create:
                raise NotFoundError("还没有经费类别。录入第一笔拨付时会自动建立「小区党组织服务群众专项经费」。")
            found = Fund.create(name=DEFAULT_FUND_NAME, carries_over=False, minimum_fen=estate_minimum())
        return found
    if isinstance(fund, int):
        found = Fund.get_or_none(Fund.id == fund)
    else:
        name = clean_text(fund) or ""
        found = Fund.get_or_none(Fund.name == name)
        if found is None and create and name:
            found = Fund.create(name=name, carries_over=False, minimum_fen=0)
    if found is None:
        raise NotFoundError(f"找不到经费类别「{fund}」。请在「经费类别」中先添加。")
    return found


# ---------------------------------------------------------------- funds


def _fund_info(f: Fund) -> FundInfo:
    return FundInfo(f.id, f.name, bool(f.carries_over), int(f.minimum_fen))


def funds() -> list[FundInfo]:
    return [_fund_info(f) for f in Fund.select().order_by(Fund.id)]


def fund_choices() -> list[FundInfo]:
    """The funds a clerk can pick; before any exists, the default fund (id None)."""
    found = funds()
    if found:
        default = _default_fund()
        return sorted(found, key=lambda f: (f.id != (default.id if default else None), f.id or 0))
    return [FundInfo(None, DEFAULT_FUND_NAME, False, estate_minimum())]


def create_fund(name: str, *, carries_over: bool = False, minimum_fen: int = 0) -> FundInfo:
    shown = clean_text(name)
    if shown is None:
        raise ValidationError("请填写经费类别名称。", field="name")
    if minimum_fen < 0:
        raise ValidationError("每年最低拨付额不能为负数。", field="minimum_fen")
    with writing("ledger.fund.create", permission="admin") as tx:
        if Fund.select().where(Fund.name == shown).exists():
            raise ValidationError(f"经费类别「{shown}」已经有了。", field="name")
        row = Fund.create(name=shown, carries_over=bool(carries_over), minimum_fen=int(minimum_fen))
        tx.audit("fund", row.id, "create", after=snapshot(row))
    return _fund_info(row)


def _update_fund(fund: int | str, op: str, **values: Any) -> FundInfo:
    with writing(op, permission="admin") as tx:
        row = _fund(fund)
        before = snapshot(row)
        Fund.update(**values).where(Fund.id == row.id).execute()
        row = Fund.get_by_id(row.id)
        tx.audit("fund", row.id, "update", before={k: before[k] for k in values}, after={k: values[k] for k in values})
    return _fund_info(row)


def set_fund_carries_over(fund: int | str, carries_over: bool) -> FundInfo:
    """Whether a year's closing balance of `fund` opens the next year (上年结转)."""
    return _update_fund(fund, "ledger.fund.carry_over", carries_over=bool(carries_over))


def set_fund_minimum(fund: int | str, minimum_fen: int) -> FundInfo:
    """The yearly minimum each estate branch must receive from `fund` (0: none)."""
    if minimum_fen < 0:
        raise ValidationError("每年最低拨付额不能为负数。", field="minimum_fen")
    return _update_fund(fund, "ledger.fund.minimum", minimum_fen=int(minimum_fen))


# ---------------------------------------------------------------- branches and years


def branch_choices(*, include_dissolved: bool = False) -> list[BranchChoice]:
    """Branches for the ledger's picker: estate branches first, then the others."""
    query = (Branch.select(Branch.id, Branch.name, Branch.category, Branch.status, Community.name)
             .join(Community, pw.JOIN.LEFT_OUTER, on=(Branch.community == Community.id)))
    if not include_dissolved:
        query = query.where(Branch.status == "active")
    order = list(vocab.BRANCH_CATEGORIES)
    rows = [BranchChoice(i, n, c, comm or "", s) for i, n, c, s, comm in
            query.order_by(Branch.sort_order, Branch.id).tuples()]
    return sorted(rows, key=lambda b: order.index(b.category) if b.category in order else len(order))


def ledger_years() -> list[int]:
    return [y for (y,) in LedgerEntry.select(LedgerEntry.year).distinct().order_by(LedgerEntry.year).tuples()]


def finalized_rating_years() -> list[int]:
    return [y for (y,) in RatingRound.select(RatingRound.year).where(RatingRound.status == "finalized")
            .order_by(RatingRound.year).tuples()]


def people_names(branch: int | str | None = None) -> dict[str, list[str]]:
    """Names already used as 经办人 and 审批人 (of one branch first), for completion."""
    out: dict[str, list[str]] = {}
    for key, fld in (("handler", LedgerEntry.handler), ("approver", LedgerEntry.approver),
                     ("second_approver", LedgerEntry.second_approver)):
        query = LedgerEntry.select(fld, pw.fn.COUNT(LedgerEntry.id)).where(fld.is_null(False))
        if branch is not None:
            query = query.where(LedgerEntry.branch == _branch(branch).id)
        rows = query.group_by(fld).order_by(pw.fn.COUNT(LedgerEntry.id).desc()).limit(50).tuples()
        out[key] = [name for name, _n in rows]
    return out


# ---------------------------------------------------------------- reading entries


def _opening_by_fund(branch_ids: Iterable[int] | None, year: int) -> dict[tuple[int, int], int]:
    """上年结转 per (branch, fund) for the funds that carry over: the net of every year
    before `year`."""
    carry = [f for (f,) in Fund.select(Fund.id).where(Fund.carries_over == True).tuples()]  # noqa: E712
    if not carry:
        return {}
    original = LedgerEntry.alias()
    query = (LedgerEntry.select(LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.kind, original.kind,
                                pw.fn.SUM(LedgerEntry.amount_fen))
             .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
             .where(LedgerEntry.year < year, LedgerEntry.fund.in_(carry)))
    if branch_ids is not None:
        query = query.where(LedgerEntry.branch.in_(list(branch_ids)))
    out: dict[tuple[int, int], int] = defaultdict(int)
    for branch_id, fund_id, kind, reversed_kind, total in query.group_by(
        LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.kind, original.kind
    ).tuples():
        out[(branch_id, fund_id)] += _delta(kind, reversed_kind, int(total))
    return dict(out)


def _entry_query():
    original = LedgerEntry.alias()
    reversal = LedgerEntry.alias()
    return (
        LedgerEntry.select(
            LedgerEntry.id, LedgerEntry.branch, LedgerEntry.fund, Fund.name, LedgerEntry.year,
            LedgerEntry.voucher_no, LedgerEntry.entry_date, LedgerEntry.kind, LedgerEntry.subject,
            LedgerEntry.summary, LedgerEntry.amount_fen, LedgerEntry.handler, LedgerEntry.approver,
            LedgerEntry.second_approver, LedgerEntry.reverses, original.voucher_no, original.kind,
            reversal.voucher_no, LedgerEntry.created_at, LedgerEntry.created_by,
        )
        .join(Fund, on=(LedgerEntry.fund == Fund.id))
        .switch(LedgerEntry)
        .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
        .switch(LedgerEntry)
        .join(reversal, pw.JOIN.LEFT_OUTER, on=(reversal.reverses == LedgerEntry.id))
    )


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _rows(tuples: Iterable[tuple], opening: int) -> list[LedgerRow]:
    out: list[LedgerRow] = []
    running = opening
    for (eid, branch_id, fund_id, fund_name, year, voucher, day, kind, subject, summary, amount, handler,
         approver, second, reverses, rev_voucher, rev_kind, reversed_by, created_at, created_by) in tuples:
        income, expense = _signed(kind, rev_kind, amount)
        running += income - expense
        out.append(LedgerRow(
            eid, branch_id, fund_id, fund_name, year, voucher, _as_date(day), kind, subject, summary, amount,
            handler, approver, second, reverses, rev_voucher, rev_kind, reversed_by, income, expense, running,
            created_at, created_by,
        ))
    return out


def _quarters(rows: Sequence[LedgerRow], opening: int) -> list[QuarterTotal]:
    out = []
    closing = opening
    for q in (1, 2, 3, 4):
        in_q = [r for r in rows if quarter_of(r.entry_date) == q]
        allocated = sum(r.income_fen for r in in_q)
        spent = sum(r.expense_fen for r in in_q)
        closing += allocated - spent
        out.append(QuarterTotal(q, allocated, spent, closing))
    return out


def ledger(branch: int | str, year: int, fund: int | str | None = None) -> LedgerView:
    """One branch's ledger for `year`: entries in (date, voucher) order with the running
    balance, the opening balance carried over, and totals per quarter. `fund` None: every
    fund together (the balance is then the sum of the funds' balances)."""
    b = _branch(branch)
    fund_row = _fund(fund) if fund is not None else None
    query = _entry_query().where(LedgerEntry.branch == b.id, LedgerEntry.year == year)
    if fund_row is not None:
        query = query.where(LedgerEntry.fund == fund_row.id)
    query = query.order_by(LedgerEntry.entry_date, LedgerEntry.voucher_no)
    openings = _opening_by_fund([b.id], year)
    opening = sum(v for (_, fid), v in openings.items() if fund_row is None or fid == fund_row.id)
    rows = _rows(query.tuples(), opening)
    return LedgerView(
        branch_id=b.id, branch_name=b.name, branch_category=b.category, year=year,
        fund_id=fund_row.id if fund_row else None, fund_name=fund_row.name if fund_row else "全部经费",
        opening_fen=opening, rows=rows, quarters=_quarters(rows, opening),
    )


def balance(branch: int | str, year: int, fund: int | str | None = None, *, as_of: dt.date | None = None) -> int:
    """The balance of a branch in `year` (one fund, or all), at the end of `as_of` if given."""
    view = ledger(branch, year, fund)
    if as_of is None:
        return view.closing_fen
    value = view.opening_fen
    for row in view.rows:
        if row.entry_date <= as_of:
            value = row.balance_fen
    return value


def quarter_totals(branch: int | str, year: int, fund: int | str | None = None) -> list[QuarterTotal]:
    return ledger(branch, year, fund).quarters


def entry(entry_id: int) -> LedgerRow:
    """One entry, with its running balance within its fund."""
    row = LedgerEntry.get_or_none(LedgerEntry.id == entry_id)
    if row is None:
        raise NotFoundError("找不到这张凭证。请刷新后重试。")
    view = ledger(row.branch_id, row.year, row.fund_id)
    return next(r for r in view.rows if r.id == entry_id)


def reversible_entries(branch: int | str, year: int) -> list[LedgerRow]:
    """Entries that may still be reversed: allocations and expenses not reversed yet."""
    return [r for r in ledger(branch, year).rows if r.kind != REVERSAL and not r.is_reversed]


# ---------------------------------------------------------------- immutability


def update_entry(entry_id: int, **changes: Any) -> NoReturn:
    """Always refused: saved entries are immutable (SPEC §5)."""
    raise ImmutableEntryError()


def delete_entry(entry_id: int) -> NoReturn:
    """Always refused: saved entries are immutable (SPEC §5)."""
    raise ImmutableEntryError()


# ---------------------------------------------------------------- writing entries


def _lowest_balance(branch_id: int, fund: Fund, year: int, day: dt.date, delta: int) -> int:
    """The lowest balance of the fund from `day` on if an entry of `delta` were added on
    `day` (after the entries already on that day: it takes the next voucher number)."""
    opening = _opening_by_fund([branch_id], year).get((branch_id, fund.id), 0)
    original = LedgerEntry.alias()
    query = (LedgerEntry.select(LedgerEntry.year, LedgerEntry.entry_date, LedgerEntry.voucher_no,
                                LedgerEntry.kind, original.kind, LedgerEntry.amount_fen)
             .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
             .where(LedgerEntry.branch == branch_id, LedgerEntry.fund == fund.id))
    query = query.where(LedgerEntry.year >= year) if fund.carries_over else query.where(LedgerEntry.year == year)
    facts = sorted(((y, _as_date(d), v, _delta(k, rk, a)) for y, d, v, k, rk, a in query.tuples()),
                   key=lambda t: (t[0], t[1], t[2]))
    running = opening
    lowest: int | None = None
    inserted = False
    for y, d, _v, change in facts:
        if not inserted and (y, d) > (year, day):
            running += delta
            inserted = True
            lowest = running
        running += change
        if inserted:
            lowest = min(lowest, running)  # type: ignore[type-var]
    if not inserted:
        running += delta
        lowest = running if lowest is None else min(lowest, running)
    return lowest  # type: ignore[return-value]


def _check_not_overdrawn(branch: Branch, fund: Fund, year: int, day: dt.date, delta: int, what: str) -> None:
    if delta >= 0:
        return
    lowest = _lowest_balance(branch.id, fund, year, day, delta)
    if lowest >= 0:
        return
    available = lowest - delta
    if what == EXPENSE:
        raise ValidationError(
            f"余额不足：这笔支出 {format_fen(-delta)}，「{fund.name}」截至 {day.isoformat()} 可用余额只有 "
            f"{format_fen(max(available, 0))}。支出不能使余额为负数。",
            field="amount",
        )
    raise ValidationError(
        f"冲销这笔拨付后，「{fund.name}」的余额将为负数（差 {format_fen(-lowest)}）。"
        "请先冲销用这笔经费支付的支出，再冲销拨付。",
        field="amount",
    )


def _next_voucher_no(branch_id: int, year: int) -> int:
    current = (LedgerEntry.select(pw.fn.MAX(LedgerEntry.voucher_no))
               .where(LedgerEntry.branch == branch_id, LedgerEntry.year == year).scalar())
    return int(current or 0) + 1


def _insert(tx, **values: Any) -> LedgerEntry:
    """Insert one entry with the next voucher number of its branch and year. Must run
    inside `writing()`: the number is read and used in one BEGIN IMMEDIATE transaction."""
    values["voucher_no"] = _next_voucher_no(values["branch"].id, values["year"])
    values.setdefault("created_by", current_actor().username)
    row = LedgerEntry.create(**values)
    tx.audit("ledger_entry", row.id, "create", after=snapshot(row),
             note=f"{values['branch'].name} {values['year']}年第{values['voucher_no']}号凭证")
    return row


def _record(kind: str, branch: int | str, amount_fen: int, *, entry_date: dt.date | str, summary: str,
            handler: str, approver: str, second_approver: str | None, subject: str, fund: int | str | None,
            today: dt.date | None) -> LedgerRow:
    today = today or dt.date.today()
    amount = _amount(amount_fen)
    day = _date(entry_date, today)
    code = check_subject(subject)
    text = _summary(summary)
    who = _person(handler, "经办人", "handler")
    boss = _person(approver, "审批人", "approver")
    second = _person(second_approver, "第二审批人", "second_approver", required=False)
    if kind == EXPENSE:
        threshold = second_approver_threshold()
        if threshold and amount >= threshold and second is None:
            raise ValidationError(
                f"支出金额达到 {format_fen(threshold)}（含）须两人审批，请填写第二审批人。", field="second_approver"
            )
    if second is not None and second == boss:
        raise ValidationError("第二审批人不能与审批人是同一人。", field="second_approver")
    with writing(f"ledger.{kind}") as tx:
        b = _branch(branch)
        if b.status != "active":
            raise ValidationError(f"党支部「{b.name}」已撤销，不能再记拨付或支出。", field="branch")
        if fund is None and kind == EXPENSE and _default_fund() is None:
            raise ValidationError("余额不足：还没有拨付过任何经费，不能记支出。请先录入拨付。", field="amount")
        f = _fund(fund, create=(kind == ALLOCATION))
        delta = amount if kind == ALLOCATION else -amount
        _check_not_overdrawn(b, f, day.year, day, delta, kind)
        row = _insert(tx, branch=b, fund=f, year=day.year, entry_date=day, kind=kind, subject=code, summary=text,
                      amount_fen=amount, handler=who, approver=boss, second_approver=second)
    return entry(row.id)


def record_allocation(
    branch: int | str,
    amount_fen: int,
    *,
    entry_date: dt.date | str,
    summary: str,
    handler: str,
    approver: str,
    fund: int | str | None = None,
    subject: str = "service",
    second_approver: str | None = None,
    today: dt.date | None = None,
) -> LedgerRow:
    """拨付: money received by the branch. `fund` None: the default fund (created with the
    first allocation when there is none). Returns the saved entry."""
    return _record(ALLOCATION, branch, amount_fen, entry_date=entry_date, summary=summary, handler=handler,
                   approver=approver, second_approver=second_approver, subject=subject, fund=fund, today=today)


def record_expense(
    branch: int | str,
    amount_fen: int,
    *,
    entry_date: dt.date | str,
    subject: str,
    summary: str,
    handler: str,
    approver: str,
    second_approver: str | None = None,
    fund: int | str | None = None,
    today: dt.date | None = None,
) -> LedgerRow:
    """支出: refused when it would overdraw the fund, when its subject is forbidden, and at
    or above the threshold without a second approver."""
    return _record(EXPENSE, branch, amount_fen, entry_date=entry_date, summary=summary, handler=handler,
                   approver=approver, second_approver=second_approver, subject=subject, fund=fund, today=today)


def reversal_summary(voucher_no: int, reason: str) -> str:
    return f"冲销第{voucher_no}号凭证：{reason}"


def record_reversal(
    original_id: int,
    *,
    entry_date: dt.date | str,
    reason: str,
    handler: str,
    approver: str,
    today: dt.date | None = None,
) -> LedgerRow:
    """冲销: cancels entry `original_id` in full, with a new voucher in the same year.
    An entry can be reversed once; a reversal cannot be reversed; reversing an allocation
    is refused when the money has already been spent (the balance would go negative)."""
    today = today or dt.date.today()
    day = _date(entry_date, today)
    why = clean_text(reason)
    if why is None:
        raise ValidationError("请填写冲销原因（如：重复录入、金额录错）。", field="summary")
    who = _person(handler, "经办人", "handler")
    boss = _person(approver, "审批人", "approver")
    with writing("ledger.reversal") as tx:
        original = LedgerEntry.get_or_none(LedgerEntry.id == original_id)
        if original is None:
            raise NotFoundError("找不到要冲销的凭证。请刷新后重试。")
        if original.kind == REVERSAL:
            raise ValidationError("冲销凭证不能再冲销。如果冲销错了，请重新录入一笔正确的凭证。", field="reverses")
        done = LedgerEntry.get_or_none(LedgerEntry.reverses == original.id)
        if done is not None:
            raise ValidationError(
                f"第{original.voucher_no}号凭证已在 {_as_date(done.entry_date).isoformat()} 由第{done.voucher_no}号凭证冲销，"
                "不能重复冲销。",
                field="reverses",
            )
        original_day = _as_date(original.entry_date)
        if day.year != original.year:
            raise ValidationError(
                f"冲销凭证应与原凭证在同一年度（{original.year}年）。请把日期改在 {original.year} 年内。", field="entry_date"
            )
        if day < original_day:
            raise ValidationError(
                f"冲销日期不能早于原凭证的日期（{original_day.isoformat()}）。", field="entry_date"
            )
        b = Branch.get_by_id(original.branch_id)
        f = Fund.get_by_id(original.fund_id)
        delta = -_delta(original.kind, None, original.amount_fen)
        _check_not_overdrawn(b, f, original.year, day, delta, REVERSAL)
        summary = reversal_summary(original.voucher_no, why)
        if len(summary) > SUMMARY_MAX:
            raise ValidationError(f"冲销原因太长了，请控制在 {SUMMARY_MAX - 12} 字以内。", field="summary")
        row = _insert(tx, branch=b, fund=f, year=original.year, entry_date=day, kind=REVERSAL,
                      subject=original.subject, summary=summary, amount_fen=original.amount_fen,
                      handler=who, approver=boss, second_approver=None, reverses=original.id)
    return entry(row.id)


# ---------------------------------------------------------------- bulk allocation


def _allocated_this_year(fund_id: int, year: int) -> dict[int, int]:
    original = LedgerEntry.alias()
    rows = (LedgerEntry.select(LedgerEntry.branch, LedgerEntry.kind, original.kind, pw.fn.SUM(LedgerEntry.amount_fen))
            .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
            .where(LedgerEntry.fund == fund_id, LedgerEntry.year == year)
            .group_by(LedgerEntry.branch, LedgerEntry.kind, original.kind).tuples())
    out: dict[int, int] = defaultdict(int)
    for branch_id, kind, reversed_kind, total in rows:
        out[branch_id] += _signed(kind, reversed_kind, int(total))[0]
    return dict(out)


def _bulk_common(year: int, fund: int | str | None, entry_date: dt.date | str | None, subject: str,
                 handler: str, approver: str, today: dt.date) -> tuple[FundInfo, dt.date, str, str, str]:
    day = _date(entry_date or min(today, dt.date(year, 12, 31)), today)
    if day.year != year:
        raise ValidationError(f"拨付日期应在 {year} 年内。", field="entry_date")
    code = check_subject(subject)
    who = _person(handler, "经办人", "handler")
    boss = _person(approver, "审批人", "approver")
    info = fund_choices()[0] if fund is None and not Fund.select().exists() else _fund_info(_fund(fund))
    return info, day, code, who, boss  # type: ignore[return-value]


def _line(branch_id: int, name: str, community: str, stars: int | None, target: int, already: int,
          top_up: bool, summary: str, active: bool = True) -> BulkLine:
    if not active:
        return BulkLine(branch_id, name, community, stars, target, already, 0, summary, "支部已撤销，不拨付")
    if target <= 0:
        return BulkLine(branch_id, name, community, stars, target, already, 0, summary, "该星级不拨付")
    if top_up:
        amount = max(0, target - already)
        if amount == 0:
            note = f"已拨付 {format_fen(already)}，不再拨付"
        elif already:
            note = f"已拨付 {format_fen(already)}，补足差额"
        else:
            note = ""
    else:
        amount = target
        note = f"已拨付 {format_fen(already)}，本次再拨付" if already else ""
    return BulkLine(branch_id, name, community, stars, target, already, amount, summary, note)


def _community_names() -> dict[int, str]:
    return dict(Community.select(Community.id, Community.name).tuples())


def preview_flat_allocation(
    year: int,
    amount_fen: int,
    *,
    handler: str,
    approver: str,
    fund: int | str | None = None,
    entry_date: dt.date | str | None = None,
    summary: str | None = None,
    subject: str = "service",
    top_up: bool = True,
    today: dt.date | None = None,
) -> BulkPlan:
    """The same amount to every active estate branch (e.g. ¥10,000 a year). With `top_up`,
    a branch that already has allocations this year from this fund gets only what it
    lacks (nothing when it has the amount already). Nothing is written."""
    today = today or dt.date.today()
    amount = _amount(amount_fen)
    info, day, code, who, boss = _bulk_common(year, fund, entry_date, subject, handler, approver, today)
    text = _summary(summary) if summary is not None and clean_text(summary) else f"{year}年{info.name}拨付"
    already = _allocated_this_year(info.id, year) if info.id else {}
    communities = _community_names()
    lines = [
        _line(b.id, b.name, communities.get(b.community_id, ""), None, amount, already.get(b.id, 0), top_up, text)
        for b in Branch.select().where(Branch.category == "estate", Branch.status == "active")
        .order_by(Branch.sort_order, Branch.id)
    ]
    params = (("kind", "flat"), ("year", year), ("amount_fen", amount), ("handler", who), ("approver", boss),
              ("fund", info.id if info.id else None), ("entry_date", day), ("summary", summary),
              ("subject", code), ("top_up", top_up))
    return BulkPlan("flat", year, info.id, info.name, day, code, who, boss, top_up, None, tuple(lines), params)


def preview_star_allocation(
    year: int,
    amounts_by_star: Mapping[int, int],
    *,
    handler: str,
    approver: str,
    rating_year: int | None = None,
    fund: int | str | None = None,
    entry_date: dt.date | str | None = None,
    subject: str = "activity",
    top_up: bool = True,
    today: dt.date | None = None,
) -> BulkPlan:
    """An amount per star level (e.g. ★5 ¥5,000 … ★1 ¥500) to every active branch rated in
    the finalized rating of `rating_year` (default: the latest finalized year up to
    `year`). The stars are those fixed at finalization. Nothing is written."""
    today = today or dt.date.today()
    amounts = {}
    for star, value in amounts_by_star.items():
        star = int(star)
        if star not in range(6):
            raise ValidationError(f"星级应为 0–5 星，不是 {star}。", field="stars")
        amounts[star] = 0 if not value else _amount(value)
    if not any(amounts.values()):
        raise ValidationError("请至少给一个星级填写拨付金额。", field="amount")
    if rating_year is None:
        years = [y for y in finalized_rating_years() if y <= year]
        if not years:
            raise ValidationError(f"{year} 年及以前还没有审定（定级）的星级评定，不能按星级拨付。", field="rating_year")
        rating_year = years[-1]
    rnd = RatingRound.get_or_none(RatingRound.year == rating_year)
    if rnd is None:
        raise ValidationError(f"没有 {rating_year} 年度的星级评定。", field="rating_year")
    if rnd.status != "finalized":
        raise ValidationError(
            f"{rating_year} 年度星级评定尚未审定（{vocab.label(vocab.RATING_ROUND_STATUSES, rnd.status)}），"
            "审定后才能按星级拨付。",
            field="rating_year",
        )
    info, day, code, who, boss = _bulk_common(year, fund, entry_date, subject, handler, approver, today)
    already = _allocated_this_year(info.id, year) if info.id else {}
    communities = _community_names()
    query = (Rating.select(Rating.branch, Rating.stars, Branch.name, Branch.community, Branch.status)
             .join(Branch, on=(Rating.branch == Branch.id))
             .where(Rating.round == rnd.id)
             .order_by(Rating.stars.desc(), Branch.sort_order, Branch.id))
    lines = []
    for branch_id, stars, name, community_id, status in query.tuples():
        stars = int(stars or 0)
        text = f"{rating_year}年度{stars}星级党支部{info.name}"
        lines.append(_line(branch_id, name, communities.get(community_id, ""), stars, amounts.get(stars, 0),
                           already.get(branch_id, 0), top_up, text, active=(status == "active")))
    params = (("kind", "stars"), ("year", year), ("amounts_by_star", tuple(sorted(amounts.items()))),
              ("handler", who), ("approver", boss), ("rating_year", rating_year),
              ("fund", info.id if info.id else None), ("entry_date", day), ("subject", code), ("top_up", top_up))
    return BulkPlan("stars", year, info.id, info.name, day, code, who, boss, top_up, rating_year, tuple(lines), params)


def _replan(plan: BulkPlan, today: dt.date) -> BulkPlan:
    p = dict(plan.params)
    kind = p.pop("kind")
    if kind == "flat":
        return preview_flat_allocation(p.pop("year"), p.pop("amount_fen"), today=today, **p)
    amounts = dict(p.pop("amounts_by_star"))
    return preview_star_allocation(p.pop("year"), amounts, today=today, **p)


def commit_bulk_allocation(plan: BulkPlan, *, today: dt.date | None = None) -> list[LedgerRow]:
    """Write a previewed plan, all or nothing. The plan is worked out again inside the
    transaction; if anything changed since the preview, nothing is written."""
    today = today or dt.date.today()
    if not plan.to_write:
        raise ValidationError("没有需要拨付的支部。", field="amount")
    ids: list[int] = []
    with writing("ledger.bulk_allocation") as tx:
        fresh = _replan(plan, today)
        if [(line.branch_id, line.amount_fen) for line in fresh.to_write] != [
            (line.branch_id, line.amount_fen) for line in plan.to_write
        ]:
            raise ValidationError("预览之后台账有了变化，请重新预览后再确认拨付。")
        f = _fund(plan.fund_id, create=True)
        for line in plan.to_write:
            b = Branch.get_by_id(line.branch_id)
            row = _insert(tx, branch=b, fund=f, year=plan.year, entry_date=plan.entry_date, kind=ALLOCATION,
                          subject=plan.subject, summary=line.summary, amount_fen=line.amount_fen,
                          handler=plan.handler, approver=plan.approver, second_approver=None)
            ids.append(row.id)
        tx.audit("ledger_entry", None, "bulk_allocation",
                 after={"year": plan.year, "fund": f.name, "mode": plan.mode, "branches": len(ids),
                        "total_fen": plan.total_fen},
                 note=f"批量拨付 {len(ids)} 个支部，共 {format_fen(plan.total_fen)}")
    return [entry(i) for i in ids]


# ---------------------------------------------------------------- all branches: summary, compliance


def _minimum_funds() -> dict[int, int]:
    return dict(Fund.select(Fund.id, Fund.minimum_fen).where(Fund.minimum_fen > 0).tuples())


def funds_summary(year: int, quarter: int | None = None, fund: int | str | None = None, *,
                  include_all_estates: bool = True) -> FundsSummary:
    """Every branch with ledger entries (and every active estate branch) for a year or a
    quarter: the balance at the start, allocated and spent in the period, the balance
    at its end, the spend rate to date, and whether an estate branch got less than the
    yearly minimum (funds with a minimum; else the setting ``ledger.estate_minimum_fen``)."""
    if quarter is None:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        q_start = dt.date(year, 10, 1)
    else:
        start, end = quarter_period(year, quarter)
        q_start = start
    fund_row = _fund(fund) if fund is not None else None
    openings = _opening_by_fund(None, year)
    original = LedgerEntry.alias()
    query = (LedgerEntry.select(LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.entry_date, LedgerEntry.kind,
                                original.kind, LedgerEntry.amount_fen)
             .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
             .where(LedgerEntry.year == year, LedgerEntry.entry_date <= end))
    if fund_row is not None:
        query = query.where(LedgerEntry.fund == fund_row.id)
    minimum_funds = _minimum_funds()
    fallback = estate_minimum()
    figures: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (branch_id, fund_id), value in openings.items():
        if fund_row is None or fund_id == fund_row.id:
            figures[branch_id]["year_opening"] += value
    for branch_id, fund_id, day, kind, reversed_kind, amount in query.tuples():
        day = _as_date(day)
        income, expense = _signed(kind, reversed_kind, amount)
        f = figures[branch_id]
        f["ytd_alloc"] += income
        f["ytd_spent"] += expense
        if day < start:
            f["before_alloc"] += income
            f["before_spent"] += expense
        else:
            f["alloc"] += income
            f["spent"] += expense
        if day >= q_start:
            f["q_spent"] += expense
        if fund_id in minimum_funds:
            f[f"min_{fund_id}"] += income
        f["min_total"] += income if fund_id in minimum_funds else 0
    branches = {b.id: b for b in Branch.select()}
    communities = _community_names()
    wanted = set(figures)
    if include_all_estates:
        wanted |= {b.id for b in branches.values() if b.category == "estate" and b.status == "active"}
    check_minimum = fund_row is None or fund_row.id in minimum_funds or not minimum_funds
    rows = []
    for bid in sorted(wanted, key=lambda i: (branches[i].sort_order, i)):
        b = branches[bid]
        f = figures.get(bid, {})
        opening = f.get("year_opening", 0) + f.get("before_alloc", 0) - f.get("before_spent", 0)
        closing = opening + f.get("alloc", 0) - f.get("spent", 0)
        below = False
        if b.category == "estate" and b.status == "active" and check_minimum:
            if minimum_funds:
                below = any(f.get(f"min_{fid}", 0) < m for fid, m in minimum_funds.items()
                            if fund_row is None or fid == fund_row.id)
            else:
                below = f.get("ytd_alloc", 0) < fallback
        rows.append(FundsSummaryRow(
            bid, b.name, b.category, communities.get(b.community_id, ""), opening, f.get("alloc", 0),
            f.get("spent", 0), closing, f.get("year_opening", 0), f.get("ytd_alloc", 0), f.get("ytd_spent", 0),
            f.get("q_spent", 0), f.get("min_total", 0) if minimum_funds else f.get("ytd_alloc", 0), below,
        ))
    minimum = max(minimum_funds.values()) if minimum_funds else fallback
    return FundsSummary(year, quarter, start, end, fund_row.id if fund_row else None,
                        fund_row.name if fund_row else "全部经费", minimum, rows)


def compliance(year: int, quarter: int, *, min_spend_percent: int | None = None,
               today: dt.date | None = None) -> ComplianceReport:
    """The compliance view for `year` quarter `quarter` (figures to the quarter's end):
    estate branches allocated less than the yearly minimum; branches whose spend rate is
    under `min_spend_percent` (default per quarter, see `default_spend_percent`); branches
    that had money but spent nothing this quarter (only once the quarter has begun)."""
    today = today or dt.date.today()
    percent = default_spend_percent(quarter) if min_spend_percent is None else int(min_spend_percent)
    summary = funds_summary(year, quarter)
    start, end = summary.start, summary.end
    started = start <= today
    out = []
    for r in summary.rows:
        issues = []
        if r.below_minimum:
            issues.append(f"本年拨付 {format_fen(r.minimum_allocated_fen)}，低于 {format_fen(summary.minimum_fen)}")
        rate = r.spend_rate_permille
        low = started and rate is not None and rate < percent * 10
        if low:
            issues.append(f"支出进度 {rate / 10:.1f}%，低于 {percent}%")
        had_money = r.opening_fen + r.allocated_fen > 0
        idle = started and had_money and r.spent_in_quarter_fen <= 0
        if idle:
            issues.append("本季度没有支出")
        out.append(ComplianceRow(r, r.below_minimum, low, idle, tuple(issues)))
    return ComplianceReport(year, quarter, start, end, summary.minimum_fen, percent, out)


# ---------------------------------------------------------------- import (pure normalisation)

#: Fields of an imported ledger row, with the headers offices use (for the import pipeline).
LEDGER_IMPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "branch": ("所在党支部", "党支部", "支部", "所属党支部", "支部名称", "党组织"),
    "fund": ("经费类别", "经费名称", "经费来源", "资金来源"),
    "entry_date": ("日期", "记账日期", "凭证日期", "发生日期", "时间"),
    "voucher_no": ("凭证号", "凭证编号", "凭证号码", "编号"),
    "kind": ("类型", "收支类型", "业务类型", "收支"),
    "subject": ("科目", "会计科目", "支出科目", "经费科目", "用途"),
    "summary": ("摘要", "事由", "内容", "说明"),
    "amount": ("金额", "金额（元）", "金额(元)"),
    "income": ("收入", "收入金额", "拨付金额", "拨入", "借方"),
    "expense": ("支出", "支出金额", "付出", "贷方"),
    "balance": ("余额",),
    "handler": ("经办人", "经手人", "报销人"),
    "approver": ("审批人", "审核人", "批准人"),
    "second_approver": ("第二审批人", "复核人", "会签人"),
    "reverses_voucher_no": ("冲销凭证号", "原凭证号", "冲销第几号"),
}

_KIND_WORDS = {
    ALLOCATION: ("拨付", "拨款", "下拨", "拨入", "收入", "划拨", "allocation"),
    EXPENSE: ("支出", "报销", "付款", "支付", "列支", "expense"),
    REVERSAL: ("冲销", "红冲", "冲正", "冲回", "reversal"),
}
_REVERSES_IN_SUMMARY = re.compile(r"冲销第?\s*(\d+)\s*号")
_TOTALS_ROW = re.compile(r"^(上年结转|第[一二三四1-4]季度合计|本年合计|本年累计|合计|期末余额（大写）|期末余额\(大写\))")
_NAME_SPLIT = re.compile(r"\s*[、,，/;；]\s*")


def _kind_from_text(text: str) -> str | None:
    for code, words in _KIND_WORDS.items():
        if any(w == text or w in text for w in words):
            return code
    return None


def _voucher(raw: Any) -> int | None:
    text = clean_text(raw)
    if text is None:
        return None
    digits = re.sub(r"^[第#№No.\s]*|号$", "", text)
    return int(digits) if digits.isdigit() and int(digits) > 0 else None


def normalize_ledger_row(
    cells: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    threshold_fen: int | None = None,
    default_branch: str | None = None,
) -> tuple[dict[str, Any], list[RowProblem]]:
    """One row of a ledger kept in Excel, by field name (see `LEDGER_IMPORT_FIELDS`), as a
    record for `commit_normalized_rows` plus its problems. Pure: no database access
    (the branch and fund stay names; the import pipeline resolves them).

    - The branch comes from the 党支部 column, else `default_branch` (the sheet's name,
      for a workbook with one sheet per branch such as this program's own export).
    - The kind comes from 类型, else from a 摘要 "冲销第N号凭证…" (a reversal), else from
      which of 收入 / 支出 holds the amount; a negative amount is allowed only in a reversal.
    - Amounts go through `money.parse_amount`; the subject through the vocabulary
      (forbidden subjects are errors); 2,000-yuan expenses need a second approver;
      审批人 "张三、李四" (as exported) is the approver and the second approver.
    - A totals row of an exported ledger (上年结转, 第N季度合计, 本年合计, 期末余额（大写）)
      gives ``{"skip": True}`` and no problems: the pipeline leaves it out.
    """
    today = today or dt.date.today()
    threshold = second_approver_threshold() if threshold_fen is None else threshold_fen
    rec: dict[str, Any] = {}
    problems: list[RowProblem] = []

    def error(name: str | None, message: str) -> None:
        problems.append(RowProblem(ERROR, name, message))

    def warn(name: str | None, message: str) -> None:
        problems.append(RowProblem(WARNING, name, message))

    summary_text = clean_text(cells.get("summary")) or ""
    if _TOTALS_ROW.match(summary_text) and clean_text(cells.get("voucher_no")) is None:
        return {"skip": True}, []

    branch = clean_text(cells.get("branch")) or clean_text(default_branch)
    if branch is None:
        error("branch", "党支部为空，请填写。")
    rec["branch_name"] = branch
    rec["fund_name"] = clean_text(cells.get("fund"))

    checked = parse_date(cells.get("entry_date"), today=today)
    for p in checked.problems:
        (error if p.level == ERROR else warn)("entry_date", p.message)
    day = checked.value
    if day is None and checked.ok:
        error("entry_date", "日期为空，请填写。")
    elif day is not None and day > today:
        error("entry_date", f"日期 {day.isoformat()} 晚于今天，请核对。")
    elif day is not None:
        rec["entry_date"] = day
        rec["year"] = day.year

    voucher = cells.get("voucher_no")
    if clean_text(voucher) is not None:
        number = _voucher(voucher)
        if number is None:
            warn("voucher_no", f"凭证号「{clean_text(voucher)}」不是数字，导入后将按日期重新编号。")
        rec["source_voucher_no"] = number

    kind_text = clean_text(cells.get("kind"))
    kind = _kind_from_text(kind_text) if kind_text else None
    if kind_text and kind is None:
        error("kind", f"类型「{kind_text}」无法识别，应为 拨付、支出 或 冲销。")
    if kind is None and not kind_text and _REVERSES_IN_SUMMARY.match(summary_text):
        kind = REVERSAL

    amounts: dict[str, int] = {}
    for name in ("amount", "income", "expense"):
        raw = cells.get(name)
        if clean_text(raw) is None and not isinstance(raw, (int, float)):
            continue
        negative = False
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw < 0:
            raw, negative = -raw, True
        elif isinstance(raw, str) and raw.strip().startswith(("-", "－", "−")):
            raw, negative = raw.strip()[1:], True
        try:
            value = parse_amount(raw, allow_zero=True)
        except ValidationError as exc:
            error(name, exc.message)
            continue
        if value == 0:
            continue
        if negative and kind != REVERSAL:
            error(name, "金额是负数。更正错账请把「类型」填为冲销，并注明冲销的凭证号。")
            continue
        amounts[name] = value
    if "income" in amounts and "expense" in amounts:
        error(None, "同一行的收入和支出都有金额，请分成两行。")
    if kind is None:
        if "income" in amounts:
            kind = ALLOCATION
        elif "expense" in amounts:
            kind = EXPENSE
        elif "amount" in amounts:
            error("kind", "有金额但没有类型，请填写 拨付、支出 或 冲销。")
    amount = amounts.get("amount") or amounts.get("income") or amounts.get("expense")
    if amount is None and not any(p.field in ("amount", "income", "expense") for p in problems):
        error("amount", "金额为空，请填写。")
    if kind is not None:
        rec["kind"] = kind
    if amount is not None:
        rec["amount_fen"] = amount

    summary = clean_text(cells.get("summary"))
    if summary is None:
        error("summary", "摘要为空，请填写。")
    else:
        summary = summary.replace("\n", " ")
        if len(summary) > SUMMARY_MAX:
            error("summary", f"摘要太长了（{len(summary)} 字），请控制在 {SUMMARY_MAX} 字以内。")
        rec["summary"] = summary
        terms = forbidden_terms(summary)
        if terms and kind == EXPENSE:
            warn("summary", f"摘要提到「{terms[0]}」，这是禁止列支的事项，请核实。")

    subject_text = clean_text(cells.get("subject"))
    if subject_text is None:
        if kind == EXPENSE:
            error("subject", "科目为空，请填写。")
        else:
            rec["subject"] = "service" if kind == ALLOCATION else None
    else:
        try:
            rec["subject"] = check_subject(subject_text)
        except ValidationError as exc:
            error("subject", exc.message)

    approvers = _NAME_SPLIT.split(clean_text(cells.get("approver")) or "")
    values = {"handler": cells.get("handler"), "approver": approvers[0] or None,
              "second_approver": cells.get("second_approver")}
    if len(approvers) == 2 and clean_text(values["second_approver"]) is None:
        values["second_approver"] = approvers[1]
    elif len(approvers) > 2:
        error("approver", "审批人最多两位（审批人、第二审批人），请核对。")
    for name, what, required in (("handler", "经办人", True), ("approver", "审批人", True),
                                 ("second_approver", "第二审批人", False)):
        text = clean_text(values[name])
        if text is None:
            if required:
                error(name, f"{what}为空，请填写。")
            rec[name] = None
            continue
        rec[name] = text.replace("\n", " ")
    if (kind == EXPENSE and amount is not None and threshold and amount >= threshold
            and rec.get("second_approver") is None):
        error("second_approver", f"支出金额达到 {format_fen(threshold)}（含）须两人审批，请填写第二审批人。")
    if rec.get("second_approver") and rec.get("second_approver") == rec.get("approver"):
        error("second_approver", "第二审批人不能与审批人是同一人。")

    if kind == REVERSAL:
        target = _voucher(cells.get("reverses_voucher_no"))
        if target is None and summary:
            match = _REVERSES_IN_SUMMARY.search(summary)
            target = int(match.group(1)) if match else None
        if target is None:
            error("reverses_voucher_no", "冲销行要写明冲销的是第几号凭证（填「冲销凭证号」，或在摘要写「冲销第N号凭证」）。")
        rec["reverses_voucher_no"] = target
    return rec, problems


def commit_normalized_rows(records: Sequence[Mapping[str, Any]], *, today: dt.date | None = None) -> list[int]:
    """Write rows from `normalize_ledger_row` (with ``branch_id`` resolved by the import
    pipeline, and ``fund_name`` or None for the default fund), all or nothing, through the
    same rules as the forms: in date order, each with the next voucher number of its
    branch and year. A reversal row names the source voucher number of its original
    (``reverses_voucher_no``): first an entry of this import, else an existing entry of
    that branch and year. Returns the new entry ids."""
    today = today or dt.date.today()
    ordered = sorted(enumerate(records), key=lambda p: (p[1]["entry_date"], p[1]["kind"] == REVERSAL, p[0]))
    ids: list[int] = []
    by_source: dict[tuple[int, int, int], int] = {}
    with writing("ledger.import"):
        for _index, rec in ordered:
            branch_id = rec["branch_id"]
            kind = rec["kind"]
            if kind == REVERSAL:
                key = (branch_id, rec["year"], rec["reverses_voucher_no"])
                original_id = by_source.get(key)
                if original_id is None:
                    found = LedgerEntry.get_or_none(LedgerEntry.branch == branch_id, LedgerEntry.year == rec["year"],
                                                    LedgerEntry.voucher_no == rec["reverses_voucher_no"])
                    if found is None:
                        raise ValidationError(f"找不到要冲销的第{rec['reverses_voucher_no']}号凭证。")
                    original_id = found.id
                reason = rec["summary"]
                match = _REVERSES_IN_SUMMARY.match(reason)
                if match:
                    reason = reason[match.end():].lstrip("凭证：:，, ").strip("（）() ") or "更正错账"
                row = record_reversal(original_id, entry_date=rec["entry_date"], reason=reason,
                                      handler=rec["handler"], approver=rec["approver"], today=today)
            else:
                fn = record_allocation if kind == ALLOCATION else record_expense
                row = fn(branch_id, rec["amount_fen"], entry_date=rec["entry_date"],
                         subject=rec.get("subject") or "service", summary=rec["summary"], handler=rec["handler"],
                         approver=rec["approver"], second_approver=rec.get("second_approver"),
                         fund=rec.get("fund_name"), today=today)
            ids.append(row.id)
            if rec.get("source_voucher_no"):
                by_source[(branch_id, row.year, rec["source_voucher_no"])] = row.id
    return ids
