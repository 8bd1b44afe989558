"""The lists of the 志愿服务 tab as `RecordTableModel`s over `services.volunteers` rows.

Each class only declares its columns (`COLUMNS`, data), its search and its default
sort; holding, filtering and sorting the rows (100,000 service records stay smooth) is
`ui.record_table_model.RecordTableModel`'s. `VolunteerPickModel` adds a check box column
for the bulk-entry and join-team dialogs.

Roles: `SORT_ROLE` native sort values, `OBJECT_ROLE` the row dataclass, `ID_ROLE` its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor

from ui import formatting
from ui.record_table_model import SORT_ROLE, Column, Index, RecordTableModel
from wanghu_desk.services import volunteers
from wanghu_desk.services.members import name_sort_key
from wanghu_desk.services.volunteers import (
    ProjectRow,
    RecordRow,
    TeamMemberRow,
    TeamRow,
    VolunteerRow,
    hours_text,
    star_label,
    star_level,
)

_CHECK = int(Qt.ItemDataRole.CheckStateRole)
_SORT = int(SORT_ROLE)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
STAR = QColor("#B8860B")
_STAR = QBrush(STAR)


def _star_colour(_row: Any) -> QBrush:
    return _STAR


def _date(value) -> str:
    return formatting.date(value)


def _stars(minutes: int) -> str:
    level = star_level(minutes)
    return formatting.stars(level) if level else ""


def _star_tip(minutes: int) -> str:
    level = star_level(minutes)
    text = f"累计服务 {hours_text(minutes)} 小时"
    if level:
        text = f"{star_label(level)}，{text}"
    following = volunteers.next_star(minutes)
    if following is not None:
        text += f"；再服务 {hours_text(following[1])} 小时可达{star_label(following[0])}"
    return text


class _ListModel(RecordTableModel):
    """A volunteer-tab list: `COLUMNS`, `DEFAULT_SORT`, `search_rows` and `row_muted`
    are the class's data; everything else is `RecordTableModel`."""

    COLUMNS: tuple[Column, ...] = ()
    DEFAULT_SORT: tuple[str, bool] | None = None  # None: the service's order

    def __init__(self, parent=None):
        super().__init__(self.COLUMNS, parent, matcher=self.search_rows, row_id=self.row_id, muted=self.row_muted,
                         default_sort=self.DEFAULT_SORT)

    def search_rows(self, rows: Sequence[Any], text: str) -> list[Any]:
        return list(rows)

    def row_muted(self, row: Any) -> bool:
        return False

    def row_id(self, row: Any) -> int:
        return row.id


def _name_key(text: str) -> str | None:
    """Names in the order of a Chinese register (pinyin, surnames read as surnames), as
    the 党员 roster sorts them; no name sorts last."""
    return name_sort_key(text) if text else None


# ---------------------------------------------------------------- teams


class TeamTableModel(_ListModel):
    COLUMNS = (
        Column("name", "服务队名称", lambda r: r.name, text=lambda r: r.name, sample="“老韩说法”法律服务志愿队", fit=True, sort=lambda r: _name_key(r.name)),
        Column("kind", "类型", lambda r: r.kind_label, text=lambda r: r.kind_label, sample="小区治理团队"),
        Column("owner", "所属党组织或社区", lambda r: r.owner, text=lambda r: r.owner, sample="望湖城北苑小区党支部", fit=True),
        Column("leader", "负责人", lambda r: r.leader_name, text=lambda r: r.leader_name, sample="欧阳志远", tooltip=lambda r: f"{r.leader_name} {r.leader_phone}".strip(), sort=lambda r: _name_key(r.leader_name)),
        Column("volunteers", "志愿者", lambda r: r.volunteers, text=lambda r: formatting.count(r.volunteers), align="right", sample="1,000"),
        Column("quarter", "本季度时长", lambda r: r.minutes_quarter, text=lambda r: hours_text(r.minutes_quarter), align="right", sample="12,345.5"),
        Column("year", "本年时长", lambda r: r.minutes_year, text=lambda r: hours_text(r.minutes_year), align="right", sample="12,345.5"),
        Column("founded", "成立日期", lambda r: r.founded_on, text=lambda r: _date(r.founded_on), sample="2026-09-30"),
        Column("status", "状态", lambda r: not r.is_active, text=lambda r: "正常" if r.is_active else "已停用", align="center", sample="已停用"),
        Column("note", "备注", lambda r: r.note, text=lambda r: r.note, sample="守护小区绿化"),
    )
    DEFAULT_SORT = None  # the service's order: active teams first, oldest first

    def row_muted(self, row: TeamRow) -> bool:
        return not row.is_active

    def search_rows(self, rows: Sequence[TeamRow], text: str) -> list[TeamRow]:
        tokens = text.casefold().split()
        return [r for r in rows if all(t in f"{r.name} {r.owner} {r.leader_name} {r.kind_label}".casefold()
                                       for t in tokens)]


