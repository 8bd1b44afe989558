"""Start-up and the roster search that never blocks: tabs are built when first shown,
the dashboard can be read on a worker, pinyin warms up after the first paint, a search
widened again (backspace, edit, paste) gives what a fresh search gives, and a refresh
read on the worker keeps the filters, the search and the selection."""

from __future__ import annotations

import random

import pytest
from conftest import DEMO_TODAY
from PySide6.QtWidgets import QApplication
from test_members_factory import themed

from ui import theme
from ui.main_window import PAGE_SPECS, MainWindow
from ui.member_table_model import MemberTableModel
from ui.members_tab import MembersTab
from wanghu_desk import gui, pinyin
from wanghu_desk.services import members
from wanghu_desk.services.members import R_ID, R_INITIALS, R_NAME, R_PHONE, RosterFilter


def _window(qtbot, handle, **kwargs) -> MainWindow:
    theme.apply_theme(QApplication.instance())
    window = MainWindow(handle, demo_builder=None, today=lambda: DEMO_TODAY, **kwargs)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_tab_is_built_when_first_shown(qtbot, demo_db):
    window = _window(qtbot, demo_db)
    assert window.built_pages() == [window.dashboard]
    assert not any(window.is_built(key) for key, *_rest in PAGE_SPECS)
    assert not window.tabs.is_built(2)
    window.tabs.setCurrentIndex(2)  # 党员
    assert window.is_built("members") and window.tabs.is_built(2)
    tab = window.tabs.currentWidget()
    assert isinstance(tab, MembersTab) and tab is window.members_tab and tab.isVisible()
    qtbot.waitUntil(lambda: tab.model.total_count > 0, timeout=20_000)  # it loaded on first show
    assert not window.is_built("ledger") and not window.is_built("org")
    ledger = window.ledger_tab  # reached from outside (a reminder, a test): built, not yet shown
    assert window.is_built("ledger") and not ledger.isVisible()
    window.tabs.setCurrentWidget(ledger)
    assert window.tabs.currentIndex() == [key for key, _title in window.page_titles].index("ledger")
    assert ledger.isVisible() and ledger not in window._stale


def test_the_dashboard_read_on_a_worker_shows_the_same_figures(qtbot, demo_db):
    window = _window(qtbot, demo_db, dashboard_in_background=True)
    qtbot.waitUntil(lambda: window.dashboard.figures is not None, timeout=20_000)
    background = (window.dashboard.status_text(), window.counts_label.text())
    window.dashboard.refresh()
    assert background == (window.dashboard.status_text(), window.counts_label.text())
    assert "党支部 74 个" in background[1]


def test_the_dashboard_worker_starts_only_after_the_first_paint(qtbot, demo_db):
    theme.apply_theme(QApplication.instance())
    window = MainWindow(demo_db, demo_builder=None, today=lambda: DEMO_TODAY, dashboard_in_background=True)
    qtbot.addWidget(window)
    QApplication.processEvents()
    assert window.dashboard_reader is None and window.dashboard.figures is None  # not painted yet
    assert window.counts_label.text() == "正在读取统计数据…"
    window.show()
    qtbot.waitUntil(lambda: window.dashboard.figures is not None, timeout=20_000)
    assert "党支部 74 个" in window.counts_label.text()


def test_pinyin_warms_up_after_the_first_paint(qtbot, demo_db, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(pinyin, "warm_up", lambda: calls.append(1))
    theme.apply_theme(QApplication.instance())
    window = MainWindow(demo_db, demo_builder=None, today=lambda: DEMO_TODAY)
    qtbot.addWidget(window)
    gui.warm_up_after_first_paint(window)
    QApplication.processEvents()
    assert calls == []  # not shown, not painted: nothing yet
    window.show()
    qtbot.waitUntil(lambda: calls == [1], timeout=5_000)
    window.repaint()
    QApplication.processEvents()
    assert calls == [1]  # once


def _steps(text: str) -> list[str]:
    """Typed forward, deleted back, edited in the middle, emptied and pasted again."""
    forward = [text[:i] for i in range(1, len(text) + 1)]
    middle = len(text) // 2
    edited = text[:middle] + "x" + text[middle + 1:]
    return forward + forward[-2::-1] + [edited, "", text]


def test_widening_a_search_gives_what_a_fresh_search_gives(demo_db):
    roster = members.load_roster()
    model = MemberTableModel(today=DEMO_TODAY)
    model.set_roster(roster)
    rng = random.Random(18)
    people = rng.sample(roster.rows, 6)
    queries = [p[R_NAME] for p in people] + [p[R_INITIALS] for p in people[:3]]
    queries += [(p[R_PHONE] or "138")[-5:] for p in people[:2]] + ["王 " + people[0][R_INITIALS][:1]]
    for query in queries:
        for step in _steps(query):
            model.set_search(step)
            fresh = members.apply_filter(roster.rows, RosterFilter(search=step), today=DEMO_TODAY, roster=roster)
            assert [r[R_ID] for r in model.shown_rows()] == [r[R_ID] for r in fresh], (query, step)


@pytest.fixture
def async_tab(qtbot, demo_db, monkeypatch) -> MembersTab:
    monkeypatch.setattr(MembersTab, "ASYNC_THRESHOLD", 0)  # the worker path of a large roster
    tab = themed(qtbot, MembersTab(today=lambda: DEMO_TODAY))
    tab.resize(1400, 860)
    tab.show()
    qtbot.waitExposed(tab)
    with qtbot.waitSignal(tab.loaded, timeout=20_000):
        tab.refresh()
    return tab


def test_refresh_on_the_worker_keeps_the_filter_the_search_and_the_selection(qtbot, async_tab):
    tab = async_tab
    tab.category_filter.setCurrentIndex(tab.category_filter.findData("full"))
    tab.set_search("王")
    shown = [r[R_ID] for r in tab.model.shown_rows()]
    assert 1 < len(shown) < tab.model.total_count
    chosen = shown[len(shown) // 2]
    assert tab.select_member(chosen)
    old_roster = tab.model.roster
    with qtbot.waitSignal(tab.loaded, timeout=20_000):
        tab.refresh()  # F5
        assert tab.is_loading
    assert tab.model.roster is not old_roster  # read again
    assert tab.model.current_filter.category == "full" and tab.search.text() == "王"
    assert [r[R_ID] for r in tab.model.shown_rows()] == shown
    assert tab.current_member_id() == chosen and tab.detail.detail.id == chosen


def test_a_search_typed_while_the_worker_reads_is_applied_to_the_new_roster(qtbot, async_tab):
    tab = async_tab
    with qtbot.waitSignal(tab.loaded, timeout=20_000):
        tab.refresh()
        tab.set_search("张")  # typed while the roster is read again
    roster = tab.model.roster
    wanted = members.apply_filter(roster.rows, RosterFilter(search="张"), today=DEMO_TODAY, roster=roster)
    assert [r[R_ID] for r in tab.model.shown_rows()] == [r[R_ID] for r in wanted]


def test_keystrokes_are_searched_on_the_next_turn_of_the_event_loop(qtbot, async_tab):
    tab = async_tab
    tab.search.setText("王")
    tab.search.setText("王小")  # two keys waiting: one search, the newest
    assert tab.model.current_filter.search == ""
    qtbot.waitUntil(lambda: tab.model.current_filter.search == "王小", timeout=2_000)
    tab.search.clear()  # an emptied box shows everything at once
    assert tab.model.current_filter.search == "" and tab.model.shown_count == len(tab.model.searcher().rows)
