"""经费台账 to Excel (SPEC §5, §8): per-branch ledgers, one sheet per branch, and the
funds summary of all branches for a year or a quarter.

A branch's sheet: title "望湖城北苑小区党支部2026年度经费台账", a line with the funds, the
amount carried over and the export date, then 日期 / 凭证号 / 经费类别 / 摘要 / 科目 / 收入 /
支出 / 余额 / 经办人 / 审批人 (both approvers when there are two), with a 上年结转 row first
when a fund carries over, a 第N季度合计 row after each quarter, the 本年合计 row and the
closing balance in 大写. Amounts are numeric cells in yuan with a ``#,##0.00`` format
(negative, i.e. reversed, amounts in red), so the sums can be checked in Excel; dates
and names are text. The funds summary: 序号 / 党支部 / 类别 / 所属社区 / 期初余额 /
本期拨付 / 本期支出 / 期末余额 / 执行率 / 备注, with a 合计 row; estate branches under the
yearly minimum are marked.

The layout (title, header, frozen panes, A4 landscape, header repeated, fit to width,
page numbers) and the streaming writer are `reports.xlsx_style`; this module only adds
styled money and total cells, which that module leaves to its callers.

Entry points: `ledger_workbook_steps` / `funds_summary_steps` (generators for a GUI
worker, yielding ``(done, total, text)``) and `write_ledger_workbook` /
`write_funds_summary_workbook` (the same run to the end, for the CLI).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from reports.xlsx_style import (
    FONT_NAME,
    SheetColumn,
    display_width,
    iter_write_table_sheet,
    new_workbook,
    save_workbook,
)
from wanghu_desk.errors import UsageError
from wanghu_desk.money import format_fen, to_chinese_capital, yuan_decimal
from wanghu_desk.services import ledger, stats
from wanghu_desk.services.ledger import FundsSummary, LedgerView

__all__ = [
    "LEDGER_HEADERS",
    "capital_words",
    "SUMMARY_HEADERS",
    "default_filename",
    "funds_summary_steps",
    "ledger_workbook_steps",
    "write_funds_summary_workbook",
    "write_ledger_workbook",
]

LEDGER_HEADERS = ("日期", "凭证号", "经费类别", "摘要", "科目", "收入", "支出", "余额", "经办人", "审批人")
SUMMARY_HEADERS = ("序号", "党支部", "类别", "所属社区", "期初余额", "本期拨付", "本期支出", "期末余额", "执行率", "备注")
MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
RATE_FORMAT = "0.0%"
QUARTER_WORDS = "一二三四"

Progress = Callable[[int, int, str], None]


class _Cells:
    """Styled cells for one sheet (a write-only sheet needs cells made for it)."""

    def __init__(self, ws: Any):
        self.ws = ws
        bold = Font(name=FONT_NAME, bold=True)
        self._money = self._style(number_format=MONEY_FORMAT)
        self._money_bold = self._style(number_format=MONEY_FORMAT, font=bold)
        self._rate = self._style(number_format=RATE_FORMAT)
        self._rate_bold = self._style(number_format=RATE_FORMAT, font=bold)
        self._bold = self._style(font=bold)
        self._bold_right = self._style(font=bold, alignment=Alignment(horizontal="right"))

    def _style(self, **attrs: Any):
        cell = WriteOnlyCell(self.ws, 0)
        for name, value in attrs.items():
            setattr(cell, name, value)
        return cell._style

    def _make(self, value: Any, style) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value)
        cell._style = style
        return cell

    def money(self, fen: int | None, bold: bool = False) -> WriteOnlyCell | None:
        if fen is None:
            return None
        return self._make(yuan_decimal(fen), self._money_bold if bold else self._money)

    def rate(self, permille: int | None, bold: bool = False) -> WriteOnlyCell | None:
        if permille is None:
            return None
        return self._make(permille / 1000, self._rate_bold if bold else self._rate)

    def bold(self, text: str, right: bool = False) -> WriteOnlyCell:
        cell = self._make(text, self._bold_right if right else self._bold)
        cell.data_type = "s"
        return cell


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Any]], fixed: dict[int, int]) -> list[int]:
    """Column widths from the plain text of each column (CJK counts 2), as xlsx_style fits them."""
    out = []
    for i, header in enumerate(headers):
        if i in fixed:
            out.append(fixed[i])
            continue
        longest = max((display_width(r[i]) for r in rows if isinstance(r[i], str)), default=0)
        out.append(max(6, min(48, max(display_width(header) + 2, longest + 2))))
    return out


def _subtitle(view: LedgerView, as_of: dt.date) -> str:
    funds = "、".join(view.funds) or "无"
    carry = f"　上年结转：{format_fen(view.opening_fen)}" if view.opening_fen else ""
    return f"经费类别：{funds}{carry}　导出日期：{as_of.isoformat()}"


def _ledger_rows(view: LedgerView) -> tuple[list[list[Any]], set[int]]:
    """The rows of one branch's sheet (money as ``("fen", n)``, made into cells later)
    and the indexes of the total rows."""
    plain: list[list[Any]] = []
    totals: set[int] = set()
    if view.opening_fen:
        plain.append([dt.date(view.year, 1, 1), None, "", "上年结转", "", None, None, ("fen", view.opening_fen), "", ""])
        totals.add(len(plain) - 1)
    for q in view.quarters:
        in_q = [r for r in view.rows if ledger.quarter_of(r.entry_date) == q.quarter]
        for r in in_q:
            plain.append([
                r.entry_date, r.voucher_no, r.fund_name, r.summary, r.subject_label,
                ("fen", r.income_fen) if r.income_fen else None,
                ("fen", r.expense_fen) if r.expense_fen else None,
                ("fen", r.balance_fen), r.handler or "", r.approvers,
            ])
        if in_q:
            plain.append([None, None, "", f"第{QUARTER_WORDS[q.quarter - 1]}季度合计", "", ("fen", q.allocated_fen),
                          ("fen", q.spent_fen), ("fen", q.closing_fen), "", ""])
            totals.add(len(plain) - 1)
    plain.append([None, None, "", "本年合计", "", ("fen", view.allocated_fen), ("fen", view.spent_fen),
                  ("fen", view.closing_fen), "", ""])
    totals.add(len(plain) - 1)
    plain.append([None, None, "", f"期末余额（大写）：{capital_words(view.closing_fen)}", "", None, None, None, "", ""])
    totals.add(len(plain) - 1)
    return plain, totals


def capital_words(fen: int) -> str:
    """大写 of a balance; a negative one (never in a valid ledger) keeps its sign."""
    return to_chinese_capital(fen) if fen >= 0 else "负" + to_chinese_capital(-fen)


class _PendingCells:
    """Styled cells for the sheet that `iter_write_table_sheet` has just created (the
    newest one), made on first use: a write-only sheet needs cells made for it."""

    def __init__(self, workbook):
        self._workbook = workbook
        self._cells: _Cells | None = None

    def __getattr__(self, name: str):
        if self._cells is None:
            self._cells = _Cells(self._workbook.worksheets[-1])
        return getattr(self._cells, name)


class _Rows(Sequence):
    """The rows for `iter_write_table_sheet`: plain text for measuring (every width is
    fixed here, so it does not measure), styled cells when iterated."""

    def __init__(self, plain: list[list[Any]], text: list[list[Any]], make):
        self._plain, self._text, self._make = plain, text, make

    def __len__(self) -> int:
        return len(self._plain)

    def __getitem__(self, index):
        return self._text[index]

    def __iter__(self):
        for i, row in enumerate(self._plain):
            yield self._make(i, row)


def _as_text(plain: list[list[Any]]) -> list[list[Any]]:
    return [["" if isinstance(v, tuple) else v.isoformat() if isinstance(v, dt.date) else v for v in row]
            for row in plain]


def _write_branch_sheet(workbook, view: LedgerView, used: set[str], as_of: dt.date) -> None:
    plain, totals = _ledger_rows(view)
    widths = _widths(LEDGER_HEADERS, _as_text(plain), {0: 12, 1: 8, 5: 14, 6: 14, 7: 15})
    kinds = ("date", "int", "code", "text", "code", "number", "number", "number", "code", "code")
    limits = {2: 28, 3: 44}
    columns = [SheetColumn(h, k, min(w, limits.get(i, w))) for i, (h, k, w) in enumerate(zip(LEDGER_HEADERS, kinds, widths))]
    cells = _PendingCells(workbook)

    def make(i: int, row: list[Any]) -> list[Any]:
        bold = i in totals
        out = []
        for c, value in enumerate(row):
            if isinstance(value, tuple):
                out.append(cells.money(value[1], bold))
            elif bold and c == 3 and value:
                out.append(cells.bold(value))
            else:
                out.append(value)
        return out

    title = f"{view.branch_name}{view.year}年度经费台账"
    for _ in iter_write_table_sheet(workbook, view.branch_name, title, columns, _Rows(plain, _as_text(plain), make),
                                    subtitle=_subtitle(view, as_of), used_titles=used):
        pass


def _summary_rows(summary: FundsSummary) -> tuple[list[list[Any]], dict[tuple[int, int], str]]:
    plain: list[list[Any]] = []
    highlights: dict[tuple[int, int], str] = {}
    for n, r in enumerate(summary.rows, 1):
        note = f"拨付低于 {format_fen(summary.minimum_fen)}" if r.below_minimum else ""
        if r.below_minimum:
            highlights[(n - 1, 1)] = "error"
            highlights[(n - 1, 9)] = "error"
        plain.append([n, r.branch_name, r.category_label, r.community, ("fen", r.opening_fen),
                      ("fen", r.allocated_fen), ("fen", r.spent_fen), ("fen", r.closing_fen),
                      ("rate", r.spend_rate_permille), note])
    t = summary.total
    plain.append([None, "合计", "", "", ("fen", t.opening_fen), ("fen", t.allocated_fen), ("fen", t.spent_fen),
                  ("fen", t.closing_fen), ("rate", t.spend_rate_permille),
                  f"低于最低拨付标准 {len(summary.below_minimum)} 个" if summary.below_minimum else ""])
    return plain, highlights


def _write_summary_sheet(workbook, summary: FundsSummary, used: set[str], org: str, as_of: dt.date) -> None:
    plain, highlights = _summary_rows(summary)
    widths = _widths(SUMMARY_HEADERS, _as_text(plain), {0: 6, 4: 15, 5: 15, 6: 15, 7: 15, 8: 9})
    kinds = ("int", "code", "code", "code", "number", "number", "number", "number", "number", "code")
    columns = [SheetColumn(h, k, w) for h, k, w in zip(SUMMARY_HEADERS, kinds, widths)]
    last = len(plain) - 1
    cells = _PendingCells(workbook)

    def make(i: int, row: list[Any]) -> list[Any]:
        bold = i == last
        out = []
        for c, value in enumerate(row):
            if isinstance(value, tuple):
                out.append(cells.money(value[1], bold) if value[0] == "fen" else cells.rate(value[1], bold))
            elif bold and c == 1:
                out.append(cells.bold(value))
            else:
                out.append(value)
        return out

    fund = "" if summary.fund_id is None else f"（{summary.fund_name}）"
    title = f"{org}{summary.title_period}经费汇总表{fund}"
    subtitle = (f"统计期间：{summary.start.isoformat()} 至 {summary.end.isoformat()}　执行率 = 本年累计支出 ÷ "
                f"（上年结转 + 本年累计拨付）　导出日期：{as_of.isoformat()}")
    for _ in iter_write_table_sheet(workbook, "经费汇总", title, columns, _Rows(plain, _as_text(plain), make),
                                    subtitle=subtitle, highlights=highlights, used_titles=used):
        pass


def _check_xlsx(out: Path | str) -> Path:
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"导出文件应以 .xlsx 结尾：{path.name}")
    return path


def _views(year: int, branch_name: str | None) -> list[LedgerView]:
    if branch_name is not None:
        return [ledger.ledger(branch_name, year)]
    summary = ledger.funds_summary(year)
    wanted = {r.branch_id for r in summary.rows}
    order = [b.id for b in ledger.branch_choices(include_dissolved=True) if b.id in wanted]
    return [ledger.ledger(bid, year) for bid in order]


def ledger_workbook_steps(
    out: Path | str, year: int, branch_name: str | None = None, *, as_of: dt.date | None = None
) -> Generator[tuple[int, int, str], None, Path]:
    """Write the ledgers of `year` to `out` (.xlsx): one branch (`branch_name`: short name,
    full name or alias), or every branch with entries and every estate branch, one sheet
    each, after a 经费汇总 sheet. Yields progress; returns the path."""
    path = _check_xlsx(out)
    as_of = as_of or dt.date.today()
    yield 0, 0, "正在读取台账…"
    views = _views(year, branch_name)
    workbook = new_workbook()
    used: set[str] = set()
    total = len(views)
    if branch_name is None:
        org = stats.organization_name()
        _write_summary_sheet(workbook, ledger.funds_summary(year), used, org, as_of)
    for n, view in enumerate(views, 1):
        _write_branch_sheet(workbook, view, used, as_of)
        yield n, total, f"正在写入 {view.branch_name}（{n} / {total}）…"
    yield total, total, "正在保存文件…"
    return save_workbook(workbook, path)


def funds_summary_steps(
    out: Path | str, year: int, quarter: int | None = None, *, as_of: dt.date | None = None
) -> Generator[tuple[int, int, str], None, Path]:
    """Write the funds summary of all branches for `year` (or one quarter) to `out`."""
    path = _check_xlsx(out)
    as_of = as_of or dt.date.today()
    yield 0, 0, "正在汇总经费…"
    summary = ledger.funds_summary(year, quarter)
    workbook = new_workbook()
    _write_summary_sheet(workbook, summary, set(), stats.organization_name(), as_of)
    yield 1, 1, "正在保存文件…"
    return save_workbook(workbook, path)


def _drive(gen: Generator, progress: Progress | None) -> Any:
    while True:
        try:
            step = next(gen)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress(*step)


def write_ledger_workbook(out: Path | str, year: int, branch_name: str | None = None,
                          progress: Progress | None = None) -> Path:
    """`ledger_workbook_steps` run to the end (for the command line)."""
    return _drive(ledger_workbook_steps(out, year, branch_name), progress)


def write_funds_summary_workbook(out: Path | str, year: int, quarter: int | None = None,
                                 progress: Progress | None = None) -> Path:
    return _drive(funds_summary_steps(out, year, quarter), progress)


def default_filename(year: int, branch_name: str | None = None, kind: str = "ledger",
                     quarter: int | None = None) -> str:
    if kind == "summary":
        period = f"{year}年第{quarter}季度" if quarter else f"{year}年度"
        return f"{stats.organization_name()}{period}经费汇总表.xlsx"
    who = branch_name or stats.organization_name()
    return f"{who}{year}年度经费台账.xlsx"
