"""党员 tab: the roster (党员花名册) with instant search, filters, a detail pane with the
member's history, and the member dialogs.

- Search as you type over name, pinyin initials, ID number, phone and address: each
  keystroke is searched on the next turn of the event loop (keys already waiting are
  taken together, so a stale query is never searched), through the roster's search index
  (`RosterSearch`: a backspace is a lookup, an edit or a paste one C-level pass); Esc
  clears it, Ctrl+F focuses it.
- Filters: organisation (a committee with all its branches, or one branch), building
  group, category, status, 标记 (党员中心户, 在职党员报到, 失联, 流动) and 转正 due.
- Ctrl+N new member, Enter or double-click edits, a context menu for the rest.
- The roster is read once by `services.members.load_roster()`; a large one (over
  `ASYNC_THRESHOLD` members) is read on a worker thread, which also sorts and filters it
  and builds its search index (`MemberTableModel.prepare`); the table then takes it over
  in one cheap step (`adopt`), keeping the filters, the search and the selection, so a
  refresh (F5) never freezes the window.

Signals: `statusChanged(str)` ("共 N 人，显示 M 人"), `dataChanged()` after any change
(other tabs and the dashboard refresh), `importRequested()` (the 导入 button),
`loaded()` after a roster has been read and shown.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, workers
from ui.filter_bar import EmptyState, FilterBar
from ui.member_dialog import PRIMARY_DISABLED, ConfirmDialog, LeaveDialog, MemberDialog, RestoreDialog, TransferDialog
from ui.member_table_model import COL, MemberTableModel, flag_text
from ui.table_view import make_table
from wanghu_desk import vocab
from wanghu_desk.errors import UserError
from wanghu_desk.services import audit_log, members
from wanghu_desk.services.base import Actor, acting_as, current_actor
from wanghu_desk.services.members import (
    FLAG_CENTER,
    FLAG_FLOATING,
    FLAG_LOST,
    FLAG_REPORTED,
    NO_GROUP,
    R_BRANCH,
    R_CATEGORY,
    R_DUE,
    R_GROUP,
    R_ID,
    R_NAME,
    R_STATUS,
    Roster,
    RosterFilter,
)

EMPTY_TEXT = "还没有党员。点击「导入」或「新增」。"
NO_MATCH_TEXT = "没有符合条件的党员。按 Esc 清空搜索，或点「清除筛选」。"
SEARCH_HINT = "搜索姓名、拼音首字母（如 zs）、身份证号、电话、住址"
#: Keystrokes are searched on the next turn of the event loop (0 ms), not after a pause.
SEARCH_DELAY_MS = 0

STATUS_CHOICES = [("在册", "active"), ("全部状态", None)] + [
    (label, code) for code, label in vocab.MEMBER_STATUSES.items() if code != "active"
]
CATEGORY_CHOICES = [("全部类别", None)] + [(label, code) for code, label in vocab.MEMBER_CATEGORIES.items()]
#: 标记 filter: combo data (a plain string, which Qt can store) → (all of, any of) bits.
FLAG_FILTERS = {
    "": (0, 0),
    "center": (FLAG_CENTER, 0),
    "reported": (FLAG_REPORTED, 0),
    "lost_or_floating": (0, FLAG_LOST | FLAG_FLOATING),
    "lost": (FLAG_LOST, 0),
    "floating": (FLAG_FLOATING, 0),
}
FLAG_CHOICES = [
    ("全部标记", ""),
    ("党员中心户", "center"),
    ("在职党员报到", "reported"),
    ("失联或流动党员", "lost_or_floating"),
    ("失联党员", "lost"),
    ("流动党员", "floating"),
]
DUE_CHOICES = [("转正：全部", None), ("30 天内到期及逾期", "due"), ("已逾期未转正", "overdue")]


def _load_roster_as(actor: Actor) -> Roster:
    """Run on a worker thread: the acting account does not cross threads by itself."""
    with acting_as(actor):
        return members.load_roster()


def _prepare_roster_as(actor: Actor, flt: RosterFilter, sort: tuple[int, bool], today: dt.date) -> MemberTableModel:
    """Run on a worker thread: read the roster and lay it out (sorted, filtered, search
    index built) for `MemberTableModel.adopt` on the GUI thread."""
    with workers.collection_paused():
        return MemberTableModel.prepare(_load_roster_as(actor), flt, sort=sort, today=today)


class _Combo(QComboBox):
    def __init__(self, name: str, items: list[tuple[str, object]], parent: QWidget):
        super().__init__(parent)
        self.setObjectName(name)
        for text, data in items:
            self.addItem(text, data)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)


class MemberDetailPane(QScrollArea):
    """Everything about the selected member, with transfers and the audit history."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("memberDetail")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QLabel()
        self.body.setObjectName("memberDetailText")
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setContentsMargins(14, 10, 14, 10)
        self.body.setStyleSheet("QLabel#memberDetailText { background: #FFFFFF; }")
        self.setWidget(self.body)
        self.history: list[audit_log.HistoryEntry] = []
        self.detail: members.MemberDetail | None = None
        self.clear()

    def clear(self) -> None:
        self.detail = None
        self.history = []
        self.body.setText("<p style='color:#8A8A8A'>选中一名党员，这里显示详细信息和修改记录。</p>")

    def show_member(self, detail: members.MemberDetail, history: list[audit_log.HistoryEntry]) -> None:
        self.detail = detail
        self.history = history
        self.body.setText(_detail_html(detail, history))

    def text(self) -> str:
        return self.body.text()


