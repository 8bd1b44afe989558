"""星级评定 tab: the yearly star rating of every branch (SPEC §4).

Top: the year, its state (评定中 / 公示中 / 已定级, with the 公示 dates) and the actions —
评定标准 (the scheme editor), 公示 (start date, 5 days by default), 定级 (asks first; the
year becomes read-only), 重新开放 (administrators, with a reason), 导出 Excel, 公示 PDF,
新建年度 (copy last year's scheme or the default).

Two pages:
- 评分录入: the grid (`ui.rating_grid_model`) with the stage selector 自评 / 社区初评 /
  街道审定, filters by community and category, a search box, the progress "已审定 52/74",
  a banner for what needs attention (a finalized year, an open tie at the five-star cap,
  branches missing from the year), a line that explains the selected cell, and a context
  menu (clear this stage's score, 一票否决, record a tie decision, copy).
- 评定结果: distribution, bar chart, history with ↑/↓ (`ui.rating_results`).

Public API for the main window: `RatingTab(parent=None)`, `refresh()`, `show_year(year)`,
signal `data_changed` (after any change), `statusChanged(str)` and `status_text()`.

Questions go through `ui.dialogs` and the module functions below (`ask_text`,
`ask_veto_reason`, `ask_publicity`, `ask_new_round`, `ask_cap_decision`,
`choose_save_path`, `open_scheme_dialog`), so tests patch them and never wait on a modal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPoint, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, workers
from ui.rating_grid_model import (
    BRANCH_ID_ROLE,
    COL_SELF,
    COL_SOURCE,
    COL_STAGE,
    COL_STARS,
    COL_TOTAL,
    COL_VETO,
    FIXED_COLUMNS,
    RESULT_ROLE,
    RatingGridModel,
    ScoreDelegate,
)
from ui.rating_results import RatingResultsPage
from ui.rating_scheme_dialog import RatingSchemeDialog
from wanghu_desk import vocab
from wanghu_desk.errors import UserError
from wanghu_desk.rating_rules import STAGE_LABELS, STAGES, STAR_NAMES, format_points
from wanghu_desk.services import rating, stats
from wanghu_desk.services.base import current_actor

EMPTY_TEXT = "还没有星级评定。点击「新建年度」开始评定。"
NO_MATCH_TEXT = "没有符合条件的支部。清空搜索，或把社区、类别改为「全部」。"
BANNER_INFO = "background: #FFF8E1; color: #5C4400; border: 1px solid #F0DFA8; border-radius: 4px; padding: 6px 10px;"
BANNER_LOCKED = "background: #EEF1F5; color: #3D4654; border: 1px solid #D6DBE2; border-radius: 4px; padding: 6px 10px;"
REFUSED_STYLE = "color: #C8161D;"
HINT_STYLE = "color: #6B6B6B;"
SEGMENT_STYLE = """
QPushButton[segment="true"] { border-radius: 0; min-width: 72px; padding: 4px 14px; margin: 0; }
QPushButton[segment="true"]:checked { background: #FBE3E4; color: #8A1116; border: 1px solid #C8161D; }
"""
STATUS_COLOURS = {"open": ("#EEF1F5", "#3D4654"), "publicity": ("#FFF3CD", "#6B4E00"), "finalized": ("#E6F2E8", "#1E5E2A")}


# ---------------------------------------------------------------- questions (patched by tests)


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value.strip() if ok and value.strip() else None


def ask_veto_reason(parent: QWidget | None, branch: str, items: Sequence[str]) -> str | None:
    value, ok = QInputDialog.getItem(parent, "一票否决", f"「{branch}」一票否决的原因：", list(items), 0, True)
    return value.strip() if ok and value.strip() else None


class PublicityDialog(QDialog):
    def __init__(self, parent: QWidget | None, start: dt.date, days: int):
        super().__init__(parent)
        self.setWindowTitle("公示")
        self.start_edit = QDateEdit(QDate(start.year, start.month, start.day))
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("yyyy-MM-dd")
        self.days_spin = QSpinBox()
        self.days_spin.setRange(1, 60)
        self.days_spin.setValue(days)
        self.days_spin.setSuffix(" 天")
        self.end_label = QLabel()
        form = QFormLayout()
        form.addRow("公示开始", self.start_edit)
        form.addRow("公示天数", self.days_spin)
        form.addRow("公示结束", self.end_label)
        buttons = QDialogButtonBox()
        ok = buttons.addButton("开始公示", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setProperty("primary", True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 26)
        layout.addLayout(form)
        note = QLabel("公示期满后才能定级。公示期间仍可修改评分。")
        note.setProperty("role", "detail")
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.start_edit.dateChanged.connect(lambda _d: self._update())
        self.days_spin.valueChanged.connect(lambda _v: self._update())
        self._update()

    def values(self) -> tuple[dt.date, int]:
        return self.start_edit.date().toPython(), self.days_spin.value()

    def _update(self) -> None:
        start, days = self.values()
        self.end_label.setText((start + dt.timedelta(days=days - 1)).isoformat())


def ask_publicity(parent: QWidget | None, start: dt.date, days: int) -> tuple[dt.date, int] | None:
    dialog = PublicityDialog(parent, start, days)
    return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


class NewRoundDialog(QDialog):
    def __init__(self, parent: QWidget | None, year: int, has_previous: bool):
        super().__init__(parent)
        self.setWindowTitle("新建评定年度")
        self.year_spin = QSpinBox()
        self.year_spin.setRange(rating.MIN_YEAR, rating.MAX_YEAR)
        self.year_spin.setValue(year)
        self.copy_radio = QRadioButton("复制上一年度的评定标准")
        self.default_radio = QRadioButton("使用默认评定标准（百分制，六个维度）")
        self.copy_radio.setEnabled(has_previous)
        (self.copy_radio if has_previous else self.default_radio).setChecked(True)
        form = QFormLayout()
        form.addRow("评定年度", self.year_spin)
        form.addRow("评定标准", self.copy_radio)
        form.addRow("", self.default_radio)
        buttons = QDialogButtonBox()
        ok = buttons.addButton("新建", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setProperty("primary", True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addLayout(form)
        note = QLabel("所有正常状态的党支部都会加入该年度的评定名单。")
        note.setProperty("role", "detail")
        layout.addWidget(note)
        layout.addWidget(buttons)

    def values(self) -> tuple[int, str]:
        return self.year_spin.value(), "previous" if self.copy_radio.isChecked() else "default"


def ask_new_round(parent: QWidget | None, year: int, has_previous: bool) -> tuple[int, str] | None:
    dialog = NewRoundDialog(parent, year, has_previous)
    return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_cap_decision(parent: QWidget | None, tie: rating.TieInfo, branch: str) -> tuple[str | None, str] | None:
    """("keep" | "demote" | None, reason) or None when cancelled."""
    level, lower = STAR_NAMES[tie.star], STAR_NAMES[tie.star - 1]
    choices = [f"保留{level}", f"降为{lower}", "清除裁定"]
    choice, ok = QInputDialog.getItem(parent, "记录同分裁定", f"{tie.message}\n\n「{branch}」：", choices, 0, False)
    if not ok:
        return None
    decision = {choices[0]: "keep", choices[1]: "demote"}.get(choice)
    if decision is None:
        return None, ""
    reason = ask_text(parent, "记录同分裁定", "裁定依据（如「经街道党工委会议研究」）：")
    return (decision, reason) if reason else None


def choose_save_path(parent: QWidget | None, title: str, suggested: str, file_filter: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def open_scheme_dialog(parent: QWidget | None, scheme_id: int, year: int) -> bool:
    """Open the scheme editor; True when it saved."""
    dialog = RatingSchemeDialog(parent, scheme_id, year=year)
    return dialog.exec() == QDialog.DialogCode.Accepted


# ---------------------------------------------------------------- the tab


class RatingTab(QWidget):
    """See the module docstring."""

    data_changed = Signal()
    statusChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("ratingTab")
        self._today = today
        self.year: int | None = None
        self.last_task: workers.Task | None = None
        self._hint = ""

        # -- top bar
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("ratingYear")
        self.year_combo.setMinimumWidth(110)
        self.status_label = QLabel()
        self.status_label.setObjectName("ratingStatus")
        self.scheme_button = QPushButton("评定标准")
        self.publicity_button = QPushButton("公示…")
        self.finalize_button = QPushButton("定级")
        self.reopen_button = QPushButton("重新开放…")
        self.export_button = QPushButton("导出 Excel")
        self.pdf_button = QPushButton("公示 PDF")
        self.new_button = QPushButton("新建年度…")
        for name, button in (("schemeButton", self.scheme_button), ("publicityButton", self.publicity_button),
                             ("finalizeButton", self.finalize_button), ("reopenButton", self.reopen_button),
                             ("exportButton", self.export_button), ("pdfButton", self.pdf_button),
                             ("newRoundButton", self.new_button)):
            button.setObjectName(name)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(QLabel("评定年度"))
        top.addWidget(self.year_combo)
        top.addWidget(self.status_label)
        top.addStretch(1)
        for button in (self.scheme_button, self.publicity_button, self.finalize_button, self.reopen_button):
            top.addWidget(button)
        top.addSpacing(12)
        for button in (self.export_button, self.pdf_button):
            top.addWidget(button)
        top.addSpacing(12)
        top.addWidget(self.new_button)

        # -- grid page
        self.stage_buttons: dict[str, QPushButton] = {}
        self.stage_group = QButtonGroup(self)
        self.stage_group.setExclusive(True)
        stages = QHBoxLayout()
        stages.setSpacing(0)
        for stage in STAGES:
            button = QPushButton(STAGE_LABELS[stage])
            button.setObjectName(f"stage_{stage}")
            button.setCheckable(True)
            button.setProperty("segment", True)
            button.setStyleSheet(SEGMENT_STYLE)
            self.stage_group.addButton(button)
            self.stage_buttons[stage] = button
            stages.addWidget(button)
        self.stage_buttons["street"].setChecked(True)
        self.community_combo = QComboBox()
        self.community_combo.setObjectName("communityFilter")
        self.category_combo = QComboBox()
        self.category_combo.setObjectName("categoryFilter")
        self.search = QLineEdit()
        self.search.setObjectName("ratingSearch")
        self.search.setPlaceholderText("搜索党支部")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(220)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("ratingProgress")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("ratingProgressBar")
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedSize(120, 8)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(QLabel("评分阶段"))
        filters.addLayout(stages)
        filters.addSpacing(16)
        filters.addWidget(self.community_combo)
        filters.addWidget(self.category_combo)
        filters.addWidget(self.search)
        filters.addStretch(1)
        filters.addWidget(self.progress_label)
        filters.addWidget(self.progress_bar)

        self.banner = QLabel()
        self.banner.setObjectName("ratingBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.add_missing_button = QPushButton("加入评定")
        self.add_missing_button.setObjectName("addMissingButton")
        self.add_missing_button.setVisible(False)
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.add_missing_button)

        self.model = RatingGridModel(self, ask_veto_reason=lambda name, items: ask_veto_reason(self, name, items))
        self.view = QTableView()
        self.view.setObjectName("ratingGrid")
        self.view.setModel(self.model)
        self.view.setItemDelegate(ScoreDelegate(self.view))
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.view.horizontalHeader()
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumHeight(self.fontMetrics().height() * 2 + 14)
        self.view.setSortingEnabled(True)
        vheader = self.view.verticalHeader()
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 12)
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        vheader.setStyleSheet("QHeaderView::section { padding: 0 8px; }")
        vheader.setTextElideMode(Qt.TextElideMode.ElideMiddle)

        self.grid_empty = QLabel(NO_MATCH_TEXT)
        self.grid_empty.setObjectName("gridEmpty")
        self.grid_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid_empty.setProperty("role", "detail")
        self.grid_stack = QStackedWidget()
        self.grid_stack.addWidget(self.view)
        self.grid_stack.addWidget(self.grid_empty)

        self.detail_label = QLabel()
        self.detail_label.setObjectName("ratingDetail")
        self.detail_label.setStyleSheet(HINT_STYLE)
        self.detail_label.setMinimumHeight(self.fontMetrics().height() + 6)

        grid_page = QWidget()
        grid_layout = QVBoxLayout(grid_page)
        grid_layout.setContentsMargins(16, 10, 16, 8)
        grid_layout.setSpacing(8)
        grid_layout.addLayout(filters)
        grid_layout.addLayout(banner_row)
        grid_layout.addWidget(self.grid_stack, 1)
        grid_layout.addWidget(self.detail_label)

        self.results = RatingResultsPage()
        self.pages = QTabWidget()
        self.pages.setObjectName("ratingPages")
        self.pages.addTab(grid_page, "评分录入")
        self.pages.addTab(self.results, "评定结果")

        # -- empty state
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("emptyTitle")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_new_button = QPushButton("新建年度…")
        self.empty_new_button.setObjectName("emptyNewRound")
        self.empty_new_button.setProperty("primary", True)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.empty_new_button)
        row.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addSpacing(10)
        empty_layout.addLayout(row)
        empty_layout.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.pages)
        self.stack.addWidget(empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        top_frame = QFrame()
        top_frame.setObjectName("ratingTopBar")
        top_frame.setLayout(top)
        top.setContentsMargins(16, 10, 16, 6)
        layout.addWidget(top_frame)
        layout.addWidget(self.stack, 1)

        # -- actions
        self.clear_action = QAction("清空该项（本阶段）", self)
        self.clear_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.clear_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.clear_action.triggered.connect(self.clear_current)
        self.view.addAction(self.clear_action)
        self.search_action = QAction("搜索", self)
        self.search_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.search_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.search_action.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(self.search_action)

        # -- wiring
        self.year_combo.currentIndexChanged.connect(self._year_chosen)
        self.stage_group.buttonToggled.connect(self._stage_toggled)
        self.community_combo.currentIndexChanged.connect(lambda _i: self._filter())
        self.category_combo.currentIndexChanged.connect(lambda _i: self._filter())
        self.search.textChanged.connect(lambda _t: self._filter())
        self.model.refused.connect(self._refused)
        self.model.written.connect(self._written)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().currentChanged.connect(lambda cur, _prev: self._explain(cur))
        self.scheme_button.clicked.connect(self.edit_scheme)
        self.publicity_button.clicked.connect(self.start_publicity)
        self.finalize_button.clicked.connect(self.finalize)
        self.reopen_button.clicked.connect(self.reopen)
        self.export_button.clicked.connect(self.export_excel)
        self.pdf_button.clicked.connect(self.export_pdf)
        self.new_button.clicked.connect(self.new_round)
        self.empty_new_button.clicked.connect(self.new_round)
        self.add_missing_button.clicked.connect(self.add_missing)
        self._filled = False  # the year's sheet is read when the tab is first shown, not at start-up

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._filled:
            self.refresh()

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Re-read the years and the shown year (after a change elsewhere)."""
        self._filled = True
        years = rating.years()
        keep = self.year if self.year in years else (years[0] if years else None)
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for y in years:
            self.year_combo.addItem(f"{y} 年度", y)
        self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(keep)))
        self.year_combo.blockSignals(False)
        self._load(keep)

    def show_year(self, year: int) -> None:
        """Show `year` (it must have a rating; otherwise the newest one is shown)."""
        i = self.year_combo.findData(int(year))
        if i < 0:
            self.refresh()
            i = self.year_combo.findData(int(year))
        if i >= 0 and i != self.year_combo.currentIndex():
            self.year_combo.setCurrentIndex(i)  # loads it
        elif i >= 0:
            self._load(int(year))

    def _year_chosen(self, _index: int) -> None:
        self._load(self.year_combo.currentData())

    def _load(self, year: int | None) -> None:
        self.year = year
        self.stack.setCurrentIndex(0 if year is not None else 1)
        current = self.view.currentIndex()
        branch = current.data(BRANCH_ID_ROLE) if current.isValid() else None
        column = current.column() if current.isValid() else None
        self.model.load(year)
        self._fill_filters()
        self._filter(keep_current=(branch, column))
        self._size_columns()
        self.results.show_year(year)
        self._update_state()

    def _fill_filters(self) -> None:
        rows = self.model.result.results if self.model.result else []
        for combo, all_text, values in (
            (self.community_combo, "全部社区",
             [(c, c) for c in dict.fromkeys(r.row.community for r in rows if r.row.community)]),
            (self.category_combo, "全部类别",
             [(vocab.label(vocab.BRANCH_CATEGORIES, c), c) for c in vocab.BRANCH_CATEGORIES
              if any(r.row.category == c for r in rows)]),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(all_text, None)
            for text, value in values:
                combo.addItem(text, value)
            if combo is self.community_combo and any(not r.row.community for r in rows):
                combo.addItem("未归属社区", "")
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def _filter(self, keep_current: tuple[int | None, int | None] | None = None) -> None:
        if keep_current is None:
            current = self.view.currentIndex()
            keep_current = ((current.data(BRANCH_ID_ROLE), current.column())
                            if current.isValid() else (None, None))
        self.model.set_filter(community=self.community_combo.currentData(),
                              category=self.category_combo.currentData(), text=self.search.text())
        branch, column = keep_current
        if branch is not None:
            row = self.model.row_of(branch)
            if row is not None:
                self.view.setCurrentIndex(self.model.index(row, column or 0))
        self.grid_stack.setCurrentWidget(self.view if self.model.rowCount() or not self.model.total_rows
                                         else self.grid_empty)
        self._update_status()

    def _size_columns(self) -> None:
        fm = self.fontMetrics()
        widths = {
            COL_STARS: fm.horizontalAdvance("★★★★★  待裁定") + 20,
            COL_SELF: fm.horizontalAdvance("★★★★★") + 24,
            COL_TOTAL: fm.horizontalAdvance("100.00") + 24,
            COL_SOURCE: fm.horizontalAdvance("社区初评＊") + 20,
            COL_STAGE: fm.horizontalAdvance("社区初评") + 22,
            COL_VETO: fm.horizontalAdvance("三年未发展党员") + 44,
        }
        for col, width in widths.items():
            self.view.setColumnWidth(col, width)
        item_width = max(fm.horizontalAdvance("组织建设") + 18, fm.horizontalAdvance("1.1（10分）") + 14)
        for col in range(FIXED_COLUMNS, self.model.columnCount()):
            self.view.setColumnWidth(col, item_width)
        # Long names (合肥市包河区…协会党支部) are elided; the tooltip has the whole name.
        vheader = self.view.verticalHeader()
        vheader.setMaximumWidth(fm.horizontalAdvance("合肥望湖物业服务有限公司党支部") + 24)

    # ------------------------------------------------------------ state
    def _update_state(self) -> None:
        res = self.model.result
        actor = current_actor()
        has = res is not None
        finalized = has and res.round.is_finalized
        can_write = actor.can_write
        for button in (self.scheme_button, self.export_button, self.pdf_button):
            button.setEnabled(has)
        self.scheme_button.setText("查看评定标准" if finalized or not can_write else "评定标准")
        self.publicity_button.setVisible(has and not finalized)
        self.publicity_button.setEnabled(can_write)
        self.finalize_button.setVisible(has and not finalized)
        self.finalize_button.setEnabled(can_write and has and res.round.status == "publicity")
        self.finalize_button.setToolTip("" if self.finalize_button.isEnabled() else "请先公示，公示期满后再定级")
        self.finalize_button.setProperty("primary", bool(has and res.round.status == "publicity"))
        self.finalize_button.style().unpolish(self.finalize_button)
        self.finalize_button.style().polish(self.finalize_button)
        self.reopen_button.setVisible(bool(finalized))
        self.reopen_button.setEnabled(actor.is_admin)
        self.reopen_button.setToolTip("" if actor.is_admin else "只有管理员可以重新开放已定级的年度")
        self.new_button.setEnabled(can_write)
        self.empty_new_button.setEnabled(can_write)
        if has:
            rnd = res.round
            bg, fg = STATUS_COLOURS.get(rnd.status, STATUS_COLOURS["open"])
            text = rnd.status_label
            if rnd.publicity_start:
                text += f" · 公示 {rnd.publicity_text}"
            self.status_label.setText(text)
            self.status_label.setStyleSheet(f"background: {bg}; color: {fg}; border-radius: 10px; padding: 2px 10px;")
            self.progress_label.setText(res.progress_text)
            self.progress_bar.setRange(0, max(1, res.rated))
            self.progress_bar.setValue(res.reviewed)
        else:
            self.status_label.setText("")
            self.status_label.setStyleSheet("")
            self.progress_label.setText("")
        self._update_banner()
        self._update_status()

    def _update_banner(self) -> None:
        res = self.model.result
        text, style, missing = "", BANNER_INFO, []
        if res is not None:
            if res.round.is_finalized:
                when = (res.round.finalized_at or "")[:10]
                text = (f"{res.year} 年度已于 {when} 定级，只能查看。" if when else f"{res.year} 年度已定级，只能查看。")
                text += "如确需修改，请由管理员「重新开放」。"
                style = BANNER_LOCKED
            elif not current_actor().can_write:
                text, style = "当前账号只能查看，不能修改评分。", BANNER_LOCKED
            else:
                notes = [t.message + "（" + "、".join(t.names) + "；在支部一行上右键，选「记录同分裁定…」）"
                         for t in res.pending_ties]
                missing = rating.missing_branches(res.year)
                if missing:
                    names = "、".join(n for _, n in missing[:3]) + (" 等" if len(missing) > 3 else "")
                    notes.append(f"有 {len(missing)} 个党支部不在本年度评定名单中：{names}。")
                text = "\n".join(notes)
        self.banner.setText(text)
        self.banner.setStyleSheet(style)
        self.banner.setVisible(bool(text))
        self.add_missing_button.setVisible(bool(missing))

    def status_text(self) -> str:
        res = self.model.result
        if res is None:
            return EMPTY_TEXT
        shown = self.model.rowCount()
        part = f"显示 {shown} 个" if shown != res.rated else f"共 {res.rated} 个支部"
        return f"{res.year} 年度 · {res.round.status_label} · {res.progress_text} · {part}"

    def _update_status(self) -> None:
        self.statusChanged.emit(self.status_text())

    def _explain(self, index: QModelIndex) -> None:
        if not index.isValid():
            self._set_hint("")
            return
        r = self.model.data(index, RESULT_ROLE)
        col = self.model.column(index.column())
        if col.criterion is not None:
            c = col.criterion
            kind = "减分项" if c.kind == "deduction" else c.dimension
            limit = f"最多扣 {c.max_text} 分" if c.kind == "deduction" else f"满分 {c.max_text} 分"
            text = f"{r.name} · {c.code} {kind}：{c.item}（{limit}）"
        else:
            total = format_points(r.total_cp) or "—"
            text = f"{r.name} · 合计 {total} 分，来自{r.source_label}，{r.result_label}"
            if r.self_differs:
                text += f"；自评{STAR_NAMES[r.self_stars or 0]}"
        self._set_hint(text)

    def _set_hint(self, text: str, refused: bool = False) -> None:
        self.detail_label.setStyleSheet(REFUSED_STYLE if refused else HINT_STYLE)
        self.detail_label.setText(text)

    # ------------------------------------------------------------ grid events
    def _stage_toggled(self, button: QPushButton, checked: bool) -> None:
        if not checked:
            return
        stage = next(s for s, b in self.stage_buttons.items() if b is button)
        self.model.set_stage(stage)

    def set_stage(self, stage: str) -> None:
        self.stage_buttons[stage].setChecked(True)

    def _refused(self, message: str) -> None:
        self._set_hint(message, refused=True)

    def _written(self) -> None:
        self._after_change(reload_grid=False)

    def _after_change(self, *, reload_grid: bool = True) -> None:
        if reload_grid and self.year is not None:
            self.model.reload()
        self.results.mark_dirty()
        self._update_state()
        current = self.view.currentIndex()
        if current.isValid():
            self._explain(current)
        self.data_changed.emit()

    def clear_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid() and self.model.column(index.column()).criterion is not None:
            self.model.clear_points(index)

    def _context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu(self.view.indexAt(pos))
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def build_context_menu(self, index: QModelIndex) -> QMenu:
        menu = QMenu(self)
        editable = not self.model.read_only
        if index.isValid():
            r = self.model.data(index, RESULT_ROLE)
            col = self.model.column(index.column())
            if col.criterion is not None:
                clear = menu.addAction(f"清空该项（{STAGE_LABELS[self.model.stage]}）", lambda: self.clear_current())
                clear.setEnabled(editable)
            if r.vetoed:
                act = menu.addAction("取消一票否决", lambda: self.model.setData(
                    self.model.index(index.row(), COL_VETO), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole))
            else:
                act = menu.addAction("一票否决…", lambda: self.model.setData(
                    self.model.index(index.row(), COL_VETO), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole))
            act.setEnabled(editable)
            tie = self._tie_of(r.branch_id)
            if tie is not None:
                decide = menu.addAction("记录同分裁定…", lambda: self.decide_tie(r.branch_id))
                decide.setEnabled(editable)
            menu.addSeparator()
            menu.addAction("复制", lambda: QGuiApplication.clipboard().setText(str(index.data() or "")))
        return menu

    def _tie_of(self, branch_id: int) -> rating.TieInfo | None:
        res = self.model.result
        if res is None:
            return None
        return next((t for t in res.ties if branch_id in t.branch_ids), None)

    # ------------------------------------------------------------ actions
    def _guard(self, title: str, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except UserError as exc:
            dialogs.error(self, title, exc.message)
            return None

    def decide_tie(self, branch_id: int) -> None:
        tie = self._tie_of(branch_id)
        if tie is None or self.year is None:
            return
        name = next(n for b, n in zip(tie.branch_ids, tie.names) if b == branch_id)
        answer = ask_cap_decision(self, tie, name)
        if answer is None:
            return
        decision, reason = answer
        self._guard("记录同分裁定", lambda: rating.record_cap_decision(self.year, branch_id, decision, reason))
        self._after_change()

    def new_round(self) -> None:
        years = rating.years()
        default = (years[0] + 1) if years else self._today().year - 1
        answer = ask_new_round(self, default, bool(years))
        if answer is None:
            return
        year, source = answer
        if self._guard("新建评定年度", lambda: rating.create_round(year, source=source)) is None:
            return
        self.year = year
        self.refresh()
        self.data_changed.emit()

    def add_missing(self) -> None:
        if self.year is None:
            return
        added = self._guard("加入评定", lambda: rating.add_missing_branches(self.year))
        if added:
            self._load(self.year)
            self.data_changed.emit()

    def edit_scheme(self) -> None:
        res = self.model.result
        if res is None:
            return
        if open_scheme_dialog(self, res.scheme.id, res.year):
            self._load(self.year)
            self.data_changed.emit()

    def start_publicity(self) -> None:
        res = self.model.result
        if res is None:
            return
        start = res.round.publicity_start or self._today()
        answer = ask_publicity(self, start, rating.publicity_days())
        if answer is None:
            return
        day, days = answer
        if self._guard("公示", lambda: rating.start_publicity(self.year, day, days)) is not None:
            self._after_change()

    def finalize(self) -> None:
        res = self.model.result
        if res is None:
            return
        problems = rating.finalize_problems(res.year, today=self._today())
        if problems:
            dialogs.warn(self, "暂时不能定级", "\n".join(problems))
            return
        dist = res.distribution
        if not dialogs.ask(
            self, "定级",
            f"将 {res.year} 年度星级评定定级：{dist.summary}。",
            ok_text="定级",
            informative="定级后该年度的评分、一票否决和星级都不能再修改；如确需修改，需由管理员重新开放。",
            default_ok=False,
        ):
            return
        if self._guard("定级", lambda: rating.finalize(res.year, today=self._today())) is not None:
            self._after_change()

    def reopen(self) -> None:
        res = self.model.result
        if res is None:
            return
        reason = ask_text(self, "重新开放", f"重新开放 {res.year} 年度的星级评定。请写明原因（记入操作日志）：")
        if not reason:
            return
        if self._guard("重新开放", lambda: rating.reopen(res.year, reason)) is not None:
            self._after_change()

    def _suggested(self, filename: str) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        return str(Path(folder) / filename)

    def export_excel(self) -> workers.Task | None:
        if self.year is None:
            return None
        from reports import rating_export  # openpyxl: imported at the first export

        name = rating_export.default_filename(stats.organization_name(), self.year)
        path = choose_save_path(self, "导出评定结果", self._suggested(name), "Excel 工作簿 (*.xlsx)")
        if not path:
            return None
        target = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
        return self._run(workers.Worker(rating_export.rating_workbook_steps, target, self.year),
                         title="导出评定结果", label="正在导出评定结果…", done_text="已导出到：")

    def export_pdf(self) -> workers.Task | None:
        if self.year is None:
            return None
        from reports import rating_pdf  # reportlab: imported at the first PDF

        name = rating_pdf.default_filename(stats.organization_name(), self.year)
        path = choose_save_path(self, "生成公示 PDF", self._suggested(name), "PDF 文件 (*.pdf)")
        if not path:
            return None
        target = Path(path) if path.lower().endswith(".pdf") else Path(path + ".pdf")
        return self._run(workers.Worker(rating_pdf.write_rating_pdf, target, self.year),
                         title="生成公示 PDF", label="正在生成评定结果公示…", done_text="已生成：")

    def _run(self, worker: workers.Worker, *, title: str, label: str, done_text: str) -> workers.Task:
        buttons = (self.export_button, self.pdf_button)
        for button in buttons:
            button.setEnabled(False)

        def finished(path: Path) -> None:
            self._set_hint(f"{done_text}{path}")
            dialogs.offer_open(self, title, done_text, path)

        def ended() -> None:
            for button in buttons:
                button.setEnabled(self.year is not None)

        self.last_task = workers.run_with_progress(self, worker, title=title, label=label, on_result=finished,
                                                   on_finished=ended, cancellable=False)
        return self.last_task
