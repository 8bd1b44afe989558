"""Reading the cells of a sheet from `.xlsx`, `.xls`, `.csv` (and the HTML tables that
some systems save with an `.xls` name), whatever the file's name says.

The format is decided by the file's first bytes, not its extension: offices rename
files. Workbooks are read with python-calamine (fast for both `.xlsx` and `.xls`);
CSV is decoded as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or
GB18030 (a superset of GBK). A `RawSheet` keeps rows at their positions, so that
``rows[i]`` is Excel row ``i + 1``, plus the merged ranges.

Every failure is a `UsageError` (exit code 2) with a Chinese message saying what to do.

Hostile or broken files end in bounded time and memory, before the expensive work: a
workbook whose parts inflate beyond `MAX_UNCOMPRESSED_BYTES` (a zip bomb) is refused from
the zip directory alone; a sheet wider than `MAX_COLUMNS` or larger than `MAX_CELLS` is
refused from its dimensions before a cell is read; a cell longer than Excel's own limit
(`MAX_CELL_CHARS`) is refused with its position; a CSV with NUL bytes says so.
"""

from __future__ import annotations

import codecs
import csv
import io
import multiprocessing
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.parsers import expat

from wanghu_desk.errors import UsageError

__all__ = ["LOCKED_MESSAGE", "RawSheet", "Workbook", "open_workbook"]

LOCKED_MESSAGE = "文件正被 Excel 等程序打开，请关闭后重试。"
SUPPORTED = "请选择 .xlsx、.xls 或 .csv 文件"

#: A workbook's parts may inflate to at most this much (a 100,000-member roster is ~0.1 GB).
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
#: Columns an import sheet may use (SPEC rosters have about 20; old .xls stopped at 256).
MAX_COLUMNS = 1024
#: Cells (rows × columns of the used range) a sheet may have: 200,000 rows × 20 columns.
#: calamine holds 32 bytes a cell, Python's rows a little more.
MAX_CELLS = 4_000_000
#: Excel itself stores at most 32,767 characters in a cell.
MAX_CELL_CHARS = 32_767

_ZIP = b"PK\x03\x04"
#: What reading a damaged zip can raise (a bad CRC, a bad deflate stream, an entry
#: compressed with a method zipfile lacks, an entry encrypted with a zip password).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, KeyError)
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
        self._cache: dict[str, RawSheet] = {}
        #: False when a scan of the file showed no text long enough to pass Excel's cell limit.
        self.long_text_possible = True

    def sheet(self, name: str) -> RawSheet:
        if name not in self.sheet_names:
            listed = "、".join(f"「{n}」" for n in self.sheet_names)
            raise UsageError(f"文件「{self.path.name}」中没有名为「{name}」的工作表。现有工作表：{listed}。")
        cached = self._cache.get(name)
        if cached is None:
            cached = self._loader(name)
            if self.long_text_possible:
                _check_cell_lengths(self.path, cached)
            self._cache = {name: cached}  # the last sheet only: a second look costs nothing
        return cached


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


def _is_encrypted_package(path: Path) -> bool:
    """An .xlsx saved with a password is an OLE container with an ``EncryptedPackage``
    stream; its directory names are UTF-16."""
    marker = "EncryptedPackage".encode("utf-16-le")
    try:
        with path.open("rb") as fh:
            if fh.read(8) != _OLE:
                return False
            fh.seek(0)
            return marker in fh.read(64 << 20)
    except OSError:
        return False


def _calamine_error(path: Path, exc: Exception) -> UsageError:
    import python_calamine as pc

    if isinstance(exc, pc.PasswordError) or _is_encrypted_package(path):
        return UsageError(f"「{path.name}」设有密码保护。请在 Excel 中取消密码后另存，再导入。")
    return UsageError(f"无法读取「{path.name}」：不是有效的 Excel 文件，或文件已损坏。请用 Excel 打开后另存为 .xlsx 再试。")


