"""The import dialog on the sample files (pytest-qt, offscreen): the preview shows the
problems, "只看有问题的行" filters, "仅导入有效行" imports the valid rows, 导出问题清单
writes the problem rows with a 问题说明 column; the table model passes qtmodeltester.
No test ever waits on a modal dialog: message boxes and file dialogs are patched."""

from __future__ import annotations

import openpyxl
import pytest
from conftest import SAMPLES
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog

from models import Member
from reports import importing
from ui import dialogs
from ui import import_dialog as import_dialog_module
from ui.import_dialog import ImportDialog
from ui.import_table_model import ERROR_BRUSH, ROW_ROLE, ImportTableModel


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    shown: list[tuple] = []
    for name in ("inform", "warn", "error"):
        monkeypatch.setattr(dialogs, name,
                            lambda parent, title, text, *a, _n=name, **k: shown.append((_n, title, text)))
    monkeypatch.setattr(dialogs, "crash", lambda parent=None, log_path=None: shown.append(("crash",)))
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: pytest.fail("unexpected question"))
    return shown


@pytest.fixture
def branches_db(fresh_db):
    outcome = importing.run(SAMPLES / "branches.xlsx", "branches")
    assert outcome.inserted == 12
    return fresh_db


def wait(qtbot, dlg: ImportDialog, task) -> None:
    assert task is not None
    qtbot.waitUntil(lambda: dlg.task is None, timeout=20_000)


def open_sample(qtbot, name: str, kind: str = "members") -> ImportDialog:
    dlg = ImportDialog(None, kind)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.load_file(SAMPLES / name)
    qtbot.waitUntil(lambda: dlg.task is None, timeout=20_000)
    return dlg


def column_of(model: ImportTableModel, header: str) -> int:
    for c in range(model.columnCount()):
        if model.headerData(c, Qt.Orientation.Horizontal) == header:
            return c
    raise AssertionError(header)


def test_preview_shows_the_problems_and_filters_them(qtbot, branches_db, no_modal_dialogs):
    dlg = open_sample(qtbot, "members_district_export.xlsx")
    assert dlg.kind == "members" and dlg.sheet_combo.count() == 1
    model = dlg.model
    summary = dlg.summary.text()
    assert "共 <b>300</b> 行" in summary and "有错误 5 行" in summary and "表头在第 3 行" in summary
    assert "将新增 295" in summary
    assert not dlg.import_button.isEnabled()
    assert dlg.valid_button.isEnabled() and dlg.problems_button.isEnabled()
    assert dlg.valid_button.property("primary") and not dlg.import_button.property("primary")

    # With errors the dialog opens on the rows to fix.
    assert dlg.only_problems.isChecked() and model.rowCount() == 5
    assert dlg.shown_label.text() == "显示 5 / 300 行"
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == ["行号", "结果", "问题说明", "序号"]
    assert [model.index(r, 0).data() for r in range(5)] == [41, 92, 145, 207, 261]
    assert [model.index(r, 1).data() for r in range(5)] == ["错误"] * 5
    notes = [model.index(r, 2).data() for r in range(5)]
    assert notes[0].startswith("公民身份号码：校验码错误")
    assert notes[1].startswith("联系电话：手机号应为 11 位，现在是 10 位")
    assert notes[2].startswith("所在党支部：党支部「紫荆花园小区党支部」不存在")
    assert notes[3].startswith("公民身份号码：与第 16 行的公民身份号码重复")
    assert notes[4] == "姓名：姓名为空，请填写。"
    id_col = column_of(model, "公民身份号码")
    cell = model.index(0, id_col)
    assert cell.data() == "340102197509015922"
    assert cell.data(Qt.ItemDataRole.BackgroundRole) == ERROR_BRUSH
    assert "校验码错误" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(2, column_of(model, "所在党支部")).data(Qt.ItemDataRole.BackgroundRole) == ERROR_BRUSH
    assert model.index(4, column_of(model, "姓名")).data(Qt.ItemDataRole.BackgroundRole) == ERROR_BRUSH
    assert model.index(0, id_col - 1).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(3, 0).data(ROW_ROLE).row == 207

    dlg.only_problems.setChecked(False)
    assert model.rowCount() == 300 and dlg.shown_label.text() == "显示 300 / 300 行"
    assert model.index(0, 0).data() == 4 and model.index(0, 1).data() == "新增" and model.index(0, 2).data() == ""
    dlg.only_problems.setChecked(True)
    assert model.rowCount() == 5
    assert no_modal_dialogs == []


def test_import_valid_rows_only(qtbot, branches_db, no_modal_dialogs):
    dlg = open_sample(qtbot, "members_district_export.xlsx")
    with qtbot.waitSignal(dlg.imported, timeout=20_000) as got:
        dlg.valid_button.click()
    outcome = got.args[0]
    assert (outcome.inserted, outcome.skipped, outcome.committed) == (295, 5, True)
    assert Member.select().count() == 295
    qtbot.waitUntil(lambda: dlg.task is None)  # closes, then reports, once the worker has ended
    assert dlg.result() == QDialog.DialogCode.Accepted and not dlg.isVisible()
    assert no_modal_dialogs[-1][:2] == ("inform", "导入完成")
    assert "新增 295" in no_modal_dialogs[-1][2] and "跳过有错误的 5 行" in no_modal_dialogs[-1][2]


