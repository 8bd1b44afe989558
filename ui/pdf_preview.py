"""PDF pages as images: the 报表中心's preview and its printing.

PySide6-Essentials ships no QtPdf, so pages are rasterised with pypdfium2 (PDFium in a
wheel, on PyPI for Windows, macOS and Linux; it needs no system tool and no network).
PDFium is not thread-safe: every call into it holds `_PDFIUM_LOCK`, so the preview (GUI
thread) and printing (a worker) may run at the same time.

- `PdfPages`: one PDF, read into memory (no file handle stays open, so the file can be
  replaced or deleted while it is shown — Windows would refuse otherwise), with its page
  sizes and `render(index, dpi) -> QImage`.
- `PdfPreview`: a scroll area showing the pages one under the other on a grey desk.
  Pages are rendered when they become visible, at the zoom shown (sharp at any zoom),
  and the last few are kept. Zoom with the buttons of the owner, Ctrl+wheel, or
  `set_zoom` / `zoom_in` / `zoom_out` / `fit_width`.
- `print_steps(pages, printer)`: a generator for `ui.workers.Worker` that paints every
  page (or the range chosen in the print dialog) at the printer's resolution.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Generator
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPaintEvent, QPixmap, QWheelEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from wanghu_desk.errors import UserError

__all__ = ["PdfPages", "PdfPreview", "PageView", "print_steps", "ZOOM_STEPS"]

_PDFIUM_LOCK = threading.RLock()

#: The zoom levels of 放大/缩小, in percent of the paper's real size on screen.
ZOOM_STEPS = (50, 67, 75, 90, 100, 110, 125, 150, 175, 200, 250, 300)
MIN_ZOOM, MAX_ZOOM = ZOOM_STEPS[0], ZOOM_STEPS[-1]
#: Printing never renders finer than this (a 600-dpi printer gets 300-dpi pages: the
#: difference does not show on paper, the memory does).
MAX_PRINT_DPI = 300
POINTS_PER_INCH = 72.0


class PdfPages:
    """One PDF file held in memory; `render` gives a page as an RGB image."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise UserError(f"无法读取文件「{self.path.name}」。请检查它是否还在。") from exc
        import pypdfium2 as pdfium  # imported with the first PDF opened, not at start-up

        with _PDFIUM_LOCK:
            try:
                self._doc = pdfium.PdfDocument(data)
            except pdfium.PdfiumError as exc:
                raise UserError(f"文件「{self.path.name}」不是有效的 PDF 文件，无法预览。") from exc
            self.sizes: list[tuple[float, float]] = [self._doc.get_page_size(i) for i in range(len(self._doc))]

    def __len__(self) -> int:
        return len(self.sizes)

    def size_inches(self, index: int) -> tuple[float, float]:
        w, h = self.sizes[index]
        return w / POINTS_PER_INCH, h / POINTS_PER_INCH

    def pixel_size(self, index: int, dpi: float) -> QSize:
        w, h = self.size_inches(index)
        return QSize(max(1, round(w * dpi)), max(1, round(h * dpi)))

    def render(self, index: int, dpi: float) -> QImage:
        """Page `index` (from 0) at `dpi`, white background, as a QImage that owns its
        pixels (safe to keep after the PDF is closed)."""
        with _PDFIUM_LOCK:
            page = self._doc[index]
            try:
                bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True, prefer_bgrx=True)
                try:
                    image = QImage(
                        bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGBX8888
                    ).copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        image.setDotsPerMeterX(round(dpi / 0.0254))
        image.setDotsPerMeterY(round(dpi / 0.0254))
        return image

    def close(self) -> None:
        with _PDFIUM_LOCK:
            if self._doc is not None:
                self._doc.close()
                self._doc = None


# ------------------------------------------------------------------ the preview


