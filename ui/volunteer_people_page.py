"""志愿者: the volunteers with their hours and stars, filters by team and kind."""


from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from ui.volunteer_dialogs import (
    VolunteerDialog,
)
from ui.volunteer_table_models import VolunteerTableModel
from wanghu_desk.services import volunteers
from wanghu_desk.services.volunteers import hours_text

if TYPE_CHECKING:
    from ui.volunteers_tab import VolunteersTab
from ui.volunteer_list_page import (
    VOLUNTEER_KINDS,
    VOLUNTEERS_EMPTY,
    ListPage,
    _button,
)


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
        self.add_buttons(self.new_button, self.edit_button, self.record_button, self.certificate_button,
                         self.import_button, self.export_button)

        self.team_filter = self.filter_bar.add_combo("volunteerTeamFilter", [("全部服务队", None)])
        self.team_filter.setMaxVisibleItems(20)
        self.kind_filter = self.filter_bar.add_combo("volunteerKindFilter", VOLUNTEER_KINDS)
        self.clear_button = self.filter_bar.clear_button
        for combo in (self.team_filter, self.kind_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())

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
        self.filter_bar.reset_silently()
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
        return self.open_editor(lambda: VolunteerDialog(self, team_id=team_id, today=self.today()), None,
                                needs_row=False, on_saved=self._saved)

    def edit(self, row_id: int | None = None) -> VolunteerDialog | None:
        volunteer_id = row_id if row_id is not None else self.current_id()
        return self.open_editor(lambda: VolunteerDialog(self, volunteer_id=volunteer_id, today=self.today()),
                                volunteer_id, needs_row=True, on_saved=self._saved)

    def delete(self) -> None:
        row = self.current_row()
        if row is not None:
            self.confirm_and_delete("删除志愿者", f"删除志愿者「{row.name}」？只有误登记、没有服务记录的志愿者可以删除。",
                                    lambda: volunteers.delete_volunteer(row.id))

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