def _row(label: str, value: str, *, colour: str | None = None) -> str:
    shown = html.escape(value) if value else "<span style='color:#AAAAAA'>—</span>"
    if colour and value:
        shown = f"<span style='color:{colour}'>{shown}</span>"
    return (
        f"<tr><td style='color:#777777; padding:2px 12px 2px 0; white-space:nowrap'>{label}</td>"
        f"<td style='padding:2px 0'>{shown}</td></tr>"
    )


def _detail_html(d: members.MemberDetail, history: list[audit_log.HistoryEntry]) -> str:
    v = d.values
    status_colour = "#C8161D" if v["status"] != "active" else "#2E7D32"
    head = (
        f"<p style='margin:0 0 6px 0'><span style='font-size:14pt; font-weight:bold'>{html.escape(d.name)}</span>"
        f"&nbsp;&nbsp;<span style='color:{status_colour}'>{html.escape(d.status_label)}</span>"
        f"&nbsp;·&nbsp;{html.escape(d.category_label)}</p>"
    )
    born = v["birth_date"] + (f"（{d.age} 岁）" if d.age is not None else "")
    confirmed = v["confirmed_on"]
    due_colour = None
    if not confirmed and d.due_on:
        confirmed = f"预备期满 {d.due_on}"
        due_colour = "#C8161D" if d.due_on < dt.date.today().isoformat() else "#A35F00"
    flags = flag_text(
        sum(
            bit
            for key, bit in (
                ("is_center_household", FLAG_CENTER),
                ("reported_at_residence", FLAG_REPORTED),
                ("is_lost_contact", FLAG_LOST),
                ("is_floating", FLAG_FLOATING),
            )
            if v[key]
        ),
        short=False,
    )
    rows = [
        _row("性别", v["gender"]),
        _row("出生日期", born),
        _row("民族", v["ethnicity"]),
        _row("公民身份号码", v["id_number"]),
        _row("学历", v["education"]),
        _row("入党日期", v["joined_on"]),
        _row("转正日期", confirmed, colour=due_colour),
    ]
    # 延长预备期 (by a branch resolution): shown only for the members it applies to.
    if v.get("probation_extended_to"):
        rows.append(_row("延长预备期至", v["probation_extended_to"]))
    if v.get("probation_extension_reason"):
        rows.append(_row("延长预备期原因", v["probation_extension_reason"]))
    rows += [
        _row("所在党支部", d.branch_name),
        _row("楼栋党小组", d.group_name + ("（组长）" if d.leads_groups else "")),
        _row("工作单位及职务", v["employer"]),
        _row("联系电话", v["phone"]),
        _row("家庭住址", v["address"]),
        _row("标记", flags),
    ]
    if v["status"] != "active":
        rows.append(_row("离开日期", v["status_changed_on"]))
        rows.append(_row("去向/原因", v["status_note"]))
    if v["note"]:
        rows.append(_row("备注", v["note"]))
    parts = [head, "<table cellspacing='0'>", *rows, "</table>"]
    if d.transfers:
        parts.append("<p style='margin:12px 0 4px 0; font-weight:bold'>组织关系转接</p>")
        parts.extend(f"<p style='margin:0 0 2px 0'>{html.escape(t.text)}</p>" for t in reversed(d.transfers))
    parts.append("<p style='margin:12px 0 4px 0; font-weight:bold'>修改记录</p>")
    if not history:
        parts.append(
            f"<p style='color:#8A8A8A; margin:0'>建档于 {html.escape(d.created_at or '—')}，之后没有修改。</p>"
        )
    for entry in history[:50]:
        parts.append(
            f"<p style='margin:6px 0 0 0'><span style='color:#777777'>{html.escape(entry.at)}</span>"
            f"&nbsp;{html.escape(entry.account)}&nbsp;<b>{html.escape(entry.action)}</b>"
            + (f"（{html.escape(entry.note)}）" if entry.note else "")
            + "</p>"
        )
        for change in entry.changes[:12]:
            if entry.action == "新增":
                text = f"{change.label}：{change.after}"
            else:
                text = f"{change.label}：{change.before} → {change.after}"
            parts.append(f"<p style='margin:0 0 0 14px; color:#555555'>{html.escape(text)}</p>")
    return "".join(parts)


