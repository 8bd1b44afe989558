"""Qt table models of the 志愿服务 tab, over the rows `services.volunteers` returns.

`RowTableModel` holds the whole list of service rows once; search and sort are Python
list operations followed by one model reset (no `QSortFilterProxyModel`: 100,000 service
records stay smooth). Each subclass only declares its columns and its search function.

Roles: `SORT_ROLE` native sort values, `ROW_ROLE` the row dataclass, `ID_ROLE` its id.
`VolunteerPickModel` adds a check box column for the bulk-entry dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from ui import formatting
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

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_CHECK = int(Qt.ItemDataRole.CheckStateRole)
_SORT = int(SORT_ROLE)
_ROW = int(ROW_ROLE)
_ID = int(ID_ROLE)
_ITEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)

MUTED = QColor("#8A8A8A")
STAR = QColor("#B8860B")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any]
    numeric: bool = False
    centered: bool = False
    sample: str = ""  # the widest usual content, for sizing the column
    tip: Callable[[Any], str] | None = None
    fit: bool = False  # widen the column to the longest text in use (names of teams, branches)


def _date(value) -> str:
    return formatting.date(value)


def _date_key(value) -> str:
    return value.isoformat() if value else ""


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


class RowTableModel(QAbstractTableModel):
    """A flat table of service rows (dataclasses with an `id`). See the module docstring."""

    COLUMNS: tuple[Column, ...] = ()
    DEFAULT_SORT: tuple[str, bool] = ("", False)  # (column key, descending)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: list[Any] = []
        self._shown: list[Any] = []
        self._search = ""
        key, descending = self.DEFAULT_SORT
        self._sort_col = self.column_index(key) if key else -1
        self._descending = descending
        self._muted = QBrush(MUTED)
        self._star = QBrush(STAR)
        self._aligns = [(_RIGHT if c.numeric else _CENTER if c.centered else _LEFT) for c in self.COLUMNS]

    # ------------------------------------------------------------ subclass hooks
    def search_rows(self, rows: Sequence[Any], text: str) -> list[Any]:
        return list(rows)

    def row_muted(self, row: Any) -> bool:
        return False

    def row_id(self, row: Any) -> int:
        return row.id

    # ------------------------------------------------------------ state
    @classmethod
    def column_index(cls, key: str) -> int:
        for i, c in enumerate(cls.COLUMNS):
            if c.key == key:
                return i
        raise KeyError(key)

    @property
    def total_count(self) -> int:
        return len(self._all)

    @property
    def shown_count(self) -> int:
        return len(self._shown)

    @property
    def search_text(self) -> str:
        return self._search

    @property
    def sort_column(self) -> int:
        return self._sort_col

    @property
    def sort_descending(self) -> bool:
        return self._descending

    def all_rows(self) -> list[Any]:
        return list(self._all)

    def shown_rows(self) -> list[Any]:
        return list(self._shown)

    def set_rows(self, rows: Iterable[Any]) -> None:
        self._all = list(rows)
        self._sort_list(self._all)
        self._refilter()

    def update_rows(self, fresh: Iterable[Any], removed: Iterable[int] = ()) -> None:
        """Replace rows by id with `fresh` ones (new ids are added), drop `removed` ids."""
        fresh = list(fresh)
        by_id = {self.row_id(r): r for r in fresh}
        gone = set(removed)
        rows = [by_id.pop(self.row_id(r), r) for r in self._all if self.row_id(r) not in gone]
        rows.extend(r for r in fresh if self.row_id(r) in by_id)
        self.set_rows(rows)

    def set_search(self, text: str) -> None:
        if text == self._search:
            return
        self._search = text
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        self._shown = self.search_rows(self._all, self._search) if self._search.strip() else list(self._all)
        self.endResetModel()

    def _sort_list(self, rows: list[Any]) -> None:
        if self._sort_col < 0:
            return
        key = self.COLUMNS[self._sort_col].sort
        rows.sort(key=lambda r: _none_last(key(r), self._descending), reverse=self._descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort_col = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._sort_list(self._all)
        old = self._shown
        persistent = self.persistentIndexList()
        old_rows = [id(old[p.row()]) if 0 <= p.row() < len(old) else None for p in persistent]
        ids = {id(r) for r in old}
        self._shown = [r for r in self._all if id(r) in ids]
        position = {id(r): i for i, r in enumerate(self._shown)}
        moved = [self.index(position[o], p.column()) if o in position else QModelIndex()
                 for p, o in zip(persistent, old_rows)]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def fit_texts(self, column: int) -> set[str]:
        """The distinct texts of a `fit` column over every row (for sizing it)."""
        text = self.COLUMNS[column].text
        return {text(r) for r in self._all}

    def row_at(self, row: int) -> Any | None:
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def id_at(self, row: int) -> int | None:
        found = self.row_at(row)
        return self.row_id(found) if found is not None else None

    def row_of(self, row_id: int) -> int:
        for i, r in enumerate(self._shown):
            if self.row_id(r) == row_id:
                return i
        return -1

    # ------------------------------------------------------------ Qt model API
    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ITEM_FLAGS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == _DISPLAY:
            return self.COLUMNS[section].title
        if role == _ALIGN:
            return self._aligns[section] if self.COLUMNS[section].numeric else _CENTER
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self._shown) and 0 <= c < len(self.COLUMNS)):
            return None
        row = self._shown[r]
        column = self.COLUMNS[c]
        if role == _DISPLAY:
            return column.text(row)
        if role == _ALIGN:
            return self._aligns[c]
        if role == _FOREGROUND:
            if self.row_muted(row):
                return self._muted
            if column.key == "star":
                return self._star
            return None
        if role == _TOOLTIP:
            if column.tip is not None:
                return column.tip(row) or None
            text = column.text(row)
            return text if len(text) > 12 else None
        if role == _SORT:
            return column.sort(row)
        if role == _ROW:
            return row
        if role == _ID:
            return self.row_id(row)
        return None


def _none_last(value: Any, descending: bool) -> tuple:
    """Sort key that keeps empty values at the end in either direction."""
    if value is None or value == "":
        return (0,) if descending else (1,)
    return (1, value) if descending else (0, value)


def _name_key(text: str) -> str:
    """Names in the order of a Chinese register (pinyin), as the 党员 roster sorts them."""
    return name_sort_key(text or "")


# ---------------------------------------------------------------- teams


class TeamTableModel(RowTableModel):
    COLUMNS = (
        Column("name", "服务队名称", lambda r: r.name, lambda r: _name_key(r.name), sample="“老韩说法”法律服务志愿队",
               fit=True),
        Column("kind", "类型", lambda r: r.kind_label, lambda r: r.kind_label, sample="小区治理团队"),
        Column("owner", "所属党组织或社区", lambda r: r.owner, lambda r: r.owner, sample="望湖城北苑小区党支部",
               fit=True),
        Column("leader", "负责人", lambda r: r.leader_name, lambda r: _name_key(r.leader_name), sample="欧阳志远",
               tip=lambda r: f"{r.leader_name} {r.leader_phone}".strip()),
        Column("volunteers", "志愿者", lambda r: formatting.count(r.volunteers), lambda r: r.volunteers,
               numeric=True, sample="1,000"),
        Column("quarter", "本季度时长", lambda r: hours_text(r.minutes_quarter), lambda r: r.minutes_quarter,
               numeric=True, sample="12,345.5"),
        Column("year", "本年时长", lambda r: hours_text(r.minutes_year), lambda r: r.minutes_year, numeric=True,
               sample="12,345.5"),
        Column("founded", "成立日期", lambda r: _date(r.founded_on), lambda r: _date_key(r.founded_on),
               sample="2026-09-30"),
        Column("status", "状态", lambda r: "正常" if r.is_active else "已停用", lambda r: not r.is_active,
               centered=True, sample="已停用"),
        Column("note", "备注", lambda r: r.note, lambda r: r.note, sample="守护小区绿化"),
    )
    DEFAULT_SORT = ("", False)  # the service's order: active teams first, oldest first

    def row_muted(self, row: TeamRow) -> bool:
        return not row.is_active

    def search_rows(self, rows: Sequence[TeamRow], text: str) -> list[TeamRow]:
        tokens = text.casefold().split()
        return [r for r in rows if all(t in f"{r.name} {r.owner} {r.leader_name} {r.kind_label}".casefold()
                                       for t in tokens)]


class TeamMemberTableModel(RowTableModel):
    COLUMNS = (
        Column("name", "姓名", lambda r: r.name, lambda r: _name_key(r.name), sample="阿依古丽·艾力"),
        Column("phone", "联系电话", lambda r: r.phone, lambda r: r.phone, sample="0551-65179666"),
        Column("joined", "加入日期", lambda r: _date(r.joined_on), lambda r: _date_key(r.joined_on),
               sample="2026-09-30"),
        Column("quarter", "本季度", lambda r: hours_text(r.minutes_quarter), lambda r: r.minutes_quarter,
               numeric=True, sample="1,234.5"),
        Column("year", "本年", lambda r: hours_text(r.minutes_year), lambda r: r.minutes_year, numeric=True,
               sample="1,234.5"),
        Column("cumulative", "累计时长", lambda r: hours_text(r.cumulative_minutes), lambda r: r.cumulative_minutes,
               numeric=True, sample="1,234.5"),
        Column("star", "星级", lambda r: _stars(r.cumulative_minutes), lambda r: r.cumulative_minutes,
               centered=True, sample="★★★★★", tip=lambda r: _star_tip(r.cumulative_minutes)),
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


class VolunteerTableModel(RowTableModel):
    COLUMNS = (
        Column("name", "姓名", lambda r: r.name, lambda r: _name_key(r.name), sample="阿依古丽·艾力"),
        Column("gender", "性别", lambda r: r.gender, lambda r: r.gender, centered=True, sample="性别"),
        Column("age", "年龄", lambda r: "" if r.age is None else str(r.age), lambda r: r.age, numeric=True,
               sample="100"),
        Column("phone", "联系电话", lambda r: r.phone, lambda r: r.phone, sample="0551-65179666"),
        Column("hours", "累计时长", lambda r: hours_text(r.minutes), lambda r: r.minutes, numeric=True,
               sample="1,234.5", tip=lambda r: _star_tip(r.minutes)),
        Column("star", "星级", lambda r: _stars(r.minutes), lambda r: r.minutes, centered=True, sample="★★★★★",
               tip=lambda r: _star_tip(r.minutes)),
        Column("records", "服务次数", lambda r: formatting.count(r.records), lambda r: r.records, numeric=True,
               sample="1,000"),
        Column("last", "最近服务", lambda r: _date(r.last_served_on), lambda r: _date_key(r.last_served_on),
               sample="2026-09-30"),
        Column("member", "党员", lambda r: "是" if r.is_member else "", lambda r: r.is_member, centered=True,
               sample="党员", tip=lambda r: f"党员，{r.member_branch}" if r.is_member else ""),
        Column("number", "志愿者编号", lambda r: r.registration_no, lambda r: r.registration_no, sample="WH00001"),
        Column("skills", "技能特长", lambda r: r.skills, lambda r: r.skills, sample="法律咨询、心理疏导"),
        Column("teams", "所属服务队", lambda r: r.teams, lambda r: r.teams, sample="“情暖桑榆”志愿服务队"),
    )
    DEFAULT_SORT = ("hours", True)

    def search_rows(self, rows: Sequence[VolunteerRow], text: str) -> list[VolunteerRow]:
        return volunteers.search_volunteers(rows, text)


class VolunteerPickModel(VolunteerTableModel):
    """The volunteer list with a check box in the first column (bulk entry, joining a
    team). Checked ids survive searching; `checkedChanged(int)` gives their number."""

    checkedChanged = Signal(int)

    COLUMNS = (
        Column("check", "", lambda r: "", lambda r: 0, sample="✓"),
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

    def set_rows(self, rows: Iterable[Any]) -> None:
        super().set_rows(rows)
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


class RecordTableModel(RowTableModel):
    COLUMNS = (
        Column("served_on", "服务日期", lambda r: _date(r.served_on), lambda r: (r.served_on, r.id),
               sample="2026-09-30"),
        Column("volunteer", "志愿者", lambda r: r.volunteer, lambda r: _name_key(r.volunteer), sample="阿依古丽·艾力"),
        Column("hours", "时长（小时）", lambda r: hours_text(r.minutes), lambda r: r.minutes, numeric=True,
               sample="24.5"),
        Column("team", "服务队", lambda r: r.team, lambda r: r.team, sample="“情暖桑榆”志愿服务队", fit=True),
        Column("project", "服务项目", lambda r: r.project, lambda r: r.project, sample="爱在楼栋 友邻相伴", fit=True),
        Column("activity", "服务内容", lambda r: r.activity, lambda r: r.activity, sample="为独居老人送餐、陪老人聊天"),
    )
    DEFAULT_SORT = ("served_on", True)

    def search_rows(self, rows: Sequence[RecordRow], text: str) -> list[RecordRow]:
        return volunteers.search_records(rows, text)

    def shown_minutes(self) -> int:
        return sum(r.minutes for r in self._shown)


# ---------------------------------------------------------------- projects


class ProjectTableModel(RowTableModel):
    COLUMNS = (
        Column("name", "项目名称", lambda r: r.name, lambda r: _name_key(r.name), sample="爱在楼栋 友邻相伴", fit=True),
        Column("team", "服务队", lambda r: r.team, lambda r: r.team, sample="“情暖桑榆”志愿服务队", fit=True),
        Column("owner", "所属党组织或社区", lambda r: r.owner, lambda r: r.owner, sample="望湖城北苑小区党支部",
               fit=True),
        Column("records", "服务次数", lambda r: formatting.count(r.records), lambda r: r.records, numeric=True,
               sample="1,000"),
        Column("volunteers", "参与人数", lambda r: formatting.count(r.volunteers), lambda r: r.volunteers,
               numeric=True, sample="1,000"),
        Column("year", "本年时长", lambda r: hours_text(r.minutes_year), lambda r: r.minutes_year, numeric=True,
               sample="12,345.5"),
        Column("total", "累计时长", lambda r: hours_text(r.minutes_total), lambda r: r.minutes_total, numeric=True,
               sample="12,345.5"),
        Column("status", "状态", lambda r: "正常" if r.is_active else "已停用", lambda r: not r.is_active,
               centered=True, sample="已停用"),
        Column("description", "服务内容", lambda r: r.description, lambda r: r.description,
               sample="为独居老人送餐、陪老人聊天"),
    )
    DEFAULT_SORT = ("", False)

    def row_muted(self, row: ProjectRow) -> bool:
        return not row.is_active

    def search_rows(self, rows: Sequence[ProjectRow], text: str) -> list[ProjectRow]:
        tokens = text.casefold().split()
        return [r for r in rows if all(t in f"{r.name} {r.team} {r.owner} {r.description}".casefold()
                                       for t in tokens)]
