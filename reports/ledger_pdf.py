"""经费台账 as a PDF in the official-document style (SPEC §5, §8): one branch, or every
branch of a year after a summary table.

For each branch: a paragraph with the year's figures, then one table per fund —
日期 / 凭证号 / 摘要 / 科目 / 收入 / 支出 / 余额 / 经办人 / 审批人, the amount carried over
first when the fund carries over, a 合计 row last — and under it the totals in Chinese
capital numerals (大写), as an auditor reads them; then a block to sign (经办人, 审核人,
支部书记, 日期). Dates in the tables are month-day: the year is in the title.

The layout is `reports.pdf.document.OfficialDocument` (GB/T 9704 page, fonts from
`reports.fonts`, page numbers, atomic save with a clear message when the file is open).

Entry points: `ledger_pdf_steps(out, year, branch_name=None)` (a generator for a GUI
worker, yielding ``(done, total, text)``), `write_ledger_pdf(out, year, branch_name=None,
progress=None)` (for the CLI) and `build_ledger_document(...)` (layout only, for tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Sequence
from pathlib import Path

from reports.fonts import FontSet
from reports.pdf.document import OfficialDocument
from reports.pdf.formatting import date_cn, money, permille
from wanghu_desk.errors import UsageError
from wanghu_desk.money import format_plain, to_chinese_capital
from wanghu_desk.services import ledger
from wanghu_desk.services.ledger import FundsSummary, LedgerRow, LedgerView
from wanghu_desk.services.quarterly import unit_info

__all__ = ["LEDGER_PDF_HEADERS", "build_ledger_document", "default_filename", "ledger_pdf_steps", "write_ledger_pdf"]

Progress = Callable[[int, int, str], None]

LEDGER_PDF_HEADERS = ("日期", "凭证号", "摘要", "科目", "收入", "支出", "余额", "经办人", "审批人")
#: Column widths in points (the text block is 442 pt wide; 摘要 takes the rest).
_WIDTHS = (34, 38, 0, 48, 50, 50, 54, 40, 46)
_NUMERIC = {4, 5, 6}
_CENTERED = {0, 1, 3}


def capital(fen: int) -> str:
    return to_chinese_capital(fen) if fen >= 0 else "负" + to_chinese_capital(-fen)


def _widths() -> list[float]:
    rest = 442 - sum(_WIDTHS)
    return [w or rest for w in _WIDTHS]


def _cell_money(fen: int) -> str:
    return format_plain(fen) if fen else ""


def _entry_row(r: LedgerRow) -> list[str]:
    approvers = "\n".join(p for p in (r.approver, r.second_approver) if p)
    summary = r.summary + (f"（已由第{r.reversed_by_voucher_no}号冲销）" if r.is_reversed else "")
    return [r.entry_date.strftime("%m-%d"), str(r.voucher_no), summary, r.subject_label,
            _cell_money(r.income_fen), _cell_money(r.expense_fen), format_plain(r.balance_fen),
            r.handler or "", approvers]


def _fund_table(doc: OfficialDocument, view: LedgerView, heading: bool) -> None:
    """One fund of one branch: the table and its totals in 大写."""
    if heading:
        doc.heading(view.fund_name, level=2)
    rows: list[list[str]] = []
    if view.opening_fen:
        rows.append(["01-01", "", "上年结转", "", "", "", format_plain(view.opening_fen), "", ""])
    rows.extend(_entry_row(r) for r in view.rows)
    rows.append(["", "", "合计", "", format_plain(view.allocated_fen), format_plain(view.spent_fen),
                 format_plain(view.closing_fen), "", ""])
    emphasis = {len(rows) - 1} | ({0} if view.opening_fen else set())
    note = (f"金额单位：元。本年拨付合计（大写）：{capital(view.allocated_fen)}；支出合计（大写）：{capital(view.spent_fen)}；"
            f"期末余额（大写）：{capital(view.closing_fen)}。")
    doc.table(LEDGER_PDF_HEADERS, rows, col_widths=_widths(), numeric_columns=_NUMERIC,
              centered_columns=_CENTERED, emphasis_rows=emphasis, note=note)


def _branch_section(doc: OfficialDocument, branch_id: int, year: int, *, heading: bool, as_of: dt.date) -> None:
    whole = ledger.ledger(branch_id, year)
    if heading:
        doc.heading(whole.branch_name)
    if not whole.rows and not whole.opening_fen:
        doc.paragraph(f"{year}年度该支部没有经费收支记录。")
        _signature(doc)
        return
    carry = f"上年结转{money(whole.opening_fen)}，" if whole.opening_fen else ""
    doc.paragraph(
        f"{year}年度截至{date_cn(min(as_of, dt.date(year, 12, 31)))}，{carry}共收到拨付经费{money(whole.allocated_fen)}"
        f"（大写：{capital(whole.allocated_fen)}），支出{money(whole.spent_fen)}（大写：{capital(whole.spent_fen)}），"
        f"期末余额{money(whole.closing_fen)}（大写：{capital(whole.closing_fen)}）；"
        f"共{len(whole.rows)}笔凭证，其中冲销{sum(r.kind == ledger.REVERSAL for r in whole.rows)}笔。"
    )
    fund_ids = sorted({r.fund_id for r in whole.rows}) or []
    openings = [f.id for f in ledger.funds() if f.carries_over]
    fund_ids += [f for f in openings if f not in fund_ids and ledger.ledger(branch_id, year, f).opening_fen]
    for fund_id in fund_ids:
        _fund_table(doc, ledger.ledger(branch_id, year, fund_id), heading=True)
    _signature(doc)


def _signature(doc: OfficialDocument) -> None:
    doc.signature_block([("经办人", ""), ("审核人", ""), ("支部书记", ""), ("日期", "")])


def _summary_section(doc: OfficialDocument, summary: FundsSummary) -> None:
    doc.heading("经费汇总")
    t = summary.total
    below = summary.below_minimum
    text = (f"{summary.year}年度共向{len([r for r in summary.rows if r.ytd_allocated_fen])}个党支部拨付经费"
            f"{money(t.ytd_allocated_fen)}（大写：{capital(t.ytd_allocated_fen)}），支出{money(t.ytd_spent_fen)}，"
            f"余额{money(t.closing_fen)}。")
    if below:
        text += (f"拨付低于{money(summary.minimum_fen)}的小区（片区）党支部{len(below)}个："
                 + "、".join(r.branch_name for r in below) + "。")
    else:
        text += f"各小区（片区）党支部拨付均不低于{money(summary.minimum_fen)}。"
    doc.paragraph(text)
    carry = any(r.year_opening_fen for r in summary.rows)
    rows = []
    flagged = set()
    for n, r in enumerate(summary.rows, 1):
        if r.below_minimum:
            flagged.add(n - 1)
        rows.append([str(n), r.branch_name + ("（拨付不足）" if r.below_minimum else "")]
                    + ([format_plain(r.year_opening_fen)] if carry else [])
                    + [format_plain(r.ytd_allocated_fen), format_plain(r.ytd_spent_fen), format_plain(r.closing_fen),
                       permille(r.spend_rate_permille)])
    rows.append(["", "合计"] + ([format_plain(t.year_opening_fen)] if carry else [])
                + [format_plain(t.ytd_allocated_fen), format_plain(t.ytd_spent_fen), format_plain(t.closing_fen),
                   permille(t.spend_rate_permille)])
    headers = ["序号", "党支部"] + (["上年结转"] if carry else []) + ["本年拨付", "本年支出", "余额", "执行率"]
    widths = [1.4, 6.6] + ([2.3] if carry else []) + [2.5, 2.5, 2.5, 1.8]
    rate_rule = "执行率 = 本年支出 ÷（上年结转 + 本年拨付）" if carry else "执行率 = 本年支出 ÷ 本年拨付"
    doc.table(headers, rows, col_widths=widths, numeric_columns=set(range(2, len(headers))), centered_columns={0},
              flagged_rows=flagged, emphasis_rows={len(rows) - 1}, note=f"金额单位：元。{rate_rule}。")


def _branch_ids(year: int, branch_name: str | None) -> list[int]:
    if branch_name is not None:
        return [ledger.ledger(branch_name, year).branch_id]
    wanted = {r.branch_id for r in ledger.funds_summary(year).rows}
    return [b.id for b in ledger.branch_choices(include_dissolved=True) if b.id in wanted]


def _subtitle(year: int, as_of: dt.date) -> str:
    if as_of < dt.date(year, 12, 31):
        return f"（{year}年1月1日—{date_cn(as_of)[5:]}）" if as_of.year == year else f"（截至{date_cn(as_of)}）"
    return f"（{year}年1月1日—12月31日）"


def build_ledger_document(
    year: int,
    branch_ids: Sequence[int],
    *,
    single: bool,
    as_of: dt.date,
    fonts: FontSet | None = None,
    progress: Progress | None = None,
) -> OfficialDocument:
    unit = unit_info()
    if single:
        name = ledger.ledger(branch_ids[0], year).branch_name
        title = f"{name}\n{year}年度经费台账"
    else:
        title = f"{unit.area_name}{year}年度\n党支部经费台账"
    doc = OfficialDocument(title, unit=f"编制单位：{unit.full_name}" if unit.full_name else None,
                           subtitle=_subtitle(year, as_of), fonts=fonts, author=unit.full_name,
                           subject=title.replace("\n", ""))
    if not single:
        _summary_section(doc, ledger.funds_summary(year))
    total = len(branch_ids)
    for n, branch_id in enumerate(branch_ids, 1):
        if not single:
            doc.page_break()
        _branch_section(doc, branch_id, year, heading=not single, as_of=as_of)
        if progress is not None:
            progress(n, total + 1, f"正在排版第 {n} / {total} 个支部…")
    return doc


def ledger_pdf_steps(
    out: Path | str, year: int, branch_name: str | None = None, *, as_of: dt.date | None = None,
    fonts: FontSet | None = None,
) -> Generator[tuple[int, int, str], None, Path]:
    """Write the ledger PDF of one branch (`branch_name`) or of every branch for `year`."""
    path = Path(out)
    if path.suffix.lower() != ".pdf":
        raise UsageError(f"报表文件应以 .pdf 结尾：{path.name}")
    as_of = as_of or dt.date.today()
    yield 0, 0, "正在读取台账…"
    ids = _branch_ids(year, branch_name)
    steps: list[tuple[int, int, str]] = []
    doc = build_ledger_document(year, ids, single=branch_name is not None, as_of=as_of, fonts=fonts,
                                progress=lambda *step: steps.append(step))
    yield from steps
    yield len(ids), len(ids) + 1, "正在生成 PDF…"
    written = doc.build(path)
    yield len(ids) + 1, len(ids) + 1, "完成"
    return written


def write_ledger_pdf(out: Path | str, year: int, branch_name: str | None = None,
                     progress: Progress | None = None) -> Path:
    """`ledger_pdf_steps` run to the end (for the command line)."""
    gen = ledger_pdf_steps(out, year, branch_name)
    while True:
        try:
            step = next(gen)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress(*step)


def default_filename(year: int, branch_name: str | None = None) -> str:
    who = branch_name or unit_info().area_name
    return f"{who}{year}年度经费台账.pdf"
