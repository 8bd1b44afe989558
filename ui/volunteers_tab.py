"""志愿服务 tab (SPEC §6): volunteer teams, volunteers, service records and service
projects, with the figures higher authorities ask for every quarter.

- A summary line: teams, volunteers (party members among them), projects, hours this
  quarter and this year, star volunteers.
- 服务队: the teams with their volunteers and hours this quarter / this year; the
  selected team's volunteers with their hours, 加入志愿者, 退出服务队, 批量登记本队活动.
- 志愿者: search by name, pinyin initials (zs → 张三) or phone; filters by team and
  kind; cumulative hours and star level (★ from 100 h); 登记服务, 时长证明 (PDF).
- 服务记录: filters by team, project and date range (本季度, 本年 …), search; the total
  hours of what is shown; 登记, 批量登记 (one activity for many volunteers), 删除.
- 服务项目: the 为民服务项目 brands with their records and hours.

Every list has a search box, a count in the status bar, an empty state that says what to
do, a context menu and double-click to edit. Keys: Ctrl+N new (on the current page),
Ctrl+Shift+N 批量登记, Ctrl+F search, Esc clears it, Enter edits, Delete removes the
selected records, Ctrl+P 时长证明, Alt+1 … Alt+4 switch pages.

Signals: `statusChanged(str)` (the current page's counts), `data_changed()` after any
change. The tab never queries the database: it calls `services.volunteers`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, QPoint, QStandardPaths, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, workers
from ui.volunteer_dialogs import (
    BulkRecordDialog,
    CertificateDialog,
    JoinTeamDialog,
    LeaveTeamDialog,
    ProjectDialog,
    RecordDialog,
    TeamDialog,
    VolunteerDialog,
    qdate_to_date,
)
from ui.volunteer_table_models import (
    ProjectTableModel,
    RecordTableModel,
    RowTableModel,
    TeamMemberTableModel,
    TeamTableModel,
    VolunteerTableModel,
)
from wanghu_desk.errors import UserError
from wanghu_desk.services import volunteers
from wanghu_desk.services.base import current_actor
from wanghu_desk.services.volunteers import RecordFilter, hours_text

SEARCH_DELAY_MS = 150

TEAMS_EMPTY = "还没有志愿服务队。点击「新增服务队」；导入志愿者名单时也会自动建立名单中的服务队。"
VOLUNTEERS_EMPTY = "还没有志愿者。点击「导入」或「新增」。"
RECORDS_EMPTY = "还没有志愿服务记录。点击「批量登记」登记一次活动，或「导入」服务记录表。"
PROJECTS_EMPTY = "还没有为民服务项目。点击「新增项目」，如「乐夕阳」「朝阳护学」。"
TEAM_MEMBERS_EMPTY = "这个服务队还没有志愿者。点击「加入志愿者」。"
NO_MATCH = "没有符合条件的{what}。按 Esc 清空搜索，或点「清除筛选」。"

VOLUNTEER_KINDS = [
    ("全部志愿者", ""),
    ("星级志愿者（累计 100 小时以上）", "star"),
    ("党员志愿者", "member"),
    ("本年还没有服务", "idle"),
]
PERIODS = [
    ("本季度", "quarter"),
    ("本年", "year"),
    ("上季度", "last_quarter"),
    ("近 30 天", "30"),
    ("全部日期", "all"),
    ("指定日期", "custom"),
]


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


def ask_save_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> Path | None:
    """The save-file question (patched in tests). None when the clerk cancels."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(_documents()) / suggested), file_filter)
    if not path:
        return None
    target = Path(path)
    suffix = ".pdf" if "pdf" in file_filter.lower() else ".xlsx"
    if target.suffix.lower() != suffix:
        target = target.with_name(target.name + suffix)
    return target


