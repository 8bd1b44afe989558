"""Where the table is in a sheet: the header row below title and note rows, the column
of every known field, and the data rows (without blank, note, footer and repeated
header rows). Pure functions over a `RawSheet`; nothing here touches the database.

Merged cells: a merged header cell counts for every column and row it covers (a
"姓名" merged over two header rows, a group header "联系方式" over two columns); in the
data area a cell merged down a column (a branch name merged over its members) is
copied to every row it covers. A one-cell row that spans the sheet ("填表人：张三")
or starts like a footer is not data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reports.columns import Column, HeaderIndex
from reports.readers import RawSheet
from wanghu_desk.validation import clean_text

__all__ = ["DataRow", "SheetLayout", "data_rows", "detect_layout", "display_value"]

#: How far down a header may be (title, notes, a blank line or two …).
HEADER_SEARCH_ROWS = 50
MIN_HEADER_MATCHES = 2

_FOOTER = re.compile(
    r"^(填表人|填报人|审核人|制表人|负责人|单位负责人|统计人|经办人|联系人|填表日期|填报日期|制表日期|"
    r"注[:：]|注\d|说明[:：]|备注[:：]|合计|总计|小计|共计|以上|本表)"
)


@dataclass
class SheetLayout:
    sheet: str
    header_row: int  # Excel row number of the (last) header row
    first_data_index: int  # 0-based index of the first row below the header
    columns: dict[int, Column]  # 0-based column index -> known column
    headers: dict[int, str]  # 0-based column index -> header text as written
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str, Column]] = field(default_factory=list)

    def column_of(self, field_name: str) -> int | None:
        for index, col in self.columns.items():
            if col.field == field_name:
                return index
        return None

    def header_of(self, field_name: str) -> str | None:
        index = self.column_of(field_name)
        return None if index is None else self.headers.get(index)


@dataclass
class DataRow:
    row: int  # Excel row number
    cells: list[Any]


def display_value(value: Any) -> str | None:
    """A cell as the clerk saw it: dates ISO, whole numbers without ".0"; ``None`` when
    the cell is empty."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 1e20:  # an ID stored as a number shows its lost 000
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text.replace("T", " ")
    return str(value)


def _cell(rows: list[list[Any]], r: int, c: int) -> Any:
    row = rows[r] if r < len(rows) else ()
    return row[c] if c < len(row) else None


def _header_fill(sheet: RawSheet, limit: int) -> dict[tuple[int, int], Any]:
    """Values of merged header cells at every position they cover (rows < limit)."""
    fill: dict[tuple[int, int], Any] = {}
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= limit:
            continue
        value = _cell(sheet.rows, r0, c0)
        if clean_text(value) is None:
            continue
        for r in range(r0, min(r1, limit - 1) + 1):
            for c in range(c0, c1 + 1):
                fill[(r, c)] = value
    return fill


def _header_cell(sheet: RawSheet, fill: dict, r: int, c: int) -> Any:
    value = _cell(sheet.rows, r, c)
    if clean_text(value) is None:
        value = fill.get((r, c), value)
    return value


def detect_layout(sheet: RawSheet, index: HeaderIndex) -> SheetLayout | None:
    """The header and columns of `sheet`, or ``None`` when no row looks like a header of
    this roster kind (fewer than two known column names, or none of its key columns)."""
    limit = min(len(sheet.rows), HEADER_SEARCH_ROWS)
    fill = _header_fill(sheet, limit)
    required = {col.field for col in index.columns if col.required}
    best_row, best_score = -1, 0
    for r in range(limit):
        width = max(len(sheet.rows[r]), max((c for (rr, c) in fill if rr == r), default=-1) + 1)
        fields = set()
        for c in range(width):
            col = index.match(_header_cell(sheet, fill, r, c))
            if col is not None:
                fields.add(col.field)
        # A header names at least one key column of this kind ("联系电话" and "备注"
        # alone do not make a member list a branch list).
        if len(fields) > best_score and fields & required:
            best_row, best_score = r, len(fields)
    if best_score < MIN_HEADER_MATCHES:
        return None

    r0 = best_row
    width = max(len(sheet.rows[r0]), max((c for (rr, c) in fill if rr == r0), default=-1) + 1)
    # A header cell merged down over several rows: the data starts below its last row.
    last_header = r0
    for (top, c0), (bottom, _c1) in sheet.merged:
        if top <= r0 <= bottom and c0 < width:
            last_header = max(last_header, bottom)

    layout = SheetLayout(sheet=sheet.name, header_row=r0 + 1, first_data_index=last_header + 1,
                         columns={}, headers={})
    taken: dict[str, int] = {}
    for c in range(width):
        raw = _header_cell(sheet, fill, r0, c)
        text = clean_text(raw)
        if text is None:
            continue
        layout.headers[c] = text
        col = index.match(raw)
        if col is None:
            if not index.is_ignored(raw):
                layout.unknown.append((c, text))
            continue
        if col.field in taken:
            layout.duplicates.append((c, text, col))
            continue
        taken[col.field] = c
        layout.columns[c] = col
    return layout


def data_rows(sheet: RawSheet, layout: SheetLayout, index: HeaderIndex) -> list[DataRow]:
    """The rows below the header that hold data, with cells merged down a column copied
    to every row they cover."""
    rows = sheet.rows
    start = layout.first_data_index
    # Cells merged down one column inside the data area.
    down: dict[int, list[tuple[int, Any]]] = {}
    spanning: set[int] = set()  # rows holding one merged cell over several columns
    for (r0, c0), (r1, c1) in sheet.merged:
        if r1 < start:
            continue
        if c0 == c1 and r1 > r0:
            value = _cell(rows, r0, c0)
            for r in range(max(r0, start), r1 + 1):
                down.setdefault(r, []).append((c0, value))
        elif r0 == r1 and c1 > c0:
            spanning.add(r0)

    known = set(layout.columns)
    ignored = {c for c in layout.headers if c not in known and index.is_ignored(layout.headers[c])}
    header_text = {c: layout.headers[c] for c in known}
    first_known = min(known) if known else 0
    out: list[DataRow] = []
    for r in range(start, len(rows)):
        cells = list(rows[r])
        for c, value in down.get(r, ()):
            while len(cells) <= c:
                cells.append(None)
            if clean_text(cells[c]) is None:
                cells[c] = value
        if len(cells) - cells.count("") - cells.count(None) <= 3:  # only short rows need a closer look
            filled = [c for c, v in enumerate(cells) if v is not None and v != "" and clean_text(v) is not None]
            if not filled:
                continue
            if all(c in ignored for c in filled):
                continue  # a numbered blank line of a template
            if len(filled) == 1:
                text = clean_text(cells[filled[0]]) or ""
                if r in spanning or _FOOTER.match(text):
                    continue
        probe = cells[first_known] if known and first_known < len(cells) else None
        if isinstance(probe, str) and probe.strip() == header_text[first_known]:
            repeats = sum(1 for c in known if c < len(cells) and isinstance(cells[c], str)
                          and cells[c].strip() == header_text[c])
            if repeats * 2 >= len(known) and repeats >= MIN_HEADER_MATCHES:
                continue  # the header repeated (one block per branch, page breaks)
        out.append(DataRow(r + 1, cells))
    return out
