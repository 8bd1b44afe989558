"""首页 tab: the key figures of the database as cards, charts painted by hand (QtCharts is
not shipped) and a 待办提醒 panel whose reminders open the tab that deals with them.

Figures come from `wanghu_desk.services.stats.collect()` (branches by category, building
groups, members, volunteers, the last finalized star rating, this year's funds) and
`wanghu_desk.services.overview.overview()` (members by branch category, funds per branch
category, volunteer hours per month, the reminders). An empty database shows what to do.

`Dashboard.navigate_requested(target, payload)` asks the main window to open a tab with
a filter: ("members", {"due_for_confirmation": True}), ("ledger", {"compliance": True,
"year": Y}), ("groups", {"without_leader": True}), ("rating", {"year": Y})."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QHelpEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ui import formatting
from wanghu_desk import vocab
from wanghu_desk.services import stats

if TYPE_CHECKING:  # imported when the figures are first read (it pulls in the report services)
    from wanghu_desk.services import overview

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


@dataclass(frozen=True)
class Alert:
    """One line of the 待办提醒 panel. `level` is "alert" (overdue or below a rule: the
    red dot), "notice" (coming up) or "ok" (nothing to do); `target`/`payload` are what
    `Dashboard.navigate_requested` emits when it is clicked (None: nothing to open)."""

    key: str
    level: str
    text: str
    target: str | None = None
    payload: dict[str, Any] | None = None
    tooltip: str = ""

    @property
    def actionable(self) -> bool:
        return self.target is not None


def build_alerts(ov: overview.Overview) -> list[Alert]:
    """The reminders, in a fixed order: 转正, 小区党支部经费, 楼栋党小组长, 星级评定.
    Reminders about branches are left out while there is no branch."""
    alerts: list[Alert] = []
    overdue, soon = ov.probation_overdue, ov.probation_due_soon
    to_members = ("members", {"due_for_confirmation": True})
    if overdue:
        text = f"预备党员转正：已到期 {formatting.count(overdue)} 名" + (
            f"，30 天内到期 {formatting.count(soon)} 名" if soon else ""
        )
        alerts.append(Alert("probation", "alert", text, *to_members, tooltip="已到期：入党满一年仍未办理转正"))
    elif soon:
        alerts.append(
            Alert("probation", "notice", f"预备党员转正：30 天内到期 {formatting.count(soon)} 名", *to_members)
        )
    else:
        alerts.append(Alert("probation", "ok", "30 天内没有到期转正的预备党员"))
    if not ov.branches:
        return alerts

    if ov.estate_minimum_fen > 0:
        minimum = formatting.money(ov.estate_minimum_fen).removesuffix(".00")
        below = ov.estate_below_minimum
        year = ov.today.year
        if below:
            names = "、".join(below[:12]) + ("等" if len(below) > 12 else "")
            alerts.append(
                Alert(
                    "estate_funds",
                    "alert",
                    f"小区党支部 {year} 年专项经费不足 {minimum}：{formatting.count(len(below))} 个",
                    "ledger",
                    {"compliance": True, "year": year, "below_minimum": True},
                    tooltip=names,
                )
            )
        else:
            alerts.append(Alert("estate_funds", "ok", f"小区党支部 {year} 年专项经费均已达到 {minimum}"))

    leaderless = ov.groups_without_leader
    if leaderless:
        alerts.append(
            Alert(
                "groups",
                "alert",
                f"没有党小组长的楼栋党小组：{formatting.count(leaderless)} 个",
                "groups",
                {"without_leader": True},
            )
        )
    else:
        alerts.append(Alert("groups", "ok", "楼栋党小组均已设党小组长"))

    if ov.matters_overdue:
        alerts.append(Alert("matters", "alert", f"逾期未办结的居民事项：{formatting.count(ov.matters_overdue)} 件",
                            "matters", {"overdue": True}, tooltip="已超过办结时限仍未办结，点击查看"))
    elif ov.matters_total:
        alerts.append(Alert("matters", "ok", "居民事项均在办结时限内"))

    rating = ov.rating
    to_rating = ("rating", {"year": rating.year})
    deadline = f"{rating.deadline.month} 月 {rating.deadline.day} 日"
    if rating.status == "finalized":
        alerts.append(Alert("rating", "ok", f"{rating.year} 年度星级评定已定级"))
    elif rating.overdue:
        state = "尚未开始" if rating.status == "missing" else "尚未定级"
        alerts.append(
            Alert("rating", "alert", f"{rating.year} 年度星级评定{state}（应于 {deadline}前完成）", *to_rating)
        )
    else:
        state = "尚未开始" if rating.status == "missing" else "进行中"
        alerts.append(
            Alert("rating", "notice", f"{rating.year} 年度星级评定{state}，请于 {deadline}前定级", *to_rating)
        )
    return alerts


def hours(minutes: int) -> int:
    """Whole hours, rounded half up (for the labels on the month chart)."""
    return (int(minutes) + 30) // 60


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

    def set_details(
        self, rows: list[tuple[str, str]], *, alert_rows: frozenset[int] = frozenset(), columns: int = 1
    ) -> None:
        """Detail rows as (label, figure); figures are right-aligned. With `columns=2` the
        rows run down the left half, then down the right half (a long list stays short)."""
        for widget in self._detail_widgets:
            self.details.removeWidget(widget)
            widget.deleteLater()
        self._detail_widgets = []
        per_column = -(-len(rows) // max(1, columns)) if rows else 0
        for c in range(5):
            self.details.setColumnStretch(c, 0)
            self.details.setColumnMinimumWidth(c, 0)
        self.details.setColumnStretch(0, 1)
        if columns > 1:
            self.details.setColumnStretch(3, 1)
            self.details.setColumnMinimumWidth(2, 12)
        for i, (name, figure) in enumerate(rows):
            row, column = (i % per_column, 3 * (i // per_column)) if columns > 1 else (i, 0)
            name_label = QLabel(name, self)
            name_label.setProperty("role", "detail")
            figure_label = QLabel(figure, self)
            figure_label.setProperty("role", "alert" if i in alert_rows else "detail")
            figure_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            figure_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details.addWidget(name_label, row, column)
            self.details.addWidget(figure_label, row, column + 1)
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


@dataclass(frozen=True)
class Bar:
    """One row of a `BarChart`: what it is, how long the bar is, the figure shown."""

    label: str
    value: float
    text: str
    tooltip: str = ""
    alert: bool = False  # drawn in the accent (e.g. more spent than allocated)
    muted: bool = False  # drawn pale (e.g. nothing allocated yet)


class BarChart(QWidget):
    """Horizontal bars with their labels on the left and figures on the right; bars are
    scaled to the largest value, or to `full_scale` (then the track is 100 %)."""

    BAR = QColor("#7D8A99")
    BAR_MUTED = QColor("#C3C8CE")
    ALERT = QColor("#C8161D")
    TRACK = QColor("#F1F2F4")
    TEXT = QColor("#333333")
    LABEL = QColor("#555555")
    MUTED = QColor("#8A8A8A")

    def __init__(
        self,
        name: str,
        parent: QWidget | None = None,
        *,
        full_scale: float | None = None,
        text_sample: str = "0,000 名",
        empty_text: str = "暂无数据",
    ):
        super().__init__(parent)
        self.setObjectName(name)
        self.full_scale = full_scale
        self.text_sample = text_sample
        self.empty_text = empty_text
        self.bars: list[Bar] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = list(bars)
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 8

    def sizeHint(self) -> QSize:
        return QSize(360, self._row_height() * max(1, len(self.bars)) + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    def _columns(self) -> tuple[float, float, float]:
        fm = self.fontMetrics()
        label_w = max([fm.horizontalAdvance(b.label) for b in self.bars] + [0]) + 14
        label_w = min(label_w, self.width() * 0.45)
        number_w = (
            max([fm.horizontalAdvance(b.text) for b in self.bars] + [fm.horizontalAdvance(self.text_sample)]) + 10
        )
        bar_w = max(10.0, self.width() - label_w - number_w - 4)
        return label_w, bar_w, number_w

    def bar_at(self, pos: QPoint) -> int | None:
        row = (pos.y() - 2) // self._row_height()
        return row if 0 <= row < len(self.bars) else None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row = self.bar_at(event.pos())
            if row is not None and self.bars[row].tooltip:
                QToolTip.showText(event.globalPos(), self.bars[row].tooltip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.bars:
            painter.setPen(self.MUTED)
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        row_h = self._row_height()
        label_w, bar_w, number_w = self._columns()
        scale = self.full_scale or max([b.value for b in self.bars] + [0]) or 1
        left = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        right = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
        fm = self.fontMetrics()
        for i, bar in enumerate(self.bars):
            y = i * row_h + 2
            painter.setPen(self.LABEL)
            label = fm.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(label_w - 10))
            painter.drawText(QRectF(0, y, label_w - 10, row_h), left, label)
            bar_h = row_h - 12
            track = QRectF(label_w, y + (row_h - bar_h) / 2, bar_w, bar_h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.TRACK)
            painter.drawRoundedRect(track, 3, 3)
            if bar.value > 0:
                share = min(1.0, bar.value / scale)
                painter.setBrush(self.ALERT if bar.alert else self.BAR_MUTED if bar.muted else self.BAR)
                painter.drawRoundedRect(QRectF(track.x(), track.y(), max(3.0, bar_w * share), bar_h), 3, 3)
            painter.setPen(self.ALERT if bar.alert else self.MUTED if bar.muted else self.TEXT)
            painter.drawText(QRectF(label_w + bar_w + 4, y, number_w - 4, row_h), right, bar.text)
        painter.end()


class MonthChart(QWidget):
    """Columns of volunteer service hours per month (oldest on the left); the running
    month is drawn paler, since it is not over yet."""

    BAR = QColor("#7D8A99")
    BAR_RUNNING = QColor("#B7C0CA")
    AXIS = QColor("#D6D9DD")
    TEXT = QColor("#555555")
    MUTED = QColor("#8A8A8A")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("monthChart")
        self.months: list[overview.MonthService] = []
        self.today: dt.date | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_months(self, months: list[overview.MonthService], today: dt.date | None = None) -> None:
        self.months = list(months)
        self.today = today
        self.update()

    def _small_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        return font

    def sizeHint(self) -> QSize:
        return QSize(400, self.fontMetrics().height() * 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(280, self.sizeHint().height())

    def _slot(self) -> float:
        return self.width() / max(1, len(self.months))

    def month_at(self, pos: QPoint) -> int | None:
        if not self.months:
            return None
        i = int(pos.x() // self._slot())
        return i if 0 <= i < len(self.months) else None

    def tooltip_for(self, i: int) -> str:
        m = self.months[i]
        text = f"{m.year}年{m.month}月：服务 {formatting.count(m.records)} 次，{m.hours_text} 小时"
        if self.today is not None and (m.year, m.month) == (self.today.year, self.today.month):
            text += f"（截至 {self.today.month} 月 {self.today.day} 日）"
        return text

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            i = self.month_at(event.pos())
            if i is not None:
                QToolTip.showText(event.globalPos(), self.tooltip_for(i), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        small = self._small_font()
        painter.setFont(small)
        sfm = painter.fontMetrics()
        top = sfm.height() + 4  # room for the figure above the tallest column
        bottom = fm.height() + sfm.height() + 6  # month, and the year under January
        base_y = self.height() - bottom
        plot_h = max(10, base_y - top)
        slot = self._slot()
        biggest = max([m.minutes for m in self.months] + [0])
        painter.setPen(self.AXIS)
        painter.drawLine(QPoint(0, int(base_y) + 1), QPoint(self.width(), int(base_y) + 1))
        if biggest == 0:
            painter.setPen(self.MUTED)
            painter.setFont(self.font())
            painter.drawText(
                QRectF(0, top, self.width(), plot_h), Qt.AlignmentFlag.AlignCenter, "近 12 个月没有志愿服务记录"
            )
        bar_w = max(6.0, min(30.0, slot * 0.58))
        show_figures = all(sfm.horizontalAdvance(formatting.count(hours(m.minutes))) <= slot - 2 for m in self.months)
        centre = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        for i, m in enumerate(self.months):
            x = i * slot
            running = self.today is not None and (m.year, m.month) == (self.today.year, self.today.month)
            if biggest and m.minutes:
                h = max(2.0, plot_h * m.minutes / biggest)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self.BAR_RUNNING if running else self.BAR)
                painter.drawRoundedRect(QRectF(x + (slot - bar_w) / 2, base_y - h, bar_w, h), 2, 2)
                if show_figures:
                    painter.setPen(self.TEXT)
                    painter.setFont(small)
                    painter.drawText(
                        QRectF(x, base_y - h - sfm.height() - 2, slot, sfm.height()),
                        centre,
                        formatting.count(hours(m.minutes)),
                    )
            painter.setFont(self.font())
            painter.setPen(self.TEXT)
            painter.drawText(QRectF(x, base_y + 4, slot, fm.height()), centre, f"{m.month}月")
            if i == 0 or m.month == 1:
                painter.setFont(small)
                painter.setPen(self.MUTED)
                painter.drawText(QRectF(x, base_y + 4 + fm.height(), slot, sfm.height()), centre, f"{m.year}")
        painter.end()


class AlertRow(QFrame):
    """One reminder: a dot (red for an alert), the sentence and, when there is something
    to open, a 查看 link; clicking anywhere on the row opens it too."""

    activated = Signal()

    DOTS = {"alert": "#C8161D", "notice": "#7D8A99", "ok": "#C3C8CE"}

    def __init__(self, alert: Alert, parent: QWidget | None = None):
        super().__init__(parent)
        self.alert = alert
        self.setObjectName(f"alert_{alert.key}")
        self.setProperty("level", alert.level)
        self.dot = QLabel("●", self)
        self.dot.setObjectName("alertDot")
        self.dot.setStyleSheet(f"color: {self.DOTS.get(alert.level, '#C3C8CE')};")
        self.text_label = QLabel(alert.text, self)
        self.text_label.setObjectName("alertText")
        self.text_label.setWordWrap(True)
        self.text_label.setProperty("level", alert.level)
        if alert.tooltip:
            self.setToolTip(alert.tooltip)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 6, 6)
        row.setSpacing(8)
        row.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text_label, 1)
        self.link: QPushButton | None = None
        if alert.actionable:
            self.link = QPushButton("查看 ›", self)
            self.link.setObjectName("alertLink")
            self.link.setCursor(Qt.CursorShape.PointingHandCursor)
            self.link.setFlat(True)
            self.link.setToolTip("打开相关页面")
            self.link.clicked.connect(self.activated.emit)
            row.addWidget(self.link, 0, Qt.AlignmentFlag.AlignVCenter)
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if (
            self.alert.actionable
            and event.button() == Qt.MouseButton.LeftButton
            and self.rect().contains(event.position().toPoint())
        ):
            self.activated.emit()
            event.accept()
            return
        super().mouseReleaseEvent(event)


class AlertsPanel(QWidget):
    """The rows of the 待办提醒 card."""

    activated = Signal(object)  # the Alert

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertsPanel")
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(4)
        self.rows: list[AlertRow] = []

    def set_alerts(self, alerts: list[Alert]) -> None:
        for row in self.rows:
            self.column.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows = []
        for alert in alerts:
            row = AlertRow(alert, self)
            row.activated.connect(lambda a=alert: self.activated.emit(a))
            self.column.addWidget(row)
            self.rows.append(row)

    def row(self, key: str) -> AlertRow | None:
        return next((r for r in self.rows if r.alert.key == key), None)

    def alerts(self) -> list[Alert]:
        return [r.alert for r in self.rows]


DASHBOARD_STYLE = """
QFrame#card AlertRow, QFrame#card QFrame[level] {
    background: transparent;
    border: none;
    border-radius: 4px;
}
QFrame#card QFrame[level="alert"] {
    background: #FDF3F3;
}
QFrame#card QFrame[level="notice"] {
    background: #F5F6F8;
}
QLabel#alertText[level="ok"] {
    color: #8A8A8A;
}
QPushButton#alertLink {
    background: transparent;
    border: none;
    color: #1F5FA8;
    padding: 2px 4px;
    min-width: 0;
}
QPushButton#alertLink:hover {
    text-decoration: underline;
}
"""


class Dashboard(QWidget):
    """The 首页 tab. Call `refresh()` after anything changed the database.

    `navigate_requested(target, payload)` is emitted when the clerk clicks a reminder:
    the main window opens tab `target` ("members", "ledger", "groups", "rating") with the
    filter `payload` (a dict, see the module docstring)."""

    statusChanged = Signal(str)
    navigate_requested = Signal(str, object)

    def __init__(
        self,
        on_load_demo: Callable[[], None] | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._today = today
        self.figures: dict[str, Any] | None = None
        self.overview: overview.Overview | None = None
        self._status = ""
        self.setStyleSheet(DASHBOARD_STYLE)

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

        self.alerts_card = self._chart_card("alerts", "待办提醒")
        self.alerts_panel = AlertsPanel(self.alerts_card)
        self.alerts_panel.activated.connect(self._open_alert)
        self.alerts_card.body.insertWidget(2, self.alerts_panel)

        self.members_chart_card = self._chart_card("membersByCategory", "党员分布（按所在党支部类别）")
        self.members_chart = BarChart("membersChart", self.members_chart_card, text_sample="0,000 名")
        self.members_chart_card.body.insertWidget(2, self.members_chart)

        self.spend_card = self._chart_card("spendRate", "经费执行率（按党支部类别）")
        self.spend_chart = BarChart(
            "spendChart", self.spend_card, full_scale=1.0, text_sample="100.0%", empty_text="本年度还没有经费记录"
        )
        self.spend_card.body.insertWidget(2, self.spend_chart)

        self.service_card = Card("serviceHours", "志愿服务时长（近 12 个月）", "小时")
        self.month_chart = MonthChart(self.service_card)
        self.service_card.body.insertWidget(2, self.month_chart)

        canvas = QWidget()
        canvas.setObjectName("dashboardCanvas")
        grid = QGridLayout(canvas)
        grid.setContentsMargins(20, 14, 20, 14)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(14)
        # twelve columns: four figure cards on top, then two rows of three
        for i, card in enumerate((self.branches_card, self.groups_card, self.members_card, self.volunteers_card)):
            grid.addWidget(card, 0, 3 * i, 1, 3)
        for i, card in enumerate((self.alerts_card, self.rating_card, self.funds_card)):
            grid.addWidget(card, 1, 4 * i, 1, 4)
        for i, card in enumerate((self.members_chart_card, self.spend_card, self.service_card)):
            grid.addWidget(card, 2, 4 * i, 1, 4)
        for column in range(12):
            grid.setColumnStretch(column, 1)
        grid.setRowStretch(3, 1)

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

    @staticmethod
    def _chart_card(key: str, title: str) -> Card:
        card = Card(key, title, "")
        card.value_label.hide()
        card.unit_label.hide()
        return card

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
        self.show_data(*self.read_data())

    def read_data(self) -> tuple[dict[str, Any], overview.Overview | None]:
        """The figures and the overview shown (only reads: safe on a worker thread)."""
        from wanghu_desk.services import overview

        figures = stats.collect()
        if is_empty(figures):
            return figures, None
        today = self._today()
        return figures, overview.overview(today, funds_year=ledger_year(figures, today))

    def show_data(self, figures: dict[str, Any], ov: overview.Overview | None) -> None:
        """Show what `read_data` read."""
        self.figures = figures
        if is_empty(figures) or ov is None:
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
            ],
            columns=2,
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

        self.overview = ov
        self._show_members_by_category(ov)
        self._show_spend_rates(ov)
        self._show_service(ov)
        alerts = build_alerts(ov)
        self.alerts_panel.set_alerts(alerts)
        pending = sum(1 for a in alerts if a.level == "alert")

        self._status = (
            f"党支部 {formatting.count(branches['total'])} 个 · 楼栋党小组 {formatting.count(figures['building_groups'])} 个 · "
            f"党员 {formatting.count(members['total'])} 名"
        )
        if pending:
            self._status += f" · 待办提醒 {pending} 项"
        self.statusChanged.emit(self._status)

    def alerts(self) -> list[Alert]:
        return self.alerts_panel.alerts()

    def _open_alert(self, alert: Alert) -> None:
        if alert.target is not None:
            self.navigate_requested.emit(alert.target, dict(alert.payload or {}))

    def _show_members_by_category(self, ov: overview.Overview) -> None:
        total = ov.members_total
        bars = []
        for row in ov.members_by_branch_category:
            if not row.count:
                continue
            share = row.count / total if total else 0
            bars.append(
                Bar(
                    row.label,
                    row.count,
                    f"{formatting.count(row.count)} 名",
                    tooltip=f"{row.label}：{formatting.count(row.count)} 名，占 {share:.1%}",
                )
            )
        self.members_chart.set_bars(bars)

    def _show_spend_rates(self, ov: overview.Overview) -> None:
        self.spend_card.title_label.setText(f"经费执行率（{ov.funds_year} 年度，按党支部类别）")
        bars = []
        if ov.funds_entries:
            for row in ov.funds_by_category:
                rate = row.spend_rate_permille
                tooltip = (
                    f"{row.label} {row.branches} 个：拨付 {formatting.money(row.allocated_fen)}，"
                    f"支出 {formatting.money(row.spent_fen)}"
                )
                if rate is None:
                    bars.append(Bar(row.label, 0, "未拨付", tooltip=tooltip, muted=True))
                else:
                    bars.append(
                        Bar(
                            row.label,
                            rate / 1000,
                            f"{rate / 10:.1f}%",
                            tooltip=f"{tooltip}，执行率 {rate / 10:.1f}%",
                            alert=rate > 1000,
                        )
                    )
        self.spend_chart.set_bars(bars)

    def _show_service(self, ov: overview.Overview) -> None:
        months = ov.service_by_month
        total = sum(m.minutes for m in months)
        records = sum(m.records for m in months)
        self.service_card.unit_label.setText(f"小时 · 服务 {formatting.count(records)} 次")
        self.service_card.set_value(formatting.count(hours(total)))
        first, last = months[0], months[-1]
        self.service_card.title_label.setToolTip(f"{first.year}年{first.month}月至{last.year}年{last.month}月")
        self.month_chart.set_months(months, ov.today)

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
