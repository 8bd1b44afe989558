"""The main window on the 望湖街道 demo and on an empty database: title, tabs and
shortcuts, the dashboard's figures (compared with `stats.collect()`), the organisation
tree and its search, backup and restore through the 文件 menu, the empty state; and
`wanghu_desk.gui` (no display, refused and damaged databases, first start).

No test waits on a modal dialog: `ui.dialogs` and `QFileDialog` are monkeypatched, and
background work is awaited with `qtbot.waitUntil`."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest
from conftest import DEMO_TODAY
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

from ui import dialogs, formatting, theme
from ui.dashboard import EMPTY_TEXT
from ui.main_window import MainWindow
from ui.org_tree_model import COL_BRANCHES, COL_GROUPS, COL_MEMBERS, NODE_ROLE, OrgTreeModel
from wanghu_desk import database, errors, gui, paths
from wanghu_desk.services import organization, stats


class DialogLog:
    """Stands in for `ui.dialogs`: records every message; `answer` is what `ask` returns
    (None means a question is a test failure)."""

    def __init__(self):
        self.calls: list[tuple[str, str, str]] = []
        self.answer: bool | None = None

    def ask(self, parent, title, text, *args, **kwargs):
        self.calls.append(("ask", title, text))
        if self.answer is None:
            raise AssertionError(f"unexpected question: {text}")
        return self.answer

    def notice(self, kind):
        def show(parent, title, text, *args, **kwargs):
            self.calls.append((kind, title, text))

        return show

    def kinds(self) -> list[str]:
        return [c[0] for c in self.calls]


@pytest.fixture(autouse=True)
def dialog_log(monkeypatch) -> DialogLog:
    log = DialogLog()
    monkeypatch.setattr(dialogs, "ask", log.ask)
    for kind in ("inform", "warn", "error"):
        monkeypatch.setattr(dialogs, kind, log.notice(kind))
    monkeypatch.setattr(dialogs, "crash", lambda parent=None, log_path=None: log.calls.append(("crash", "", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("unexpected file dialog"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: pytest.fail("unexpected file dialog"))
    return log


def open_window(qtbot, handle, **kwargs) -> MainWindow:
    theme.apply_theme(QApplication.instance())
    kwargs.setdefault("demo_builder", None)
    window = MainWindow(handle, today=lambda: DEMO_TODAY, **kwargs)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot, demo_db) -> MainWindow:
    return open_window(qtbot, demo_db)


def wait_idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.busy, timeout=20_000)


def type_chinese(widget, text: str) -> None:
    """Type as a Chinese input method does: it commits whole words (QTest.keyClicks only
    knows Latin-1 keys)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def label_text(window: MainWindow, name: str) -> str:
    label = window.findChild(QLabel, name)
    assert label is not None, name
    return label.text()


# ---------------------------------------------------------------- window, tabs


def test_title_header_and_status_bar(window, demo_db):
    assert "望湖街道" in window.windowTitle()
    assert window.windowTitle() == f"{stats.organization_name()} · 党建引领社区治理台账"
    assert window.header_title.text() == stats.organization_name()
    assert str(demo_db.path) in window.path_label.text()
    assert "党支部 74 个" in window.counts_label.text()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "首页", "党组织", "党员", "楼栋党小组", "志愿服务", "居民事项", "双报到", "星级评定", "经费台账", "报表中心", "系统",
    ]


def test_tabs_switch_by_shortcut_and_by_clicking_the_tab_bar(window, qtbot):
    window.activateWindow()
    qtbot.waitActive(window)
    assert window.tabs.currentWidget() is window.dashboard
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.org_page
    assert window.counts_label.text().startswith("党组织 ")
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.dashboard
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert window.tabs.currentWidget() is window.org_page
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
    assert window.tabs.currentWidget() is window.dashboard


def test_f5_refreshes_what_changed_underneath(window, qtbot):
    window.activateWindow()
    qtbot.waitActive(window)
    database.db.execute_sql("UPDATE organization SET area_name = '新湖街道' WHERE kind = 'working_committee'")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.header_title.text() == "新湖街道"
    assert "新湖街道" in window.windowTitle()


# ---------------------------------------------------------------- dashboard


