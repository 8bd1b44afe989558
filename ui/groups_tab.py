"""楼栋党小组 tab: every branch with its building party groups and warnings; for the
selected branch, its groups (buildings covered, leader, member count) and its members,
with buttons to put the selected members into a group, take them out, or make one the
group's leader.

Warnings (SPEC §2, issue 3): active members in no group (in branches that have groups),
groups without a leader, buildings of the estates a branch serves that no group covers.

Signals: `statusChanged(str)`, `dataChanged()` after any change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, screen_fit
from ui.filter_bar import EmptyState, FilterBar
from ui.member_dialog import PRIMARY_DISABLED
from ui.org_edit_dialogs import GroupDialog, MoveGroupDialog, confirm_dissolve
from ui.record_table_model import Column, RecordTableModel
from ui.table_view import current_record, make_table, select_ids, select_row, selected_records
from wanghu_desk.errors import UserError
from wanghu_desk.services import members, org_edit
from wanghu_desk.services.base import current_actor

EMPTY_TEXT = "还没有党支部。请先在「党组织」里新增党支部，或从「导入」开始。"
NO_GROUPS_TEXT = "这个支部还没有楼栋党小组。点击「新建党小组」。"

BRANCH_COLUMNS = [
    Column("branch", "党支部", lambda s: s.name, sample="省建一公司宿舍小区党支部"),
    Column("groups", "党小组", lambda s: s.groups, align="right", sample="党小组"),
    Column("members", "党员", lambda s: s.members, align="right", sample="1,000"),
    Column(
        "unassigned", "未编组",
        lambda s: s.unassigned or None,
        align="right",
        sample="未编组",
        alert=lambda s: s.unassigned > 0,
        tooltip=lambda s: f"{s.unassigned} 名在册党员没有编入党小组" if s.unassigned else None,
    ),
    Column(
        "leaderless", "无组长",
        lambda s: s.leaderless or None,
        align="right",
        sample="无组长",
        alert=lambda s: s.leaderless > 0,
        tooltip=lambda s: f"{s.leaderless} 个党小组没有组长" if s.leaderless else None,
    ),
    Column(
        "uncovered", "未覆盖楼栋",
        lambda s: s.uncovered or None,
        align="right",
        sample="未覆盖楼栋",
        alert=lambda s: s.uncovered > 0,
        tooltip=lambda s: f"服务小区里有 {s.uncovered} 栋楼没有党小组覆盖" if s.uncovered else None,
    ),
]
GROUP_COLUMNS = [
    Column("group", "楼栋党小组", lambda g: g.name, sample="12-14栋党小组"),
    Column("buildings", "覆盖楼栋", lambda g: g.buildings, sample="12栋、13栋、14栋"),
    Column(
        "leader", "党小组长", lambda g: g.leader_name or "未设", sample="阿依古丽·艾力", alert=lambda g: not g.leader_name
    ),
    Column("members", "党员", lambda g: g.members, align="right", sample="党员数"),
]
MEMBER_COLUMNS = [
    Column("name", "姓名", lambda m: m.name + ("（组长）" if m.is_leader else ""), sample="阿依古丽·艾力（组长）"),
    Column("gender", "性别", lambda m: m.gender, sample="性别"),
    Column("age", "年龄", lambda m: m.age, align="right", sample="100"),
    Column(
        "group", "楼栋党小组", lambda m: m.group_name or "未编组", sample="12-14栋党小组", alert=lambda m: not m.group_name
    ),
    Column("address", "家庭住址", lambda m: m.address, sample="望湖城北苑12栋2单元1203室"),
    Column("phone", "联系电话", lambda m: m.phone, sample="0551-65179666"),
]


#: The overview's "只看…" choices: which branches stay listed.
BRANCH_FILTERS = {
    "warnings": lambda s: s.warnings > 0,
    "leaderless": lambda s: s.leaderless > 0,
    "unassigned": lambda s: s.unassigned > 0,
    "uncovered": lambda s: s.uncovered > 0,
}


def heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet("font-weight: bold; color: #444444;")
    return label


class GroupsTab(QWidget):
    """The 楼栋党小组 tab. Construct with `(parent=None)`; call `refresh()`."""

    statusChanged = Signal(str)
    dataChanged = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("groupsTab")
        self._today = today
        self._status = ""
        self.current_dialog: QDialog | None = None
        self.branch_model = RecordTableModel(BRANCH_COLUMNS, self, search=lambda s: s.name)
        self.group_model = RecordTableModel(GROUP_COLUMNS, self, search=lambda g: g.name)
        self.member_model = RecordTableModel(
            MEMBER_COLUMNS, self, search=lambda m: f"{m.name} {m.initials} {m.address} {m.phone} {m.group_name}"
        )
        self._members: list[members.BranchMember] = []

        # -- left: branches
        self.branch_filter = FilterBar("branch", "按名称查找党支部", self, delay_ms=0)
        self.search = self.branch_filter.search
        self.only_warnings = self.branch_filter.add_combo(
            "branchWarningFilter",
            [("全部支部", ""), ("只看有提醒的", "warnings"), ("有党小组没有组长的", "leaderless"),
             ("有党员未编组的", "unassigned"), ("有楼栋未覆盖的", "uncovered")],
        )
        self.branch_filter.count_label.setVisible(False)  # the summary under the list counts
        self.branch_filter.searchChanged.connect(lambda _t: self._filter_branches())
        self.branch_filter.filtersChanged.connect(self._filter_branches)
        self.branch_filter.cleared.connect(self._filter_branches)
        self.branch_view = make_table("branchTable", self.branch_model, self, multi=False)
        self.branch_view.selectionModel().selectionChanged.connect(lambda _s, _d: self._branch_changed())
        self.summary = QLabel(self)
        self.summary.setObjectName("groupSummary")
        self.summary.setWordWrap(True)
        self.summary.setProperty("role", "detail")
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(6)
        left_layout.addWidget(self.branch_filter)
        left_layout.addWidget(self.branch_view, 1)
        left_layout.addWidget(self.summary)

        # -- right: the selected branch's groups and members
        self.branch_title = QLabel(self)
        self.branch_title.setObjectName("branchTitle")
        self.branch_title.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.new_group_button = QPushButton("新建党小组", self)
        self.new_group_button.setObjectName("newGroupButton")
        self.new_group_button.setProperty("primary", True)
        self.new_group_button.setStyleSheet(PRIMARY_DISABLED)
        self.new_group_button.clicked.connect(self.new_group)
        self.edit_group_button = QPushButton("编辑", self)
        self.edit_group_button.setObjectName("editGroupButton")
        self.edit_group_button.clicked.connect(lambda: self.edit_group())
        self.move_group_button = QPushButton("移到其他支部", self)
        self.move_group_button.setObjectName("moveGroupButton")
        self.move_group_button.clicked.connect(lambda: self.move_group())
        self.dissolve_group_button = QPushButton("撤销", self)
        self.dissolve_group_button.setObjectName("dissolveGroupButton")
        self.dissolve_group_button.clicked.connect(lambda: self.dissolve_group())
        title_row = QHBoxLayout()
        title_row.addWidget(self.branch_title, 1)
        for b in (self.new_group_button, self.edit_group_button, self.move_group_button, self.dissolve_group_button):
            title_row.addWidget(b)

        self.group_view = make_table("groupTable", self.group_model, self, multi=False)
        self.group_view.setMinimumHeight(self.group_view.verticalHeader().defaultSectionSize() * 5)
        self.group_view.selectionModel().selectionChanged.connect(lambda _s, _d: self._group_changed())
        self.group_view.doubleClicked.connect(lambda _i: self.edit_group())
        self.group_view.customContextMenuRequested.connect(self._group_menu)
        self.no_groups = QLabel(NO_GROUPS_TEXT, self)
        self.no_groups.setObjectName("noGroups")
        self.no_groups.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_groups.setProperty("role", "detail")
        self.group_stack = QStackedWidget(self)
        self.group_stack.addWidget(self.group_view)
        self.group_stack.addWidget(self.no_groups)

        self.warnings = QLabel(self)
        self.warnings.setObjectName("groupWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.member_filter = FilterBar("groupMember", "姓名、拼音首字母、住址", self, delay_ms=0)
        self.member_search = self.member_filter.search
        self.member_scope = self.member_filter.add_combo(
            "memberScope", [("本支部全部党员", "all"), ("未编入党小组的", "none"), ("所选党小组的", "group")]
        )
        self.member_filter.count_label.setVisible(False)  # the status bar counts
        self.member_filter.searchChanged.connect(self._search_members)
        self.member_filter.filtersChanged.connect(self._show_members)
        self.member_filter.cleared.connect(lambda: self._search_members(""))
        self.assign_button = QPushButton("编入所选党小组", self)
        self.assign_button.setObjectName("assignButton")
        self.assign_button.setToolTip("把下面选中的党员编入上面选中的党小组（可多选：Ctrl 或 Shift 加点击）")
        self.assign_button.clicked.connect(self.assign_selected)
        self.unassign_button = QPushButton("调出党小组", self)
        self.unassign_button.setObjectName("unassignButton")
        self.unassign_button.clicked.connect(self.unassign_selected)
        self.leader_button = QPushButton("设为组长", self)
        self.leader_button.setObjectName("leaderButton")
        self.leader_button.setToolTip("把选中的一名党员设为他所在党小组（或上面选中的党小组）的组长")
        self.leader_button.clicked.connect(self.make_leader)
        member_bar = QHBoxLayout()
        member_bar.addWidget(heading("本支部党员", self))
        member_bar.addWidget(self.member_filter, 1)
        action_bar = QHBoxLayout()  # a row of its own: beside the filters they were squeezed at 1366 px
        action_bar.addStretch(1)
        action_bar.addWidget(self.assign_button)
        action_bar.addWidget(self.unassign_button)
        action_bar.addWidget(self.leader_button)
        self.member_view = make_table("groupMemberTable", self.member_model, self)
        self.member_view.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_buttons())
        self.member_view.customContextMenuRequested.connect(self._member_menu)
        self.member_hint = EmptyState(self.member_view, what="党员", on_clear=self.member_filter.clear)
        self.branch_hint = EmptyState(self.branch_view, what="党支部", on_clear=self.branch_filter.clear)

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #E1E3E6;")
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(6)
        right_layout.addLayout(title_row)
        right_layout.addWidget(self.group_stack, 2)
        right_layout.addWidget(self.warnings)
        right_layout.addWidget(line)
        right_layout.addLayout(member_bar)
        right_layout.addLayout(action_bar)
        right_layout.addWidget(self.member_view, 3)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("groupsSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        left_width = sum(self.branch_view.columnWidth(i) for i in range(len(BRANCH_COLUMNS))) + 24
        left_width = min(left_width, screen_fit.room(self).width() * 2 // 5)  # the right side's buttons need room
        self.splitter.setSizes([left_width, 900])

        self.empty_label = QLabel(EMPTY_TEXT, self)
        self.empty_label.setObjectName("groupsEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setProperty("role", "detail")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(self.stack)

        find = QAction("查找", self)
        find.setShortcut(QKeySequence("Ctrl+F"))
        find.triggered.connect(lambda: (self.member_search.setFocus(), self.member_search.selectAll()))
        self.addAction(find)
        new = QAction("新建党小组", self)
        new.setShortcut(QKeySequence("Ctrl+N"))
        new.triggered.connect(self.new_group)
        self.addAction(new)
        clear = QAction("清空搜索", self)
        clear.setShortcut(QKeySequence("Esc"))
        clear.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        clear.triggered.connect(self._clear_search)
        self.addAction(clear)
        edit = QAction("编辑", self.group_view)
        edit.setShortcut(QKeySequence("Return"))
        edit.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        edit.triggered.connect(lambda: self.edit_group())
        self.group_view.addAction(edit)
        self._update_buttons()

    # ------------------------------------------------------------ data
    def refresh(self) -> None:
        keep_branch = self.current_branch_id()
        keep_group = self.current_group_id()
        overview = org_edit.group_overview()
        self.branch_model.set_rows(overview)
        self._filter_branches(keep=keep_branch)
        self.stack.setCurrentWidget(self.splitter if overview else self.empty_label)
        if keep_group is not None:
            select_row(self.group_view, self.group_model.row_of(lambda g: g.id == keep_group))
        self._update_summary(overview)
        self._update_status()

    def _filter_branches(self, _text: str | None = None, keep: int | None = None) -> None:
        keep = keep if keep is not None else self.current_branch_id()
        model = self.branch_model
        model.set_search(self.search.text())
        model.set_predicate(BRANCH_FILTERS.get(self.only_warnings.currentData() or ""))
        row = model.row_of(lambda s: s.id == keep) if keep is not None else -1
        if row < 0 and model.rowCount():
            row = model.row_of(lambda s: s.groups > 0)
        select_row(self.branch_view, row if row >= 0 else 0)
        if model.rowCount() == 0:
            self._branch_changed()

    def _update_summary(self, overview: list[org_edit.BranchGroupSummary]) -> None:
        groups = sum(s.groups for s in overview)
        unassigned = sum(s.unassigned for s in overview)
        leaderless = sum(s.leaderless for s in overview)
        uncovered = sum(s.uncovered for s in overview)
        with_groups = sum(1 for s in overview if s.groups)
        parts = [f"{with_groups} 个支部共有楼栋党小组 {groups} 个"]
        alerts = []
        if unassigned:
            alerts.append(f"未编组党员 {unassigned} 名")
        if leaderless:
            alerts.append(f"无组长党小组 {leaderless} 个")
        if uncovered:
            alerts.append(f"未覆盖楼栋 {uncovered} 栋")
        text = "；".join(parts)
        if alerts:
            text += "。<span style='color:#C8161D'>提醒：" + "，".join(alerts) + "</span>"
        else:
            text += "，没有需要处理的提醒。"
        self.summary.setText(text)

    def current_branch_id(self) -> int | None:
        record = current_record(self.branch_view)
        return record.id if record is not None else None

    def current_group_id(self) -> int | None:
        record = current_record(self.group_view)
        return record.id if record is not None else None

    def select_branch(self, branch_id: int) -> bool:
        row = self.branch_model.row_of(lambda s: s.id == branch_id)
        if row < 0:
            self.search.clear()
            self.only_warnings.setCurrentIndex(0)
            row = self.branch_model.row_of(lambda s: s.id == branch_id)
        select_row(self.branch_view, row)
        return row >= 0

    def show_without_leader(self) -> None:
        """List the branches that have a group without a leader (the dashboard's reminder)
        and show the first of them."""
        self.search.clear()
        self.only_warnings.setCurrentIndex(max(0, self.only_warnings.findData("leaderless")))
        select_row(self.branch_view, 0 if self.branch_model.rowCount() else -1)
        leaderless = [g for g in self.group_model.shown_rows() if not g.leader_name]
        if leaderless:
            self.select_group(leaderless[0].id)

    def select_group(self, group_id: int) -> bool:
        row = self.group_model.row_of(lambda g: g.id == group_id)
        select_row(self.group_view, row)
        return row >= 0

    def _branch_changed(self) -> None:
        branch = current_record(self.branch_view)
        if branch is None:
            self.branch_title.setText("")
            self.group_model.set_rows([])
            self._members = []
            self.member_model.set_rows([])
            self.warnings.setText("")
            self._update_buttons()
            self._update_status()
            return
        self.branch_title.setText(branch.name)
        keep = self.current_group_id()
        groups = org_edit.branch_groups(branch.id)
        self.group_model.set_rows(groups)
        self.group_stack.setCurrentWidget(self.group_view if groups else self.no_groups)
        if keep is not None:
            select_row(self.group_view, self.group_model.row_of(lambda g: g.id == keep))
        self._members = members.branch_members(branch.id, today=self._today())
        keep_members = self.selected_member_ids()
        self.member_model.set_rows(self._members)
        self._show_members()
        select_ids(self.member_view, keep_members)
        self._show_warnings(branch.id)
        self._update_buttons()
        self._update_status()

    def _show_warnings(self, branch_id: int) -> None:
        sentences = org_edit.group_warnings(branch_id).sentences()
        if sentences:
            self.warnings.setText("<span style='color:#C8161D'>提醒：</span>" + "<br>".join(sentences))
            self.warnings.setVisible(True)
        else:
            self.warnings.setText("")
            self.warnings.setVisible(False)

    def _group_changed(self) -> None:
        if self.member_scope.currentData() == "group":
            self._show_members()
        self._update_buttons()

    def _show_members(self) -> None:
        scope = self.member_scope.currentData()
        if scope == "none":
            self.member_model.set_predicate(lambda m: m.group_id is None)
        elif scope == "group":
            gid = self.current_group_id()
            self.member_model.set_predicate(lambda m: gid is not None and m.group_id == gid)
        else:
            self.member_model.set_predicate(None)
        self._update_status()

    def _search_members(self, text: str) -> None:
        self.member_model.set_search(text)
        self._update_status()

    def selected_member_ids(self) -> list[int]:
        return [m.id for m in selected_records(self.member_view)]

    def select_members(self, member_ids: list[int]) -> None:
        self.member_view.selectionModel().clearSelection()
        select_ids(self.member_view, list(member_ids))

    def _update_buttons(self) -> None:
        can_write = current_actor().can_write
        has_branch = self.current_branch_id() is not None
        has_group = self.current_group_id() is not None
        chosen = self.selected_member_ids()
        self.new_group_button.setEnabled(can_write and has_branch)
        for b in (self.edit_group_button, self.move_group_button, self.dissolve_group_button):
            b.setEnabled(can_write and has_group)
        self.assign_button.setEnabled(can_write and has_group and bool(chosen))
        by_id = {m.id: m for m in self._members}
        self.unassign_button.setEnabled(can_write and any(by_id[m].group_id for m in chosen if m in by_id))
        self.leader_button.setEnabled(
            can_write and len(chosen) == 1 and (has_group or bool(by_id.get(chosen[0]) and by_id[chosen[0]].group_id))
        )

    def _update_status(self) -> None:
        branches = self.branch_model.total_count
        groups = sum(s.groups for s in self.branch_model.all_rows())
        if branches == 0:
            self._status = "还没有党支部"
        else:
            self._status = f"党支部 {branches} 个 · 楼栋党小组 {groups:,} 个"
            if self.current_branch_id() is not None:
                self._status += f" · 本支部共 {len(self._members):,} 人，显示 {self.member_model.rowCount():,} 人"
        self.statusChanged.emit(self._status)

    def status_text(self) -> str:
        return self._status

    def _clear_search(self) -> None:
        if self.member_search.text():
            self.member_search.clear()
        elif self.search.text():
            self.search.clear()

    # ------------------------------------------------------------ assigning
    def _after_change(self) -> None:
        self.refresh()
        self.dataChanged.emit()

    def assign_selected(self) -> int:
        gid = self.current_group_id()
        ids = self.selected_member_ids()
        if gid is None or not ids:
            return 0
        try:
            moved = members.assign_group(ids, gid)
        except UserError as exc:
            dialogs.error(self, "编入党小组", exc.message)
            return 0
        self._after_change()
        self.select_members(ids)
        return moved

    def unassign_selected(self) -> int:
        ids = self.selected_member_ids()
        if not ids:
            return 0
        try:
            moved = members.unassign_group(ids)
        except UserError as exc:
            dialogs.error(self, "调出党小组", exc.message)
            return 0
        self._after_change()
        return moved

    def make_leader(self) -> None:
        ids = self.selected_member_ids()
        if len(ids) != 1:
            return
        person = next((m for m in self._members if m.id == ids[0]), None)
        gid = self.current_group_id() or (person.group_id if person else None)
        if gid is None or person is None:
            return
        try:
            org_edit.set_group_leader(gid, person.id)
        except UserError as exc:
            dialogs.error(self, "设为组长", exc.message)
            return
        self._after_change()

    # ------------------------------------------------------------ group dialogs
    def _open(self, dialog: QDialog) -> QDialog:
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._group_saved)  # type: ignore[attr-defined]
        dialog.finished.connect(
            lambda _r: setattr(self, "current_dialog", None) if self.current_dialog is dialog else None
        )
        dialog.open()
        return dialog

    def _group_saved(self, group_id: int) -> None:
        self._after_change()
        self.select_group(group_id)

    def new_group(self) -> GroupDialog | None:
        branch = self.current_branch_id()
        if branch is None or not current_actor().can_write:
            return None
        dialog = GroupDialog(self, branch_id=branch)
        self._open(dialog)
        return dialog

    def edit_group(self, group_id: int | None = None) -> GroupDialog | None:
        gid = group_id if group_id is not None else self.current_group_id()
        if gid is None or not current_actor().can_write:
            return None
        detail = org_edit.group_detail(gid)
        dialog = GroupDialog(self, branch_id=detail.branch_id, detail=detail)
        self._open(dialog)
        return dialog

    def move_group(self, group_id: int | None = None) -> MoveGroupDialog | None:
        gid = group_id if group_id is not None else self.current_group_id()
        if gid is None or not current_actor().can_write:
            return None
        dialog = MoveGroupDialog(self, org_edit.group_detail(gid), today=self._today())
        self._open(dialog)
        return dialog

    def dissolve_group(self, group_id: int | None = None) -> bool:
        gid = group_id if group_id is not None else self.current_group_id()
        if gid is None or not current_actor().can_write:
            return False
        detail = org_edit.group_detail(gid)
        done = confirm_dissolve(
            self,
            what="楼栋党小组",
            name=detail.name,
            remains=org_edit.group_remains(gid),
            action=lambda: org_edit.dissolve_group(gid, today=self._today()),
            title="撤销楼栋党小组",
        )
        if done:
            self._after_change()
        return done

    # ------------------------------------------------------------ context menus
    def _group_menu(self, pos: QPoint) -> None:
        index = self.group_view.indexAt(pos)
        if index.isValid():
            select_row(self.group_view, index.row())
        menu = QMenu(self)
        for text, slot, needs in (
            ("新建党小组…", self.new_group, False),
            ("编辑…", self.edit_group, True),
            ("移到其他支部…", self.move_group, True),
            ("撤销…", self.dissolve_group, True),
        ):
            action = menu.addAction(text)
            action.setEnabled(current_actor().can_write and (index.isValid() or not needs))
            action.triggered.connect(lambda _c=False, slot=slot: slot())
        menu.exec(self.group_view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def build_member_menu(self) -> QMenu:
        menu = QMenu(self)
        can_write = current_actor().can_write
        chosen = self.selected_member_ids()
        into = menu.addMenu(f"编入党小组（{len(chosen)} 人）")
        into.setEnabled(can_write and bool(chosen))
        for g in self.group_model.shown_rows():
            action = into.addAction(g.name)
            action.triggered.connect(lambda _c=False, gid=g.id: (self.select_group(gid), self.assign_selected()))
        out = menu.addAction("调出党小组")
        out.setEnabled(self.unassign_button.isEnabled())
        out.triggered.connect(self.unassign_selected)
        leader = menu.addAction("设为组长")
        leader.setEnabled(self.leader_button.isEnabled())
        leader.triggered.connect(self.make_leader)
        return menu

    def _member_menu(self, pos: QPoint) -> None:
        index = self.member_view.indexAt(pos)
        if index.isValid() and not self.member_view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            select_row(self.member_view, index.row())
        menu = self.build_member_menu()
        menu.exec(self.member_view.viewport().mapToGlobal(pos))
        menu.deleteLater()