class PageView(QWidget):
    """One page on the desk: white paper with a thin border; asks its preview for the
    image when it is painted."""

    def __init__(self, preview: PdfPreview, index: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.preview = preview
        self.index = index
        self.setObjectName("pdfPage")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setToolTip(f"第 {index + 1} 页")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paper = QRect(0, 0, self.width() - 1, self.height() - 1)
        pixmap = self.preview.page_pixmap(self.index, self.size())
        if pixmap is not None:
            painter.drawPixmap(QRect(0, 0, self.width(), self.height()), pixmap)
        else:
            painter.fillRect(paper, QColor("#FFFFFF"))
        painter.setPen(QColor("#B9BEC5"))
        painter.drawRect(paper)
        painter.end()


class PdfPreview(QScrollArea):
    """The pages of one PDF, one under the other, centred on a grey desk."""

    zoomChanged = Signal(int)

    CACHE_PAGES = 12
    PAGE_GAP = 14

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.desk = QWidget()
        self.desk.setObjectName("pdfDesk")
        self.desk.setAutoFillBackground(True)
        pal = self.desk.palette()
        pal.setColor(self.desk.backgroundRole(), QColor("#E3E5E8"))
        self.desk.setPalette(pal)
        self.column = QVBoxLayout(self.desk)
        self.column.setContentsMargins(24, 20, 24, 24)
        self.column.setSpacing(self.PAGE_GAP)
        self.column.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self.desk)
        self.pages: PdfPages | None = None
        self.page_views: list[PageView] = []
        self._zoom = 100
        self._cache: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()
        self.rendered = 0  # pages rendered so far (tests and the curious)

    # ------------------------------------------------------------ content
    def load(self, path: Path | str) -> int:
        """Show the PDF at `path`; returns its number of pages. Raises `UserError` for a
        file that cannot be read."""
        pages = PdfPages(path)
        self.clear()
        self.pages = pages
        for i in range(len(pages)):
            view = PageView(self, i, self.desk)
            self.page_views.append(view)
            self.column.addWidget(view, 0, Qt.AlignmentFlag.AlignHCenter)
        self._apply_zoom()
        self.verticalScrollBar().setValue(0)
        return len(pages)

    def clear(self) -> None:
        for view in self.page_views:
            self.column.removeWidget(view)
            view.hide()
            view.deleteLater()
        self.page_views = []
        self._cache.clear()
        if self.pages is not None:
            self.pages.close()
            self.pages = None

    def page_count(self) -> int:
        return len(self.page_views)

    # ------------------------------------------------------------ zoom
    def zoom(self) -> int:
        return self._zoom

    def set_zoom(self, percent: int) -> None:
        percent = max(MIN_ZOOM, min(MAX_ZOOM, int(round(percent))))
        if percent == self._zoom:
            return
        self._zoom = percent
        self._apply_zoom()
        self.zoomChanged.emit(percent)

    def zoom_in(self) -> None:
        self.set_zoom(next((z for z in ZOOM_STEPS if z > self._zoom), MAX_ZOOM))

    def zoom_out(self) -> None:
        self.set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self._zoom), MIN_ZOOM))

    def fit_width(self) -> None:
        """The widest page fills the visible width (with the desk's margins)."""
        if self.pages is None or not len(self.pages):
            return
        margins = self.column.contentsMargins()
        room = self.viewport().width() - margins.left() - margins.right() - 2
        widest = max(self.pages.size_inches(i)[0] for i in range(len(self.pages)))
        self.set_zoom(int(room / (widest * self._screen_dpi()) * 100))

    def _screen_dpi(self) -> float:
        return float(self.logicalDpiX() or 96)

    def _apply_zoom(self) -> None:
        if self.pages is None:
            return
        dpi = self._screen_dpi() * self._zoom / 100
        for view in self.page_views:
            view.setFixedSize(self.pages.pixel_size(view.index, dpi))
        self.desk.adjustSize()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.angleDelta().y() > 0:
                self.zoom_in()
            elif event.angleDelta().y() < 0:
                self.zoom_out()
            event.accept()
            return
        super().wheelEvent(event)

    # ------------------------------------------------------------ rendering
    def page_pixmap(self, index: int, size: QSize) -> QPixmap | None:
        """The page at exactly `size` (logical pixels), rendered for this screen's pixel
        ratio; cached for the last `CACHE_PAGES` pages."""
        if self.pages is None or not 0 <= index < len(self.pages):
            return None
        ratio = self.devicePixelRatioF()
        key = (index, size.width(), round(ratio * 100))
        pixmap = self._cache.get(key)
        if pixmap is not None:
            self._cache.move_to_end(key)
            return pixmap
        width_in = self.pages.size_inches(index)[0]
        dpi = size.width() * ratio / width_in
        image = self.pages.render(index, dpi)
        self.rendered += 1
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self._cache[key] = pixmap
        while len(self._cache) > self.CACHE_PAGES:
            self._cache.popitem(last=False)
        return pixmap

    def page_image(self, index: int, dpi: float) -> QImage:
        """Page `index` at `dpi` (tests, thumbnails)."""
        if self.pages is None:
            raise IndexError("no document")
        return self.pages.render(index, dpi)


# ------------------------------------------------------------------ printing


def prepare_printer(printer: QPrinter, pages: PdfPages) -> None:
    """Paper of the document's first page (A4 for every report), no margins added: the
    document has its own, so a page prints at its real size."""
    if len(pages):
        w, h = pages.sizes[0]
        size = QPageSize(QSizeF(min(w, h), max(w, h)), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
        orientation = QPageLayout.Orientation.Landscape if w > h else QPageLayout.Orientation.Portrait
        printer.setPageSize(size)
        printer.setPageOrientation(orientation)
    printer.setFullPage(True)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def page_range(printer: QPrinter, count: int) -> range:
    """The pages (from 0) the print dialog asked for; all of them by default."""
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0 and last <= 0:
        return range(count)
    first = max(1, first or 1)
    last = min(count, last or count)
    return range(first - 1, last)


def print_steps(pages: PdfPages, printer: QPrinter) -> Generator[tuple[int, int, str], None, int]:
    """Paint the chosen pages on `printer`, one rendered image per sheet at the printer's
    resolution (at most `MAX_PRINT_DPI`), scaled into the printable page keeping its
    proportions. Yields progress; returns the number of pages printed. Closing the
    generator (取消) aborts the print job."""
    chosen = page_range(printer, len(pages))
    total = len(chosen)
    dpi = min(MAX_PRINT_DPI, max(72, printer.resolution()))
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("无法开始打印。请检查打印机是否已连接、是否有纸，然后重试。")
    printed = 0
    try:
        for n, index in enumerate(chosen):
            yield n, total, f"正在打印第 {index + 1} 页（共 {total} 页）…"
            if n:
                printer.newPage()
            image = pages.render(index, dpi)
            target = QRectF(painter.viewport())
            scale = min(target.width() / image.width(), target.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            box = QRectF(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h)
            painter.drawImage(box, image)
            printed += 1
        yield total, total, "正在送往打印机…"
    except GeneratorExit:
        printer.abort()
        raise
    finally:
        if painter.isActive():
            painter.end()
    return printed
