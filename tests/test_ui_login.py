"""The first start's administrator password, the login window and the password dialogs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from test_members_factory import record_dialogs

from models import Account
from ui import login_dialog
from ui.login_dialog import LoginDialog, PasswordDialog, SetupDialog
from wanghu_desk import gui
from wanghu_desk.services import accounts, base

ADMIN_PASSWORD = "wanghu-admin-1"


pytestmark = pytest.mark.usefixtures("quick_hashes")  # cheap argon2 (tests/conftest.py)


@pytest.fixture
def dialog_log(monkeypatch):
    return record_dialogs(monkeypatch)


@pytest.fixture
def with_admin(fresh_db):
    accounts.create_first_admin(ADMIN_PASSWORD, display_name="王主任")
    return fresh_db


def _type(qtbot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_first_start_sets_the_administrator_password(qtbot, fresh_db):
    dialog = SetupDialog()
    qtbot.addWidget(dialog)
    assert dialog.username.text() == "admin"
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    _type(qtbot, dialog.password, ADMIN_PASSWORD)
    _type(qtbot, dialog.repeat, "something-else")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "不一致" in dialog.error_text() and dialog.result() != QDialog.DialogCode.Accepted
    assert accounts.needs_setup()
    _type(qtbot, dialog.password, "short")
    _type(qtbot, dialog.repeat, "short")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "至少 6 位" in dialog.error_text()
    _type(qtbot, dialog.password, ADMIN_PASSWORD)
    _type(qtbot, dialog.repeat, ADMIN_PASSWORD)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None and dialog.actor.is_admin
    assert not accounts.needs_setup()


def test_login_refuses_a_wrong_password_then_logs_in(qtbot, with_admin):
    dialog = LoginDialog(username="admin")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _type(qtbot, dialog.password, "not-it-at-all")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "再输错 4 次" in dialog.error_text()
    assert dialog.password.text() == "" and dialog.username.text() == "admin"
    assert dialog.result() != QDialog.DialogCode.Accepted
    _type(qtbot, dialog.password, ADMIN_PASSWORD)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (dialog.actor.username, dialog.actor.display_name) == ("admin", "王主任")


def test_login_window_locks_after_five_wrong_passwords(qtbot, with_admin):
    dialog = LoginDialog(username="admin")
    qtbot.addWidget(dialog)
    for _ in range(accounts.MAX_WRONG_PASSWORDS):
        _type(qtbot, dialog.password, "not-it-at-all")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "已锁定" in dialog.error_text()
    _type(qtbot, dialog.password, ADMIN_PASSWORD)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "已锁定" in dialog.error_text() and dialog.result() != QDialog.DialogCode.Accepted
    assert Account.get(Account.username == "admin").locked_until is not None


def test_sign_in_picks_the_dialog_the_database_needs(qapp, monkeypatch, fresh_db):
    shown = []

    def fake_exec(self):
        shown.append(type(self).__name__)
        if isinstance(self, SetupDialog):
            self.password.setText(ADMIN_PASSWORD)
            self.repeat.setText(ADMIN_PASSWORD)
        else:
            self.password.setText(ADMIN_PASSWORD)
        self._ok()
        return self.result()

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    first = login_dialog.sign_in()
    assert first.is_admin and shown == ["SetupDialog"]
    again = login_dialog.sign_in(username="admin")
    assert again == first and shown == ["SetupDialog", "LoginDialog"]
    with base.acting_as(first):
        accounts.set_single_user_mode(True)
    assert login_dialog.sign_in() == first and len(shown) == 2  # no dialog in single-user mode


def test_quitting_the_login_closes_the_program(monkeypatch, tmp_path, dialog_log):
    """gui.main on a protected database: 退出 at the login ends with exit code 0, no window."""
    from wanghu_desk import database

    path = tmp_path / "w.db"
    with database.opened(path, lock=False):
        accounts.create_first_admin(ADMIN_PASSWORD)
    monkeypatch.setattr(gui, "_setup_crash_logging", lambda: tmp_path / "log.txt")
    monkeypatch.setattr(gui, "install_excepthook", lambda: None)
    monkeypatch.setattr(QApplication, "exec", lambda *a: 0)
    monkeypatch.setattr(QDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    built = []
    monkeypatch.setattr(gui.main_window, "MainWindow", lambda *a, **k: built.append(a))
    assert gui.main(path) == 0
    assert built == [] and dialog_log.calls == []
    assert base.session_actor() == base.NOBODY  # nothing ran as anyone


def test_logging_in_through_main_acts_as_that_account(monkeypatch, tmp_path, dialog_log):
    from wanghu_desk import database

    path = tmp_path / "w.db"
    with database.opened(path, lock=False):
        admin = accounts.create_first_admin(ADMIN_PASSWORD)
        with base.acting_as(admin):
            accounts.add_account("kan", "查看员", "viewer", "viewer-pass-1")
    monkeypatch.setattr(gui, "_setup_crash_logging", lambda: tmp_path / "log.txt")
    monkeypatch.setattr(gui, "install_excepthook", lambda: None)
    monkeypatch.setattr(QApplication, "exec", lambda *a: 0)

    def log_in(self):
        self.username.setText("kan")
        self.password.setText("viewer-pass-1")
        self._ok()
        return self.result()

    monkeypatch.setattr(QDialog, "exec", log_in)
    seen = []

    from PySide6.QtCore import QObject

    class Window(QObject):  # gui.main hangs its first-paint watcher on the window
        def __init__(self, handle, **_options):
            super().__init__()
            seen.append(base.current_actor())

        def show(self):
            pass

    monkeypatch.setattr(gui.main_window, "MainWindow", Window)
    assert gui.main(path) == 0
    assert [(a.username, a.role) for a in seen] == [("kan", "viewer")]


def test_changing_ones_own_password_and_resetting_anothers(qtbot, with_admin):
    admin = accounts.authenticate("admin", ADMIN_PASSWORD)
    with base.acting_as(admin):
        clerk_id = accounts.add_account("lixiao", "李晓", "clerk", "clerk-pass-1")
        dialog = PasswordDialog()
        qtbot.addWidget(dialog)
        _type(qtbot, dialog.old, "wrong-old-pass")
        _type(qtbot, dialog.password, "new-admin-pass")
        _type(qtbot, dialog.repeat, "new-admin-pass")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert "原密码不正确" in dialog.error_text()
        _type(qtbot, dialog.old, ADMIN_PASSWORD)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.result() == QDialog.DialogCode.Accepted

        reset = PasswordDialog(account_id=clerk_id, account_name="李晓")
        qtbot.addWidget(reset)
        assert reset.old.isHidden() and "李晓" in reset.intro.text()
        _type(qtbot, reset.password, "given-in-person")
        _type(qtbot, reset.repeat, "given-in-person")
        qtbot.mouseClick(reset.ok_button, Qt.MouseButton.LeftButton)
        assert reset.result() == QDialog.DialogCode.Accepted
    assert accounts.authenticate("admin", "new-admin-pass").is_admin
    assert accounts.authenticate("lixiao", "given-in-person").role == "clerk"
