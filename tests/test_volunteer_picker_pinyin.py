"""The volunteer picker of 登记服务记录 finds people by pinyin (issue 19): initials, full
spelling and a mix of both, from the surname on; picking an item from the popup selects
the volunteer, and the record is saved for that person."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QModelIndex, Qt
from test_volunteers_factory import make_id, type_text

from models import ServiceRecord
from ui.volunteer_dialogs import RecordDialog
from wanghu_desk.services import volunteers as vs

TODAY = dt.date(2026, 11, 22)
PEOPLE = [("张三", "13955110001"), ("张森", "13955110002"), ("李四", "13955110003"), ("曾小贤", None),
          ("吕布", "13955110005"), ("王芳", "13955110006")]


@pytest.fixture
def people(fresh_db) -> dict[str, int]:
    ids = {}
    for name, phone in PEOPLE:
        raw = {"name": name, "phone": phone, "id_number": None if phone else make_id("19900101")}
        ids[name] = vs.create_volunteer(raw, today=TODAY)
    return ids


@pytest.mark.parametrize(
    "typed, found",
    [
        ("zs", {"张三", "张森"}),  # initials
        ("zhangsan", {"张三"}),  # full spelling
        ("zhs", {"张三", "张森"}),  # a mix: zh(ang) s(an), zh(ang) s(en)
        ("zhangs", {"张三", "张森"}),
        ("zsan", {"张三"}),
        ("lisi", {"李四"}),
        ("l", {"李四", "吕布"}),
        ("zengxx", {"曾小贤"}),  # the surname 曾 reads zeng, not ceng
        ("lvbu", {"吕布"}),  # ü typed as v
        ("zhangsi", set()),
        ("san", set()),  # from the surname on, as the initials
        ("张", {"张三", "张森"}),
        ("110006", {"王芳"}),  # part of the phone
        ("wang 芳", {"王芳"}),  # every word must match
        ("wang li", set()),
    ],
)
def test_the_volunteer_search_finds_people_by_pinyin(people, typed, found):
    rows = vs.list_volunteers(today=TODAY)
    assert {r.name for r in vs.search_volunteers(rows, typed)} == found


def _popup_names(dialog: RecordDialog) -> set[str]:
    completer = dialog.fields["volunteer_id"].completer()
    model = completer.completionModel()
    return {model.index(i, 0).data().split("　")[0] for i in range(model.rowCount())}


def test_the_record_dialog_picker_finds_by_pinyin_and_picking_selects_the_volunteer(qtbot, people):
    dialog = RecordDialog(None, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    combo = dialog.fields["volunteer_id"]
    completer = combo.completer()
    edit = combo.lineEdit()

    type_text(qtbot, edit, "zhs")
    assert _popup_names(dialog) == {"张三", "张森"}
    assert completer.popup().isVisible()

    edit.clear()
    type_text(qtbot, edit, "lisi")
    assert _popup_names(dialog) == {"李四"}
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Down)
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Return)
    assert dialog.value("volunteer_id") == people["李四"]
    assert combo.currentText() == "李四　13955110003"

    edit.clear()
    type_text(qtbot, edit, "zengxiaoxian")
    assert _popup_names(dialog) == {"曾小贤"}
    completer.activated[QModelIndex].emit(completer.completionModel().index(0, 0))
    assert dialog.value("volunteer_id") == people["曾小贤"]

    dialog.fields["activity"].setText("清扫楼道")
    dialog.fields["hours"].setText("2")
    assert dialog.recheck().ok
    dialog.save()
    record = ServiceRecord.get()
    assert record.volunteer_id == people["曾小贤"] and record.minutes == 120


def test_text_that_matches_no_one_leaves_the_picker_empty(qtbot, people):
    dialog = RecordDialog(None, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(qtbot, dialog.fields["volunteer_id"].lineEdit(), "qqq")
    assert _popup_names(dialog) == set()
    assert dialog.value("volunteer_id") is None

