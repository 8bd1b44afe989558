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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, workers
from ui.table_view import current_id
from ui.volunteer_dialogs import (
    BulkRecordDialog,
    CertificateDialog,
)
from ui.volunteer_list_page import ListPage
from ui.volunteer_people_page import VolunteersPage
from ui.volunteer_projects_page import ProjectsPage
from ui.volunteer_records_page import RecordsPage
from ui.volunteer_teams_page import TeamsPage
from wanghu_desk.errors import UserError
from wanghu_desk.services import volunteers
from wanghu_desk.services.base import current_actor
from wanghu_desk.services.volunteers import hours_text


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
                volunteer_id = current_id(page.member_view)
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
