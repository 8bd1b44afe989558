"""Reading the cells of a sheet from `.xlsx`, `.xls`, `.csv` (and the HTML tables that
some systems save with an `.xls` name), whatever the file's name says.

The format is decided by the file's first bytes, not its extension: offices rename
files. Workbooks are read with python-calamine (fast for both `.xlsx` and `.xls`);
CSV is decoded as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or
GB18030 (a superset of GBK). A `RawSheet` keeps rows at their positions, so that
``rows[i]`` is Excel row ``i + 1``, plus the merged ranges.

Every failure is a `UsageError` (exit code 2) with a Chinese message saying what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from wanghu_desk.errors import UsageError

__all__ = ["LOCKED_MESSAGE", "RawSheet", "Workbook", "open_workbook"]

LOCKED_MESSAGE = "文件正被 Excel 等程序打开，请关闭后重试。"
SUPPORTED = "请选择 .xlsx、.xls 或 .csv 文件"

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawSheet:
    """One sheet's cells: ``rows[i][j]`` is Excel row ``i + 1``, column ``j + 1``."""

    name: str
    rows: list[list[Any]]
    #: ((first_row, first_col), (last_row, last_col)), 0-based and inclusive.
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


class Workbook:
    """A readable file: its sheet names, and each sheet's cells on demand."""

    def __init__(self, path: Path, fmt: str, sheet_names: list[str], loader):
        self.path = path
        self.format = fmt  # xlsx | xls | ods | csv | html
        self.sheet_names = sheet_names
        self._loader = loader

    def sheet(self, name: str) -> RawSheet:
        if name not in self.sheet_names:
            listed = "、".join(f"「{n}」" for n in self.sheet_names)
            raise UsageError(f"文件「{self.path.name}」中没有名为「{name}」的工作表。现有工作表：{listed}。")
        return self._loader(name)


def _read_head(path: Path, n: int = 4096) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except FileNotFoundError as exc:
        raise UsageError(f"找不到文件「{path}」。") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"「{path}」是一个文件夹，{SUPPORTED}。") from exc
    except PermissionError as exc:
        raise UsageError(f"无法读取「{path.name}」：{LOCKED_MESSAGE}") from exc
    except OSError as exc:
        raise UsageError(f"无法读取文件「{path.name}」。请确认文件存在并且可以打开。") from exc


def open_workbook(path: Path | str) -> Workbook:
    """Open `path` for reading; raises `UsageError` when it is not a sheet we can read."""
    path = Path(path)
    head = _read_head(path)
    if not head:
        raise UsageError(f"文件「{path.name}」是空的（0 字节）。{SUPPORTED}。")
    if head.startswith(_ZIP) or head.startswith(_OLE):
        return _open_calamine(path, "xls" if head.startswith(_OLE) else "xlsx")
    if _looks_like_html(head):
        return _open_html(path)
    if _looks_binary(head):
        raise UsageError(f"「{path.name}」不是 Excel 或 CSV 文件，无法读取。{SUPPORTED}。")
    return _open_csv(path)


# ---------------------------------------------------------------- workbooks


def _calamine_error(path: Path, exc: Exception) -> UsageError:
    import python_calamine as pc

    if isinstance(exc, pc.PasswordError):
        return UsageError(f"「{path.name}」设有密码保护。请在 Excel 中取消密码后另存，再导入。")
    return UsageError(f"无法读取「{path.name}」：不是有效的 Excel 文件，或文件已损坏。请用 Excel 打开后另存为 .xlsx 再试。")


def _open_calamine(path: Path, fmt: str) -> Workbook:
    import python_calamine as pc

    suffix = path.suffix.lower()
    matches = (fmt == "xlsx" and suffix in (".xlsx", ".xlsm", ".ods")) or (fmt == "xls" and suffix == ".xls")
    try:
        if matches:
            book = pc.CalamineWorkbook.from_path(str(path))
        else:  # a renamed file: let calamine look at the content
            with path.open("rb") as fh:
                book = pc.CalamineWorkbook.from_filelike(fh)
        metadata = {m.name: m for m in book.sheets_metadata}
        names = list(book.sheet_names)
    except PermissionError as exc:
        raise UsageError(f"无法读取「{path.name}」：{LOCKED_MESSAGE}") from exc
    except (pc.CalamineError, OSError, ValueError) as exc:
        raise _calamine_error(path, exc) from exc

    # Hidden sheets of official templates hold drop-down lists, chart sheets hold no cells.
    usable = [
        n for n in names
        if n not in metadata
        or (metadata[n].visible == pc.SheetVisibleEnum.Visible and metadata[n].typ == pc.SheetTypeEnum.WorkSheet)
    ]
    visible = usable or names

    def load(name: str) -> RawSheet:
        try:
            sheet = book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or [])
        except (pc.CalamineError, ValueError) as exc:
            raise _calamine_error(path, exc) from exc
        return RawSheet(name, rows, merged)

    return Workbook(path, fmt, visible, load)


# ---------------------------------------------------------------- CSV


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UsageError(f"无法识别「{path.name}」的文字编码。请在 Excel 中另存为「CSV UTF-8」或 .xlsx 后再导入。")


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_csv(path: Path) -> Workbook:
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise UsageError(f"无法读取「{path.name}」：{LOCKED_MESSAGE}") from exc
    text = _decode(data, path)
    delimiter = _delimiter(text)
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    name = path.stem or "Sheet1"
    sheet = RawSheet(name, rows)
    return Workbook(path, "csv", [name], lambda _name: sheet)


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(codecs.BOM_UTF8).lstrip()[:512].lower()
    return start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<head"))


# ---------------------------------------------------------------- HTML tables saved as .xls


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._row.extend([""] * (self._span - 1))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _open_html(path: Path) -> Workbook:
    data = path.read_bytes()
    lowered = data[:2048].lower()
    text = None
    if b"charset=gb" in lowered or b"charset=\"gb" in lowered:
        text = data.decode("gb18030", errors="replace")
    if text is None:
        text = _decode(data, path)
    parser = _TableParser()
    parser.feed(text)
    tables = [t for t in parser.tables if t]
    if not tables:
        raise UsageError(f"「{path.name}」里没有表格。{SUPPORTED}。")
    names = [path.stem if len(tables) == 1 else f"表{i + 1}" for i in range(len(tables))]
    sheets = {n: RawSheet(n, t) for n, t in zip(names, tables)}
    return Workbook(path, "html", names, lambda name: sheets[name])
