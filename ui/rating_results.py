"""评定结果: the results of one year's star rating — the summary line ("74 个支部中一星以上
66 个，五星 7 个"), the distribution table, a bar chart painted with QPainter (QtCharts is
not installed), and the history of every branch across the years with ↑/↓, with a
filter for the branches that dropped.

`RatingResultsPage.show_year(year)` loads a year; `refresh()` reloads it. Models:
`DistributionModel`, `HistoryModel` (both plain `QAbstractTableModel`s over
`services.rating` results).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QGuiApplication, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import formatting
from ui.record_table_model import ALERT, MUTED, SORT_ROLE, Index
from wanghu_desk import vocab
from wanghu_desk.rating_rules import STAR_NAMES
from wanghu_desk.services import rating

BRANCH_ID_ROLE = Qt.ItemDataRole.UserRole + 2
_TOP = QModelIndex()

UP = QColor("#2E7D32")
DOWN = ALERT
TEXT = QColor("#333333")
BAR = QColor("#8795A8")
BAR_FIVE = QColor("#C8161D")
GRID = QColor("#E4E6EA")
AXIS = QColor("#B8BCC2")

STAR_ORDER = (5, 4, 3, 2, 1, 0)
EMPTY_HISTORY = "还没有历年评定结果。"


def share_text(n: int, total: int) -> str:
    if not total:
        return "—"
    tenths = (n * 1000 + total // 2) // total
    return f"{tenths // 10}.{tenths % 10}%"


def star_cell(stars: int | None, vetoed: bool = False) -> str:
    if stars is None:
        return "—"
    if vetoed:
        return "否决"
    return formatting.stars(stars)


def arrow(change: int | None) -> str:
    if not change:
        return ""
    return f"↑{change}" if change > 0 else f"↓{-change}"


# ---------------------------------------------------------------- distribution


class DistributionModel(QAbstractTableModel):
    """星级 | 支部数 | 占比, five stars first, then a 合计 row."""

    HEADERS = ("星级", "支部数", "占比")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.distribution: rating.Distribution | None = None
        self._rows: list[tuple[str, int, str, int | None]] = []
        self._right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._bold = QFont()
        self._bold.setBold(True)

    def set_distribution(self, dist: rating.Distribution | None) -> None:
        self.beginResetModel()
        self.distribution = dist
        self._rows = []
        if dist is not None:
            for s in STAR_ORDER:
                label = f"{formatting.stars(s)}  {STAR_NAMES[s]}" if s else f"{formatting.stars(0)}  未定星"
                n = dist.by_stars.get(s, 0)
                self._rows.append((label, n, share_text(n, dist.rated), s))
            self._rows.append(("合计", dist.rated, share_text(dist.rated, dist.rated), None))
        self.endResetModel()

    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < 3:
            return None
        label, n, share, star = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (label, formatting.count(n), share)[index.column()]
        if role == SORT_ROLE:
            return (star if star is not None else -1, n, n)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return self._right
        if role == Qt.ItemDataRole.FontRole and star is None:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and star == 0 and self.distribution is not None:
            return f"含一票否决 {self.distribution.vetoed} 个"
        return None


class StarBarChart(QWidget):
    """Branches per star level as bars, painted with QPainter (五星 in the accent)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("starBarChart")
        self.counts: dict[int, int] = {}
        self.limit: int | None = None  # the five-star cap, drawn as a note
        self.setMinimumSize(360, 210)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_counts(self, counts: dict[int, int], limit: int | None = None) -> None:
        self.counts = dict(counts)
        self.limit = limit
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(440, 240)

    def bar_rects(self) -> list[tuple[int, QRectF]]:
        """(star, rectangle) of each bar, for painting and tests."""
        fm = self.fontMetrics()
        left, right = 12.0, 12.0
        top = fm.height() * 1.6
        bottom = fm.height() * 2.2
        width = max(1.0, self.width() - left - right)
        height = max(1.0, self.height() - top - bottom)
        top_value = max([1, *self.counts.values()])
        slot = width / len(STAR_ORDER)
        bar_w = min(56.0, slot * 0.56)
        out = []
        for i, s in enumerate(STAR_ORDER):
            n = self.counts.get(s, 0)
            h = height * n / top_value
            x = left + slot * i + (slot - bar_w) / 2
            out.append((s, QRectF(x, top + height - h, bar_w, h)))
        return out

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        base_y = self.height() - fm.height() * 2.2
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(12, int(base_y), self.width() - 12, int(base_y))
        if not self.counts or not any(self.counts.values()):
            painter.setPen(MUTED)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "暂无评定结果")
            painter.end()
            return
        for s, rect in self.bar_rects():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(BAR_FIVE if s == 5 else BAR))
            if rect.height() > 0:
                painter.drawRoundedRect(rect, 2, 2)
            n = self.counts.get(s, 0)
            painter.setPen(TEXT)
            value_rect = QRectF(rect.center().x() - 40, rect.top() - fm.height() - 2, 80, fm.height())
            painter.drawText(value_rect, Qt.AlignmentFlag.AlignCenter, formatting.count(n))
            label_rect = QRectF(rect.center().x() - 50, base_y + 4, 100, fm.height())
            painter.setPen(TEXT)
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, STAR_NAMES[s])
            if s == 5 and self.limit is not None:
                painter.setPen(MUTED)
                painter.drawText(QRectF(rect.center().x() - 50, base_y + 4 + fm.height(), 100, fm.height()),
                                 Qt.AlignmentFlag.AlignCenter, f"名额 {self.limit}")
        painter.end()


