"""`MemberTableModel`: the 党员 roster as a `RecordTableModel` over `services.members`.

Built for 100,000 rows: the service hands over a list of plain tuples once; filtering
is `members.filter_rows` on it, then the search text through a `RosterSearch` built once
per filtered list (the same rows as `members.search_rows`, by C-level passes over search
texts laid out in order, each query remembered so a backspace is a lookup), followed by
one model reset. The columns, the sort rules and the Qt
API are `ui.record_table_model`'s; this module adds the roster's columns (names by
pinyin, branches and groups in the organisation's order, 应于 due dates) and filter.

A large roster is laid out off the GUI thread: `MemberTableModel.prepare` (run on a
worker) sorts, filters and builds the search index of a freshly read roster in a scratch
model, and `adopt` takes that layout over in one model reset, so a refresh (F5) costs the
GUI thread almost nothing.

Roles: `SORT_ROLE` native values, `OBJECT_ROLE` the row tuple, `ID_ROLE` the member id.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import replace
from itertools import compress, filterfalse
from operator import itemgetter

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush

from ui import workers
from ui.record_table_model import ALERT, SOON, Column, RecordTableModel
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
    name_sort_key,
)
from wanghu_desk.services.roster_search import RosterSearch

#: The roster's columns in order (the model builds them, bound to its roster and date).
COLUMN_KEYS = [
    "name", "gender", "age", "id_number", "category", "joined_on", "confirmed_on",
    "branch", "group", "phone", "address", "status", "flags",
]  # fmt: skip
COL = {key: i for i, key in enumerate(COLUMN_KEYS)}

_SHORT_FLAGS = {
    members.FLAG_CENTER: "中心户",
    members.FLAG_REPORTED: "双报到",
    members.FLAG_LOST: "失联",
    members.FLAG_FLOATING: "流动",
}
_FLAG_ORDER = (members.FLAG_CENTER, members.FLAG_REPORTED, members.FLAG_LOST, members.FLAG_FLOATING)
_BIG = 1 << 30


def flag_text(bits: int, *, short: bool = True) -> str:
    labels = _SHORT_FLAGS if short else FLAG_LABELS
    return "、".join(labels[b] for b in _FLAG_ORDER if bits & b)


def _no_tip(_r: RosterRow) -> None:
    return None


def _text_or_none(text: str) -> str | None:
    return text or None


class MemberTableModel(RecordTableModel):
    def __init__(self, parent=None, *, today: dt.date | None = None):
        self.roster: Roster | None = None
        self._today = today or dt.date.today()
        self._soon_limit = ""
        self._today_iso = ""
        self._set_today_strings()
        self._base: list[RosterRow] = []  # every row after all filters but the search text
        self._left_out: set[int] | None = None  # ids of the rows `_base` leaves out, when few
        self._searcher: RosterSearch | None = None  # over `_base`, built at its first search
        self._filter = RosterFilter()
        self._branch_order: dict[int, int] = {}
        self._ages = _Ages(self._today)  # birth date → age today (birth dates repeat)
        self._group_order: dict[int, int] = {}
        self._soon = QBrush(SOON)
        self._red = QBrush(ALERT)
        super().__init__(
            self._build_columns(), parent, row_id=itemgetter(R_ID), muted=lambda r: r[R_STATUS] != "active",
            default_sort=("name", False),
        )

    # ------------------------------------------------------------ columns
    def _build_columns(self) -> list[Column]:
        categories = dict(vocab.MEMBER_CATEGORIES)
        statuses = dict(vocab.MEMBER_STATUSES)

        def branch(r: RosterRow) -> str:
            return self.roster.branch_name(r[R_BRANCH]) if self.roster else ""

        def group(r: RosterRow) -> str:
            return self.roster.group_name(r[R_GROUP]) if self.roster else ""

        def confirmed(r: RosterRow) -> str:
            if r[R_CONFIRMED]:
                return r[R_CONFIRMED]
            return f"应于 {r[R_DUE]}" if r[R_DUE] else ""

        def age_text(r: RosterRow) -> str:
            age = self._age(r)
            return "" if age is None else str(age)

        def or_empty(i: int):
            return lambda r: r[i] or ""

        def or_none(i: int):
            return lambda r: r[i] or None

        columns = {
            "name": Column("name", "姓名", itemgetter(R_NAME), text=itemgetter(R_NAME), sample="阿依古丽·艾力",
                           sort=lambda r: name_sort_key(r[R_NAME]), tooltip=lambda r: r[R_NAME] or None),
            "gender": Column("gender", "性别", or_empty(R_GENDER), text=or_empty(R_GENDER), sample="性别",
                             tooltip=_no_tip),
            "age": Column("age", "年龄", self._age, text=age_text, align="right", sample="100", tooltip=_no_tip,
                          sort=self._age),
            "id_number": Column("id_number", "公民身份号码", itemgetter(R_ID_NUMBER), text=itemgetter(R_ID_NUMBER),
                                sample="34010419850701123X", sort=itemgetter(R_ID_NUMBER), tooltip=_no_tip),
            "category": Column("category", "人员类别", lambda r: categories.get(r[R_CATEGORY], r[R_CATEGORY]),
                               sample="预备党员", tooltip=_no_tip),
            "joined_on": Column("joined_on", "入党日期", or_empty(R_JOINED), text=or_empty(R_JOINED),
                                sample="2026-09-30", sort=or_none(R_JOINED), tooltip=_no_tip),
            "confirmed_on": Column("confirmed_on", "转正日期", confirmed, text=confirmed, sample="应于 2026-09-30",
                                   sort=lambda r: r[R_CONFIRMED] or r[R_DUE] or None, tooltip=self._due_tip,
                                   foreground=self._due_colour),
            "branch": Column("branch", "所在党支部", branch, text=branch, sample="大洋店社区第二网格党支部",
                             sort=lambda r: self._branch_order.get(r[R_BRANCH]),
                             tooltip=lambda r: _text_or_none(branch(r))),
            "group": Column("group", "楼栋党小组", group, text=group, sample="12-14栋党小组",
                            sort=lambda r: self._group_order.get(r[R_GROUP]),
                            tooltip=lambda r: _text_or_none(group(r))),
            "phone": Column("phone", "联系电话", or_empty(R_PHONE), text=or_empty(R_PHONE), sample="0551-65179666",
                            sort=or_none(R_PHONE), tooltip=_no_tip),
            "address": Column("address", "家庭住址", or_empty(R_ADDRESS), text=or_empty(R_ADDRESS),
                              sample="望湖城北苑12栋2单元1203室", tooltip=lambda r: r[R_ADDRESS] or None),
            "status": Column("status", "党籍状态", lambda r: statuses.get(r[R_STATUS], r[R_STATUS]),
                             sample="停止党籍", tooltip=_no_tip),
            "flags": Column("flags", "标记", itemgetter(R_FLAGS), text=lambda r: flag_text(r[R_FLAGS]),
                            sample="中心户、双报到", sort=or_none(R_FLAGS),
                            tooltip=lambda r: flag_text(r[R_FLAGS], short=False) or None),
        }
        return [columns[key] for key in COLUMN_KEYS]

    def _age(self, r: RosterRow) -> int | None:
        """The age today; also the column's sort key (an int, None when unknown: last)."""
        return self._ages[r[R_BIRTH]]

    def _due_colour(self, r: RosterRow) -> QBrush | None:
        if r[R_DUE] and not r[R_CONFIRMED]:
            if r[R_DUE] < self._today_iso:
                return self._red
            if r[R_DUE] <= self._soon_limit:
                return self._soon
        return None

    def _due_tip(self, r: RosterRow) -> str | None:
        if not r[R_DUE] or r[R_CONFIRMED]:
            return None
        due = dt.date.fromisoformat(r[R_DUE])
        days = (due - self._today).days
        if days < 0:
            return f"预备期已满 {-days} 天（应于 {r[R_DUE]} 转正），请尽快办理转正。"
        if days == 0:
            return "预备期今天届满，可以办理转正。"
        return f"还有 {days} 天预备期满（{r[R_DUE]}）。"

    # ------------------------------------------------------------ state
    def _set_today_strings(self) -> None:
        self._today_iso = self._today.isoformat()
        self._soon_limit = (self._today + dt.timedelta(days=members.DUE_WINDOW_DAYS)).isoformat()

    def set_today(self, today: dt.date) -> None:
        if today != self._today:
            self._today = today
            self._set_today_strings()
            self._ages = _Ages(today)
            self.forget_keys(COL["age"])
            self._refilter()

    @property
    def today(self) -> dt.date:
        return self._today

    @property
    def current_filter(self) -> RosterFilter:
        return self._filter

    def set_roster(self, roster: Roster) -> None:
        """A freshly loaded roster: sort it as the view is sorted, filter, reset."""
        self.roster = roster
        self._branch_order = {bid: ref.order for bid, ref in roster.branches.items()}
        self._group_order = {gid: ref.order for gid, ref in roster.groups.items()}
        for key in ("branch", "group"):
            self.forget_keys(COL[key])
        presorted = roster.sorted_by == "name" and self.sort_column == COL["name"] and not self.sort_descending
        self.set_rows(roster.rows, presorted=presorted)

    @classmethod
    def prepare(
        cls, roster: Roster, flt: RosterFilter, *, sort: tuple[int, bool], today: dt.date
    ) -> MemberTableModel:
        """Run on a worker thread: a scratch model laid out as a model with this filter
        and sort would show `roster` (sorted, filtered, search index built), handed to
        the GUI thread for `adopt`."""
        scratch = cls(None, today=today)
        scratch._sort_col, scratch._descending = sort
        scratch._filter = flt
        scratch.set_roster(roster)
        scratch.searcher()  # the index, built here rather than at the first keystroke
        app = QCoreApplication.instance()
        if app is not None:
            scratch.moveToThread(app.thread())  # it is dropped on the GUI thread
        return scratch

    def adopt(self, scratch: MemberTableModel, flt: RosterFilter | None = None) -> None:
        """Show the roster `prepare` laid out, in one reset. The filter `flt` (default this
        model's) and a sort changed on this model meanwhile are applied afterwards
        (usually nothing is left to do)."""
        wanted_filter = flt if flt is not None else self._filter
        wanted_sort = (self._sort_col, self._descending)
        self.beginResetModel()
        replaced = [self.roster, self._loaded, self._perm, self._all, self._keys, self._hay,
                    self._base, self._left_out, self._searcher, self._shown, self._pinned]
        self.roster = scratch.roster
        self._branch_order, self._group_order = scratch._branch_order, scratch._group_order
        self._loaded, self._pinned, self._perm, self._all = scratch._loaded, [], scratch._perm, scratch._all
        self._keys, self._hay = scratch._keys, {}
        self._sort_col, self._descending, self._sorted_as = scratch._sort_col, scratch._descending, scratch._sorted_as
        self._filter, self._base, self._left_out = scratch._filter, scratch._base, scratch._left_out
        self._searcher, self._shown = scratch._searcher, scratch._shown
        if scratch._today != self._today:  # a new day began while it was read: ages move on
            self._keys.pop(COL["age"], None)
            if self._sorted_as is not None and self._sorted_as[0] == COL["age"]:
                self._sorted_as = None
        self.endResetModel()
        workers.release_later(replaced)  # the old roster freed in slices, not in one pause here
        del replaced
        column, descending = wanted_sort
        if column >= 0 and (self._sort_col, self._descending, self._sorted_as) != (column, descending, wanted_sort):
            self.sort(column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
        self.set_filter(wanted_filter)

    def update_rows(self, rows: list[RosterRow], removed=()) -> None:
        """Fresh copies of a few rows (after an edit) and new members."""
        if self.roster is None:
            return
        self.roster.replace(rows)
        self.set_roster(self.roster)

    def set_filter(self, flt: RosterFilter) -> None:
        if flt == self._filter:
            return
        same_base = replace(flt, search="") == replace(self._filter, search="")
        self._filter = flt
        if not same_base:
            self._refilter()
            return
        shown = self._search_base(flt.search)
        self.beginResetModel()
        self._shown = shown
        self.endResetModel()

    def set_search(self, text: str) -> None:
        self.set_filter(replace(self._filter, search=text))

    @property
    def search_text(self) -> str:
        return self._filter.search

    @property
    def is_filtered(self) -> bool:
        return self._filter != RosterFilter()

    def filter_rows(self, rows: list[RosterRow]) -> list[RosterRow]:
        """Every filter but the search text first (kept: a keystroke only searches)."""
        self._base = members.filter_rows(rows, self._filter, today=self._today)
        self._left_out = None
        self._searcher = None
        return self._search_base(self._filter.search)

    def searcher(self) -> RosterSearch:
        """The search index over `_base` (built once per filtered list)."""
        if self._searcher is None:  # dropped wherever `_base` is replaced (filters, sort, a new roster)
            self._searcher = RosterSearch(self._base)
        return self._searcher

    def _search_base(self, text: str) -> list[RosterRow]:
        """The rows of `_base` the search text matches, in `_base`'s order."""
        if not text.strip():
            return list(self._base)
        return self.searcher().search(text, roster=self.roster)

    def after_sort(self) -> None:
        # The filtered lists hold the same row objects: they are the whole roster, now in
        # its new order, filtered again (C-level passes, no second sort).
        whole_base = len(self._shown) == len(self._base)  # no search text: shown = base
        self._base = self._base_in_order()
        self._searcher = None
        self._shown = list(self._base) if whole_base else self.in_order(self._shown, within=self._base)

    def _base_in_order(self) -> list[RosterRow]:
        rows, base = self._all, self._base
        if len(base) == len(rows):
            return list(rows)
        if len(base) * 2 < len(rows):  # a narrow filter: look the few kept rows up
            return self.in_order(base)
        # Most rows kept (the usual 在册 filter): test every row against the few left out,
        # a set small enough to stay in the cache; kept for the next sort.
        if self._left_out is None:
            kept = set(map(id, base))
            self._left_out = set(filterfalse(kept.__contains__, map(id, rows)))
        out = list(compress(rows, map(operator.not_, map(self._left_out.__contains__, map(id, rows)))))
        if len(out) != len(base):  # not a filtered part of the roster after all
            self._left_out = None
            return self.in_order(base)
        return out

    # ------------------------------------------------------------ lookups
    def member_id(self, row: int) -> int | None:
        return self.id_at(row)

    def row_of(self, wanted) -> int:
        """The view row of a member id, -1 (one C-level pass: kept selections after every
        keystroke over 100,000 rows)."""
        if callable(wanted):
            return super().row_of(wanted)
        try:
            return operator.indexOf(map(itemgetter(R_ID), self._shown), wanted) + len(self._pinned)
        except ValueError:
            return -1


class _Ages(dict):
    """Birth date → age on `today`, worked out once per birth date."""

    def __init__(self, today: dt.date):
        super().__init__()
        self.today = today

    def __missing__(self, birth: str | None) -> int | None:
        age = self[birth] = members.age_on(birth, self.today)
        return age
