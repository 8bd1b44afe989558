"""文件 → 备份与恢复: the automatic backups listed newest first with time, kind and size;
立即备份 adds one; restoring the chosen backup asks first, naming the database file and
what it holds now against what the backup holds, and declining changes nothing; a backup
deleted meanwhile is explained. `ui.dialogs` is patched: no test waits on a modal box."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import DEMO_TODAY
from PySide6.QtWidgets import QApplication, QFileDialog
from shiboken6 import isValid
from test_members_factory import record_dialogs

from ui import backup_dialog, dialogs, theme
from ui.backup_dialog import BackupDialog
from ui.main_window import MainWindow
from wanghu_desk import database
from wanghu_desk.services import stats


@pytest.fixture
def dialog_log(monkeypatch):
    log = record_dialogs(monkeypatch)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: pytest.fail("unexpected file dialog"))
    return log


@pytest.fixture
def window(qtbot, demo_db) -> MainWindow:
    theme.apply_theme(QApplication.instance())
    window = MainWindow(demo_db, today=lambda: DEMO_TODAY, demo_builder=None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def rename_organization(name: str) -> None:
    database.db.execute_sql("UPDATE organization SET area_name = ? WHERE kind = 'working_committee'", (name,))


def open_dialog(qtbot, window: MainWindow) -> BackupDialog:
    window.backups_action.trigger()
    dialog = window.findChild(BackupDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_the_list_shows_each_automatic_backup_newest_first_with_time_kind_and_size(window, qtbot, demo_db):
    older = database.auto_backup("daily")
    newer = database.auto_backup("before-import")
    (demo_db.backups_dir / "别人放进来的.db").write_bytes(b"x")  # not a backup's name: left out
    dialog = open_dialog(qtbot, window)
    entries = dialog.entries()
    assert [e.path for e in entries] == [newer, older]
    model = dialog.model
    texts = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert texts[0][1] == "导入前自动备份" and texts[1][1] == "每日自动备份"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", texts[0][0])
    assert texts[0][2].endswith(("KB", "MB")) and texts[0][3] == newer.name
    assert dialog.selected() == entries[0]  # the newest is chosen
    assert str(demo_db.backups_dir) in dialog.folder_label.text()
    assert not dialog.empty_label.isVisible()
    dialog.close()


def test_no_backups_yet_says_how_they_come(window, qtbot):
    dialog = open_dialog(qtbot, window)
    assert dialog.entries() == []
    assert dialog.empty_label.isVisible() and "立即备份" in dialog.empty_label.text()
    assert not dialog.restore_button.isEnabled()
    dialog.close()


def test_back_up_now_adds_a_manual_backup_and_selects_it(window, qtbot):
    dialog = open_dialog(qtbot, window)
    task = dialog.back_up_now()
    with qtbot.waitSignal(task.worker.signals.finished, timeout=20_000):
        pass
    qtbot.waitUntil(lambda: not window.busy)
    entries = dialog.entries()
    assert len(entries) == 1 and entries[0].reason == "manual"
    assert dialog.selected() == entries[0]
    assert database.verify_restorable(entries[0].path).is_ours
    dialog.close()


def test_restore_names_what_is_replaced_and_brings_the_backup_back(window, qtbot, demo_db, dialog_log, monkeypatch):
    backup = database.auto_backup("daily")
    rename_organization("改名街道")
    database.db.execute_sql("DELETE FROM member WHERE id IN (SELECT id FROM member LIMIT 5)")
    members_now = database.summarize().members
    window.refresh_all()
    dialog = open_dialog(qtbot, window)
    questions = []

    def ask(parent, title, text, *args, informative=None, **kwargs):
        questions.append((title, text, informative))
        return True

    monkeypatch.setattr(dialogs, "ask", ask)
    dialog.restore_selected()
    qtbot.waitUntil(lambda: not window.busy, timeout=20_000)
    ((title, text, informative),) = questions
    entry = database.backup_entries(demo_db.backups_dir)[-1]
    assert entry.path == backup
    assert title == "恢复备份"
    assert f"{entry.taken_at:%Y-%m-%d %H:%M} 的每日自动备份" in text and "「wanghu.db」" in text
    assert f"现在的数据：党员 {members_now:,} 名" in informative
    assert f"备份里的数据：党员 {members_now + 5:,} 名" in informative
    assert "恢复前会自动备份现在的数据" in informative
    assert not isValid(dialog) or not dialog.isVisible()  # closed before the restore started
    assert stats.organization_name() == "望湖街道"
    assert window.header_title.text() == "望湖街道"
    assert database.summarize().members == members_now + 5
    assert [e.reason for e in database.backup_entries(demo_db.backups_dir)] == ["before-restore", "daily"]
    assert dialog_log.texts("inform") == [f"已从备份「{backup.name}」恢复。"]


def test_restore_declined_changes_nothing_and_keeps_the_list_open(window, qtbot, demo_db, dialog_log):
    database.auto_backup("daily")
    rename_organization("改名街道")
    dialog = open_dialog(qtbot, window)
    dialog_log.answer = False
    assert dialog.restore_selected() is None
    assert not window.busy and dialog.isVisible()
    assert stats.organization_name() == "改名街道"
    assert [e.reason for e in database.backup_entries(demo_db.backups_dir)] == ["daily"]
    dialog.close()


def test_a_backup_deleted_meanwhile_is_explained_and_the_list_refreshed(window, qtbot, dialog_log):
    gone = database.auto_backup("daily")
    dialog = open_dialog(qtbot, window)
    gone.unlink()
    assert dialog.restore_selected() is None
    assert [c[0] for c in dialog_log.calls] == ["error"] and "找不到备份文件" in dialog_log.calls[0][2]
    assert dialog.entries() == []
    dialog.close()


def test_a_damaged_backup_is_refused_on_restore_and_nothing_changes(window, qtbot, demo_db, dialog_log):
    bad = database.auto_backup("daily")
    data = bytearray(bad.read_bytes())
    data[8192:8392] = b"\xa5" * 200
    bad.write_bytes(bytes(data))
    rename_organization("改名街道")
    dialog = open_dialog(qtbot, window)
    dialog_log.answer = True
    dialog.restore_selected()
    qtbot.waitUntil(lambda: not window.busy, timeout=20_000)
    assert [c[0] for c in dialog_log.calls] == ["ask", "error"]
    assert "损坏" in dialog_log.calls[1][2]
    assert stats.organization_name() == "改名街道"


def test_sizes_read_as_a_clerk_expects():
    assert backup_dialog.size_text(300) == "1 KB"
    assert backup_dialog.size_text(150 * 1024) == "150 KB"
    assert backup_dialog.size_text(int(2.5 * 1024 * 1024)) == "2.5 MB"


def test_backup_entries_read_dates_from_names_even_with_dashes_in_the_stem(tmp_path):
    folder = tmp_path / "备份 文件夹"
    folder.mkdir()
    (folder / "wang-hu-20261122-083015-000001-daily.db").write_bytes(b"a" * 10)
    (folder / "wang-hu-20261123-090000-000000-manual.db").write_bytes(b"b" * 20)
    entries = database.backup_entries(folder)
    assert [(e.taken_at, e.reason, e.size) for e in entries] == [
        (dt.datetime(2026, 11, 23, 9), "manual", 20),
        (dt.datetime(2026, 11, 22, 8, 30, 15, 1), "daily", 10),
    ]
    assert entries[1].label == "2026-11-22 08:30 的每日自动备份"
    assert database.backup_entries(tmp_path / "没有") == []


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_a_non_administrator_is_told_before_choosing_or_confirming_a_restore(window, qtbot, demo_db, dialog_log, role):
    from wanghu_desk.services import base

    database.auto_backup("daily")
    rename_organization("改名街道")
    dialog = open_dialog(qtbot, window)
    with base.acting_as(base.Actor(username="lu", display_name="录入", role=role)):
        assert dialog.restore_selected() is None
        assert window.restore() is None  # no file dialog either (the fixture fails on one)
    assert [c[0] for c in dialog_log.calls] == ["warn", "warn"]
    assert not window.busy
    assert stats.organization_name() == "改名街道"
    dialog.close()
