"""系统: who is logged in and their password; for administrators, the accounts (add, edit,
disable or enable, reset a password, single-user mode) and the 操作日志 viewer.

Everyone sees the first line and may change their own password. The accounts and the log
are shown to administrators only; the services refuse the rest anyway
(`services.accounts`, `services.audit_log`), whatever this tab shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QPoint, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.audit_viewer import AuditViewer
from ui.filter_bar import EmptyState, FilterBar
from ui.login_dialog import PasswordDialog, _Form, _line, _primary
from ui.record_table_model import Column, RecordTableModel
from ui.table_view import current_record, make_table, select_ids
from wanghu_desk.errors import UserError
from wanghu_desk.services import accounts
from wanghu_desk.services.accounts import AccountRow
from wanghu_desk.services.base import current_actor

ACCOUNT_COLUMNS = (
    Column("username", "账号名", lambda a: a.username, sample="zhangxiaoming"),
    Column("display_name", "姓名", lambda a: a.display_name, sample="王主任"),
    Column("role", "角色", lambda a: a.role_label, sort=lambda a: {"admin": 0, "clerk": 1, "viewer": 2}.get(a.role),
           sample="录入员", tooltip=lambda a: accounts.ROLE_HINTS.get(a.role)),
    Column("status", "状态", lambda a: a.status, sample="已锁定", alert=lambda a: a.status == "已锁定"),
    Column("last_login_at", "最近登录", lambda a: a.last_login_at or None, sample="2026-11-22 10:30"),
    Column("created_at", "创建时间", lambda a: a.created_at or None, sample="2026-11-22 10:30"),
)  # fmt: skip


class AccountDialog(_Form):
    """A new account (name, role, first password) or an existing one's name and role."""

    def __init__(self, parent: QWidget | None = None, account: AccountRow | None = None):
        new = account is None
        super().__init__(
            parent,
            "新增账号" if new else "修改账号",
            "每人一个账号，不要共用。把初始密码当面告诉本人，请本人登录后在「系统」里改成自己的密码。"
            if new
            else f"修改「{account.username}」的姓名和角色。账号名不能改。",
            "保存",
        )
        self.account = account
        self.username = _line("accountUsername", text=account.username if account else "",
                              placeholder="字母或拼音，如 lixiao")  # fmt: skip
        self.username.setReadOnly(not new)
        self.display_name = _line("accountDisplayName", text=account.display_name if account else "")
        self.role = QComboBox()
        self.role.setObjectName("accountRole")
        for code, label in accounts.ROLES.items():
            self.role.addItem(f"{label}（{accounts.ROLE_HINTS[code]}）", code)
        self.role.setCurrentIndex(self.role.findData(account.role if account else "clerk"))
        self.password = _line("accountPassword", password=True, placeholder=f"至少 {accounts.MIN_PASSWORD_LENGTH} 位")
        self.repeat = _line("accountRepeat", password=True)
        self.form.addRow("账号名", self.username)
        self.form.addRow("姓名", self.display_name)
        self.form.addRow("角色", self.role)
        if new:
            self.form.addRow("初始密码", self.password)
            self.form.addRow("再输一次", self.repeat)
        self.saved_id: int | None = None

    def run(self) -> None:
        role = self.role.currentData()
        if self.account is None:
            if self.password.text() != self.repeat.text():
                self.repeat.clear()
                raise UserError("两次输入的密码不一致，请再输一次。")
            self.saved_id = accounts.add_account(
                self.username.text(), self.display_name.text(), role, self.password.text()
            )
        else:
            accounts.update_account(self.account.id, display_name=self.display_name.text(), role=role)
            self.saved_id = self.account.id


