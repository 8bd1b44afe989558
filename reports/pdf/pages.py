"""Page templates: the GB/T 9704 text block and the page number.

`NumberedCanvas` keeps every page until the document is finished, so the footer can say
"第 3 页 共 12 页" (it knows the total); the official style is "— 3 —" centred 7 mm
below the text block. Used as ``doc.build(story, canvasmaker=numbered_canvas("dash", fonts))``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from reports.fonts import FontSet
from reports.pdf.styles import (
    BOTTOM_MARGIN,
    INK,
    LEFT_MARGIN,
    PAGE_HEIGHT,
    PAGE_NUMBER_BASELINE,
    PAGE_NUMBER_SIZE,
    PAGE_WIDTH,
    RIGHT_MARGIN,
    SMALL_SIZE,
    TEXT_HEIGHT,
    TEXT_WIDTH,
    TOP_MARGIN,
)

PAGE_NUMBER_STYLES = ("dash", "x_of_y", "none")


def page_number_text(style: str, page: int, total: int) -> str:
    if style == "dash":
        return f"— {page} —"
    if style == "x_of_y":
        return f"第 {page} 页 共 {total} 页"
    return ""


class NumberedCanvas(rl_canvas.Canvas):
    """A canvas that draws the page numbers once the number of pages is known."""

    def __init__(self, *args: Any, page_numbers: str = "dash", fonts: FontSet | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._page_numbers = page_numbers
        self._fonts = fonts
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab API
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        text = page_number_text(self._page_numbers, self._pageNumber, total)
        if not text or self._fonts is None:
            return
        self.saveState()
        self.setFillColor(INK)
        if self._page_numbers == "dash":
            self.setFont(self._fonts.song, PAGE_NUMBER_SIZE)
        else:
            self.setFont(self._fonts.body, SMALL_SIZE)
        self.drawCentredString(PAGE_WIDTH / 2, PAGE_NUMBER_BASELINE, text)
        self.restoreState()


def numbered_canvas(page_numbers: str, fonts: FontSet) -> Callable[..., NumberedCanvas]:
    if page_numbers not in PAGE_NUMBER_STYLES:
        raise ValueError(page_numbers)

    def make(*args: Any, **kwargs: Any) -> NumberedCanvas:
        return NumberedCanvas(*args, page_numbers=page_numbers, fonts=fonts, **kwargs)

    return make


def official_doc_template(target: Any, **info: Any) -> BaseDocTemplate:
    """A document whose one frame is exactly the 156 × 225 mm text block."""
    doc = BaseDocTemplate(
        target,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        **info,
    )
    frame = Frame(LEFT_MARGIN, BOTTOM_MARGIN, TEXT_WIDTH, TEXT_HEIGHT, id="text-block",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, showBoundary=0)
    doc.addPageTemplates([PageTemplate(id="official", frames=[frame])])
    return doc
