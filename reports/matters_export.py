"""The residents' matters 台账 in Excel (issue 13 point 5): one sheet per kind of matter
(扫码报事, 社情民意, 议事协商, 矛盾调解, 微心愿), or one kind only, print-ready like the
other exports (`reports.xlsx_style`: a title, the header repeated on every page, A4
landscape, fitted column widths, phones and dates as text).

The headers are those of the `matters` import kind (`wanghu_desk.kinds.matters`), so a
台账 of 工单 imports back with its duplicates recognised. Phones are masked (139****5678)
unless `unmasked=True` and the acting account is an administrator; such an export leaves
an audit event (`services.exports.audit_unmasked`). Each sheet's subtitle gives the
count, 按时办结率 and 满意率 of the rows on it, from `services.matters`' own rates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from pathlib import Path

from models import Matter
from reports.exports import ExportResult
from reports.xlsx_style import SheetColumn, iter_write_table_sheet, new_workbook, save_workbook
from wanghu_desk.errors import UsageError
from wanghu_desk.kinds.matters import COLUMNS
from wanghu_desk.services import exports as export_rows
from wanghu_desk.services import matters, stats
from wanghu_desk.services.base import require
from wanghu_desk.services.matters import vocab

__all__ = ["FIELDS", "matter_kind_code", "matters_workbook_steps", "write_matters_workbook"]

#: The columns of the 台账, in order (fields of `wanghu_desk.kinds.matters.COLUMNS`).
FIELDS = ("number", "external_no", "kind", "category", "source", "estate", "building", "grid", "raiser_name",
          "raiser_phone", "content", "received_on", "deadline_on", "level", "state", "handler_unit", "result",
          "closed_on", "on_time", "evaluation", "claimant", "note")
_SHEET_KINDS = {"phone": "phone", "date": "date"}
_FREE_TEXT = {"content", "result", "note", "handler_unit"}
_WIDTHS = {"content": 40, "result": 30, "note": 20}


def matter_kind_code(text: str | None) -> str | None:
    """The kind of matter named by `text` (code, label or synonym); None for all kinds."""
    if text is None or not str(text).strip():
        return None
    code = vocab.code_for(vocab.KINDS, text, vocab.KIND_SYNONYMS)
    if code is None:
        raise UsageError(f"不认识的事项类型「{text}」。可以导出：{'、'.join(vocab.KINDS.values())}。")
    return code


def _columns() -> list[SheetColumn]:
    by_field = {c.field: c for c in COLUMNS}
    out = [SheetColumn("序号", "int")]
    for name in FIELDS:
        col = by_field[name]
        kind = "text" if name in _FREE_TEXT else _SHEET_KINDS.get(col.kind, "code")
        out.append(SheetColumn(col.header, kind, _WIDTHS.get(name, col.width)))
    return out


def _on_time(row: matters.MatterRow) -> str | None:
    if not row.closed:
        return "已逾期" if row.overdue else None
    return "否" if row.late else "是"


def _values(i: int, row: matters.MatterRow, phone: str | None, note: str | None) -> tuple:
    handler = row.claimant if row.kind == "wish" else row.handler
    return (i, row.number, row.external_no or None, row.kind_label, row.category or None, row.source_label or None,
            row.estate or None, row.building or None, row.grid or None, row.raiser_name or None, phone,
            row.content, row.received_on, row.deadline_on, row.level_label, row.state_label,
            handler if row.kind != "wish" else None, row.result or None, row.closed_on, _on_time(row),
            row.evaluation_label or None, row.claimant or None, note)


def _rates(rows: list[matters.MatterRow]) -> str:
    settled = [r for r in rows if r.closed]
    on_time = sum(1 for r in settled if not r.late)
    evaluated = [r for r in rows if r.evaluation_label]
    satisfied = sum(1 for r in evaluated if r.evaluation_label in (vocab.EVALUATIONS[c] for c in vocab.SATISFIED))
    return (f"办结 {len(settled):,} 件，按时办结率 {matters.rate_text(on_time, len(settled))}，"
            f"满意率 {matters.rate_text(satisfied, len(evaluated))}")


def matters_workbook_steps(path: Path | str, *, matter_kind: str | None = None, unmasked: bool = False,
                           today: dt.date | None = None) -> Generator[tuple[int, int, str], None, ExportResult]:
    """Write the 台账 to `path` (.xlsx), yielding progress; returns the `ExportResult`."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"导出文件应以 .xlsx 结尾：{path.name}")
    kind = matter_kind_code(matter_kind)
    if unmasked:
        require("see_id_numbers")
    yield 0, 0, "正在读取居民事项…"
    rows = sorted(matters.list_matters(today=today, kind=kind), key=lambda r: (r.received_on, r.number))
    stored = {mid: (phone, note) for mid, phone, note in Matter.select(Matter.id, Matter.raiser_phone, Matter.note)
              .tuples()}
    org = stats.organization_name()
    kinds_shown = [kind] if kind else [k for k in vocab.KINDS if any(r.kind == k for r in rows)]
    if not kinds_shown:
        kinds_shown = [None]
    columns = _columns()
    workbook = new_workbook()
    used: set[str] = set()
    sheets: list[str] = []
    total, done = len(rows), 0
    for code in kinds_shown:
        part = [r for r in rows if code is None or r.kind == code]
        label = vocab.KINDS[code] if code else "居民事项"
        values = []
        for i, r in enumerate(part, 1):
            phone, note = stored.get(r.id, (None, None))
            values.append(_values(i, r, phone if unmasked else (matters.mask_phone(phone) or None), note))
        masked = "　电话号码已部分隐藏" if not unmasked else ""
        subtitle = (f"导出日期：{dt.date.today().isoformat()}　共 {len(part):,} 件　{_rates(part)}{masked}")
        before = done
        for written in iter_write_table_sheet(workbook, label, f"{org}{label}台账", columns, values,
                                              subtitle=subtitle, used_titles=used):
            done = before + written
            yield done, total, f"正在写入 {done:,} / {total:,} 件…"
        sheets.append(workbook.worksheets[-1].title)
    yield total, total, "正在保存文件…"
    save_workbook(workbook, path)
    if unmasked:
        export_rows.audit_unmasked("matters", total, "电话号码")
    return ExportResult(path, total, sheets, not unmasked)


def write_matters_workbook(path: Path | str, *, matter_kind: str | None = None, unmasked: bool = False,
                           today: dt.date | None = None) -> ExportResult:
    """`matters_workbook_steps` run to the end (for the command line)."""
    gen = matters_workbook_steps(path, matter_kind=matter_kind, unmasked=unmasked, today=today)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value
