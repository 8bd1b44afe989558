"""Excel sheets that look like what offices print (SPEC §8), written in streaming mode.

`write_table_sheet(workbook, sheet_name, title, columns, rows)` writes one titled table:
a merged title row, a bold header row, frozen panes below it, column widths fitted to
Chinese text (a CJK character counts 2), ID numbers / phones / dates as **text** cells,
A4 landscape, the header row repeated on every printed page, fit to one page wide, and
the footer "第 N 页 共 M 页". Rosters, rating results (issue 5) and ledgers (issue 6)
all use it; give it headers and plain row values.

Workbooks are openpyxl write-only (streaming): 50,000 rows do not sit in memory as
cells. `save_workbook` turns "the file is open in Excel" into a clear message.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from wanghu_desk.errors import UserError

__all__ = [
    "LOCKED_MESSAGE",
    "SheetColumn",
    "display_width",
    "iter_write_table_sheet",
    "new_workbook",
    "safe_sheet_title",
    "save_workbook",
    "write_table_sheet",
]

LOCKED_MESSAGE = "文件正被 Excel 等程序打开，请关闭后重试。"
FONT_NAME = "宋体"
TITLE_FONT = Font(name="黑体", size=16, bold=True)
SUBTITLE_FONT = Font(name=FONT_NAME, size=10, color="555555")
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
ERROR_FILL = PatternFill("solid", fgColor="F8D7DA")
WARNING_FILL = PatternFill("solid", fgColor="FFF3CD")
TEXT_FORMAT = "@"
MIN_WIDTH, MAX_WIDTH = 6, 48

#: Characters Excel refuses in a cell (openpyxl raises on them).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class SheetColumn:
    """One column of an exported table. `kind`: ``text`` (free text, cleaned of characters
    Excel refuses), ``code`` (short text: names, labels), ``id``, ``phone`` and ``date``
    (always text cells, format "@"), ``int`` and ``number`` (numeric cells)."""

    header: str
    kind: str = "code"
    width: int | None = None  # in characters; None = fitted to the content


def new_workbook() -> Workbook:
    """A streaming workbook; add sheets with `write_table_sheet`, then `save_workbook`."""
    return Workbook(write_only=True)


def display_width(value: Any) -> int:
    """Width of a value in Excel character units: a CJK character counts 2."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    return len(text.encode("gbk", errors="replace"))


def safe_sheet_title(name: str, used: set[str] | None = None) -> str:
    """A valid, unique sheet title (at most 31 characters, none of []:*?/\\)."""
    title = _SHEET_TITLE_BAD.sub("_", name).strip("'") or "Sheet"
    title = title[:31]
    if used is not None:
        base, n = title, 2
        while title.lower() in {u.lower() for u in used}:
            suffix = f"({n})"
            title = base[: 31 - len(suffix)] + suffix
            n += 1
        used.add(title)
    return title


def _fitted_widths(columns: Sequence[SheetColumn], rows: Sequence[Sequence[Any]]) -> list[float]:
    widths = []
    for i, col in enumerate(columns):
        if col.width is not None:
            widths.append(col.width)
            continue
        best = display_width(col.header) + 2  # the header is bold
        longest = 0
        if col.kind == "date":
            longest = 10
        elif rows:
            values = [r[i] for r in rows]
            strings = [v for v in values if v and isinstance(v, str)]
            others = [v for v in values if v is not None and not isinstance(v, str)]
            if strings:
                # Longest by characters first (fast, in C), then measured only among the
                # values that could be the widest once CJK counts double.
                n = len(max(strings, key=len))
                longest = max(display_width(v) for v in strings if len(v) * 2 >= n)
            if others:
                longest = max(longest, max(display_width(_shown(v)) for v in others))
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, max(best, longest + 2))))
    return widths


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


