"""The `QTableView` every list uses, set up once: whole-row selection, no editing, no
row numbers, rows as tall as the font needs, columns sized from the model's `Column`
samples, sorting by clicking a header (the model sorts; see `ui.record_table_model`),
and the small helpers to select rows and read the selection back."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui.record_table_model import RecordTableModel


def make_table(
    name: str,
    model: RecordTableModel,
    parent: QWidget,
    *,
    multi: bool = True,
    movable: bool = False,
    stretch_first: bool | None = None,
) -> QTableView:
    """A read-only table over `model`. The sort indicator starts on the model's own
    sort (none: the service's order until the clerk clicks a header). `stretch_first`
    (default: when the last column is a figure) gives the spare width to the first
    column instead of the last, so a figure does not sit far from its row's name."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection if multi else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    vertical = view.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(view.fontMetrics().height() + 12)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionsMovable(movable)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSortIndicatorShown(True)
    order = Qt.SortOrder.DescendingOrder if model.sort_descending else Qt.SortOrder.AscendingOrder
    header.setSortIndicator(model.sort_column, order)
    view.setSortingEnabled(True)
    size_columns(view)
    columns = model.columns
    if stretch_first is None:
        stretch_first = bool(columns) and columns[-1].numeric
    if stretch_first:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
    else:
        header.setStretchLastSection(True)
    return view


def size_columns(view: QTableView) -> None:
    """Each column as wide as its header (and sort arrow) and its widest usual content."""
    model: RecordTableModel = view.model()  # type: ignore[assignment]
    fm = view.fontMetrics()
    header_fm = view.horizontalHeader().fontMetrics()
    for i, column in enumerate(model.columns):
        arrow = 14 if column.numeric else 24
        width = max(fm.horizontalAdvance(column.sample), header_fm.horizontalAdvance(column.header) + arrow) + 22
        view.setColumnWidth(i, width)


def fit_columns(view: QTableView, limit_chars: int = 20) -> None:
    """Widen the `fit` columns to the longest text in use (never narrower, at most
    `limit_chars` characters; longer texts are elided, the whole text in the tooltip)."""
    model: RecordTableModel = view.model()  # type: ignore[assignment]
    fm = view.fontMetrics()
    limit = fm.horizontalAdvance("中") * limit_chars
    for i, column in enumerate(model.columns):
        if not column.fit:
            continue
        widest = max((fm.horizontalAdvance(t) for t in model.fit_texts(i)), default=0) + 24
        if widest > view.columnWidth(i):
            view.setColumnWidth(i, min(widest, limit))


def select_row(view: QTableView, row: int) -> None:
    """Make `row` the current, only selected row and scroll to it (nothing for -1)."""
    if row < 0:
        return
    index = view.model().index(row, 0)
    view.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    view.scrollTo(index)


def add_to_selection(view: QTableView, row: int) -> None:
    view.selectionModel().select(
        view.model().index(row, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    )


def select_ids(view: QTableView, ids: list[Any], current: Any = None) -> bool:
    """Select the rows of these record ids (the current one, or the first, current)."""
    model: RecordTableModel = view.model()  # type: ignore[assignment]
    rows = [r for r in (model.row_of(i) for i in ids) if r >= 0]
    if not rows:
        return False
    first = model.row_of(current) if current is not None else -1
    first = first if first >= 0 else rows[0]
    select_row(view, first)
    for r in rows:
        if r != first:
            add_to_selection(view, r)
    return True


def selected_rows(view: QTableView) -> list[int]:
    return sorted({i.row() for i in view.selectionModel().selectedRows()})


def selected_ids(view: QTableView) -> list[Any]:
    model: RecordTableModel = view.model()  # type: ignore[assignment]
    return [rid for rid in (model.id_at(r) for r in selected_rows(view)) if rid is not None]


def selected_records(view: QTableView) -> list[Any]:
    model: RecordTableModel = view.model()  # type: ignore[assignment]
    return [rec for rec in (model.row_at(r) for r in selected_rows(view)) if rec is not None]


def current_record(view: QTableView) -> Any | None:
    """The record of the current row when that row is selected, else None."""
    index = view.currentIndex()
    if not index.isValid() or not view.selectionModel().isRowSelected(index.row(), QModelIndex()):
        return None
    return view.model().row_at(index.row())  # type: ignore[attr-defined]


def current_id(view: QTableView) -> Any | None:
    record = current_record(view)
    return view.model().id_at(view.currentIndex().row()) if record is not None else None  # type: ignore[attr-defined]
