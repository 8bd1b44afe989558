"""经费台账 tab (SPEC §5): one branch's ledger for a year, the compliance view and the
funds summary of all branches.

- Pickers: 党支部 (type to search), 年度, 经费类别 (all funds or one); a search box over
  the entries (摘要, 经办人, 审批人, 凭证号 …).
- 台账明细: the entries with the running balance (`ui.ledger_table_model`), a card with
  the balance in figures and 大写, and the totals per quarter. Double-click shows an
  entry (read only: entries are never edited); the context menu reverses it.
- Buttons (and shortcuts): 拨付 Ctrl+Shift+A, 支出 Ctrl+Shift+E, 冲销 Ctrl+Shift+R,
  批量拨付, 经费类别, 导出 (Excel / PDF, on a worker with a progress dialog; a file open
  in Excel gives a Chinese message).
- 合规检查: estate branches allocated less than the yearly minimum, spend rate under N %
  by the quarter's end, no expense this quarter. Double-click opens that branch's ledger.
- 经费汇总: every branch for the year or a quarter.

Signals: `data_changed()` after any write (the dashboard refreshes), `statusChanged(str)`
for the status bar. `refresh()` re-reads everything; `show_compliance()` opens the
compliance view (for the dashboard's alerts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPoint, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, formatting, workers
from ui.filter_bar import EmptyState, FilterBar
from ui.ledger_dialogs import (
    BulkAllocationDialog,
    EntryDetailDialog,
    EntryDialog,
    FundsDialog,
    ReversalDialog,
    capital_text,
)
from ui.ledger_table_model import COL, LedgerTableModel
from ui.record_table_model import SOON, Column, RecordTableModel
from ui.table_view import make_table
from wanghu_desk import vocab
from wanghu_desk.errors import UserError
from wanghu_desk.money import format_fen
from wanghu_desk.services import ledger
from wanghu_desk.services.base import current_actor
from wanghu_desk.services.ledger import BranchChoice, ComplianceRow, FundsSummaryRow, LedgerRow, LedgerView

QUARTER_WORDS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
SEARCH_HINT = "搜索摘要、经办人、审批人、凭证号"
PAGE_ENTRIES, PAGE_COMPLIANCE, PAGE_SUMMARY = 0, 1, 2


def choose_save_path(parent: QWidget | None, title: str, suggested: str, file_filter: str) -> str:
    """The save dialog (a module function, so tests can replace it)."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path


def _documents_folder() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


@dataclass(frozen=True)
class _QuarterLine:
    label: str
    allocated_fen: int
    spent_fen: int
    closing_fen: int


def _money_column(title: str, getter: Callable[[object], int], *, blank_zero: bool = False) -> Column:
    return Column(title, title, getter, lambda r: "" if blank_zero and not getter(r) else formatting.money(getter(r)),
                  align="right", sample="¥100,000.00", alert=lambda r: getter(r) < 0)


def _rate_text(permille: int | None) -> str:
    return "—" if permille is None else f"{permille / 10:.1f}%"


QUARTER_COLUMNS = [
    Column("季度", "季度", lambda r: r.label, sample="第一季度"),
    _money_column("拨付", lambda r: r.allocated_fen),
    _money_column("支出", lambda r: r.spent_fen),
    _money_column("季末余额", lambda r: r.closing_fen),
]


_NOTICE = QBrush(SOON)


def _compliance_columns() -> list[Column]:
    """Red only for what breaks the rule (an estate branch short of its special funds);
    a slow spend rate or a quarter without expenses is a notice, in amber."""
    def fig(r: ComplianceRow) -> FundsSummaryRow:
        return r.figures

    def notice(r: ComplianceRow) -> QBrush | None:
        return _NOTICE if (r.low_spend or r.no_expense_in_quarter) and not r.below_minimum else None

    def special(r: ComplianceRow) -> int | None:
        return fig(r).minimum_allocated_fen if fig(r).category == "estate" else None

    return [
        Column("党支部", "党支部", lambda r: r.branch_name, sample="望湖街道社区卫生服务中心党支部",
               alert=lambda r: r.below_minimum),
        Column("所属社区", "所属社区", lambda r: fig(r).community, sample="望湖社区"),
        Column("类别", "类别", lambda r: fig(r).category_label, sample="小区(片区)党支部"),
        Column("专项经费拨付", "专项经费拨付", special,
               lambda r: "" if special(r) is None else formatting.money(special(r)), align="right",
               sample="¥100,000.00", alert=lambda r: r.below_minimum,
               tooltip=lambda r: "最低拨付标准只计有最低标准的经费类别（专项经费）" if special(r) is not None else None),
        _money_column("本年拨付", lambda r: fig(r).ytd_allocated_fen),
        _money_column("累计支出", lambda r: fig(r).ytd_spent_fen),
        _money_column("余额", lambda r: fig(r).closing_fen),
        Column("执行率", "执行率", lambda r: fig(r).spend_rate_permille, lambda r: _rate_text(fig(r).spend_rate_permille),
               align="right", sample="100.0%", foreground=lambda r: _NOTICE if r.low_spend else None),
        _money_column("本季度支出", lambda r: fig(r).spent_in_quarter_fen),
        Column("问题", "问题", lambda r: "；".join(r.issues), sample="本年拨付 ¥5,000.00，低于 ¥10,000.00；本季度没有支出",
               alert=lambda r: r.below_minimum, foreground=notice, tooltip=lambda r: "\n".join(r.issues) or None),
    ]