class TeamMemberTableModel(_ListModel):
    COLUMNS = (
        Column("name", "姓名", lambda r: r.name, text=lambda r: r.name, sample="阿依古丽·艾力", sort=lambda r: _name_key(r.name)),
        Column("phone", "联系电话", lambda r: r.phone, text=lambda r: r.phone, sample="0551-65179666"),
        Column("joined", "加入日期", lambda r: r.joined_on, text=lambda r: _date(r.joined_on), sample="2026-09-30"),
        Column("quarter", "本季度", lambda r: r.minutes_quarter, text=lambda r: hours_text(r.minutes_quarter), align="right", sample="1,234.5"),
        Column("year", "本年", lambda r: r.minutes_year, text=lambda r: hours_text(r.minutes_year), align="right", sample="1,234.5"),
        Column("cumulative", "累计时长", lambda r: r.cumulative_minutes, text=lambda r: hours_text(r.cumulative_minutes), align="right", sample="1,234.5"),
        Column("star", "星级", lambda r: r.cumulative_minutes, text=lambda r: _stars(r.cumulative_minutes), align="center", sample="★★★★★", tooltip=lambda r: _star_tip(r.cumulative_minutes), foreground=_star_colour),
    )
    DEFAULT_SORT = ("year", True)

    def row_id(self, row: TeamMemberRow) -> int:
        return row.volunteer_id

    def row_muted(self, row: TeamMemberRow) -> bool:
        return row.left_on is not None

    def search_rows(self, rows: Sequence[TeamMemberRow], text: str) -> list[TeamMemberRow]:
        tokens = text.casefold().split()
        return [r for r in rows if all(t in f"{r.name} {r.phone}".casefold() for t in tokens)]


# ---------------------------------------------------------------- volunteers


class VolunteerTableModel(_ListModel):
    COLUMNS = (
        Column("name", "姓名", lambda r: r.name, text=lambda r: r.name, sample="阿依古丽·艾力", sort=lambda r: _name_key(r.name)),
        Column("gender", "性别", lambda r: r.gender, text=lambda r: r.gender, align="center", sample="性别"),
        Column("age", "年龄", lambda r: r.age, text=lambda r: "" if r.age is None else str(r.age), align="right", sample="100"),
        Column("phone", "联系电话", lambda r: r.phone, text=lambda r: r.phone, sample="0551-65179666"),
        Column("hours", "累计时长", lambda r: r.minutes, text=lambda r: hours_text(r.minutes), align="right", sample="1,234.5", tooltip=lambda r: _star_tip(r.minutes)),
        Column("star", "星级", lambda r: r.minutes, text=lambda r: _stars(r.minutes), align="center", sample="★★★★★", tooltip=lambda r: _star_tip(r.minutes), foreground=_star_colour),
        Column("records", "服务次数", lambda r: r.records, text=lambda r: formatting.count(r.records), align="right", sample="1,000"),
        Column("last", "最近服务", lambda r: r.last_served_on, text=lambda r: _date(r.last_served_on), sample="2026-09-30"),
        Column("member", "党员", lambda r: r.is_member, text=lambda r: "是" if r.is_member else "", align="center", sample="党员", tooltip=lambda r: f"党员，{r.member_branch}" if r.is_member else ""),
        Column("number", "志愿者编号", lambda r: r.registration_no, text=lambda r: r.registration_no, sample="WH00001"),
        Column("skills", "技能特长", lambda r: r.skills, text=lambda r: r.skills, sample="法律咨询、心理疏导"),
        Column("teams", "所属服务队", lambda r: r.teams, text=lambda r: r.teams, sample="“情暖桑榆”志愿服务队"),
    )
    DEFAULT_SORT = ("hours", True)

    def search_rows(self, rows: Sequence[VolunteerRow], text: str) -> list[VolunteerRow]:
        return volunteers.search_volunteers(rows, text)