class AccountsPage(QWidget):
    """The accounts list with its buttons and the single-user switch."""

    statusChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("accountsPage")
        self.model = RecordTableModel(
            ACCOUNT_COLUMNS, self, search=lambda a: f"{a.username} {a.display_name}", muted=lambda a: not a.is_active
        )
        self.filter_bar = FilterBar("accounts", "搜索账号名或姓名", self, delay_ms=0)
        self.role_combo = self.filter_bar.add_combo(
            "accountsRole", [("全部角色", None)] + [(label, code) for code, label in accounts.ROLES.items()]
        )
        self.new_button = _primary(QPushButton("新增账号…", self))
        self.new_button.setObjectName("newAccountButton")
        self.edit_button = QPushButton("修改…", self)
        self.edit_button.setObjectName("editAccountButton")
        self.active_button = QPushButton("停用", self)
        self.active_button.setObjectName("toggleAccountButton")
        self.reset_button = QPushButton("重置密码…", self)
        self.reset_button.setObjectName("resetPasswordButton")
        self.new_button.clicked.connect(lambda _c=False: self.new())
        self.edit_button.clicked.connect(lambda _c=False: self.edit())
        self.active_button.clicked.connect(lambda _c=False: self.toggle_active())
        self.reset_button.clicked.connect(lambda _c=False: self.reset())
        for button in (self.new_button, self.edit_button, self.active_button, self.reset_button):
            self.filter_bar.add_widget(button)
        self.filter_bar.searchChanged.connect(lambda text: self._filter())
        self.filter_bar.filtersChanged.connect(self._filter)
        self.filter_bar.cleared.connect(self._filter)

        self.view = make_table("accountsTable", self.model, self, multi=False)
        self.view.doubleClicked.connect(lambda _i: self.edit())
        self.view.customContextMenuRequested.connect(self._menu)
        self.view.selectionModel().selectionChanged.connect(lambda _s, _d: self.update_actions())
        self.empty = EmptyState(self.view, what="账号", empty_text="还没有账号。点击「新增账号」。",
                                on_clear=self.filter_bar.clear, name="accountsEmpty")  # fmt: skip

        self.single_user = QCheckBox("单用户模式：打开程序时不用登录，直接以管理员身份进入", self)
        self.single_user.setObjectName("singleUserCheck")
        self.single_user.setToolTip("只有一个人使用这台电脑时才打开。打开后，任何能打开这台电脑的人都能看到完整数据。")
        self.single_user.clicked.connect(self._single_user_clicked)
        note = QLabel("管理员：一切操作、完整身份证号、账号和操作日志；录入员：录入和修改数据；查看：只能查看。"
                      "停用的账号不能登录，它的操作记录保留。", self)  # fmt: skip
        note.setProperty("role", "detail")
        note.setWordWrap(True)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 8, 0, 0)
        column.setSpacing(8)
        column.addWidget(self.filter_bar)
        column.addWidget(self.view, 1)
        column.addWidget(note)
        column.addWidget(self.single_user)

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        keep = self.selected()
        self.model.set_rows(accounts.list_accounts())
        self._filter()
        if (keep is None or not select_ids(self.view, [keep.id])) and self.model.shown_count:
            select_ids(self.view, [self.model.row_at(0).id])
        self.single_user.setChecked(accounts.single_user_mode())
        self.update_actions()

    def _filter(self) -> None:
        role = self.role_combo.currentData()
        self.model.set_predicate((lambda a: a.role == role) if role else None)
        self.model.set_search(self.filter_bar.text())
        self.filter_bar.set_count(self.status_text())
        self.update_actions()
        self.statusChanged.emit(self.status_text())

    def status_text(self) -> str:
        total, shown = self.model.total_count, self.model.shown_count
        return f"账号 {total} 个" if total == shown else f"账号 {total} 个，显示 {shown} 个"

    def selected(self) -> AccountRow | None:
        return current_record(self.view)

    def update_actions(self) -> None:
        account = self.selected()
        for button in (self.edit_button, self.active_button, self.reset_button):
            button.setEnabled(account is not None)
        if account is not None:
            self.active_button.setText("启用" if not account.is_active else "停用")
            self.active_button.setToolTip("允许这个账号再登录" if not account.is_active
                                          else "这个账号不能再登录；它的操作记录保留")  # fmt: skip

    def _menu(self, point: QPoint) -> None:
        account = self.selected()
        menu = QMenu(self)
        menu.addAction("新增账号…", self.new)
        if account is not None:
            menu.addAction("修改…", self.edit)
            menu.addAction("启用" if not account.is_active else "停用", self.toggle_active)
            menu.addAction("重置密码…", self.reset)
        menu.popup(self.view.viewport().mapToGlobal(point))

    # ------------------------------------------------------------ actions
    def open_dialog(self, dialog: _Form) -> None:
        """Shows the dialog (tests patch this); the list reloads after a save."""
        dialog.accepted.connect(self.refresh)
        dialog.open()

    def new(self) -> AccountDialog:
        dialog = AccountDialog(self)
        self.open_dialog(dialog)
        return dialog

    def edit(self) -> AccountDialog | None:
        account = self.selected()
        if account is None:
            return None
        dialog = AccountDialog(self, account)
        self.open_dialog(dialog)
        return dialog

    def reset(self) -> PasswordDialog | None:
        account = self.selected()
        if account is None:
            return None
        dialog = PasswordDialog(self, account_id=account.id, account_name=f"{account.display_name}（{account.username}）")
        self.open_dialog(dialog)
        return dialog

    def toggle_active(self) -> None:
        account = self.selected()
        if account is None:
            return
        if account.is_active and not dialogs.ask(
            self,
            "停用账号",
            f"停用「{account.display_name}（{account.username}）」后，这个账号不能再登录。",
            ok_text="停用",
            informative="它的操作记录保留；以后可以再启用。",
            default_ok=False,
        ):
            return
        try:
            accounts.set_account_active(account.id, not account.is_active)
        except UserError as exc:
            dialogs.error(self, "账号", exc.message)
            return
        self.refresh()

    def _single_user_clicked(self, checked: bool) -> None:
        if checked and not dialogs.ask(
            self,
            "单用户模式",
            "打开单用户模式后，打开程序不用登录，直接以管理员身份进入。",
            ok_text="打开",
            informative="任何能打开这台电脑的人都能看到完整身份证号并修改数据。只有一个人使用这台电脑时才打开。",
            default_ok=False,
        ):
            self.single_user.setChecked(False)
            return
        try:
            accounts.set_single_user_mode(checked)
        except UserError as exc:
            dialogs.error(self, "单用户模式", exc.message)
        self.single_user.setChecked(accounts.single_user_mode())