def _column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _check_cell_lengths(path: Path, sheet: RawSheet) -> None:
    limit = MAX_CELL_CHARS
    for i, row in enumerate(sheet.rows):
        for j, value in enumerate(row):
            if type(value) is str and len(value) > limit:
                raise UsageError(
                    f"「{path.name}」工作表「{sheet.name}」的 {_column_letters(j + 1)}{i + 1} 单元格有 {len(value):,} 个字符，"
                    f"超过了 Excel 单元格的上限（{limit:,} 个字符），文件可能已损坏或被改动过。请检查该单元格后再导入。"
                )


def _check_dimensions(path: Path, name: str, height: int, width: int) -> None:
    if width > MAX_COLUMNS:
        raise UsageError(
            f"「{path.name}」工作表「{name}」用到了第 {width:,} 列（{_column_letters(width)} 列），超过导入支持的 {MAX_COLUMNS:,} 列。"
            "请在 Excel 中删除右侧多余的列（或把内容复制到新工作表）后再导入。"
        )
    if height * width > MAX_CELLS:
        raise UsageError(
            f"「{path.name}」工作表「{name}」有 {height:,} 行 × {width:,} 列，超过一次导入支持的 {MAX_CELLS:,} 个单元格。"
            "请删除多余的行和列，或分成几个文件导入。"
        )


def _check_xlsx(path: Path) -> bool:
    """Refuse, before calamine sees it, a workbook that would exhaust memory: parts that
    inflate beyond `MAX_UNCOMPRESSED_BYTES` (from the zip directory alone), or a sheet
    whose cells lie so far apart that the dense grid calamine builds would not fit
    (one cell in A1 and one in XFD1048576 asks for 512 GB and aborts the process).

    Returns whether some text in the sheets or shared strings runs past `MAX_CELL_CHARS`
    bytes, so that only then are the cells measured one by one (in characters)."""
    long_text = False
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS:
        return True  # not a readable zip: calamine gives the damaged-file message
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise UsageError(
                f"「{path.name}」解压后有 {total / 1024 ** 3:,.1f} GB，远超正常表格（上限 {MAX_UNCOMPRESSED_BYTES / 1024 ** 3:.0f} GB），"
                "可能是损坏或恶意构造的文件，已拒绝读取。请向发送方索取正常的表格。"
            )
        names = _sheet_names_by_part(archive)
        for info in infos:
            part = info.filename.lower()
            if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                try:
                    height, width, long = _sheet_extent(archive, info)
                except (*_ZIP_ERRORS, expat.ExpatError):
                    long_text = True
                    continue  # calamine gives the damaged-file message
                long_text = long_text or long
                _check_dimensions(path, names.get(part, Path(info.filename).stem), height, width)
            elif part == "xl/sharedstrings.xml":
                try:
                    long_text = long_text or _has_long_text(archive, info)
                except (*_ZIP_ERRORS,):
                    long_text = True
    return long_text


def _has_long_text(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(8 << 20):
            chunk = tail + chunk
            if _long_text_in(chunk):
                return True
            tail = chunk[max(chunk.rfind(b">"), 0):]
    return False


_SHEET_TAG = re.compile(rb'<(?:\w+:)?sheet\b[^>]*>')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _sheet_names_by_part(archive: zipfile.ZipFile) -> dict[str, str]:
    """{'xl/worksheets/sheet1.xml': '党员名册', …} from the workbook and its relationships
    (small parts); empty where they cannot be read."""
    from html import unescape

    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except _ZIP_ERRORS:
        return {}
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace").lstrip("/")
        if not target.startswith("xl/"):
            target = "xl/" + target
        targets[attrs.get(b"Id", b"")] = target.lower()
    names = {}
    for tag in _SHEET_TAG.findall(workbook):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR.findall(tag)}
        part = targets.get(attrs.get(b"id", b""))
        if part:
            names[part] = unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
    return names