class VolunteerPickModel(VolunteerTableModel):
    """The volunteer list with a check box in the first column (bulk entry, joining a
    team). Checked ids survive searching; `checkedChanged(int)` gives their number."""

    checkedChanged = Signal(int)

    COLUMNS = (
        Column("check", "", lambda r: 0, text=lambda r: "", sample="✓"),
        *(c for c in VolunteerTableModel.COLUMNS if c.key in ("name", "phone", "hours", "star", "teams")),
    )
    DEFAULT_SORT = ("name", False)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._checked: set[int] = set()

    def checked_ids(self) -> list[int]:
        order = {self.row_id(r): i for i, r in enumerate(self._all)}
        return sorted(self._checked, key=lambda v: order.get(v, len(order)))

    def is_checked(self, volunteer_id: int) -> bool:
        return volunteer_id in self._checked

    def set_checked(self, ids: Iterable[int], checked: bool = True) -> None:
        before = len(self._checked)
        ids = set(ids)
        if checked:
            self._checked |= ids
        else:
            self._checked -= ids
        if self._shown:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shown) - 1, 0), [Qt.ItemDataRole.CheckStateRole])
        if len(self._checked) != before or ids:
            self.checkedChanged.emit(len(self._checked))

    def check_shown(self, checked: bool = True) -> None:
        self.set_checked([self.row_id(r) for r in self._shown], checked)

    def clear_checks(self) -> None:
        self.set_checked(set(self._checked), False)

    def set_rows(self, rows: Iterable[Any], **kwargs: Any) -> None:
        super().set_rows(rows, **kwargs)
        known = {self.row_id(r) for r in self._all}
        if self._checked - known:
            self._checked &= known
            self.checkedChanged.emit(len(self._checked))

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role == _CHECK and index.isValid() and index.column() == 0:
            row = self.row_at(index.row())
            if row is None:
                return None
            return Qt.CheckState.Checked if self.row_id(row) in self._checked else Qt.CheckState.Unchecked
        if role == _SORT and index.isValid() and index.column() == 0:
            row = self.row_at(index.row())
            return row is not None and self.row_id(row) in self._checked
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = _CHECK) -> bool:
        if role != _CHECK or not index.isValid() or index.column() != 0:
            return False
        row = self.row_at(index.row())
        if row is None:
            return False
        state = value.value if hasattr(value, "value") else value
        checked = int(state) == Qt.CheckState.Checked.value
        vid = self.row_id(row)
        if checked == (vid in self._checked):
            return True
        if checked:
            self._checked.add(vid)
        else:
            self._checked.discard(vid)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit(len(self._checked))
        return True


# ---------------------------------------------------------------- records


class ServiceRecordTableModel(_ListModel):
    COLUMNS = (
        Column("served_on", "服务日期", lambda r: (r.served_on, r.id), text=lambda r: _date(r.served_on), sample="2026-09-30"),
        Column("volunteer", "志愿者", lambda r: r.volunteer, text=lambda r: r.volunteer, sample="阿依古丽·艾力", sort=lambda r: _name_key(r.volunteer)),
        Column("hours", "时长（小时）", lambda r: r.minutes, text=lambda r: hours_text(r.minutes), align="right", sample="24.5"),
        Column("team", "服务队", lambda r: r.team, text=lambda r: r.team, sample="“情暖桑榆”志愿服务队", fit=True),
        Column("project", "服务项目", lambda r: r.project, text=lambda r: r.project, sample="爱在楼栋 友邻相伴", fit=True),
        Column("activity", "服务内容", lambda r: r.activity, text=lambda r: r.activity, sample="为独居老人送餐、陪老人聊天"),
    )
    DEFAULT_SORT = ("served_on", True)

    def search_rows(self, rows: Sequence[RecordRow], text: str) -> list[RecordRow]:
        return volunteers.search_records(rows, text)

    def shown_minutes(self) -> int:
        return sum(r.minutes for r in self._shown)


# ---------------------------------------------------------------- projects


class ProjectTableModel(_ListModel):
    COLUMNS = (
        Column("name", "项目名称", lambda r: r.name, text=lambda r: r.name, sample="爱在楼栋 友邻相伴", fit=True, sort=lambda r: _name_key(r.name)),
        Column("team", "服务队", lambda r: r.team, text=lambda r: r.team, sample="“情暖桑榆”志愿服务队", fit=True),
        Column("owner", "所属党组织或社区", lambda r: r.owner, text=lambda r: r.owner, sample="望湖城北苑小区党支部", fit=True),
        Column("records", "服务次数", lambda r: r.records, text=lambda r: formatting.count(r.records), align="right", sample="1,000"),
        Column("volunteers", "参与人数", lambda r: r.volunteers, text=lambda r: formatting.count(r.volunteers), align="right", sample="1,000"),
        Column("year", "本年时长", lambda r: r.minutes_year, text=lambda r: hours_text(r.minutes_year), align="right", sample="12,345.5"),
        Column("total", "累计时长", lambda r: r.minutes_total, text=lambda r: hours_text(r.minutes_total), align="right", sample="12,345.5"),
        Column("status", "状态", lambda r: not r.is_active, text=lambda r: "正常" if r.is_active else "已停用", align="center", sample="已停用"),
        Column("description", "服务内容", lambda r: r.description, text=lambda r: r.description, sample="为独居老人送餐、陪老人聊天"),
    )
    DEFAULT_SORT = None

    def row_muted(self, row: ProjectRow) -> bool:
        return not row.is_active

    def search_rows(self, rows: Sequence[ProjectRow], text: str) -> list[ProjectRow]:
        tokens = text.casefold().split()
        return [r for r in rows if all(t in f"{r.name} {r.team} {r.owner} {r.description}".casefold()
                                       for t in tokens)]
