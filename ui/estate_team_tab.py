"""小区治理团队（1+X）: per estate, the governance team — 党建指导员, 党组织书记, 红色小管家,
大学生社区小管家, 楼栋长, 业委会 and 物业 contacts — with the counts over the whole
sub-district (the demo: 29 instructors, 52 red stewards, 28 student stewards), and the
seats of the selected estate to add, edit or vacate.

Used as a page of the 党组织 tab (`ui.org_tab.OrgTab`); it can also stand as a tab of
its own. Signals: `statusChanged(str)`, `dataChanged()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.filter_bar import EmptyState, FilterBar
from ui.groups_tab import heading
from ui.member_dialog import PRIMARY_DISABLED
from ui.org_edit_dialogs import EstateRoleDialog
from ui.record_table_model import Column, RecordTableModel
from ui.table_view import current_record, make_table, select_row
from wanghu_desk import vocab
from wanghu_desk.errors import UserError
from wanghu_desk.services import org_edit
from wanghu_desk.services.base import current_actor

EMPTY_TEXT = "还没有小区。请先在「社区与小区」里新增小区。"


#: Seats every estate's team should have: an empty one is shown in red.
_CORE_ROLES = ("instructor", "secretary", "red_steward", "student_steward")


def _count(role: str, title: str, sample: str = "") -> Column:
    return Column(
        role,
        title,
        lambda r: r.counts.get(role, 0),
        align="right",
        sample=sample or title,
        alert=(lambda r: r.counts.get(role, 0) == 0) if role in _CORE_ROLES else None,
    )


ESTATE_COLUMNS = [
    Column("estate", "小区", lambda r: r.estate_name, sample="省建一公司宿舍"),
    Column("community", "社区", lambda r: r.community_name, sample="大洋店社区"),
    Column("kind", "类型", lambda r: r.kind_label, sample="回迁安置小区"),
    Column("households", "户数", lambda r: r.households, align="right", sample="10,000"),
    _count("instructor", "党建指导员"),
    _count("secretary", "书记"),
    _count("red_steward", "红色小管家"),
    _count("student_steward", "大学生小管家"),
    _count("building_head", "楼栋长"),
    _count("owners_committee", "业委会"),
    _count("property", "物业"),
]
SEAT_COLUMNS = [
    Column("role", "职务", lambda s: s.role_label, sample="大学生社区小管家"),
    Column("name", "姓名", lambda s: s.person_name, sample="阿依古丽·艾力"),
    Column("phone", "联系电话", lambda s: s.phone, sample="0551-65179666"),
    Column("members", "党员", lambda s: "是" if s.member_id else "", sample="党员"),
    Column("since", "任职日期", lambda s: s.since, sample="2026-09-30"),
    Column("note", "备注", lambda s: s.note, sample="合肥望湖物业服务有限公司项目经理"),
]


def totals_text(totals: dict[str, int]) -> str:
    return (
        f"治理团队 {totals['teams']} 个 · 党建指导员 {totals['instructor']} 名 · "
        f"党组织书记 {totals['secretary']} 名 · 红色小管家 {totals['red_steward']} 名 · "
        f"大学生社区小管家 {totals['student_steward']} 名 · 楼栋长 {totals['building_head']} 名"
    )


class EstateTeamTab(QWidget):
    statusChanged = Signal(str)
    dataChanged = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.setObjectName("estateTeamTab")
        self._today = today
        self._status = ""
        self.totals: dict[str, int] = {}
        self.current_dialog: QDialog | None = None
        self.estate_model = RecordTableModel(
            ESTATE_COLUMNS, self, search=lambda r: f"{r.estate_name} {r.community_name} {r.kind_label}"
        )
        self.seat_model = RecordTableModel(SEAT_COLUMNS, self, search=lambda s: f"{s.person_name} {s.role_label}")

        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("teamTotals")
        self.totals_label.setWordWrap(True)
        self.filter_bar = FilterBar("estate", "按小区或社区名称查找", self, delay_ms=0)
        self.filter_bar.searchChanged.connect(self._filter)
        self.search = self.filter_bar.search
        top = QHBoxLayout()
        top.addWidget(self.filter_bar)
        top.addWidget(self.totals_label, 1)

        self.estate_view = make_table("estateTeamTable", self.estate_model, self, multi=False)
        self.estate_empty = EmptyState(self.estate_view, what="小区", on_clear=self.filter_bar.clear)
        self.filter_bar.cleared.connect(lambda: self._filter(""))
        self.estate_view.selectionModel().selectionChanged.connect(lambda _s, _d: self._estate_changed())

        self.estate_title = heading("", self)
        self.add_button = QPushButton("新增成员", self)
        self.add_button.setObjectName("addSeatButton")
        self.add_button.setProperty("primary", True)
        self.add_button.setStyleSheet(PRIMARY_DISABLED)
        self.add_button.clicked.connect(lambda: self.add_seat())
        self.edit_button = QPushButton("编辑", self)
        self.edit_button.setObjectName("editSeatButton")
        self.edit_button.clicked.connect(lambda: self.edit_seat())
        self.remove_button = QPushButton("卸任", self)
        self.remove_button.setObjectName("removeSeatButton")
        self.remove_button.setToolTip("这个人不再担任这个职务（记录保留在操作日志里）")
        self.remove_button.clicked.connect(lambda: self.remove_seat())
        seat_bar = QHBoxLayout()
        seat_bar.addWidget(self.estate_title, 1)
        for b in (self.add_button, self.edit_button, self.remove_button):
            seat_bar.addWidget(b)
        self.seat_view = make_table("seatTable", self.seat_model, self, multi=False)
        self.seat_view.doubleClicked.connect(lambda _i: self.edit_seat())
        self.seat_view.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_buttons())
        self.seat_view.customContextMenuRequested.connect(self._seat_menu)
        self.seat_hint = EmptyState(self.seat_view, empty_text="这个小区还没有治理团队成员。点击「新增成员」。")
        seats = QWidget(self)
        seats_layout = QVBoxLayout(seats)
        seats_layout.setContentsMargins(0, 0, 0, 0)
        seats_layout.addLayout(seat_bar)
        seats_layout.addWidget(self.seat_view, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.estate_view)
        self.splitter.addWidget(seats)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([420, 300])

        page = QWidget(self)
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(8)
        page_layout.addLayout(top)
        page_layout.addWidget(self.splitter, 1)
        self.empty_label = QLabel(EMPTY_TEXT, self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setProperty("role", "detail")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(page)
        self.stack.addWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._update_buttons()

    # ------------------------------------------------------------ data
    def refresh(self) -> None:
        keep = self.current_estate_id()
        rows = org_edit.estate_teams()
        self.totals = org_edit.team_totals(rows)
        self.estate_model.set_rows(rows)
        self.totals_label.setText(totals_text(self.totals))
        self.stack.setCurrentWidget(self.stack.widget(0) if rows else self.empty_label)
        row = self.estate_model.row_of(lambda r: r.estate_id == keep) if keep is not None else 0
        select_row(self.estate_view, max(0, row) if rows else -1)
        self._estate_changed()

    def _filter(self, text: str) -> None:
        keep = self.current_estate_id()
        self.estate_model.set_search(text)
        row = self.estate_model.row_of(lambda r: r.estate_id == keep) if keep is not None else -1
        select_row(self.estate_view, row if row >= 0 else 0)
        self._estate_changed()

    def current_estate_id(self) -> int | None:
        record = current_record(self.estate_view)
        return record.estate_id if record is not None else None

    def select_estate(self, estate_id: int) -> bool:
        row = self.estate_model.row_of(lambda r: r.estate_id == estate_id)
        select_row(self.estate_view, row)
        return row >= 0

    def _estate_changed(self) -> None:
        record = current_record(self.estate_view)
        if record is None:
            self.estate_title.setText("")
            self.seat_model.set_rows([])
        else:
            seats = org_edit.estate_roles(record.estate_id)
            self.seat_model.set_rows(seats)
            team = "已组建治理团队" if record.has_team else "治理团队筹建中"
            self.estate_title.setText(f"{record.estate_name}（{record.kind_label}，{record.households:,} 户）· {team}")
        self._update_buttons()
        self._update_status()

    def _update_buttons(self) -> None:
        can_write = current_actor().can_write
        self.add_button.setEnabled(can_write and self.current_estate_id() is not None)
        has_seat = current_record(self.seat_view) is not None
        self.edit_button.setEnabled(can_write and has_seat)
        self.remove_button.setEnabled(can_write and has_seat)

    def _update_status(self) -> None:
        if not self.estate_model.total_count:
            self._status = "还没有小区"
        else:
            shown = f"小区 {self.estate_model.total_count} 个，显示 {self.estate_model.rowCount()} 个"
            self.filter_bar.set_count(shown)
            self._status = f"{shown} · 本小区团队 {self.seat_model.rowCount()} 人"
        self.statusChanged.emit(self._status)

    def status_text(self) -> str:
        return self._status

    # ------------------------------------------------------------ seats
    def _open(self, dialog: QDialog) -> QDialog:
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _id: self._changed())  # type: ignore[attr-defined]
        dialog.open()
        return dialog

    def _changed(self) -> None:
        self.refresh()
        self.dataChanged.emit()

    def add_seat(self, role: str | None = None) -> EstateRoleDialog | None:
        record = current_record(self.estate_view)
        if record is None or not current_actor().can_write:
            return None
        dialog = EstateRoleDialog(
            self, estate_id=record.estate_id, estate_name=record.estate_name, today=self._today(), role=role
        )
        self._open(dialog)
        return dialog

    def edit_seat(self) -> EstateRoleDialog | None:
        record = current_record(self.estate_view)
        seat = current_record(self.seat_view)
        if record is None or seat is None or not current_actor().can_write:
            return None
        dialog = EstateRoleDialog(
            self, estate_id=record.estate_id, estate_name=record.estate_name, seat=seat, today=self._today()
        )
        self._open(dialog)
        return dialog

    def remove_seat(self) -> bool:
        seat = current_record(self.seat_view)
        if seat is None or not current_actor().can_write:
            return False
        if not dialogs.ask(
            self,
            "卸任",
            f"{seat.person_name}不再担任「{seat.role_label}」？",
            ok_text="卸任",
            default_ok=False,
            informative="记录会保留在操作日志里。",
        ):
            return False
        try:
            org_edit.remove_estate_role(seat.id)
        except UserError as exc:
            dialogs.error(self, "卸任", exc.message)
            return False
        self._changed()
        return True

    def _seat_menu(self, pos: QPoint) -> None:
        index = self.seat_view.indexAt(pos)
        if index.isValid():
            select_row(self.seat_view, index.row())
        menu = QMenu(self)
        add = menu.addMenu("新增")
        for code, label in vocab.ESTATE_ROLES.items():
            action = add.addAction(label)
            action.triggered.connect(lambda _c=False, code=code: self.add_seat(code))
        edit = menu.addAction("编辑…")
        edit.setEnabled(self.edit_button.isEnabled())
        edit.triggered.connect(lambda: self.edit_seat())
        remove = menu.addAction("卸任…")
        remove.setEnabled(self.remove_button.isEnabled())
        remove.triggered.connect(lambda: self.remove_seat())
        menu.exec(self.seat_view.viewport().mapToGlobal(pos))
        menu.deleteLater()