# ---------------------------------------------------------------- history


class HistoryModel(QAbstractTableModel):
    """党支部 | 所属社区 | 类别 | one column per year (stars, with ↑/↓ against the year
    before) | 较上年 (the chosen year against the one before)."""

    FIXED = ("党支部", "所属社区", "类别")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.history: rating.History | None = None
        self.year: int | None = None
        self._rows: list[rating.HistoryRow] = []
        self._shown: list[rating.HistoryRow] = []
        self._text = ""
        self._community: str | None = None
        self._only_dropped = False
        self._up, self._down, self._muted = QBrush(UP), QBrush(DOWN), QBrush(MUTED)
        self._right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def set_history(self, history: rating.History | None, year: int | None) -> None:
        self.beginResetModel()
        self.history = history
        self.year = year if history and year in history.years else (history.years[-1] if history and history.years
                                                                      else None)
        self._rows = list(history.rows) if history else []
        self._apply()
        self.endResetModel()

    def set_filter(self, *, text: str = "", community: str | None = None, only_dropped: bool = False) -> None:
        self.beginResetModel()
        self._text, self._community, self._only_dropped = text.strip(), community, only_dropped
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        rows = self._rows
        if self._text:
            rows = [r for r in rows if self._text in r.name]
        if self._community is not None:
            rows = [r for r in rows if r.community == self._community]
        if self._only_dropped:
            rows = [r for r in rows if (self.change(r) or 0) < 0]
        self._shown = rows

    def change(self, row: rating.HistoryRow, year: int | None = None) -> int | None:
        if self.history is None:
            return None
        year = self.year if year is None else year
        if year is None or year not in self.history.years:
            return None
        return row.change(year, self.history.years)

    def dropped_count(self) -> int:
        return sum(1 for r in self._rows if (self.change(r) or 0) < 0)

    @property
    def shown(self) -> list[rating.HistoryRow]:
        return list(self._shown)

    @property
    def total_rows(self) -> int:
        return len(self._rows)

    def _years(self) -> list[int]:
        return list(self.history.years) if self.history else []

    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = _TOP) -> int:
        if parent.isValid():
            return 0
        return len(self.FIXED) + len(self._years()) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        years = self._years()
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(self.FIXED):
                return self.FIXED[section]
            k = section - len(self.FIXED)
            if k < len(years):
                y = years[k]
                return f"{y}年度" + ("" if self.history.finalized.get(y) else "（评定中）")
            return "较上年"
        if role == Qt.ItemDataRole.ToolTipRole and section == self.columnCount() - 1 and self.year is not None:
            return f"{self.year} 年度与上一年度相比的星级变化"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        c = index.column()
        if not 0 <= c < self.columnCount():
            return None
        r = self._shown[index.row()]
        years = self._years()
        nfixed = len(self.FIXED)
        if role == BRANCH_ID_ROLE:
            return r.branch_id
        if c < nfixed:
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                return (r.name, r.community or "—", vocab.label(vocab.BRANCH_CATEGORIES, r.category))[c]
            return None
        k = c - nfixed
        if k < len(years):
            y = years[k]
            stars, vetoed = r.stars.get(y), r.vetoed.get(y, False)
            change = r.change(y, years)
            if role == Qt.ItemDataRole.DisplayRole:
                text = star_cell(stars, vetoed)
                mark = arrow(change)
                return f"{text} {mark}" if mark else text
            if role == SORT_ROLE:
                return -2 if stars is None else (-1 if vetoed else stars)
            if role == Qt.ItemDataRole.ForegroundRole:
                if stars is None or vetoed:
                    return self._muted if stars is None else self._down
                if change:
                    return self._up if change > 0 else self._down
            if role == Qt.ItemDataRole.ToolTipRole:
                if stars is None:
                    return f"{y} 年度未参加评定或尚未评分"
                label = "一票否决" if vetoed else STAR_NAMES[stars]
                return f"{y} 年度：{label}" + (f"（较上年{'升' if change > 0 else '降'} {abs(change)} 星）" if change else "")
            return None
        change = self.change(r)
        if role == Qt.ItemDataRole.DisplayRole:
            return arrow(change) or ("持平" if change == 0 else "—")
        if role == SORT_ROLE:
            return change if change is not None else 0
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._right
        if role == Qt.ItemDataRole.ForegroundRole:
            if not change:
                return self._muted
            return self._up if change > 0 else self._down
        return None


