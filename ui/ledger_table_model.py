"""Qt table models of the 经费台账 tab, over the plain results of `services.ledger`.

- `LedgerTableModel`: one branch's entries for a year with the running balance; an
  opening row (上年结转) first when there is one; money ``¥10,000.00`` right-aligned,
  reversed amounts (a reversal is a negative income or expense) in red, an entry that
  has been reversed greyed with a tooltip naming the reversing voucher. Sorting keeps
  the opening row on top; the 余额 column always shows the balance in date order.
- `RecordsTableModel`: a small generic table (quarter totals, compliance rows, the funds
  summary, the bulk allocation preview) described by a list of `Column`s.

Roles: `SORT_ROLE` native values, `ROW_ROLE` the record (None for the opening row),
`ID_ROLE` the entry id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ui import formatting
from wanghu_desk.services.ledger import LedgerRow, LedgerView

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()

ALERT = QColor("#C8161D")
MUTED = QColor("#8A8A8A")
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Any], Any]  # the native value (sorting) of a record
    text: Callable[[Any], str] | None = None  # how it is shown; default str(value)
    align: str = "left"  # left | right | center
    sample: str = ""  # the widest usual content, for sizing
    alert: Callable[[Any], bool] | None = None  # shown in red when true
    tooltip: Callable[[Any], str | None] | None = None


def _sortable(value: Any) -> Any:
    if value is None:
        return (0, "")
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, (dt.date, dt.datetime)):
        return (1, value.toordinal())
    return (2, str(value))


def _align(name: str) -> int:
    return {"right": _RIGHT, "center": _CENTER}.get(name, _LEFT)


# ---------------------------------------------------------------- the entries


class _Opening:
    """The 上年结转 row."""

    def __init__(self, year: int, fen: int):
        self.year = year
        self.balance_fen = fen


LEDGER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # key, title, widest usual content
    ("entry_date", "日期", "2026-09-30"),
    ("voucher_no", "凭证号", "凭证号"),
    ("kind", "类型", "支出（已冲销）"),
    ("summary", "摘要", "“乐夕阳”助老送餐食材费"),
    ("subject", "科目", "服务群众"),
    ("income", "收入", "¥100,000.00"),
    ("expense", "支出", "¥100,000.00"),
    ("balance", "余额", "¥100,000.00"),
    ("handler", "经办人", "欧阳明明"),
    ("approvers", "审批人", "赵红梅、陈海燕"),
    ("fund", "经费类别", "小区党组织服务群众专项经费"),
)
COL = {key: i for i, (key, _, _) in enumerate(LEDGER_COLUMNS)}
_MONEY = {COL["income"], COL["expense"], COL["balance"]}


def kind_text(row: LedgerRow) -> str:
    if row.kind == "reversal":
        return f"冲销第{row.reverses_voucher_no}号" if row.reverses_voucher_no else "冲销"
    return row.kind_label + ("（已冲销）" if row.is_reversed else "")


class LedgerTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.view: LedgerView | None = None
        self._opening: _Opening | None = None
        self._all: list[LedgerRow] = []
        self._shown: list[LedgerRow] = []
        self._needle = ""
        self._sort: tuple[int, bool] | None = None
        self._alert = QBrush(ALERT)
        self._muted = QBrush(MUTED)

    # ------------------------------------------------------------ state
    def set_view(self, view: LedgerView | None) -> None:
        self.beginResetModel()
        self.view = view
        self._all = list(view.rows) if view else []
        self._opening = _Opening(view.year, view.opening_fen) if view and view.opening_fen else None
        self._apply()
        self.endResetModel()

    def set_filter_text(self, text: str) -> None:
        needle = text.strip().lower()
        if needle == self._needle:
            return
        self.beginResetModel()
        self._needle = needle
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        rows = self._all
        if self._needle:
            words = self._needle.split()

            def hay(r: LedgerRow) -> str:
                return " ".join([r.summary, r.handler or "", r.approvers, r.subject_label, r.kind_label,
                                 r.fund_name, str(r.voucher_no), r.entry_date.isoformat()]).lower()

            rows = [r for r in rows if all(w in hay(r) for w in words)]
        self._shown = list(rows)
        if self._sort is not None:
            column, descending = self._sort
            self._shown.sort(key=lambda r: _sortable(self._native(r, column)), reverse=descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(LEDGER_COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order == Qt.SortOrder.DescendingOrder)
        self._apply()
        self.layoutChanged.emit()

    @property
    def total_count(self) -> int:
        return len(self._all)

    @property
    def shown_count(self) -> int:
        return len(self._shown)

    def entry(self, row: int) -> LedgerRow | None:
        offset = 1 if self._opening else 0
        i = row - offset
        return self._shown[i] if 0 <= i < len(self._shown) else None

    def row_of(self, entry_id: int) -> int:
        offset = 1 if self._opening else 0
        for i, r in enumerate(self._shown):
            if r.id == entry_id:
                return i + offset
        return -1

    # ------------------------------------------------------------ values
    @staticmethod
    def _native(r: LedgerRow, column: int) -> Any:
        key = LEDGER_COLUMNS[column][0]
        if key == "entry_date":
            return r.entry_date.toordinal() * 100_000 + r.voucher_no  # date order, then voucher order
        return {
            "voucher_no": r.voucher_no,
            "kind": r.kind_label,
            "fund": r.fund_name,
            "summary": r.summary,
            "subject": r.subject_label,
            "income": r.income_fen,
            "expense": r.expense_fen,
            "balance": r.balance_fen,
            "handler": r.handler or "",
            "approvers": r.approvers,
        }[key]

    @staticmethod
    def _text(r: LedgerRow, column: int) -> str:
        key = LEDGER_COLUMNS[column][0]
        if key == "entry_date":
            return formatting.date(r.entry_date)
        if key == "voucher_no":
            return str(r.voucher_no)
        if key == "kind":
            return kind_text(r)
        if key == "fund":
            return r.fund_name
        if key == "summary":
            return r.summary
        if key == "subject":
            return r.subject_label
        if key == "income":
            return formatting.money(r.income_fen) if r.income_fen else ""
        if key == "expense":
            return formatting.money(r.expense_fen) if r.expense_fen else ""
        if key == "balance":
            return formatting.money(r.balance_fen)
        if key == "handler":
            return r.handler or ""
        return r.approvers

    # ------------------------------------------------------------ Qt
    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._shown) + (1 if self._opening else 0)

    def columnCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(LEDGER_COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(LEDGER_COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return LEDGER_COLUMNS[section][1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section in _MONEY else _LEFT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        column = index.column()
        if self._opening is not None and index.row() == 0:
            return self._opening_data(column, role)
        r = self.entry(index.row())
        if r is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in _MONEY:
                return _RIGHT
            return _CENTER if column == COL["voucher_no"] else _LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            if column in (COL["income"], COL["expense"]) and (r.income_fen < 0 or r.expense_fen < 0):
                return self._alert
            if column == COL["balance"] and r.balance_fen < 0:
                return self._alert
            if r.is_reversed or r.kind == "reversal":
                return self._muted
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if r.is_reversed:
                return f"这笔{r.kind_label}已由第{r.reversed_by_voucher_no}号凭证冲销。"
            if r.kind == "reversal":
                return f"冲销第{r.reverses_voucher_no}号凭证（红字）。"
            if column == COL["summary"]:
                return r.summary
            return None
        if role == SORT_ROLE:
            return self._native(r, column)
        if role == ROW_ROLE:
            return r
        if role == ID_ROLE:
            return r.id
        return None

    def _opening_data(self, column: int, role: int):
        o = self._opening
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL["entry_date"]:
                return f"{o.year}-01-01"
            if column == COL["summary"]:
                return "上年结转"
            if column == COL["balance"]:
                return formatting.money(o.balance_fen)
            return ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column in _MONEY else _LEFT
        if role == SORT_ROLE:
            return -1
        if role == Qt.ItemDataRole.ToolTipRole:
            return "上一年度的期末余额，按经费类别的设置结转到本年。"
        return None


# ---------------------------------------------------------------- small generic tables


class RecordsTableModel(QAbstractTableModel):
    """A table over a short list of records described by `Column`s; sorted in Python."""

    def __init__(self, columns: list[Column], parent=None):
        super().__init__(parent)
        self.columns = columns
        self._records: list[Any] = []
        self._shown: list[Any] = []
        self._predicate: Callable[[Any], bool] | None = None
        self._sort: tuple[int, bool] | None = None
        self._alert = QBrush(ALERT)

    def set_records(self, records: list[Any]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self._apply()
        self.endResetModel()

    def set_predicate(self, predicate: Callable[[Any], bool] | None) -> None:
        self.beginResetModel()
        self._predicate = predicate
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        rows = self._records if self._predicate is None else [r for r in self._records if self._predicate(r)]
        self._shown = list(rows)
        if self._sort is not None:
            column, descending = self._sort
            getter = self.columns[column].value
            self._shown.sort(key=lambda r: _sortable(getter(r)), reverse=descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order == Qt.SortOrder.DescendingOrder)
        self._apply()
        self.layoutChanged.emit()

    @property
    def total_count(self) -> int:
        return len(self._records)

    def records(self) -> list[Any]:
        return list(self._shown)

    def record(self, row: int) -> Any:
        return self._shown[row] if 0 <= row < len(self._shown) else None

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
            return _align(self.columns[section].align)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        record = self._shown[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column.text is not None:
                return column.text(record)
            value = column.value(record)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _align(column.align)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._alert if column.alert is not None and column.alert(record) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(record) if column.tooltip is not None else None
        if role == SORT_ROLE:
            return column.value(record)
        if role == ROW_ROLE:
            return record
        return None
