"""Roster exports to Excel (SPEC §8): members (all, one branch, or one sheet per branch),
branches, building groups, volunteers with cumulative hours, service records.

Headers are the canonical ones of `reports.columns`, so that an exported roster imports
back unchanged. ID numbers are masked unless `unmasked=True` and the acting account may
see them (`PermissionDenied` otherwise). `export_steps` is a generator yielding progress
``(done, total, text)`` for a worker; `export` runs it to the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from reports import columns as cols
from reports.xlsx_style import SheetColumn, iter_write_table_sheet, new_workbook, save_workbook
from wanghu_desk import kinds
from wanghu_desk.errors import UsageError
from wanghu_desk.services import stats
from wanghu_desk.services.lookup import find_branch

__all__ = ["EXPORT_KINDS", "ExportResult", "export", "export_steps", "sheet_columns"]

#: kind -> (title after the organisation's name, columns): the registry's roster exports
#: (`wanghu_desk.kinds`, the kinds whose `ExportSpec` names a `services.exports` function).
EXPORT_KINDS = {name: (k.export.title, k.columns) for name, k in kinds.roster_exports().items()}
_SHEET_KINDS = {"id": "id", "phone": "phone", "date": "date", "number": "number", "bool": "code",
                "choice": "code", "name": "code", "text": "text"}
_FREE_TEXT = {"employer", "address", "note", "skills", "activity", "buildings", "full_name", "probation_extension_reason"}


@dataclass
class ExportResult:
    path: Path
    rows: int
    sheets: list[str]
    masked: bool


def sheet_columns(columns: tuple[cols.Column, ...], fields: tuple[str, ...], numbered: bool = True) -> list[SheetColumn]:
    """The sheet columns for `fields`, with the canonical headers; "序号" first."""
    by_field = {c.field: c for c in columns}
    out = [SheetColumn("序号", "int")] if numbered else []
    for name in fields:
        col = by_field[name]
        kind = "text" if name in _FREE_TEXT else _SHEET_KINDS.get(col.kind, "code")
        out.append(SheetColumn(col.header, kind, col.width))
    return out


def _numbered(rows: list[tuple]) -> list[tuple]:
    return [(i, *row) for i, row in enumerate(rows, 1)]


def _subtitle(count: int, unit: str, masked: bool) -> str:
    note = "　身份证号已部分隐藏" if masked else ""
    return f"导出日期：{dt.date.today().isoformat()}　共 {count:,} {unit}{note}"


def export_steps(
    kind: str,
    path: Path | str,
    *,
    branch: str | None = None,
    per_branch: bool = False,
    unmasked: bool = False,
    in_register_only: bool = False,
) -> Generator[tuple[int, int, str], None, ExportResult]:
    """Write the roster `kind` to `path` (.xlsx), yielding progress."""
    if kind not in EXPORT_KINDS:
        raise UsageError(f"不能导出「{kind}」。可以导出：{'、'.join(EXPORT_KINDS)}。")
    if branch is not None and kind != "members":
        raise UsageError("只有党员花名册可以按支部导出（--branch）。")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"导出文件应以 .xlsx 结尾：{path.name}")
    title_tail, columns = EXPORT_KINDS[kind]
    org = stats.organization_name()
    yield 0, 0, "正在读取数据…"

    spec = kinds.get(kind).export
    rows_of = kinds.resolve(spec.rows)
    unit = spec.unit
    if kind == "members":
        branch_id = find_branch(branch).id if branch is not None else None
        table = rows_of(branch_id=branch_id, in_register_only=in_register_only, unmasked=unmasked)
    elif spec.has_id_numbers:
        table = rows_of(unmasked=unmasked)
    else:
        table = rows_of()
    sheet_cols = sheet_columns(columns, table.fields)
    total = len(table.rows)
    workbook = new_workbook()
    used: set[str] = set()
    sheets: list[str] = []

    # (sheet name, title, rows) per sheet
    parts: list[tuple[str, str, list[tuple]]] = []
    if kind == "members" and (per_branch or branch is not None):
        by_branch: dict[int, list[tuple]] = {}
        for bid, row in zip(table.row_branches, table.rows):
            by_branch.setdefault(bid, []).append(row)
        for bid, rows in by_branch.items():
            name = table.branch_names[bid]
            parts.append((name, f"{name}党员花名册", rows))
        if not parts and branch is not None:
            name = find_branch(branch).name
            parts.append((name, f"{name}党员花名册", []))
    else:
        parts.append((title_tail, f"{org}{title_tail}", table.rows))

    done = 0
    for sheet_name, title, rows in parts:
        before = done
        for written in iter_write_table_sheet(
            workbook, sheet_name, title, sheet_cols, _numbered(rows),
            subtitle=_subtitle(len(rows), unit, table.masked and "id_number" in table.fields),
            used_titles=used,
        ):
            done = before + written
            yield done, total, f"正在写入 {done:,} / {total:,} 行…"
        sheets.append(workbook.worksheets[-1].title)
    yield total, total, "正在保存文件…"
    save_workbook(workbook, path)
    return ExportResult(path, total, sheets, table.masked and "id_number" in table.fields)


def export(kind: str, path: Path | str, **kwargs) -> ExportResult:
    """`export_steps` run to the end (for the command line and tests)."""
    gen = export_steps(kind, path, **kwargs)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value