#: A cell without an ``r="A1"`` reference first, or with a two-letter column: either sends
#: the sheet to the exact measurement.
_UNUSUAL_CELL = re.compile(rb'<c(?:[>/]| (?!r=")| r="[A-Z]{2})')
#: Text of more bytes than Excel's characters per cell (a prefilter: UTF-8 and entities
#: take more bytes than characters, so the cells are then measured in characters).
_LONG_TEXT = re.compile(rb">[^<]{%d}" % (MAX_CELL_CHARS + 1))
#: Every slice of this many bytes holding a "<" means no run without one reaches
#: `MAX_CELL_CHARS` + 1 bytes (two such slices side by side are shorter than that).
_TAG_EVERY = (MAX_CELL_CHARS + 1) // 2


def _long_text_in(chunk: bytes) -> bool:
    """Whether `_LONG_TEXT` matches in `chunk`: a few thousand `find`s for "<" (a byte
    search) settle it for an ordinary sheet; the regex runs only where a slice lacks one."""
    find = chunk.find
    step = _TAG_EVERY
    for start in range(0, len(chunk), step):
        if find(b"<", start, start + step) < 0:
            return _LONG_TEXT.search(chunk) is not None
    return False
_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')


def _sheet_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int, bool]:
    """(last row, last column) holding a value in a sheet part, 1-based, as calamine will
    see them (cells with a format but no value take no room: a sheet formatted down to
    row 1,048,576 is fine), and whether it holds text longer than `MAX_CELL_CHARS` bytes.

    The fast path reads the decompressed part once with C-speed searches: a sheet written
    by Excel, WPS, LibreOffice or openpyxl gives every cell an ``r="A1"`` reference first
    and rows in order, so at most 26 columns unless a two-letter reference appears, and the
    row of the last value is the last ``<row r=…>`` before it. Anything else (cells
    without references, wider sheets) is measured exactly by an XML parse."""
    unusual = False
    long_text = False
    last_row = 0  # the row open at the end of what was read so far
    last_value_row = 0
    tail = b""
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(8 << 20)
            if not chunk:
                break
            chunk = tail + chunk
            if not unusual and _UNUSUAL_CELL.search(chunk):
                unusual = True
            if not long_text and _long_text_in(chunk):
                long_text = True
            value = max(chunk.rfind(b"<v>"), chunk.rfind(b"<v "), chunk.rfind(b"<is>"))
            if value >= 0:
                found = _ROW_NUMBER.match(chunk, chunk.rfind(b"<row r=", 0, value))
                last_value_row = max(last_value_row, int(found.group(1)) if found else last_row)
            opened = _ROW_NUMBER.match(chunk, chunk.rfind(b"<row r="))
            if opened:
                last_row = int(opened.group(1))
            tail = chunk[min(max(chunk.rfind(b">"), 0), len(chunk) - 16):]
    if not unusual:
        return last_value_row, 26, long_text
    rows, cols = _sheet_extent_exact(archive, info)
    return rows, cols, long_text


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")


