"""Reading what offices send: .xlsx, .xls, GBK / UTF-8(-BOM) / UTF-16 CSV, HTML saved as
.xls, renamed files; title and note rows, merged cells, footers, repeated headers;
files and sheets that cannot be imported (exit code 2, Chinese message)."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlwt
from conftest import SAMPLES
from hypothesis import given
from hypothesis import strategies as st

from reports import readers
from reports.columns import BRANCH_COLUMNS, MEMBER_COLUMNS, HeaderIndex, normalize_header
from reports.import_rows import fast_clean
from reports.layout import data_rows, detect_layout
from wanghu_desk import kinds
from wanghu_desk.errors import UsageError
from wanghu_desk.validation import clean_text

MEMBERS = HeaderIndex(MEMBER_COLUMNS)


def layout_and_rows(path: Path, sheet: str | None = None, index: HeaderIndex = MEMBERS):
    book = readers.open_workbook(path)
    raw = book.sheet(sheet or book.sheet_names[0])
    layout = detect_layout(raw, index)
    assert layout is not None
    return layout, data_rows(raw, layout, index)


def fields(layout) -> dict[str, str]:
    """field -> header text as written"""
    return {col.field: layout.headers[c] for c, col in layout.columns.items()}


# ---------------------------------------------------------------- the column table


def test_every_synonym_maps_to_exactly_one_field_per_kind():
    for kind, spec in kinds.KINDS.items():
        columns = spec.columns
        HeaderIndex(columns)  # raises on a synonym claimed by two fields
        canonical = [c.header for c in columns]
        assert len(canonical) == len(set(canonical)), kind


@pytest.mark.parametrize(
    ("written", "field"),
    [
        ("身份证号", "id_number"), ("身份证号码", "id_number"), ("公民身份号码", "id_number"),
        ("身份证", "id_number"), ("出生年月", "birth_date"), ("文化程度", "education"),
        ("入党时间", "joined_on"), ("所在党组织", "branch"), ("党支部", "branch"),
        ("*姓 名", "name"), ("姓名：", "name"), ("出生日期\n（格式：1985-07-01）", "birth_date"),
        ("公民身份号码（必填）", "id_number"), ("ＳＦＺ", None), ("联系电话", "phone"),
    ],
)
def test_member_header_synonyms(written, field):
    col = MEMBERS.match(written)
    assert (col.field if col else None) == field


def test_normalize_header_ignores_spaces_marks_and_full_width():
    assert normalize_header("　姓\u00a0名 *") == "姓名"
    assert normalize_header("联系电话：") == "联系电话"
    assert MEMBERS.is_ignored("序号") and MEMBERS.is_ignored("问题说明") and not MEMBERS.is_ignored("姓名")


# ---------------------------------------------------------------- xlsx layouts


def district_workbook(path: Path) -> Path:
    """Title and note rows (merged), header on row 3, a blank row, a footer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws["A1"] = "望湖街道党员花名册"
    ws.merge_cells("A1:F1")
    ws["A2"] = "填报单位：望湖社区党委　　　　统计截止日期：2026年10月31日"
    ws.merge_cells("A2:F2")
    ws.append(["序号", "姓 名", "身份证号码", "出生年月", "所在党组织", "籍贯"])
    ws.append([1, "张三", "340104198507011232", dt.date(1985, 7, 1), "银杏苑小区党支部", "安徽合肥"])
    ws.append([None, None, None, None, None, None])
    ws.append([2, "李四", "340104198507011259", "1985.07", "银杏苑小区党支部", None])
    ws.append(["填表人：张三  审核人：李四"])
    ws.merge_cells("A7:F7")
    wb.save(path)
    return path


def test_header_below_title_rows_with_synonyms_unknown_columns_and_footer(tmp_path):
    layout, rows = layout_and_rows(district_workbook(tmp_path / "d.xlsx"))
    assert layout.header_row == 3
    assert fields(layout) == {"name": "姓 名", "id_number": "身份证号码", "birth_date": "出生年月",
                              "branch": "所在党组织"}
    assert layout.unknown == [(5, "籍贯")]
    assert [r.row for r in rows] == [4, 6]  # the blank row 5 and the footer row 7 are not data
    assert rows[0].cells[3] == dt.date(1985, 7, 1)


