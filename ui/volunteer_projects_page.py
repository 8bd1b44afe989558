"""服务项目: the 为民服务项目 brands with their records and hours."""


from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QMenu,
)

from ui import dialogs
from ui.volunteer_dialogs import (
    ProjectDialog,
)
from ui.volunteer_table_models import ProjectTableModel
from wanghu_desk.errors import UserError
from wanghu_desk.services import volunteers

if TYPE_CHECKING:
    from ui.volunteers_tab import VolunteersTab
from ui.volunteer_list_page import (
    PROJECTS_EMPTY,
    ListPage,
    _button,
)


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
        self.add_buttons(self.new_button, self.edit_button, self.records_button)
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
        return self.open_editor(lambda: ProjectDialog(self, today=self.today()), None, needs_row=False,
                                on_saved=self._saved)

    def edit(self, row_id: int | None = None) -> ProjectDialog | None:
        project_id = row_id if row_id is not None else self.current_id()
        return self.open_editor(lambda: ProjectDialog(self, project_id=project_id, today=self.today()), project_id,
                                needs_row=True, on_saved=self._saved)

    def set_active(self, project_id: int, active: bool) -> None:
        try:
            volunteers.set_project_active(project_id, active)
        except UserError as exc:
            dialogs.error(self, "服务项目", exc.message)
            return
        self._saved(project_id)

    def delete(self) -> None:
        row = self.current_row()
        if row is not None:
            self.confirm_and_delete("删除服务项目", f"删除服务项目「{row.name}」？", lambda: volunteers.delete_project(row.id))

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
