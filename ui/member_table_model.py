"""`MemberTableModel`: the 党员 roster as a flat Qt table over `services.members`.

Built for 100,000 rows: the service hands over a list of plain tuples once; filtering
and sorting are Python list operations on it (`members.apply_filter` / `sort_rows`),
followed by one model reset. No `QSortFilterProxyModel` (seconds per filter at this
size). When a search only narrows the previous one (the clerk types one more
character), the previous result is filtered instead of the whole roster.

Roles: `SORT_ROLE` native values, `ROW_ROLE` the row tuple, `ID_ROLE` the member id.

`RecordTableModel` (at the end) is the small generic table the 楼栋党小组 and 党组织 tabs
use for their short lists (branches, groups, estates, team seats).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from wanghu_desk import vocab
from wanghu_desk.services import members
from wanghu_desk.services.members import (
    FLAG_LABELS,
    R_ADDRESS,
    R_BIRTH,
    R_BRANCH,
    R_CATEGORY,
    R_CONFIRMED,
    R_DUE,
    R_FLAGS,
    R_GENDER,
    R_GROUP,
    R_ID,
    R_ID_NUMBER,
    R_JOINED,
    R_NAME,
    R_PHONE,
    R_STATUS,
    Roster,
    RosterFilter,
    RosterRow,
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
_ROLES = frozenset({_DISPLAY, _ALIGN, _FOREGROUND, _TOOLTIP, int(SORT_ROLE), int(ROW_ROLE), int(ID_ROLE)})
_ITEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags


@dataclass(frozen=True)
class Column:
    key: str  # the sort key name in services.members.sort_key
    title: str
    numeric: bool = False
    sample: str = ""  # the widest usual content, for sizing the column


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", sample="阿依古丽·艾力"),
    Column("gender", "性别", sample="性别"),
    Column("age", "年龄", numeric=True, sample="100"),
    Column("id_number", "公民身份号码", sample="34010419850701123X"),
    Column("category", "人员类别", sample="预备党员"),
    Column("joined_on", "入党日期", sample="2026-09-30"),
    Column("confirmed_on", "转正日期", sample="应于 2026-09-30"),
    Column("branch", "所在党支部", sample="大洋店社区第二网格党支部"),
    Column("group", "楼栋党小组", sample="12-14栋党小组"),
    Column("phone", "联系电话", sample="0551-65179666"),
    Column("address", "家庭住址", sample="望湖城北苑12栋2单元1203室"),
    Column("status", "党籍状态", sample="停止党籍"),
    Column("flags", "标记", sample="中心户、双报到"),
)
COLUMN_KEYS = [c.key for c in COLUMNS]
COL = {c.key: i for i, c in enumerate(COLUMNS)}
_NUMERIC_KEYS = frozenset(c.key for c in COLUMNS if c.numeric)

_SHORT_FLAGS = {
    members.FLAG_CENTER: "中心户",
    members.FLAG_REPORTED: "双报到",
    members.FLAG_LOST: "失联",
    members.FLAG_FLOATING: "流动",
}
_FLAG_ORDER = (members.FLAG_CENTER, members.FLAG_REPORTED, members.FLAG_LOST, members.FLAG_FLOATING)

ALERT = QColor("#C8161D")
SOON = QColor("#A35F00")
MUTED = QColor("#8A8A8A")


def flag_text(bits: int, *, short: bool = True) -> str:
    labels = _SHORT_FLAGS if short else FLAG_LABELS
    return "、".join(labels[b] for b in _FLAG_ORDER if bits & b)


class MemberTableModel(QAbstractTableModel):
    def __init__(self, parent=None, *, today: dt.date | None = None):
        super().__init__(parent)
        self.roster: Roster | None = None
        self._all: list[RosterRow] = []  # the whole roster, in the current sort order
        self._base: list[RosterRow] = []  # _all after every filter but the search text
        self._shown: list[RosterRow] = []
        self._filter = RosterFilter()
        self._sort_key = "name"
        self._descending = False
        self._today = today or dt.date.today()
        self._soon_limit = ""
        self._today_iso = ""
        self._set_today_strings()
        self._alert = QBrush(ALERT)
        self._soon = QBrush(SOON)
        self._muted = QBrush(MUTED)
        self._left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._categories = dict(vocab.MEMBER_CATEGORIES)
        self._statuses = dict(vocab.MEMBER_STATUSES)

    # ------------------------------------------------------------ state
    def _set_today_strings(self) -> None:
        self._today_iso = self._today.isoformat()
        self._soon_limit = (self._today + dt.timedelta(days=members.DUE_WINDOW_DAYS)).isoformat()

    def set_today(self, today: dt.date) -> None:
        if today != self._today:
            self._today = today
            self._set_today_strings()
            self._rebase()

    @property
    def today(self) -> dt.date:
        return self._today

    @property
    def current_filter(self) -> RosterFilter:
        return self._filter

    @property
    def total_count(self) -> int:
        return len(self._all)

    @property
    def shown_count(self) -> int:
        return len(self._shown)

    @property
    def sort_column(self) -> int:
        return COL[self._sort_key]

    @property
    def sort_descending(self) -> bool:
        return self._descending

    def set_roster(self, roster: Roster) -> None:
        """A freshly loaded roster: sort it as the view is sorted, filter, reset."""
        self.roster = roster
        self._all = list(roster.rows)
        if roster.sorted_by != self._sort_key or self._descending:
            members.sort_rows(self._all, self._sort_key, roster, descending=self._descending)
        self._rebase()

    def update_rows(self, rows: list[RosterRow]) -> None:
        """Fresh copies of a few rows (after an edit) and new members."""
        if self.roster is None:
            return
        self.roster.replace(rows)
        self.set_roster(self.roster)

    def set_filter(self, flt: RosterFilter) -> None:
        if flt == self._filter:
            return
        same_base = replace(flt, search="") == replace(self._filter, search="")
        narrower = same_base and _narrows(self._filter, flt, self.roster)
        self._filter = flt
        if same_base:
            self._research(incremental=narrower)
        else:
            self._rebase()

    def set_search(self, text: str) -> None:
        self.set_filter(replace(self._filter, search=text))

    def _rebase(self) -> None:
        """Apply the filters other than the search text (kept: a keystroke only searches)."""
        self._base = members.filter_rows(self._all, self._filter, today=self._today)
        self._research(incremental=False)

    def _research(self, *, incremental: bool) -> None:
        source = self._shown if incremental else self._base
        shown = members.search_rows(source, self._filter.search, roster=self.roster)
        self.beginResetModel()
        self._shown = shown
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or self.roster is None:
            return
        self._sort_key = COLUMNS[column].key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        members.sort_rows(self._all, self._sort_key, self.roster, descending=self._descending)
        # The filtered lists hold the same row objects: order them by their new place in
        # the whole roster instead of computing every sort key again.
        rank = {id(r): i for i, r in enumerate(self._all)}
        place = rank.__getitem__
        self._base.sort(key=lambda r: place(id(r)))
        self._shown.sort(key=lambda r: place(id(r)))
        self.layoutChanged.emit()

    # ------------------------------------------------------------ lookups
    def row_at(self, row: int) -> RosterRow | None:
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def member_id(self, row: int) -> int | None:
        found = self.row_at(row)
        return found[R_ID] if found is not None else None

    def row_of(self, member_id: int) -> int:
        for i, r in enumerate(self._shown):
            if r[R_ID] == member_id:
                return i
        return -1

    def shown_rows(self) -> list[RosterRow]:
        return list(self._shown)

    # ------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ITEM_FLAGS if index.isValid() else _NO_FLAGS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._right if COLUMNS[section].numeric else self._left
        return None

    def _age(self, birth: str | None) -> int | None:
        return members.age_on(birth, self._today)

    def _display(self, r: RosterRow, key: str) -> str:
        if key == "name":
            return r[R_NAME]
        if key == "gender":
            return r[R_GENDER] or ""
        if key == "age":
            age = self._age(r[R_BIRTH])
            return "" if age is None else str(age)
        if key == "id_number":
            return r[R_ID_NUMBER]
        if key == "category":
            return self._categories.get(r[R_CATEGORY], r[R_CATEGORY])
        if key == "joined_on":
            return r[R_JOINED] or ""
        if key == "confirmed_on":
            if r[R_CONFIRMED]:
                return r[R_CONFIRMED]
            return f"应于 {r[R_DUE]}" if r[R_DUE] else ""
        if key == "branch":
            return self.roster.branch_name(r[R_BRANCH]) if self.roster else ""
        if key == "group":
            return self.roster.group_name(r[R_GROUP]) if self.roster else ""
        if key == "phone":
            return r[R_PHONE] or ""
        if key == "address":
            return r[R_ADDRESS] or ""
        if key == "status":
            return self._statuses.get(r[R_STATUS], r[R_STATUS])
        if key == "flags":
            return flag_text(r[R_FLAGS])
        return ""

    def _sort_value(self, r: RosterRow, key: str):
        if key == "age":
            age = self._age(r[R_BIRTH])
            return -1 if age is None else age
        if key == "flags":
            return r[R_FLAGS]
        return self._display(r, key)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        # Called for every visible cell and role on each repaint: cheap tests first.
        if role not in _ROLES or not index.isValid():
            return None
        row = index.row()
        if row >= len(self._shown):
            return None
        r = self._shown[row]
        key = COLUMN_KEYS[index.column()]
        if role == _DISPLAY:
            return self._display(r, key)
        if role == _ALIGN:
            return self._right if key in _NUMERIC_KEYS else self._left
        if role == _FOREGROUND:
            if r[R_STATUS] != "active":
                return self._muted
            if key == "confirmed_on" and r[R_DUE] and not r[R_CONFIRMED]:
                if r[R_DUE] < self._today_iso:
                    return self._alert
                if r[R_DUE] <= self._soon_limit:
                    return self._soon
            return None
        if role == _TOOLTIP:
            return self._tooltip(r, key)
        if role == SORT_ROLE:
            return self._sort_value(r, key)
        if role == ROW_ROLE:
            return r
        if role == ID_ROLE:
            return r[R_ID]
        return None

    def _tooltip(self, r: RosterRow, key: str) -> str | None:
        if key == "confirmed_on" and r[R_DUE] and not r[R_CONFIRMED]:
            due = dt.date.fromisoformat(r[R_DUE])
            days = (due - self._today).days
            if days < 0:
                return f"预备期已满 {-days} 天（应于 {r[R_DUE]} 转正），请尽快办理转正。"
            if days == 0:
                return "预备期今天届满，可以办理转正。"
            return f"还有 {days} 天预备期满（{r[R_DUE]}）。"
        if key == "flags" and r[R_FLAGS]:
            return flag_text(r[R_FLAGS], short=False)
        if key in ("name", "address", "branch", "group"):
            text = self._display(r, key)
            return text or None
        return None


def _narrows(old: RosterFilter, new: RosterFilter, roster: Roster | None) -> bool:
    """True when every row `new` accepts is also accepted by `old` (typing one more
    character of a search), so the previous result can be filtered again."""
    if replace(old, search="") != replace(new, search=""):
        return False
    old_text, new_text = old.search.strip().lower(), new.search.strip().lower()
    if not old_text or not new_text.startswith(old_text) or new_text == old_text:
        return False
    if roster is not None and not roster.ids_visible and any(len(t) >= 15 for t in new_text.split()):
        return False  # a whole ID typed by an account that sees masked ones: looked up afresh
    old_words, new_words = old_text.split(), new_text.split()
    # The words typed before stay (the last one may only have grown), new words only add.
    if len(new_words) < len(old_words):
        return False
    if old_words[:-1] != new_words[: len(old_words) - 1]:
        return False
    return new_words[len(old_words) - 1].startswith(old_words[-1])


# ---------------------------------------------------------------- short lists


@dataclass(frozen=True)
class RecordColumn:
    """A column of a `RecordTableModel`: a title and how to read a record."""

    title: str
    value: Callable[[Any], Any]
    numeric: bool = False
    sample: str = ""  # the widest usual content, for sizing the column
    alert: Callable[[Any], bool] | None = None  # shown in the accent red when true
    tooltip: Callable[[Any], str | None] | None = None


class RecordTableModel(QAbstractTableModel):
    """A table over a short list of service dataclasses (branches, groups, estates, seats
    of a team: tens to hundreds of rows), with a name filter and sorting in Python.
    The roster has its own model above; this one is for the small lists of the
    楼栋党小组 and 党组织 tabs."""

    def __init__(self, columns: list[RecordColumn], parent=None, *, search: Callable[[Any], str] | None = None):
        super().__init__(parent)
        self.columns = columns
        self._records: list[Any] = []
        self._shown: list[Any] = []
        self._search = search
        self._needle = ""
        self._predicate: Callable[[Any], bool] | None = None
        self._sort: tuple[int, bool] | None = None
        self._alert = QBrush(ALERT)
        self._left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def set_records(self, records: list[Any]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self._shown = self._filtered()
        self._sort_shown()
        self.endResetModel()

    def set_filter_text(self, text: str) -> None:
        needle = text.strip().lower()
        if needle == self._needle:
            return
        self.beginResetModel()
        self._needle = needle
        self._shown = self._filtered()
        self._sort_shown()
        self.endResetModel()

    def set_predicate(self, predicate: Callable[[Any], bool] | None) -> None:
        """An extra condition besides the text (e.g. "only branches with warnings")."""
        self.beginResetModel()
        self._predicate = predicate
        self._shown = self._filtered()
        self._sort_shown()
        self.endResetModel()

    def all_records(self) -> list[Any]:
        return list(self._records)

    def _filtered(self) -> list[Any]:
        records = self._records
        if self._predicate is not None:
            records = [r for r in records if self._predicate(r)]
        if not self._needle or self._search is None:
            return list(records)
        words = self._needle.split()
        return [r for r in records if all(w in self._search(r).lower() for w in words)]

    def _sort_shown(self) -> None:
        if self._sort is None:
            return
        column, descending = self._sort
        getter = self.columns[column].value
        self._shown.sort(key=lambda r: _sortable(getter(r)), reverse=descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order == Qt.SortOrder.DescendingOrder)
        self._sort_shown()
        self.layoutChanged.emit()

    @property
    def total_count(self) -> int:
        return len(self._records)

    def records(self) -> list[Any]:
        return list(self._shown)

    def record(self, row: int) -> Any:
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def row_of(self, predicate: Callable[[Any], bool]) -> int:
        for i, r in enumerate(self._shown):
            if predicate(r):
                return i
        return -1

    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._right if self.columns[section].numeric else self._left
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        record = self._shown[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = column.value(record)
            if value is None:
                return ""
            if isinstance(value, bool):
                return "是" if value else ""
            if isinstance(value, int) and column.numeric:
                return f"{value:,}"
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._right if column.numeric else self._left
        if role == Qt.ItemDataRole.ForegroundRole and column.alert is not None and column.alert(record):
            return self._alert
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tooltip is not None:
                return column.tooltip(record)
            value = column.value(record)
            return str(value) if isinstance(value, str) and value else None
        if role == SORT_ROLE:
            return _sortable(column.value(record))
        if role == ROW_ROLE:
            return record
        return None


def _sortable(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return members.name_sort_key(value) if value and not value[0].isascii() else value
    return value
