"""Exported workbooks look like what offices print (SPEC §8), checked with a second
reader (openpyxl, and python-calamine for values): title, header, frozen panes, widths
fitted to Chinese text, ID / phone / dates as text cells, A4 landscape, repeated header
row, fit to width, page-number footer; masking and who may unmask; one sheet per
branch; the file-is-open-in-Excel message; the command line."""

from __future__ import annotations

import re

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from models import Branch, Member
from reports import exports, xlsx_style
from reports.xlsx_style import SheetColumn, new_workbook, save_workbook, write_table_sheet
from wanghu_desk import cli, database
from wanghu_desk.errors import PermissionDenied, UserError
from wanghu_desk.services.base import Actor, acting_as

MASKED = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
FULL = re.compile(r"^\d{17}[\dX]$")


def column(ws, header: str, header_row: int = 3) -> list:
    headers = [c.value for c in ws[header_row]]
    index = headers.index(header)
    return [row[index] for row in ws.iter_rows(min_row=header_row + 1)]


def test_member_roster_layout_and_print_setup(demo_db, tmp_path):
    result = exports.export("members", tmp_path / "花名册.xlsx")
    assert result.masked and result.rows == Member.select().count() and result.sheets == ["党员花名册"]
    ws = openpyxl.load_workbook(result.path)["党员花名册"]
    assert ws["A1"].value == "望湖街道党员花名册" and ws["A1"].font.b
    assert "A1:W1" in {str(r) for r in ws.merged_cells.ranges}  # 序号 + 22 columns
    assert ws["A2"].value.startswith("导出日期：") and "身份证号已部分隐藏" in ws["A2"].value
    assert [c.value for c in ws[3]][:6] == ["序号", "姓名", "性别", "民族", "出生日期", "公民身份号码"]
    assert all(c.font.b for c in ws[3])
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.max_row == 3 + result.rows

    for header in ("公民身份号码", "联系电话", "出生日期", "入党日期"):
        cells = [c for c in column(ws, header) if c.value is not None]
        assert cells and all(c.data_type == "s" and c.number_format == "@" for c in cells), header
    assert all(MASKED.match(c.value) for c in column(ws, "公民身份号码"))
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", c.value) for c in column(ws, "出生日期"))
    assert [c.value for c in column(ws, "序号")][:3] == [1, 2, 3]

    widths = {ws.cell(3, i).value: ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width
              for i in range(1, ws.max_column + 1)}
    longest_branch = max(len(c.value) for c in column(ws, "所在党支部"))
    assert widths["所在党支部"] >= 2 * longest_branch  # CJK counts double
    assert widths["公民身份号码"] >= 18 and widths["序号"] >= 6
    assert widths["家庭住址"] <= xlsx_style.MAX_WIDTH

    rows = CalamineWorkbook.from_path(str(result.path)).get_sheet_by_index(0).to_python()
    assert rows[2][5] == "公民身份号码" and isinstance(rows[3][5], str)


