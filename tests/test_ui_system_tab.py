"""The 系统 tab (pytest-qt): an administrator adds an account through its dialog, resets its
password and disables it; a clerk sees no account actions and the services refuse them
anyway; the 操作日志 viewer narrows by account, kind of record, action and days, shows the
changes with Chinese field names and exports what it lists to Excel. Every modal is
patched: nothing waits on a person."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QFileDialog
from test_members_factory import TODAY, add_member, make_org, member_form, record_dialogs

from models import Account, AuditEvent
from ui import workers
from ui.login_dialog import PasswordDialog
from ui.system_tab import AccountDialog, SystemTab
from ui.table_view import select_ids
from wanghu_desk.errors import PermissionDenied
from wanghu_desk.services import accounts, audit_log, members
from wanghu_desk.services.base import acting_as, set_session_actor

ADMIN_PASSWORD = "system-admin-pass-1"
CLERK_PASSWORD = "system-clerk-pass-1"


pytestmark = pytest.mark.usefixtures("quick_hashes")  # cheap argon2 (tests/conftest.py)


@pytest.fixture
def dialog_log(monkeypatch):
    return record_dialogs(monkeypatch)


@pytest.fixture
def opened(monkeypatch) -> list[QDialog]:
    """The dialogs the tab opens, not shown: the test fills them in and presses 保存."""
    shown: list[QDialog] = []
    for cls in (AccountDialog, PasswordDialog):
        monkeypatch.setattr(cls, "open", lambda self: shown.append(self))
    return shown


@pytest.fixture
def office(fresh_db):
    """An administrator (王主任) and a clerk (陆录入) with passwords; the administrator built
    a small organisation, the clerk entered a member and corrected her name; the log has
    events on three days."""
    admin = accounts.create_first_admin(ADMIN_PASSWORD, display_name="王主任")
    with acting_as(admin):
        accounts.add_account("lu", "陆录入", "clerk", CLERK_PASSWORD)
        org = make_org()
    clerk = accounts.authenticate("lu", CLERK_PASSWORD)
    with acting_as(clerk):
        form = member_form(org.branch, name="张三")
        mid = members.create_member(form, today=TODAY)
        members.update_member(mid, {**form, "name": "李四"}, today=TODAY)
        add_member(org.branch, name="王五")
    # the organisation was built two days ago, the logins yesterday: the date filter has days to tell apart
    AuditEvent.update(at="2026-11-20T09:00:00").where(AuditEvent.account_name == "admin",
                                                      AuditEvent.entity != "account").execute()  # fmt: skip
    AuditEvent.update(at="2026-11-21T08:30:00").where(AuditEvent.entity == "account").execute()
    AuditEvent.update(at="2026-11-22T10:15:00").where(AuditEvent.entity == "member").execute()
    set_session_actor(admin)
    return {"admin": admin, "clerk": clerk, "member": mid}


@pytest.fixture
def tab(qtbot, office):
    widget = SystemTab(today=lambda: dt.date(2026, 11, 22))
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.refresh()
    return widget


def _status_of(tab: SystemTab, username: str) -> str:
    page = tab.accounts_page
    rows = [page.model.row_at(i) for i in range(page.model.shown_count)]
    return next(r.status for r in rows if r.username == username)


# ---------------------------------------------------------------- accounts


def test_the_administrator_adds_resets_and_disables_an_account(qtbot, tab, opened, dialog_log):
    page = tab.accounts_page
    assert not tab.sections.isHidden() and tab.note_panel.isHidden()
    assert "王主任" in tab.who.text() and "管理员" in tab.who.text()
    assert page.status_text() == "账号 2 个"

    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    (dialog,) = opened
    assert isinstance(dialog, AccountDialog) and dialog.windowTitle() == "新增账号"
    dialog.username.setText("lixiao")
    dialog.display_name.setText("李晓")
    dialog.role.setCurrentIndex(dialog.role.findData("viewer"))
    dialog.password.setText("lixiao-first-1")
    dialog.repeat.setText("lixiao-first-2")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "不一致" in dialog.error_text() and dialog.result() != QDialog.DialogCode.Accepted
    dialog.repeat.setText("lixiao-first-1")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert page.status_text() == "账号 3 个" and _status_of(tab, "lixiao") == "正常"
    new_id = dialog.saved_id
    assert accounts.authenticate("lixiao", "lixiao-first-1").role == "viewer"

    assert select_ids(page.view, [new_id])
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    reset = opened[-1]
    assert isinstance(reset, PasswordDialog) and "李晓（lixiao）" in reset.intro.text()
    reset.password.setText("lixiao-again-3")
    reset.repeat.setText("lixiao-again-3")
    qtbot.mouseClick(reset.ok_button, Qt.MouseButton.LeftButton)
    assert reset.result() == QDialog.DialogCode.Accepted
    assert accounts.authenticate("lixiao", "lixiao-again-3").username == "lixiao"

    assert select_ids(page.view, [new_id]) and page.active_button.text() == "停用"
    dialog_log.answer = True
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    assert [title for kind, title, _t in dialog_log.calls if kind == "ask"] == ["停用账号"]
    assert _status_of(tab, "lixiao") == "已停用" and page.active_button.text() == "启用"
    with pytest.raises(accounts.LoginError, match="已停用"):
        accounts.authenticate("lixiao", "lixiao-again-3")
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.entity == "account",
                                                            AuditEvent.entity_id == new_id).order_by(AuditEvent.id)]
    assert [a for a in actions if a != "login"] == ["create", "reset_password", "disable"]
    assert not [c for c in dialog_log.calls if c[0] in ("error", "crash")]


def test_a_refused_disable_says_why_and_changes_nothing(qtbot, tab, dialog_log):
    page = tab.accounts_page
    assert select_ids(page.view, [tab_admin_id()])
    dialog_log.answer = True
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    assert dialog_log.texts("error") == ["不能停用正在使用的账号。"]
    assert _status_of(tab, "admin") == "正常"


def tab_admin_id() -> int:
    return Account.get(Account.username == "admin").id


def test_a_clerk_has_no_account_actions_and_the_services_refuse_them(qtbot, office, dialog_log):
    set_session_actor(office["clerk"])
    widget = SystemTab()
    qtbot.addWidget(widget)
    widget.refresh()
    assert widget.sections.isHidden() and not widget.note_panel.isHidden()
    assert "只有管理员" in widget.admin_note.text()
    assert "陆录入" in widget.who.text() and "录入员" in widget.who.text()
    assert widget.password_button.isEnabled()  # one's own password, yes
    assert widget.status_text() == ""
    assert widget.accounts_page.model.total_count == 0 and widget.audit_viewer.model.total_count == 0
    clerk_id = office["clerk"].account_id
    for call in (
        lambda: accounts.add_account("x1", "某某", "admin", "someone-else-1"),
        lambda: accounts.set_account_active(clerk_id, False),
        lambda: accounts.reset_password(clerk_id, "taken-over-1"),
        lambda: accounts.list_accounts(),
        lambda: audit_log.search(),
    ):
        with pytest.raises(PermissionDenied, match="只有管理员"):
            call()
    # a stale page used anyway: the refusal is shown, nothing changes
    widget.accounts_page.model.set_rows([accounts.AccountRow(clerk_id, "lu", "陆录入", "clerk", "录入员", True, "正常",
                                                             "", "", True)])  # fmt: skip
    select_ids(widget.accounts_page.view, [clerk_id])
    dialog_log.answer = True
    widget.accounts_page.toggle_active()
    assert dialog_log.texts("error") == ["只有管理员可以做这项操作。"]
    assert Account.get_by_id(clerk_id).is_active


# ---------------------------------------------------------------- the audit log


def _shown(viewer):
    return [viewer.model.row_at(i) for i in range(viewer.model.shown_count)]


def _pick(combo, code) -> None:
    index = combo.findData(code)
    assert index > 0, code
    combo.setCurrentIndex(index)


def test_the_log_narrows_by_account_entity_action_and_days(qtbot, tab):
    tab.sections.setCurrentWidget(tab.audit_viewer)
    viewer = tab.audit_viewer
    everything = _shown(viewer)
    total = AuditEvent.select().count()
    assert len(everything) == total > 20 and viewer.status_text() == f"共 {total:,} 条"
    assert [e.at for e in everything] == sorted((e.at for e in everything), reverse=True)  # newest first

    _pick(viewer.account_combo, "lu")
    assert viewer.account_combo.currentText() == "陆录入（lu）"
    by_clerk = _shown(viewer)
    assert 0 < len(by_clerk) < total and {e.username for e in by_clerk} == {"lu"}
    assert {e.account for e in by_clerk} == {"陆录入"}

    _pick(viewer.entity_combo, "member")
    members_by_clerk = _shown(viewer)
    assert {e.entity for e in members_by_clerk} == {"党员"} and len(members_by_clerk) == 3
    _pick(viewer.action_combo, "rename")
    (renamed,) = _shown(viewer)
    assert (renamed.action, renamed.entity_id) == ("更名", tab_member_id())

    viewer.filter_bar.clear()
    assert len(_shown(viewer)) == total
    viewer.date_from.setDate(QDate(2026, 11, 21))
    viewer.date_to.setDate(QDate(2026, 11, 21))
    one_day = _shown(viewer)
    assert one_day and {e.at[:10] for e in one_day} == {"2026-11-21"} and {e.entity for e in one_day} == {"账号"}
    viewer.date_from.setDate(QDate(2026, 11, 22))
    assert "开始日期晚于结束日期" in viewer.filter_bar.count_label.text() and viewer.model.total_count == 0
    viewer.date_to.setDate(QDate(2026, 11, 22))
    assert {e.entity for e in _shown(viewer)} == {"党员"}


def tab_member_id() -> int:
    return AuditEvent.get(AuditEvent.entity == "member", AuditEvent.action == "rename").entity_id


def test_before_and_after_are_shown_with_chinese_field_names(qtbot, tab):
    viewer = tab.audit_viewer
    tab.sections.setCurrentWidget(viewer)
    _pick(viewer.action_combo, "rename")
    _pick(viewer.entity_combo, "member")
    (entry,) = _shown(viewer)
    assert entry.details == "姓名：张三 → 李四"
    details = viewer.details.toPlainText()
    assert "陆录入" in details and "更名" in details and "对象：党员" in details and "name" not in details
    cells = [line.strip() for line in details.splitlines() if line.strip()]
    assert cells[-6:] == ["项目", "修改前", "修改后", "姓名", "张三", "李四"]
    created = AuditEvent.get(AuditEvent.entity == "member", AuditEvent.action == "create",
                             AuditEvent.entity_id == entry.entity_id)  # fmt: skip
    viewer.filter_bar.clear()
    _pick(viewer.entity_combo, "member")
    _pick(viewer.action_combo, "create")
    first = next(e for e in _shown(viewer) if e.id == created.id)
    labels = [c.label for c in first.changes]
    assert labels[:2] == ["姓名", "公民身份号码"] and "所在党支部" in labels and "联系电话" in labels
    assert all(not label.isascii() for label in labels), labels
    select_ids(viewer.view, [first.id])
    cells = [line.strip() for line in viewer.details.toPlainText().splitlines() if line.strip()]
    assert cells[cells.index("项目"):][:5] == ["项目", "内容", "姓名", "张三", "公民身份号码"]
    id_number = next(c.after for c in first.changes if c.label == "公民身份号码")
    assert len(id_number) == 18 and "*" not in id_number  # an administrator reads the full number


def test_export_writes_the_listed_events_to_a_workbook(qtbot, tab, tmp_path, monkeypatch, dialog_log):
    viewer = tab.audit_viewer
    tab.sections.setCurrentWidget(viewer)
    _pick(viewer.account_combo, "lu")
    listed = _shown(viewer)
    asked = []

    def save_as(parent, title, suggested, filters):
        asked.append((title, suggested))
        return str(tmp_path / "日志 导出"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    task = viewer.export()
    assert task is not None
    qtbot.waitUntil(lambda: task.worker not in workers._running, timeout=20_000)
    assert asked == [("导出操作日志", asked[0][1])] and asked[0][1].endswith("操作日志-20261122.xlsx")
    written = tmp_path / "日志 导出.xlsx"
    assert dialog_log.texts("inform") == [f"已导出 {len(listed):,} 条操作日志到：\n{written}"]

    book = openpyxl.load_workbook(written, read_only=True)
    sheet = book["操作日志"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    header_at = next(i for i, r in enumerate(rows) if r[:3] == ("序号", "时间", "账号"))
    assert rows[header_at] == ("序号", "时间", "账号", "对象", "记录编号", "操作", "内容")
    assert "操作日志" in str(rows[0][0]) and "筛选：陆录入（lu）" in " ".join(str(c) for r in rows[:header_at] for c in r if c)
    body = [r for r in rows[header_at + 1:] if r[0] is not None]
    assert len(body) == len(listed)
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in body] == [
        (i, e.at, "陆录入", e.entity, e.action) for i, e in enumerate(listed, start=1)
    ]
    assert tuple(r[6] for r in body if r[5] == "更名") == ("姓名：张三 → 李四",)


def test_nothing_listed_nothing_exported(qtbot, tab, monkeypatch, dialog_log):
    viewer = tab.audit_viewer
    tab.sections.setCurrentWidget(viewer)
    viewer.date_from.setDate(QDate(2030, 1, 1))
    assert viewer.model.shown_count == 0 and not viewer.export_button.isEnabled()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("no file dialog"))
    assert viewer.export() is None
    assert dialog_log.texts("inform") == ["没有可导出的记录。请先清除筛选。"]
