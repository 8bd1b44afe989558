"""The `QTableView` every list uses, set up once: whole-row selection, no editing, no
row numbers, rows as tall as the font needs, columns sized from the model's `Column`
samples, sorting by clicking a header (the model sorts; see `ui.record_table_model`),
and the small helpers to select rows and read the selection back.

The header (`SortHeader`) keeps the sort arrow off the header text: under the program's
stylesheet (``QHeaderView::section`` with padding) Qt lays the label over the whole
section, so a right-aligned header such as 本年 ran under the arrow. The label is drawn
left of the arrow instead, and every column is at least as wide as its header text,
the padding and the arrow (`size_columns`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QStyleOptionHeader, QTableView, QWidget

from ui.record_table_model import RecordTableModel


def _header_option(header: QHeaderView, logical_index: int, rect: QRect) -> QStyleOptionHeader:
    opt = QStyleOptionHeader()
    header.initStyleOption(opt)
    header.initStyleOptionForIndex(opt, logical_index)
    opt.rect = rect
    return opt


def section_rects(header: QHeaderView, logical_index: int) -> tuple[QRect, QRect | None]:
    """Where `SortHeader` draws a section's label and its sort arrow (None when the
    section shows no arrow), as the section is now."""
    rect = QRect(header.sectionViewportPosition(logical_index), 0, header.sectionSize(logical_index),
                 header.height())
    return _label_and_arrow(header.style(), _header_option(header, logical_index, rect), header)


def _label_and_arrow(style: QStyle, opt: QStyleOptionHeader, widget: QWidget) -> tuple[QRect, QRect | None]:
    label = style.subElementRect(QStyle.SubElement.SE_HeaderLabel, opt, widget)
    if opt.sortIndicator == QStyleOptionHeader.SortIndicator.None_:
        return label, None
    arrow = style.subElementRect(QStyle.SubElement.SE_HeaderArrow, opt, widget)
    gap = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, opt, widget)
    if opt.orientation == Qt.Orientation.Horizontal and arrow.isValid():
        if arrow.center().x() >= label.center().x():  # arrow on the right: the label ends before it
            label.setRight(min(label.right(), arrow.left() - gap - 1))
        else:
            label.setLeft(max(label.left(), arrow.right() + gap + 1))
    return label, arrow


def header_min_width(header: QHeaderView, logical_index: int) -> int:
    """The narrowest section that shows its header text whole with a sort arrow beside
    it: the text, the stylesheet's padding, the arrow and the gap before it."""
    height = max(header.height(), header.sizeHint().height())
    probe = QRect(0, 0, 1000, height)
    opt = _header_option(header, logical_index, probe)
    opt.sortIndicator = QStyleOptionHeader.SortIndicator.SortDown
    label, _arrow = _label_and_arrow(header.style(), opt, header)
    return header.fontMetrics().horizontalAdvance(opt.text) + (probe.width() - label.width()) + 2


class SortHeader(QHeaderView):
    """A horizontal header that draws each label clear of the sort arrow (see the module)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)

    def paintSection(self, painter: QPainter, rect: QRect, logical_index: int) -> None:  # noqa: N802 (Qt)
        if not rect.isValid():
            return
        opt = QStyleOptionHeader()
        self.initStyleOption(opt)
        self.initStyleOptionForIndex(opt, logical_index)
        opt.rect = rect
        if opt.sortIndicator == QStyleOptionHeader.SortIndicator.None_:
            super().paintSection(painter, rect, logical_index)
            return
        style = self.style()
        # What QCommonStyle does for CE_Header, with the label kept off the arrow.
        style.drawControl(QStyle.ControlElement.CE_HeaderSection, opt, painter, self)
        label, arrow = _label_and_arrow(style, opt, self)
        sub = QStyleOptionHeader(opt)
        if label.isValid():
            sub.rect = label
            style.drawControl(QStyle.ControlElement.CE_HeaderLabel, sub, painter, self)
        if arrow is not None and arrow.isValid():
            sub.rect = arrow
            style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorHeaderArrow, sub, painter, self)


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
    view.setHorizontalHeader(SortHeader(view))
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
    """Each column as wide as its widest usual content, and never narrower than its
    header text with the padding and a sort arrow beside it (`header_min_width`)."""
    model: RecordTableModel = view.model()  # type: ignore[assignment]
    fm = view.fontMetrics()
    header = view.horizontalHeader()
    for i, column in enumerate(model.columns):
        view.setColumnWidth(i, max(fm.horizontalAdvance(column.sample) + 22, header_min_width(header, i)))


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
