"""`OfficialDocument`: a small API for PDF reports in the look of Chinese official
documents (GB/T 9704), shared by the quarterly report and the ledger / rating / roster
PDFs::

    doc = OfficialDocument("望湖街道2026年第三季度\\n党建引领社区治理工作报表",
                           unit="中共合肥市包河区望湖街道工作委员会", subtitle="（2026年7月1日—9月30日）")
    doc.heading("组织建设")                      # 一、组织建设 (黑体)
    doc.heading("党员构成", level=2)             # （一）党员构成 (楷体)
    doc.paragraph("截至9月30日，共有党支部74个……")
    doc.table(["支部", "拨付"], rows, col_widths=[3, 1], numeric_columns={1})
    doc.chart_bar(["五星", "四星"], [7, 24], title="星级分布")
    doc.signature_block([("填报单位", "…"), ("负责人", "")])
    doc.build("report.pdf")                      # temp file + rename; UserError if the file is open

Headings never end a page: a heading waits for the first thing under it, and both go
to the next page together when there is no room for the heading plus the start of that
content (two body lines, a table header with two rows, or the whole chart).
Long tables repeat their header row on each page (`reports.pdf.tables.DataTable`).
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import os
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from reports.fonts import FontSet, resolve_fonts
from reports.pdf import charts
from reports.pdf.pages import numbered_canvas, official_doc_template
from reports.pdf.styles import (
    BODY_LEADING,
    BODY_SIZE,
    INK,
    TEXT_WIDTH,
    DocumentStyles,
    make_styles,
)
from reports.pdf.tables import DataTable, TableSpec
from wanghu_desk.errors import UserError

log = logging.getLogger(__name__)

__all__ = ["OfficialDocument", "chinese_number", "escape", "save_atomically"]

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (for heading numbers up to 99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def escape(text: object) -> str:
    """Text for a reportlab Paragraph (which reads a little XML)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def save_atomically(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Write a file through a temporary file in the same folder, then rename it into place.

    A reader never sees half a file, and a file held open by a PDF viewer (Windows refuses
    to replace it) gives a message the clerk can act on instead of a traceback.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"文件夹不存在：{folder}。请选择一个已有的文件夹。")
    tmp = folder / f".~{path.stem}.{os.getpid()}.tmp"
    try:
        try:
            write(tmp)
        except PermissionError as exc:
            raise UserError(f"无法在这个文件夹中保存文件，请换一个位置：{folder}") from exc
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise UserError("磁盘空间已满，文件没有保存。请清理磁盘后重试。") from exc
            raise UserError(f"保存文件失败（{exc.strerror or exc}）：{path}") from exc
        try:
            os.replace(tmp, path)
        except PermissionError as exc:
            raise UserError(f"文件正被其他程序打开，请关闭后重试：{path}") from exc
        except OSError as exc:
            raise UserError(f"保存文件失败（{exc.strerror or exc}）：{path}") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return path


