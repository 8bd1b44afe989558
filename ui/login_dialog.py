"""Who uses the program: the first start's administrator password (`SetupDialog`), the
login at every start after that (`LoginDialog`), and a new password (`PasswordDialog`:
one's own, or an administrator resetting someone else's).

`sign_in()` is what the composition root calls: it picks the dialog the database needs
(none in single-user mode) and returns the `Actor` to act as, or None when the clerk
closes the window instead. Refusals (wrong password, locked, disabled) stay in the dialog
as a red line that says what to do; the password field is cleared, the account name kept.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wanghu_desk import APP_TITLE
from wanghu_desk.errors import UserError
from wanghu_desk.services import accounts
from wanghu_desk.services.base import Actor

ERROR_STYLE = "color: #C8161D;"


def _primary(button: QPushButton) -> QPushButton:
    button.setProperty("primary", True)
    button.style().unpolish(button)
    button.style().polish(button)
    return button


def _line(name: str, *, password: bool = False, text: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setMaxLength(accounts.MAX_PASSWORD_LENGTH if password else 32)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


class _Form(QDialog):
    """Intro, label/field rows, a red line for refusals, the primary button and 取消."""

    def __init__(self, parent: QWidget | None, title: str, intro: str, ok_text: str, cancel_text: str = "取消"):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        self.intro = QLabel(intro)
        self.intro.setObjectName("dialogIntro")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(10)
        layout.addLayout(self.form)
        self.banner = QLabel()
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setVisible(False)
        layout.addWidget(self.banner)
        buttons = QDialogButtonBox()
        self.ok_button = _primary(buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole))
        self.ok_button.setObjectName("okButton")
        self.ok_button.setDefault(True)
        self.cancel_button = buttons.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("cancelButton")
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 30)

    def show_error(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.setVisible(True)

    def error_text(self) -> str:
        return self.banner.text() if not self.banner.isHidden() else ""

    def run(self) -> None:  # pragma: no cover - every form overrides it
        raise NotImplementedError

    def _ok(self) -> None:
        try:
            self.run()
        except UserError as exc:
            self.show_error(exc.message)
            return
        self.accept()


class SetupDialog(_Form):
    """The first start: the administrator's account and password."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            parent,
            f"{APP_TITLE} · 设置管理员",
            "第一次使用，请设置管理员的账号和密码。管理员可以管理其他人的账号、查看完整身份证号和操作日志。"
            f"密码至少 {accounts.MIN_PASSWORD_LENGTH} 位，请牢记；忘记时只能由另一位管理员重置。",
            "设置并进入",
            "退出",
        )
        self.username = _line("setupUsername", text="admin")
        self.display_name = _line("setupDisplayName", text="管理员")
        self.password = _line("setupPassword", password=True)
        self.repeat = _line("setupRepeat", password=True)
        self.form.addRow("账号名", self.username)
        self.form.addRow("姓名", self.display_name)
        self.form.addRow("密码", self.password)
        self.form.addRow("再输一次", self.repeat)
        self.actor: Actor | None = None
        self.password.setFocus()

    def run(self) -> None:
        if self.password.text() != self.repeat.text():
            self.repeat.clear()
            raise UserError("两次输入的密码不一致，请再输一次。")
        self.actor = accounts.create_first_admin(
            self.password.text(), username=self.username.text(), display_name=self.display_name.text()
        )


class LoginDialog(_Form):
    """The login at every start."""

    def __init__(self, parent: QWidget | None = None, username: str = ""):
        super().__init__(parent, f"{APP_TITLE} · 登录", "请输入账号和密码。忘记密码请找管理员重置。", "登录", "退出")
        self.username = _line("loginUsername", text=username)
        self.password = _line("loginPassword", password=True)
        self.form.addRow("账号", self.username)
        self.form.addRow("密码", self.password)
        self.actor: Actor | None = None
        (self.password if username else self.username).setFocus()

    def run(self) -> None:
        try:
            self.actor = accounts.authenticate(self.username.text(), self.password.text())
        except UserError:
            self.password.clear()
            self.password.setFocus()
            raise


class PasswordDialog(_Form):
    """A new password: one's own (`account_id` None, the old one asked for) or, for an
    administrator, someone else's."""

    def __init__(self, parent: QWidget | None = None, *, account_id: int | None = None, account_name: str = ""):
        own = account_id is None
        super().__init__(
            parent,
            "修改密码" if own else "重置密码",
            "请输入原密码和新密码。"
            if own
            else f"为「{account_name}」设置一个新密码，并当面告诉本人。重置后账号的锁定也会解除。",
            "保存",
        )
        self.account_id = account_id
        self.old = _line("oldPassword", password=True)
        self.password = _line("newPassword", password=True, placeholder=f"至少 {accounts.MIN_PASSWORD_LENGTH} 位")
        self.repeat = _line("repeatPassword", password=True)
        if own:
            self.form.addRow("原密码", self.old)
        else:
            self.old.setVisible(False)
        self.form.addRow("新密码", self.password)
        self.form.addRow("再输一次", self.repeat)

    def run(self) -> None:
        if self.password.text() != self.repeat.text():
            self.repeat.clear()
            raise UserError("两次输入的新密码不一致，请再输一次。")
        if self.account_id is None:
            accounts.change_own_password(self.old.text(), self.password.text())
        else:
            accounts.reset_password(self.account_id, self.password.text())


def sign_in(parent: QWidget | None = None, *, username: str = "") -> Actor | None:
    """The account to act as: set up on the first start, logged in after that, the
    administrator in single-user mode; None when the clerk chose 退出."""
    if accounts.needs_setup():
        dialog: SetupDialog | LoginDialog = SetupDialog(parent)
    elif accounts.single_user_mode():
        return accounts.single_user_actor()
    else:
        dialog = LoginDialog(parent, username=username)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.actor