def _sheet_extent_exact(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    state = {"row": 0, "col": 0, "rows": 0, "cols": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local == "row":
            given = attrs.get("r", "")
            state["row"] = int(given) if given.isdigit() else state["row"] + 1
            state["col"] = 0
        elif local == "c":
            found = _REF.fullmatch(attrs.get("r", ""))
            if found:
                state["col"] = _column_number(found.group(1).upper())
                state["row"] = int(found.group(2))
            else:
                state["col"] += 1
        elif local in ("v", "is"):  # the cell holds a value
            state["rows"] = max(state["rows"], state["row"])
            state["cols"] = max(state["cols"], state["col"])

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(1 << 20)
            parser.Parse(chunk, not chunk)
            if not chunk:
                break
    return state["rows"], state["cols"]


def _panic_or(exc: BaseException, path: Path) -> BaseException:
    """A damaged file can make calamine's Rust code panic (a truncated .xls: "slice index
    starts at 4096 but ends at 3735"); pyo3 raises that as `PanicException`, which derives
    from `BaseException`. That is a damaged file to the clerk; anything else goes on."""
    if type(exc).__name__ == "PanicException":
        return _calamine_error(path, exc)
    return exc


#: Seconds a child process may take to read an .xls before the file counts as damaged.
XLS_PROBE_SECONDS = 60


def _calamine_book(path: Path, fmt: str):
    """calamine's workbook, opened the way its content asks (a renamed file by content)."""
    import python_calamine as pc

    suffix = path.suffix.lower()
    matches = (fmt == "xlsx" and suffix in (".xlsx", ".xlsm", ".ods")) or (fmt == "xls" and suffix == ".xls")
    if matches:
        return pc.CalamineWorkbook.from_path(str(path))
    with path.open("rb") as fh:
        return pc.CalamineWorkbook.from_filelike(fh)


def _probe_xls(path: str) -> None:
    """Read every sheet of an .xls in a child process, exactly as the parent will (see
    `_xls_survives`)."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # Rust's panic backtrace is not for the clerk
    try:
        book = _calamine_book(Path(path), "xls")
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except BaseException:  # noqa: BLE001 - the real read reports Python-level errors
        pass


def _xls_survives(path: Path) -> bool:
    """Whether calamine can read this .xls without taking the process down.

    A damaged BIFF/OLE file can make calamine ask for hundreds of gigabytes at once (seen
    with fuzzed headers: "memory allocation of 343597375920 bytes failed"), and Rust aborts
    the process on a failed allocation: no exception to catch. Old .xls files are small
    (65,536 rows at most), so reading one first in a child process costs a fraction of a
    second and turns an abort into a clear message. (.xlsx is checked up front instead:
    see `_check_xlsx`.)"""
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=_probe_xls, args=(str(path),), daemon=True)
    child.start()
    child.join(XLS_PROBE_SECONDS)
    if child.is_alive():
        child.kill()
        child.join()
        return False
    return child.exitcode == 0


def _open_calamine(path: Path, fmt: str) -> Workbook:
    import python_calamine as pc

    long_text = True
    if fmt == "xlsx":
        long_text = _check_xlsx(path)
    elif not _is_encrypted_package(path) and not _xls_survives(path):
        raise _calamine_error(path, RuntimeError("the reader gave up"))
    try:
        book = _calamine_book(path, fmt)
        metadata = {m.name: m for m in book.sheets_metadata}
        names = list(book.sheet_names)
    except PermissionError as exc:
        raise UsageError(f"无法读取「{path.name}」：{LOCKED_MESSAGE}") from exc
    except (pc.CalamineError, OSError, ValueError) as exc:
        raise _calamine_error(path, exc) from exc
    except BaseException as exc:
        raise _panic_or(exc, path) from exc

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
            _check_dimensions(path, name, sheet.total_height + 1, sheet.total_width + 1)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or [])
        except (pc.CalamineError, ValueError) as exc:
            raise _calamine_error(path, exc) from exc
        except BaseException as exc:
            raise _panic_or(exc, path) from exc
        return RawSheet(name, rows, merged)

    workbook = Workbook(path, fmt, visible, load)
    workbook.long_text_possible = long_text
    return workbook


# ---------------------------------------------------------------- CSV


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when `head` looks like UTF-16 text saved without a BOM
    (NUL in every other byte for ASCII, no NUL pairs), else None."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    for encoding, nuls, other in (("utf-16-le", odd_nuls, even_nuls), ("utf-16-be", even_nuls, odd_nuls)):
        if other == 0 and nuls >= half // 4:
            try:
                sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    bare_utf16 = _utf16_without_bom(data[:4096])
    if bare_utf16:
        return data.decode(bare_utf16, errors="replace")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise UsageError(
            f"「{path.name}」第 {line} 行含有空字符（NUL），不是正常的文本文件，可能已损坏。"
            "请用 Excel 或记事本打开后另存为「CSV UTF-8」或 .xlsx 再导入。"
        )
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
    """Binary, not text: control bytes other than whitespace in more than a few places.
    UTF-16 text (with or without BOM) and text with a stray NUL are text; `_decode` deals
    with them."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
        return False
    if any(b < 9 and b != 0 or 13 < b < 32 and b != 26 for b in head):
        return True  # control characters no text file holds
    return head.count(0) > max(2, len(head) // 100)


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
