"""`RecordTableModel`: the one Qt table model of every list in the window.

Columns are data (`Column`: key, header, how to read a record, how to show it, sample
text for sizing, alignment, tooltip, colour); rows are the plain records a service
returns (dataclasses, tuples). Filtering is Python over the whole list followed by one
model reset, never a `QSortFilterProxyModel` (twenty times slower at 100,000 rows).

Sorting follows one rule set (`sort_key`):

- Chinese text by pinyin, syllable by syllable (蔡 < 陈 < 储), other text case-blind;
- numbers numerically, booleans as 0/1, dates and datetimes by day;
- empty cells (None, "") last, in ascending and descending order alike;
- equal keys keep their previous order (stable), so a second click refines the first.

A column's sort keys are computed once per row load and cached as a list parallel to the
rows as loaded (rows kept across a reload keep their keys). The current order is a list
of load positions sorted by those keys, so a sort is one C-level `list.sort` of ints by
`keys.__getitem__` and no per-row Python; the filtered list is then the whole list
filtered again (C-level `compress`), not sorted a second time. Sorting again by the
column and direction the rows are already in (Qt's `sortByColumn` asks twice) is a no-op.

Roles: `SORT_ROLE` the native sort value, `OBJECT_ROLE` the record, `ID_ROLE` its id.
Subclasses (the roster, the ledger, the volunteer picker) only add their own filters or
rows; columns, sorting and the Qt API live here.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, count, repeat
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()

ALERT = QColor("#C8161D")
SOON = QColor("#A35F00")
MUTED = QColor("#8A8A8A")

LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)
_ALIGNMENTS = {"left": LEFT, "right": RIGHT, "center": CENTER}

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_SORT = int(SORT_ROLE)
_OBJECT = int(OBJECT_ROLE)
_ID = int(ID_ROLE)
_ROLES = frozenset({_DISPLAY, _ALIGN, _FOREGROUND, _TOOLTIP, _SORT, _OBJECT, _ID})
_ITEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


@dataclass(frozen=True)
class Column:
    """One column: `value(record)` is the native value (sorting, `SORT_ROLE`, and the
    text unless `text` is given). `sort` gives a ready-made sort key instead, None for
    an empty cell, compared as it is (the roster's pinyin names, branches in the
    organisation's order)."""

    key: str
    header: str
    value: Callable[[Any], Any]
    text: Callable[[Any], str] | None = None
    align: str = "left"  # left | right | center
    sample: str = ""  # the widest usual content, for sizing the column
    tooltip: Callable[[Any], str | None] | None = None
    alert: Callable[[Any], bool] | None = None  # shown in the accent red when true
    foreground: Callable[[Any], QBrush | None] | None = None  # any other colour rule
    sort: Callable[[Any], Any] | None = None
    fit: bool = False  # widen to the longest text in use (names of teams, branches)

    @property
    def alignment(self) -> int:
        return _ALIGNMENTS.get(self.align, LEFT)

    @property
    def numeric(self) -> bool:
        return self.align == "right"


def display_text(value: Any, *, numeric: bool = False) -> str:
    """The default text of a value: "" for empty, 是 for True, 1,234 for counts."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, int) and numeric:
        return f"{value:,}"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------- sort keys

_readings: dict[str, str] = {}


def _reading(ch: str) -> str:
    found = _readings.get(ch)
    if found is None:
        from pypinyin import Style, lazy_pinyin

        found = (lazy_pinyin(ch, style=Style.NORMAL, errors="default") or [ch])[0].lower()
        found = _readings[ch] = found + " " if found != ch.lower() else found
    return found


def text_key(text: str) -> str:
    """Chinese characters as pinyin syllables, the rest lowercased, then the text
    itself to break ties: 阿 < 八 < 陈 < 储, "abc" == "ABC" but for the tiebreak."""
    if text.isascii():
        return text.lower() + "\x00" + text
    get = _readings.get
    out = []
    for ch in text:
        r = get(ch)
        if r is None:
            r = ch.lower() if ch.isascii() else _reading(ch)
        out.append(r)
    return "".join(out) + "\x00" + text


def sort_key(value: Any) -> Any:
    """The comparable key of a native value, None for an empty one (sorted last).
    Kinds never compare with each other: numbers < dates < text < anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, (bool, int, float)):
        return (0, value)
    if isinstance(value, dt.datetime):
        return (1, value.date().toordinal())
    if isinstance(value, dt.date):
        return (1, value.toordinal())
    if isinstance(value, str):
        return (2, text_key(value))
    if isinstance(value, tuple):
        return (3, tuple((9,) if (k := sort_key(v)) is None else k for v in value))
    return (4, str(value))