def test_dashboard_shows_the_demo_figures(window):
    figures = stats.collect()
    assert not window.dashboard.showing_empty_state
    # the SPEC's figures for 望湖街道
    assert label_text(window, "branchesValue") == "74"
    assert label_text(window, "groupsValue") == "233"
    sentence = label_text(window, "ratingSentence")
    assert "74 个支部中一星以上 66 个" in sentence and "五星 7 个" in sentence
    # everything else exactly as stats.collect() says
    assert label_text(window, "membersValue") == formatting.count(figures["members"]["total"])
    assert label_text(window, "teamsValue") == formatting.count(figures["volunteer_teams"])
    branch_rows = dict(window.dashboard.branches_card.detail_texts())
    assert branch_rows["小区(片区)党支部"] == str(figures["branches"]["by_category"]["estate"])
    member_rows = dict(window.dashboard.members_card.detail_texts())
    assert member_rows["正式党员"] == formatting.count(figures["members"]["by_category"]["full"])
    assert member_rows["预备党员"] == formatting.count(figures["members"]["by_category"]["probationary"])
    year = str(DEMO_TODAY.year)
    ledger = figures["ledger"][year]
    assert ledger["allocated_fen"] >= 29 * 1_000_000  # ¥10,000 to every estate branch
    assert label_text(window, "fundsAllocatedValue") == formatting.money(ledger["allocated_fen"])
    assert label_text(window, "fundsSpentValue") == formatting.money(ledger["spent_fen"])
    assert label_text(window, "fundsBalanceValue") == formatting.money(ledger["balance_fen"])
    assert label_text(window, "fundsAllocatedValue").startswith("¥") and "," in label_text(
        window, "fundsAllocatedValue"
    )
    by_stars = figures["ratings"][str(DEMO_TODAY.year - 1)]["by_stars"]
    assert window.dashboard.star_chart.counts == {int(s): n for s, n in by_stars.items()}
    assert window.dashboard.star_chart.counts[5] == 7


