"""服务记录: service records by team, project and period, with their total hours."""


from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QModelIndex
from PySide6.QtWidgets import (
    QDateEdit,
    QLabel,
    QMenu,
)

from ui import dialogs
from ui.volunteer_dialogs import (
    RecordDialog,
    qdate_to_date,
)
from ui.volunteer_table_models import ServiceRecordTableModel
from wanghu_desk.errors import UserError
from wanghu_desk.services import volunteers
from wanghu_desk.services.volunteers import RecordFilter, hours_text

if TYPE_CHECKING:
    from ui.volunteers_tab import VolunteersTab
from ui.volunteer_list_page import (
    PERIODS,
    RECORDS_EMPTY,
    ListPage,
    _button,
)


class RecordsPage(ListPage):
    WHAT = "服务记录"
    UNIT = "条"
    SEARCH_HINT = "搜索志愿者姓名、拼音首字母、服务内容"
    EMPTY_TEXT = RECORDS_EMPTY

    def __init__(self, tab: VolunteersTab):
        super().__init__(tab, ServiceRecordTableModel(tab), "records")
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
        self.add_buttons(self.bulk_button, self.new_button, self.edit_button, self.delete_button, self.import_button,
                         self.export_button)

        self.team_filter = self.filter_bar.add_combo("recordTeamFilter", [("全部服务队", None)])
        self.team_filter.setMaxVisibleItems(20)
        self.project_filter = self.filter_bar.add_combo("recordProjectFilter", [("全部服务项目", None)])
        self.project_filter.setMaxVisibleItems(20)
        self.period_filter = self.filter_bar.add_combo("recordPeriodFilter", PERIODS)
        self.start_edit = self._date_edit("recordStart")
        self.end_edit = self._date_edit("recordEnd")
        self.volunteer_chip = _button("", "recordVolunteerChip", self, "只看这名志愿者的记录；点击取消")
        self.volunteer_chip.setVisible(False)
        self.volunteer_chip.clicked.connect(lambda: self.filter_volunteer(None))
        self.clear_button = self.filter_bar.clear_button
        self.team_filter.currentIndexChanged.connect(lambda _i: self.reload_rows())
        self.project_filter.currentIndexChanged.connect(lambda _i: self.reload_rows())
        self.period_filter.currentIndexChanged.connect(lambda _i: self._period_changed())
        self.start_edit.dateChanged.connect(lambda _d: self._dates_edited())
        self.end_edit.dateChanged.connect(lambda _d: self._dates_edited())
        to = QLabel("至", self)
        for w in (self.start_edit, to, self.end_edit, self.volunteer_chip):
            self.filter_bar.add_filter_widget(w)
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
        self.filter_bar.reset_silently()
        self.period_filter.blockSignals(True)
        self.period_filter.setCurrentIndex(self.period_filter.findData("all"))
        self.period_filter.blockSignals(False)
        self._set_period_dates()
        self._volunteer = None
        self.volunteer_chip.setVisible(False)
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
