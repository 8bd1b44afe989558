"""Hostile and broken files: every one ends in a clear Chinese `UsageError` (or a normal
preview) in bounded time and memory, and a rejected file writes nothing.

The workbooks are written part by part with `zipfile`, so a test can make what no
spreadsheet program would (a cell in XFD1048576, a part that inflates to gigabytes)
without spending the memory itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Branch, Community, Member, db
from reports import importing, readers
from wanghu_desk.errors import UsageError
from wanghu_desk.validation import id_check_char

TODAY = dt.date(2026, 11, 22)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="党员名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = "</sheetData></worksheet>"


def make_id(birth: str, seq: str = "123") -> str:
    first17 = f"340104{birth}{seq}"
    return first17 + id_check_char(first17)


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = ('<row r="1">' + text_cell("A1", "姓名") + text_cell("B1", "公民身份号码") + text_cell("C1", "所在党支部")
              + "</row>")


def member_row(r: int, name: str = "张三", id_number: str | None = None) -> str:
    return (f'<row r="{r}">' + text_cell(f"A{r}", name) + text_cell(f"B{r}", id_number or make_id("19800101"))
            + text_cell(f"C{r}", "银杏苑小区党支部") + "</row>")


def write_book(path: Path, *sheet_chunks: str | bytes) -> Path:
    """A one-sheet workbook whose sheet part is the given chunks, streamed into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in (_SHEET_HEAD, *sheet_chunks, _SHEET_TAIL):
                part.write(chunk.encode() if isinstance(chunk, str) else chunk)
    return path


def fingerprint(path: Path) -> str:
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def branch_db(fresh_db):
    community = Community.create(name="望湖社区")
    Branch.create(name="银杏苑小区党支部", category="estate", community=community, sort_order=1)
    return fresh_db


def refused(path: Path, handle, match: str) -> UsageError:
    before = fingerprint(handle.path)
    with pytest.raises(UsageError, match=match) as caught:
        importing.run(path, "members", today=TODAY)
    assert fingerprint(handle.path) == before
    assert Member.select().count() == 0
    return caught.value


# ---------------------------------------------------------------- each kind of hostile file


