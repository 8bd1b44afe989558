"""首页 tab: the key figures of the database as cards, read only from
`wanghu_desk.services.stats.collect()` — branches by category, building groups, members,
volunteers, the last finalized star rating (with a small bar chart painted by hand;
QtCharts is not shipped) and this year's funds. An empty database shows what to do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import formatting
from wanghu_desk import vocab
from wanghu_desk.services import stats

EMPTY_TEXT = "还没有数据。可以从「文件 → 导入」开始，或加载演示数据。"
STAR_WORDS = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星", 0: "无星"}


def is_empty(figures: dict[str, Any]) -> bool:
    return (
        figures["communities"] == 0
        and figures["branches"]["total"] == 0
        and figures["members"]["all_records"] == 0
        and figures["volunteers"] == 0
    )


def last_finalized_rating(figures: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    finalized = [(int(year), r) for year, r in figures["ratings"].items() if r.get("finalized")]
    return max(finalized, key=lambda pair: pair[0]) if finalized else None


def rating_sentence(year: int, rating: dict[str, Any]) -> str:
    """The SPEC's wording: "2025 年度 74 个支部中一星以上 66 个，五星 7 个"."""
    five = rating["by_stars"].get("5", 0)
    return f"{year} 年度 {rating['rated']} 个支部中一星以上 {rating['at_least_one_star']} 个，五星 {five} 个"


def ledger_year(figures: dict[str, Any], today: dt.date) -> int:
    """This year; if this year has no ledger yet, the latest year before it that has one."""
    years = sorted(int(y) for y in figures["ledger"])
    if not years or today.year in years:
        return today.year
    earlier = [y for y in years if y < today.year]
    return earlier[-1] if earlier else today.year


# ---------------------------------------------------------------- widgets


