"""报表中心 tab: choose a report and its period, generate it off the GUI thread, look at
its pages inside the program, then 保存为… (which offers 打开文件 once saved), 打开 (the
system's PDF viewer) or 打印.

The reports are listed in `REPORTS`, one `ReportKind` each; a kind names the module that
writes it and is imported only when the report is generated, so adding a PDF report is
one entry. The signature fields (负责人, 填报人, 联系电话) and the last save folder are
remembered between runs in ``settings.ini`` in the data folder (QSettings), per user and
machine, not in the database (whose settings need an administrator).

A generated report is written to a private temporary folder first (one subfolder per
run, so a copy open in a viewer never blocks the next run); 保存为… copies it where the
clerk wants it. Printing paints the pages rendered at the printer's resolution
(`ui.pdf_preview.print_steps`) on a worker with a progress dialog.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    QStandardPaths,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, pdf_preview, workers
from wanghu_desk import paths
from wanghu_desk.services import quarterly

__all__ = [
    "LEDGER",
    "QUARTERLY",
    "RATING",
    "REPORTS",
    "GeneratedReport",
    "ReportCenterTab",
    "ReportKind",
    "ReportListModel",
    "ReportRequest",
    "available_reports",
    "default_settings",
    "last_completed_quarter",
]

QUARTER_TEXTS = {1: "第一季度（1—3 月）", 2: "第二季度（4—6 月）", 3: "第三季度（7—9 月）", 4: "第四季度（10—12 月）"}
FIRST_YEAR = 2000
SETTINGS_GROUP = "report_center"


# ------------------------------------------------------------------ what can be generated


@dataclass(frozen=True)
class ReportRequest:
    """What the clerk chose. Empty signature fields mean "the default" (None)."""

    year: int
    quarter: int | None = None
    branch: str | None = None  # a branch name, for reports of one branch; None: all
    leader: str | None = None  # 负责人
    preparer: str = ""  # 填报人
    phone: str | None = None  # 联系电话
    report_date: dt.date | None = None  # the date in the signature block (and "today")


@dataclass(frozen=True)
class ReportKind:
    """One report of the list: how to write it and what it needs.

    `steps(out_path, request)` is a generator yielding ``(done, total, text)`` and
    returning the written path; it runs on a worker thread. `module` is imported lazily
    and must exist for the report to be offered."""

    key: str
    title: str
    description: str
    module: str
    steps: Callable[[Path, ReportRequest], Generator[tuple[int, int, str], None, Path]]
    filename: Callable[[str, ReportRequest], str]
    period: str = "year"  # "quarter" | "year"
    signature: bool = False  # 负责人 / 填报人 / 联系电话
    branch_choice: bool = False
    default_year: Callable[[dt.date], int] = lambda today: today.year

    def available(self) -> bool:
        # found, not imported: the report modules pull in reportlab, loaded with the first report
        try:
            return importlib.util.find_spec(self.module) is not None
        except (ImportError, ValueError):
            return False


def last_completed_quarter(today: dt.date) -> tuple[int, int]:
    q = quarterly.Quarter.containing(today)
    return (q.year, q.quarter - 1) if q.quarter > 1 else (q.year - 1, 4)


def _quarterly_steps(out: Path, req: ReportRequest) -> Generator[tuple[int, int, str], None, Path]:
    from reports.quarterly_report import quarterly_report_steps

    path = yield from quarterly_report_steps(
        out,
        req.year,
        req.quarter or 1,
        preparer=req.preparer,
        phone=req.phone,
        leader=req.leader,
        report_date=req.report_date,
    )
    return Path(path)


def _quarterly_filename(area: str, req: ReportRequest) -> str:
    from reports.quarterly_report import default_filename

    return default_filename(area, req.year, req.quarter or 1)


def writer_steps(
    write: Callable[..., Any], out: Path, *args: Any, **kwargs: Any
) -> Generator[tuple[int, int, str], None, Path]:
    """A report writer without progress of its own, as one step."""
    yield 0, 1, "正在生成报表…"
    path = write(out, *args, **kwargs)
    yield 1, 1, "已生成"
    return Path(path or out)


QUARTERLY = ReportKind(
    key="quarterly",
    title="季度报表",
    description="报送上级的季度党建工作报表：组织、党员、志愿服务、居民事项、星级评定、经费和签字栏。",
    module="reports.quarterly_report",
    steps=_quarterly_steps,
    filename=_quarterly_filename,
    period="quarter",
    signature=True,
    default_year=lambda today: last_completed_quarter(today)[0],
)


def _rating_steps(out: Path, req: ReportRequest) -> Generator[tuple[int, int, str], None, Path]:
    from reports.rating_pdf import write_rating_pdf

    return (yield from writer_steps(write_rating_pdf, out, req.year))


def _rating_filename(area: str, req: ReportRequest) -> str:
    from reports.rating_pdf import default_filename

    return default_filename(area, req.year)


RATING = ReportKind(
    key="rating",
    title="星级评定结果公示",
    description="某一年度星级党支部评定结果的公示：结果概况、分布图和各星级党支部名单。",
    module="reports.rating_pdf",
    steps=_rating_steps,
    filename=_rating_filename,
    default_year=lambda today: today.year - 1,
)


def _ledger_steps(out: Path, req: ReportRequest) -> Generator[tuple[int, int, str], None, Path]:
    from reports.ledger_pdf import ledger_pdf_steps

    path = yield from ledger_pdf_steps(out, req.year, req.branch, as_of=req.report_date)
    return Path(path)


def _ledger_filename(area: str, req: ReportRequest) -> str:
    from reports.ledger_pdf import default_filename

    return default_filename(req.year, req.branch)


LEDGER = ReportKind(
    key="ledger",
    title="经费台账",
    description="党支部经费台账：一个党支部，或全部党支部（先列汇总表），每笔收支、余额和大写合计。",
    module="reports.ledger_pdf",
    steps=_ledger_steps,
    filename=_ledger_filename,
    branch_choice=True,
)

#: The reports of the 报表中心, in the order listed. One entry per report.
REPORTS: tuple[ReportKind, ...] = (QUARTERLY, RATING, LEDGER)


def available_reports() -> list[ReportKind]:
    return [kind for kind in REPORTS if kind.available()]


# ------------------------------------------------------------------ the list model


class ReportListModel(QAbstractListModel):
    """The reports offered; `KIND_ROLE` gives the `ReportKind`."""

    KIND_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, kinds: list[ReportKind], parent: Any = None):
        super().__init__(parent)
        self.kinds = list(kinds)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.kinds)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.kinds):
            return None
        kind = self.kinds[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return kind.title
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.StatusTipRole):
            return kind.description
        if role == self.KIND_ROLE:
            return kind
        return None

    def row_of(self, key: str) -> int:
        return next((i for i, k in enumerate(self.kinds) if k.key == key), -1)


# ------------------------------------------------------------------ work off the GUI thread


@dataclass(frozen=True)
class GeneratedReport:
    kind: ReportKind
    request: ReportRequest
    path: Path


def generate_steps(
    kind: ReportKind, out: Path, request: ReportRequest
) -> Generator[tuple[int, int, str], None, GeneratedReport]:
    out.parent.mkdir(parents=True, exist_ok=True)
    path = yield from kind.steps(out, request)
    return GeneratedReport(kind, request, Path(path))


def copy_report(source: Path, target: Path) -> Path:
    """Copy `source` to `target` through a temporary file beside it, so a failed copy
    never leaves half a PDF. `PermissionError` when the target is open elsewhere."""
    if target.exists() and source.resolve() == target.resolve():
        return target
    partial = target.with_name(f".{target.name}.partial")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    return target


def default_settings() -> QSettings:
    """``settings.ini`` in the data folder: per user, portable with the program."""
    return QSettings(str(paths.data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def _accepted(result: Any) -> bool:
    return getattr(result, "value", result) == QDialog.DialogCode.Accepted.value


# ------------------------------------------------------------------ the tab

TAB_STYLE = """
QFrame#reportPanel {
    background: #FFFFFF;
    border: none;
    border-right: 1px solid #E1E3E6;
}
QFrame#reportPanel QLabel {
    background: transparent;
}
QLabel[role="section"] {
    color: #666666;
    font-weight: bold;
    padding-top: 6px;
}
QLabel[role="hint"] {
    color: #7A7A7A;
}
QListView#reportList {
    border: 1px solid #E1E3E6;
    border-radius: 4px;
}
QListView#reportList::item {
    padding: 7px 8px;
    border-left: 3px solid transparent;
}
QListView#reportList::item:selected {
    background: #FBE3E4;
    color: #222222;
    border-left: 3px solid #C8161D;
}
QFrame#previewBar {
    background: #FFFFFF;
    border: none;
    border-bottom: 1px solid #E1E3E6;
}
QFrame#previewBar QLabel {
    background: transparent;
}
QLabel#previewTitle {
    font-weight: bold;
}
QPushButton#zoomOutButton, QPushButton#zoomInButton {
    min-width: 0;
    padding: 4px 10px;
}
QLabel#zoomLabel {
    min-width: 44px;
}
QLabel#previewEmpty {
    color: #6B6B6B;
    font-size: 11pt;
}
QSpinBox, QComboBox {
    min-height: 24px;
}
"""


class ReportCenterTab(QWidget):
    """The 报表中心 tab. `refresh()` after the database changed (it reads the reporting
    unit and the branch list; a shown preview stays until the next 生成)."""

    statusChanged = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        settings: QSettings | None = None,
        reports: list[ReportKind] | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("reportCenterTab")
        self.setStyleSheet(TAB_STYLE)
        self._today = today
        self.settings = settings if settings is not None else default_settings()
        self.current: GeneratedReport | None = None
        self.saved_path: Path | None = None
        self.task: workers.Task | None = None
        self.print_task: workers.Task | None = None
        self._print_job: tuple[QPrinter, pdf_preview.PdfPages] | None = None
        self._workdir = tempfile.TemporaryDirectory(prefix="wanghu-reports-", ignore_cleanup_errors=True)
        self._runs = itertools.count(1)
        self._unit: quarterly.UnitInfo | None = None
        self._status = ""

        self.model = ReportListModel(reports if reports is not None else available_reports(), self)
        self._build()
        self._restore_settings()
        self._show_unit_defaults()
        if self.model.rowCount():
            self.list_view.setCurrentIndex(self.model.index(0, 0))
        self._update_buttons()
        self._set_status("选择报表和期间，然后点击「生成报表」")

    # ------------------------------------------------------------ layout
    def _build(self) -> None:
        panel = QFrame(self)
        panel.setObjectName("reportPanel")
        panel.setFixedWidth(330)
        left = QVBoxLayout(panel)
        left.setContentsMargins(18, 16, 18, 16)
        left.setSpacing(8)

        left.addWidget(self._section("报表", panel))
        self.list_view = QListView(panel)
        self.list_view.setObjectName("reportList")
        self.list_view.setModel(self.model)
        self.list_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        row_h = self.list_view.fontMetrics().height() + 16
        self.list_view.setFixedHeight(row_h * max(1, self.model.rowCount()) + 6)
        self.list_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.selectionModel().currentChanged.connect(lambda *_: self._kind_changed())
        left.addWidget(self.list_view)
        self.description = QLabel("", panel)
        self.description.setObjectName("reportDescription")
        self.description.setProperty("role", "hint")
        self.description.setWordWrap(True)
        left.addWidget(self.description)

        left.addWidget(self._section("期间", panel))
        period = QFormLayout()
        period.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        period.setHorizontalSpacing(10)
        period.setVerticalSpacing(8)
        today = self._today()
        self.year_spin = QSpinBox(panel)
        self.year_spin.setObjectName("yearSpin")
        self.year_spin.setRange(FIRST_YEAR, today.year)
        self.year_spin.setSuffix(" 年")
        self.year_spin.setGroupSeparatorShown(False)
        self.year_spin.valueChanged.connect(lambda _v: self._update_quarters())
        self.quarter_combo = QComboBox(panel)
        self.quarter_combo.setObjectName("quarterCombo")
        for q, text in QUARTER_TEXTS.items():
            self.quarter_combo.addItem(text, q)
        self.branch_combo = QComboBox(panel)
        self.branch_combo.setObjectName("branchCombo")
        self.branch_combo.addItem("全部党支部", None)
        self.quarter_label = self._form_label("季度", panel)
        self.branch_label = self._form_label("党支部", panel)
        period.addRow(self._form_label("年度", panel), self.year_spin)
        period.addRow(self.quarter_label, self.quarter_combo)
        period.addRow(self.branch_label, self.branch_combo)
        left.addLayout(period)

        self.signature_section = self._section("签字栏（可不填）", panel)
        left.addWidget(self.signature_section)
        self.signature_form_host = QWidget(panel)
        signature = QFormLayout(self.signature_form_host)
        signature.setContentsMargins(0, 0, 0, 0)
        signature.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        signature.setHorizontalSpacing(10)
        signature.setVerticalSpacing(8)
        self.leader_edit = QLineEdit(panel)
        self.leader_edit.setObjectName("leaderEdit")
        self.preparer_edit = QLineEdit(panel)
        self.preparer_edit.setObjectName("preparerEdit")
        self.phone_edit = QLineEdit(panel)
        self.phone_edit.setObjectName("phoneEdit")
        for edit in (self.leader_edit, self.preparer_edit, self.phone_edit):
            edit.setClearButtonEnabled(True)
            edit.setMaxLength(40)
            edit.editingFinished.connect(self._save_signature)
        signature.addRow(self._form_label("负责人", panel), self.leader_edit)
        signature.addRow(self._form_label("填报人", panel), self.preparer_edit)
        signature.addRow(self._form_label("联系电话", panel), self.phone_edit)
        left.addWidget(self.signature_form_host)

        left.addSpacing(10)
        self.generate_button = QPushButton("生成报表", panel)
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setProperty("primary", True)
        self.generate_button.setMinimumHeight(34)
        self.generate_button.clicked.connect(lambda: self.generate())
        left.addWidget(self.generate_button)
        self.panel_hint = QLabel("生成后在右侧预览，再保存、打开或打印。", panel)
        self.panel_hint.setProperty("role", "hint")
        self.panel_hint.setWordWrap(True)
        left.addWidget(self.panel_hint)
        left.addStretch(1)

        # ---- the preview side
        bar = QFrame(self)
        bar.setObjectName("previewBar")
        tools = QHBoxLayout(bar)
        tools.setContentsMargins(16, 8, 16, 8)
        tools.setSpacing(6)
        self.preview_title = QLabel("预览", bar)
        self.preview_title.setObjectName("previewTitle")
        self.preview_title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.preview_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.zoom_out_button = QPushButton("－", bar)
        self.zoom_out_button.setObjectName("zoomOutButton")
        self.zoom_out_button.setToolTip("缩小（Ctrl+滚轮）")
        self.zoom_label = QLabel("100%", bar)
        self.zoom_label.setObjectName("zoomLabel")
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = QPushButton("＋", bar)
        self.zoom_in_button.setObjectName("zoomInButton")
        self.zoom_in_button.setToolTip("放大（Ctrl+滚轮）")
        self.fit_button = QPushButton("适合宽度", bar)
        self.fit_button.setObjectName("fitWidthButton")
        self.save_button = QPushButton("保存为…", bar)
        self.save_button.setObjectName("saveAsButton")
        self.open_button = QPushButton("打开", bar)
        self.open_button.setObjectName("openButton")
        self.open_button.setToolTip("用电脑上的 PDF 阅读器打开")
        self.print_button = QPushButton("打印…", bar)
        self.print_button.setObjectName("printButton")
        tools.addWidget(self.preview_title, 1)
        tools.addWidget(self.zoom_out_button)
        tools.addWidget(self.zoom_label)
        tools.addWidget(self.zoom_in_button)
        tools.addWidget(self.fit_button)
        tools.addSpacing(14)
        tools.addWidget(self.save_button)
        tools.addWidget(self.open_button)
        tools.addWidget(self.print_button)

        self.preview = pdf_preview.PdfPreview(self)
        self.preview.zoomChanged.connect(self._zoom_changed)
        self.zoom_out_button.clicked.connect(self.preview.zoom_out)
        self.zoom_in_button.clicked.connect(self.preview.zoom_in)
        self.fit_button.clicked.connect(self.preview.fit_width)
        self.save_button.clicked.connect(lambda: self.save_as())
        self.open_button.clicked.connect(lambda: self.open_in_viewer())
        self.print_button.clicked.connect(lambda: self.print_report())

        self.empty_label = QLabel("还没有生成报表。\n在左侧选择报表和期间，点击「生成报表」，生成后在这里预览。", self)
        self.empty_label.setObjectName("previewEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.preview)

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addWidget(bar)
        right.addWidget(self.stack, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(panel)
        layout.addLayout(right, 1)

    @staticmethod
    def _form_label(text: str, parent: QWidget) -> QLabel:
        """Labels of both forms share one width, so the fields line up."""
        label = QLabel(text, parent)
        label.setMinimumWidth(label.fontMetrics().horizontalAdvance("联系电话") + 2)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return label

    @staticmethod
    def _section(text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setProperty("role", "section")
        return label

    # ------------------------------------------------------------ settings
    def _setting(self, key: str, default: str = "") -> str:
        value = self.settings.value(f"{SETTINGS_GROUP}/{key}", default)
        return str(value) if value is not None else default

    def _restore_settings(self) -> None:
        self.leader_edit.setText(self._setting("leader"))
        self.preparer_edit.setText(self._setting("preparer"))
        self.phone_edit.setText(self._setting("phone"))
        try:
            zoom = int(self._setting("zoom", "100"))
        except ValueError:
            zoom = 100
        self.preview.set_zoom(zoom)
        self._zoom_changed(self.preview.zoom())

    def _save_signature(self) -> None:
        for key, edit in (("leader", self.leader_edit), ("preparer", self.preparer_edit), ("phone", self.phone_edit)):
            self.settings.setValue(f"{SETTINGS_GROUP}/{key}", edit.text().strip())
        self.settings.sync()

    # ------------------------------------------------------------ choices
    def current_kind(self) -> ReportKind | None:
        index = self.list_view.currentIndex()
        return index.data(ReportListModel.KIND_ROLE) if index.isValid() else None

    def select_report(self, key: str) -> bool:
        row = self.model.row_of(key)
        if row < 0:
            return False
        self.list_view.setCurrentIndex(self.model.index(row, 0))
        return True

    def set_period(self, year: int, quarter: int | None = None) -> None:
        self.year_spin.setValue(year)
        if quarter is not None:
            self.quarter_combo.setCurrentIndex(max(0, self.quarter_combo.findData(quarter)))

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        if kind is None:
            return
        self.description.setText(kind.description)
        today = self._today()
        quarterly_kind = kind.period == "quarter"
        self.quarter_label.setVisible(quarterly_kind)
        self.quarter_combo.setVisible(quarterly_kind)
        self.branch_label.setVisible(kind.branch_choice)
        self.branch_combo.setVisible(kind.branch_choice)
        self.signature_section.setVisible(kind.signature)
        self.signature_form_host.setVisible(kind.signature)
        if quarterly_kind:
            year, q = last_completed_quarter(today)
            self.set_period(year, q)
        else:
            self.year_spin.setValue(kind.default_year(today))
        if kind.branch_choice:
            self._load_branches()
        self._update_quarters()

    def _update_quarters(self) -> None:
        """Quarters that have not started yet cannot be reported on."""
        today = self._today()
        current = quarterly.Quarter.containing(today)
        model = self.quarter_combo.model()
        for i in range(self.quarter_combo.count()):
            q = self.quarter_combo.itemData(i)
            future = (self.year_spin.value(), q) > (current.year, current.quarter)
            item = model.item(i) if hasattr(model, "item") else None
            if item is not None:
                item.setEnabled(not future)
        chosen = self.quarter_combo.currentData()
        if (self.year_spin.value(), chosen) > (current.year, current.quarter):
            self.quarter_combo.setCurrentIndex(max(0, self.quarter_combo.findData(current.quarter)))

    def _load_branches(self) -> None:
        from wanghu_desk.services import exports

        chosen = self.branch_combo.currentData()
        self.branch_combo.blockSignals(True)
        self.branch_combo.clear()
        self.branch_combo.addItem("全部党支部", None)
        for name in exports.branch_names():
            self.branch_combo.addItem(name, name)
        self.branch_combo.setCurrentIndex(max(0, self.branch_combo.findData(chosen)))
        self.branch_combo.blockSignals(False)

    def _show_unit_defaults(self) -> None:
        try:
            unit = quarterly.unit_info()
        except Exception:  # noqa: BLE001 - no database open yet: no defaults to show
            unit = None
        self._unit = unit
        secretary = unit.secretary if unit else ""
        phone = unit.phone if unit else ""
        self.leader_edit.setPlaceholderText(f"默认：{secretary}" if secretary else "可不填")
        self.preparer_edit.setPlaceholderText("可不填")
        self.phone_edit.setPlaceholderText(f"默认：{phone}" if phone else "可不填")

    def request(self) -> ReportRequest:
        kind = self.current_kind()
        leader = self.leader_edit.text().strip()
        phone = self.phone_edit.text().strip()
        return ReportRequest(
            year=self.year_spin.value(),
            quarter=self.quarter_combo.currentData() if kind is not None and kind.period == "quarter" else None,
            branch=self.branch_combo.currentData() if kind is not None and kind.branch_choice else None,
            leader=leader or None,
            preparer=self.preparer_edit.text().strip(),
            phone=phone or None,
            report_date=self._today(),
        )

    # ------------------------------------------------------------ refresh and status
    def refresh(self) -> None:
        self._show_unit_defaults()
        kind = self.current_kind()
        if kind is not None and kind.branch_choice:
            self._load_branches()
        self.year_spin.setMaximum(self._today().year)
        self._update_buttons()

    def status_text(self) -> str:
        return self._status

    def _set_status(self, text: str) -> None:
        self._status = text
        self.statusChanged.emit(text)

    @property
    def busy(self) -> bool:
        return self.task is not None or self.print_task is not None

    def _update_buttons(self) -> None:
        has_report = self.current is not None and self.preview.page_count() > 0
        self.generate_button.setEnabled(self.task is None and self.model.rowCount() > 0)
        for button in (self.save_button, self.open_button, self.zoom_in_button, self.zoom_out_button, self.fit_button):
            button.setEnabled(has_report)
        self.print_button.setEnabled(has_report and self.print_task is None)
        self.zoom_label.setEnabled(has_report)

    def _zoom_changed(self, percent: int) -> None:
        self.zoom_label.setText(f"{percent}%")
        self.settings.setValue(f"{SETTINGS_GROUP}/zoom", percent)

    # ------------------------------------------------------------ generate
    def _area_name(self) -> str:
        if self._unit is None:
            self._show_unit_defaults()
        return self._unit.area_name if self._unit and self._unit.area_name else ""

    def generate(self) -> workers.Task | None:
        """Write the chosen report on a worker; the preview shows it when it is done."""
        kind = self.current_kind()
        if kind is None or self.task is not None:
            return None
        self._save_signature()
        request = self.request()
        try:
            name = kind.filename(self._area_name(), request)
        except Exception:  # noqa: BLE001 - a bad period is reported by the worker in Chinese
            name = f"{kind.title}.pdf"
        out = Path(self._workdir.name) / str(next(self._runs)) / name
        worker = workers.Worker(generate_steps, kind, out, request)

        def done() -> None:
            self.task = None
            self._update_buttons()

        def cancelled() -> None:
            self._set_status("已取消生成")

        self.task = workers.run_with_progress(
            self,
            worker,
            title=kind.title,
            label=f"正在生成「{kind.title}」…",
            on_result=self._show_generated,
            on_cancelled=cancelled,
            on_finished=done,
        )
        self._update_buttons()
        self._set_status(f"正在生成「{kind.title}」…")
        return self.task

    def _show_generated(self, report: GeneratedReport) -> None:
        try:
            pages = self.preview.load(report.path)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk, the file itself is fine
            message = getattr(exc, "message", None) or "报表已生成，但无法显示预览。可以点击「打开」用 PDF 阅读器查看。"
            self.current = report
            dialogs.error(self, report.kind.title, message)
            self._update_buttons()
            return
        self.current = report
        self.saved_path = None
        self.stack.setCurrentWidget(self.preview)
        self.preview_title.setText(f"{report.path.name}（共 {pages} 页）")
        self.preview_title.setToolTip(str(report.path.name))
        self._update_buttons()
        self._set_status(f"已生成「{report.path.name}」，共 {pages} 页。可以保存、打开或打印。")

    # ------------------------------------------------------------ save, open, print
    def _save_folder(self) -> Path:
        folder = self._setting("save_dir")
        if folder and Path(folder).is_dir():
            return Path(folder)
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(documents) if documents else Path.home()

    def save_as(self) -> Path | None:
        """Ask where, then copy the generated PDF there. Returns the saved path."""
        if self.current is None:
            return None
        suggested = self._save_folder() / self.current.path.name
        path, _ = QFileDialog.getSaveFileName(self, "保存报表", str(suggested), "PDF 文件 (*.pdf)")
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            copy_report(self.current.path, target)
        except PermissionError:
            dialogs.error(
                self,
                "保存报表",
                f"文件「{target.name}」正被其他程序打开，无法覆盖。",
                informative="请先关闭打开它的 PDF 阅读器或打印预览，再保存；或者换一个文件名。",
            )
            return None
        except OSError:
            dialogs.error(
                self,
                "保存报表",
                f"无法保存到「{target.parent}」。",
                informative="请检查这个文件夹是否存在、是否有写入权限（U 盘是否已插好、是否写保护），或换一个位置。",
            )
            return None
        self.saved_path = target
        self.settings.setValue(f"{SETTINGS_GROUP}/save_dir", str(target.parent))
        self.settings.sync()
        self._set_status(f"已保存到 {target}")
        # every report of the list is saved here: each is offered 打开文件 (issue 19)
        if dialogs.offer_open(self, "保存报表", f"「{self.current.kind.title}」已保存到：", target):
            self._set_status(f"已保存到 {target}，并已用 PDF 阅读器打开")
        return target

    def open_in_viewer(self) -> bool:
        """Open the saved copy (or the generated file) in the system's PDF viewer."""
        if self.current is None:
            return False
        path = self.saved_path if self.saved_path is not None and self.saved_path.exists() else self.current.path
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self._set_status(f"已用 PDF 阅读器打开「{path.name}」")
            return True
        dialogs.error(
            self,
            "打开报表",
            "这台电脑上没有找到可以打开 PDF 文件的程序。",
            informative="请安装一个 PDF 阅读器；也可以用「保存为…」保存后发给别人，或直接「打印」。",
        )
        return False

    def print_report(self) -> workers.Task | None:
        """Ask for a printer (QPrintDialog), then print on a worker."""
        if self.current is None or self.print_task is not None:
            return None
        try:
            pages = pdf_preview.PdfPages(self.current.path)
        except Exception as exc:  # noqa: BLE001
            dialogs.error(self, "打印", getattr(exc, "message", None) or "无法读取报表文件，请重新生成后再打印。")
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.current.path.stem)
        printer.setCreator("党建引领社区治理台账")
        pdf_preview.prepare_printer(printer, pages)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印报表")
        dialog.setMinMax(1, max(1, len(pages)))
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        if not _accepted(dialog.exec()):
            pages.close()
            return None
        self._print_job = (printer, pages)
        worker = workers.Worker(pdf_preview.print_steps, pages, printer, cleanup=None)

        def printed(count: int) -> None:
            self._set_status(f"已送往打印机：{count} 页")

        def done() -> None:
            self.print_task = None
            if self._print_job is not None:
                self._print_job[1].close()
            self._print_job = None
            self._update_buttons()

        self.print_task = workers.run_with_progress(
            self,
            worker,
            title="打印",
            label="正在准备打印…",
            on_result=printed,
            on_cancelled=lambda: self._set_status("已取消打印"),
            on_finished=done,
        )
        self._update_buttons()
        return self.print_task