def test_empty_database_shows_the_empty_state_and_loads_the_demo(qtbot, fresh_db):
    from wanghu_desk import demo

    window = open_window(qtbot, fresh_db, demo_builder=functools.partial(demo.build_demo, today=DEMO_TODAY))
    dash = window.dashboard
    assert dash.showing_empty_state
    assert dash.empty_label.text() == EMPTY_TEXT
    assert dash.demo_button.isVisible() and dash.demo_button.text() == "加载演示数据"
    window.tabs.setCurrentWidget(window.org_page)  # pages load when first shown
    assert window.org_page.stack.currentWidget() is window.org_page.empty_label
    window.tabs.setCurrentWidget(dash)
    qtbot.mouseClick(dash.demo_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert not dash.showing_empty_state
    assert label_text(window, "branchesValue") == "74"
    window.tabs.setCurrentWidget(window.org_page)
    assert window.org_page.model.rowCount() == 1


def test_empty_state_without_a_demo_builder_offers_no_button(qtbot, fresh_db):
    window = open_window(qtbot, fresh_db)
    assert window.dashboard.showing_empty_state
    assert not window.dashboard.demo_button.isVisible()


# ---------------------------------------------------------------- organisation tree


def visible_nodes(proxy, parent=None):
    parent = parent or QModelIndex()
    for row in range(proxy.rowCount(parent)):
        index = proxy.index(row, 0, parent)
        yield index.data(NODE_ROLE)
        yield from visible_nodes(proxy, index)


def test_org_tree_holds_the_whole_structure(window):
    page = window.org_page
    window.tabs.setCurrentWidget(page)  # pages load when first shown
    assert page.model.rowCount() == 1
    root_index = page.proxy.index(0, 0)
    root = root_index.data(NODE_ROLE)
    assert root.kind == "working_committee"
    assert page.view.isExpanded(root_index)
    assert sum(1 for c in root.children if c.kind in ("community_committee", "general_branch")) == 5
    nodes = list(root.walk())
    assert sum(1 for n in nodes if n.kind == "branch") == 74
    assert sum(1 for n in nodes if n.kind == "group") == 233
    assert page.proxy.index(0, COL_BRANCHES).data() == "74"
    assert page.proxy.index(0, COL_GROUPS).data() == "233"
    figures = stats.collect()
    assert page.proxy.index(0, COL_MEMBERS).data() == formatting.count(figures["members"]["total"])
    alignment = Qt.AlignmentFlag(page.proxy.index(0, COL_MEMBERS).data(Qt.ItemDataRole.TextAlignmentRole))
    assert alignment & Qt.AlignmentFlag.AlignRight
    assert "党支部 74 个" in page.status_text() and "楼栋党小组 233 个" in page.status_text()


def test_org_tree_search_keeps_ancestors_of_matches(window, qtbot):
    page = window.org_page
    window.tabs.setCurrentWidget(page)  # pages load when first shown
    window.tabs.setCurrentWidget(page)
    root = page.model.roots()[0]
    communities = [c for c in root.children if c.kind == "community_committee"]
    target = communities[1].children[0]  # a branch of the second community
    other = communities[0].children[0]
    type_chinese(page.search, target.name)
    shown = list(visible_nodes(page.proxy))
    names = [n.name for n in shown]
    assert target.name in names
    assert root.name in names and communities[1].name in names  # its ancestors stay
    assert other.name not in names and communities[0].name not in names
    assert page.status_text().startswith("找到 ")
    root_index = page.proxy.index(0, 0)
    community_index = page.proxy.index(0, 0, root_index)
    assert community_index.data(NODE_ROLE) is communities[1]
    assert page.view.isExpanded(root_index) and page.view.isExpanded(community_index)  # the way to the match
    assert not page.view.isExpanded(page.proxy.index(0, 0, community_index))  # the match stays one row
    assert f"「{target.name}」" in window.counts_label.text()
    page.search.clear()
    assert len(list(visible_nodes(page.proxy))) == sum(1 for _ in root.walk())
    page.set_search("没有这个名字")
    assert page.proxy.rowCount() == 0
    assert page.status_text().startswith("找到 0 个")


def test_org_tree_model_passes_the_model_tester(qtmodeltester, demo_db):
    model = OrgTreeModel(organization.org_tree())
    qtmodeltester.check(model, force_py=True)
    model.set_roots([])
    qtmodeltester.check(model, force_py=True)


def test_org_tree_context_menu_and_harmless_double_click(window, qtbot):
    page = window.org_page
    window.tabs.setCurrentWidget(page)
    root_index = page.proxy.index(0, 0)
    menu = page.build_context_menu(root_index)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert {"展开全部", "折叠全部", "复制名称"} <= set(texts)
    actions = {a.text(): a for a in menu.actions()}
    actions["复制名称"].trigger()
    assert QGuiApplication.clipboard().text() == root_index.data(NODE_ROLE).name
    actions["展开全部"].trigger()
    community = page.proxy.index(0, 0, root_index)
    assert page.view.isExpanded(community)
    actions["折叠全部"].trigger()
    assert not page.view.isExpanded(root_index)
    assert not page.build_context_menu(QModelIndex()).actions()[-1].isEnabled()  # nothing to copy

    # double-clicking a committee only expands or collapses it; nothing is edited in place
    before = stats.collect()
    page.view.expandAll()
    community = page.proxy.index(0, 0, root_index)
    rect = page.view.visualRect(community)
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.view.state() != page.view.State.EditingState
    assert stats.collect() == before
    assert community.flags() & Qt.ItemFlag.ItemIsEditable == Qt.ItemFlag.NoItemFlags


# ---------------------------------------------------------------- backup and restore


def test_backup_through_the_menu_writes_a_checked_copy(window, qtbot, monkeypatch, tmp_path, dialog_log):
    target = tmp_path / "U盘" / "望湖备份"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "数据库备份 (*.db)"))
    window.backup_action.trigger()
    wait_idle(qtbot, window)
    written = target.with_name("望湖备份.db")
    info = database.inspect_file(written)
    assert info.is_ours and info.quick_check == "ok"
    assert dialog_log.kinds() == ["inform"]
    assert str(written) in dialog_log.calls[0][2]


def test_backup_cancelled_in_the_file_dialog_does_nothing(window, monkeypatch, dialog_log):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    window.backup_action.trigger()
    assert not window.busy and dialog_log.calls == []


def _rename_organization(name: str) -> None:
    database.db.execute_sql("UPDATE organization SET area_name = ? WHERE kind = 'working_committee'", (name,))