class Card(QFrame):
    """A white card: title, a big figure with its unit, and right-aligned detail rows."""

    def __init__(self, key: str, title: str, unit: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.title_label = QLabel(title, self)
        self.title_label.setObjectName("cardTitle")
        self.value_label = QLabel("—", self)
        self.value_label.setObjectName(f"{key}Value")
        self.value_label.setProperty("role", "figure")
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.unit_label = QLabel(unit, self)
        self.unit_label.setProperty("role", "unit")

        figure_row = QHBoxLayout()
        figure_row.setSpacing(6)
        figure_row.addWidget(self.value_label, 0, Qt.AlignmentFlag.AlignBottom)
        figure_row.addWidget(self.unit_label, 0, Qt.AlignmentFlag.AlignBottom)
        figure_row.addStretch(1)

        self.details = QGridLayout()
        self.details.setHorizontalSpacing(16)
        self.details.setVerticalSpacing(4)
        self.details.setColumnStretch(0, 1)

        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(18, 14, 18, 16)
        self.body.setSpacing(6)
        self.body.addWidget(self.title_label)
        self.body.addLayout(figure_row)
        self.body.addLayout(self.details)
        self.body.addStretch(1)
        self._detail_widgets: list[QLabel] = []

    def set_value(self, text: str) -> None:
        self.value_label.setText(text)
        self._align_unit()

    def _align_unit(self) -> None:
        """Put "个" on the figure's baseline: both sit on the bottom, so lift the small
        unit by the difference of the two fonts' descents."""
        self.value_label.ensurePolished()
        self.unit_label.ensurePolished()
        lift = self.value_label.fontMetrics().descent() - self.unit_label.fontMetrics().descent()
        self.unit_label.setContentsMargins(0, 0, 0, max(0, lift))

    def set_details(self, rows: list[tuple[str, str]], *, alert_rows: frozenset[int] = frozenset()) -> None:
        """Detail rows as (label, figure); figures are right-aligned in one column."""
        for widget in self._detail_widgets:
            self.details.removeWidget(widget)
            widget.deleteLater()
        self._detail_widgets = []
        for i, (name, figure) in enumerate(rows):
            name_label = QLabel(name, self)
            name_label.setProperty("role", "detail")
            figure_label = QLabel(figure, self)
            figure_label.setProperty("role", "alert" if i in alert_rows else "detail")
            figure_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            figure_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details.addWidget(name_label, i, 0)
            self.details.addWidget(figure_label, i, 1)
            self._detail_widgets += [name_label, figure_label]

    def detail_texts(self) -> list[tuple[str, str]]:
        pairs = self._detail_widgets
        return [(pairs[i].text(), pairs[i + 1].text()) for i in range(0, len(pairs), 2)]


class StarChart(QWidget):
    """Horizontal bars: how many branches got each star level (五星 at the top)."""

    STAR = QColor("#C8161D")
    BAR = QColor("#7D8A99")
    BAR_NONE = QColor("#C3C8CE")
    TRACK = QColor("#F1F2F4")
    TEXT = QColor("#333333")
    MUTED = QColor("#777777")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("starChart")
        self.counts: dict[int, int] = {s: 0 for s in range(6)}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_counts(self, counts: dict[int, int]) -> None:
        self.counts = {s: int(counts.get(s, 0)) for s in range(6)}
        self.setToolTip("；".join(f"{STAR_WORDS[s]} {self.counts[s]} 个" for s in range(5, -1, -1)))
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 8

    def sizeHint(self) -> QSize:
        return QSize(360, self._row_height() * 6 + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self._row_height() * 6 + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        row_h = self._row_height()
        label_w = fm.horizontalAdvance("★★★★★") + 12
        number_w = fm.horizontalAdvance("0,000 个") + 8
        bar_x = label_w
        bar_w = max(10, self.width() - label_w - number_w - 8)
        biggest = max(self.counts.values()) or 1
        for i, level in enumerate(range(5, -1, -1)):
            y = i * row_h + 2
            label = formatting.stars(level) if level else STAR_WORDS[0]
            painter.setPen(self.STAR if level else self.MUTED)
            painter.drawText(
                QRectF(0, y, label_w, row_h), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label
            )
            bar_h = row_h - 10
            track = QRectF(bar_x, y + (row_h - bar_h) / 2, bar_w, bar_h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.TRACK)
            painter.drawRoundedRect(track, 3, 3)
            n = self.counts[level]
            if n:
                filled = QRectF(track.x(), track.y(), max(3.0, bar_w * n / biggest), bar_h)
                painter.setBrush(self.BAR if level else self.BAR_NONE)
                painter.drawRoundedRect(filled, 3, 3)
            painter.setPen(self.TEXT)
            painter.drawText(
                QRectF(bar_x + bar_w + 8, y, number_w, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                f"{n:,} 个",
            )
        painter.end()


class SpendMeter(QWidget):
    """ "已支出 23.5%": a thin bar of spent against allocated funds."""

    FILL = QColor("#7D8A99")
    TRACK = QColor("#F1F2F4")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("spendMeter")
        self.spent_fen = 0
        self.allocated_fen = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_amounts(self, spent_fen: int, allocated_fen: int) -> None:
        self.spent_fen, self.allocated_fen = spent_fen, allocated_fen
        self.setToolTip(self.text())
        self.update()

    def ratio(self) -> float | None:
        return self.spent_fen / self.allocated_fen if self.allocated_fen > 0 else None

    def text(self) -> str:
        ratio = self.ratio()
        return "支出进度：尚未拨付" if ratio is None else f"支出进度 {ratio:.1%}"

    def sizeHint(self) -> QSize:
        return QSize(300, self.fontMetrics().height() + 16)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        text = self.text()
        text_w = fm.horizontalAdvance("支出进度 100.0%") + 12
        painter.setPen(QColor("#6B6B6B"))
        painter.drawText(
            QRectF(0, 0, text_w, self.height()), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
        )
        track = QRectF(text_w, self.height() / 2 - 4, max(10, self.width() - text_w), 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.TRACK)
        painter.drawRoundedRect(track, 4, 4)
        ratio = self.ratio()
        if ratio:
            painter.setBrush(QColor("#C8161D") if ratio > 1 else self.FILL)
            painter.drawRoundedRect(QRectF(track.x(), track.y(), track.width() * min(ratio, 1.0), track.height()), 4, 4)
        painter.end()


class Dashboard(QWidget):
    """The 首页 tab. Call `refresh()` after anything changed the database."""

    statusChanged = Signal(str)

    def __init__(
        self,
        on_load_demo: Callable[[], None] | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._today = today
        self.figures: dict[str, Any] | None = None
        self._status = ""

        self.branches_card = Card("branches", "党支部", "个")
        self.groups_card = Card("groups", "楼栋党小组", "个")
        self.members_card = Card("members", "党员（在册）", "名")
        self.volunteers_card = Card("teams", "志愿服务队", "支")

        self.rating_card = Card("rating", "星级评定", "")
        self.rating_card.value_label.hide()
        self.rating_card.unit_label.hide()
        self.rating_sentence = QLabel("", self.rating_card)
        self.rating_sentence.setObjectName("ratingSentence")
        self.rating_sentence.setWordWrap(True)
        self.star_chart = StarChart(self.rating_card)
        self.rating_card.body.insertWidget(2, self.rating_sentence)
        self.rating_card.body.insertWidget(3, self.star_chart)

        self.funds_card = Card("funds", "经费", "")
        self.funds_card.value_label.hide()
        self.funds_card.unit_label.hide()
        self.funds_figures: dict[str, QLabel] = {}
        amounts = QGridLayout()
        amounts.setHorizontalSpacing(24)
        amounts.setVerticalSpacing(2)
        for column, (key, caption) in enumerate((("allocated", "已拨付"), ("spent", "已支出"), ("balance", "结余"))):
            caption_label = QLabel(caption, self.funds_card)
            caption_label.setProperty("role", "detail")
            figure = QLabel("—", self.funds_card)
            figure.setObjectName(f"funds{key.title()}Value")
            figure.setProperty("role", "money")
            figure.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            amounts.addWidget(caption_label, 0, column)
            amounts.addWidget(figure, 1, column)
            amounts.setColumnStretch(column, 1)
            self.funds_figures[key] = figure
        self.spend_meter = SpendMeter(self.funds_card)
        self.funds_card.body.insertLayout(2, amounts)
        self.funds_card.body.insertSpacing(3, 10)
        self.funds_card.body.insertWidget(4, self.spend_meter)

        canvas = QWidget()
        canvas.setObjectName("dashboardCanvas")
        grid = QGridLayout(canvas)
        grid.setContentsMargins(20, 18, 20, 18)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(16)
        for column, card in enumerate((self.branches_card, self.groups_card, self.members_card, self.volunteers_card)):
            grid.addWidget(card, 0, column)
            grid.setColumnStretch(column, 1)
        grid.addWidget(self.rating_card, 1, 0, 1, 2)
        grid.addWidget(self.funds_card, 1, 2, 1, 2)
        grid.setRowStretch(2, 1)

        scroll = QScrollArea()
        scroll.setObjectName("dashboardScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(canvas)

        self.empty_page = self._build_empty_page(on_load_demo)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(scroll)
        self.stack.addWidget(self.empty_page)
        self.figures_page = scroll

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _build_empty_page(self, on_load_demo: Callable[[], None] | None) -> QWidget:
        page = QWidget()
        page.setObjectName("dashboardEmpty")
        self.empty_label = QLabel(EMPTY_TEXT, page)
        self.empty_label.setObjectName("emptyTitle")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.demo_button = QPushButton("加载演示数据", page)
        self.demo_button.setObjectName("loadDemoButton")
        self.demo_button.setProperty("primary", True)
        self.demo_button.setVisible(on_load_demo is not None)
        if on_load_demo is not None:
            self.demo_button.clicked.connect(lambda: on_load_demo())
        hint = QLabel("演示数据是虚构的「望湖街道」台账，用来熟悉本程序。", page)
        hint.setProperty("role", "detail")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        layout.addWidget(self.empty_label)
        layout.addSpacing(16)
        layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(8)
        layout.addWidget(hint)
        layout.addStretch(3)
        return page

    # ------------------------------------------------------------ data
    @property
    def showing_empty_state(self) -> bool:
        return self.stack.currentWidget() is self.empty_page

    def status_text(self) -> str:
        return self._status

    def refresh(self) -> None:
        figures = stats.collect()
        self.figures = figures
        if is_empty(figures):
            self.stack.setCurrentWidget(self.empty_page)
            self._status = "数据库是空的"
            self.statusChanged.emit(self._status)
            return
        self.stack.setCurrentWidget(self.figures_page)

        branches = figures["branches"]
        self.branches_card.set_value(formatting.count(branches["total"]))
        self.branches_card.set_details(
            [
                (vocab.label(vocab.BRANCH_CATEGORIES, code), formatting.count(n))
                for code, n in branches["by_category"].items()
                if n
            ]
        )

        self.groups_card.set_value(formatting.count(figures["building_groups"]))
        self.groups_card.set_details(
            [
                ("社区", f"{formatting.count(figures['communities'])} 个"),
                ("小区", f"{formatting.count(figures['estates'])} 个"),
            ]
        )

        members = figures["members"]
        self.members_card.set_value(formatting.count(members["total"]))
        self.members_card.set_details(
            [
                (vocab.label(vocab.MEMBER_CATEGORIES, code), formatting.count(n))
                for code, n in members["by_category"].items()
            ]
        )

        self.volunteers_card.set_value(formatting.count(figures["volunteer_teams"]))
        self.volunteers_card.set_details([("志愿者", f"{formatting.count(figures['volunteers'])} 人")])

        self._show_rating(figures)
        self._show_funds(figures)

        self._status = (
            f"党支部 {formatting.count(branches['total'])} 个 · 楼栋党小组 {formatting.count(figures['building_groups'])} 个 · "
            f"党员 {formatting.count(members['total'])} 名"
        )
        self.statusChanged.emit(self._status)

    def _show_rating(self, figures: dict[str, Any]) -> None:
        last = last_finalized_rating(figures)
        open_rounds = sorted(int(y) for y, r in figures["ratings"].items() if not r.get("finalized"))
        pending = [f"{year} 年度评定进行中" for year in open_rounds if last is None or year > last[0]]
        if last is None:
            self.rating_card.title_label.setText("星级评定")
            self.rating_sentence.setText("还没有已定级的星级评定。")
            self.star_chart.hide()
        else:
            year, rating = last
            self.rating_card.title_label.setText(f"星级评定（{year} 年度，已定级）")
            self.rating_sentence.setText(rating_sentence(year, rating))
            self.star_chart.set_counts({int(s): n for s, n in rating["by_stars"].items()})
            self.star_chart.show()
        self.rating_card.set_details([(text, "") for text in pending])

    def _show_funds(self, figures: dict[str, Any]) -> None:
        year = ledger_year(figures, self._today())
        fig = figures["ledger"].get(str(year), {"allocated_fen": 0, "spent_fen": 0, "balance_fen": 0})
        self.funds_card.title_label.setText(f"{year} 年度经费（全部党支部）")
        self.funds_figures["allocated"].setText(formatting.money(fig["allocated_fen"]))
        self.funds_figures["spent"].setText(formatting.money(fig["spent_fen"]))
        balance = self.funds_figures["balance"]
        balance.setText(formatting.money(fig["balance_fen"]))
        balance.setProperty("role", "money-alert" if fig["balance_fen"] < 0 else "money")
        balance.style().unpolish(balance)
        balance.style().polish(balance)
        self.spend_meter.set_amounts(fig["spent_fen"], fig["allocated_fen"])