class OfficialDocument:
    """See the module docstring."""

    def __init__(
        self,
        title: str,
        unit: str | None = None,
        *,
        subtitle: str | None = None,
        fonts: FontSet | None = None,
        page_numbers: str = "dash",
        author: str | None = None,
        subject: str | None = None,
    ):
        self.title = title.replace("\n", "")
        self.fonts = fonts or resolve_fonts()
        self.styles: DocumentStyles = make_styles(self.fonts)
        self.page_numbers = page_numbers
        self.author = author or unit or ""
        self.subject = subject or self.title
        self.story: list[Flowable] = []
        self._pending: list[Flowable] = []  # headings waiting for their first content
        self._headings: set[int] = set()  # ids of heading paragraphs in the story
        self._numbers = [0, 0]
        self.pages: int | None = None  # set by build()

        title_lines = "<br/>".join(escape(line) for line in title.split("\n"))
        self.story.append(Paragraph(title_lines, self.styles.title))
        if subtitle:
            self.story.append(Paragraph(escape(subtitle), self.styles.subtitle))
        if unit:
            self.story.append(Spacer(1, BODY_LEADING * 0.4))
            self.story.append(Paragraph(escape(unit), self.styles.unit))

    # ------------------------------------------------------------ adding content

    def _add(self, flowable: Flowable, min_height: float | Callable[[], float]) -> None:
        """Append `flowable`; with pending headings, first make sure that the headings
        and `min_height` of it (a number, or a function asked at layout time) fit on the
        page, else start a new page."""
        if self._pending:
            headings = sum(_height(f) for f in self._pending)
            measure = min_height if callable(min_height) else (lambda: min_height)
            self.story.append(_NeedSpace(lambda: headings + measure()))
            self.story.extend(self._pending)
            self._pending.clear()
        self.story.append(flowable)

    def heading(self, text: str, level: int = 1, *, numbered: bool = True) -> str:
        """一、text (黑体) at level 1, （一）text (楷体) at level 2; returns the text as set."""
        if level == 1:
            self._numbers = [self._numbers[0] + 1, 0]
            shown = f"{chinese_number(self._numbers[0])}、{text}" if numbered else text
            style = self.styles.heading1
        else:
            self._numbers[1] += 1
            shown = f"（{chinese_number(self._numbers[1])}）{text}" if numbered else text
            style = self.styles.heading2
        para = Paragraph(escape(shown), style)
        self._headings.add(id(para))
        self._pending.append(para)
        return shown

    def paragraph(self, text: str, *, indent: bool = True, markup: bool = False) -> None:
        """Body text, 仿宋 16 pt; `markup=True` lets through reportlab tags (<b>, <font>)."""
        style = self.styles.body if indent else self.styles.body_flush
        para = Paragraph(text if markup else escape(text), style)
        self._add(para, min(_height(para), 2 * BODY_LEADING))

    def note(self, text: str) -> None:
        """Small grey text, e.g. the source or a remark under a table."""
        para = Paragraph(escape(text), self.styles.note)
        self._add(para, _height(para))

    def spacer(self, lines: float = 0.5) -> None:
        self.story.append(Spacer(1, BODY_LEADING * lines))

    def page_break(self) -> None:
        self._flush_pending()
        self.story.append(PageBreak())

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        col_widths: Sequence[float] | None = None,
        numeric_columns: Collection[int] = (),
        centered_columns: Collection[int] = (),
        flagged_rows: Collection[int] = (),
        emphasis_rows: Collection[int] = (),
        caption: str | None = None,
        note: str | None = None,
        empty_text: str | None = None,
    ) -> None:
        """A table across the text block; `col_widths` are relative weights.

        `caption` goes above it (表1 …), `note` under its last row on the same page.
        With no rows and an `empty_text`, the text is set instead of an empty table.
        """
        if not rows and empty_text:
            self.paragraph(empty_text)
            return
        weights = list(col_widths) if col_widths else [1.0] * len(headers)
        scale = TEXT_WIDTH / float(sum(weights))
        widths = [w * scale for w in weights]
        spec = TableSpec(headers=list(headers), rows=rows, col_widths=widths,
                         numeric_columns=set(numeric_columns), centered_columns=set(centered_columns),
                         flagged_rows=set(flagged_rows), emphasis_rows=set(emphasis_rows),
                         caption=Paragraph(escape(caption), self.styles.caption) if caption else None,
                         footer=[Paragraph(escape(note), self.styles.note)] if note else [])
        table = DataTable(spec, self.styles)
        self._add(table, table.min_height)  # asked at layout time: a signature may join the footer
        self.story.append(Spacer(1, BODY_LEADING * 0.4))

    def chart_bar(
        self,
        categories: Sequence[str],
        values: Sequence[float],
        *,
        title: str | None = None,
        height_mm: float = 70,
        value_format: Callable[[float], str] = lambda v: f"{v:,.0f}",
    ) -> None:
        drawing = charts.bar_chart(categories, values, fonts=self.fonts, width=TEXT_WIDTH, height=height_mm * mm,
                                   title=title, value_format=value_format)
        self._add(drawing, drawing.height)
        self.story.append(Spacer(1, BODY_LEADING * 0.3))

    def chart_pie(
        self,
        labels: Sequence[str],
        values: Sequence[float],
        *,
        title: str | None = None,
        height_mm: float = 55,
        value_format: Callable[[float], str] = lambda v: f"{v:,.0f}",
    ) -> None:
        drawing = charts.pie_chart(labels, values, fonts=self.fonts, width=TEXT_WIDTH, height=height_mm * mm,
                                   title=title, value_format=value_format)
        self._add(drawing, drawing.height)
        self.story.append(Spacer(1, BODY_LEADING * 0.3))

    def signature_block(self, fields: Sequence[tuple[str, str]], *, columns: int = 2) -> None:
        """填报单位 / 负责人 / 填报人 / 联系电话 / 日期, with a line to sign on where empty.

        A field whose value is long (填报单位) takes a whole row; the others go `columns`
        to a row. The block is kept on one page.
        """
        styles = self.styles
        label_style = styles.signature
        label_right = styles.signature_label
        rows: list[list[Any]] = []
        spans: list[tuple] = []
        lines: list[tuple] = []
        pending: list[tuple[str, str]] = []
        label_w = 5 * BODY_SIZE + 8
        cell_w = TEXT_WIDTH / columns
        col_widths = [label_w, cell_w - label_w] * columns

        def flush() -> None:
            if not pending:
                return
            row: list[Any] = []
            for label, value in pending:
                row += [Paragraph(escape(label) + "：", label_right), Paragraph(escape(value), label_style)]
            while len(row) < 2 * columns:
                row.append("")
            r = len(rows)
            for k in range(len(pending)):
                lines.append(("LINEBELOW", (2 * k + 1, r), (2 * k + 1, r), 0.6, INK))
            rows.append(row)
            pending.clear()

        for label, value in fields:
            value = value or ""
            if stringWidth(value, self.fonts.body, BODY_SIZE) > cell_w - label_w - 8:
                flush()
                r = len(rows)
                rows.append([Paragraph(escape(label) + "：", label_right),
                             Paragraph(escape(value), label_style)] + [""] * (2 * columns - 2))
                spans.append(("SPAN", (1, r), (-1, r)))
                lines.append(("LINEBELOW", (1, r), (-1, r), 0.6, INK))
                continue
            pending.append((label, value))
            if len(pending) == columns:
                flush()
        flush()
        table = Table(rows, colWidths=col_widths, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            *spans,
            *lines,
        ]))
        self._flush_pending()
        self._keep_with_previous([Spacer(1, BODY_LEADING), table])

    def _keep_with_previous(self, flowables: list[Flowable]) -> None:
        """Add `flowables` so that they never stand alone on the last page (GB/T 9704: the
        signature does not go on a page of its own): after a long table they become its
        footer (its last rows move with them), after anything else they join it in a
        `KeepTogether`."""
        trailing: list[Flowable] = []
        while self.story and isinstance(self.story[-1], Spacer) and not isinstance(self.story[-1], CondPageBreak):
            trailing.insert(0, self.story.pop())
        last = self.story[-1] if self.story else None
        if isinstance(last, DataTable):
            last.spec.footer.extend(flowables)
        elif last is not None and not isinstance(last, (PageBreak, CondPageBreak)):
            group = [self.story.pop()]
            while self.story and id(self.story[-1]) in self._headings:  # its headings go along
                group.insert(0, self.story.pop())
            self.story.append(KeepTogether([*group, *trailing, *flowables]))
        else:
            self.story.extend(trailing + flowables)

    def _flush_pending(self) -> None:
        self.story.extend(self._pending)
        self._pending.clear()

    # ------------------------------------------------------------ output

    def _build(self, target: Any) -> None:
        self._flush_pending()
        keywords = ["wanghu-desk", self.fonts.note]
        doc = official_doc_template(target, title=self.title, author=self.author, subject=self.subject,
                                    creator="wanghu-desk", keywords=keywords)
        doc.build(list(self.story), canvasmaker=numbered_canvas(self.page_numbers, self.fonts))
        self.pages = doc.page
        if not self.fonts.embedded:
            log.warning("PDF「%s」%s", self.title, self.fonts.note)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._build(buffer)
        return buffer.getvalue()

    def build(self, path: Path | str) -> Path:
        """Write the PDF to `path` (atomically); see `save_atomically` for the errors."""

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as fh:
                self._build(fh)

        return save_atomically(path, write)


class _NeedSpace(CondPageBreak):
    """A `CondPageBreak` whose height is measured when the page is laid out."""

    def __init__(self, measure: Callable[[], float]):
        self._measure = measure

    @property
    def height(self) -> float:  # type: ignore[override]
        return self._measure()


def _height(flowable: Flowable, width: float = TEXT_WIDTH) -> float:
    _, h = flowable.wrap(width, 10_000)
    return h + flowable.getSpaceBefore() + flowable.getSpaceAfter()