def test_unmasked_only_for_accounts_that_may_see_ids(demo_db, tmp_path):
    full = exports.export("volunteers", tmp_path / "v.xlsx", unmasked=True)
    ws = openpyxl.load_workbook(full.path).active
    ids = [c.value for c in column(ws, "公民身份号码") if c.value]
    assert ids and all(FULL.match(v) for v in ids) and not full.masked
    with acting_as(Actor("clerk1", "录入员", "clerk")):
        with pytest.raises(PermissionDenied, match="只有管理员"):
            exports.export("members", tmp_path / "x.xlsx", unmasked=True)
        masked = exports.export("services", tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(masked.path).active
    assert all(MASKED.match(c.value) for c in column(ws, "公民身份号码") if c.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_one_sheet_per_branch_and_one_branch(demo_db, tmp_path):
    result = exports.export("members", tmp_path / "per.xlsx", per_branch=True)
    book = CalamineWorkbook.from_path(str(result.path))
    names = [b.name for b in Branch.select().order_by(Branch.sort_order, Branch.id)]
    assert book.sheet_names == [n[:31] for n in names]
    sheets = [book.get_sheet_by_name(n).to_python() for n in book.sheet_names]
    assert sheets[0][0][0] == f"{names[0]}党员花名册"
    assert sum(len(rows) - 3 for rows in sheets) == Member.select().count()

    alias = "机关一支部"  # a known alias of 望湖街道机关第一党支部 in the demo
    one = exports.export("members", tmp_path / "one.xlsx", branch=alias)
    assert one.sheets == ["望湖街道机关第一党支部"]
    branch = Branch.get(Branch.name == "望湖街道机关第一党支部")
    assert one.rows == Member.select().where(Member.branch == branch).count()


def test_other_rosters_have_their_canonical_headers(demo_db, tmp_path):
    expected = {
        "branches": ["序号", "党组织名称", "党组织全称", "类别", "所属社区", "书记", "联系电话", "成立日期", "状态",
                     "党员人数", "楼栋党小组数", "备注"],
        "groups": ["序号", "所在党支部", "党小组名称", "组长", "组长联系电话", "覆盖楼栋", "党员人数", "状态", "备注"],
        "volunteers": ["序号", "姓名", "性别", "公民身份号码", "联系电话", "所属服务队", "技能特长", "志愿者编号",
                       "是否党员", "累计服务时长（小时）", "服务次数", "星级", "备注"],
    }
    for kind, headers in expected.items():
        ws = openpyxl.load_workbook(exports.export(kind, tmp_path / f"{kind}.xlsx").path).active
        assert [c.value for c in ws[3]] == headers, kind
    ws = openpyxl.load_workbook(tmp_path / "groups.xlsx").active
    first = [c.value for c in ws[4]]
    assert re.fullmatch(r"[^：]+：\d+栋(、\d+栋)*", first[5])
    ws = openpyxl.load_workbook(tmp_path / "volunteers.xlsx").active
    hours = [c.value for c in column(ws, "累计服务时长（小时）")]
    assert all(isinstance(h, (int, float)) for h in hours) and max(hours) > 0


def test_a_styled_table_for_other_modules(tmp_path):
    wb = new_workbook()
    cols = [SheetColumn("支部", "code"), SheetColumn("金额（元）", "number"), SheetColumn("备注", "text")]
    rows = [("银杏苑小区党支部", 10000.5, "=HYPERLINK(\"x\")"), ("枫林湾", 0, "a\x07b")]
    assert write_table_sheet(wb, "台账", "2026年经费台账", cols, rows, highlights={(1, 1): "error"}) == 2
    save_workbook(wb, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["台账"]
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"
    assert ws["B3"].value == 10000.5 and ws["B3"].data_type == "n"
    assert ws["C3"].value == "=HYPERLINK(\"x\")" and ws["C3"].data_type == "s"  # text, never a formula
    assert ws["C4"].value == "ab"  # characters Excel refuses are dropped
    assert ws["B4"].fill.fgColor.rgb.endswith("F8D7DA")


def test_workbook_open_in_excel_gives_a_clear_message(tmp_path, monkeypatch):
    def locked(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(xlsx_style.os, "replace", locked)
    wb = new_workbook()
    write_table_sheet(wb, "x", "x", [SheetColumn("a")], [("1",)])
    with pytest.raises(UserError) as err:
        save_workbook(wb, tmp_path / "open.xlsx")
    assert "文件正被 Excel 等程序打开，请关闭后重试" in err.value.message
    assert not list(tmp_path.glob("*.xlsx"))  # no half-written file left behind


def test_export_command_line(demo_db, tmp_path, capsys):
    path = demo_db.path
    database.close_database()
    out = tmp_path / "m.xlsx"
    assert cli.main(["--db", str(path), "export", "members", "--out", str(out)]) == 0
    assert "身份证号已部分隐藏" in capsys.readouterr().out
    assert cli.main(["--db", str(path), "export", "members", "--out", str(out), "--unmasked",
                     "--branch", "东湖新村"]) == 0
    assert "身份证号已部分隐藏" not in capsys.readouterr().out
    ws = openpyxl.load_workbook(out).active
    assert ws.title == "东湖新村小区党支部" and all(FULL.match(c.value) for c in column(ws, "公民身份号码"))
    assert cli.main(["--db", str(path), "export", "members", "--out", str(out), "--branch", "没有这个支部"]) == 2
    assert "不存在" in capsys.readouterr().err
    for kind in ("rating", "ledger"):
        assert cli.main(["--db", str(path), "export", kind, "--out", str(out)]) == 2
        assert "--year" in capsys.readouterr().err  # rating and ledger exports need the year
    assert cli.main(["--db", str(path), "export", "branches", "--out", str(tmp_path / "b.csv")]) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert cli.main(["--db", str(path), "export", "members"]) == 2  # --out is required
    for kind in ("branches", "groups", "volunteers"):
        assert cli.main(["--db", str(path), "export", kind, "--out", str(tmp_path / f"{kind}.xlsx")]) == 0
    database.open_database(path, backups_dir=tmp_path / "backups")  # for the fixture's teardown
