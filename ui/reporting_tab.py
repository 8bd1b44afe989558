"""双报到 tab: 在职党员到居住地社区报到 and the 三单制 orders.

- A summary line of this year's figures (`services.reporting.quarter_figures`, the same
  numbers as `stats --json` and the quarterly report).
- 报到党员: search (name, unit, estate, skills, posts), filters (社区, 单位类型, 状态);
  登记报到, 修改, 反馈单 (a PDF letter to the member's unit with this year's services),
  导出名册 (Excel).
- 三单制服务单: search, filters (状态, 社区); 居民点单, then on the selected order the step
  its state allows: 支部下单, 党员接单, 完成, 取消 (buttons enabled from the workflow's
  table, `vocab.ALLOWED`); 导出服务单 (Excel).

Signals: `statusChanged(str)`, `data_changed()` after a save. No query here: the tab
calls `services.reporting`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui import dialogs, workers
from ui.filter_bar import EmptyState, FilterBar
from ui.record_table_model import Column, RecordTableModel
from ui.reporting_dialogs import (
    AcceptDialog,
    AssignDialog,
    CancelDialog,
    CompleteDialog,
    OrderDialog,
    RegisterDialog,
)
from ui.table_view import current_id, fit_columns, make_table, select_ids
from wanghu_desk.services import reporting
from wanghu_desk.services.base import current_actor
from wanghu_desk.services.reporting import vocab

MEMBERS_EMPTY = "还没有在职党员报到登记。点击「登记报到」，或从「文件 → 导入」导入报到名册。"
ORDERS_EMPTY = "还没有服务单。居民有需求时点击「居民点单」登记。"
NO_MATCH = "没有符合条件的记录。按 Esc 清空搜索，或点「清除筛选」。"


def _minutes_text(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    return f"{hours}小时{rest}分" if hours and rest else (f"{hours}小时" if hours else f"{rest}分钟")


def member_columns() -> list[Column]:
    return [
        Column("name", "姓名", lambda r: r.name, sample="欧阳明华"),
        Column("work_unit", "工作单位", lambda r: r.work_unit, sample="合肥供电公司包河分公司", fit=True),
        Column("unit_kind", "单位类型", lambda r: r.unit_kind_label, sample="区直机关"),
        Column("unit_party_org", "单位党组织", lambda r: r.unit_party_org, sample="包河区财政局机关党委", fit=True),
        Column("community", "报到社区", lambda r: r.community, sample="望湖社区"),
        Column("estate", "居住小区", lambda r: r.estate, sample="望湖城北苑", fit=True),
        Column("reported_on", "报到日期", lambda r: r.reported_on, sample="2026-09-30"),
        Column("skills", "特长", lambda r: r.skills, sample="法律咨询、水电维修", tooltip=lambda r: r.skills or None),
        Column("posts", "认领岗位", lambda r: r.posts, sample="政策宣讲岗、关爱帮扶岗", tooltip=lambda r: r.posts or None),
        Column("orders_done", "本年服务次数", lambda r: r.orders_done, align="right", sample="99"),
        Column("minutes", "本年服务时长", lambda r: r.minutes, text=lambda r: _minutes_text(r.minutes), align="right",
               sample="12小时30分"),
        Column("status", "状态", lambda r: r.status_label, sample="已退出"),
    ]


def order_columns() -> list[Column]:
    return [
        Column("number", "编号", lambda r: r.number, sample="DD2026-0001"),
        Column("ordered_on", "点单日期", lambda r: r.ordered_on, sample="2026-09-30"),
        Column("category", "类别", lambda r: r.category, sample="助老助残"),
        Column("content", "居民需求", lambda r: r.content, sample="独居老人希望有人陪同去医院复查",
               tooltip=lambda r: r.content),
        Column("estate", "小区", lambda r: r.estate or r.community, sample="望湖城北苑"),
        Column("resident", "点单居民", lambda r: r.resident_name, sample="赵奶奶"),
        Column("branch", "下单支部", lambda r: r.branch, sample="望湖城北苑小区党支部", fit=True),
        Column("members", "接单党员", lambda r: r.members, sample="张三、李四", tooltip=lambda r: r.members or None),
        Column("state", "状态", lambda r: r.state_label, sample="党员已接单",
               alert=lambda r: r.state == "ordered"),
        Column("done_on", "完成日期", lambda r: r.done_on, sample="2026-09-30"),
        Column("minutes", "时长", lambda r: r.minutes, text=lambda r: _minutes_text(r.minutes), align="right",
               sample="2小时"),
        Column("evaluation", "评价", lambda r: r.evaluation_label, sample="基本满意"),
    ]


def _button(text: str, name: str, parent: QWidget, tip: str = "", *, primary: bool = False) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    if primary:
        button.setProperty("primary", True)
    return button


def ask_save_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> Path | None:
    """The save-file question (patched in tests). None when the clerk cancels."""
    from ui.volunteers_tab import ask_save_path as ask

    return ask(parent, title, suggested, file_filter)


class ReportingTab(QWidget):
    """The 双报到 tab; `refresh()` (re)loads it."""

    statusChanged = Signal(str)
    data_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("reportingTab")
        self.today = today
        self.current_dialog: QDialog | None = None
        self.last_task: workers.Task | None = None
        self._status = ""

        self.summary = QLabel(self)
        self.summary.setObjectName("reportingSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.pages = QTabWidget(self)
        self.pages.setObjectName("reportingPages")
        self.orders_page = self._build_orders_page()
        self.members_page = self._build_members_page()
        self.pages.addTab(self.orders_page, "三单制服务单")
        self.pages.addTab(self.members_page, "报到党员")
        self.pages.currentChanged.connect(lambda _i: self._emit_status())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.setSpacing(8)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages, 1)

    # ------------------------------------------------------------ pages
    def _build_members_page(self) -> QWidget:
        page = QWidget(self)
        bar = self.member_bar = FilterBar("reporting_members", "搜索姓名、工作单位、小区、特长、岗位（可用拼音首字母）", page,
                                          two_rows=True)
        bar.count_label.setVisible(False)
        self.member_community_filter = bar.add_combo("reportingCommunityFilter", [("全部社区", None)])
        self.unit_kind_filter = bar.add_combo("reportingUnitKindFilter", [("全部单位类型", "")] + [
            (label, code) for code, label in vocab.UNIT_KINDS.items()])
        self.member_status_filter = bar.add_combo("reportingStatusFilter", [("全部状态", "")] + [
            (label, code) for code, label in vocab.MEMBER_STATUSES.items()])
        for signal in (bar.filtersChanged, bar.cleared):
            signal.connect(self._apply_member_filters)
        bar.searchChanged.connect(lambda _t: self._apply_member_filters())
        self.register_button = _button("登记报到", "registerButton", page, "登记一名在职党员到居住地社区报到", primary=True)
        self.register_button.clicked.connect(lambda: self.register())
        self.edit_button = _button("修改", "editRegistrationButton", page, "修改选中党员的报到登记")
        self.edit_button.clicked.connect(lambda: self.edit_registration())
        self.letter_button = _button("反馈单", "letterButton", page, "给选中党员的工作单位出具本年度服务情况反馈单（PDF）")
        self.letter_button.clicked.connect(lambda: self.letter())
        self.member_export_button = _button("导出名册", "reportingMembersExportButton", page, "把报到党员名册导出为 Excel")
        self.member_export_button.clicked.connect(lambda: self.export_members())
        for i, b in enumerate((self.register_button, self.edit_button, self.letter_button, self.member_export_button)):
            bar.add_widget(b, spacing=8 if i == 0 else 0)
        self.member_model = RecordTableModel(member_columns(), self, search=lambda r: r.search_text,
                                             muted=lambda r: r.status != "active")
        self.member_view = make_table("reportingMemberTable", self.member_model, page)
        self.member_view.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_actions())
        self.member_view.doubleClicked.connect(lambda _i: self.edit_registration())
        self.member_empty = EmptyState(self.member_view, empty_text=MEMBERS_EMPTY, no_match=NO_MATCH,
                                       on_clear=bar.clear, name="reportingMemberEmpty")
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 8, 0, 0)
        column.addWidget(bar)
        column.addWidget(self.member_view, 1)
        return page

    def _build_orders_page(self) -> QWidget:
        page = QWidget(self)
        bar = self.order_bar = FilterBar("reporting_orders", "搜索编号、需求、居民、接单党员", page, two_rows=True)
        bar.count_label.setVisible(False)
        self.order_state_filter = bar.add_combo("orderStateFilter", [("全部状态", ""), ("未完成", "open")] + [
            (label, code) for code, label in vocab.STATES.items()])
        self.order_community_filter = bar.add_combo("orderCommunityFilter", [("全部社区", None)])
        for signal in (bar.filtersChanged, bar.cleared):
            signal.connect(self._apply_order_filters)
        bar.searchChanged.connect(lambda _t: self._apply_order_filters())
        self.order_button = _button("居民点单", "placeOrderButton", page, "登记居民的一项服务需求", primary=True)
        self.order_button.clicked.connect(lambda: self.place_order())
        self.assign_button = _button("支部下单", "assignButton", page, "由支部把选中的服务单派给报到党员")
        self.assign_button.clicked.connect(lambda: self.step("assign"))
        self.accept_button = _button("党员接单", "acceptButton", page, "记录党员接受了派单")
        self.accept_button.clicked.connect(lambda: self.step("accept"))
        self.complete_button = _button("完成", "completeButton", page, "服务完成：时长和居民评价")
        self.complete_button.clicked.connect(lambda: self.step("complete"))
        self.cancel_button = _button("取消", "cancelOrderButton", page, "居民需求已不存在时取消服务单")
        self.cancel_button.clicked.connect(lambda: self.step("cancel"))
        self.order_export_button = _button("导出服务单", "ordersExportButton", page, "把服务单导出为 Excel")
        self.order_export_button.clicked.connect(lambda: self.export_orders())
        for i, b in enumerate((self.order_button, self.assign_button, self.accept_button, self.complete_button,
                               self.cancel_button, self.order_export_button)):
            bar.add_widget(b, spacing=8 if i == 0 else 0)
        self.order_model = RecordTableModel(order_columns(), self, search=lambda r: r.search_text,
                                            muted=lambda r: r.state in ("done", "cancelled"))
        self.order_view = make_table("reportingOrderTable", self.order_model, page)
        self.order_view.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_actions())
        self.order_empty = EmptyState(self.order_view, empty_text=ORDERS_EMPTY, no_match=NO_MATCH,
                                      on_clear=bar.clear, name="reportingOrderEmpty")
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 8, 0, 0)
        column.addWidget(bar)
        column.addWidget(self.order_view, 1)
        return page

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        year = self.today().year
        keep_m, keep_o = current_id(self.member_view), current_id(self.order_view)
        communities, _estates = reporting.place_choices()
        for combo in (self.member_community_filter, self.order_community_filter):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("全部社区", None)
            for _cid, name in communities:
                combo.addItem(name, name)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
            combo.blockSignals(False)
        self.member_model.set_rows(reporting.list_members(year))
        self.order_model.set_rows(reporting.list_orders(year))
        self._apply_member_filters(keep_m)
        self._apply_order_filters(keep_o)
        fit_columns(self.member_view)
        fit_columns(self.order_view)
        self._show_summary()
        self._emit_status()

    def _show_summary(self) -> None:
        today = self.today()
        f = reporting.quarter_figures(dt.date(today.year, 1, 1), today)
        gap = "&nbsp;&nbsp;&nbsp;&nbsp;"
        parts = [
            f"在册报到党员 <b>{f.reporting_members:,}</b> 名（{today.year}年新报到 {f.newly_reported:,} 名）",
            f"{today.year}年居民点单 <b>{f.orders_placed:,}</b> 件",
            f"完成 <b>{f.orders_done:,}</b> 件",
            f"服务 <b>{f.services:,}</b> 人次、{_minutes_text(f.minutes) or '0小时'}",
            f"满意率 <b>{f.satisfaction_rate}</b>",
        ]
        if f.by_state.get("ordered"):
            parts.append(f"<span style='color:#C8161D'>待下单 <b>{f.by_state['ordered']}</b> 件</span>")
        self.summary.setText(gap.join(parts))

    def _apply_member_filters(self, keep: Any = None) -> None:
        keep = keep if keep is not None else current_id(self.member_view)
        community = self.member_community_filter.currentData()
        kind = self.unit_kind_filter.currentData()
        status = self.member_status_filter.currentData()
        self.member_model.set_search(self.member_bar.text())
        self.member_model.set_predicate(None if not (community or kind or status) else (
            lambda r: (not community or r.community == community) and (not kind or r.unit_kind == kind)
            and (not status or r.status == status)))
        if keep is not None:
            select_ids(self.member_view, [keep], keep)
        self.member_empty.update()
        self._emit_status()

    def _apply_order_filters(self, keep: Any = None) -> None:
        keep = keep if keep is not None else current_id(self.order_view)
        state = self.order_state_filter.currentData()
        community = self.order_community_filter.currentData()
        self.order_model.set_search(self.order_bar.text())
        self.order_model.set_predicate(None if not (state or community) else (
            lambda r: (not state or r.state == state or state == "open" and r.state in vocab.OPEN_STATES)
            and (not community or r.community == community)))
        if keep is not None:
            select_ids(self.order_view, [keep], keep)
        self.order_empty.update()
        self._emit_status()

    def count_text(self) -> str:
        if self.pages.currentWidget() is self.members_page:
            total, shown = self.member_model.total_count, self.member_model.shown_count
            return "还没有报到党员" if total == 0 else f"共 {total:,} 名报到党员，显示 {shown:,} 名"
        total, shown = self.order_model.total_count, self.order_model.shown_count
        if total == 0:
            return "本年还没有服务单"
        waiting = sum(1 for r in self.order_model.shown_rows() if r.state in vocab.OPEN_STATES)
        return f"本年共 {total:,} 张服务单，显示 {shown:,} 张" + (f"，其中未完成 {waiting:,} 张" if waiting else "")

    def _emit_status(self) -> None:
        self._status = self.count_text()
        self.statusChanged.emit(self._status)
        self._update_actions()

    def status_text(self) -> str:
        return self._status

    # ------------------------------------------------------------ selection
    def current_member(self) -> reporting.ReportingMemberRow | None:
        return self._current(self.member_view, self.member_model)

    def current_order(self) -> reporting.OrderRow | None:
        return self._current(self.order_view, self.order_model)

    @staticmethod
    def _current(view, model) -> Any:
        row_id = current_id(view)
        if row_id is None:
            return None
        at = model.row_of(row_id)
        return model.row_at(at) if at >= 0 else None

    def _update_actions(self) -> None:
        if not hasattr(self, "member_view"):
            return
        write = current_actor().can_write
        member, order = self.current_member(), self.current_order()
        self.register_button.setEnabled(write)
        self.edit_button.setEnabled(write and member is not None and member.status == "active")
        self.letter_button.setEnabled(member is not None)
        self.order_button.setEnabled(write)
        allowed = reporting.allowed_steps(order.state) if order is not None else ()
        for step, button in (("assign", self.assign_button), ("accept", self.accept_button),
                             ("complete", self.complete_button), ("cancel", self.cancel_button)):
            button.setEnabled(write and step in allowed)

    def select_order(self, order_id: int) -> None:
        self.pages.setCurrentWidget(self.orders_page)
        if self.order_model.row_of(order_id) < 0:
            self.order_bar.reset_silently()
            self._apply_order_filters()
        select_ids(self.order_view, [order_id], order_id)
        self._update_actions()

    def select_member(self, registration_id: int) -> None:
        self.pages.setCurrentWidget(self.members_page)
        if self.member_model.row_of(registration_id) < 0:
            self.member_bar.reset_silently()
            self._apply_member_filters()
        select_ids(self.member_view, [registration_id], registration_id)
        self._update_actions()

    # ------------------------------------------------------------ actions
    def _open(self, dialog: QDialog, on_saved: Callable[[int], None]) -> QDialog:
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(on_saved)  # type: ignore[attr-defined]
        dialog.finished.connect(lambda _r: self._closed(dialog))
        dialog.open()
        return dialog

    def _closed(self, dialog: QDialog) -> None:
        if self.current_dialog is dialog:
            self.current_dialog = None

    def _order_saved(self, order_id: int) -> None:
        self.reload()
        self.select_order(order_id)
        self.data_changed.emit()

    def _member_saved(self, registration_id: int) -> None:
        self.reload()
        self.select_member(registration_id)
        self.data_changed.emit()

    def register(self) -> QDialog | None:
        if not current_actor().can_write:
            return None
        return self._open(RegisterDialog(self, today=self.today()), self._member_saved)

    def edit_registration(self) -> QDialog | None:
        row = self.current_member()
        if row is None or row.status != "active" or not current_actor().can_write:
            return None
        return self._open(RegisterDialog(self, registration_id=row.id, today=self.today()), self._member_saved)

    def place_order(self) -> QDialog | None:
        if not current_actor().can_write:
            return None
        return self._open(OrderDialog(self, today=self.today()), self._order_saved)

    def step(self, step: str) -> QDialog | None:
        """支部下单 / 党员接单 / 完成 / 取消 on the selected order, when its state allows it."""
        row = self.current_order()
        if row is None or not current_actor().can_write or step not in reporting.allowed_steps(row.state):
            return None
        cls = {"assign": AssignDialog, "accept": AcceptDialog, "complete": CompleteDialog, "cancel": CancelDialog}[step]
        return self._open(cls(self, order_id=row.id, today=self.today()), self._order_saved)

    def letter(self) -> workers.Task | None:
        """反馈单 of the selected member for this year (PDF)."""
        row = self.current_member()
        if row is None:
            return None
        from reports import reporting_letter

        year = self.today().year
        path = ask_save_path(self, "保存反馈单", reporting_letter.default_filename(row.name, year), "PDF 文件 (*.pdf)")
        if path is None:
            return None
        worker = workers.Worker(reporting_letter.write_letter, path, row.member_id, year, today=self.today())
        self.last_task = workers.run_with_progress(
            self, worker, title="反馈单", label="正在生成反馈单…", cancellable=False,
            on_result=lambda written: self._offer_open(written, "已生成反馈单"))
        return self.last_task

    def export_members(self) -> workers.Task | None:
        return self._export("members", "在职党员报到名册")

    def export_orders(self) -> workers.Task | None:
        return self._export("orders", "三单制服务单")

    def _export(self, what: str, label: str) -> workers.Task | None:
        from reports import reporting_export

        year = self.today().year
        path = ask_save_path(self, f"导出{label}", f"{label}-{self.today():%Y%m%d}.xlsx", "Excel 文件 (*.xlsx)")
        if path is None:
            return None
        steps = reporting_export.members_workbook_steps if what == "members" else reporting_export.orders_workbook_steps
        worker = workers.Worker(steps, path, year=year)
        self.last_task = workers.run_with_progress(
            self, worker, title=f"导出{label}", label="正在导出…",
            on_result=lambda result: self._offer_open(result.path, f"已导出 {result.rows:,} 条{label}"))
        return self.last_task

    def _offer_open(self, path: Path, text: str) -> None:
        if dialogs.ask(self, "完成", f"{text}：\n{path}", ok_text="打开文件", cancel_text="关闭"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


__all__ = ["ReportingTab", "member_columns", "order_columns"]
