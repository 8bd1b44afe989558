"""操作日志 (the 系统 tab's second page): every change the services recorded, newest first.

Filters by account, kind of record, action and a range of days go to the service (one
query, at most `audit_log.LOG_LIMIT` events; the count says when older ones exist); the
search box then narrows the loaded rows as the clerk types. The selected event's changed
fields are listed under the table with their Chinese names, before → after. 导出 writes
the listed events to an Excel workbook on a worker. Administrators only: the service
refuses everyone else.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, workers
from ui.filter_bar import EmptyState, FilterBar
from ui.record_table_model import Column, RecordTableModel
from ui.table_view import current_record, make_table, select_row
from wanghu_desk.errors import UserError
from wanghu_desk.services import audit_log
from wanghu_desk.services.audit_log import LogEntry

#: The first day a date filter offers; shown as 不限 (no limit).
NO_LIMIT = QDate(2000, 1, 1)

COLUMNS = (
    Column("at", "时间", lambda e: e.at, sample="2026-11-22 10:30:05"),
    Column("account", "账号", lambda e: e.account, sample="王主任（admin）", fit=True),
    Column("entity", "对象", lambda e: e.entity, sample="志愿服务队"),
    Column("entity_id", "编号", lambda e: e.entity_id, align="right", sample="100000"),
    Column("action", "操作", lambda e: e.action, sample="转接组织关系"),
    Column("details", "内容", lambda e: e.details, tooltip=lambda e: e.details or None, sample="姓名：张三 → 李四"),
)


def _search_text(entry: LogEntry) -> str:
    return f"{entry.account} {entry.username} {entry.entity} {entry.entity_id or ''} {entry.action} {entry.details}"


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_LIMIT)
    edit.setSpecialValueText("不限")
    edit.setDate(NO_LIMIT)
    return edit


def _day(edit: QDateEdit) -> dt.date | None:
    value = edit.date()
    if value == NO_LIMIT:
        return None
    return dt.date(value.year(), value.month(), value.day())


class AuditViewer(QWidget):
    statusChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("auditViewer")
        self.today = today
        self.more = False
        self.model = RecordTableModel(COLUMNS, self, search=_search_text)
        self.filter_bar = FilterBar("audit", "搜索账号、内容或记录编号", self, two_rows=True)
        self.account_combo = self.filter_bar.add_combo("auditAccount", [("全部账号", None)])
        self.entity_combo = self.filter_bar.add_combo("auditEntity", [("全部对象", None)])
        self.action_combo = self.filter_bar.add_combo("auditAction", [("全部操作", None)])
        self.from_label = self.filter_bar.add_filter_widget(QLabel("从"))
        self.date_from = self.filter_bar.add_filter_widget(_date_edit("auditFrom"))
        self.to_label = self.filter_bar.add_filter_widget(QLabel("到"))
        self.date_to = self.filter_bar.add_filter_widget(_date_edit("auditTo"))
        self.export_button = QPushButton("导出 Excel…", self)
        self.export_button.setObjectName("auditExportButton")
        self.export_button.setToolTip("把下面列出的操作日志导出为 Excel 工作簿")
        self.export_button.clicked.connect(lambda _c=False: self.export())
        self.filter_bar.add_widget(self.export_button)
        self.filter_bar.searchChanged.connect(self._search)
        self.filter_bar.filtersChanged.connect(self.load)
        self.filter_bar.cleared.connect(self._cleared)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.load())

        self.view = make_table("auditTable", self.model, self, multi=False)
        self.view.selectionModel().currentRowChanged.connect(lambda _c, _p: self.show_details())
        self.empty = EmptyState(
            self.view,
            what="操作记录",
            empty_text="还没有操作记录。新增、修改、导入数据后，这里会记下谁在什么时候改了什么。",
            on_clear=self.filter_bar.clear,
            name="auditEmpty",
        )
        self.details = QTextBrowser(self)
        self.details.setObjectName("auditDetails")
        self.details.setOpenLinks(False)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 8, 0, 0)
        column.setSpacing(8)
        column.addWidget(self.filter_bar)
        column.addWidget(splitter, 1)

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        self._fill_choices()
        self.load()

    def _fill_choices(self) -> None:
        choices = audit_log.log_choices()
        for combo, items in (
            (self.account_combo, choices.accounts),
            (self.entity_combo, choices.entities),
            (self.action_combo, choices.actions),
        ):
            kept = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for text, code in items:
                combo.addItem(text, code)
            found = combo.findData(kept) if kept is not None else 0
            combo.setCurrentIndex(max(found, 0))
            combo.blockSignals(False)

    def load(self) -> None:
        try:
            entries, self.more = audit_log.search(
                username=self.account_combo.currentData(),
                entity=self.entity_combo.currentData(),
                action=self.action_combo.currentData(),
                date_from=_day(self.date_from),
                date_to=_day(self.date_to),
            )
        except UserError as exc:
            self.model.set_rows([])
            self.filter_bar.set_count(exc.message)
            self.details.clear()
            self.statusChanged.emit(exc.message)
            return
        self.model.set_rows(entries)
        self.model.set_search(self.filter_bar.text())
        if self.model.shown_count:
            select_row(self.view, 0)
        self._update_count()

    def _search(self, text: str) -> None:
        self.model.set_search(text)
        self._update_count()

    def _cleared(self) -> None:
        for edit in (self.date_from, self.date_to):
            edit.blockSignals(True)
            edit.setDate(NO_LIMIT)
            edit.blockSignals(False)
        self.load()

    def _update_count(self) -> None:
        self.filter_bar.set_count(self.status_text())
        self.export_button.setEnabled(self.model.shown_count > 0)
        self.show_details()
        self.statusChanged.emit(self.status_text())

    def status_text(self) -> str:
        total, shown = self.model.total_count, self.model.shown_count
        text = f"共 {total:,} 条" if shown == total else f"共 {total:,} 条，显示 {shown:,} 条"
        if self.more:
            text += f"（只列出最近 {audit_log.LOG_LIMIT:,} 条，请缩小日期范围）"
        return text

    def show_details(self) -> None:
        """The selected event: when, who, what, and a table of the changed fields by their
        Chinese names — 修改前 and 修改后 side by side, or only the values of a new record."""
        entry: LogEntry | None = current_record(self.view)
        if entry is None:
            self.details.setHtml("<p style='color:#8A8A8A'>选中一条记录，这里列出改动的每一项。</p>")
            return
        head = f"<b>{html.escape(entry.at)}　{html.escape(entry.account)}　{html.escape(entry.action)}</b>"
        head += f"　对象：{html.escape(entry.entity)}"
        if entry.entity_id is not None:
            head += f"（编号 {entry.entity_id}）"
        parts = [f"<p style='margin:0 0 4px 0'>{head}</p>"]
        if entry.note:
            parts.append(f"<p style='margin:0 0 4px 0'>{html.escape(entry.note)}</p>")
        if entry.changes:
            both = any(c.before and c.after for c in entry.changes) or all(c.before for c in entry.changes)
            cell = "style='padding:1px 12px 1px 0; vertical-align:top'"
            head_cell = "style='padding:1px 12px 1px 0; color:#6B6B6B; text-align:left'"
            titles = ("项目", "修改前", "修改后") if both else ("项目", "内容")
            rows = ["<tr>" + "".join(f"<th {head_cell}>{t}</th>" for t in titles) + "</tr>"]
            for c in entry.changes:
                values = (c.before or "", c.after or "") if both else (c.after or c.before,)
                rows.append(
                    f"<tr><td {cell}>{html.escape(c.label)}</td>"
                    + "".join(f"<td {cell}>{html.escape(v)}</td>" for v in values)
                    + "</tr>"
                )
            parts.append("<table cellspacing='0'>" + "".join(rows) + "</table>")
        elif not entry.note:
            parts.append("<p style='color:#8A8A8A'>这条记录没有字段改动。</p>")
        self.details.setHtml("".join(parts))

    # ------------------------------------------------------------ export
    def filters_text(self) -> str:
        parts = [c.currentText() for c in (self.account_combo, self.entity_combo, self.action_combo)
                 if c.currentIndex() > 0]  # fmt: skip
        start, end = _day(self.date_from), _day(self.date_to)
        if start or end:
            parts.append(f"{start or '不限'} 至 {end or '不限'}")
        if self.filter_bar.text().strip():
            parts.append(f"搜索「{self.filter_bar.text().strip()}」")
        return "，".join(parts)

    def suggested_path(self) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        return Path(folder) / f"操作日志-{self.today():%Y%m%d}.xlsx"

    def export(self) -> workers.Task | None:
        entries = self.model.shown_rows()
        if not entries:
            dialogs.inform(self, "导出操作日志", "没有可导出的记录。请先清除筛选。")
            return None
        path, _ = QFileDialog.getSaveFileName(self, "导出操作日志", str(self.suggested_path()), "Excel 文件 (*.xlsx)")
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")

        def finished(written: Path) -> None:
            dialogs.inform(self, "导出完成", f"已导出 {len(entries):,} 条操作日志到：\n{written}")

        from reports.audit_export import write_audit_workbook  # openpyxl: imported at the first export

        worker = workers.Worker(write_audit_workbook, target, list(entries), filters=self.filters_text())
        return workers.run_with_progress(
            self, worker, title="导出操作日志", label="正在导出操作日志…", on_result=finished, cancellable=False
        )

