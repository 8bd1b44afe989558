"""Table headers keep the sort arrow off their text (issue 19: "a sort arrow covers the
header text 本年", the 本年 column of a team's volunteers, right-aligned and sorted at
first): under the program's stylesheet every section is at least as wide as its text,
its padding and the arrow, and the label is drawn left of the arrow, for every column."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from ui import theme
from ui.table_view import SortHeader, make_table, section_rects
from ui.volunteer_table_models import TeamMemberTableModel, TeamTableModel, VolunteerTableModel


@pytest.fixture
def themed(qtbot):
    theme.apply_theme(QApplication.instance())
    host = QWidget()
    host.resize(1300, 300)
    qtbot.addWidget(host)
    return host


@pytest.mark.parametrize("model_class", [TeamMemberTableModel, TeamTableModel, VolunteerTableModel])
def test_every_header_fits_its_text_beside_the_sort_arrow(themed, qtbot, model_class):
    model = model_class(themed)
    view = make_table("headerTest", model, themed)
    view.resize(1300, 260)
    themed.show()
    qtbot.waitExposed(themed)
    header = view.horizontalHeader()
    assert isinstance(header, SortHeader)
    fm = header.fontMetrics()
    if model_class is TeamMemberTableModel:  # the table of the report: sorted by 本年 from the start
        year = next(i for i, c in enumerate(model.columns) if c.header == "本年")
        assert header.sortIndicatorSection() == year
    for i, column in enumerate(model.columns):
        header.setSortIndicator(i, Qt.SortOrder.DescendingOrder)
        QApplication.processEvents()
        label, arrow = section_rects(header, i)
        text = fm.horizontalAdvance(column.header)
        assert arrow is not None and arrow.width() > 0, column.header
        assert header.sectionSize(i) >= text + arrow.width(), column.header
        assert label.width() >= text, f"{column.header}: {label.width()} < {text}"
        assert not label.intersects(arrow), f"{column.header}: label {label} overlaps the arrow {arrow}"
        assert label.left() >= header.sectionViewportPosition(i), column.header


def test_the_arrow_is_painted_clear_of_the_text(themed, qtbot):
    """The pixels: with 本年 sorted, text left of the arrow and no stroke of it in the arrow's columns."""
    model = TeamMemberTableModel(themed)
    view = make_table("headerPaint", model, themed)
    view.resize(1300, 260)
    themed.show()
    qtbot.waitExposed(themed)
    header = view.horizontalHeader()
    year = next(i for i, c in enumerate(model.columns) if c.header == "本年")
    header.setSortIndicator(year, Qt.SortOrder.DescendingOrder)
    QApplication.processEvents()
    label, arrow = section_rects(header, year)
    image = header.grab().toImage()
    ratio = image.devicePixelRatio()
    background = image.pixelColor(int((label.left() + 1) * ratio), int((header.height() - 3) * ratio))

    def inked(x: int, rows) -> bool:
        return any(image.pixelColor(int(x * ratio), int(y * ratio)) != background for y in rows)

    text_rows = range(label.top(), label.bottom() + 1)
    assert any(inked(x, text_rows) for x in range(label.left(), arrow.left())), "the header text is painted"
    assert any(inked(x, range(arrow.top(), arrow.bottom() + 1)) for x in range(arrow.left(), arrow.right() + 1)), \
        "the arrow is painted"
    # Above and below the arrow, inside its columns, nothing: no stroke of 本年 runs under it.
    beside = [y for y in text_rows if not arrow.top() <= y <= arrow.bottom()]
    assert not any(inked(x, beside) for x in range(arrow.left(), arrow.right() + 1))
