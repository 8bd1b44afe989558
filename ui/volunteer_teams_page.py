"""服务队: the teams, the selected team's volunteers, joining and leaving."""


from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.table_view import make_table, select_row, selected_ids
from ui.volunteer_dialogs import (
    JoinTeamDialog,
    LeaveTeamDialog,
    TeamDialog,
)
from ui.volunteer_table_models import TeamMemberTableModel, TeamTableModel
from wanghu_desk.errors import UserError
from wanghu_desk.services import volunteers
from wanghu_desk.services.volunteers import hours_text

if TYPE_CHECKING:
    from ui.volunteers_tab import VolunteersTab
from ui.volunteer_list_page import (
    TEAM_MEMBERS_EMPTY,
    TEAMS_EMPTY,
    ListPage,
    _button,
)


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
        self.add_buttons(self.new_button, self.edit_button, self.bulk_button, self.export_button)
        self.add_empty_button("新增服务队", self.new, primary=True)

        # The selected team's volunteers.
        self.member_model = TeamMemberTableModel(self)
        self.member_title = QLabel(self)
        self.member_title.setObjectName("teamMembersTitle")
        self.member_title.setWordWrap(True)
        self.member_view = make_table("teamMembersTable", self.member_model, self)
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
            select_row(self.view, 0)
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
        keep = selected_ids(self.member_view)
        self.member_model.set_rows(rows)
        if keep:
            for vid in keep:
                r = self.member_model.row_of(vid)
                if r >= 0:
                    select_row(self.member_view, r)
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
        self.leave_button.setEnabled(write and team is not None and bool(selected_ids(self.member_view)))

    # ------------------------------------------------------------ actions
    def _saved(self, team_id: int) -> None:
        self.tab.reload()
        self.search.clear()
        self.apply_search()
        self.select_id(team_id)
        self.tab.changed()

    def new(self) -> TeamDialog | None:
        return self.open_editor(lambda: TeamDialog(self, today=self.today()), None, needs_row=False,
                                on_saved=self._saved)

    def edit(self, row_id: int | None = None) -> TeamDialog | None:
        team_id = row_id if row_id is not None else self.current_id()
        return self.open_editor(lambda: TeamDialog(self, team_id=team_id, today=self.today()), team_id,
                                needs_row=True, on_saved=self._saved)

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
        if team is not None:
            self.confirm_and_delete("删除服务队", f"删除「{team.name}」？队员名单一并删除，志愿者本人保留。",
                                    lambda: volunteers.delete_team(team.id))

    def join(self) -> JoinTeamDialog | None:
        team = self.current_row()
        if team is None or not team.is_active or not self.can_write:
            return None
        dialog = JoinTeamDialog(self, team_id=team.id, today=self.today())
        self.open_dialog(dialog, lambda _n: self._saved(team.id))
        return dialog

    def leave(self) -> LeaveTeamDialog | None:
        team = self.current_row()
        ids = selected_ids(self.member_view)
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
            select_row(self.member_view, index.row())
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