def _summary_columns() -> list[Column]:
    return [
        Column("党支部", "党支部", lambda r: r.branch_name, sample="望湖街道社区卫生服务中心党支部",
               alert=lambda r: r.below_minimum),
        Column("类别", "类别", lambda r: r.category_label, sample="小区(片区)党支部"),
        Column("所属社区", "所属社区", lambda r: r.community, sample="望湖社区"),
        _money_column("期初余额", lambda r: r.opening_fen),
        _money_column("本期拨付", lambda r: r.allocated_fen),
        _money_column("本期支出", lambda r: r.spent_fen),
        _money_column("期末余额", lambda r: r.closing_fen),
        Column("执行率", "执行率", lambda r: r.spend_rate_permille, lambda r: _rate_text(r.spend_rate_permille), align="right",
               sample="100.0%"),
        Column("备注", "备注", lambda r: "拨付低于最低标准" if r.below_minimum else "", sample="拨付低于最低标准",
               alert=lambda r: r.below_minimum),
    ]


class LedgerTab(QWidget):
    data_changed = Signal()
    statusChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("ledgerTab")
        self._today = today
        self._status = ""
        self._branches: dict[int, BranchChoice] = {}
        self.view: LedgerView | None = None
        self.compliance_report: ledger.ComplianceReport | None = None
        self.funds_summary: ledger.FundsSummary | None = None
        self.context_menu: QMenu | None = None
        self.current_dialog: QDialog | None = None
        self.export_task: workers.Task | None = None
        self._dirty = {PAGE_COMPLIANCE: True, PAGE_SUMMARY: True}

        self.model = LedgerTableModel(self)
        self.quarter_model = RecordTableModel(QUARTER_COLUMNS, self)
        self.compliance_model = RecordTableModel(_compliance_columns(), self)
        self.summary_model = RecordTableModel(_summary_columns(), self)

        self._build_pickers()
        self._build_buttons()
        self._build_entries_page()
        self._build_compliance_page()
        self._build_summary_page()
        self.pages = QTabWidget(self)
        self.pages.setObjectName("ledgerPages")
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.entries_page, "台账明细")
        self.pages.addTab(self.compliance_page, "合规检查")
        self.pages.addTab(self.summary_page, "经费汇总")
        self.pages.currentChanged.connect(self._page_changed)
        self._build_actions()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(self.picker_bar)
        layout.addLayout(self.button_bar)
        layout.addWidget(self.pages, 1)
        self.refresh()

    # ------------------------------------------------------------ building
    def _build_pickers(self) -> None:
        self.branch_combo = QComboBox(self)
        self.branch_combo.setObjectName("branchCombo")
        self.branch_combo.setEditable(True)
        self.branch_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.branch_combo.setMaxVisibleItems(24)
        self.branch_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.branch_combo.setMinimumContentsLength(18)
        self.branch_combo.lineEdit().setPlaceholderText("输入支部名称查找")
        completer = self.branch_combo.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.year_combo = QComboBox(self)
        self.year_combo.setObjectName("yearCombo")
        self.filter_bar = FilterBar("ledger", SEARCH_HINT, self, delay_ms=0, search_name="ledgerSearch")
        self.search = self.filter_bar.search
        self.fund_combo = self.filter_bar.add_combo("fundFilter", [("全部经费", None)])
        self.filter_bar.count_label.setVisible(False)  # the status bar says 共 N 笔，显示 M 笔
        self.filter_bar.searchChanged.connect(self._search_changed)
        self.filter_bar.cleared.connect(self._filters_cleared)

        self.branch_combo.currentIndexChanged.connect(lambda _i: self._selection_changed())
        self.year_combo.currentIndexChanged.connect(lambda _i: self._year_changed())
        self.fund_combo.currentIndexChanged.connect(lambda _i: self._selection_changed())

        bar = QHBoxLayout()
        bar.setSpacing(8)
        for text, widget in (("党支部", self.branch_combo), ("年度", self.year_combo)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            bar.addWidget(label)
            bar.addWidget(widget)
            bar.addSpacing(6)
        bar.addWidget(self.filter_bar, 1)
        self.picker_bar = bar

    def _button(self, name: str, text: str, tip: str, slot: Callable[[], object], primary: bool = False) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        if primary:
            button.setProperty("primary", True)
        button.clicked.connect(lambda _c=False: slot())
        return button

    def _build_buttons(self) -> None:
        self.allocate_button = self._button("allocateButton", "拨付", "录入一笔拨付（Ctrl+Shift+A）",
                                            self.new_allocation)
        self.expense_button = self._button("expenseButton", "支出", "录入一笔支出（Ctrl+Shift+E）", self.new_expense,
                                           primary=True)
        self.reverse_button = self._button("reverseButton", "冲销", "冲销一笔已保存的凭证（Ctrl+Shift+R）",
                                           lambda: self.reverse_entry())
        self.bulk_button = self._button("bulkButton", "批量拨付", "给所有小区党支部，或按星级给各支部拨付（先预览）",
                                        self.bulk_allocation)
        self.funds_button = self._button("fundsButton", "经费类别", "经费类别、余额是否结转、每年最低拨付额",
                                         self.edit_funds)
        self.export_button = QPushButton("导出", self)
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip("导出台账或经费汇总表（Excel / PDF）")
        self.export_menu = QMenu(self.export_button)
        self.export_branch_xlsx = self.export_menu.addAction("本支部台账（Excel）…", lambda: self.export_ledger("xlsx"))
        self.export_all_xlsx = self.export_menu.addAction(
            "全部支部台账（Excel，每个支部一个工作表）…", lambda: self.export_ledger("xlsx", all_branches=True))
        self.export_summary_xlsx = self.export_menu.addAction("经费汇总表（Excel）…", self.export_summary)
        self.export_menu.addSeparator()
        self.export_branch_pdf = self.export_menu.addAction("本支部台账（PDF）…", lambda: self.export_ledger("pdf"))
        self.export_all_pdf = self.export_menu.addAction(
            "全部支部台账（PDF）…", lambda: self.export_ledger("pdf", all_branches=True))
        self.export_button.setMenu(self.export_menu)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        for w in (self.allocate_button, self.expense_button, self.reverse_button):
            bar.addWidget(w)
        bar.addSpacing(16)
        for w in (self.bulk_button, self.funds_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        self.button_bar = bar

    def _build_entries_page(self) -> None:
        self.table = make_table("ledgerTable", self.model, self, multi=False, movable=True, stretch_first=False)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.customContextMenuRequested.connect(self._entry_menu)
        self.table.doubleClicked.connect(lambda index: self.show_entry(self.model.entry(index.row())))
        self.table.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_buttons())

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("ledgerEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("role", "detail")
        self.no_match = EmptyState(self.table, no_match="没有符合搜索条件的凭证。按 Esc 清空搜索，或点「清除筛选」。",
                                   on_clear=self.filter_bar.clear, name="ledgerNoMatch")
        table_page = QWidget(self)
        column = QVBoxLayout(table_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.table, 1)
        self.table_stack = QStackedWidget(self)
        self.table_stack.addWidget(table_page)
        self.table_stack.addWidget(self.empty_label)

        card = QFrame(self)
        card.setObjectName("card")
        self.balance_title = QLabel("余额", card)
        self.balance_title.setObjectName("cardTitle")
        self.balance_value = QLabel("—", card)
        self.balance_value.setObjectName("balanceValue")
        self.balance_value.setProperty("role", "money")
        self.balance_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.balance_words = QLabel("", card)
        self.balance_words.setObjectName("balanceWords")
        self.balance_words.setProperty("role", "detail")
        self.balance_words.setWordWrap(True)
        self.balance_details = QLabel("", card)
        self.balance_details.setObjectName("balanceDetails")
        self.balance_details.setProperty("role", "detail")
        self.balance_details.setTextFormat(Qt.TextFormat.RichText)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(16, 12, 16, 14)
        inner.setSpacing(6)
        for w in (self.balance_title, self.balance_value, self.balance_words, self.balance_details):
            inner.addWidget(w)

        self.quarter_table = make_table("quarterTable", self.quarter_model, self, multi=False, stretch_first=False)
        self.quarter_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.quarter_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.quarter_table.horizontalHeader().setStretchLastSection(True)
        self.quarter_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.quarter_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = 5
        self.quarter_table.setFixedHeight(self.quarter_table.verticalHeader().defaultSectionSize() * rows
                                          + self.quarter_table.horizontalHeader().sizeHint().height() + 8)
        side = QWidget(self)
        self.side_panel = side
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(0, 0, 0, 0)
        side_column.setSpacing(8)
        side_column.addWidget(card)
        quarter_title = QLabel("分季度合计", self)
        quarter_title.setProperty("role", "detail")
        side_column.addWidget(quarter_title)
        side_column.addWidget(self.quarter_table)
        side_column.addStretch(1)
        side.setMinimumWidth(self.fontMetrics().horizontalAdvance("第一季度¥10,000.00¥10,000.00¥10,000.00") + 80)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("ledgerSplitter")
        self.splitter.addWidget(self.table_stack)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([1000, side.minimumWidth()])
        self.entries_page = QWidget(self)
        page = QVBoxLayout(self.entries_page)
        page.setContentsMargins(0, 8, 0, 0)
        page.addWidget(self.splitter)

    def _build_compliance_page(self) -> None:
        self.quarter_combo = QComboBox(self)
        self.quarter_combo.setObjectName("complianceQuarter")
        for q, text in QUARTER_WORDS.items():
            self.quarter_combo.addItem(text, q)
        self.spend_spin = QSpinBox(self)
        self.spend_spin.setObjectName("spendPercent")
        self.spend_spin.setRange(0, 100)
        self.spend_spin.setSuffix(" %")
        self.only_flagged = QCheckBox("只显示有问题的支部", self)
        self.only_flagged.setObjectName("onlyFlagged")
        self.only_flagged.setChecked(True)
        self.only_below = QCheckBox("只看专项经费不足的小区党支部", self)
        self.only_below.setObjectName("onlyBelowMinimum")
        self.quarter_combo.currentIndexChanged.connect(lambda _i: self._quarter_changed())
        self.spend_spin.valueChanged.connect(lambda _v: self.load_compliance())
        self.only_flagged.toggled.connect(lambda _on: self._filter_compliance())
        self.only_below.toggled.connect(lambda _on: self._filter_compliance())
        controls = QHBoxLayout()
        controls.setSpacing(8)
        controls.addWidget(QLabel("季度", self))
        controls.addWidget(self.quarter_combo)
        controls.addSpacing(12)
        controls.addWidget(QLabel("季末支出进度低于", self))
        controls.addWidget(self.spend_spin)
        controls.addWidget(QLabel("时提示", self))
        controls.addSpacing(12)
        controls.addWidget(self.only_flagged)
        controls.addWidget(self.only_below)
        controls.addStretch(1)
        self.compliance_label = QLabel(self)
        self.compliance_label.setObjectName("complianceSentence")
        self.compliance_label.setWordWrap(True)
        self.compliance_table = make_table("complianceTable", self.compliance_model, self, multi=False, stretch_first=False)
        self.compliance_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.compliance_table.setSortingEnabled(True)  # no column first: the organisation's order
        self.compliance_table.doubleClicked.connect(
            lambda index: self.open_branch(self.compliance_model.row_at(index.row()).branch_id))
        self.compliance_page = QWidget(self)
        page = QVBoxLayout(self.compliance_page)
        page.setContentsMargins(0, 8, 0, 0)
        page.addLayout(controls)
        page.addWidget(self.compliance_label)
        page.addWidget(self.compliance_table, 1)
        hint = QLabel("双击一个支部，查看它的台账。最低拨付标准在「经费类别」中设置。", self)
        hint.setProperty("role", "detail")
        page.addWidget(hint)

    def _build_summary_page(self) -> None:
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("summaryPeriod")
        self.period_combo.addItem("全年", None)
        for q, text in QUARTER_WORDS.items():
            self.period_combo.addItem(text, q)
        self.period_combo.currentIndexChanged.connect(lambda _i: self.load_summary())
        controls = QHBoxLayout()
        controls.addWidget(QLabel("期间", self))
        controls.addWidget(self.period_combo)
        controls.addStretch(1)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("summaryTotals")
        self.summary_label.setWordWrap(True)
        self.summary_table = make_table("summaryTable", self.summary_model, self, multi=False, stretch_first=False)
        self.summary_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.summary_table.setSortingEnabled(True)
        self.summary_table.doubleClicked.connect(
            lambda index: self.open_branch(self.summary_model.row_at(index.row()).branch_id))
        self.summary_page = QWidget(self)
        page = QVBoxLayout(self.summary_page)
        page.setContentsMargins(0, 8, 0, 0)
        page.addLayout(controls)
        page.addWidget(self.summary_table, 1)
        page.addWidget(self.summary_label)

    def _action(self, text: str, slot: Callable[[], object], shortcut: str,
                context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(context)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.allocate_action = self._action("拨付", self.new_allocation, "Ctrl+Shift+A")
        self.expense_action = self._action("支出", self.new_expense, "Ctrl+Shift+E")
        self.reverse_action = self._action("冲销", lambda: self.reverse_entry(), "Ctrl+Shift+R")
        self.find_action = self._action("查找", self.search.setFocus, "Ctrl+F",
                                        Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.clear_action = self._action("清空搜索", self.search.clear, "Esc",
                                         Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # ------------------------------------------------------------ selection
    @property
    def today(self) -> dt.date:
        return self._today()

    def current_branch(self) -> BranchChoice | None:
        return self._branches.get(self.branch_combo.currentData())

    def current_year(self) -> int:
        return self.year_combo.currentData() or self.today.year

    def current_fund(self) -> int | None:
        return self.fund_combo.currentData()

    def selected_entry(self) -> LedgerRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.entry(rows[0].row()) if rows else None

    def select_branch(self, branch: int | str) -> bool:
        for i in range(self.branch_combo.count()):
            data = self.branch_combo.itemData(i)
            if data is not None and (data == branch or self.branch_combo.itemText(i) == branch):
                self.branch_combo.setCurrentIndex(i)
                return True
        return False

    def set_year(self, year: int) -> None:
        index = self.year_combo.findData(year)
        if index < 0:
            self.year_combo.addItem(f"{year} 年", year)
            index = self.year_combo.findData(year)
        self.year_combo.setCurrentIndex(index)

    def select_entry(self, entry_id: int) -> None:
        row = self.model.row_of(entry_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Re-read the pickers and the visible page (after a write, an import, a restore)."""
        self._load_pickers()
        self._dirty = {PAGE_COMPLIANCE: True, PAGE_SUMMARY: True}
        self.load_entries()
        self._load_visible_page()

    def _load_pickers(self) -> None:
        keep_branch = self.branch_combo.currentData()
        keep_year = self.year_combo.currentData()
        keep_fund = self.fund_combo.currentData()
        for combo in (self.branch_combo, self.year_combo, self.fund_combo):
            combo.blockSignals(True)
        try:
            self.branch_combo.clear()
            self._branches = {}
            last_category = None
            for b in ledger.branch_choices():
                if last_category is not None and b.category != last_category:
                    self.branch_combo.insertSeparator(self.branch_combo.count())
                last_category = b.category
                self.branch_combo.addItem(b.name, b.id)
                self.branch_combo.setItemData(self.branch_combo.count() - 1,
                                              vocab.label(vocab.BRANCH_CATEGORIES, b.category) + "　" + b.community,
                                              Qt.ItemDataRole.ToolTipRole)
                self._branches[b.id] = b
            index = self.branch_combo.findData(keep_branch) if keep_branch is not None else -1
            self.branch_combo.setCurrentIndex(index if index >= 0 else (0 if self._branches else -1))

            self.year_combo.clear()
            years = set(ledger.ledger_years()) | {self.today.year}
            for y in sorted(years, reverse=True):
                self.year_combo.addItem(f"{y} 年", y)
            index = self.year_combo.findData(keep_year if keep_year is not None else self.today.year)
            self.year_combo.setCurrentIndex(max(0, index))

            self.fund_combo.clear()
            self.fund_combo.addItem("全部经费", None)
            for f in ledger.funds():
                self.fund_combo.addItem(f.name, f.id)
            index = self.fund_combo.findData(keep_fund)
            self.fund_combo.setCurrentIndex(max(0, index))
            self.fund_combo.setEnabled(self.fund_combo.count() > 2)
        finally:
            for combo in (self.branch_combo, self.year_combo, self.fund_combo):
                combo.blockSignals(False)
        year = self.current_year()
        self.quarter_combo.blockSignals(True)
        self.quarter_combo.setCurrentIndex(
            (ledger.quarter_of(self.today) if year == self.today.year else 4) - 1)
        self.quarter_combo.blockSignals(False)
        self._reset_spend_percent()

    def _reset_spend_percent(self) -> None:
        self.spend_spin.blockSignals(True)
        self.spend_spin.setValue(ledger.default_spend_percent(self.quarter_combo.currentData()))
        self.spend_spin.blockSignals(False)

    def load_entries(self) -> None:
        branch = self.current_branch()
        if branch is None:
            self.view = None
            self.model.set_view(None)
            self.empty_label.setText("还没有党支部。请先在「党组织」中添加或导入党支部，再记经费台账。")
            self.table_stack.setCurrentIndex(1)
            self._show_balance(None)
            self._update_buttons()
            self._set_status("还没有党支部")
            return
        try:
            self.view = ledger.ledger(branch.id, self.current_year(), self.current_fund())
        except UserError as exc:
            dialogs.error(self, "经费台账", exc.message)
            return
        self.model.set_view(self.view)
        self.model.set_search(self.search.text())
        self.table.setColumnHidden(COL["fund"], self.current_fund() is not None or len(self.view.funds) < 2)
        empty = not self.view.rows and not self.view.opening_fen
        if empty:
            self.empty_label.setText(
                f"「{branch.name}」{self.current_year()} 年还没有台账记录。\n"
                "点击「拨付」录入第一笔经费，或用「批量拨付」给所有小区党支部拨付。")
        self.table_stack.setCurrentIndex(1 if empty else 0)
        self._show_balance(self.view)
        self._update_buttons()
        if self.pages.currentIndex() == PAGE_ENTRIES:
            self._set_status(self._entries_status())

    def _entries_status(self) -> str:
        v = self.view
        if v is None:
            return ""
        shown = self.model.shown_count
        count = f"共 {len(v.rows)} 笔凭证" + (f"，显示 {shown} 笔" if shown != len(v.rows) else "")
        return f"{v.branch_name} {v.year} 年（{v.fund_name}）：{count}，余额 {format_fen(v.closing_fen)}"

    def _show_balance(self, v: LedgerView | None) -> None:
        if v is None:
            self.balance_value.setText("—")
            self.balance_words.clear()
            self.balance_details.clear()
            self.quarter_model.set_rows([])
            return
        self.balance_title.setText(f"{v.year} 年余额（{v.fund_name}）")
        self.balance_value.setText(formatting.money(v.closing_fen))
        self.balance_words.setText(capital_text(v.closing_fen))
        lines = []
        if v.opening_fen:
            lines.append(("上年结转", formatting.money(v.opening_fen)))
        lines += [("本年拨付", formatting.money(v.allocated_fen)), ("本年支出", formatting.money(v.spent_fen)),
                  ("凭证", f"{len(v.rows)} 笔")]
        rate = v.spent_fen * 1000 // (v.opening_fen + v.allocated_fen) if (v.opening_fen + v.allocated_fen) > 0 else None
        lines.append(("执行率", _rate_text(rate)))
        self.balance_details.setText(
            "<table width='100%'>" + "".join(f"<tr><td>{k}</td><td align='right'>{val}</td></tr>" for k, val in lines)
            + "</table>")
        quarters = [_QuarterLine(QUARTER_WORDS[q.quarter], q.allocated_fen, q.spent_fen, q.closing_fen)
                    for q in v.quarters]
        quarters.append(_QuarterLine("全年", v.allocated_fen, v.spent_fen, v.closing_fen))
        self.quarter_model.set_rows(quarters)
        # Money is never elided: the panel grows to the quarter table's contents.
        self.quarter_table.resizeColumnsToContents()
        needed = self.quarter_table.horizontalHeader().length() + 2 * self.quarter_table.frameWidth()
        if needed > self.side_panel.minimumWidth():
            self.side_panel.setMinimumWidth(needed)

    def _update_buttons(self) -> None:
        branch = self.current_branch()
        can_write = current_actor().can_write
        year_ok = self.current_year() <= self.today.year
        active = branch is not None and branch.status == "active"
        for w in (self.allocate_button, self.allocate_action, self.expense_button, self.expense_action):
            w.setEnabled(can_write and active and year_ok)
        has_reversible = self.view is not None and any(
            r.kind != ledger.REVERSAL and not r.is_reversed for r in self.view.rows)
        self.reverse_button.setEnabled(can_write and has_reversible)
        self.reverse_action.setEnabled(can_write and has_reversible)
        self.bulk_button.setEnabled(can_write)
        self.funds_button.setEnabled(current_actor().is_admin)
        for action in (self.export_branch_xlsx, self.export_branch_pdf):
            action.setEnabled(branch is not None)

    def _selection_changed(self) -> None:
        self.load_entries()

    def _year_changed(self) -> None:
        year = self.current_year()
        self.quarter_combo.blockSignals(True)
        self.quarter_combo.setCurrentIndex((ledger.quarter_of(self.today) if year == self.today.year else 4) - 1)
        self.quarter_combo.blockSignals(False)
        self._reset_spend_percent()
        self._dirty = {PAGE_COMPLIANCE: True, PAGE_SUMMARY: True}
        self.load_entries()
        self._load_visible_page()

    def _filters_cleared(self) -> None:
        self.model.set_search("")
        self._selection_changed()

    def _search_changed(self, text: str) -> None:
        self.model.set_search(text)
        if self.pages.currentIndex() == PAGE_ENTRIES:
            self._set_status(self._entries_status())

    def _page_changed(self, index: int) -> None:
        self._load_visible_page()
        if index == PAGE_ENTRIES:
            self._set_status(self._entries_status())

    def _load_visible_page(self) -> None:
        index = self.pages.currentIndex()
        if index == PAGE_COMPLIANCE and self._dirty.get(PAGE_COMPLIANCE):
            self.load_compliance()
        elif index == PAGE_SUMMARY and self._dirty.get(PAGE_SUMMARY):
            self.load_summary()

    def _quarter_changed(self) -> None:
        self._reset_spend_percent()
        self.load_compliance()

    def load_compliance(self) -> None:
        self._dirty[PAGE_COMPLIANCE] = False
        report = ledger.compliance(self.current_year(), self.quarter_combo.currentData(),
                                   min_spend_percent=self.spend_spin.value(), today=self.today)
        self.compliance_report = report
        self.compliance_model.set_rows(report.rows)
        self._filter_compliance()
        self.compliance_label.setText(report.sentence())
        self.compliance_label.setStyleSheet("color: #C8161D;" if report.flagged else "")
        if self.pages.currentIndex() == PAGE_COMPLIANCE:
            self._set_status(report.sentence())

    def _filter_compliance(self) -> None:
        if self.only_below.isChecked():
            self.compliance_model.set_predicate(lambda r: r.below_minimum)
        elif self.only_flagged.isChecked():
            self.compliance_model.set_predicate(lambda r: r.flagged)
        else:
            self.compliance_model.set_predicate(None)

    def load_summary(self) -> None:
        self._dirty[PAGE_SUMMARY] = False
        summary = ledger.funds_summary(self.current_year(), self.period_combo.currentData())
        self.funds_summary = summary
        self.summary_model.set_rows(summary.rows)
        t = summary.total
        below = f"；拨付低于 {format_fen(summary.minimum_fen)} 的小区党支部 {len(summary.below_minimum)} 个" \
            if summary.below_minimum else ""
        text = (f"{summary.title_period}　{len(summary.rows)} 个支部　拨付 {format_fen(t.allocated_fen)}　"
                f"支出 {format_fen(t.spent_fen)}　期末余额 {format_fen(t.closing_fen)}{below}")
        self.summary_label.setText(text)
        if self.pages.currentIndex() == PAGE_SUMMARY:
            self._set_status(text)

    def _set_status(self, text: str) -> None:
        self._status = text
        self.statusChanged.emit(text)

    def status_text(self) -> str:
        return self._status

    def show_compliance(self, year: int | None = None, quarter: int | None = None, *,
                        below_minimum: bool = False) -> None:
        """Open the compliance view (the dashboard's alerts): this year and quarter by
        default; for an earlier year, its fourth quarter. `below_minimum` shows only the
        estate branches short of their special funds (the reminder that counts them)."""
        today = self.today
        year = year or today.year
        self.set_year(year)
        if quarter is None:
            quarter = ledger.quarter_of(today) if year == today.year else 4
        self.quarter_combo.blockSignals(True)
        self.quarter_combo.setCurrentIndex(quarter - 1)
        self.quarter_combo.blockSignals(False)
        self._reset_spend_percent()
        self.only_below.blockSignals(True)
        self.only_below.setChecked(below_minimum)
        self.only_below.blockSignals(False)
        self.pages.setCurrentIndex(PAGE_COMPLIANCE)
        self.load_compliance()

    def open_branch(self, branch_id: int) -> None:
        if self.select_branch(branch_id):
            self.pages.setCurrentIndex(PAGE_ENTRIES)

    # ------------------------------------------------------------ writing
    def _open(self, dialog: QDialog) -> QDialog:
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.finished.connect(lambda _r, d=dialog: self._dialog_closed(d))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.current_dialog is dialog:
            self.current_dialog = None

    def _written(self, entry_id: int | None = None) -> None:
        self.refresh()
        if entry_id is not None:
            self.select_entry(entry_id)
        self.data_changed.emit()

    def new_allocation(self) -> QDialog | None:
        return self._new_entry(ledger.ALLOCATION)

    def new_expense(self) -> QDialog | None:
        return self._new_entry(ledger.EXPENSE)

    def _new_entry(self, kind: str) -> QDialog | None:
        branch = self.current_branch()
        if branch is None or not self.allocate_button.isEnabled():
            return None
        dialog = EntryDialog(kind, branch, self.current_year(), today=self.today, fund_id=self.current_fund(),
                             parent=self)
        dialog.saved.connect(lambda row: self._written(row.id))
        return self._open(dialog)

    def reverse_entry(self, entry_id: int | None = None) -> QDialog | None:
        branch = self.current_branch()
        if branch is None or not current_actor().can_write:
            return None
        if entry_id is None:
            selected = self.selected_entry()
            entry_id = selected.id if selected is not None else None
        dialog = ReversalDialog(branch, self.current_year(), today=self.today, selected_id=entry_id, parent=self)
        dialog.saved.connect(lambda row: self._written(row.id))
        return self._open(dialog)

    def show_entry(self, row: LedgerRow | None) -> QDialog | None:
        if row is None or self.view is None:
            return None
        dialog = EntryDetailDialog(row, self.view.branch_name, parent=self)
        dialog.reverseRequested.connect(lambda entry_id: self.reverse_entry(entry_id))
        return self._open(dialog)

    def bulk_allocation(self) -> QDialog | None:
        if not current_actor().can_write:
            return None
        dialog = BulkAllocationDialog(self.current_year(), today=self.today, parent=self)
        dialog.committed.connect(lambda rows: self._written())
        return self._open(dialog)

    def edit_funds(self) -> QDialog | None:
        dialog = FundsDialog(parent=self)
        dialog.changed.connect(lambda: self._written())
        return self._open(dialog)

    def _entry_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        row = self.model.entry(index.row()) if index.isValid() else None
        menu = QMenu(self)
        show = menu.addAction("查看凭证…", lambda: self.show_entry(row))
        reverse = menu.addAction("冲销这张凭证…", lambda: self.reverse_entry(row.id if row else None))
        copy = menu.addAction("复制摘要", lambda: QGuiApplication.clipboard().setText(row.summary if row else ""))
        for action in (show, copy):
            action.setEnabled(row is not None)
        reverse.setEnabled(row is not None and row.kind != ledger.REVERSAL and not row.is_reversed
                           and current_actor().can_write)
        menu.popup(self.table.viewport().mapToGlobal(pos))
        self.context_menu = menu

    # ------------------------------------------------------------ exports
    def _run_export(self, steps, args: tuple, path: Path, title: str) -> workers.Task:
        def done(written) -> None:
            self.statusChanged.emit(f"已导出到 {written}")
            dialogs.offer_open(self, title, "已导出到：", written)

        def failed(message: str) -> None:
            dialogs.error(self, title, message)

        def finished() -> None:
            self.export_task = None
            self.export_button.setEnabled(True)

        self.export_button.setEnabled(False)
        self.export_task = workers.run_with_progress(
            self, workers.Worker(steps, path, *args), title=title, label="正在导出…", on_result=done,
            on_error=failed, on_finished=finished)
        return self.export_task

    def export_ledger(self, fmt: str, *, all_branches: bool = False) -> workers.Task | None:
        branch = None if all_branches else self.current_branch()
        if not all_branches and branch is None:
            return None
        from reports import ledger_export, ledger_pdf  # openpyxl and reportlab: imported at the first export

        year = self.current_year()
        name = branch.name if branch else None
        if fmt == "xlsx":
            suggested = ledger_export.default_filename(year, name)
            file_filter, steps, title = "Excel 工作簿 (*.xlsx)", ledger_export.ledger_workbook_steps, "导出台账（Excel）"
        else:
            suggested = ledger_pdf.default_filename(year, name)
            file_filter, steps, title = "PDF 文件 (*.pdf)", ledger_pdf.ledger_pdf_steps, "导出台账（PDF）"
        path = choose_save_path(self, title, str(_documents_folder() / suggested), file_filter)
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        return self._run_export(steps, (year, name), target, title)

    def export_summary(self) -> workers.Task | None:
        from reports import ledger_export  # openpyxl: imported at the first export

        year = self.current_year()
        quarter = self.period_combo.currentData() if self.pages.currentIndex() == PAGE_SUMMARY else None
        title = "导出经费汇总表"
        suggested = ledger_export.default_filename(year, kind="summary", quarter=quarter)
        path = choose_save_path(self, title, str(_documents_folder() / suggested), "Excel 工作簿 (*.xlsx)")
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        return self._run_export(ledger_export.funds_summary_steps, (year, quarter), target, title)