# ---------------------------------------------------------------- the model


class RecordTableModel(QAbstractTableModel):
    """A flat table over a list of records. See the module docstring.

    - `search(record) -> str`: the text a search matches (every word, case-blind), or
      `matcher(records, text) -> records` when a service does the searching;
    - `row_id(record)` for `ID_ROLE`, `row_of` and keeping a selection (default `.id`);
    - `muted(record)`: the whole row in grey (left members, inactive teams);
    - `default_sort`: (column key, descending), or None for the service's order.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        parent=None,
        *,
        search: Callable[[Any], str] | None = None,
        matcher: Callable[[Sequence[Any], str], list[Any]] | None = None,
        row_id: Callable[[Any], Any] | None = None,
        muted: Callable[[Any], bool] | None = None,
        default_sort: tuple[str, bool] | None = None,
    ):
        super().__init__(parent)
        self._columns: tuple[Column, ...] = tuple(columns)
        self._search_of = search
        self._matcher = matcher
        self._row_id = row_id or _default_id
        self._muted = muted
        self._all: list[Any] = []  # every record, in the current sort order
        self._loaded: list[Any] = []  # every record, in the order given to `set_rows`
        self._perm: list[int] = []  # positions in `_loaded`, in the current sort order
        self._sorted_as: tuple[int, bool] | None = None  # the (column, descending) `_all` is in
        self._shown: list[Any] = []
        self._pinned: list[Any] = []  # rows always on top, never filtered or sorted
        self._search = ""
        self._predicate: Callable[[Any], bool] | None = None
        self._keys: dict[int, list[Any]] = {}  # column → sort key of each `_loaded` record
        self._hay: dict[int, str] = {}  # id(record) → casefolded search text
        self._sort_col = -1
        self._descending = False
        if default_sort is not None:
            self._sort_col = self.column_index(default_sort[0])
            self._descending = default_sort[1]
        self._alert = QBrush(ALERT)
        self._grey = QBrush(MUTED)
        self._index_columns()

    def _index_columns(self) -> None:
        cols = self._columns
        self._aligns = [c.alignment for c in cols]
        self._texts = [c.text or _default_text(c) for c in cols]
        self._values = [c.value for c in cols]

    # ------------------------------------------------------------ columns
    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    def set_columns(self, columns: Sequence[Column]) -> None:
        """New columns (the rating history adds one per year): a reset."""
        self.beginResetModel()
        self._columns = tuple(columns)
        self._index_columns()
        self._keys.clear()
        self._sorted_as = None
        if self._sort_col >= len(self._columns):
            self._sort_col = -1
        self.endResetModel()

    def column_index(self, key: str) -> int:
        for i, c in enumerate(self._columns):
            if c.key == key:
                return i
        raise KeyError(key)

    # ------------------------------------------------------------ state
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

    @property
    def is_filtered(self) -> bool:
        return bool(self._search.strip()) or self._predicate is not None

    def all_rows(self) -> list[Any]:
        return list(self._all)

    def shown_rows(self) -> list[Any]:
        return list(self._shown)

    def set_rows(self, rows: Iterable[Any], *, pinned: Sequence[Any] = (), presorted: bool = False) -> None:
        """A fresh list: sorted as the view is sorted (unless `presorted`: already in
        that order), filtered, one reset. `pinned` rows (the ledger's 上年结转) stay on
        top whatever the sort and filter."""
        old = self._loaded  # still alive here: an id found in both lists is the same object
        self._loaded = list(rows)
        self._pinned = list(pinned)
        self._keep_cached(old)
        self._perm = list(range(len(self._loaded)))
        self._all = list(self._loaded)
        if presorted:
            self._sorted_as = (self._sort_col, self._descending) if self._sort_col >= 0 else None
        else:
            self._order_all()
        self._refilter()

    def _keep_cached(self, old: list[Any]) -> None:
        """Carry the cached keys (and search texts) of records kept from `old` over to
        the new load; new records get their keys now, once."""
        new = self._loaded
        if self._hay:
            live = set(map(id, new))
            self._hay = {k: v for k, v in self._hay.items() if k in live}
        if not self._keys:
            return
        if len(new) == len(old) and all(map(operator.is_, new, old)):
            return  # the same records in the same order: every key still holds
        place = dict(zip(map(id, old), range(len(old)))).get
        where = list(map(place, map(id, new)))
        for col, keys in list(self._keys.items()):
            key = self._key_function(col)
            self._keys[col] = [keys[i] if i is not None else key(r) for i, r in zip(where, new)]

    def forget_keys(self, column: int) -> None:
        """The keys of a column are out of date (a new day for ages, a new branch order):
        computed again at the next sort."""
        self._keys.pop(column, None)
        if self._sorted_as is not None and self._sorted_as[0] == column:
            self._sorted_as = None

    def update_rows(self, fresh: Iterable[Any], removed: Iterable[Any] = ()) -> None:
        """Replace records by id with `fresh` ones (new ids are added), drop `removed` ids."""
        fresh = list(fresh)
        by_id = {self._row_id(r): r for r in fresh}
        gone = set(removed)
        rows = [by_id.pop(self._row_id(r), r) for r in self._all if self._row_id(r) not in gone]
        rows.extend(r for r in fresh if self._row_id(r) in by_id)
        self.set_rows(rows, pinned=self._pinned)

    def set_search(self, text: str) -> None:
        if text == self._search:
            return
        self._search = text
        self._refilter()

    def set_predicate(self, predicate: Callable[[Any], bool] | None) -> None:
        """An extra condition besides the search text (e.g. "only branches with warnings")."""
        self._predicate = predicate
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        self._shown = self.filter_rows(self._all)
        self.endResetModel()

    def filter_rows(self, rows: list[Any]) -> list[Any]:
        """The records shown, in the order of `rows` (subclasses add their filters)."""
        out = rows if self._predicate is None else [r for r in rows if self._predicate(r)]
        text = self._search.strip()
        if not text:
            return list(out)
        if self._matcher is not None:
            return list(self._matcher(out, text))
        if self._search_of is None:
            return list(out)
        hay, of = self._hay, self._search_of
        for word in text.casefold().split():
            kept = []
            for r in out:
                h = hay.get(id(r))
                if h is None:
                    h = hay[id(r)] = of(r).casefold()
                if word in h:
                    kept.append(r)
            out = kept
        return out

    # ------------------------------------------------------------ sorting
    def _key_function(self, column: int) -> Callable[[Any], Any]:
        c = self._columns[column]
        if c.sort is not None:  # a ready key (None when empty), compared as it is
            return c.sort
        value = c.value
        return lambda r: sort_key(value(r))

    def _column_keys(self, column: int) -> list[Any]:
        """The sort key of every `_loaded` record (same positions), computed once per load."""
        keys = self._keys.get(column)
        if keys is None:
            c = self._columns[column]
            ready = c.sort is not None  # a ready key, else the native value's `sort_key`
            keys = list(map(c.sort, self._loaded)) if ready else list(map(sort_key, map(c.value, self._loaded)))
            self._keys[column] = keys
        return keys

    def keys_of(self, column: int) -> dict[int, Any]:
        """id(record) → sort key of every listed record, computed once per load."""
        return dict(zip(map(id, self._loaded), self._column_keys(column)))

    def _order_all(self) -> None:
        """Put `_all` in the current sort order: sort the load positions by their keys."""
        if self._sort_col < 0:
            self._sorted_as = None
            return
        if len(self._loaded) > 1:
            self._perm = sort_positions(self._perm, self._column_keys(self._sort_col), reverse=self._descending)
            self._all = list(map(self._loaded.__getitem__, self._perm))
        self._sorted_as = (self._sort_col, self._descending)

    def order(self, rows: list[Any]) -> None:
        """Sort `rows` (records of this model) in place by the current sort."""
        if rows is self._all:
            self._order_all()
            return
        if self._sort_col < 0 or len(rows) < 2:
            return
        keys = self.keys_of(self._sort_col)
        reorder(rows, list(map(keys.__getitem__, map(id, rows))), reverse=self._descending)

    def in_order(self, rows: list[Any], within: list[Any] | None = None) -> list[Any]:
        """`rows` (a filtered part of `within`, default every record) in the order of
        `within`: the part kept when `within` is filtered again, no sort. Rows that are
        not such a part (repeats, records from elsewhere) are sorted instead."""
        within = self._all if within is None else within
        if len(rows) == len(within) and rows is not within and all(map(operator.is_, rows, within)):
            return list(within)
        wanted = set(map(id, rows))
        if len(wanted) == len(rows):
            kept = list(compress(within, map(wanted.__contains__, map(id, within))))
            if len(kept) == len(rows):
                return kept
        rows = list(rows)
        self.order(rows)
        return rows

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if self._sorted_as == (column, descending) and self._sort_col == column:
            return  # already in this order (a stable sort would change nothing)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        before = [self._row_object(p.row()) for p in persistent]
        self._sort_col = column
        self._descending = descending
        self._order_all()
        self.after_sort()
        if persistent:
            place = self._places(before)
            moved = [
                self.index(place[id(o)], p.column()) if o is not None and id(o) in place else QModelIndex()
                for p, o in zip(persistent, before)
            ]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _places(self, objects: list[Any]) -> dict[int, int]:
        """id(record) → view row of these records (a few: the view's current row, its
        selection, the header's sections), found by C-level passes over the shown list,
        not a map of every row."""
        wanted = {id(o): o for o in objects if o is not None}
        if not wanted:
            return {}
        offset = len(self._pinned)
        if len(wanted) <= 8:  # the usual case: each one by identity, stopping where found
            place = {}
            for key, obj in wanted.items():
                found = next(compress(count(), map(operator.is_, self._shown, repeat(obj))), None)
                if found is not None:
                    place[key] = found + offset
        else:
            shown = list(map(id, self._shown))
            place = {shown[i]: i + offset for i in compress(range(len(shown)), map(wanted.__contains__, shown))}
        place.update({id(r): i for i, r in enumerate(self._pinned) if id(r) in wanted})
        return place

    def after_sort(self) -> None:
        """Bring the shown list (and a subclass's own lists) into the new order."""
        self._shown = self.in_order(self._shown)

    # ------------------------------------------------------------ lookups
    def _row_object(self, row: int) -> Any:
        pinned = len(self._pinned)
        if 0 <= row < pinned:
            return self._pinned[row]
        row -= pinned
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def row_at(self, row: int) -> Any | None:
        """The record at a view row (None for a pinned row or outside the table)."""
        row -= len(self._pinned)
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def id_at(self, row: int) -> Any | None:
        found = self.row_at(row)
        return self._row_id(found) if found is not None else None

    def row_of(self, wanted: Any) -> int:
        """The view row of a record id (or of the first record a predicate accepts), -1."""
        test = wanted if callable(wanted) else (lambda r: self._row_id(r) == wanted)
        for i, r in enumerate(self._shown):
            if test(r):
                return i + len(self._pinned)
        return -1

    def fit_texts(self, column: int) -> set[str]:
        """The distinct texts of a column over every record (for sizing a `fit` column)."""
        text = self._texts[column]
        return {text(r) for r in self._all}

    # ------------------------------------------------------------ Qt model API
    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._shown) + len(self._pinned)

    def columnCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ITEM_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == _DISPLAY:
            return self._columns[section].header
        if role == _ALIGN:
            return self._aligns[section]
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Called for every visible cell and role on each repaint: cheap tests first.
        if role not in _ROLES or not index.isValid():
            return None
        c = index.column()
        record = self._row_object(index.row())
        if record is None or not 0 <= c < len(self._columns):
            return None
        if role == _DISPLAY:
            return self._texts[c](record)
        if role == _ALIGN:
            return self._aligns[c]
        if role == _FOREGROUND:
            return self.foreground(record, c)
        if role == _TOOLTIP:
            column = self._columns[c]
            if column.tooltip is not None:
                return column.tooltip(record) or None
            text = self._texts[c](record)
            return text if len(text) > 12 else None
        if role == _SORT:
            column = self._columns[c]
            return column.sort(record) if column.sort is not None else column.value(record)
        if role == _OBJECT:
            return record if index.row() >= len(self._pinned) else None
        if role == _ID:
            return self._row_id(record) if index.row() >= len(self._pinned) else None
        return None

    def foreground(self, record: Any, column: int) -> QBrush | None:
        """Grey for a muted row, then the column's red alert, then its own colour rule."""
        if self._muted is not None and self._muted(record):
            return self._grey
        c = self._columns[column]
        if c.alert is not None and c.alert(record):
            return self._alert
        return c.foreground(record) if c.foreground is not None else None


def sort_positions(positions: list[int], keys: list[Any], *, reverse: bool = False) -> list[int]:
    """`positions` (indices into `keys`) sorted by their keys: stable, None keys last in
    either direction. Sorting ints by `keys.__getitem__` keeps the work in C."""
    if None in keys:
        key_at = keys.__getitem__
        full = list(compress(positions, map(operator.is_not, map(key_at, positions), repeat(None))))
        empty = list(compress(positions, map(operator.is_, map(key_at, positions), repeat(None))))
    else:
        full, empty = list(positions), []
    full.sort(key=keys.__getitem__, reverse=reverse)
    if empty:
        full += empty
    return full


def reorder(rows: list[Any], keys: list[Any], *, reverse: bool = False) -> None:
    """Sort `rows` in place by the parallel list `keys` (stable; None keys last in
    either direction)."""
    order = sort_positions(list(range(len(keys))), keys, reverse=reverse)
    rows[:] = list(map(rows.__getitem__, order))


def _default_id(record: Any) -> Any:
    return getattr(record, "id", None)


def _default_text(column: Column) -> Callable[[Any], str]:
    value, numeric = column.value, column.numeric
    return lambda r: display_text(value(r), numeric=numeric)