def _combo(name: str, items: list[tuple[str, Any]], parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    for text, data in items:
        combo.addItem(text, data)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def _button(text: str, name: str, parent: QWidget, tip: str = "", *, primary: bool = False) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    if primary:
        button.setProperty("primary", True)
    return button


def _table(name: str, model: RowTableModel, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    vertical = view.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(view.fontMetrics().height() + 12)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSortIndicatorShown(True)
    sort_col = model.sort_column
    order = Qt.SortOrder.DescendingOrder if model.sort_descending else Qt.SortOrder.AscendingOrder
    header.setSortIndicator(sort_col, order)
    view.setSortingEnabled(True)
    fm, hfm = view.fontMetrics(), header.fontMetrics()
    for i, column in enumerate(model.COLUMNS):
        width = max(fm.horizontalAdvance(column.sample), hfm.horizontalAdvance(column.title) + 26) + 22
        view.setColumnWidth(i, width)
    return view


def fit_columns(view: QTableView, limit_chars: int = 20) -> None:
    """Widen the `fit` columns to the longest name in use (never narrower, at most
    `limit_chars` characters; longer names are elided with the whole name in the tooltip)."""
    model: RowTableModel = view.model()  # type: ignore[assignment]
    fm = view.fontMetrics()
    limit = fm.horizontalAdvance("中") * limit_chars
    for i, column in enumerate(model.COLUMNS):
        if not column.fit:
            continue
        widest = max((fm.horizontalAdvance(t) for t in model.fit_texts(i)), default=0) + 24
        if widest > view.columnWidth(i):
            view.setColumnWidth(i, min(widest, limit))


def _select_row(view: QTableView, row: int) -> None:
    index = view.model().index(row, 0)
    view.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    view.scrollTo(index)


def _selected_ids(view: QTableView) -> list[int]:
    model: RowTableModel = view.model()  # type: ignore[assignment]
    rows = sorted({i.row() for i in view.selectionModel().selectedRows()})
    return [rid for rid in (model.id_at(r) for r in rows) if rid is not None]


def _current_id(view: QTableView) -> int | None:
    index = view.currentIndex()
    if not index.isValid() or not view.selectionModel().isRowSelected(index.row(), QModelIndex()):
        return None
    return view.model().id_at(index.row())  # type: ignore[attr-defined]


class ListPage(QWidget):
    """One list of the tab: toolbar (search, filters, buttons), the table (or an empty
    state that says what to do), a no-match line, the context menu and double-click."""

    changed = Signal()  # something was saved: refresh the tab
    statusChanged = Signal(str)

    WHAT = "记录"
    UNIT = "条"
    SEARCH_HINT = "搜索"
    EMPTY_TEXT = ""

    def __init__(self, tab: VolunteersTab, model: RowTableModel, name: str):
        super().__init__(tab)
        self.tab = tab
        self.model = model
        self.setObjectName(name)
        self.search = QLineEdit(self)
        self.search.setObjectName(f"{name}Search")
        self.search.setPlaceholderText(self.SEARCH_HINT)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.SEARCH_HINT) + 48)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.apply_search)

        self.view = _table(f"{name}Table", model, self)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(lambda index: self.edit(self.model.id_at(index.row())))
        self.view.selectionModel().selectionChanged.connect(lambda _s, _d: self.selection_changed())
        self.no_match = QLabel(NO_MATCH.format(what=self.WHAT), self)
        self.no_match.setObjectName(f"{name}NoMatch")
        self.no_match.setProperty("role", "detail")
        self.no_match.setVisible(False)

        self.toolbar = QHBoxLayout()
        self.toolbar.setSpacing(8)
        self.toolbar.addWidget(self.search, 1)
        self.toolbar.addSpacing(8)
        self.filter_bar = QHBoxLayout()
        self.filter_bar.setSpacing(8)

        self.empty_page = QWidget(self)
        empty = QVBoxLayout(self.empty_page)
        empty.addStretch(1)
        self.empty_label = QLabel(self.EMPTY_TEXT, self.empty_page)
        self.empty_label.setObjectName(f"{name}Empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("role", "detail")
        empty.addWidget(self.empty_label)
        self.empty_buttons = QHBoxLayout()
        self.empty_buttons.addStretch(1)
        empty.addLayout(self.empty_buttons)
        empty.addStretch(2)
        self.stack = QStackedWidget(self)

    def finish_layout(self, content: QWidget) -> None:
        """`content`: the table, or a splitter holding it."""
        self.empty_buttons.addStretch(1)
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.no_match)
        column.addWidget(content, 1)
        self.content = page
        self.stack.addWidget(page)
        self.stack.addWidget(self.empty_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(self.toolbar)
        if self.filter_bar.count():
            self.filter_bar.addStretch(1)
            layout.addLayout(self.filter_bar)
        layout.addWidget(self.stack, 1)

    def add_empty_button(self, text: str, slot: Callable[[], Any], *, primary: bool = False) -> QPushButton:
        button = _button(text, "", self.empty_page, primary=primary)
        button.clicked.connect(lambda _c=False: slot())
        self.empty_buttons.addWidget(button)
        return button

    # ------------------------------------------------------------ hooks
    def load(self) -> None:
        raise NotImplementedError

    def new(self) -> Any:
        return None

    def edit(self, row_id: int | None = None) -> Any:
        return None

    def delete(self) -> Any:
        return None

    def build_context_menu(self, index: QModelIndex) -> QMenu:
        return QMenu(self)

    def selection_changed(self) -> None:
        self.update_actions()

    def update_actions(self) -> None:
        """Enable what the acting account and the selection allow."""

    def count_text(self) -> str:
        total, shown = self.model.total_count, self.model.shown_count
        return f"共 {total:,} {self.UNIT}{self.WHAT}，显示 {shown:,} {self.UNIT}"

    # ------------------------------------------------------------ common behaviour
    def set_rows(self, rows: list[Any], keep: list[int] | None = None) -> None:
        keep = keep if keep is not None else _selected_ids(self.view)
        current = _current_id(self.view)
        self.model.set_rows(rows)
        fit_columns(self.view)
        self.after_model_change(keep, current)

    def after_model_change(self, keep: list[int] | None = None, current: int | None = None) -> None:
        has_rows = self.model.total_count > 0 or self.has_filters()
        self.stack.setCurrentWidget(self.content if has_rows else self.empty_page)
        self.no_match.setVisible(has_rows and self.model.shown_count == 0)
        if keep:
            self.select_ids(keep, current)
        self.statusChanged.emit(self.status_text())
        self.update_actions()

    def has_filters(self) -> bool:
        return False

    def status_text(self) -> str:
        if self.model.total_count == 0 and not self.has_filters():
            return f"还没有{self.WHAT}"
        return self.count_text()

    def select_ids(self, ids: list[int], current: int | None = None) -> bool:
        rows = [r for r in (self.model.row_of(i) for i in ids) if r >= 0]
        if not rows:
            return False
        selection = self.view.selectionModel()
        first = self.model.row_of(current) if current is not None and self.model.row_of(current) >= 0 else rows[0]
        _select_row(self.view, first)
        for r in rows:
            if r != first:
                selection.select(self.model.index(r, 0),
                                 QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        return True

    def select_id(self, row_id: int) -> bool:
        return self.select_ids([row_id], row_id)

    def current_id(self) -> int | None:
        return _current_id(self.view)

    def selected_ids(self) -> list[int]:
        return _selected_ids(self.view)

    def current_row(self) -> Any | None:
        row_id = self.current_id()
        if row_id is None:
            return None
        return self.model.row_at(self.model.row_of(row_id))

    def apply_search(self) -> None:
        self._timer.stop()
        if self.model.search_text == self.search.text():
            return
        keep, current = self.selected_ids(), self.current_id()
        self.model.set_search(self.search.text())
        self.after_model_change(keep, current)

    def set_search(self, text: str) -> None:
        self.search.setText(text)
        self.apply_search()

    def clear_search(self) -> None:
        if self.search.text():
            self.search.clear()
            self.apply_search()
        self.search.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid() and not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            _select_row(self.view, index.row())
        menu = self.build_context_menu(index)
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def open_dialog(self, dialog: QDialog, on_saved: Callable[[int], None]) -> QDialog:
        self.tab.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(on_saved)  # type: ignore[attr-defined]
        dialog.finished.connect(lambda _r: self.tab._dialog_closed(dialog))
        dialog.open()
        return dialog

    @property
    def can_write(self) -> bool:
        return current_actor().can_write

    def today(self) -> dt.date:
        return self.tab.today()


# ================================================================ 服务队


class TeamsPage(ListPage):
    WHAT = "服务队"
    UNIT = "支"
    SEARCH_HINT = "搜索服务队名称、所属党组织、负责人"
    EMPTY_TEXT = TEAMS_EMPTY

    def __init__(self, tab: VolunteersTab):
        super().__init__(tab, TeamTableModel(tab), "teams")
        self.new_button = _button("新增服务队", "newTeamButton", self, "新增服务队（Ctrl+N）", primary=True)
        self.new_button.clicked.connect(self.new)
        self.edit_button = _button("编辑", "editTeamButton", self, "编辑选中的服务队（Enter 或双击）")
        self.edit_button.clicked.connect(lambda: self.edit())
        self.bulk_button = _button("批量登记本队活动", "teamBulkButton", self,
                                   "为本队的一次活动，给多名志愿者登记服务时长（Ctrl+Shift+N）")
        self.bulk_button.clicked.connect(lambda: self.tab.bulk_entry(team_id=self.current_id()))
        self.export_button = _button("导出", "exportTeamsButton", self, "导出服务队名册、成员和分季度时长（Excel）")
        self.export_button.clicked.connect(self.tab.export_teams)
        for w in (self.new_button, self.edit_button, self.bulk_button, self.export_button):
            self.toolbar.addWidget(w)
        self.add_empty_button("新增服务队", self.new, primary=True)

        # The selected team's volunteers.
        self.member_model = TeamMemberTableModel(self)
        self.member_title = QLabel(self)
        self.member_title.setObjectName("teamMembersTitle")
        self.member_title.setWordWrap(True)
        self.member_view = _table("teamMembersTable", self.member_model, self)
        self.member_view.horizontalHeader().setStretchLastSection(False)
        self.member_view.doubleClicked.connect(
            lambda index: self.tab.volunteers_page.edit(self.member_model.id_at(index.row())))
        self.member_view.customContextMenuRequested.connect(self._member_menu)
        self.member_view.selectionModel().selectionChanged.connect(lambda _s, _d: self.update_actions())
        self.join_button = _button("加入志愿者…", "joinTeamButton", self, "把已登记的志愿者加入本队")
        self.join_button.clicked.connect(lambda: self.join())
        self.new_member_button = _button("新增志愿者…", "newTeamVolunteerButton", self, "登记一名新志愿者并加入本队")
        self.new_member_button.clicked.connect(
            lambda: self.tab.volunteers_page.new(team_id=self.current_id()))
        self.leave_button = _button("退出服务队…", "leaveTeamButton", self, "选中的志愿者退出本队（服务记录保留）")
        self.leave_button.clicked.connect(lambda: self.leave())
        self.member_search = QLineEdit(self)
        self.member_search.setObjectName("teamMemberSearch")
        self.member_search.setPlaceholderText("在本队中搜索姓名或电话")
        self.member_search.setClearButtonEnabled(True)
        self.member_search.setMaximumWidth(self.fontMetrics().horizontalAdvance("在本队中搜索姓名或电话") + 60)
        self.member_search.textChanged.connect(self.member_model.set_search)
        self.members_empty = QLabel(TEAM_MEMBERS_EMPTY, self)
        self.members_empty.setObjectName("teamMembersEmpty")
        self.members_empty.setProperty("role", "detail")
        self.members_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.members_stack = QStackedWidget(self)
        self.members_stack.addWidget(self.member_view)
        self.members_stack.addWidget(self.members_empty)
        side = QWidget(self)
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(0, 0, 0, 0)
        side_column.setSpacing(6)
        side_column.addWidget(self.member_title)
        buttons = QHBoxLayout()
        for w in (self.join_button, self.new_member_button, self.leave_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(self.member_search)
        side_column.addLayout(buttons)
        side_column.addWidget(self.members_stack, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("teamsSplitter")
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(side)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.finish_layout(self.splitter)

    def load(self) -> None:
        self.set_rows(volunteers.list_teams(today=self.today()))
        if self.current_id() is None and self.model.shown_count:
            _select_row(self.view, 0)
        self.show_members()

    def selection_changed(self) -> None:
        self.show_members()
        super().selection_changed()

    def show_members(self) -> None:
        team = self.current_row()
        if team is None:
            self.member_model.set_rows([])
            self.member_title.setText("选中一个服务队，这里显示它的志愿者和服务时长。")
            self.members_stack.setCurrentWidget(self.members_empty)
            self.members_empty.setText("")
            self.update_actions()
            return
        rows = volunteers.team_members(team.id, today=self.today())
        keep = _selected_ids(self.member_view)
        self.member_model.set_rows(rows)
        if keep:
            for vid in keep:
                r = self.member_model.row_of(vid)
                if r >= 0:
                    _select_row(self.member_view, r)
                    break
        quarter = volunteers.this_quarter(self.today()).label
        gap = "&nbsp;&nbsp;&nbsp;&nbsp;"
        parts = [f"<b>{html.escape(team.name)}</b>" + ("（已停用）" if not team.is_active else ""), team.kind_label]
        if team.leader_name:
            parts.append(f"负责人 {html.escape(team.leader_name)}")
        parts += [f"在队志愿者 {team.volunteers} 名", f"{quarter}服务 {hours_text(team.minutes_quarter)} 小时",
                  f"本年 {hours_text(team.minutes_year)} 小时"]
        self.member_title.setText(gap.join(parts))
        self.members_empty.setText(TEAM_MEMBERS_EMPTY if team.is_active else "这个服务队已停用，没有在队志愿者。")
        self.members_stack.setCurrentWidget(self.member_view if rows else self.members_empty)
        self.update_actions()

    def update_actions(self) -> None:
        team = self.current_row()
        write = self.can_write
        self.new_button.setEnabled(write)
        self.edit_button.setEnabled(write and team is not None)
        active = team is not None and team.is_active
        self.bulk_button.setEnabled(write and active)
        self.join_button.setEnabled(write and active)
        self.new_member_button.setEnabled(write and active)
        self.leave_button.setEnabled(write and team is not None and bool(_selected_ids(self.member_view)))

    # ------------------------------------------------------------ actions
    def _saved(self, team_id: int) -> None:
        self.tab.reload()
        self.search.clear()
        self.apply_search()
        self.select_id(team_id)
        self.tab.changed()

    def new(self) -> TeamDialog | None:
        if not self.can_write:
            return None
        dialog = TeamDialog(self, today=self.today())
        self.open_dialog(dialog, self._saved)
        return dialog

    def edit(self, row_id: int | None = None) -> TeamDialog | None:
        team_id = row_id if row_id is not None else self.current_id()
        if team_id is None or not self.can_write:
            return None
        dialog = TeamDialog(self, team_id=team_id, today=self.today())
        self.open_dialog(dialog, self._saved)
        return dialog

    def set_active(self, active: bool) -> None:
        team = self.current_row()
        if team is None:
            return
        if not active and not dialogs.ask(
            self, "停用服务队", f"停用「{team.name}」？停用后不能再登记它的活动和加入志愿者，已有记录保留。",
            ok_text="停用", default_ok=False,
        ):
            return
        try:
            volunteers.set_team_active(team.id, active)
        except UserError as exc:
            dialogs.error(self, "服务队", exc.message)
            return
        self._saved(team.id)

    def delete(self) -> None:
        team = self.current_row()
        if team is None or not self.can_write:
            return
        if not dialogs.ask(self, "删除服务队", f"删除「{team.name}」？队员名单一并删除，志愿者本人保留。",
                           ok_text="删除", default_ok=False):
            return
        try:
            volunteers.delete_team(team.id)
        except UserError as exc:
            dialogs.error(self, "删除服务队", exc.message)
            return
        self.tab.reload()
        self.tab.changed()

    def join(self) -> JoinTeamDialog | None:
        team = self.current_row()
        if team is None or not team.is_active or not self.can_write:
            return None
        dialog = JoinTeamDialog(self, team_id=team.id, today=self.today())
        self.open_dialog(dialog, lambda _n: self._saved(team.id))
        return dialog

    def leave(self) -> LeaveTeamDialog | None:
        team = self.current_row()
        ids = _selected_ids(self.member_view)
        if team is None or not ids or not self.can_write:
            return None
        names = [self.member_model.row_at(self.member_model.row_of(v)).name for v in ids]
        dialog = LeaveTeamDialog(self, team_id=team.id, volunteer_ids=ids, names=names, today=self.today())
        self.open_dialog(dialog, lambda _n: self._saved(team.id))
        return dialog

    def build_context_menu(self, index: QModelIndex) -> QMenu:
        menu = QMenu(self)
        write = self.can_write
        menu.addAction("新增服务队…", self.new).setEnabled(write)
        team = self.model.row_at(index.row()) if index.isValid() else None
        if team is None:
            return menu
        menu.addAction("编辑…", lambda: self.edit(team.id)).setEnabled(write)
        menu.addSeparator()
        menu.addAction("批量登记本队活动…", lambda: self.tab.bulk_entry(team_id=team.id)).setEnabled(
            write and team.is_active)
        menu.addAction("加入志愿者…", self.join).setEnabled(write and team.is_active)
        menu.addAction("查看本队服务记录", lambda: self.tab.show_records(team_id=team.id))
        menu.addSeparator()
        if team.is_active:
            menu.addAction("停用服务队…", lambda: self.set_active(False)).setEnabled(write)
        else:
            menu.addAction("重新启用", lambda: self.set_active(True)).setEnabled(write)
        menu.addAction("删除服务队…", self.delete).setEnabled(write and team.minutes_total == 0)
        return menu

    def _member_menu(self, pos: QPoint) -> None:
        index = self.member_view.indexAt(pos)
        if index.isValid() and not self.member_view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            _select_row(self.member_view, index.row())
        menu = QMenu(self)
        row = self.member_model.row_at(index.row()) if index.isValid() else None
        write = self.can_write
        team = self.current_row()
        menu.addAction("加入志愿者…", self.join).setEnabled(write and team is not None and team.is_active)
        if row is not None:
            menu.addAction("编辑志愿者…", lambda: self.tab.volunteers_page.edit(row.volunteer_id)).setEnabled(write)
            menu.addAction("登记服务记录…", lambda: self.tab.records_page.new(
                volunteer_id=row.volunteer_id, team_id=team.id if team else None)).setEnabled(write)
            menu.addAction("查看服务记录", lambda: self.tab.show_records(volunteer_id=row.volunteer_id))
            menu.addAction("开具时长证明…", lambda: self.tab.certificate(row.volunteer_id))
            menu.addSeparator()
            menu.addAction("退出服务队…", self.leave).setEnabled(write)
        menu.exec(self.member_view.viewport().mapToGlobal(pos))
        menu.deleteLater()


# ================================================================ 志愿者


class VolunteersPage(ListPage):
    WHAT = "志愿者"
    UNIT = "名"
    SEARCH_HINT = "搜索姓名、拼音首字母（如 zs）、电话、志愿者编号"
    EMPTY_TEXT = VOLUNTEERS_EMPTY

    def __init__(self, tab: VolunteersTab):
        super().__init__(tab, VolunteerTableModel(tab), "volunteers")
        self._rows: list[volunteers.VolunteerRow] = []
        self.new_button = _button("新增", "newVolunteerButton", self, "新增志愿者（Ctrl+N）", primary=True)
        self.new_button.clicked.connect(lambda: self.new())
        self.edit_button = _button("编辑", "editVolunteerButton", self, "编辑选中的志愿者（Enter 或双击）")
        self.edit_button.clicked.connect(lambda: self.edit())
        self.record_button = _button("登记服务", "recordVolunteerButton", self, "为选中的志愿者登记一条服务记录")
        self.record_button.clicked.connect(self._record_for_selected)
        self.certificate_button = _button("时长证明", "certificateButton", self,
                                          "为选中的志愿者开具志愿服务时长证明（PDF，Ctrl+P）")
        self.certificate_button.clicked.connect(lambda: self.tab.certificate())
        self.import_button = _button("导入", "importVolunteersButton", self, "从 Excel 导入志愿者名单")
        self.import_button.clicked.connect(lambda: self.tab.open_import("volunteers"))
        self.export_button = _button("导出", "exportVolunteersButton", self, "导出志愿者名册（含累计服务时长和星级）")
        self.export_button.clicked.connect(self.tab.export_volunteers)
        for w in (self.new_button, self.edit_button, self.record_button, self.certificate_button,
                  self.import_button, self.export_button):
            self.toolbar.addWidget(w)

        self.team_filter = _combo("volunteerTeamFilter", [("全部服务队", None)], self)
        self.team_filter.setMaxVisibleItems(20)
        self.kind_filter = _combo("volunteerKindFilter", VOLUNTEER_KINDS, self)
        self.clear_button = _button("清除筛选", "clearVolunteerFilters", self)
        self.clear_button.clicked.connect(self.clear_filters)
        for combo in (self.team_filter, self.kind_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.filter_bar.addWidget(self.team_filter)
        self.filter_bar.addWidget(self.kind_filter)
        self.filter_bar.addWidget(self.clear_button)

        self.detail = QLabel(self)
        self.detail.setObjectName("volunteerDetail")
        self.detail.setProperty("role", "detail")
        self.detail.setWordWrap(True)
        self.add_empty_button("导入", lambda: self.tab.open_import("volunteers"))
        self.add_empty_button("新增", self.new, primary=True)
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.view, 1)
        column.addWidget(self.detail)
        self.finish_layout(box)

    def load(self) -> None:
        self._reload_teams()
        self._rows = volunteers.list_volunteers(today=self.today())
        self.apply_filters()

    def _reload_teams(self) -> None:
        keep = self.team_filter.currentData()
        self.team_filter.blockSignals(True)
        self.team_filter.clear()
        self.team_filter.addItem("全部服务队", None)
        self.team_filter.addItem("未加入服务队", -1)
        for choice in volunteers.team_choices(include_inactive=True):
            self.team_filter.addItem(choice.name + ("" if choice.active else "（已停用）"), choice.id)
        self.team_filter.setCurrentIndex(max(0, self.team_filter.findData(keep)))
        self.team_filter.blockSignals(False)

    def filtered(self) -> list[volunteers.VolunteerRow]:
        rows = self._rows
        team = self.team_filter.currentData()
        if team == -1:
            rows = [r for r in rows if not r.team_ids]
        elif team is not None:
            rows = [r for r in rows if team in r.team_ids]
        kind = self.kind_filter.currentData()
        if kind == "star":
            rows = [r for r in rows if r.star]
        elif kind == "member":
            rows = [r for r in rows if r.is_member]
        elif kind == "idle":
            rows = [r for r in rows if not r.minutes_year]
        return rows

    def has_filters(self) -> bool:
        return bool(self._rows) and (self.team_filter.currentIndex() > 0 or self.kind_filter.currentIndex() > 0)

    def apply_filters(self) -> None:
        self.set_rows(self.filtered())

    def clear_filters(self) -> None:
        for combo in (self.team_filter, self.kind_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.model.set_search("")
        self.apply_filters()

    def filter_team(self, team_id: int | None) -> None:
        self.team_filter.setCurrentIndex(max(0, self.team_filter.findData(team_id)))

    def count_text(self) -> str:
        total, shown = len(self._rows), self.model.shown_count
        stars = sum(1 for r in self.model.shown_rows() if r.star)
        return f"共 {total:,} 名志愿者，显示 {shown:,} 名，其中星级志愿者 {stars:,} 名"

    def status_text(self) -> str:
        if not self._rows:
            return "还没有志愿者"
        return self.count_text()

    def selection_changed(self) -> None:
        row = self.current_row()
        if row is None:
            self.detail.setText("")
        else:
            level = row.star
            parts = [f"{row.name}：累计服务 {hours_text(row.minutes)} 小时（{row.records:,} 次）"]
            if level:
                parts.append(f"★ {volunteers.star_label(level)}")
            following = volunteers.next_star(row.minutes)
            if following is not None:
                parts.append(f"再服务 {hours_text(following[1])} 小时可达{volunteers.star_label(following[0])}")
            if row.is_member:
                parts.append(f"党员（{row.member_branch}）")
            if row.id_number:
                parts.append(f"身份证号 {row.id_number}")
            self.detail.setText("　".join(parts))
        super().selection_changed()

    def update_actions(self) -> None:
        write = self.can_write
        row = self.current_row()
        self.new_button.setEnabled(write)
        self.import_button.setEnabled(write)
        self.edit_button.setEnabled(write and row is not None)
        self.record_button.setEnabled(write and row is not None)
        self.certificate_button.setEnabled(row is not None)

    # ------------------------------------------------------------ actions
    def _saved(self, volunteer_id: int) -> None:
        self.tab.reload()
        if self.model.row_of(volunteer_id) < 0:
            self.clear_filters()  # a new volunteer outside the filters: show it anyway
        self.select_id(volunteer_id)
        self.tab.changed()

    def new(self, team_id: int | None = None) -> VolunteerDialog | None:
        if not self.can_write:
            return None
        if team_id is None:
            team_id = self.team_filter.currentData() if (self.team_filter.currentData() or 0) > 0 else None
        dialog = VolunteerDialog(self, team_id=team_id, today=self.today())
        self.open_dialog(dialog, self._saved)
        return dialog

    def edit(self, row_id: int | None = None) -> VolunteerDialog | None:
        volunteer_id = row_id if row_id is not None else self.current_id()
        if volunteer_id is None or not self.can_write:
            return None
        dialog = VolunteerDialog(self, volunteer_id=volunteer_id, today=self.today())
        self.open_dialog(dialog, self._saved)
        return dialog

    def delete(self) -> None:
        row = self.current_row()
        if row is None or not self.can_write:
            return
        if not dialogs.ask(self, "删除志愿者", f"删除志愿者「{row.name}」？只有误登记、没有服务记录的志愿者可以删除。",
                           ok_text="删除", default_ok=False):
            return
        try:
            volunteers.delete_volunteer(row.id)
        except UserError as exc:
            dialogs.error(self, "删除志愿者", exc.message)
            return
        self.tab.reload()
        self.tab.changed()

    def _record_for_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) > 1:
            self.tab.bulk_entry(volunteer_ids=ids)
        elif ids:
            self.tab.records_page.new(volunteer_id=ids[0])

    def build_context_menu(self, index: QModelIndex) -> QMenu:
        menu = QMenu(self)
        write = self.can_write
        menu.addAction("新增志愿者…", self.new).setEnabled(write)
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is None:
            return menu
        ids = self.selected_ids()
        menu.addAction("编辑…", lambda: self.edit(row.id)).setEnabled(write)
        menu.addSeparator()
        menu.addAction("登记服务记录…", lambda: self.tab.records_page.new(volunteer_id=row.id)).setEnabled(write)
        if len(ids) > 1:
            menu.addAction(f"为选中的 {len(ids)} 人批量登记…",
                           lambda: self.tab.bulk_entry(volunteer_ids=ids)).setEnabled(write)
        menu.addAction("查看服务记录", lambda: self.tab.show_records(volunteer_id=row.id))
        menu.addAction("开具时长证明…", lambda: self.tab.certificate(row.id))
        menu.addSeparator()
        menu.addAction("复制姓名", lambda: QGuiApplication.clipboard().setText(row.name))
        if row.phone:
            menu.addAction("复制电话", lambda: QGuiApplication.clipboard().setText(row.phone))
        menu.addSeparator()
        menu.addAction("删除志愿者…", self.delete).setEnabled(write and row.records == 0)
        return menu


# ================================================================ 服务记录


class RecordsPage(ListPage):
    WHAT = "服务记录"
    UNIT = "条"
    SEARCH_HINT = "搜索志愿者姓名、拼音首字母、服务内容"
    EMPTY_TEXT = RECORDS_EMPTY

    def __init__(self, tab: VolunteersTab):
        super().__init__(tab, RecordTableModel(tab), "records")
        self._volunteer: tuple[int, str] | None = None
        self._any_records = False
        self.new_button = _button("登记", "newRecordButton", self, "为一名志愿者登记服务记录（Ctrl+N）")
        self.new_button.clicked.connect(lambda: self.new())
        self.bulk_button = _button("批量登记", "bulkRecordButton", self,
                                   "一次活动、多名志愿者、同样的时长，一次保存（Ctrl+Shift+N）", primary=True)
        self.bulk_button.clicked.connect(lambda: self.tab.bulk_entry(team_id=self.team_filter.currentData()))
        self.edit_button = _button("编辑", "editRecordButton", self, "编辑选中的记录（Enter 或双击）")
        self.edit_button.clicked.connect(lambda: self.edit())
        self.delete_button = _button("删除", "deleteRecordButton", self, "删除选中的记录（Delete）")
        self.delete_button.clicked.connect(self.delete)
        self.import_button = _button("导入", "importRecordsButton", self, "从 Excel 导入志愿服务记录")
        self.import_button.clicked.connect(lambda: self.tab.open_import("services"))
        self.export_button = _button("导出", "exportRecordsButton", self)
        self.export_menu = QMenu(self.export_button)
        self.export_menu.addAction("导出当前筛选的记录…", self.tab.export_shown_records)
        self.export_menu.addAction("导出全部服务记录…", self.tab.export_all_records)
        self.export_button.setMenu(self.export_menu)
        for w in (self.bulk_button, self.new_button, self.edit_button, self.delete_button, self.import_button,
                  self.export_button):
            self.toolbar.addWidget(w)

        self.team_filter = _combo("recordTeamFilter", [("全部服务队", None)], self)
        self.team_filter.setMaxVisibleItems(20)
        self.project_filter = _combo("recordProjectFilter", [("全部服务项目", None)], self)
        self.project_filter.setMaxVisibleItems(20)
        self.period_filter = _combo("recordPeriodFilter", PERIODS, self)
        self.start_edit = self._date_edit("recordStart")
        self.end_edit = self._date_edit("recordEnd")
        self.volunteer_chip = _button("", "recordVolunteerChip", self, "只看这名志愿者的记录；点击取消")
        self.volunteer_chip.setVisible(False)
        self.volunteer_chip.clicked.connect(lambda: self.filter_volunteer(None))
        self.clear_button = _button("清除筛选", "clearRecordFilters", self)
        self.clear_button.clicked.connect(self.clear_filters)
        self.team_filter.currentIndexChanged.connect(lambda _i: self.reload_rows())
        self.project_filter.currentIndexChanged.connect(lambda _i: self.reload_rows())
        self.period_filter.currentIndexChanged.connect(lambda _i: self._period_changed())
        self.start_edit.dateChanged.connect(lambda _d: self._dates_edited())
        self.end_edit.dateChanged.connect(lambda _d: self._dates_edited())
        to = QLabel("至", self)
        for w in (self.team_filter, self.project_filter, self.period_filter, self.start_edit, to, self.end_edit,
                  self.volunteer_chip, self.clear_button):
            self.filter_bar.addWidget(w)
        self.add_empty_button("导入", lambda: self.tab.open_import("services"))
        self.add_empty_button("批量登记", lambda: self.tab.bulk_entry(), primary=True)
        self.finish_layout(self.view)
        self._set_period_dates()

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(QDate(1990, 1, 1))
        return edit

    # ------------------------------------------------------------ filters
    def _set_dates(self, start: dt.date | None, end: dt.date | None) -> None:
        for edit, day in ((self.start_edit, start), (self.end_edit, end)):
            edit.blockSignals(True)
            if day is not None:
                edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        code = self.period_filter.currentData()
        today = self.today()
        if code == "quarter":
            q = volunteers.this_quarter(today)
            return q.start, q.end
        if code == "year":
            y = volunteers.this_year(today)
            return y.start, y.end
        if code == "last_quarter":
            year, quarter = volunteers.quarter_of(today)
            year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
            return volunteers.quarter_span(year, quarter)
        if code == "30":
            return today - dt.timedelta(days=29), today
        if code == "custom":
            return qdate_to_date(self.start_edit.date()), qdate_to_date(self.end_edit.date())
        return None, None

    def _set_period_dates(self) -> None:
        start, end = self.period()
        if self.period_filter.currentData() == "all":
            start, end = dt.date(self.today().year - 1, 1, 1), self.today()
        self._set_dates(start, end)

    def _period_changed(self) -> None:
        self._set_period_dates()
        self.reload_rows()

    def _dates_edited(self) -> None:
        custom = self.period_filter.findData("custom")
        if self.period_filter.currentIndex() != custom:
            self.period_filter.blockSignals(True)
            self.period_filter.setCurrentIndex(custom)
            self.period_filter.blockSignals(False)
        self.reload_rows()

    def current_filter(self) -> RecordFilter:
        start, end = self.period()
        return RecordFilter(
            team_id=self.team_filter.currentData(), project_id=self.project_filter.currentData(), start=start,
            end=end, volunteer_id=self._volunteer[0] if self._volunteer else None, search=self.search.text(),
        )

    def has_filters(self) -> bool:
        return self._any_records

    def _reload_choices(self) -> None:
        for combo, first, choices in (
            (self.team_filter, "全部服务队", volunteers.team_choices(include_inactive=True)),
            (self.project_filter, "全部服务项目", volunteers.project_choices(include_inactive=True)),
        ):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for c in choices:
                combo.addItem(c.name + ("" if c.active else "（已停用）"), c.id)
            combo.setCurrentIndex(max(0, combo.findData(keep)))
            combo.blockSignals(False)

    def load(self) -> None:
        self._reload_choices()
        self._set_period_dates()
        self.reload_rows()

    def reload_rows(self) -> None:
        flt = self.current_filter()
        rows = volunteers.list_records(RecordFilter(flt.team_id, flt.project_id, flt.start, flt.end,
                                                    flt.volunteer_id))
        self._any_records = bool(rows) or volunteers.record_count() > 0
        self.set_rows(rows)

    def clear_filters(self) -> None:
        for combo in (self.team_filter, self.project_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.period_filter.blockSignals(True)
        self.period_filter.setCurrentIndex(self.period_filter.findData("all"))
        self.period_filter.blockSignals(False)
        self._set_period_dates()
        self._volunteer = None
        self.volunteer_chip.setVisible(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.model.set_search("")
        self.reload_rows()

    def filter_team(self, team_id: int | None) -> None:
        self.team_filter.setCurrentIndex(max(0, self.team_filter.findData(team_id)))

    def filter_project(self, project_id: int | None) -> None:
        self.project_filter.setCurrentIndex(max(0, self.project_filter.findData(project_id)))

    def filter_period(self, code: str) -> None:
        self.period_filter.setCurrentIndex(max(0, self.period_filter.findData(code)))

    def filter_volunteer(self, volunteer_id: int | None, name: str = "") -> None:
        self._volunteer = (volunteer_id, name) if volunteer_id is not None else None
        self.volunteer_chip.setText(f"只看：{name}　✕")
        self.volunteer_chip.setVisible(volunteer_id is not None)
        self.reload_rows()

    def count_text(self) -> str:
        shown, minutes = self.model.shown_count, self.model.shown_minutes()
        return f"显示 {shown:,} 条服务记录，合计 {hours_text(minutes)} 小时"

    def status_text(self) -> str:
        if not self._any_records:
            return "还没有服务记录"
        return self.count_text()

    def update_actions(self) -> None:
        write = self.can_write
        selected = bool(self.selected_ids())
        for w in (self.new_button, self.bulk_button, self.import_button):
            w.setEnabled(write)
        self.edit_button.setEnabled(write and self.current_id() is not None)
        self.delete_button.setEnabled(write and selected)

    # ------------------------------------------------------------ actions
    def _saved(self, record_id: int) -> None:
        self.tab.reload()
        if self.model.row_of(record_id) >= 0:
            self.select_id(record_id)
        self.tab.changed()

    def new(self, volunteer_id: int | None = None, team_id: int | None = None) -> RecordDialog | None:
        if not self.can_write:
            return None
        if team_id is None:
            team_id = self.team_filter.currentData()
        if volunteer_id is None and self._volunteer:
            volunteer_id = self._volunteer[0]
        dialog = RecordDialog(self, volunteer_id=volunteer_id, team_id=team_id, today=self.today())
        self.open_dialog(dialog, self._saved)
        return dialog

    def edit(self, row_id: int | None = None) -> RecordDialog | None:
        record_id = row_id if row_id is not None else self.current_id()
        if record_id is None or not self.can_write:
            return None
        dialog = RecordDialog(self, record_id=record_id, today=self.today())
        self.open_dialog(dialog, self._saved)
        return dialog

    def delete(self) -> int:
        ids = self.selected_ids()
        if not ids or not self.can_write:
            return 0
        rows = [self.model.row_at(self.model.row_of(i)) for i in ids]
        minutes = sum(r.minutes for r in rows if r is not None)
        first = rows[0]
        what = (f"{first.volunteer} {first.served_on.isoformat()}「{first.activity}」的服务记录" if len(ids) == 1
                else f"选中的 {len(ids)} 条服务记录")
        if not dialogs.ask(self, "删除服务记录", f"删除{what}（共 {hours_text(minutes)} 小时）？删除后不能恢复。",
                           ok_text="删除", default_ok=False):
            return 0
        try:
            n = volunteers.delete_records(ids)
        except UserError as exc:
            dialogs.error(self, "删除服务记录", exc.message)
            return 0
        self.tab.reload()
        self.tab.changed()
        return n

    def build_context_menu(self, index: QModelIndex) -> QMenu:
        menu = QMenu(self)
        write = self.can_write
        menu.addAction("登记服务记录…", lambda: self.new()).setEnabled(write)
        menu.addAction("批量登记…", lambda: self.tab.bulk_entry(team_id=self.team_filter.currentData())).setEnabled(
            write)
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is None:
            return menu
        menu.addSeparator()
        menu.addAction("编辑…", lambda: self.edit(row.id)).setEnabled(write)
        menu.addAction("再登记一条同样的活动（批量）…", lambda: self.tab.bulk_entry(like=row.id)).setEnabled(write)
        menu.addAction(f"只看「{row.volunteer}」的记录", lambda: self.filter_volunteer(row.volunteer_id, row.volunteer))
        menu.addAction("查看志愿者", lambda: self.tab.show_volunteer(row.volunteer_id))
        menu.addSeparator()
        n = len(self.selected_ids())
        menu.addAction(f"删除{'选中的 ' + str(n) + ' 条记录' if n > 1 else '这条记录'}…", self.delete).setEnabled(write)
        return menu


# ================================================================ 服务项目


class ProjectsPage(ListPage):
    WHAT = "服务项目"
    UNIT = "个"
    SEARCH_HINT = "搜索项目名称、服务队、服务内容"
    EMPTY_TEXT = PROJECTS_EMPTY

    def __init__(self, tab: VolunteersTab):
        super().__init__(tab, ProjectTableModel(tab), "projects")
        self.new_button = _button("新增项目", "newProjectButton", self, "新增为民服务项目（Ctrl+N）", primary=True)
        self.new_button.clicked.connect(lambda: self.new())
        self.edit_button = _button("编辑", "editProjectButton", self, "编辑选中的项目（Enter 或双击）")
        self.edit_button.clicked.connect(lambda: self.edit())
        self.records_button = _button("查看服务记录", "projectRecordsButton", self)
        self.records_button.clicked.connect(
            lambda: self.tab.show_records(project_id=self.current_id()) if self.current_id() else None)
        for w in (self.new_button, self.edit_button, self.records_button):
            self.toolbar.addWidget(w)
        self.add_empty_button("新增项目", self.new, primary=True)
        self.finish_layout(self.view)

    def load(self) -> None:
        self.set_rows(volunteers.list_projects(today=self.today()))

    def count_text(self) -> str:
        active = sum(1 for r in self.model.all_rows() if r.is_active)
        return f"共 {self.model.total_count:,} 个服务项目（正在开展 {active:,} 个），显示 {self.model.shown_count:,} 个"

    def update_actions(self) -> None:
        write = self.can_write
        row = self.current_row()
        self.new_button.setEnabled(write)
        self.edit_button.setEnabled(write and row is not None)
        self.records_button.setEnabled(row is not None)

    def _saved(self, project_id: int) -> None:
        self.tab.reload()
        self.select_id(project_id)
        self.tab.changed()

    def new(self) -> ProjectDialog | None:
        if not self.can_write:
            return None
        dialog = ProjectDialog(self, today=self.today())
        self.open_dialog(dialog, self._saved)
        return dialog

    def edit(self, row_id: int | None = None) -> ProjectDialog | None:
        project_id = row_id if row_id is not None else self.current_id()
        if project_id is None or not self.can_write:
            return None
        dialog = ProjectDialog(self, project_id=project_id, today=self.today())
        self.open_dialog(dialog, self._saved)
        return dialog

    def set_active(self, project_id: int, active: bool) -> None:
        try:
            volunteers.set_project_active(project_id, active)
        except UserError as exc:
            dialogs.error(self, "服务项目", exc.message)
            return
        self._saved(project_id)

    def delete(self) -> None:
        row = self.current_row()
        if row is None or not self.can_write:
            return
        if not dialogs.ask(self, "删除服务项目", f"删除服务项目「{row.name}」？", ok_text="删除", default_ok=False):
            return
        try:
            volunteers.delete_project(row.id)
        except UserError as exc:
            dialogs.error(self, "删除服务项目", exc.message)
            return
        self.tab.reload()
        self.tab.changed()

    def build_context_menu(self, index: QModelIndex) -> QMenu:
        menu = QMenu(self)
        write = self.can_write
        menu.addAction("新增项目…", self.new).setEnabled(write)
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is None:
            return menu
        menu.addAction("编辑…", lambda: self.edit(row.id)).setEnabled(write)
        menu.addAction("查看服务记录", lambda: self.tab.show_records(project_id=row.id))
        menu.addSeparator()
        if row.is_active:
            menu.addAction("停用项目", lambda: self.set_active(row.id, False)).setEnabled(write)
        else:
            menu.addAction("重新启用", lambda: self.set_active(row.id, True)).setEnabled(write)
        menu.addAction("删除项目…", self.delete).setEnabled(write and row.records == 0)
        return menu


# ================================================================ the tab


class VolunteersTab(QWidget):
    """The 志愿服务 tab. `VolunteersTab(parent=None)`; call `refresh()` to (re)load."""

    statusChanged = Signal(str)
    data_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("volunteersTab")
        self.today = today
        self.current_dialog: QDialog | None = None
        self.last_task: workers.Task | None = None
        self._status = ""

        self.summary = QLabel(self)
        self.summary.setObjectName("volunteerSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.pages = QTabWidget(self)
        self.pages.setObjectName("volunteerPages")
        self.teams_page = TeamsPage(self)
        self.volunteers_page = VolunteersPage(self)
        self.records_page = RecordsPage(self)
        self.projects_page = ProjectsPage(self)
        for page, title in ((self.teams_page, "服务队"), (self.volunteers_page, "志愿者"),
                            (self.records_page, "服务记录"), (self.projects_page, "服务项目")):
            self.pages.addTab(page, title)
            page.statusChanged.connect(lambda _t, p=page: self._page_status(p))
        self.pages.currentChanged.connect(lambda _i: self._page_status(self.current_page()))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.setSpacing(8)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages, 1)
        self._build_actions()

    # ------------------------------------------------------------ actions and keys
    def _action(self, text: str, slot: Callable[[], Any], shortcut: str,
                context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(context)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("新增", lambda: self.current_page().new(), "Ctrl+N")
        self.bulk_action = self._action("批量登记", lambda: self.bulk_entry(), "Ctrl+Shift+N")
        self.find_action = self._action("查找", lambda: self.current_page().focus_search(), "Ctrl+F")
        self.clear_action = self._action("清空搜索", lambda: self.current_page().clear_search(), "Esc",
                                         Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.certificate_action = self._action("时长证明", lambda: self.certificate(), "Ctrl+P")
        for i in range(4):
            self._action(f"第 {i + 1} 页", lambda i=i: self.pages.setCurrentIndex(i), f"Alt+{i + 1}")
        for page in (self.teams_page, self.volunteers_page, self.records_page, self.projects_page):
            for key in ("Return", "Enter"):
                action = QAction("编辑", page.view)
                action.setShortcut(QKeySequence(key))
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                action.triggered.connect(lambda _c=False, p=page: p.edit())
                page.view.addAction(action)
        delete = QAction("删除", self.records_page.view)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(lambda _c=False: self.records_page.delete())
        self.records_page.view.addAction(delete)

    def current_page(self) -> ListPage:
        return self.pages.currentWidget()  # type: ignore[return-value]

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Re-read everything (keeping filters and selection)."""
        self.reload()

    def reload(self) -> None:
        self._show_summary()
        for page in (self.teams_page, self.volunteers_page, self.records_page, self.projects_page):
            page.load()
        self._page_status(self.current_page())

    def _show_summary(self) -> None:
        o = volunteers.overview(today=self.today())
        stars = o.star_volunteers
        gap = "&nbsp;&nbsp;&nbsp;&nbsp;"
        self.summary.setText(gap.join([
            f"服务队 <b>{o.teams}</b> 支",
            f"志愿者 <b>{o.volunteers:,}</b> 名（其中党员 {o.member_volunteers:,} 名）",
            f"为民服务项目 <b>{o.projects}</b> 个",
            f"{o.quarter_label}服务 <b>{hours_text(o.minutes_quarter)}</b> 小时",
            f"{o.year}年服务 <b>{hours_text(o.minutes_year)}</b> 小时",
            f"星级志愿者 <b>{stars}</b> 名",
        ]))
        self.overview = o

    def _page_status(self, page: ListPage) -> None:
        if page is not self.current_page():
            return
        self._status = page.status_text()
        self.statusChanged.emit(self._status)

    def status_text(self) -> str:
        return self._status

    def changed(self) -> None:
        """After any save: the summary and the other pages are current again."""
        self._show_summary()
        self.data_changed.emit()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.current_dialog is dialog:
            self.current_dialog = None

    # ------------------------------------------------------------ navigation
    def show_records(self, *, team_id: int | None = None, project_id: int | None = None,
                     volunteer_id: int | None = None) -> None:
        page = self.records_page
        page.clear_filters()
        if team_id is not None:
            page.filter_team(team_id)
        if project_id is not None:
            page.filter_project(project_id)
        if volunteer_id is not None:
            rows = volunteers.volunteer_rows([volunteer_id], today=self.today())
            page.filter_volunteer(volunteer_id, rows[0].name if rows else "")
        self.pages.setCurrentWidget(page)

    def show_volunteer(self, volunteer_id: int) -> None:
        page = self.volunteers_page
        if page.model.row_of(volunteer_id) < 0:
            page.clear_filters()
        self.pages.setCurrentWidget(page)
        page.select_id(volunteer_id)

    # ------------------------------------------------------------ bulk entry
    def bulk_entry(self, *, team_id: int | None = None, volunteer_ids: list[int] | None = None,
                   like: int | None = None) -> BulkRecordDialog | None:
        """批量登记: one activity for many volunteers (Ctrl+Shift+N)."""
        if not current_actor().can_write:
            return None
        if team_id is None and volunteer_ids is None and like is None:
            page = self.current_page()
            if page is self.teams_page:
                team_id = page.current_id()
            elif page is self.volunteers_page and len(page.selected_ids()) > 1:
                volunteer_ids = page.selected_ids()
            elif page is self.records_page:
                team_id = page.team_filter.currentData()
        values = volunteers.record_values(like) if like is not None else None
        if values is not None:
            team_id = values["team_id"]
        dialog = BulkRecordDialog(self, team_id=team_id, volunteer_ids=volunteer_ids, today=self.today())
        if values is not None:
            dialog._select("project_id", values["project_id"])
            dialog.fields["activity"].setText(values["activity"])
            dialog.fields["hours"].setText(values["hours"])
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._bulk_saved)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _bulk_saved(self, count: int) -> None:
        self.reload()
        self.changed()
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(f"已登记 {count} 条服务记录", 8000)

    # ------------------------------------------------------------ certificate
    def certificate(self, volunteer_id: int | None = None) -> CertificateDialog | None:
        """志愿服务时长证明 (PDF) for one volunteer: choose the period, then the file."""
        if volunteer_id is None:
            page = self.current_page()
            if page is self.volunteers_page:
                volunteer_id = page.current_id()
            elif page is self.teams_page:
                volunteer_id = _current_id(page.member_view)
            elif page is self.records_page:
                row = page.current_row()
                volunteer_id = row.volunteer_id if row is not None else None
        if volunteer_id is None:
            return None
        rows = volunteers.volunteer_rows([volunteer_id], today=self.today())
        if not rows:
            return None
        dialog = CertificateDialog(self, rows[0].name, today=self.today())
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.write_certificate(volunteer_id, *dialog.period()))
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def write_certificate(self, volunteer_id: int, start: dt.date | None, end: dt.date | None
                          ) -> workers.Task | None:
        from reports import volunteer_certificate

        rows = volunteers.volunteer_rows([volunteer_id], today=self.today())
        if not rows:
            return None
        suggested = f"{rows[0].name}{volunteer_certificate.TITLE}-{self.today():%Y%m%d}.pdf"
        path = ask_save_path(self, "保存志愿服务时长证明", suggested, "PDF 文件 (*.pdf)")
        if path is None:
            return None
        worker = workers.Worker(volunteer_certificate.write_certificate, volunteer_id, path, start=start, end=end,
                                today=self.today())
        self.last_task = workers.run_with_progress(
            self, worker, title="志愿服务时长证明", label="正在生成时长证明…", cancellable=False,
            on_result=lambda written: self._offer_open(written, "已生成时长证明"),
        )
        return self.last_task

    def _offer_open(self, path: Path, text: str) -> None:
        if dialogs.ask(self, "完成", f"{text}：\n{path}", ok_text="打开文件", cancel_text="关闭"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # ------------------------------------------------------------ import and export
    def open_import(self, kind: str) -> QDialog | None:
        """The shared import dialog (志愿者名单 / 志愿服务记录); refreshes after a commit."""
        if not current_actor().can_write:
            return None
        from ui.import_dialog import ImportDialog

        dialog = ImportDialog(self, kind=kind)
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda _outcome: self._imported())
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()
        return dialog

    def _imported(self) -> None:
        try:
            volunteers.link_members_by_id_number()
        except UserError:
            pass  # linking is a convenience; the import itself is saved
        self.reload()
        self.changed()

    def export_volunteers(self) -> workers.Task | None:
        from ui import export_actions

        self.last_task = export_actions.export_volunteers(self)
        return self.last_task

    def export_all_records(self) -> workers.Task | None:
        from ui import export_actions

        self.last_task = export_actions.export_services(self)
        return self.last_task

    def export_shown_records(self, *, unmasked: bool | None = None) -> workers.Task | None:
        from reports import volunteer_export

        if unmasked is None:
            unmasked = False
            if current_actor().may_see_id_numbers:
                from ui import export_actions

                choice = export_actions.ask_options(self, "services")
                if choice is None:
                    return None
                unmasked = choice.unmasked
        flt = self.records_page.current_filter()
        path = ask_save_path(self, "导出服务记录", f"志愿服务记录-{self.today():%Y%m%d}.xlsx", "Excel 文件 (*.xlsx)")
        if path is None:
            return None
        worker = workers.Worker(volunteer_export.export_records_steps, path, flt, unmasked=unmasked,
                                today=self.today())
        self.last_task = workers.run_with_progress(
            self, worker, title="导出服务记录", label="正在导出…",
            on_result=lambda result: self._offer_open(result.path, f"已导出 {result.rows:,} 条服务记录"),
        )
        return self.last_task

    def export_teams(self) -> workers.Task | None:
        from reports import volunteer_export

        path = ask_save_path(self, "导出服务队名册", f"志愿服务队名册-{self.today():%Y%m%d}.xlsx",
                             "Excel 文件 (*.xlsx)")
        if path is None:
            return None
        worker = workers.Worker(volunteer_export.export_teams_steps, path, today=self.today())
        self.last_task = workers.run_with_progress(
            self, worker, title="导出服务队名册", label="正在导出…",
            on_result=lambda result: self._offer_open(result.path, f"已导出 {result.rows} 支服务队"),
        )
        return self.last_task
