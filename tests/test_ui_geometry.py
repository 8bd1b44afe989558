"""Every dialog and tab fits a 1366×768 laptop and a 1920×1080 screen at 150 %: opened on
the demo database in a child process per screen (the scale factor must be set before the
QApplication starts), no window beyond the screen's room, no button out of sight, no text
cut off. The list of what is opened is `ui_catalogue.ENTRIES`; a dialog class of the `ui`
package missing from it fails `test_every_dialog_class_is_in_the_catalogue`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
import ui_catalogue
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout

from ui import screen_fit


def test_every_dialog_class_is_in_the_catalogue():
    covered = {entry.cls for entry in ui_catalogue.ENTRIES}
    classes = ui_catalogue.dialog_classes()
    assert classes - covered == set(), "新的对话框要加进 tests/ui_catalogue.py 的 ENTRIES"
    assert covered - classes == set()  # a renamed or removed class
    assert len({entry.name for entry in ui_catalogue.ENTRIES}) == len(ui_catalogue.ENTRIES)


@pytest.mark.slow
@pytest.mark.parametrize("screen", list(ui_catalogue.SCREENS))
def test_every_dialog_and_tab_fits_the_screen(screen, demo_template, tmp_path):
    db = tmp_path / "wanghu.db"
    shutil.copyfile(demo_template, db)
    proc = subprocess.run(
        [sys.executable, str(ui_catalogue.ROOT / "tests" / "ui_catalogue.py"), "--db", str(db)],
        env=ui_catalogue.screen_environment(screen, tmp_path), capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {entry.name for entry in ui_catalogue.ENTRIES} <= set(result)
    tabs = [name for name in result if name.startswith("tab_")]
    assert len(tabs) >= 8 and {"tab_dashboard", "tab_ledger", "tab_reports"} <= set(tabs)
    problems = {name: found for name, found in result.items() if found}
    assert problems == {}


# ---------------------------------------------------------------- the checks themselves


SCREEN = QRect(0, 0, 1366, 728)


def test_the_check_finds_a_window_taller_than_the_screen(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.resize(400, 700)  # 700 + a title bar > 728
    dialog.show()
    found = ui_catalogue.problems_of(dialog, SCREEN)
    assert any("超出屏幕" in p for p in found)
    dialog.resize(400, 600)
    assert ui_catalogue.problems_of(dialog, SCREEN) == []


def test_the_check_finds_a_button_out_of_sight_and_cut_text(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.resize(300, 200)
    outside = QPushButton("保存", dialog)
    outside.setGeometry(250, 180, 90, 30)  # half beyond the dialog's edge
    label = QLabel("这一行说明文字很长很长，会折行显示，高度不够时就被截断了，后面的字看不到。", dialog)
    label.setWordWrap(True)
    label.setGeometry(10, 10, 120, 20)
    dialog.show()
    found = ui_catalogue.problems_of(dialog, SCREEN)
    assert any("按钮「保存」" in p for p in found)
    assert any("被截断" in p and "这一行说明" in p for p in found)


def test_fit_keeps_a_dialog_inside_the_room_of_its_screen(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    QVBoxLayout(dialog).addWidget(QLabel("内容"))
    room = screen_fit.room(dialog)
    size = screen_fit.fit(dialog, room.width() * 2, room.height() * 2)
    assert size == room and dialog.size() == room
    screen_fit.fit(dialog, 300, 200)
    assert dialog.size().width() == 300 and dialog.size().height() == 200
    screen_fit.grow(dialog, room.height() * 3)
    assert dialog.height() == room.height()
