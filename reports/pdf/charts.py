"""Charts drawn with reportlab's own graphics (vector, embedded fonts, print well in
black and white): a vertical bar chart with the value over each bar, and a pie with a
legend that names each slice with its value and share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.fonts import FontSet
from reports.pdf.styles import ACCENT, GREY_INK, INK

__all__ = ["bar_chart", "pie_chart", "PIE_COLORS"]

#: Muted colours that stay distinguishable in grey-scale print (dark → light).
PIE_COLORS = [
    colors.HexColor("#C8161D"), colors.HexColor("#E8A33D"), colors.HexColor("#5B7DB1"),
    colors.HexColor("#7FA36B"), colors.HexColor("#9B6FA8"), colors.HexColor("#4FA3A5"),
    colors.HexColor("#B3B3B3"), colors.HexColor("#8C6D46"),
]  # fmt: skip

LABEL_SIZE = 10.5
TITLE_SIZE = 12.0


def _nice_top(value: float) -> tuple[float, float]:
    """An axis maximum a little above `value` and a round step for it."""
    if value <= 0:
        return 1, 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000):
        if value / step <= 6:
            top = (int(value // step) + 1) * step
            return top, step
    step = 10 ** (len(str(int(value))) - 1)
    return (int(value // step) + 1) * step, step


def bar_chart(
    categories: Sequence[str],
    values: Sequence[float],
    *,
    fonts: FontSet,
    width: float,
    height: float,
    title: str | None = None,
    value_format: Callable[[float], str] = lambda v: f"{v:,.0f}",
    bar_color: colors.Color = ACCENT,
) -> Drawing:
    drawing = Drawing(width, height)
    top_room = TITLE_SIZE * 1.8 if title else 6
    chart = VerticalBarChart()
    chart.x = 34
    chart.y = LABEL_SIZE * 2.4
    chart.width = width - chart.x - 10
    chart.height = height - chart.y - top_room - LABEL_SIZE * 1.4
    chart.data = [list(values)]
    chart.barWidth = 10
    chart.groupSpacing = max(6, chart.width / max(1, len(values)) * 0.45)
    chart.bars[0].fillColor = bar_color
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    top, step = _nice_top(max(values, default=0))
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = fonts.body
    chart.valueAxis.labels.fontSize = LABEL_SIZE - 1
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.valueAxis.strokeColor = GREY_INK
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#D9D9D9")
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = fonts.body
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.dy = -4
    chart.categoryAxis.strokeColor = GREY_INK
    chart.barLabelFormat = value_format
    chart.barLabels.fontName = fonts.body
    chart.barLabels.fontSize = LABEL_SIZE
    chart.barLabels.nudge = 7
    chart.barLabels.fillColor = INK
    drawing.add(chart)
    if title:
        drawing.add(String(width / 2, height - TITLE_SIZE * 1.1, title, fontName=fonts.heading,
                           fontSize=TITLE_SIZE, textAnchor="middle", fillColor=INK))
    return drawing


def pie_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    fonts: FontSet,
    width: float,
    height: float,
    title: str | None = None,
    value_format: Callable[[float], str] = lambda v: f"{v:,.0f}",
    slice_colors: Sequence[colors.Color] = PIE_COLORS,
) -> Drawing:
    """A pie on the left, a legend on the right: "■ 正式党员  2,710（90.1%）"."""
    drawing = Drawing(width, height)
    top_room = TITLE_SIZE * 1.8 if title else 4
    diameter = min(height - top_room - 8, width * 0.4)
    total = float(sum(values))
    line = LABEL_SIZE * 2
    name_width = max((stringWidth(str(label), fonts.body, LABEL_SIZE) for label in labels), default=0)
    value_texts = [value_format(v) + (f"（{v / total * 100:.1f}%）" if total > 0 else "") for v in values]
    value_width = max((stringWidth(t, fonts.body, LABEL_SIZE) for t in value_texts), default=0)
    legend_width = LABEL_SIZE * 2.6 + name_width + value_width
    group = diameter + 28 + legend_width  # pie and legend, centred together
    pie = Pie()
    pie.x = max(0, (width - group) / 2)
    pie.y = (height - top_room - diameter) / 2
    pie.width = pie.height = diameter
    pie.data = [float(v) for v in values] if total > 0 else [1]
    pie.startAngle = 90
    pie.direction = "clockwise"
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.8
    for i in range(len(pie.data)):
        pie.slices[i].fillColor = slice_colors[i % len(slice_colors)] if total > 0 else colors.HexColor("#E0E0E0")
    drawing.add(pie)

    x0 = pie.x + diameter + 28
    n = len(labels)
    y = pie.y + diameter / 2 + (n - 1) * line / 2 - LABEL_SIZE / 3
    for i, (label, text) in enumerate(zip(labels, value_texts)):
        color = slice_colors[i % len(slice_colors)]
        drawing.add(Rect(x0, y - 1, LABEL_SIZE, LABEL_SIZE, fillColor=color, strokeColor=None))
        drawing.add(String(x0 + LABEL_SIZE * 1.6, y, str(label), fontName=fonts.body, fontSize=LABEL_SIZE,
                           fillColor=INK))
        drawing.add(String(x0 + LABEL_SIZE * 2.6 + name_width, y, text,
                           fontName=fonts.body, fontSize=LABEL_SIZE, fillColor=INK))
        y -= line
    if title:
        drawing.add(String(width / 2, height - TITLE_SIZE * 1.1, title, fontName=fonts.heading,
                           fontSize=TITLE_SIZE, textAnchor="middle", fillColor=INK))
    return drawing


def frame_line(width: float) -> Drawing:
    """A thin rule across the text block (under the title block)."""
    drawing = Drawing(width, 4)
    drawing.add(Line(0, 2, width, 2, strokeColor=INK, strokeWidth=0.8))
    return drawing
