"""文件 → 备份与恢复: the automatic backups of the open database, newest first, with
when each was taken, why (每日, 导入前, 恢复前 …) and its size; buttons to back up now,
to restore the chosen backup, to restore from another file and to open the folder.

Restoring always asks first, naming what will be replaced: the database file and what
it holds now (members, branches, ledger entries, last change) against what the backup
holds. The restore itself is run by the window (`restore_file`) on a worker, so the
window's busy state and refresh stay in one place; this dialog closes before it starts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, workers
from ui.record_table_model import Column, RecordTableModel
from ui.table_view import current_record, make_table, select_row
from wanghu_desk import database


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


COLUMNS = [
    Column("taken_at", "备份时间", lambda e: e.taken_at, text=lambda e: f"{e.taken_at:%Y-%m-%d %H:%M:%S}",
           sample="2026-11-22 08:30:15"),
    Column("reason", "类型", lambda e: e.reason_label, sample="升级前自动备份"),
    Column("size", "大小", lambda e: e.size, text=lambda e: size_text(e.size), align="right", sample="999.9 MB"),
    Column("name", "文件名", lambda e: e.path.name, tooltip=lambda e: str(e.path),
           sample="wanghu-20261122-083015-123456-daily.db"),
]


def restore_question(source: Path, what: str | None = None) -> tuple[str, str]:
    """The confirmation of a restore: which file's data is replaced by what, with the
    figures of both sides. `what` names the backup (e.g. "2026-11-22 08:30 的每日自动备份")."""
    handle = database.current()
    text = (f"将用{f'「{what}」' if what else f'备份文件「{source.name}」'}替换数据库「{handle.path.name}」中的全部数据。"
            "要继续吗？")
    lines = [f"现在的数据：{database.summarize().describe()}。"]
    try:
        lines.append(f"备份里的数据：{database.summarize(source).describe()}。")
    except Exception:  # noqa: BLE001 - the restore checks the file properly and says why
        lines.append("备份里的数据：无法读取，恢复前会先检查这个文件。")
    lines.append("恢复前会自动备份现在的数据，需要时可以从这个列表再恢复回来。")
    return text, "\n".join(lines)


class BackupDialog(QDialog):
    """See the module docstring. `restore_file(path, what, before_start)` asks and starts
    a restore (the window's; `before_start` runs once the clerk has confirmed); `run` starts background work with a progress dialog (the window's
    `_run`, so that the window knows it is busy)."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        restore_file: Callable[[Path, str | None, Callable[[], None] | None], Any],
        restore_other: Callable[[], Any],
        run: Callable[..., workers.Task],
    ):
        super().__init__(parent)
        self.setObjectName("backupDialog")
        self.setWindowTitle("备份与恢复")
        self._restore_file = restore_file
        self._restore_other = restore_other
        self._run = run
        self.handle = database.current()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        self.folder_label = QLabel(self)
        self.folder_label.setObjectName("backupFolder")
        self.folder_label.setWordWrap(True)
        self.folder_label.setProperty("role", "detail")
        layout.addWidget(self.folder_label)

        self.model = RecordTableModel(COLUMNS, self, default_sort=("taken_at", True))
        self.view = make_table("backupTable", self.model, self, multi=False, stretch_first=False)
        self.view.doubleClicked.connect(lambda _index: self.restore_selected())
        self.view.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_buttons())
        layout.addWidget(self.view, 1)
        self.empty_label = QLabel("还没有自动备份。每天第一次打开程序、每次导入前都会自动备份，也可以点「立即备份」。", self)
        self.empty_label.setObjectName("backupEmpty")
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)

        row = QHBoxLayout()
        self.backup_button = QPushButton("立即备份", self)
        self.restore_button = QPushButton("用选中的备份恢复…", self)
        self.restore_button.setProperty("primary", True)
        self.other_button = QPushButton("从其他文件恢复…", self)
        self.folder_button = QPushButton("打开备份文件夹", self)
        self.close_button = QPushButton("关闭", self)
        for button in (self.backup_button, self.restore_button, self.other_button, self.folder_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.other_button.clicked.connect(self.restore_from_other_file)
        self.folder_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.reject)

        self.reload()
        self.ensurePolished()  # the stylesheet's padding counts in the buttons' widths
        for button in (self.backup_button, self.restore_button, self.other_button, self.folder_button,
                       self.close_button):
            button.ensurePolished()
            button.setMinimumWidth(button.sizeHint().width())  # never squeezed into cut text
        width = sum(self.view.columnWidth(i) for i in range(self.model.columnCount())) + 60
        self.resize(max(width, layout.sizeHint().width(), 640), 420)

    # ------------------------------------------------------------ list
    def reload(self) -> None:
        folder = self.handle.backups_dir
        self.folder_label.setText(f"自动备份保存在：{folder}（每种最多保留 {database.BACKUP_KEEP} 份）")
        entries = database.backup_entries(folder)
        self.model.set_rows(entries)
        self.view.setVisible(bool(entries))
        self.empty_label.setVisible(not entries)
        if entries:
            select_row(self.view, 0)
        self._update_buttons()

    def entries(self) -> list[database.BackupEntry]:
        return list(self.model.shown_rows())

    def selected(self) -> database.BackupEntry | None:
        return current_record(self.view)

    def select(self, entry: database.BackupEntry) -> None:
        select_row(self.view, self.model.row_of(entry.id))

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    # ------------------------------------------------------------ actions
    def back_up_now(self) -> workers.Task:
        def done(path: Path) -> None:
            self.reload()
            entry = next((e for e in self.entries() if e.path == path), None)
            if entry is not None:
                self.select(entry)

        return self._run(
            workers.Worker(database.auto_backup, "manual"), title="备份", label="正在备份数据库…", on_result=done,
        )

    def restore_selected(self) -> Any:
        entry = self.selected()
        if entry is None:
            return None
        if not entry.path.exists():
            dialogs.error(self, "恢复备份", f"找不到备份文件「{entry.path.name}」，它可能已被删除。列表已刷新。")
            self.reload()
            return None
        return self._restore_file(entry.path, entry.label, self._close_before_restore)

    def _close_before_restore(self) -> None:
        self.accept()

    def restore_from_other_file(self) -> Any:
        self.accept()
        return self._restore_other()

    def open_folder(self) -> None:
        folder = Path(self.handle.backups_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            dialogs.error(self, "打开备份文件夹", f"无法创建备份文件夹「{folder}」。请检查文件夹权限。")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
