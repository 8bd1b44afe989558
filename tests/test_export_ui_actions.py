"""The export entry points of the window (ui.export_actions): options, file dialog,
worker with progress, the finished question, and the message when Excel holds the file.
Modal dialogs are patched; nothing waits on a person."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog

from models import Member
from reports import xlsx_style
from ui import dialogs, export_actions
from ui.export_actions import ExportChoice, ExportOptionsDialog
from wanghu_desk.services.base import Actor, acting_as


@pytest.fixture
def shown(monkeypatch):
    seen: list[tuple] = []
    for name in ("inform", "warn", "error"):
        monkeypatch.setattr(dialogs, name, lambda parent, title, text, *a, _n=name, **k: seen.append((_n, title, text)))
    monkeypatch.setattr(dialogs, "crash", lambda parent=None, log_path=None: seen.append(("crash",)))
    monkeypatch.setattr(dialogs, "ask", lambda parent, title, text, *a, **k: seen.append(("ask", title, text)) or False)
    return seen


def save_to(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), "Excel 文件 (*.xlsx)"))


def finish(qtbot, task):
    assert task is not None
    qtbot.waitUntil(lambda: task.worker not in export_actions.workers._running, timeout=30_000)


def test_export_members_per_branch_with_full_ids(qtbot, demo_db, tmp_path, monkeypatch, shown):
    monkeypatch.setattr(export_actions, "ask_options",
                        lambda parent, kind: ExportChoice(per_branch=True, unmasked=True))
    save_to(monkeypatch, tmp_path / "全部党员")
    finish(qtbot, export_actions.export_members(None))
    written = tmp_path / "全部党员.xlsx"
    assert shown[-1][0] == "ask" and shown[-1][1] == "导出完成" and str(written) in shown[-1][2]
    book = openpyxl.load_workbook(written, read_only=True)
    assert len(book.sheetnames) == 74
    book.close()
    assert f"{Member.select().count():,} 行" in shown[-1][2]


def test_export_branches_asks_nothing_but_where(qtbot, demo_db, tmp_path, monkeypatch, shown):
    monkeypatch.setattr(export_actions, "ask_options", lambda *a: pytest.fail("no options for branches"))
    save_to(monkeypatch, tmp_path / "支部.xlsx")
    ended: list[bool] = []
    finish(qtbot, export_actions.export_branches(None, on_finished=lambda: ended.append(True)))
    assert (tmp_path / "支部.xlsx").exists() and shown[-1][1] == "导出完成"
    qtbot.waitUntil(lambda: ended == [True])


def test_cancelled_choices_start_nothing(qtbot, demo_db, tmp_path, monkeypatch, shown):
    monkeypatch.setattr(export_actions, "ask_options", lambda *a: None)
    assert export_actions.export_volunteers(None) is None
    monkeypatch.setattr(export_actions, "ask_options", lambda *a: ExportChoice())
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert export_actions.export_members(None) is None
    assert shown == []


def test_file_open_in_excel(qtbot, demo_db, tmp_path, monkeypatch, shown):
    def locked(*_a, **_k):
        raise PermissionError(13, "denied")

    monkeypatch.setattr(xlsx_style.os, "replace", locked)
    save_to(monkeypatch, tmp_path / "groups.xlsx")
    finish(qtbot, export_actions.export_groups(None))
    assert shown[-1][0] == "error" and "文件正被 Excel 等程序打开，请关闭后重试" in shown[-1][2]


def test_options_dialog_choices_and_who_may_unmask(qtbot, demo_db):
    dialog = ExportOptionsDialog(None, "members", ["甲党支部", "乙党支部"])
    qtbot.addWidget(dialog)
    assert dialog.choice() == ExportChoice()
    dialog.branch_radio.setChecked(True)
    dialog.branch_combo.setCurrentIndex(1)
    dialog.register_check.setChecked(True)
    dialog.unmasked_check.setChecked(True)
    assert dialog.choice() == ExportChoice(branch="乙党支部", unmasked=True, in_register_only=True)
    with acting_as(Actor("clerk1", "录入员", "clerk")):
        clerk = ExportOptionsDialog(None, "volunteers")
        qtbot.addWidget(clerk)
    assert not clerk.unmasked_check.isEnabled() and "只有管理员" in clerk.unmasked_check.toolTip()
    clerk.unmasked_check.setChecked(True)
    assert clerk.choice().unmasked is False
    assert clerk.branch_radio.isHidden()
