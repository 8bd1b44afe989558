"""Tables that run over many pages with the header row repeated on every page.

One reportlab `Table` of 50,000 rows that splits itself page by page is super-linear
(each split re-measures the whole remainder: > 2 minutes). `DataTable` instead lays out
one page chunk at a time: it builds a `Table` of the header plus only the rows that fit
in the space left on the page, and hands the rest on as a new `DataTable` sharing the
same rows. Each row is converted to cells once and measured a bounded number of times,
so the work is linear in the number of rows.

Cells are plain strings when they fit on one line (fast) and CJK-wrapping `Paragraph`s
otherwise. Numeric columns are right-aligned; flagged rows get a light red fill (and the
caller should say why in a text column, for black-and-white printers); emphasised rows
(a 合计 line) are set in the heading face.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError

from reports.pdf.styles import (
    FLAG_FILL,
    HEADER_FILL,
    RULE,
    TABLE_LEADING,
    TABLE_SIZE,
    TOTAL_FILL,
    DocumentStyles,
)

__all__ = ["DataTable", "TableSpec"]

PAD_X = 3.0
PAD_TOP = 3.0
PAD_BOTTOM = 4.0
GRID_WIDTH = 0.5
#: A number or code that does not fit its column is set down to this share of the size.
MIN_SHRINK = 0.7


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class TableSpec:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    col_widths: Sequence[float]  # points; they sum to the width of the text block
    numeric_columns: Collection[int] = ()
    centered_columns: Collection[int] = ()
    flagged_rows: Collection[int] = ()  # indexes into rows
    emphasis_rows: Collection[int] = ()  # indexes into rows (合计)
    keep_together_rows: int = 12  # a table this short is never split (unless it is taller than a page)
    min_rows_on_page: int = 3  # rows at least on a page where the table starts and where it ends
    caption: Flowable | None = None  # set above the first rows, on the same page (表1 …)
    footer: list[Flowable] = field(default_factory=list)  # set under the last row, on the same page
    _cells: dict[int, list[Any]] = field(default_factory=dict, repr=False)
    _header: list[Any] | None = field(default=None, repr=False)
    _heights: dict[int | None, float] = field(default_factory=dict, repr=False)
    _shrunk: dict[int, list[tuple[int, float]]] = field(default_factory=dict, repr=False)  # row -> (col, size)

    def align(self, col: int) -> str:
        if col in self.numeric_columns:
            return "RIGHT"
        if col in self.centered_columns:
            return "CENTER"
        return "LEFT"


class DataTable(Flowable):
    """A table laid out page chunk by page chunk (see the module docstring)."""

    def __init__(self, spec: TableSpec, styles: DocumentStyles, start: int = 0):
        super().__init__()
        self.spec = spec
        self.styles = styles
        self.start = start
        self._fitted: tuple[float, int, float] | None = None  # aH, rows that fit, their height with the header

    # -- cells

    def _header_cells(self) -> list[Any]:
        if self.spec._header is None:
            self.spec._header = [Paragraph(_escape(str(h)), self.styles.header) for h in self.spec.headers]
        return self.spec._header

    def _row_cells(self, index: int) -> list[Any]:
        cached = self.spec._cells.get(index)
        if cached is not None:
            return cached
        spec, styles = self.spec, self.styles
        bold = index in spec.emphasis_rows
        font = styles.fonts.heading if bold else styles.fonts.body
        cells: list[Any] = []
        for col, value in enumerate(spec.rows[index]):
            if isinstance(value, Flowable):
                cells.append(value)
                continue
            text = "" if value is None else str(value)
            room = spec.col_widths[col] - 2 * PAD_X - 0.5
            width = stringWidth(text, font, TABLE_SIZE) if "\n" not in text else float("inf")
            if width <= room:
                cells.append(text)
            elif spec.align(col) != "LEFT" and width * MIN_SHRINK <= room:
                # A number is never wrapped (¥1,234,567.00 on two lines misleads): set it smaller.
                cells.append(text)
                spec._shrunk.setdefault(index, []).append((col, TABLE_SIZE * room / width))
            else:
                para_text = "<br/>".join(_escape(part) for part in text.split("\n"))
                cells.append(Paragraph(para_text, styles.cell_style(spec.align(col), bold)))
        spec._cells[index] = cells
        return cells

    # -- tables

    def _table(self, stop: int) -> Table:
        spec = self.spec
        data = [self._header_cells()] + [self._row_cells(i) for i in range(self.start, stop)]
        cmds: list[tuple] = [
            ("FONTNAME", (0, 0), (-1, -1), self.styles.fonts.body),
            ("FONTSIZE", (0, 0), (-1, -1), TABLE_SIZE),
            ("LEADING", (0, 0), (-1, -1), TABLE_LEADING),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), PAD_TOP),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_BOTTOM),
            ("GRID", (0, 0), (-1, -1), GRID_WIDTH, RULE),
            ("BOX", (0, 0), (-1, -1), GRID_WIDTH * 2, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ]
        for col in range(len(spec.headers)):
            align = spec.align(col)
            if align != "LEFT":
                cmds.append(("ALIGN", (col, 1), (col, -1), align))
        for i in range(self.start, stop):
            row = i - self.start + 1
            if i in spec.emphasis_rows:
                cmds.append(("FONTNAME", (0, row), (-1, row), self.styles.fonts.heading))
                cmds.append(("BACKGROUND", (0, row), (-1, row), TOTAL_FILL))
            if i in spec.flagged_rows:
                cmds.append(("BACKGROUND", (0, row), (-1, row), FLAG_FILL))
            for col, size in spec._shrunk.get(i, ()):
                cmds.append(("FONTSIZE", (col, row), (col, row), size))
                cmds.append(("LEADING", (col, row), (col, row), size * TABLE_LEADING / TABLE_SIZE))
        heights = [self._row_height(None)] + [self._row_height(i) for i in range(self.start, stop)]
        return Table(data, colWidths=list(spec.col_widths), rowHeights=heights, repeatRows=1,
                     style=TableStyle(cmds), hAlign="LEFT")

    def _row_height(self, index: int | None) -> float:
        """Height of a row (None: the header), as reportlab's Table would compute it."""
        spec = self.spec
        cached = spec._heights.get(index)
        if cached is not None:
            return cached
        cells = self._header_cells() if index is None else self._row_cells(index)
        h = 0.0
        for cell, width in zip(cells, spec.col_widths):
            if isinstance(cell, Flowable):
                _, ch = cell.wrap(width - 2 * PAD_X, 100_000)
                ch += cell.getSpaceBefore() + cell.getSpaceAfter()
            else:
                ch = TABLE_LEADING * (cell.count("\n") + 1)
            h = max(h, ch)
        h += PAD_TOP + PAD_BOTTOM
        spec._heights[index] = h
        return h

    def _footer_height(self) -> float:
        return sum(_outer_height(f, sum(self.spec.col_widths)) for f in self.spec.footer)

    def _caption_height(self) -> float:
        caption = self.spec.caption
        if caption is None or self.start:
            return 0.0
        return _outer_height(caption, sum(self.spec.col_widths))

    def _fit(self, aH: float) -> int:
        """How many rows from `start` fit under the header in `aH` (with the footer when
        they are the last ones)."""
        if self._fitted is not None and self._fitted[0] == aH:
            return self._fitted[1]
        used = self._caption_height() + self._row_height(None)
        fit = 0
        total = len(self.spec.rows)
        for i in range(self.start, total):
            h = self._row_height(i)
            if used + h > aH + 0.01:
                break
            used += h
            fit += 1
        if self.start + fit == total and used + self._footer_height() > aH + 0.01 and fit:
            fit -= 1  # the footer does not fit under the last row: some rows go with it
            used -= self._row_height(total - 1)
        self._fitted = (aH, fit, used)
        return fit

    def min_height(self) -> float:
        """The least space the table needs where it starts: all of it when it is short,
        else the header and `min_rows_on_page` rows."""
        spec = self.spec
        n = len(spec.rows) - self.start
        head = self._caption_height() + self._row_height(None)
        if self.start == 0 and n <= spec.keep_together_rows:
            return head + sum(self._row_height(i) for i in range(n)) + self._footer_height()
        n = min(n, spec.min_rows_on_page)
        return head + sum(self._row_height(i) for i in range(self.start, self.start + n))

    # -- Flowable protocol

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        fit = self._fit(availHeight)
        self.width = sum(self.spec.col_widths)
        if fit == len(self.spec.rows) - self.start:
            self.height = self._fitted[2] + self._footer_height()
        else:
            # Does not fit: one point more than the space, so the frame asks us to split.
            self.height = availHeight + 1
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        spec = self.spec
        fit = self._fit(availHeight)
        remaining = len(spec.rows) - self.start
        if fit >= remaining:
            return [self]
        at_top = bool(getattr(getattr(self, "_frame", None), "_atTop", False))
        if self.start == 0 and remaining <= spec.keep_together_rows and not at_top:
            return []
        # Leave at least `min_rows_on_page` rows for the next page too (no lone last row).
        carry = min(spec.min_rows_on_page, remaining)
        if remaining - fit < carry and fit - (carry - (remaining - fit)) >= spec.min_rows_on_page:
            fit -= carry - (remaining - fit)
        if fit < min(spec.min_rows_on_page, remaining):
            if not at_top:
                return []  # the whole table (with its header) goes to the next page
            if fit == 0:
                raise LayoutError("表格的一行高于一页，无法排版")
        head = self._table(self.start + fit)
        caption = [spec.caption] if spec.caption is not None and self.start == 0 else []
        return [*caption, head, DataTable(spec, self.styles, self.start + fit)]

    def draw(self) -> None:
        y = self.height
        if self.spec.caption is not None and self.start == 0:
            y = _draw_down(self.spec.caption, self.canv, self.width, y)
        table = self._table(len(self.spec.rows))
        _, h = table.wrapOn(self.canv, self.width, self.height)
        y -= h
        table.drawOn(self.canv, 0, y)
        for flowable in self.spec.footer:
            y = _draw_down(flowable, self.canv, self.width, y)


def _outer_height(flowable: Flowable, width: float) -> float:
    _, h = flowable.wrap(width, 100_000)
    return h + flowable.getSpaceBefore() + flowable.getSpaceAfter()


def _draw_down(flowable: Flowable, canv: Any, width: float, top: float) -> float:
    """Draw `flowable` with its top (and space before) at `top`; return the y below it."""
    _, h = flowable.wrapOn(canv, width, 100_000)
    top -= flowable.getSpaceBefore() + h
    flowable.drawOn(canv, 0, top)
    return top - flowable.getSpaceAfter()
