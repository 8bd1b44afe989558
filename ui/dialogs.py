"""The message boxes of the whole program: `ask`, `inform`, `warn`, `error`, `crash`.

Every widget calls these through the module (`dialogs.ask(...)`, never
`from ui.dialogs import ask`), so a test can monkeypatch one function and no test ever
waits on a modal dialog. Buttons carry Chinese text; the confirming button of a question
is the red primary button. The crash dialog says what happened in one sentence and where
the log file is; it shows no traceback.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

#: The log file named by the crash dialog; set by the composition root (wanghu_desk.gui).
LOG_PATH: Path | None = None


def _box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, informative: str | None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    if informative:
        box.setInformativeText(informative)
    return box


def _primary(button: QPushButton) -> QPushButton:
    """The red button of the stylesheet; re-polished because QMessageBox has already
    polished its buttons when they are added."""
    button.setProperty("primary", True)
    button.style().unpolish(button)
    button.style().polish(button)
    return button


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    ok_text: str = "确定",
    cancel_text: str = "取消",
    *,
    informative: str | None = None,
    default_ok: bool = True,
) -> bool:
    """A yes/no question; True when the clerk chose `ok_text`.

    For destructive actions pass `default_ok=False`, so that Enter does not confirm.
    """
    box = _box(parent, QMessageBox.Icon.Question, title, text, informative)
    ok = _primary(box.addButton(ok_text, QMessageBox.ButtonRole.AcceptRole))
    cancel = box.addButton(cancel_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(ok if default_ok else cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is ok


def _notice(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, informative: str | None) -> None:
    box = _box(parent, icon, title, text, informative)
    ok = _primary(box.addButton("确定", QMessageBox.ButtonRole.AcceptRole))
    box.setDefaultButton(ok)
    box.setEscapeButton(ok)
    box.exec()


def inform(parent: QWidget | None, title: str, text: str, informative: str | None = None) -> None:
    _notice(parent, QMessageBox.Icon.Information, title, text, informative)


def warn(parent: QWidget | None, title: str, text: str, informative: str | None = None) -> None:
    _notice(parent, QMessageBox.Icon.Warning, title, text, informative)


def error(parent: QWidget | None, title: str, text: str, informative: str | None = None) -> None:
    _notice(parent, QMessageBox.Icon.Critical, title, text, informative)


def offer_open(parent: QWidget | None, title: str, text: str, path: Path | str) -> bool:
    """After a file was written: say where, and offer 打开文件 (True when it was opened)."""
    if not ask(parent, title, f"{text}\n{path}", ok_text="打开文件", cancel_text="关闭"):
        return False
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    return True


def crash_text(log_path: Path | None = None) -> tuple[str, str]:
    """The two lines of the crash dialog (kept apart so tests and the CLI can reuse them)."""
    log_path = log_path or LOG_PATH
    text = "程序遇到了意外错误，刚才的操作可能没有完成。"
    informative = "已经保存的数据不受影响。"
    if log_path:
        informative += f"\n详细信息已写入日志文件：\n{log_path}\n如果问题反复出现，请把这个文件发给技术支持。"
    return text, informative


def crash(parent: QWidget | None = None, log_path: Path | None = None) -> None:
    """Tell the clerk that something unexpected happened; the details are in the log."""
    log_path = log_path or LOG_PATH
    text, informative = crash_text(log_path)
    box = _box(parent, QMessageBox.Icon.Critical, "意外错误", text, informative)
    ok = _primary(box.addButton("确定", QMessageBox.ButtonRole.AcceptRole))
    open_folder = None
    if log_path:
        open_folder = box.addButton("打开日志文件夹", QMessageBox.ButtonRole.ActionRole)
    box.setDefaultButton(ok)
    box.setEscapeButton(ok)
    box.exec()
    if open_folder is not None and box.clickedButton() is open_folder:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(log_path).parent)))