def test_restore_confirmed_brings_the_backup_back(window, qtbot, monkeypatch, tmp_path, dialog_log, demo_db):
    backup = tmp_path / "备份 2026.db"
    database.backup_to(backup)
    _rename_organization("改名街道")
    window.refresh_all()
    assert window.header_title.text() == "改名街道"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(backup), ""))
    dialog_log.answer = True
    window.restore_action.trigger()
    wait_idle(qtbot, window)
    assert dialog_log.calls[0] == (
        "ask",
        "恢复备份",
        "将用备份文件「备份 2026.db」替换数据库「wanghu.db」中的全部数据。要继续吗？",
    )
    assert dialog_log.kinds() == ["ask", "inform"]
    assert window.header_title.text() == "望湖街道"
    assert stats.organization_name() == "望湖街道"
    assert label_text(window, "branchesValue") == "74"
    safety = database.list_backups(demo_db.backups_dir, "before-restore")
    assert len(safety) == 1  # the data before the restore was kept


def test_restore_declined_changes_nothing(window, monkeypatch, tmp_path, dialog_log, demo_db):
    backup = tmp_path / "old.db"
    database.backup_to(backup)
    _rename_organization("改名街道")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(backup), ""))
    dialog_log.answer = False
    window.restore_action.trigger()
    assert not window.busy
    assert dialog_log.kinds() == ["ask"]
    assert stats.organization_name() == "改名街道"
    assert database.list_backups(demo_db.backups_dir, "before-restore") == []