def test_two_row_header_with_vertical_and_horizontal_merges(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "党员名册"
    ws["A2"], ws["B2"], ws["C2"] = "姓名", "公民身份号码", "联系方式"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:D2")
    ws["C3"], ws["D3"] = "手机号码", "家庭住址"
    ws.append(["王五", "340104198507011232", "13800000000", "合肥市"])
    wb.save(tmp_path / "two.xlsx")
    layout, rows = layout_and_rows(tmp_path / "two.xlsx")
    assert layout.header_row == 3
    assert fields(layout) == {"name": "姓名", "id_number": "公民身份号码", "phone": "手机号码", "address": "家庭住址"}
    assert [r.row for r in rows] == [4]


def test_branch_merged_down_a_column_is_copied_to_every_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["所在党支部", "姓名", "身份证号"])
    ws.append(["银杏苑小区党支部", "甲", "1"])
    ws.append([None, "乙", "2"])
    ws.append([None, "丙", "3"])
    ws.merge_cells("A2:A4")
    ws.append(["枫林湾小区党支部", "丁", "4"])
    wb.save(tmp_path / "m.xlsx")
    _layout, rows = layout_and_rows(tmp_path / "m.xlsx")
    assert [(r.row, r.cells[0]) for r in rows] == [
        (2, "银杏苑小区党支部"), (3, "银杏苑小区党支部"), (4, "银杏苑小区党支部"), (5, "枫林湾小区党支部"),
    ]


def test_repeated_headers_section_titles_and_numbered_blank_rows_are_skipped(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "公民身份号码", "所在党支部"])
    ws.append([1, "甲", "340104198507011232", "A"])
    ws.append(["银杏苑小区党支部（续）"])
    ws.merge_cells("A3:D3")
    ws.append(["序号", "姓名", "公民身份号码", "所在党支部"])
    ws.append([2, "乙", "340104198507011259", "A"])
    ws.append([3, None, None, None])
    ws.append(["合计：2 人"])
    wb.save(tmp_path / "r.xlsx")
    _layout, rows = layout_and_rows(tmp_path / "r.xlsx")
    assert [r.row for r in rows] == [2, 5]


