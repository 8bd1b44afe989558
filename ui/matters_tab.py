"""事项 tab: the residents' matters (社情民意, 议事协商, 矛盾调解, 扫码报事, 微心愿).

- A summary line of this year's figures (from `services.matters.figures`, the same
  numbers as the dashboard and the quarterly report).
- 事项台账: search (number, content, name, estate, pinyin initials), filters (kind,
  state, level, overdue, period); a detail pane with the fields and the timeline of
  steps and escalations (undone steps struck through); 办理下一步 opens the form of the
  step due next (六事 for 议事协商, 受理→办结 for the others, 收集→认领→完成 for 微心愿),
  上报, 重新打开 (admin only), 记录单 (PDF of a deliberation), 导出台账 (Excel, the kind
  of the 类型 filter or every kind; full phones for administrators only).
- 微心愿看板: three columns, 待认领 / 已认领 / 已完成, with the claimant shown; 认领 and
  完成 open the step form.

Signals: `statusChanged(str)`, `data_changed()` after a save. No query here: the tab
calls `services.matters`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, workers
from ui.filter_bar import EmptyState, FilterBar
from ui.matter_dialogs import EscalateDialog, MatterDialog, ReopenDialog, StepDialog
from ui.record_table_model import Column, RecordTableModel
from ui.table_view import current_id, fit_columns, make_table, select_ids
from wanghu_desk.services import matters
from wanghu_desk.services.base import current_actor
from wanghu_desk.services.matters import vocab

EMPTY_TEXT = "还没有居民事项。点击「登记事项」，或从「文件 → 导入」导入扫码平台、12345 导出的工单。"
NO_MATCH = "没有符合条件的事项。按 Esc 清空搜索，或点「清除筛选」。"

STATES = [("全部状态", ""), ("未办结", "open"), ("已办结", "closed")]
OVERDUE = [("是否逾期：全部", ""), ("只看逾期未办结", "overdue"), ("逾期办结", "late")]
PERIODS = [("全部日期", ""), ("本年", "year"), ("本季度", "quarter"), ("上季度", "last_quarter"), ("近 30 天", "30")]


def _period(code: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    if code == "year":
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    if code in ("quarter", "last_quarter"):
        q = (today.month - 1) // 3
        year = today.year
        if code == "last_quarter":
            q -= 1
            if q < 0:
                q, year = 3, year - 1
        start = dt.date(year, 3 * q + 1, 1)
        end = dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1)
        return start, end
    if code == "30":
        return today - dt.timedelta(days=29), today
    return None


def matter_columns() -> list[Column]:
    return [
        Column("number", "编号", lambda r: r.number, sample="SM2026-0001"),
        Column("kind", "类型", lambda r: r.kind_label, sample="扫码报事"),
        Column("category", "类别", lambda r: r.category, sample="非机动车停放与充电"),
        Column("estate", "小区", lambda r: r.estate, sample="望湖城北苑", fit=True),
        Column("raiser", "反映人", lambda r: r.raiser_name, sample="张三丰"),
        Column("content", "事项内容", lambda r: r.content, sample="3栋楼道声控灯不亮", tooltip=lambda r: r.content),
        Column("received_on", "受理日期", lambda r: r.received_on, sample="2026-09-30"),
        Column("deadline_on", "办结时限", lambda r: r.deadline_on, sample="2026-09-30", alert=lambda r: r.overdue,
               tooltip=lambda r: "已超过办结时限，尚未办结" if r.overdue else ("超时办结" if r.late else None)),
        Column("level", "层级", lambda r: r.level_label, sample="社区", align="center"),
        Column("state", "状态", lambda r: r.state_label, sample="已评事", alert=lambda r: r.overdue),
        Column("closed_on", "办结日期", lambda r: r.closed_on, sample="2026-09-30"),
        Column("evaluation", "评价", lambda r: r.evaluation_label, sample="基本满意"),
    ]


def wish_columns(state: str = "claim") -> list[Column]:
    """The columns of one board column: what the wish is, where, and who claimed it."""
    wish = Column("content", "心愿", lambda r: r.content, sample="独居老人想要一台电风扇",
                  tooltip=lambda r: f"{r.number}　{r.content}")
    estate = Column("estate", "小区", lambda r: r.estate, sample="望湖城北苑")
    claimant = Column("claimant", "认领方", lambda r: r.claimant, sample="包河区城管局（共建单位）",
                      tooltip=lambda r: r.claimant or None)
    if state == "collect":
        return [wish, estate, Column("received_on", "登记日期", lambda r: r.received_on, sample="2026-09-30")]
    if state == "claim":
        return [wish, estate, claimant]
    return [wish, claimant, Column("closed_on", "完成日期", lambda r: r.closed_on, sample="2026-09-30")]


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


class MattersTab(QWidget):
    """The 事项 tab; `refresh()` (re)loads it."""

    statusChanged = Signal(str)
    data_changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("mattersTab")
        self.today = today
        self.current_dialog: QDialog | None = None
        self.last_task: workers.Task | None = None
        self._status = ""
        self._rows: list[matters.MatterRow] = []

        self.summary = QLabel(self)
        self.summary.setObjectName("matterSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.pages = QTabWidget(self)
        self.pages.setObjectName("matterPages")
        self.list_page = self._build_list_page()
        self.board_page = self._build_board()
        self.pages.addTab(self.list_page, "事项台账")
        self.pages.addTab(self.board_page, "微心愿看板")
        self.pages.currentChanged.connect(lambda _i: self._emit_status())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.setSpacing(8)
        layout.addWidget(self.summary)
        layout.addWidget(self.pages, 1)

    # ------------------------------------------------------------ the list
    def _build_list_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("matterListPage")
        bar = self.filter_bar = FilterBar("matters", "搜索编号、内容、反映人、小区（可用拼音首字母）", page, two_rows=True)
        bar.count_label.setVisible(False)
        self.kind_filter = bar.add_combo("matterKindFilter", [("全部类型", "")] + [
            (label, code) for code, label in vocab.KINDS.items()])
        self.state_filter = bar.add_combo("matterStateFilter", STATES)
        self.level_filter = bar.add_combo("matterLevelFilter", [("全部层级", "")] + [
            (f"{label}层面", code) for code, label in vocab.LEVELS.items()])
        self.overdue_filter = bar.add_combo("matterOverdueFilter", OVERDUE)
        self.period_filter = bar.add_combo("matterPeriodFilter", PERIODS)
        bar.searchChanged.connect(lambda _t: self._apply_filters())
        bar.filtersChanged.connect(self._apply_filters)
        bar.cleared.connect(self._apply_filters)

        self.new_button = _button("登记事项", "newMatterButton", page, "登记一件居民事项", primary=True)
        self.new_button.clicked.connect(lambda: self.new_matter())
        self.step_button = _button("办理下一步", "matterStepButton", page, "按顺序办理下一步（不能跳过）")
        self.step_button.clicked.connect(lambda: self.next_step())
        self.escalate_button = _button("上报", "matterEscalateButton", page, "上报到社区或街道")
        self.escalate_button.clicked.connect(lambda: self.escalate())
        self.reopen_button = _button("重新打开", "matterReopenButton", page, "撤回最后一步（仅管理员，记入操作日志）")
        self.reopen_button.clicked.connect(lambda: self.reopen())
        self.sheet_button = _button("记录单", "matterSheetButton", page, "生成议事协商记录单（PDF）")
        self.sheet_button.clicked.connect(lambda: self.record_sheet())
        self.export_button = _button("导出台账", "matterExportButton", page,
                                     "把事项台账导出为 Excel（按「类型」筛选时只导出这一类，否则每类一张工作表）")
        export_menu = QMenu(self.export_button)
        export_menu.addAction("导出台账（电话号码部分隐藏）…", lambda: self.export_register())
        self.unmasked_export_action = export_menu.addAction("导出台账（完整电话号码，仅管理员）…",
                                                            lambda: self.export_register(unmasked=True))
        export_menu.aboutToShow.connect(
            lambda: self.unmasked_export_action.setEnabled(current_actor().may_see_id_numbers))
        self.export_button.setMenu(export_menu)
        for i, b in enumerate((self.new_button, self.step_button, self.escalate_button, self.reopen_button,
                               self.sheet_button, self.export_button)):
            bar.add_widget(b, spacing=8 if i == 0 else 0)

        self.model = RecordTableModel(matter_columns(), self, search=lambda r: r.search_text,
                                      muted=lambda r: r.closed and not r.late)
        self.view = make_table("matterTable", self.model, page)
        self.view.selectionModel().selectionChanged.connect(lambda _s, _d: self._show_detail())
        self.view.doubleClicked.connect(lambda _i: self.next_step())
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.empty = EmptyState(self.view, empty_text=EMPTY_TEXT, no_match=NO_MATCH, on_clear=bar.clear,
                                name="matterEmpty")

        self.detail = QLabel(page)
        self.detail.setObjectName("matterDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setContentsMargins(12, 8, 12, 8)
        scroll = QScrollArea(page)
        scroll.setObjectName("matterDetailScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setWidget(self.detail)
        scroll.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 22)

        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        splitter.setObjectName("matterSplitter")
        splitter.addWidget(self.view)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([640, 360])  # weights: the detail pane with its timeline gets about a third
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 8, 0, 0)
        column.setSpacing(8)
        column.addWidget(bar)
        column.addWidget(splitter, 1)
        return page

    # ------------------------------------------------------------ the board
    def _build_board(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("wishBoard")
        bar = self.board_bar = FilterBar("wishes", "搜索心愿、小区、认领方", page, delay_ms=0)
        bar.count_label.setVisible(False)
        bar.searchChanged.connect(lambda _t: self._fill_board())
        self.new_wish_button = _button("登记心愿", "newWishButton", page, primary=True)
        self.new_wish_button.clicked.connect(lambda: self.new_matter(kind="wish"))
        self.claim_button = _button("认领…", "claimWishButton", page, "由党员、共建单位或志愿服务队认领选中的心愿")
        self.claim_button.clicked.connect(lambda: self.board_step("collect"))
        self.fulfil_button = _button("完成…", "fulfilWishButton", page, "选中的心愿已经实现")
        self.fulfil_button.clicked.connect(lambda: self.board_step("claim"))
        for i, b in enumerate((self.new_wish_button, self.claim_button, self.fulfil_button)):
            bar.add_widget(b, spacing=8 if i == 0 else 0)
        columns = QHBoxLayout()
        columns.setSpacing(10)
        self.board_models: dict[str, RecordTableModel] = {}
        self.board_views: dict[str, QTableView] = {}
        self.board_titles: dict[str, QLabel] = {}
        for state, title in vocab.BOARD_COLUMNS:
            box = QVBoxLayout()
            box.setSpacing(4)
            label = QLabel(title, page)
            label.setObjectName(f"wishColumnTitle_{state}")
            label.setProperty("role", "heading")
            model = RecordTableModel(wish_columns(state), page, search=lambda r: r.search_text)
            view = make_table(f"wishTable_{state}", model, page, multi=False, stretch_first=True)
            view.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_actions())
            view.doubleClicked.connect(lambda _i, s=state: self.board_step(s))
            EmptyState(view, empty_text="（没有）", no_match="没有符合条件的心愿。", name=f"wishEmpty_{state}")
            box.addWidget(label)
            box.addWidget(view, 1)
            columns.addLayout(box, 1)
            self.board_models[state], self.board_views[state], self.board_titles[state] = model, view, label
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 8, 0, 0)
        column.setSpacing(8)
        column.addWidget(bar)
        column.addLayout(columns, 1)
        return page

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        today = self.today()
        keep = current_id(self.view)
        self._rows = matters.list_matters(today=today)
        self.model.set_rows(self._rows)
        self._apply_filters(keep=keep)
        fit_columns(self.view)
        self._fill_board()
        self._show_summary()
        self._emit_status()

    def _show_summary(self) -> None:
        today = self.today()
        f = matters.year_figures(today.year, today=today)
        t = f.total
        self.figures = f
        gap = "&nbsp;&nbsp;&nbsp;&nbsp;"
        settled = t.settled
        levels = "，".join(f"{vocab.LEVELS[lv]} {t.level_share(lv)}" for lv in vocab.LEVEL_ORDER)
        parts = [
            f"{today.year}年受理 <b>{t.received:,}</b> 件",
            f"办结 <b>{settled:,}</b> 件",
            f"按时办结率 <b>{t.on_time_rate}</b>",
            f"满意率 <b>{t.satisfaction_rate}</b>",
            f"办结层级：{levels}",
        ]
        if t.overdue_open:
            parts.append(f"<span style='color:#C8161D'>逾期未办结 <b>{t.overdue_open}</b> 件</span>")
        self.summary.setText(gap.join(parts))

    def _predicate(self) -> Callable[[matters.MatterRow], bool] | None:
        kind = self.kind_filter.currentData()
        state = self.state_filter.currentData()
        level = self.level_filter.currentData()
        overdue = self.overdue_filter.currentData()
        period = _period(self.period_filter.currentData() or "", self.today())
        if not (kind or state or level or overdue or period):
            return None

        def keep(r: matters.MatterRow) -> bool:
            if kind and r.kind != kind:
                return False
            if state == "open" and r.closed or state == "closed" and not r.closed:
                return False
            if level and r.level != level:
                return False
            if overdue == "overdue" and not r.overdue or overdue == "late" and not r.late:
                return False
            return not (period and not period[0] <= r.received_on <= period[1])

        return keep

    def _apply_filters(self, keep: Any = None) -> None:
        keep = keep if keep is not None else current_id(self.view)
        self.model.set_search(self.filter_bar.text())
        self.model.set_predicate(self._predicate())
        if keep is not None:
            select_ids(self.view, [keep], keep)
        self.empty.update()
        self._show_detail()
        self._emit_status()

    def _fill_board(self) -> None:
        wishes = [r for r in self._rows if r.kind == "wish"]
        text = self.board_bar.text()
        for state, title in vocab.BOARD_COLUMNS:
            model = self.board_models[state]
            model.set_rows([r for r in wishes if r.state == state])
            model.set_search(text)
            shown, total = model.shown_count, model.total_count
            self.board_titles[state].setText(f"{title}（{shown:,}）" if shown == total else
                                             f"{title}（{shown:,} / {total:,}）")
        self._update_actions()

    def count_text(self) -> str:
        if self.pages.currentWidget() is self.board_page:
            n = {s: self.board_models[s].total_count for s, _t in vocab.BOARD_COLUMNS}
            return f"微心愿：待认领 {n['collect']:,} 个，已认领 {n['claim']:,} 个，已完成 {n['fulfil']:,} 个"
        total, shown = self.model.total_count, self.model.shown_count
        if total == 0:
            return "还没有居民事项"
        overdue = sum(1 for r in self.model.shown_rows() if r.overdue)
        text = f"共 {total:,} 件事项，显示 {shown:,} 件"
        return text + (f"，其中逾期未办结 {overdue:,} 件" if overdue else "")

    def _emit_status(self) -> None:
        self._status = self.count_text()
        self.statusChanged.emit(self._status)
        self._update_actions()

    def status_text(self) -> str:
        return self._status

    # ------------------------------------------------------------ detail
    def current_row(self) -> matters.MatterRow | None:
        row_id = current_id(self.view)
        if row_id is None:
            return None
        at = self.model.row_of(row_id)
        return self.model.row_at(at) if at >= 0 else None

    def _show_detail(self) -> None:
        row = self.current_row()
        if row is None:
            self.detail.setText("<p style='color:#8A8A8A'>选中一件事项，这里显示它的详情和办理记录。</p>")
            self._update_actions()
            return
        detail = matters.matter_detail(row.id, today=self.today())
        self.current_detail = detail
        r = detail.row
        fields = [
            ("编号", r.number + (f"（工单 {r.external_no}）" if r.external_no else "")),
            ("类型", r.kind_label + (f" · {r.category}" if r.category else "")),
            ("来源", r.source_label),
            ("地点", " ".join(p for p in (r.estate, r.building, r.grid) if p)),
            ("反映人", " ".join(p for p in (r.raiser_name, r.raiser_phone) if p)),
            ("受理日期", r.received_on.isoformat()),
            ("办结时限", (r.deadline_on.isoformat() if r.deadline_on else "") +
             (" <span style='color:#C8161D'>已逾期</span>" if r.overdue else "") +
             (" <span style='color:#A35F00'>超时办结</span>" if r.late else "")),
            ("办理层级", r.level_label),
            ("状态", r.state_label + (f"（{r.closed_on.isoformat()}）" if r.closed_on else "")),
            ("承办", r.handler),
            ("认领方", r.claimant),
            ("结果", r.result),
            ("评价", r.evaluation_label),
        ]
        rows = "".join(
            f"<tr><td style='color:#6B6B6B; padding-right:10px; white-space:nowrap'>{escape(k)}</td>"
            f"<td>{v if k == '办结时限' else escape(v)}</td></tr>" for k, v in fields if v)
        steps = []
        for e in detail.timeline:
            text = "<br/>".join(escape(line) for line in e.text.splitlines())
            title = escape(e.title)
            if e.undone:
                title = f"<s>{title}</s> <span style='color:#8A8A8A'>（已撤回：{escape(e.undone_reason)}）</span>"
            elif e.kind == "escalation":
                title = f"<span style='color:#A35F00'>{title}</span>"
            steps.append(f"<tr><td style='color:#6B6B6B; padding-right:10px; white-space:nowrap; vertical-align:top'>"
                         f"{e.on.isoformat()}</td><td><b>{title}</b>"
                         + (f"<br/><span style='color:#4A4A4A'>{text}</span>" if text else "") + "</td></tr>")
        due = detail.next_step
        nxt = (f"<p>下一步：<b>{escape(due.label)}</b></p>" if due else "<p style='color:#2E6B30'>已办结。</p>")
        self.detail.setText(
            f"<p style='font-size:11pt'><b>{escape(r.content)}</b></p><table cellspacing='2'>{rows}</table>"
            f"<p style='margin-top:10px'><b>办理记录</b></p><table cellspacing='4'>{''.join(steps)}</table>{nxt}")
        self._update_actions()

    def _update_actions(self) -> None:
        if not hasattr(self, "sheet_button"):
            return
        write = current_actor().can_write
        row = self.current_row()
        self.new_button.setEnabled(write)
        self.new_wish_button.setEnabled(write)
        is_open = row is not None and not row.closed
        self.step_button.setEnabled(write and is_open)
        self.escalate_button.setEnabled(write and is_open and row.level != "street" and row.kind != "wish")
        self.reopen_button.setEnabled(current_actor().is_admin and row is not None and row.state != (
            vocab.steps_of(row.kind)[0].code))
        self.reopen_button.setVisible(current_actor().is_admin)
        self.sheet_button.setEnabled(row is not None and row.kind == "deliberation")
        if hasattr(self, "board_views"):
            self.claim_button.setEnabled(write and current_id(self.board_views["collect"]) is not None)
            self.fulfil_button.setEnabled(write and current_id(self.board_views["claim"]) is not None)
            if row is not None and due_label(row):
                self.step_button.setText(f"办理下一步：{due_label(row)}")
            else:
                self.step_button.setText("办理下一步")

    # ------------------------------------------------------------ navigation
    def show_overdue(self) -> None:
        """The dashboard's reminder: every open matter past its deadline."""
        self.pages.setCurrentWidget(self.list_page)
        self.filter_bar.reset_silently()
        self.overdue_filter.setCurrentIndex(self.overdue_filter.findData("overdue"))
        self._apply_filters()

    def select_matter(self, matter_id: int) -> None:
        if self.model.row_of(matter_id) < 0:
            self.filter_bar.reset_silently()
            self._apply_filters()
        select_ids(self.view, [matter_id], matter_id)
        self._show_detail()

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

    def _saved(self, matter_id: int) -> None:
        self.reload()
        self.select_matter(matter_id)
        self.data_changed.emit()

    def new_matter(self, kind: str | None = None) -> QDialog | None:
        if not current_actor().can_write:
            return None
        if kind is None:
            kind = self.kind_filter.currentData() or None
        return self._open(MatterDialog(self, kind=kind, today=self.today()), self._saved)

    def next_step(self, matter_id: int | None = None) -> QDialog | None:
        row = self.current_row() if matter_id is None else matters.matter_row(matter_id, today=self.today())
        if row is None or row.closed or not current_actor().can_write:
            return None
        return self._open(StepDialog(self, matter_id=row.id, today=self.today()), self._saved)

    def escalate(self) -> QDialog | None:
        row = self.current_row()
        if row is None or row.closed or row.level == "street" or not current_actor().can_write:
            return None
        return self._open(EscalateDialog(self, matter_id=row.id, today=self.today()), self._saved)

    def reopen(self) -> QDialog | None:
        row = self.current_row()
        if row is None or not current_actor().is_admin:
            return None
        return self._open(ReopenDialog(self, matter_id=row.id, today=self.today()), self._saved)

    def board_step(self, state: str) -> QDialog | None:
        """认领 (from 待认领) or 完成 (from 已认领) the selected wish."""
        if state not in ("collect", "claim"):
            return None
        wish_id = current_id(self.board_views[state])
        if wish_id is None or not current_actor().can_write:
            return None
        return self._open(StepDialog(self, matter_id=wish_id, today=self.today()), self._board_saved)

    def _board_saved(self, wish_id: int) -> None:
        self.reload()
        row = next((r for r in self._rows if r.id == wish_id), None)
        if row is not None:
            select_ids(self.board_views[row.state], [wish_id], wish_id)
        self.data_changed.emit()

    def record_sheet(self) -> workers.Task | None:
        row = self.current_row()
        if row is None or row.kind != "deliberation":
            return None
        from reports import matters_record_sheet

        path = ask_save_path(self, "保存议事协商记录单", matters_record_sheet.default_filename(row.number),
                             "PDF 文件 (*.pdf)")
        if path is None:
            return None
        worker = workers.Worker(matters_record_sheet.write_record_sheet, path, row.id, today=self.today())
        self.last_task = workers.run_with_progress(
            self, worker, title="议事协商记录单", label="正在生成记录单…", cancellable=False,
            on_result=lambda written: self._offer_open(written, "已生成记录单"))
        return self.last_task

    def export_register(self, *, unmasked: bool = False) -> workers.Task | None:
        """导出台账: the kind chosen in the 类型 filter (else every kind, a sheet each) to
        Excel; full phones only for an administrator who asks (audited)."""
        from reports import matters_export

        kind = self.kind_filter.currentData() or None
        label = vocab.KINDS[kind] if kind else "居民事项"
        path = ask_save_path(self, "导出事项台账", f"{label}台账-{self.today():%Y%m%d}.xlsx", "Excel 文件 (*.xlsx)")
        if path is None:
            return None
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")

        def done(result: Any) -> None:
            self._offer_open(result.path, f"已导出 {result.rows:,} 件{label}台账")

        worker = workers.Worker(matters_export.matters_workbook_steps, path, matter_kind=kind, unmasked=unmasked,
                                today=self.today())
        self.last_task = workers.run_with_progress(self, worker, title="导出事项台账", label="正在导出…",
                                                   on_result=done)
        return self.last_task

    def _offer_open(self, path: Path, text: str) -> None:
        if dialogs.ask(self, "完成", f"{text}：\n{path}", ok_text="打开文件", cancel_text="关闭"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _context_menu(self, pos: QPoint) -> None:
        index: QModelIndex = self.view.indexAt(pos)
        menu = QMenu(self)
        write = current_actor().can_write
        menu.addAction("登记事项…", self.new_matter).setEnabled(write)
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is not None:
            select_ids(self.view, [row.id], row.id)
            label = due_label(row)
            menu.addAction(f"办理下一步：{label}…" if label else "已办结", self.next_step).setEnabled(
                write and not row.closed)
            menu.addAction("上报…", self.escalate).setEnabled(write and not row.closed and row.level != "street"
                                                             and row.kind != "wish")
            if current_actor().is_admin:
                menu.addAction("重新打开…", self.reopen)
            if row.kind == "deliberation":
                menu.addAction("议事协商记录单（PDF）…", self.record_sheet)
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()


def due_label(row: matters.MatterRow) -> str:
    spec = vocab.next_step(row.kind, row.state)
    return spec.label if spec else ""


__all__ = ["MattersTab", "due_label", "matter_columns", "wish_columns"]
