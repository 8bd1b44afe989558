"""Export entry points for the window's menus: `export_roster(parent, kind)` for every
roster export of the registry (`wanghu_desk.kinds`), and by name `export_members(parent)`,
`export_branches(parent)`, `export_groups(parent)`, `export_volunteers(parent)`,
`export_services(parent)`.

Each asks what to export where it matters (which members, full ID numbers — offered only
to accounts that may see them), then where to save (`QFileDialog`), then writes on a
worker with a cancellable progress dialog. A workbook that is open in Excel gets "文件正
被 Excel 等程序打开，请关闭后重试". When done, the clerk may open the file. Each function
returns the started `workers.Task` (or None when the clerk cancelled), for tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, workers
from wanghu_desk import kinds
from wanghu_desk.services import stats
from wanghu_desk.services.base import current_actor

#: The roster exports' titles, from the registry (`wanghu_desk.kinds`).
TITLES = {name: k.export.title for name, k in kinds.roster_exports().items()}


@dataclass
class ExportChoice:
    branch: str | None = None
    per_branch: bool = False
    unmasked: bool = False
    in_register_only: bool = False


class ExportOptionsDialog(QDialog):
    """What to export: for members the scope (all / one sheet per branch / one branch)
    and 只导出在册党员; for rosters with ID numbers, 完整身份证号 (admins only)."""

    def __init__(self, parent: QWidget | None, kind: str, branches: list[str] | None = None):
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle(f"导出{TITLES[kind]}")
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        self.scope = QButtonGroup(self)
        self.all_radio = QRadioButton("全部党员，一张工作表", self)
        self.per_branch_radio = QRadioButton("全部党员，每个党支部一张工作表", self)
        self.branch_radio = QRadioButton("只导出一个党支部：", self)
        self.branch_combo = QComboBox(self)
        self.branch_combo.addItems(branches or [])
        self.branch_combo.setEnabled(False)
        self.register_check = QCheckBox("只导出在册党员（不含转出、去世等）", self)
        if kind == "members":
            layout.addWidget(_section("导出哪些党员", self))
            for i, radio in enumerate((self.all_radio, self.per_branch_radio, self.branch_radio)):
                self.scope.addButton(radio, i)
                layout.addWidget(radio)
            combo_row = QHBoxLayout()
            combo_row.setContentsMargins(24, 0, 0, 0)
            combo_row.addWidget(self.branch_combo, 1)
            layout.addLayout(combo_row)
            self.all_radio.setChecked(True)
            self.branch_radio.toggled.connect(self.branch_combo.setEnabled)
            self.branch_radio.setEnabled(bool(branches))
            layout.addWidget(self.register_check)
            layout.addSpacing(6)
        else:
            for widget in (self.all_radio, self.per_branch_radio, self.branch_radio, self.branch_combo,
                           self.register_check):
                widget.hide()
        layout.addWidget(_section("身份证号", self))
        self.unmasked_check = QCheckBox("导出完整身份证号（以后要再导入本程序时需要）", self)
        may_see = current_actor().may_see_id_numbers
        self.unmasked_check.setEnabled(may_see)
        if not may_see:
            self.unmasked_check.setToolTip("只有管理员可以导出完整身份证号。")
        note = QLabel("不勾选时，身份证号中间 8 位显示为 *，如 340104********1234。", self)
        note.setProperty("role", "detail")
        note.setWordWrap(True)
        layout.addWidget(self.unmasked_check)
        layout.addWidget(note)
        layout.addSpacing(8)
        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("导出…", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setProperty("primary", True)
        ok.style().unpolish(ok)
        ok.style().polish(ok)
        ok.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> ExportChoice:
        members = self.kind == "members"
        return ExportChoice(
            branch=self.branch_combo.currentText() if members and self.branch_radio.isChecked() else None,
            per_branch=members and self.per_branch_radio.isChecked(),
            unmasked=self.unmasked_check.isEnabled() and self.unmasked_check.isChecked(),
            in_register_only=members and self.register_check.isChecked(),
        )


def _section(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def ask_options(parent: QWidget | None, kind: str) -> ExportChoice | None:
    """The options dialog; patched in tests. None when the clerk cancels."""
    branches = None
    if kind == "members":
        from wanghu_desk.services import exports as export_rows

        branches = list(export_rows.branch_names())
    dialog = ExportOptionsDialog(parent, kind, branches)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()
    finally:
        dialog.deleteLater()


def suggested_path(kind: str, choice: ExportChoice) -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    subject = choice.branch if choice.branch else stats.organization_name()
    return Path(folder) / f"{subject}{TITLES[kind]}-{dt.date.today():%Y%m%d}.xlsx"


def export_roster(parent: QWidget | None, kind: str, on_finished: Callable[[], None] | None = None
                  ) -> workers.Task | None:
    """Ask, choose the file, export on a worker. Returns the task (None if cancelled).
    `on_finished` is called when the worker has ended, whatever the outcome (connected
    before the worker starts, so a quick export cannot finish unheard)."""
    from reports import exports  # openpyxl is imported when the first export starts, not at start-up

    choice = ask_options(parent, kind) if kinds.get(kind).export.has_id_numbers else ExportChoice()
    if choice is None:
        return None
    path, _ = QFileDialog.getSaveFileName(parent, f"导出{TITLES[kind]}", str(suggested_path(kind, choice)),
                                          "Excel 文件 (*.xlsx)")
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")

    def finished(result: exports.ExportResult) -> None:
        masked = "身份证号已部分隐藏。" if result.masked else ""
        sheets = f"，{len(result.sheets)} 个工作表" if len(result.sheets) > 1 else ""
        if dialogs.ask(parent, "导出完成", f"已导出 {result.rows:,} 行{sheets}到：\n{result.path}",
                       ok_text="打开文件", cancel_text="关闭", informative=masked or None):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path)))

    worker = workers.Worker(
        exports.export_steps, kind, target, branch=choice.branch, per_branch=choice.per_branch,
        unmasked=choice.unmasked, in_register_only=choice.in_register_only,
    )
    if on_finished is not None:
        worker.signals.finished.connect(on_finished)
    return workers.run_with_progress(parent, worker, title=f"导出{TITLES[kind]}", label="正在导出…",
                                     on_result=finished)


def export_members(parent: QWidget | None, on_finished: Callable[[], None] | None = None) -> workers.Task | None:
    return export_roster(parent, "members", on_finished)


def export_branches(parent: QWidget | None, on_finished: Callable[[], None] | None = None) -> workers.Task | None:
    return export_roster(parent, "branches", on_finished)


def export_groups(parent: QWidget | None, on_finished: Callable[[], None] | None = None) -> workers.Task | None:
    return export_roster(parent, "groups", on_finished)


def export_volunteers(parent: QWidget | None, on_finished: Callable[[], None] | None = None) -> workers.Task | None:
    return export_roster(parent, "volunteers", on_finished)


def export_services(parent: QWidget | None, on_finished: Callable[[], None] | None = None) -> workers.Task | None:
    return export_roster(parent, "services", on_finished)