def test_header_far_down_is_found_and_a_lone_name_row_is_data(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(12):
        ws.append([f"说明第 {i + 1} 行"])
    ws.append(["姓名", "身份证", "党支部"])
    ws.append(["赵六"])
    wb.save(tmp_path / "far.xlsx")
    layout, rows = layout_and_rows(tmp_path / "far.xlsx")
    assert layout.header_row == 13
    assert [r.row for r in rows] == [14]


def test_sheet_without_a_recognisable_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目", "数量"])
    ws.append(["苹果", 3])
    wb.save(tmp_path / "x.xlsx")
    raw = readers.open_workbook(tmp_path / "x.xlsx").sheet("Sheet")
    assert detect_layout(raw, MEMBERS) is None


def test_branch_header_on_row_one(tmp_path):
    layout, rows = layout_and_rows(SAMPLES / "branches.xlsx", index=HeaderIndex(BRANCH_COLUMNS))
    assert layout.header_row == 1 and len(rows) == 12


# ---------------------------------------------------------------- other formats


def test_xls_with_merged_title_numeric_id_and_date(tmp_path):
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名单")
    ws.write_merge(0, 0, 0, 3, "党员名单")
    for c, text in enumerate(["姓名", "身份证号", "出生日期", "所在党支部"]):
        ws.write(1, c, text)
    ws.write(2, 0, "张三")
    ws.write(2, 1, 340104198507011232)  # typed into a number cell: digits lost
    ws.write(2, 2, dt.date(1985, 7, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    ws.write(2, 3, "银杏苑小区党支部")
    wb.add_sheet("空白")
    wb.save(str(tmp_path / "old.xls"))
    book = readers.open_workbook(tmp_path / "old.xls")
    assert book.format == "xls" and book.sheet_names == ["名单", "空白"]
    layout, rows = layout_and_rows(tmp_path / "old.xls", "名单")
    assert layout.header_row == 2
    assert isinstance(rows[0].cells[1], float)
    assert rows[0].cells[2] == dt.date(1985, 7, 1)


CSV_TEXT = "序号,姓名,公民身份号码,出生年月,所在党支部\r\n1,张三,340104198507011232,1985.07,银杏苑小区党支部\r\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("gbk", b""), ("gb18030", b""), ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE)],
)
def test_csv_encodings(tmp_path, encoding, prefix):
    path = tmp_path / "名单.csv"
    text = CSV_TEXT.replace(",", "\t") if encoding.startswith("utf-16") else CSV_TEXT
    path.write_bytes(prefix + text.encode(encoding))
    book = readers.open_workbook(path)
    assert book.format == "csv" and book.sheet_names == ["名单"]
    layout, rows = layout_and_rows(path)
    assert layout.header_row == 1
    assert rows[0].cells[1:3] == ["张三", "340104198507011232"]


def test_html_table_saved_as_xls(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text(
        "<html><head><meta charset='utf-8'></head><body><table>"
        "<tr><td colspan='3'>党员名册</td></tr>"
        "<tr><th>姓名</th><th>身份证号码</th><th>党支部</th></tr>"
        "<tr><td>张三</td><td>340104198507011232</td><td>银杏苑小区党支部</td></tr>"
        "</table></body></html>",
        encoding="utf-8",
    )
    assert readers.open_workbook(path).format == "html"
    layout, rows = layout_and_rows(path)
    assert layout.header_row == 2 and [r.row for r in rows] == [3]


def test_renamed_files_are_read_by_content(tmp_path):
    district_workbook(tmp_path / "real.xlsx")
    renamed = tmp_path / "actually-xlsx.xls"
    renamed.write_bytes((tmp_path / "real.xlsx").read_bytes())
    layout, rows = layout_and_rows(renamed)
    assert layout.header_row == 3 and len(rows) == 2


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "不是有效的 Excel 文件"),
        ("word.docx", b"\x00\x01\x02binary\x00", "不是 Excel 或 CSV 文件"),
        ("empty.xlsx", b"", "是空的"),
    ],
)
def test_files_that_are_not_workbooks(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UsageError) as err:
        readers.open_workbook(path)
    assert expected in err.value.message and err.value.exit_code == 2


def test_missing_file_and_missing_sheet(tmp_path):
    with pytest.raises(UsageError, match="找不到文件"):
        readers.open_workbook(tmp_path / "nope.xlsx")
    book = readers.open_workbook(district_workbook(tmp_path / "d.xlsx"))
    with pytest.raises(UsageError) as err:
        book.sheet("第二页")
    assert "没有名为「第二页」的工作表" in err.value.message and "「花名册」" in err.value.message


def test_hidden_sheets_are_not_offered(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "名单"
    hidden = wb.create_sheet("下拉选项")
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "h.xlsx")
    assert readers.open_workbook(tmp_path / "h.xlsx").sheet_names == ["名单"]


def test_every_layer_names_the_kinds_of_the_registry():
    from reports import importing
    from wanghu_desk.services import imports

    assert kinds.names() == importing.IMPORT_KINDS
    assert not hasattr(imports, "KIND_LABELS")  # the labels live with the kinds only


_MESSY = "张三 　\u00a0\t\n\u200bＡａ１，：（）—/无-" + "abc"


@given(st.text(alphabet=st.sampled_from(_MESSY), max_size=12) | st.sampled_from(["无", "—", " / ", "张 三"]))
def test_fast_clean_is_exactly_clean_text(text):
    assert fast_clean(text) == clean_text(text)