def test_restore_of_a_file_that_is_not_a_backup_is_refused_in_chinese(window, qtbot, monkeypatch, tmp_path, dialog_log):
    bad = tmp_path / "花名册.db"
    bad.write_text("这不是数据库", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    dialog_log.answer = True
    before = stats.collect()
    window.restore_action.trigger()
    wait_idle(qtbot, window)
    assert dialog_log.kinds() == ["ask", "error"]
    assert "不是本程序的数据库备份" in dialog_log.calls[1][2]
    assert stats.collect() == before


def test_about_names_the_version_and_the_folders(window, dialog_log, demo_db):
    window.about_action.trigger()
    assert dialog_log.kinds() == ["inform"]
    assert "版本" in dialog_log.calls[0][2]


def test_open_backups_folder_opens_it(window, monkeypatch, demo_db):
    opened = []
    monkeypatch.setattr("ui.main_window.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()))
    window.open_backups_action.trigger()
    assert opened == [str(demo_db.backups_dir)]
    assert demo_db.backups_dir.is_dir()


# ---------------------------------------------------------------- wanghu_desk.gui


def test_main_without_a_display_says_so_in_one_line(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(gui.sys, "platform", "linux")

    def no_qapplication(*args, **kwargs):
        raise AssertionError("a QApplication must not be created without a display")

    monkeypatch.setattr(gui, "QApplication", no_qapplication)
    monkeypatch.setattr(gui, "_setup_crash_logging", lambda: pytest.fail("nothing may happen before the check"))
    assert gui.main() == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == gui.NO_DISPLAY_MESSAGE + "\n"
    assert out.err.startswith("没有可用的图形界面（No display available）。")


def test_display_check_per_platform():
    assert gui.display_available({}, "win32")
    assert gui.display_available({}, "darwin")
    assert not gui.display_available({}, "linux")
    assert gui.display_available({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert gui.display_available({"QT_QPA_PLATFORM": "offscreen"}, "linux")


@pytest.fixture
def quiet_main(monkeypatch, tmp_path):
    """gui.main without touching the test process's logging, excepthook or event loop."""
    monkeypatch.setenv("WANGHU_DESK_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(gui, "_setup_crash_logging", lambda: tmp_path / "home" / "logs" / "wanghu-desk.log")
    monkeypatch.setattr(gui, "install_excepthook", lambda: None)
    monkeypatch.setattr(QApplication, "exec", lambda *a: 0)
    from ui import login_dialog
    from wanghu_desk.services.base import SYSTEM_ADMIN

    monkeypatch.setattr(login_dialog, "sign_in", lambda *a, **k: SYSTEM_ADMIN)  # tests/test_ui_login.py drives it
    windows = []
    import ui.main_window

    original = ui.main_window.MainWindow

    def keep(*args, **kwargs):
        window = original(*args, **kwargs)
        windows.append(window)
        return window

    monkeypatch.setattr(ui.main_window, "MainWindow", keep)
    yield windows
    for window in windows:
        window.close()
        window.deleteLater()


def test_main_refuses_a_database_in_use(quiet_main, template_db, tmp_path, dialog_log):
    path = tmp_path / "在用.db"
    shutil.copyfile(template_db, path)
    other = database.DatabaseLock(path)
    other.acquire()  # another window holds it
    try:
        assert gui.main(path) == 2
    finally:
        other.release()
    assert dialog_log.kinds() == ["error"]
    assert "另一个窗口" in dialog_log.calls[0][2]
    assert quiet_main == []


def test_main_refuses_a_newer_database_untouched(quiet_main, template_db, tmp_path, dialog_log):
    import sqlite3

    path = tmp_path / "newer.db"
    shutil.copyfile(template_db, path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = path.read_bytes()
    assert gui.main(str(path)) == 2
    assert dialog_log.kinds() == ["error"] and "更新版本" in dialog_log.calls[0][2]
    assert path.read_bytes() == before


def test_first_start_offers_the_demo_and_closes_the_database(quiet_main, tmp_path, dialog_log):
    dialog_log.answer = False
    path = tmp_path / "新数据库.db"
    assert gui.main(path) == 0
    assert dialog_log.calls == [("ask", "欢迎使用", "这是第一次使用。要加载「望湖街道」演示数据吗？")]
    assert len(quiet_main) == 1
    assert quiet_main[0].dashboard.showing_empty_state
    with pytest.raises(RuntimeError):
        database.current()  # closed on exit
    lock = database.DatabaseLock(path)
    lock.acquire()  # the window's lock was released
    lock.release()


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[8192:8392] = b"\xa5" * 200  # scribble over a b-tree page
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged_with_backup(tmp_path, demo_template):
    path = tmp_path / "wanghu.db"
    shutil.copyfile(demo_template, path)
    with database.opened(path, lock=False):
        database.auto_backup("daily")
    _damage(path)
    with pytest.raises(errors.DamagedDatabaseError):
        database.refuse_unusable(database.inspect_file(path))
    return path


def test_damaged_database_is_restored_from_the_newest_good_backup_after_confirmation(damaged_with_backup, dialog_log):
    path = damaged_with_backup
    dialog_log.answer = True
    handle = gui.open_for_window(path)
    try:
        assert handle is not None
        assert stats.collect()["branches"]["total"] == 74
    finally:
        database.close_database()
    assert dialog_log.kinds() == ["ask"] and "已损坏" in dialog_log.calls[0][2]
    kept = [p for p in path.parent.iterdir() if "损坏" in p.name and p.suffix == ".db"]
    assert len(kept) == 1  # the damaged file is kept aside, not deleted


def test_damaged_database_is_left_alone_when_the_clerk_declines(damaged_with_backup, dialog_log):
    path = damaged_with_backup
    before = path.read_bytes()
    dialog_log.answer = False
    assert gui.open_for_window(path) is None
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if "损坏" in p.name]


def test_damaged_database_without_a_backup_explains_what_to_do(tmp_path, template_db, dialog_log):
    path = tmp_path / "wanghu.db"
    shutil.copyfile(template_db, path)
    _damage(path)
    assert gui.open_for_window(path) is None
    assert dialog_log.kinds() == ["error"]
    assert paths.backups_dir_for(path).exists() is False


def test_window_does_not_close_while_work_runs(window, dialog_log):
    window._active.add(object())  # as if a backup were running
    window.close()
    assert window.isVisible()
    assert dialog_log.kinds() == ["warn"]
    window._active.clear()
    window.close()
    assert not window.isVisible()


def test_excepthook_logs_and_shows_the_crash_dialog_or_the_chinese_message(qapp, dialog_log, caplog):
    for exc in (KeyError("内部错误"), errors.ValidationError("第 3 行：身份证号位数不对。")):
        try:
            raise exc
        except Exception as caught:  # noqa: BLE001
            gui._excepthook(type(caught), caught, caught.__traceback__)
    assert dialog_log.kinds() == ["crash", "error"]
    assert dialog_log.calls[1][2] == "第 3 行：身份证号位数不对。"
    assert "KeyError" in caplog.text
