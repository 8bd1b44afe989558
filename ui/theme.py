"""The look of the application (SPEC §12): Fusion style, a fixed light palette, the
stylesheet, the CJK UI font, the icon and Qt's own Chinese translations."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

import resources

log = logging.getLogger(__name__)

ACCENT = "#C8161D"  # 党建红
TEXT = "#333333"
FONT_POINT_SIZE = 10

#: First installed family wins: Windows, macOS, then the usual Linux CJK fonts.
FONT_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)

_translators: list[QTranslator] = []


def pick_font_family(available: list[str] | None = None) -> str | None:
    """The first of `FONT_FAMILIES` that is installed, or None (keep Qt's default)."""
    families = set(available if available is not None else QFontDatabase.families())
    for family in FONT_FAMILIES:
        if family in families:
            return family
    return None


def ui_font() -> QFont:
    font = QFont(QGuiApplication.font())
    family = pick_font_family()
    if family:
        font.setFamilies([family])
    font.setPointSize(FONT_POINT_SIZE)
    return font


def light_palette() -> QPalette:
    """A light palette, so a Windows dark mode does not turn the registers dark."""
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#F4F5F7",
        QPalette.ColorRole.WindowText: TEXT,
        QPalette.ColorRole.Base: "#FFFFFF",
        QPalette.ColorRole.AlternateBase: "#F7F8FA",
        QPalette.ColorRole.ToolTipBase: "#FFFFFF",
        QPalette.ColorRole.ToolTipText: TEXT,
        QPalette.ColorRole.PlaceholderText: "#9A9A9A",
        QPalette.ColorRole.Text: TEXT,
        QPalette.ColorRole.Button: "#FFFFFF",
        QPalette.ColorRole.ButtonText: TEXT,
        QPalette.ColorRole.BrightText: "#FFFFFF",
        QPalette.ColorRole.Light: "#FFFFFF",
        QPalette.ColorRole.Midlight: "#ECEDEF",
        QPalette.ColorRole.Mid: "#C4C7CC",
        QPalette.ColorRole.Dark: "#9DA1A7",
        QPalette.ColorRole.Shadow: "#7A7E84",
        QPalette.ColorRole.Highlight: "#FBE3E4",
        QPalette.ColorRole.HighlightedText: "#222222",
        QPalette.ColorRole.Link: "#1F5FA8",
        QPalette.ColorRole.LinkVisited: "#5A3D8A",
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#A0A0A0"))
    return pal


def app_icon() -> QIcon:
    return QIcon(str(resources.resource_path("icon.svg")))


def install_translations(app: QApplication) -> None:
    """Qt's own strings (file dialogs, context menus of text fields) in Chinese."""
    if _translators:
        return
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _translators.append(translator)
            break


def apply_theme(app: QApplication) -> None:
    """Fusion, the light palette, the stylesheet, the font and the icon."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+
        hints.setColorScheme(Qt.ColorScheme.Light)
    app.setStyle("Fusion")
    app.setPalette(light_palette())
    app.setFont(ui_font())
    app.setWindowIcon(app_icon())
    try:
        app.setStyleSheet(resources.read_text("style.qss"))
    except OSError:  # a damaged installation should still open, just plainer
        log.exception("stylesheet missing")
    install_translations(app)