# ---------------------------------------------------------------- the page


def _card(title: str, body: QWidget) -> QFrame:
    card = QFrame()
    card.setObjectName("card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(14, 10, 14, 12)
    layout.setSpacing(6)
    label = QLabel(title)
    label.setObjectName("cardTitle")
    layout.addWidget(label)
    layout.addWidget(body, 1)
    return card


class RatingResultsPage(QWidget):
    """See the module docstring."""

    statusChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.year: int | None = None
        self.result: rating.YearResult | None = None
        self._dirty = False

        self.summary_label = QLabel()
        self.summary_label.setObjectName("ratingSummary")
        self.summary_label.setStyleSheet("font-size: 14pt; color: #333333;")
        self.detail_label = QLabel()
        self.detail_label.setProperty("role", "detail")
        self.detail_label.setWordWrap(True)

        self.distribution_model = DistributionModel(self)
        self.distribution_view = QTableView()
        self.distribution_view.setObjectName("distributionView")
        self.distribution_view.setModel(self.distribution_model)
        self.distribution_view.verticalHeader().hide()
        self.distribution_view.setAlternatingRowColors(True)
        self.distribution_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.distribution_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.distribution_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.distribution_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.distribution_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.distribution_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.distribution_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_distribution()
        self.distribution_view.setMinimumWidth(300)
        self.chart = StarBarChart()

        self.search = QLineEdit()
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText("搜索党支部")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(240)
        self.community_combo = QComboBox()
        self.community_combo.setObjectName("historyCommunity")
        self.only_dropped = QCheckBox("只看较上年下降的支部")
        self.only_dropped.setObjectName("onlyDropped")
        self.history_model = HistoryModel(self)
        self.history_view = QTableView()
        self.history_view.setObjectName("historyView")
        self.history_view.setModel(self.history_model)
        self.history_view.verticalHeader().hide()
        self.history_view.setAlternatingRowColors(True)
        self.history_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_view.setWordWrap(False)
        self.history_view.horizontalHeader().setStretchLastSection(False)
        self.history_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.history_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.history_view.customContextMenuRequested.connect(self._history_menu)
        self.history_empty = QLabel(EMPTY_HISTORY)
        self.history_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.history_empty.setProperty("role", "detail")
        self.history_stack = QStackedWidget()
        self.history_stack.addWidget(self.history_view)
        self.history_stack.addWidget(self.history_empty)
        self.history_count = QLabel()
        self.history_count.setProperty("role", "detail")

        top = QHBoxLayout()
        top.setSpacing(12)
        top.addWidget(_card("星级分布", self.distribution_view), 2)
        top.addWidget(_card("分布图", self.chart), 3)

        filters = QHBoxLayout()
        filters.setSpacing(8)
        title = QLabel("历年星级")
        title.setStyleSheet("font-weight: bold;")
        filters.addWidget(title)
        filters.addSpacing(8)
        filters.addWidget(self.search)
        filters.addWidget(self.community_combo)
        filters.addWidget(self.only_dropped)
        filters.addStretch(1)
        filters.addWidget(self.history_count)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.detail_label)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.history_stack, 1)

        self.search.textChanged.connect(lambda _t: self._filter())
        self.community_combo.currentIndexChanged.connect(lambda _i: self._filter())
        self.only_dropped.toggled.connect(lambda _b: self._filter())

    def _fit_distribution(self) -> None:
        """Exactly as tall as its seven rows and the header: no scroll bar, no gap."""
        view = self.distribution_view
        rows = max(7, self.distribution_model.rowCount())
        height = (view.horizontalHeader().sizeHint().height() + rows * view.verticalHeader().defaultSectionSize()
                  + 2 * view.frameWidth())
        view.setFixedHeight(height)

    # ------------------------------------------------------------ loading
    def show_year(self, year: int | None) -> None:
        self.year = year
        self.refresh()

    def mark_dirty(self) -> None:
        """The year changed: refresh now if shown, else when next shown (an edit in the
        grid should not wait for the history table)."""
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self._dirty:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self._dirty = False
        year = self.year
        self.result = rating.year_result(year) if year is not None else None
        dist = self.result.distribution if self.result else None
        self.distribution_model.set_distribution(dist)
        if dist is None:
            self.summary_label.setText("还没有星级评定结果。")
            self.detail_label.setText("")
            self.chart.set_counts({})
        else:
            state = "" if dist.finalized else f"（{self.result.round.status_label}，按当前评分计算）"
            self.summary_label.setText(f"{dist.year} 年度：{dist.summary}{state}")
            details = [f"一票否决 {dist.vetoed} 个"]
            if dist.unscored:
                details.append(f"尚未评分 {dist.unscored} 个")
            for star, cap in sorted(self.result.limits.items(), reverse=True):
                details.append(f"{STAR_NAMES[star]}名额 {cap} 个（{self.result.scheme.caps.get(star)}%）")
            if self.result.pending_ties:
                details.append(f"名额边界同分待裁定 {len(self.result.pending_ties)} 处")
            self.detail_label.setText("；".join(details) + "。")
            self.chart.set_counts(dist.by_stars, self.result.limits.get(5))
        history = rating.history()
        self._fill_communities(history)
        self.history_model.set_history(history, year)
        self.only_dropped.setText(f"只看较上年下降的支部（{self.history_model.dropped_count()} 个）")
        self._filter()

    def _fill_communities(self, history: rating.History) -> None:
        current = self.community_combo.currentData()
        names = sorted({r.community for r in history.rows if r.community})
        self.community_combo.blockSignals(True)
        self.community_combo.clear()
        self.community_combo.addItem("全部社区", None)
        for name in names:
            self.community_combo.addItem(name, name)
        i = self.community_combo.findData(current)
        self.community_combo.setCurrentIndex(max(0, i))
        self.community_combo.blockSignals(False)

    def _filter(self) -> None:
        self.history_model.set_filter(text=self.search.text(), community=self.community_combo.currentData(),
                                      only_dropped=self.only_dropped.isChecked())
        shown, total = len(self.history_model.shown), self.history_model.total_rows
        self.history_stack.setCurrentWidget(self.history_view if total else self.history_empty)
        if total and not shown:
            self.history_stack.setCurrentWidget(self.history_empty)
            self.history_empty.setText("没有符合条件的支部。清空搜索或取消「只看下降」。")
        else:
            self.history_empty.setText(EMPTY_HISTORY)
        self.history_count.setText(f"共 {total} 个支部，显示 {shown} 个" if total else "")
        self.history_view.resizeColumnsToContents()
        self.statusChanged.emit(self.status_text())

    def status_text(self) -> str:
        if self.result is None:
            return ""
        return f"{self.result.year} 年度：{self.result.distribution.summary}"

    def _history_menu(self, pos) -> None:
        index = self.history_view.indexAt(pos)
        menu = QMenu(self)
        copy = QAction("复制", menu)
        copy.setEnabled(index.isValid())
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(str(index.data() or "")))
        menu.addAction(copy)
        menu.popup(self.history_view.viewport().mapToGlobal(pos))