class SystemTab(QWidget):
    statusChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("systemTab")
        self.who = QLabel(self)
        self.who.setObjectName("currentAccount")
        self.password_button = QPushButton("修改我的密码…", self)
        self.password_button.setObjectName("changePasswordButton")
        self.password_button.clicked.connect(lambda _c=False: self.change_password())
        self.admin_note = QLabel("账号管理和操作日志只有管理员可以使用。需要新账号或重置密码时，请找管理员。", self)
        self.admin_note.setObjectName("adminOnlyNote")
        self.admin_note.setProperty("role", "detail")
        self.admin_note.setWordWrap(True)
        self.accounts_page = AccountsPage(self)
        self.audit_viewer = AuditViewer(self, today=today)
        self.sections = QTabWidget(self)
        self.sections.setObjectName("systemSections")
        self.sections.addTab(self.accounts_page, "账号")
        self.sections.addTab(self.audit_viewer, "操作日志")
        self.sections.currentChanged.connect(lambda _i: self._section_shown())
        for page in (self.accounts_page, self.audit_viewer):
            page.statusChanged.connect(lambda _t: self.statusChanged.emit(self.status_text()))
        self._loaded: set[QWidget] = set()

        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(self.who)
        top.addStretch(1)
        top.addWidget(self.password_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 12, 16, 12)
        column.setSpacing(10)
        column.addLayout(top)
        self.note_panel = QWidget(self)
        note_column = QVBoxLayout(self.note_panel)
        note_column.setContentsMargins(0, 0, 0, 0)
        note_column.addWidget(self.admin_note)
        note_column.addStretch(1)
        column.addWidget(self.note_panel, 1)
        column.addWidget(self.sections, 1)

    def refresh(self) -> None:
        actor = current_actor()
        self.who.setText(
            f"当前账号：<b>{actor.display_name}</b>（{actor.username or '未登录'}）· {accounts.role_label(actor.role)}"
        )
        self.password_button.setEnabled(actor.account_id is not None)
        if actor.account_id is None:
            self.password_button.setToolTip("以内置管理员身份运行时没有密码可改。")
        admin = actor.is_admin
        self.sections.setVisible(admin)
        self.note_panel.setVisible(not admin)
        self._loaded.clear()
        if admin:
            self._section_shown()
        self.statusChanged.emit(self.status_text())

    def _section_shown(self) -> None:
        page = self.sections.currentWidget()
        # the log grows with every change elsewhere: read again whenever it is shown
        if (page is self.audit_viewer or page not in self._loaded) and current_actor().is_admin:
            self._loaded.add(page)
            page.refresh()
        self.statusChanged.emit(self.status_text())

    def status_text(self) -> str:
        if not current_actor().is_admin:
            return ""
        page = self.sections.currentWidget()
        return page.status_text() if hasattr(page, "status_text") else ""

    def change_password(self) -> PasswordDialog:
        dialog = PasswordDialog(self)
        self.accounts_page.open_dialog(dialog)
        dialog.accepted.connect(lambda: dialogs.inform(self, "修改密码", "密码已修改。下次登录请用新密码。"))
        return dialog