def test_clean_file_imports_with_the_primary_button(qtbot, branches_db, no_modal_dialogs):
    dlg = open_sample(qtbot, "members_old_format.csv")
    assert dlg.import_button.isEnabled() and not dlg.valid_button.isEnabled()
    assert not dlg.problems_button.isEnabled() and not dlg.only_problems.isEnabled()
    assert "没有发现问题" in dlg.summary.text() and "新增 50" in dlg.summary.text()
    assert dlg.import_button.property("primary") and not dlg.only_problems.isChecked()
    assert dlg.model.rowCount() == 50
    with qtbot.waitSignal(dlg.imported, timeout=20_000):
        dlg.import_button.click()
    qtbot.waitUntil(lambda: dlg.task is None)
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert Member.select().count() == 50


def test_export_problem_list(qtbot, branches_db, tmp_path, monkeypatch, no_modal_dialogs):
    target = tmp_path / "问题清单"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Excel 文件 (*.xlsx)"))
    dlg = open_sample(qtbot, "members_district_export.xlsx")
    task = dlg.export_problems()
    wait(qtbot, dlg, task)
    written = tmp_path / "问题清单.xlsx"
    assert written.exists()
    assert no_modal_dialogs[-1][0] == "inform" and "5 行" in no_modal_dialogs[-1][2]
    ws = openpyxl.load_workbook(written).active
    assert ws["A1"].value == "问题清单：members_district_export.xlsx"
    headers = [c.value for c in ws[3]]
    assert headers[0] == "原行号" and headers[-1] == "问题说明"
    assert headers[1:-1] == ["序号", "姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "人员类别", "入党日期",
                             "转正日期", "所在党支部", "工作单位及职务", "联系电话", "家庭住址", "备注"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert [r[0] for r in rows] == [41, 92, 145, 207, 261]
    assert "校验码错误" in rows[0][-1] and "【错误】公民身份号码" in rows[0][-1]
    id_cell = ws.cell(4, headers.index("公民身份号码") + 1)
    assert id_cell.value == "340102197509015922" and id_cell.data_type == "s"
    assert id_cell.fill.fgColor.rgb.endswith("F8D7DA")
    # A corrected list goes straight back in: 原行号 and 问题说明 are known, not "unknown columns".
    again = importing.preview(written, "members")
    assert again.header_row == 3 and len(again.rows) == 5
    assert not [p for p in again.warnings if "不认识的列" in p.message]


def test_unreadable_file_is_explained_inside_the_dialog(qtbot, branches_db, tmp_path, no_modal_dialogs):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    dlg = ImportDialog(None, "members")
    qtbot.addWidget(dlg)
    assert dlg.load_file(bad) is None
    assert "不是有效的 Excel 文件" in dlg.hint.text()
    assert dlg.stack.currentWidget() is dlg.hint
    assert not dlg.import_button.isEnabled() and not dlg.valid_button.isEnabled()
    assert no_modal_dialogs == []


def test_wrong_kind_is_explained_and_switching_kind_repreviews(qtbot, branches_db, no_modal_dialogs):
    dlg = open_sample(qtbot, "branches.xlsx", kind="members")
    assert "找不到党员花名册的表头" in dlg.hint.text()
    dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData("branches"))
    qtbot.waitUntil(lambda: dlg.task is None and dlg.preview is not None, timeout=20_000)
    assert dlg.preview.kind == "branches" and dlg.model.rowCount() == 12
    assert dlg.model.index(0, 1).data() == "不变"  # the fixture imported them already
    assert no_modal_dialogs == []


def test_choose_file_and_pick_a_sheet(qtbot, branches_db, tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    book.active.title = "甲"
    book.active.append(["姓名", "公民身份号码", "所在党支部"])
    book.active.append(["张三", "340104196006191319", "银杏苑小区党支部"])
    other = book.create_sheet("乙")
    other.append(["姓名", "公民身份号码", "所在党支部"])
    other.append(["李四", "340124195412136615", "银杏苑小区党支部"])
    other.append(["王五", "340124197808146050", "银杏苑小区党支部"])
    path = tmp_path / "两页.xlsx"
    book.save(path)
    monkeypatch.setattr(import_dialog_module.QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dlg = ImportDialog(None, "members")
    qtbot.addWidget(dlg)
    dlg.choose_file()
    qtbot.waitUntil(lambda: dlg.task is None and dlg.preview is not None, timeout=20_000)
    assert [dlg.sheet_combo.itemText(i) for i in range(3)] == ["全部工作表（2 个）", "甲", "乙"]
    assert dlg.sheet is None and dlg.model.rowCount() == 3
    assert dlg.model.headerData(1, Qt.Orientation.Horizontal) == "工作表"
    assert [dlg.model.index(r, 1).data() for r in range(3)] == ["甲", "乙", "乙"]
    dlg.select_sheet("乙")
    qtbot.waitUntil(lambda: dlg.task is None and dlg.preview is not None and dlg.preview.sheets == ["乙"],
                    timeout=20_000)
    assert dlg.model.rowCount() == 2 and dlg.model.index(0, 0).data() == 2


def test_table_model_passes_the_model_tester(qtbot, qtmodeltester, branches_db):
    result = importing.preview(SAMPLES / "members_district_export.xlsx", "members")
    model = ImportTableModel()
    model.set_preview(result)
    qtmodeltester.check(model)
    model.set_only_problems(True)
    qtmodeltester.check(model)
    model.set_preview(None)
    qtmodeltester.check(model)
    assert model.rowCount() == 0 and model.columnCount() == 0
