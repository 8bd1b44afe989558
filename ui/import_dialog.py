"""The import dialog (SPEC §7): choose what to import and the file (or drop it on the
dialog), pick a sheet or 全部工作表, look at the preview — every row with its problems,
problem cells shaded, "只看有问题的行" — then 导入 (all or nothing), 仅导入有效行, or
导出问题清单 (the problem rows with a 问题说明 column, to send back for correction).

Reading, checking and writing run on a worker (`ui.workers`) with a progress dialog that
can cancel; the window never freezes. A file that cannot be read is explained inside the
dialog, not in a message box. `imported` is emitted with the `ImportOutcome` after a
commit, so the window can refresh.

The kinds, their labels and their options come from the registry (`wanghu_desk.kinds`):
a kind with options gets one form row of lists (for 星级评定得分 the year — every rating
year, the newest open one first selected — and the stage, default 社区初评; for 居民事项
the kind of matter). A preview is worked out once per file, sheet, kind and options: going
back to a sheet already checked shows its preview again without reading or classifying
the rows anew (until an import changes the data).
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reports import importing
from ui import dialogs, screen_fit, workers
from ui.import_table_model import ImportTableModel
from wanghu_desk import kinds
from wanghu_desk.errors import UserError
from wanghu_desk.services import imports as import_service

log = logging.getLogger(__name__)

ALL_SHEETS_LABEL = "全部工作表"
FILE_FILTER = "Excel 或 CSV 文件 (*.xlsx *.xls *.csv);;所有文件 (*)"
_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


class ImportDialog(QDialog):
    """`ImportDialog(parent, kind=None, year=None)`; `kind` preselects one of the
    registry's kinds (members, branches, … matters); `year` preselects a rating year."""

    imported = Signal(object)  # ImportOutcome

    def __init__(self, parent: QWidget | None = None, kind: str | None = None, year: int | None = None):
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("导入名册")
        self.setAcceptDrops(True)
        screen_fit.fit(self, self.fontMetrics().horizontalAdvance("中") * 84, self.fontMetrics().height() * 36)
        self.path: Path | None = None
        self.preview: importing.ImportPreview | None = None
        self.outcome: importing.ImportOutcome | None = None
        self.task: workers.Task | None = None
        self._loading = False
        self._accept_when_done = False
        self._reject_when_done = False
        #: (path, size, mtime, kind, sheet, options) -> preview; cleared by an import
        self._previews: dict[tuple, importing.ImportPreview] = {}

        self.kind_combo = QComboBox(self)
        for code, label in kinds.labels().items():
            self.kind_combo.addItem(label, code)
        if kind is not None:
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)

        self.file_edit = QLineEdit(self)
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("还没有选择文件")
        self.choose_button = QPushButton("选择文件…", self)
        self.choose_button.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)

        self.sheet_combo = QComboBox(self)
        self.sheet_combo.setMinimumContentsLength(16)
        self.sheet_combo.setEnabled(False)
        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("导入内容：", self.kind_combo)
        self.form = form
        # One row of lists per kind with options (the registry's `OptionSpec`s).
        self.option_rows: dict[str, QWidget] = {}
        self.option_combos: dict[str, dict[str, QComboBox]] = {}
        for spec in kinds.KINDS.values():
            shown = [o for o in spec.options if o.in_dialog]
            if not shown:
                continue
            row = QWidget(self)
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            combos: dict[str, QComboBox] = {}
            for i, option in enumerate(shown):
                combo = QComboBox(row)
                combo.setObjectName(f"import_{spec.name}_{option.name}")
                if i:
                    row_layout.addWidget(QLabel(f"{option.dialog_label or option.label}：", row))
                row_layout.addWidget(combo)
                combos[option.name] = combo
            row_layout.addStretch(1)
            self.option_rows[spec.name] = row
            self.option_combos[spec.name] = combos
            form.addRow(f"{shown[0].dialog_label or shown[0].label}：", row)
            for name, combo in combos.items():
                self._fill_option(spec.name, name, year if name == "year" else None)
                combo.currentIndexChanged.connect(self._options_changed)
        # The rating year and stage by their old names (the rating tab and tests use them).
        self.rating_row = self.option_rows["ratings"]
        self.year_combo = self.option_combos["ratings"]["year"]
        self.year_combo.setObjectName("importYear")
        self.stage_combo = self.option_combos["ratings"]["stage"]
        self.stage_combo.setObjectName("importStage")
        form.addRow("文件：", file_row)
        form.addRow("工作表：", self.sheet_combo)

        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes = QLabel(self)
        self.notes.setObjectName("importNotes")
        self.notes.setWordWrap(True)
        self.notes.setProperty("role", "detail")
        self.notes.hide()

        self.only_problems = QCheckBox("只看有问题的行", self)
        self.only_problems.setEnabled(False)
        self.only_problems.toggled.connect(self._filter_changed)
        self.shown_label = QLabel(self)
        self.shown_label.setProperty("role", "detail")
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.only_problems)
        filter_row.addStretch(1)
        filter_row.addWidget(self.shown_label)

        self.model = ImportTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("importTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setHighlightSections(False)

        self.hint = QLabel(self)
        self.hint.setObjectName("importHint")
        hint_font = self.hint.font()
        hint_font.setPointSizeF(hint_font.pointSizeF() * 1.2)
        self.hint.setFont(hint_font)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.table)

        self.problems_button = QPushButton("导出问题清单…", self)
        self.problems_button.setToolTip("把有问题的行连同「问题说明」另存为 Excel，发回填报单位改正")
        self.problems_button.clicked.connect(self.export_problems)
        self.cancel_button = QPushButton("取消", self)
        self.cancel_button.clicked.connect(self.reject)
        self.valid_button = QPushButton("仅导入有效行", self)
        self.valid_button.setToolTip("跳过有错误的行，只导入没有错误的行")
        self.valid_button.clicked.connect(lambda: self.start_import(skip_invalid=True))
        self.import_button = QPushButton("导入", self)
        self.import_button.clicked.connect(lambda: self.start_import(skip_invalid=False))
        buttons = QHBoxLayout()
        buttons.addWidget(self.problems_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.valid_button)
        buttons.addWidget(self.import_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.notes)
        layout.addLayout(filter_row)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._show_empty()

    # ------------------------------------------------------------ state
    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    @property
    def sheet(self) -> str | None:
        """The chosen sheet, or None for 全部工作表."""
        data = self.sheet_combo.currentData()
        return data if data else None

    @property
    def options(self) -> dict[str, Any]:
        """The chosen options of the current kind (those its dialog row offers)."""
        return {name: combo.currentData() for name, combo in self.option_combos.get(self.kind, {}).items()}

    @property
    def year(self) -> int | None:
        """The rating year (ratings only)."""
        return self.options.get("year") if self.kind == "ratings" else None

    @property
    def stage(self) -> str | None:
        """The rating stage (ratings only): self / community / street."""
        return self.options.get("stage") if self.kind == "ratings" else None

    def _fill_option(self, kind: str, name: str, wanted: Any = None) -> None:
        """The choices of one option (the rating years are read again each time);
        `wanted`, else the option's first pick, selected."""
        option = kinds.get(kind).option(name)
        combo = self.option_combos[kind][name]
        current = wanted if wanted is not None else combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        try:
            choices = option.dialog_choices()
        except Exception:  # noqa: BLE001 - no database yet: the preview explains
            log.exception("cannot list the choices of %s", name)
            choices = []
        for value, text in choices:
            combo.addItem(text, value)
        values = [v for v, _text in choices]
        pick = current if current in values else option.first_pick(choices)
        if pick is not None:
            combo.setCurrentIndex(combo.findData(pick))
        combo.blockSignals(False)

    def _fill_years(self, wanted: int | None) -> None:
        """Every rating year, newest first; `wanted`, else the newest open year, selected."""
        self._fill_option("ratings", "year", wanted)

    def select_year(self, year: int, stage: str | None = None) -> None:
        """Choose the rating year (and stage); starts a new preview when a file is open."""
        if stage is not None:
            self.stage_combo.blockSignals(True)
            self.stage_combo.setCurrentIndex(self.stage_combo.findData(stage))
            self.stage_combo.blockSignals(False)
        index = self.year_combo.findData(year)
        if index >= 0 and index != self.year_combo.currentIndex():
            self.year_combo.setCurrentIndex(index)
        else:
            self._options_changed(index)

    def _show_empty(self, message: str | None = None, *, error: bool = False) -> None:
        self.preview = None
        self.model.set_preview(None)
        spec = kinds.get(self.kind)
        label = spec.label
        required = "」「".join(c.header for c in spec.columns if c.required) + "」" + spec.hint_extra
        empty = [c for c in self.option_combos.get(self.kind, {}).values() if c.count() == 0]
        if empty and spec.no_choices and message is None:
            message, error = spec.no_choices, True
        self.hint.setText(message or (
            f"选择要导入的{label}文件（Excel 或 CSV），也可以把文件拖到这里。\n"
            f"表格中应有「{required}等列；标题行、合并单元格都没关系。"
        ))
        self.hint.setStyleSheet("color: #C8161D;" if error else "color: #555555;")
        self.stack.setCurrentWidget(self.hint)
        self.only_problems.hide()
        self.summary.setText("")
        self.summary.hide()
        self.notes.hide()
        self.shown_label.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        p = self.preview
        busy = self.task is not None
        has_rows = bool(p and p.valid_rows)
        self.import_button.setEnabled(not busy and bool(p) and has_rows and p.clean)
        self.valid_button.setEnabled(not busy and bool(p) and has_rows and not p.clean)
        self.problems_button.setEnabled(not busy and bool(p) and any(r.problems for r in p.rows))
        self.only_problems.setEnabled(bool(p) and any(r.problems for r in p.rows))
        for widget in (self.kind_combo, self.choose_button,
                       *(c for combos in self.option_combos.values() for c in combos.values())):
            widget.setEnabled(not busy)
        for kind, row in self.option_rows.items():
            self.form.setRowVisible(row, self.kind == kind)
        self.sheet_combo.setEnabled(not busy and self.sheet_combo.count() > 1)
        # The red primary look goes to the one action that makes sense now, never to a
        # disabled button.
        for button in (self.import_button, self.valid_button):
            primary = button.isEnabled()
            if bool(button.property("primary")) != primary:
                button.setProperty("primary", primary)
                button.style().unpolish(button)
                button.style().polish(button)
            button.setDefault(primary)

    # ------------------------------------------------------------ choosing
    def choose_file(self) -> None:
        start = str(self.path.parent) if self.path else _documents()
        path, _ = QFileDialog.getOpenFileName(self, "选择要导入的文件", start, FILE_FILTER)
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path | str) -> workers.Task | None:
        """Show `path`, list its sheets and start the preview."""
        path = Path(path)
        self.path = path
        self.file_edit.setText(str(path))
        self.file_edit.setToolTip(str(path))
        try:
            names = importing.list_sheets(path)
        except UserError as exc:
            self._fill_sheets([])
            self._show_empty(exc.message, error=True)
            return None
        except Exception:  # noqa: BLE001 - a reader's bug must not close the dialog
            log.exception("cannot list the sheets of %s", path)
            self._fill_sheets([])
            self._show_empty("无法读取这个文件。请确认它是 Excel 或 CSV 文件，或用 Excel 另存为 .xlsx 后再试。", error=True)
            return None
        self._fill_sheets(names)
        return self.start_preview()

    def _fill_sheets(self, names: list[str]) -> None:
        self._loading = True
        self.sheet_combo.clear()
        if len(names) > 1:
            self.sheet_combo.addItem(f"{ALL_SHEETS_LABEL}（{len(names)} 个）", "")
        for name in names:
            self.sheet_combo.addItem(name, name)
        self._loading = False

    def select_sheet(self, name: str | None) -> None:
        """Choose a sheet by name (None: 全部工作表); starts a new preview."""
        index = self.sheet_combo.findData(name or "")
        if index >= 0:
            self.sheet_combo.setCurrentIndex(index)

    def _sheet_changed(self, _index: int) -> None:
        if not self._loading and self.path is not None:
            self.start_preview()

    def _kind_changed(self, _index: int) -> None:
        for name in self.option_combos.get(self.kind, {}):
            self._fill_option(self.kind, name)
        if self.path is not None and self.sheet_combo.count():
            self.start_preview()
        else:
            self._show_empty()

    def _options_changed(self, _index: int) -> None:
        if self.sender() not in self.option_combos.get(self.kind, {}).values() and self.sender() is not None:
            return
        if self.path is not None and self.sheet_combo.count():
            self.start_preview()
        else:
            self._show_empty()

    def _filter_changed(self, only: bool) -> None:
        self.model.set_only_problems(only)
        self._show_counts()

    # ------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) == 1 and Path(urls[0].toLocalFile()).suffix.lower() in _SUFFIXES and self.task is None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if urls:
            event.acceptProposedAction()
            self.load_file(Path(urls[0].toLocalFile()))

    # ------------------------------------------------------------ preview
    def start_preview(self) -> workers.Task | None:
        if self.path is None or self.task is not None:
            return None
        self.preview = None
        self.model.set_preview(None)
        options = self.options
        spec = kinds.get(self.kind)
        if any(options.get(o.name) is None for o in spec.options if o.in_dialog and o.required):
            self._show_empty()
            return None
        key = self._preview_key(options)
        cached = self._previews.get(key)
        if cached is not None:
            self._preview_ready(cached)
            return None
        worker = workers.Worker(importing.preview_steps, self.path, self.kind, self.sheet, **options)
        return self._run(worker, "检查文件", f"正在读取并检查「{self.path.name}」…",
                         lambda result: self._preview_ready(result, key),
                         on_error=lambda message: self._show_empty(message, error=True),
                         on_cancelled=lambda: self._show_empty("已取消检查。可以重新选择文件。"))

    def _preview_key(self, options: dict[str, Any]) -> tuple:
        try:
            info = self.path.stat()
            stamp: tuple = (info.st_size, info.st_mtime_ns)
        except OSError:
            stamp = ()
        return (str(self.path), *stamp, self.kind, self.sheet, tuple(sorted(options.items())))

    def _preview_ready(self, result: importing.ImportPreview, key: tuple | None = None) -> None:
        if key is not None:
            self._previews[key] = result
        self.preview = result
        self.model.set_preview(result)
        self.stack.setCurrentWidget(self.table)
        self.only_problems.show()
        self._fit_columns()
        self.summary.setText(self._summary_text(result))
        self.summary.show()
        file_level = result.file_problems
        if file_level:
            self.notes.setText("\n".join(("⚠ " if p.is_error else "· ") + p.message for p in file_level[:8])
                               + (f"\n…… 另有 {len(file_level) - 8} 条" if len(file_level) > 8 else ""))
            self.notes.show()
        else:
            self.notes.hide()
        # With errors, the rows to fix come first; the clerk can untick to see everything.
        self.only_problems.blockSignals(True)
        self.only_problems.setChecked(bool(result.invalid_rows))
        self.only_problems.blockSignals(False)
        self.model.set_only_problems(self.only_problems.isChecked())
        self._show_counts()
        self._update_buttons()

    def _summary_text(self, p: importing.ImportPreview) -> str:
        """One line of rich text: where the table is, how many rows, what is wrong, what an
        import would do. Figures that need attention are red (errors) or amber (warnings)."""
        where = f"工作表「{p.sheet_label()}」" if len(p.sheets) == 1 else f"{len(p.sheets)} 个工作表"
        header = f"，表头在第 {p.header_row} 行" if len(p.sheets) == 1 and p.header_row else ""
        bad, notes = len(p.invalid_rows), len(p.warnings)
        plan = (f"新增 {p.count(import_service.INSERT):,}，更新 {p.count(import_service.UPDATE):,}，"
                f"不变 {p.count(import_service.UNCHANGED):,}")
        parts = [f"{escape(where)}{header}：共 <b>{len(p.rows):,}</b> 行。"]
        if p.blocked:
            missing = any("缺少" in e.message for e in p.file_problems if e.is_error)
            parts.append(_red("文件缺少必需的列，不能导入（见下方说明）。" if missing else "不能导入（原因见下方说明）。"))
        elif not p.rows:
            parts.append("没有找到数据行。")
        else:
            if bad:
                parts.append(_red(f"有错误 {bad:,} 行") + "（已列在下面，见「问题说明」）。")
            if notes:
                parts.append(_amber(f"提醒 {notes:,} 条") + "（黄色，不影响导入）。")
            if not bad and not notes:
                parts.append("没有发现问题。")
            if p.valid_rows:
                lead = f"可以导入的 {len(p.valid_rows):,} 行将" if bad else "导入后将"
                parts.append(f"{lead}{plan}。")
        return "".join(parts)

    def _show_counts(self) -> None:
        if self.preview is None:
            self.shown_label.setText("")
            return
        self.shown_label.setText(f"显示 {self.model.visible_count:,} / {len(self.preview.rows):,} 行")

    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        for col in range(self.model.columnCount()):
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal) or "")
            width = metrics.horizontalAdvance(title) + 36
            for row in range(min(self.model.rowCount(), 60)):
                text = str(self.model.index(row, col).data() or "")
                width = max(width, metrics.horizontalAdvance(text[:40]) + 20)
            header.resizeSection(col, min(width, 460 if title == "问题说明" else 260))

    # ------------------------------------------------------------ commit
    def start_import(self, *, skip_invalid: bool) -> workers.Task | None:
        if self.preview is None or self.task is not None:
            return None
        worker = workers.Worker(importing.commit_steps, self.preview, skip_invalid=skip_invalid)
        return self._run(worker, "导入", f"正在导入「{self.path.name}」…", self._imported, cancellable=True)

    def _imported(self, outcome: importing.ImportOutcome) -> None:
        self._previews.clear()  # the data changed: every plan is out of date
        self.outcome = outcome
        self.imported.emit(outcome)
        # Close and report once the worker has ended (see `_run`): a message box opened
        # here would spin an event loop in which the worker's `finished` arrives.
        self._accept_when_done = True

    def _report_import(self) -> None:
        outcome = self.outcome
        if outcome is None:
            return
        p = outcome.preview
        skipped = f"，跳过有错误的 {outcome.skipped} 行" if outcome.skipped else ""
        created = _created_text(outcome.created)
        spec = kinds.get(p.kind)
        label = p.label if spec.describe is None else f" {spec.what(p.options)}"
        dialogs.inform(
            self.parentWidget(), "导入完成",
            f"已导入{label}：新增 {outcome.inserted}，更新 {outcome.updated}，不变 {outcome.unchanged}{skipped}。",
            informative=(created + "\n" if created else "") + "导入前的数据已自动备份。",
        )

    # ------------------------------------------------------------ problem list
    def export_problems(self) -> workers.Task | None:
        if self.preview is None or self.task is not None:
            return None
        suggested = str(Path(_documents()) / f"{self.path.stem}-问题清单.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, "导出问题清单", suggested, "Excel 文件 (*.xlsx)")
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")

        def done(count: int) -> None:
            dialogs.inform(self, "导出问题清单", f"已把 {count} 行有问题的数据导出到：\n{target}",
                           informative="可以把这个文件发回填报单位，按「问题说明」改正后重新报送。")

        worker = workers.Worker(importing.write_problem_list, self.preview, target)
        return self._run(worker, "导出问题清单", "正在写入问题清单…", done)

    # ------------------------------------------------------------ plumbing
    def _run(self, worker: workers.Worker, title: str, label: str, on_result, *, on_error=None,
             on_cancelled=None, cancellable: bool = True) -> workers.Task:
        started: list[workers.Task] = []

        def finished() -> None:
            if started and self.task is started[0]:
                self.task = None
            self._update_buttons()
            if self._accept_when_done:
                self._accept_when_done = False
                self.accept()
                self._report_import()
            elif self._reject_when_done:
                self._reject_when_done = False
                super(ImportDialog, self).reject()

        # Connected before the worker starts: a quick worker may report `finished` before
        # `run_with_progress` returns, and a signal emitted before a connection is lost.
        worker.signals.finished.connect(finished)
        task = workers.run_with_progress(self, worker, title=title, label=label, on_result=on_result,
                                         on_error=on_error, on_cancelled=on_cancelled, cancellable=cancellable)
        started.append(task)
        self.task = task
        self._update_buttons()
        return task

    def reject(self) -> None:
        """取消 / Esc: cancel the running step first (a commit rolls back), then close."""
        if self.task is not None:
            self._reject_when_done = True
            self.task.cancel()
            return
        super().reject()

    def closeEvent(self, event: Any) -> None:
        if self.task is not None:
            self._reject_when_done = True
            self.task.cancel()
            event.ignore()
            return
        super().closeEvent(event)


def _red(text: str) -> str:
    return f'<span style="color:#C8161D; font-weight:bold">{escape(text)}</span>'


def _amber(text: str) -> str:
    return f'<span style="color:#8A5A00; font-weight:bold">{escape(text)}</span>'


def _created_text(created: dict[str, int]) -> str:
    names = {"communities": "社区", "groups": "楼栋党小组", "teams": "服务队", "projects": "服务项目",
             "estates": "小区", "buildings": "楼栋"}
    parts = [f"{names.get(k, k)} {v} 个" for k, v in created.items() if v]
    return "同时新建了：" + "，".join(parts) + "。" if parts else ""
