"""The main window ties the tabs together: every tab is reachable, the dashboard's
reminders open the right tab with the right filter, 文件 → 导入/导出 open the shared
dialogs, and a change on one tab reaches the others when they are shown."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DEMO_TODAY
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from models import Member
from ui import theme
from ui.import_dialog import ImportDialog
from ui.main_window import MainWindow
from wanghu_desk import validation


@pytest.fixture
def window(qtbot, demo_db) -> MainWindow:
    theme.apply_theme(QApplication.instance())
    win = MainWindow(demo_db, demo_builder=None, today=lambda: DEMO_TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_every_tab_has_a_shortcut_and_loads_when_shown(window, qtbot):
    window.activateWindow()
    qtbot.waitActive(window)
    for number, (_key, page, title) in enumerate(window.pages, start=1):
        if number <= 10:  # Ctrl+1 … Ctrl+9, Ctrl+0; later tabs from the 视图 menu
            qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number % 10}"), Qt.KeyboardModifier.ControlModifier)
        else:
            window.page_actions[number - 1].trigger()
        assert window.tabs.currentWidget() is page, title
        assert page not in window._stale


def test_probation_reminder_opens_the_members_tab_filtered(window, qtbot):
    alert = next(a for a in window.dashboard.alerts() if a.target == "members")
    window.dashboard.alerts_panel.row(alert.key).activated.emit()
    tab = window.members_tab
    assert window.tabs.currentWidget() is tab
    qtbot.waitUntil(lambda: not tab.is_loading, timeout=20_000)
    due_ids = {
        m.id for m in Member.select().where(Member.category == "probationary", Member.status == "active")
        if validation.probation_due_date(m.joined_on) <= DEMO_TODAY + dt.timedelta(days=30)
    }
    assert 0 < tab.model.rowCount() <= len(due_ids)


def test_each_reminder_target_is_routed(window, monkeypatch):
    calls = []
    monkeypatch.setattr(window.ledger_tab, "show_compliance",
                        lambda year=None, below_minimum=False: calls.append(("ledger", year, below_minimum)))
    monkeypatch.setattr(window.groups_tab, "show_without_leader", lambda: calls.append(("groups", None)))
    monkeypatch.setattr(window.rating_tab, "show_year", lambda year: calls.append(("rating", year)))
    window.dashboard.navigate_requested.emit("ledger", {"compliance": True, "year": 2026, "below_minimum": True})
    assert window.tabs.currentWidget() is window.ledger_tab
    window.dashboard.navigate_requested.emit("groups", {"without_leader": True})
    assert window.tabs.currentWidget() is window.groups_tab
    window.dashboard.navigate_requested.emit("rating", {"year": 2025})
    assert window.tabs.currentWidget() is window.rating_tab
    assert calls == [("ledger", 2026, True), ("groups", None), ("rating", 2025)]


def test_import_menu_and_members_button_open_the_shared_dialog(window, qtbot):
    window.import_action.trigger()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ImportDialog) and w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].reject()
    window.tabs.setCurrentWidget(window.members_tab)
    window.members_tab.import_button.click()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ImportDialog) and w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].reject()


def test_export_menu_lists_the_rosters(window):
    texts = [a.text() for a in window.export_menu.actions()]
    assert texts == ["党员花名册…", "党组织名册…", "楼栋党小组名册…", "志愿者名册…", "志愿服务记录…"]


def test_a_change_on_one_tab_reaches_the_others_when_shown(window, qtbot):
    window.tabs.setCurrentWidget(window.org_page)
    refreshed = []
    original = window.dashboard.refresh
    window.dashboard.refresh = lambda: (refreshed.append(True), original())[1]
    window.org_page.dataChanged.emit()
    assert window.dashboard in window._stale and not refreshed  # not reloaded while hidden
    window.tabs.setCurrentWidget(window.dashboard)
    assert refreshed == [True]