def _cell(ws, value: Any, font=None, fill=None, border=None, alignment=None, number_format=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell


def iter_write_table_sheet(
    workbook: Workbook,
    sheet_name: str,
    title: str,
    columns: Sequence[SheetColumn],
    rows: Sequence[Sequence[Any]],
    *,
    subtitle: str | None = None,
    highlights: dict[tuple[int, int], str] | None = None,
    used_titles: set[str] | None = None,
    progress_every: int = 2000,
) -> Iterator[int]:
    """Write one titled table sheet, yielding the number of data rows written so far
    (every `progress_every` rows and at the end).

    `rows` hold plain values: str, int, float, `date` (written as "2026-09-30" text),
    bool (是/否) or None. `highlights` marks cells ``(row index, column index)`` with
    "error" (light red) or "warning" (light yellow).
    """
    ws = workbook.create_sheet(safe_sheet_title(sheet_name, used_titles))
    ncols = max(1, len(columns))
    last = get_column_letter(ncols)
    header_row = 3 if subtitle else 2

    for i, width in enumerate(_fitted_widths(columns, rows), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[header_row].height = 24
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True  # cell borders for every data cell would double the writing time
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 9

    ws.append([_cell(ws, title, font=TITLE_FONT,
                     alignment=Alignment(horizontal="center", vertical="center"))])
    ws.merged_cells.add(f"A1:{last}1")
    if subtitle:
        ws.append([_cell(ws, subtitle, font=SUBTITLE_FONT, alignment=Alignment(horizontal="left"))])
        ws.merged_cells.add(f"A2:{last}2")
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append([_cell(ws, c.header, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=centered)
               for c in columns])

    # One shared style per text column kind: a cell with a style costs an object, so only
    # the columns that must be text in Excel get one (the rest are plain values).
    text_style = _cell(ws, "x", number_format=TEXT_FORMAT)._style
    fills = {
        "error": _cell(ws, "x", fill=ERROR_FILL)._style,
        "warning": _cell(ws, "x", fill=WARNING_FILL)._style,
        ("error", "@"): _cell(ws, "x", fill=ERROR_FILL, number_format=TEXT_FORMAT)._style,
        ("warning", "@"): _cell(ws, "x", fill=WARNING_FILL, number_format=TEXT_FORMAT)._style,
    }
    kinds = [c.kind for c in columns]
    as_text = [k in ("id", "phone", "date") for k in kinds]
    free_text = [k == "text" for k in kinds]
    total = len(rows)
    for r, values in enumerate(rows):
        out: list[Any] = []
        for c, value in enumerate(values):
            if value is None or value == "":
                out.append(None)
                continue
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()[:10]
            elif free_text[c] and isinstance(value, str) and _ILLEGAL.search(value):
                value = _ILLEGAL.sub("", value)
            level = highlights.get((r, c)) if highlights else None
            if as_text[c] or level or (isinstance(value, str) and value.startswith("=")):
                cell = WriteOnlyCell(ws, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                if level:
                    cell._style = fills[(level, "@")] if as_text[c] else fills[level]
                elif as_text[c]:
                    cell._style = text_style
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
        if progress_every and (r + 1) % progress_every == 0:
            yield r + 1
    yield total


def write_table_sheet(
    workbook: Workbook,
    sheet_name: str,
    title: str,
    columns: Sequence[SheetColumn],
    rows: Sequence[Sequence[Any]],
    **kwargs: Any,
) -> int:
    """`iter_write_table_sheet` without progress; returns the number of data rows."""
    written = 0
    for count in iter_write_table_sheet(workbook, sheet_name, title, columns, rows, **kwargs):
        written = count
    return written


def save_workbook(workbook: Workbook, path: Path | str, on_saved: Callable[[Path], None] | None = None) -> Path:
    """Save to `path` through a temporary file, so that a failed save leaves no half file.
    A file held open by Excel gives a `UserError` saying to close it."""
    path = Path(path)
    if not workbook.worksheets:
        workbook.create_sheet("Sheet1")
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        workbook.save(str(tmp))
    except PermissionError as exc:  # the folder itself refuses new files
        _remove(tmp)
        raise UserError(f"无法在文件夹「{path.parent}」中保存文件（没有写入权限）。请换一个位置，如“文档”或桌面。") from exc
    except OSError as exc:
        _remove(tmp)
        if exc.errno == errno.ENOSPC:
            raise UserError(f"磁盘空间已满，「{path.name}」没有保存。请清理磁盘或换一个位置后重试。") from exc
        raise UserError(f"无法保存「{path}」。请确认文件夹存在、有写入权限、磁盘有空间。") from exc
    try:
        os.replace(tmp, path)
    except PermissionError as exc:  # Windows: the old file is open in Excel (or read-only)
        _remove(tmp)
        raise UserError(f"无法保存「{path.name}」：{LOCKED_MESSAGE}") from exc
    except OSError as exc:
        _remove(tmp)
        raise UserError(f"无法保存「{path}」。请确认文件夹存在、有写入权限、磁盘有空间。") from exc
    if on_saved is not None:
        on_saved(path)
    return path


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