class MembersTab(QWidget):
    """The 党员 tab. Construct with `(parent=None)`; call `refresh()` to (re)load."""

    statusChanged = Signal(str)
    dataChanged = Signal()
    importRequested = Signal()
    loaded = Signal()

    #: Rosters larger than this are read on a worker thread.
    ASYNC_THRESHOLD = 20_000

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("membersTab")
        self._today = today
        self._status = ""
        self._loading: workers.Worker | None = None
        self._load_again = False
        self._stale = False
        self._pending_select: int | None = None
        self._org_choices: list[members.OrgChoice] = []
        self.current_dialog: QDialog | None = None
        self.model = MemberTableModel(self, today=today())

        self._build_toolbar()
        self._build_filters()
        self._build_table()
        self._build_pages()
        self._build_actions()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.stack, 1)
        self._update_actions()

    # ------------------------------------------------------------ building
    def _build_toolbar(self) -> None:
        self.filter_bar = FilterBar("member", SEARCH_HINT, self, delay_ms=SEARCH_DELAY_MS, two_rows=True)
        self.search = self.filter_bar.search
        self._search_timer = QTimer(self)  # one search per turn of the event loop, the newest text
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(0)
        self._search_timer.timeout.connect(self.apply_filters)
        self.filter_bar.searchChanged.connect(self._search_typed)
        self.filter_bar.cleared.connect(self._filters_cleared)

        self.new_button = QPushButton("新增", self)
        self.new_button.setObjectName("newMemberButton")
        self.new_button.setProperty("primary", True)
        self.new_button.setStyleSheet(PRIMARY_DISABLED)
        self.new_button.setToolTip("新增党员（Ctrl+N）")
        self.new_button.clicked.connect(self.new_member)
        self.edit_button = QPushButton("编辑", self)
        self.edit_button.setObjectName("editMemberButton")
        self.edit_button.setToolTip("编辑选中的党员（Enter 或双击）")
        self.edit_button.clicked.connect(lambda: self.edit_member())
        self.more_button = QPushButton("组织关系", self)
        self.more_button.setObjectName("moreMemberButton")
        self.more_button.setToolTip("转接、转正、离开名册、恢复在册")
        self.more_menu = QMenu(self.more_button)
        self.more_button.setMenu(self.more_menu)
        self.import_button = QPushButton("导入", self)
        self.import_button.setObjectName("importMembersButton")
        self.import_button.setToolTip("从 Excel 导入党员花名册")
        self.import_button.clicked.connect(self.importRequested.emit)

        self.filter_bar.add_widget(self.new_button, spacing=12)
        for w in (self.edit_button, self.more_button, self.import_button):
            self.filter_bar.add_widget(w)

    def _build_filters(self) -> None:
        bar = self.filter_bar
        self.org_filter = bar.add_combo("orgFilter", [("全部党组织", None)], min_chars=16)
        self.org_filter.setMaxVisibleItems(24)
        self.group_filter = bar.add_combo("groupFilter", [("全部党小组", None), ("未编入党小组", NO_GROUP)], min_chars=9)
        self.category_filter = bar.add_combo("categoryFilter", CATEGORY_CHOICES)
        self.status_filter = bar.add_combo("statusFilter", STATUS_CHOICES)
        self.flag_filter = bar.add_combo("flagFilter", FLAG_CHOICES)
        self.due_filter = bar.add_combo("dueFilter", DUE_CHOICES)
        self.clear_filters_button = bar.clear_button
        self.clear_filters_button.setObjectName("clearFiltersButton")
        bar.count_label.setVisible(False)  # the status bar says 共 N 人，显示 M 人
        # 党组织 first: its branch decides the 党小组 choices.
        self.org_filter.currentIndexChanged.connect(self._org_changed)
        for combo in (self.group_filter, self.category_filter, self.status_filter, self.flag_filter, self.due_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())

    def _build_table(self) -> None:
        self.view = make_table("memberTable", self.model, self, movable=True)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self.view.doubleClicked.connect(lambda index: self.edit_member(self.model.member_id(index.row())))
        self.view.selectionModel().selectionChanged.connect(lambda _sel, _desel: self._show_detail())
        self.detail = MemberDetailPane(self)
        self.no_match = EmptyState(self.view, what="党员", no_match=NO_MATCH_TEXT, on_clear=self.clear_filters,
                                   name="memberNoMatch")

    def _fit_name_columns(self, roster: Roster) -> None:
        """Widen 所在党支部 / 楼栋党小组 to the longest names in use (up to a limit; the
        rest is elided with the whole name in the tooltip)."""
        fm = self.view.fontMetrics()
        limit = fm.horizontalAdvance("中") * 18
        for key, names in (
            ("branch", [b.name for b in roster.branches.values() if b.status == "active"]),
            ("group", [g.name for g in roster.groups.values() if g.status == "active"]),
        ):
            column = COL[key]
            widest = max((fm.horizontalAdvance(n) for n in names), default=0) + 24
            if widest > self.view.columnWidth(column):
                self.view.setColumnWidth(column, min(widest, limit))

    def _build_pages(self) -> None:
        table_page = QWidget(self)
        column = QVBoxLayout(table_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.view, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("memberSplitter")
        self.splitter.addWidget(table_page)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        self.detail.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 22)
        self.splitter.setSizes([1000, self.fontMetrics().horizontalAdvance("中") * 26])

        self.empty_page = QWidget(self)
        empty = QVBoxLayout(self.empty_page)
        empty.addStretch(1)
        self.empty_label = QLabel(EMPTY_TEXT, self.empty_page)
        self.empty_label.setObjectName("membersEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setProperty("role", "detail")
        empty.addWidget(self.empty_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        empty_import = QPushButton("导入", self.empty_page)
        empty_import.clicked.connect(self.importRequested.emit)
        empty_new = QPushButton("新增", self.empty_page)
        empty_new.setProperty("primary", True)
        empty_new.setStyleSheet(PRIMARY_DISABLED)
        empty_new.clicked.connect(self.new_member)
        buttons.addWidget(empty_import)
        buttons.addWidget(empty_new)
        buttons.addStretch(1)
        empty.addLayout(buttons)
        empty.addStretch(2)

        self.loading_label = QLabel("正在读取党员名册…", self)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setProperty("role", "detail")

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_page)
        self.stack.addWidget(self.loading_label)

    def _add_action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: str | None = None,
        *,
        context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
        owner: QWidget | None = None,
    ) -> QAction:
        action = QAction(text, owner or self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(context)
        action.triggered.connect(lambda _checked=False: slot())
        (owner or self).addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._add_action("新增党员", self.new_member, "Ctrl+N")
        self.find_action = self._add_action("查找", self.focus_search, "Ctrl+F")
        self.clear_action = self._add_action(
            "清空搜索", self.clear_search, "Esc", context=Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        self.edit_action = self._add_action(
            "编辑…", lambda: self.edit_member(), "Return", context=Qt.ShortcutContext.WidgetShortcut, owner=self.view
        )
        enter = self._add_action(
            "编辑", lambda: self.edit_member(), "Enter", context=Qt.ShortcutContext.WidgetShortcut, owner=self.view
        )
        enter.setVisible(False)
        self.transfer_action = QAction("转接组织关系（本街道内）…", self)
        self.transfer_action.triggered.connect(lambda: self.transfer_member())
        self.confirm_action = QAction("办理转正…", self)
        self.confirm_action.triggered.connect(lambda: self.confirm_member())
        self.leave_action = QAction("离开名册（转出、停止党籍、出党、去世）…", self)
        self.leave_action.triggered.connect(lambda: self.leave_member())
        self.restore_action = QAction("恢复在册…", self)
        self.restore_action.triggered.connect(lambda: self.restore_member())
        for action in (self.transfer_action, self.confirm_action, self.leave_action, self.restore_action):
            self.more_menu.addAction(action)

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Re-read the roster (and the filter choices), keeping filters and selection.

        While the tab is hidden (the clerk works in another tab) a roster already shown is
        only marked stale and re-read when the tab is shown again."""
        if self.model.roster is not None and not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self.model.set_today(self._today())
        self._reload_org_choices()
        if self._pending_select is None:
            self._pending_select = self.current_member_id()
        count = members.counts_by_status()
        total = sum(count.values())
        if total > self.ASYNC_THRESHOLD:
            self._load_async()
        else:
            self._loaded(members.load_roster())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _load_async(self) -> None:
        if self._loading is not None:
            self._load_again = True  # the read under way may have started before a change
            return
        if self.model.roster is None:
            self.stack.setCurrentWidget(self.loading_label)
            self._status = "正在读取党员名册…"
            self.statusChanged.emit(self._status)
        sort = (self.model.sort_column, self.model.sort_descending)
        worker = workers.Worker(_prepare_roster_as, current_actor(), self.current_roster_filter(), sort, self.model.today)
        self._loading = worker

        def done() -> None:
            self._loading = None

        def failed(message: str) -> None:
            dialogs.error(self, "读取党员名册", message)

        def arrived(prepared: MemberTableModel) -> None:
            self._loading = None
            self._adopt(prepared)
            if self._load_again:
                self._load_again = False
                self._load_async()

        worker.signals.result.connect(arrived)
        worker.signals.error.connect(failed)
        worker.signals.crashed.connect(lambda _s: dialogs.crash(self))
        worker.signals.finished.connect(done)
        workers.start(worker)

    @property
    def is_loading(self) -> bool:
        return self._loading is not None

    def _loaded(self, roster: Roster) -> None:
        self.detail.clear()  # a re-read roster: the selected member's details may have changed
        self.model.set_roster(roster)
        self._fit_name_columns(roster)
        self._after_model_change()
        self.loaded.emit()

    def _adopt(self, prepared: MemberTableModel) -> None:
        """A roster read and laid out on a worker: shown in one step, with the filters,
        the search typed meanwhile and the selection kept."""
        self.detail.clear()  # a re-read roster: the selected member's details may have changed
        self.model.adopt(prepared, self.current_roster_filter())  # with what the clerk changed meanwhile
        self._fit_name_columns(prepared.roster)
        self._after_model_change()
        self.loaded.emit()

    def _reload_org_choices(self) -> None:
        current = self.org_filter.currentData()
        key = (current.kind, current.id) if current is not None else None
        self._org_choices = members.organisation_choices()
        self.org_filter.blockSignals(True)
        self.org_filter.clear()
        self.org_filter.addItem("全部党组织", None)
        for choice in self._org_choices:
            if choice.kind == "working_committee" and choice.depth == 0:
                continue  # the whole sub-district is "全部党组织"
            indent = "\u3000" * max(0, choice.depth - 1)
            self.org_filter.addItem(indent + choice.name, choice)
        self.org_filter.setCurrentIndex(max(0, self._find_org(key)))
        self.org_filter.blockSignals(False)
        self._reload_groups()

    def _find_org(self, key: tuple[str, int] | None) -> int:
        if key is None:
            return 0
        for i in range(1, self.org_filter.count()):
            choice = self.org_filter.itemData(i)
            if (choice.kind, choice.id) == key:
                return i
        return -1

    def _reload_groups(self, select: int | None = None) -> None:
        keep = select if select is not None else self.group_filter.currentData()
        choice = self.org_filter.currentData()
        self.group_filter.blockSignals(True)
        self.group_filter.clear()
        self.group_filter.addItem("全部党小组", None)
        self.group_filter.addItem("未编入党小组", NO_GROUP)
        if choice is not None and choice.kind == "branch":
            for g in members.group_choices(choice.id):
                self.group_filter.addItem(g.name, g.id)
        index = self.group_filter.findData(keep) if keep is not None else 0
        self.group_filter.setCurrentIndex(max(0, index))
        self.group_filter.blockSignals(False)

    # ------------------------------------------------------------ filtering
    def current_roster_filter(self) -> RosterFilter:
        choice = self.org_filter.currentData()
        flags, any_flags = FLAG_FILTERS[self.flag_filter.currentData() or ""]
        return RosterFilter(
            branch_ids=choice.branch_ids if choice is not None else None,
            group_id=self.group_filter.currentData(),
            category=self.category_filter.currentData(),
            status=self.status_filter.currentData(),
            flags=flags,
            any_flags=any_flags,
            due=self.due_filter.currentData(),
            search=self.search.text(),
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
        keep = self.current_member_id()
        self.model.set_filter(self.current_roster_filter())
        self._after_model_change(keep)

    def _search_typed(self, text: str) -> None:
        """A keystroke in the search box: searched on the next turn of the event loop, so
        keys already waiting (fast typing, a key held down) give one search, the newest.
        An emptied box (Esc, the clear button) shows the whole list at once."""
        if not text.strip():
            self.apply_filters()
        else:
            self._search_timer.start()

    def apply_search(self) -> None:
        """Apply the search box now (the next turn of the event loop does it otherwise)."""
        self.filter_bar.apply_search()
        self.apply_filters()

    def set_search(self, text: str) -> None:
        self.filter_bar.set_search(text)
        self.apply_filters()

    def _org_changed(self) -> None:
        self._reload_groups(select=None if self.group_filter.currentData() != NO_GROUP else NO_GROUP)
        self.apply_filters()

    def clear_search(self) -> None:
        self.filter_bar.clear_search()

    def focus_search(self) -> None:
        self.filter_bar.focus_search()

    def clear_filters(self) -> None:
        self.filter_bar.clear()

    def _filters_cleared(self) -> None:
        self._reload_groups()
        self.apply_filters()

    def filter_branch(self, branch_id: int) -> None:
        """Show one branch's members (e.g. from the 党组织 tab)."""
        self.filter_org_node("branch", branch_id)

    def filter_org_node(self, kind: str, node_id: int) -> None:
        """Show the members at or below an organisation-tree node (a committee, a
        branch or a building group)."""
        if kind == "group":
            branch = next(iter(members.branch_ids_under("group", node_id)), None)
            if branch is None:
                return
            self._select_org(("branch", branch))
            self._reload_groups(select=node_id)
        elif kind == "working_committee":
            self._select_org(None)
            self._reload_groups(select=None)
        else:
            self._select_org((kind, node_id))
            self._reload_groups(select=None)
        self.apply_filters()

    def _select_org(self, key: tuple[str, int] | None) -> None:
        self.org_filter.blockSignals(True)
        self.org_filter.setCurrentIndex(max(0, self._find_org(key)))
        self.org_filter.blockSignals(False)

    def filter_group(self, group_id: int) -> None:
        self.filter_org_node("group", group_id)

    def show_due_for_confirmation(self) -> None:
        """预备党员 due for 转正 within 30 days or overdue (the dashboard's reminder)."""
        self.clear_filters()
        self.status_filter.blockSignals(True)
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData("active")))
        self.status_filter.blockSignals(False)
        self.due_filter.setCurrentIndex(max(0, self.due_filter.findData("due")))
        self.model.sort(COL["confirmed_on"], Qt.SortOrder.AscendingOrder)
        self.view.horizontalHeader().setSortIndicator(self.model.sort_column, Qt.SortOrder.AscendingOrder)

    # ------------------------------------------------------------ view state
    def _after_model_change(self, keep: int | None = None) -> None:
        has_roster = self.model.total_count > 0
        self.stack.setCurrentWidget(self.splitter if has_roster else self.empty_page)
        target = self._pending_select if self._pending_select is not None else keep
        self._pending_select = None
        if target is not None and not self.select_member(target):
            self.detail.clear()
        elif target is None:
            self._show_detail()
        self._update_status()
        self._update_actions()

    def _update_status(self) -> None:
        total, shown = self.model.total_count, self.model.shown_count
        if self.model.roster is None:
            self._status = "正在读取党员名册…" if self.is_loading else ""
        elif total == 0:
            self._status = "还没有党员"
        else:
            self._status = f"共 {total:,} 人，显示 {shown:,} 人"
            due = self.model.current_filter.due
            if due:
                self._status += "（转正到期提醒）" if due == "due" else "（已逾期未转正）"
        self.statusChanged.emit(self._status)

    def status_text(self) -> str:
        return self._status

    def current_member_id(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return None
        return self.model.member_id(index.row())

    def selected_member_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [mid for mid in (self.model.member_id(r) for r in rows) if mid is not None]

    def select_member(self, member_id: int) -> bool:
        row = self.model.row_of(member_id)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.scrollTo(index)
        self._show_detail()
        return True

    def _show_detail(self, *, force: bool = False) -> None:
        member_id = self.current_member_id()
        if member_id is None:
            self.detail.clear()
        elif not force and self.detail.detail is not None and self.detail.detail.id == member_id:
            pass  # the same member, still fresh: a keystroke in the search box re-selects it
        else:
            try:
                detail = members.member_detail(member_id, today=self._today())
            except UserError:
                self.detail.clear()
            else:
                self.detail.show_member(detail, audit_log.member_history(member_id))
        self._update_actions()

    def _update_actions(self) -> None:
        can_write = current_actor().can_write
        row = self.model.row_at(self.view.currentIndex().row()) if self.current_member_id() is not None else None
        active = row is not None and row[R_STATUS] == "active"
        for widget in (self.new_button, self.new_action):
            widget.setEnabled(can_write)
        self.import_button.setEnabled(can_write)
        self.edit_button.setEnabled(can_write and row is not None)
        self.edit_action.setEnabled(can_write and row is not None)
        self.more_button.setEnabled(can_write and row is not None)
        self.transfer_action.setEnabled(can_write and active)
        self.leave_action.setEnabled(can_write and active)
        self.confirm_action.setEnabled(can_write and active and row[R_CATEGORY] == "probationary")
        self.restore_action.setEnabled(can_write and row is not None and not active)

    # ------------------------------------------------------------ dialogs
    def _open(self, dialog: QDialog, *, reveal: bool = False) -> QDialog:
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda mid: self._member_saved(mid, reveal=reveal))  # type: ignore[attr-defined]
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.current_dialog is dialog:
            self.current_dialog = None

    def _member_saved(self, member_id: int, *, reveal: bool = False) -> None:
        self.detail.clear()  # shown afresh below
        self.model.update_rows(members.roster_rows([member_id]))
        if reveal and self.model.row_of(member_id) < 0:
            # A new member outside the current filters (another branch, say): show it
            # anyway, the clerk wants to see what was saved. An edited member that no
            # longer matches (转正 in the "due" list) simply leaves the list.
            self.clear_filters()
        self._after_model_change(keep=member_id)
        self.select_member(member_id)
        self.dataChanged.emit()

    def _detail_for(self, member_id: int | None) -> members.MemberDetail | None:
        member_id = member_id if member_id is not None else self.current_member_id()
        if member_id is None:
            return None
        return members.member_detail(member_id, today=self._today())

    def new_member(self) -> MemberDialog | None:
        if not current_actor().can_write:
            return None
        choice = self.org_filter.currentData()
        branch = choice.id if choice is not None and choice.kind == "branch" else None
        dialog = MemberDialog(self, branch_id=branch, today=self._today())
        self._open(dialog, reveal=True)
        return dialog

    def edit_member(self, member_id: int | None = None) -> MemberDialog | None:
        member_id = member_id if member_id is not None else self.current_member_id()
        if member_id is None or not current_actor().can_write:
            return None
        dialog = MemberDialog(self, member_id=member_id, today=self._today())
        self._open(dialog)
        return dialog

    def leave_member(self, member_id: int | None = None, status: str = "transferred_out") -> LeaveDialog | None:
        detail = self._detail_for(member_id)
        if detail is None or detail.values["status"] != "active":
            return None
        dialog = LeaveDialog(self, detail, today=self._today(), status=status)
        self._open(dialog)
        return dialog

    def transfer_member(self, member_id: int | None = None) -> TransferDialog | None:
        detail = self._detail_for(member_id)
        if detail is None or detail.values["status"] != "active":
            return None
        dialog = TransferDialog(self, detail, today=self._today())
        self._open(dialog)
        return dialog

    def confirm_member(self, member_id: int | None = None) -> ConfirmDialog | None:
        detail = self._detail_for(member_id)
        if detail is None or detail.values["category"] != "probationary" or detail.values["status"] != "active":
            return None
        dialog = ConfirmDialog(self, detail, today=self._today())
        self._open(dialog)
        return dialog

    def restore_member(self, member_id: int | None = None) -> RestoreDialog | None:
        detail = self._detail_for(member_id)
        if detail is None or detail.values["status"] == "active":
            return None
        dialog = RestoreDialog(self, detail, today=self._today())
        self._open(dialog)
        return dialog

    # ------------------------------------------------------------ groups from the roster
    def assign_selected_to_group(self, group_id: int) -> None:
        ids = self.selected_member_ids()
        try:
            members.assign_group(ids, group_id)
        except UserError as exc:
            dialogs.error(self, "编入党小组", exc.message)
            return
        self._rows_changed(ids)

    def unassign_selected(self) -> None:
        ids = self.selected_member_ids()
        try:
            members.unassign_group(ids)
        except UserError as exc:
            dialogs.error(self, "调出党小组", exc.message)
            return
        self._rows_changed(ids)

    def _rows_changed(self, ids: list[int]) -> None:
        keep = self.current_member_id()
        self.detail.clear()
        self.model.update_rows(members.roster_rows(ids))
        self._after_model_change(keep)
        self.dataChanged.emit()

    # ------------------------------------------------------------ context menu
    def build_context_menu(self, index: QModelIndex) -> QMenu:
        menu = QMenu(self)
        row = self.model.row_at(index.row()) if index.isValid() else None
        can_write = current_actor().can_write
        new = menu.addAction("新增党员…")
        new.setEnabled(can_write)
        new.triggered.connect(self.new_member)
        if row is None:
            return menu
        edit = menu.addAction("编辑…")
        edit.setEnabled(can_write)
        edit.triggered.connect(lambda: self.edit_member(row[R_ID]))
        menu.addSeparator()
        for action in (self.transfer_action, self.confirm_action, self.leave_action, self.restore_action):
            menu.addAction(action)
        selected = [self.model.row_at(i.row()) for i in self.view.selectionModel().selectedRows()]
        branches = {r[R_BRANCH] for r in selected if r is not None}
        if len(branches) == 1 and all(r[R_STATUS] == "active" for r in selected if r is not None):
            menu.addSeparator()
            groups_menu = menu.addMenu(f"编入党小组（{len(selected)} 人）")
            groups = members.group_choices(next(iter(branches)))
            groups_menu.setEnabled(can_write and bool(groups))
            for g in groups:
                act = groups_menu.addAction(g.name)
                act.triggered.connect(lambda _c=False, gid=g.id: self.assign_selected_to_group(gid))
            out = menu.addAction("调出党小组")
            out.setEnabled(can_write and any(r[R_GROUP] for r in selected if r is not None))
            out.triggered.connect(self.unassign_selected)
        menu.addSeparator()
        copy_name = menu.addAction("复制姓名")
        copy_name.triggered.connect(lambda: QGuiApplication.clipboard().setText(row[R_NAME]))
        copy_id = menu.addAction("复制身份证号")
        copy_id.triggered.connect(lambda: QGuiApplication.clipboard().setText(row[members.R_ID_NUMBER]))
        if row[R_DUE]:
            menu.addSeparator()
            due = menu.addAction(f"预备期满：{row[R_DUE]}")
            due.setEnabled(False)
        return menu

    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid() and not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
        menu = self.build_context_menu(index)
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def set_today(self, today: Callable[[], dt.date]) -> None:
        self._today = today
        self.model.set_today(today())
