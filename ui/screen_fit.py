"""Dialog sizes that fit the clerk's screen: a 1366×768 laptop, or 1920×1080 at 150 %
(1280×720 logical pixels), each less a taskbar and the window's title bar.

Sizes come from the available geometry of the screen the dialog opens on (never a fixed
number of pixels): `fit` gives a dialog its wished size or less; `grow` lets a shown
dialog grow as message lines appear, up to the screen; `scrolling` puts a long form in a
frameless scroll area so the buttons under it always stay in sight.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget

#: Logical pixels a Windows title bar and window frame take (the available geometry
#: already leaves out the taskbar).
TITLE_BAR = 40
#: Kept free at the screen's edges so a dialog never touches them.
MARGIN = 8


def available_geometry(widget: QWidget | None) -> QRect:
    """The available geometry of the screen `widget` (or its parent window) is on."""
    screen = None
    if widget is not None:
        parent = widget.parentWidget()
        screen = (parent.window() if parent is not None else widget).screen()
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:  # no screen at all (a headless platform without one)
        return QRect(0, 0, 1366, 728)
    return screen.availableGeometry()


def room(widget: QWidget | None) -> QSize:
    """The largest size a top-level window may have, title bar included, on that screen."""
    geo = available_geometry(widget)
    return QSize(geo.width() - 2 * MARGIN, geo.height() - TITLE_BAR - MARGIN)


def fit(dialog: QWidget, width: int | None = None, height: int | None = None) -> QSize:
    """Resize `dialog` to `width` × `height` (each defaults to the size hint), never
    beyond the screen's room; returns the size given."""
    limit = room(dialog)
    hint = dialog.sizeHint()
    size = QSize(min(hint.width() if width is None else width, limit.width()),
                 min(hint.height() if height is None else height, limit.height()))
    minimum = dialog.minimumSizeHint()
    size = size.expandedTo(QSize(min(minimum.width(), limit.width()), min(minimum.height(), limit.height())))
    dialog.resize(size)
    return size


def grow(dialog: QWidget, need_height: int) -> None:
    """Grow (never shrink) a dialog to `need_height`, up to the screen's room."""
    limit = room(dialog).height()
    target = min(need_height, limit)
    if dialog.height() < target:
        dialog.resize(dialog.width(), target)


def grow_to_layout(dialog: QWidget) -> None:
    """Grow a shown dialog when message lines appear: Qt computes a window's minimum size
    with word-wrapped labels at another width, so it can be too small for them."""
    layout = dialog.layout()
    if not dialog.isVisible() or layout is None:
        return
    layout.activate()
    need = dialog.sizeHint().height()
    if layout.hasHeightForWidth():
        need = max(need, layout.totalHeightForWidth(dialog.width()))
    grow(dialog, need)


def scrolling(content: QWidget, parent: QWidget | None = None, *, name: str = "formScroll") -> QScrollArea:
    """`content` in a frameless scroll area as wide as the content needs, so only a
    short screen scrolls it (vertically)."""
    area = QScrollArea(parent)
    area.setObjectName(name)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    content.setAutoFillBackground(False)
    area.viewport().setAutoFillBackground(False)
    bar = area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, area)
    area.setMinimumWidth(content.minimumSizeHint().width() + bar + 4)
    return area