def test_random_bytes(branch_db, tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(random.Random(7).randbytes(20_000))
    refused(path, branch_db, "不是 Excel 或 CSV 文件")


def test_a_zip_that_is_not_a_workbook(branch_db, tmp_path):
    path = tmp_path / "名单.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "这不是表格")
    refused(path, branch_db, "不是有效的 Excel 文件")


def test_a_truncated_workbook(branch_db, tmp_path):
    good = write_book(tmp_path / "好.xlsx", HEADER_ROW, member_row(2))
    path = tmp_path / "名单.xlsx"
    path.write_bytes(good.read_bytes()[:300])
    refused(path, branch_db, "不是有效的 Excel 文件|不是 Excel 或 CSV")


def test_a_million_formatted_empty_rows_are_no_rows(branch_db, tmp_path):
    """Formatting a whole column in Excel writes styled cells with no value down to the
    last row; they take no room and the real rows import."""
    empty = "".join(f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/></row>' for r in range(3, 200_003))
    path = write_book(tmp_path / "名单.xlsx", HEADER_ROW, member_row(2), empty)
    outcome = importing.run(path, "members", today=TODAY)
    assert outcome.committed and outcome.inserted == 1


def test_sixteen_thousand_columns_are_refused_before_reading(branch_db, tmp_path):
    rows = "".join(f'<row r="{r}">{text_cell(f"A{r}", "张三")}<c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 500))
    error = refused(write_book(tmp_path / "名单.xlsx", HEADER_ROW, rows), branch_db, "16,384 列")
    assert "「党员名册」" in str(error) and "XFD" in str(error)


def test_two_distant_cells_cannot_make_a_512_gb_grid(branch_db, tmp_path):
    """A1 and XFD1048576 alone would make calamine allocate 512 GB and abort the process."""
    path = write_book(tmp_path / "名单.xlsx", HEADER_ROW, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    refused(path, branch_db, "超过导入支持的 1,024 列")


def test_cells_without_references_are_measured_exactly(branch_db, tmp_path):
    wide_row = '<row r="2">' + "<c><v>1</v></c>" * 2000 + "</row>"
    refused(write_book(tmp_path / "名单.xlsx", HEADER_ROW, wide_row), branch_db, "2,000 列")


def test_too_many_cells_in_all(branch_db, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_CELLS", 30)
    rows = "".join(member_row(r, id_number=make_id("19800101", f"{r:03d}")) for r in range(2, 20))
    refused(write_book(tmp_path / "名单.xlsx", HEADER_ROW, rows), branch_db, "19 行 × 26 列")


def test_a_ten_megabyte_cell(branch_db, tmp_path):
    path = write_book(tmp_path / "名单.xlsx", HEADER_ROW, member_row(2, name="张" * (10 * 1024 * 1024 // 3)))
    error = refused(path, branch_db, "A2 单元格")
    assert "32,767" in str(error)


def test_long_text_in_the_shared_strings_part_is_seen(tmp_path):
    """Excel keeps text in the shared-strings part; a run past the limit there sends the
    sheets to the exact measurement, a short one does not."""
    for text, expected in (("注" * 12_000, True), ("注" * 100, False)):
        path = write_book(tmp_path / "名单.xlsx", HEADER_ROW, member_row(2))
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("xl/sharedStrings.xml", f'<sst><si><t>{text}</t></si></sst>')
        assert readers._check_xlsx(path) is expected


def test_long_bytes_but_few_characters_are_fine(branch_db, tmp_path):
    """33,000 bytes of &amp; entities are 6,600 characters: measured in characters, imported."""
    note = "&amp;" * 6_600
    path = write_book(tmp_path / "名单.xlsx", '<row r="1">' + text_cell("A1", "姓名") + text_cell("B1", "公民身份号码")
                      + text_cell("C1", "所在党支部") + text_cell("D1", "备注") + "</row>",
                      f'<row r="2">{text_cell("A2", "张三")}{text_cell("B2", make_id("19800101"))}'
                      f'{text_cell("C2", "银杏苑小区党支部")}{text_cell("D2", note)}</row>')
    assert readers.open_workbook(path).long_text_possible
    outcome = importing.run(path, "members", today=TODAY)
    assert outcome.committed and Member.get().note == "&" * 6_600


def test_a_cell_at_excels_own_limit_is_fine():
    sheet = readers.RawSheet("表", [["张" * readers.MAX_CELL_CHARS]])
    readers._check_cell_lengths(Path("a.xlsx"), sheet)


def test_a_zip_bomb_is_refused_from_its_directory(branch_db, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED_BYTES", 4 * 1024 * 1024)
    padding = b" " * (1024 * 1024)
    path = write_book(tmp_path / "名单.xlsx", HEADER_ROW, '<row r="2"><c r="A2" t="inlineStr"><is><t>',
                      *([padding] * 6), "</t></is></c></row>")
    assert path.stat().st_size < 100_000  # six megabytes inflate from a few kilobytes
    refused(path, branch_db, "解压后有")


def test_formulas_in_the_id_column(branch_db, tmp_path):
    """A formula with a cached result is read as that result (what Excel shows); one saved
    without a result is an empty cell, reported per row, and nothing is written."""
    cached = make_id("19800101", "111")
    rows = (
        f'<row r="2">{text_cell("A2", "张三")}<c r="B2" t="str"><f>"{cached[:9]}"&amp;"{cached[9:]}"</f>'
        f'<v>{cached}</v></c>{text_cell("C2", "银杏苑小区党支部")}</row>'
        f'<row r="3">{text_cell("A3", "李四")}<c r="B3"><f>A3&amp;"X"</f></c>{text_cell("C3", "银杏苑小区党支部")}</row>'
    )
    path = write_book(tmp_path / "名单.xlsx", HEADER_ROW, rows)
    preview = importing.preview(path, "members", today=TODAY)
    assert [p.row for p in preview.errors] == [3]
    before = fingerprint(branch_db.path)
    outcome = importing.run(path, "members", today=TODAY)
    assert not outcome.committed and fingerprint(branch_db.path) == before


def test_an_encrypted_workbook(branch_db, tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = tmp_path / "明文.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["姓名", "公民身份号码", "所在党支部"])
    book.active.append(["张三", make_id("19800101"), "银杏苑小区党支部"])
    book.save(plain)
    path = tmp_path / "名单.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        msoffcrypto.OOXMLFile(source).encrypt("123456", target)
    refused(path, branch_db, "密码保护")


def test_an_xls_that_makes_calamine_abort_the_process(branch_db, tmp_path):
    """A fuzzed .xls whose header makes calamine ask for 343 GB: Rust aborts on a failed
    allocation, so the file is read first in a child process; here the clerk gets the
    damaged-file message and the program lives on."""
    source = Path(__file__).parent / "data" / "calamine_abort.xls"
    for name in ("名单.xls", "名单.xlsx"):  # renamed files are read by content, the same way in both processes
        path = tmp_path / name
        path.write_bytes(source.read_bytes())
        refused(path, branch_db, "不是有效的 Excel 文件，或文件已损坏")


def test_utf16_csv_without_bom_is_read(branch_db, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes(f"姓名,公民身份号码,所在党支部\n张三,{make_id('19800101')},银杏苑小区党支部\n".encode("utf-16-le"))
    outcome = importing.run(path, "members", today=TODAY)
    assert outcome.committed and outcome.inserted == 1


def test_nul_bytes_in_a_csv_name_their_line(branch_db, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes(f"姓名,公民身份号码,所在党支部\n张\x00三,{make_id('19800101')},银杏苑小区党支部\n".encode())
    refused(path, branch_db, "第 2 行含有空字符")


def test_a_sheet_is_read_once_however_often_it_is_asked_for(tmp_path, monkeypatch):
    path = write_book(tmp_path / "名单.xlsx", HEADER_ROW, member_row(2))
    book = readers.open_workbook(path)
    calls = []
    loader = book._loader
    monkeypatch.setattr(book, "_loader", lambda name: calls.append(name) or loader(name))
    assert book.sheet("党员名册") is book.sheet("党员名册")
    assert calls == ["党员名册"]


# ---------------------------------------------------------------- fuzz


def _valid_book_bytes() -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "公民身份号码", "所在党支部", "入党日期"])
    for i in range(5):
        sheet.append([f"党员{i}", make_id("19800101", f"{i:03d}"), "银杏苑小区党支部", "2005-07-01"])
    book.save(buffer)
    return buffer.getvalue()


VALID_BOOK = _valid_book_bytes()


@st.composite
def hostile_bytes(draw) -> bytes:
    kind = draw(st.sampled_from(["random", "mutated", "truncated", "text"]))
    if kind == "random":
        return draw(st.binary(min_size=1, max_size=4096))
    if kind == "text":
        return draw(st.text(max_size=400)).encode(draw(st.sampled_from(["utf-8", "utf-16", "gb18030"])), "replace")
    data = bytearray(VALID_BOOK)
    if kind == "truncated":
        return bytes(data[: draw(st.integers(1, len(data) - 1))])
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_bytes(), suffix=st.sampled_from([".xlsx", ".xls", ".csv"]))
def test_fuzz_no_unhandled_exception_and_no_write_on_rejection(branch_db, tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    before = fingerprint(branch_db.path)
    try:
        outcome = importing.run(path, "members", today=TODAY)
    except UsageError as error:
        message = str(error)
        assert re.search("[\u4e00-\u9fff]", message) and "Error" not in message and "Traceback" not in message
        committed = False
    else:
        committed = outcome.committed
    if committed:
        Member.delete().execute()
    else:
        assert fingerprint(branch_db.path) == before
