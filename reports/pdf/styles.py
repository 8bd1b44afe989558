"""The page and the type of a Chinese official document (GB/T 9704-2012), for reportlab.

Page: A4, top margin 37 mm, left margin 28 mm, a text block of 156 × 225 mm (so right
26 mm, bottom 35 mm). Type: title 22 pt (二号) in 小标宋/黑体, body 16 pt (三号) 仿宋 with a
fixed line pitch of 22 lines to the text block (28.9 pt), 一、 headings in 黑体, （一）
headings in 楷体, page numbers 14 pt (四号) "— 3 —" 7 mm below the text block. Tables use
10.5 pt (五号) so that a wide table stays readable. Every style wraps Chinese text
(``wordWrap='CJK'``).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib import textsplit as _rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import paragraph as _rl_paragraph

from reports.fonts import FontSet

PAGE_WIDTH, PAGE_HEIGHT = A4
TOP_MARGIN = 37 * mm
LEFT_MARGIN = 28 * mm
TEXT_WIDTH = 156 * mm
TEXT_HEIGHT = 225 * mm
RIGHT_MARGIN = PAGE_WIDTH - LEFT_MARGIN - TEXT_WIDTH  # 26 mm
BOTTOM_MARGIN = PAGE_HEIGHT - TOP_MARGIN - TEXT_HEIGHT  # 35 mm

TITLE_SIZE = 22.0  # 二号
BODY_SIZE = 16.0  # 三号
BODY_LEADING = TEXT_HEIGHT / 22  # 22 lines to the text block: 28.99 pt
TABLE_SIZE = 10.5  # 五号
TABLE_LEADING = 14.0
SMALL_SIZE = 12.0  # 小四: notes under tables, chart labels
PAGE_NUMBER_SIZE = 14.0  # 四号
#: The page number's baseline: 7 mm below the text block, plus the digits' height.
PAGE_NUMBER_BASELINE = BOTTOM_MARGIN - 7 * mm - PAGE_NUMBER_SIZE * 0.72

INK = colors.HexColor("#000000")
GREY_INK = colors.HexColor("#404040")
RULE = colors.HexColor("#000000")
HEADER_FILL = colors.HexColor("#EDEDED")
FLAG_FILL = colors.HexColor("#FBE4E4")
TOTAL_FILL = colors.HexColor("#F6F6F6")
#: 党建红, used sparingly: flagged figures.
ACCENT = colors.HexColor("#C8161D")

INDENT_2_CHARS = 2 * BODY_SIZE

# reportlab's CJK line breaking keeps a closing mark off the start of a line only for the
# marks of its list, which lacks the full-width Chinese ones (，；：！？…); without them a
# line may start with "，". Add them (process-wide, affects only CJK wrapping).
_CHINESE_CANNOT_START = "，；：！？％）》」』】〕〉”’…—·"
for _module in (_rl_textsplit, _rl_paragraph):
    _missing = "".join(c for c in _CHINESE_CANNOT_START if c not in _module.ALL_CANNOT_START)
    if _missing:
        _module.ALL_CANNOT_START += _missing


@dataclass(frozen=True)
class DocumentStyles:
    fonts: FontSet
    title: ParagraphStyle
    subtitle: ParagraphStyle
    unit: ParagraphStyle
    body: ParagraphStyle
    body_flush: ParagraphStyle
    heading1: ParagraphStyle
    heading2: ParagraphStyle
    caption: ParagraphStyle
    note: ParagraphStyle
    signature: ParagraphStyle
    signature_label: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_bold_right: ParagraphStyle
    cell_bold_center: ParagraphStyle
    header: ParagraphStyle

    def cell_style(self, align: str, bold: bool = False) -> ParagraphStyle:
        if bold:
            return {"RIGHT": self.cell_bold_right, "CENTER": self.cell_bold_center}.get(align, self.cell_bold)
        return {"RIGHT": self.cell_right, "CENTER": self.cell_center}.get(align, self.cell)


def make_styles(fonts: FontSet) -> DocumentStyles:
    def style(name: str, **kw) -> ParagraphStyle:
        kw.setdefault("wordWrap", "CJK")
        kw.setdefault("textColor", INK)
        return ParagraphStyle(name, **kw)

    body = style("body", fontName=fonts.body, fontSize=BODY_SIZE, leading=BODY_LEADING,
                 firstLineIndent=INDENT_2_CHARS, alignment=TA_JUSTIFY, allowWidows=0, allowOrphans=0)
    cell = style("cell", fontName=fonts.body, fontSize=TABLE_SIZE, leading=TABLE_LEADING, alignment=TA_LEFT)
    bold_cell = style("cell_bold", parent=cell, fontName=fonts.heading)
    return DocumentStyles(
        fonts=fonts,
        title=style("title", fontName=fonts.title, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.5,
                    alignment=TA_CENTER, spaceAfter=BODY_LEADING * 0.5),
        subtitle=style("subtitle", fontName=fonts.kai, fontSize=BODY_SIZE, leading=BODY_LEADING, alignment=TA_CENTER),
        unit=style("unit", fontName=fonts.body, fontSize=BODY_SIZE, leading=BODY_LEADING, alignment=TA_LEFT,
                   spaceAfter=BODY_LEADING * 0.5),
        body=body,
        body_flush=style("body_flush", parent=body, firstLineIndent=0),
        heading1=style("heading1", fontName=fonts.heading, fontSize=BODY_SIZE, leading=BODY_LEADING,
                       firstLineIndent=INDENT_2_CHARS, keepWithNext=0),
        heading2=style("heading2", fontName=fonts.kai, fontSize=BODY_SIZE, leading=BODY_LEADING,
                       firstLineIndent=INDENT_2_CHARS),
        caption=style("caption", fontName=fonts.heading, fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.6,
                      alignment=TA_CENTER, spaceBefore=4, spaceAfter=3),
        note=style("note", fontName=fonts.body, fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.5, textColor=GREY_INK,
                   spaceBefore=2),
        signature=style("signature", fontName=fonts.body, fontSize=BODY_SIZE, leading=BODY_LEADING),
        signature_label=style("signature_label", fontName=fonts.body, fontSize=BODY_SIZE, leading=BODY_LEADING,
                              alignment=TA_RIGHT),
        cell=cell,
        cell_right=style("cell_right", parent=cell, alignment=TA_RIGHT),
        cell_center=style("cell_center", parent=cell, alignment=TA_CENTER),
        cell_bold=bold_cell,
        cell_bold_right=style("cell_bold_right", parent=bold_cell, alignment=TA_RIGHT),
        cell_bold_center=style("cell_bold_center", parent=bold_cell, alignment=TA_CENTER),
        header=style("header", fontName=fonts.heading, fontSize=TABLE_SIZE, leading=TABLE_LEADING,
                     alignment=TA_CENTER),
    )
