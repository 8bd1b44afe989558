"""评定结果: the results of one year's star rating — the summary line ("74 个支部中一星以上
66 个，五星 7 个"), the distribution table, a bar chart painted with QPainter (QtCharts is
not installed), and the history of every branch across the years with ↑/↓, with a
filter bar (search, community, only the branches that dropped) and an empty state.

`RatingResultsPage.show_year(year)` loads a year; `refresh()` reloads it. Both tables are
`ui.record_table_model.RecordTableModel`s: `DISTRIBUTION_COLUMNS` over `StarLine`s
(`distribution_lines`), `history_columns(history, year)` over `services.rating.HistoryRow`s
(one column per year, so the columns are set again on each load).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import formatting, screen_fit
from ui.filter_bar import EmptyState, FilterBar
from ui.record_table_model import ALERT, MUTED, OBJECT_ROLE, Column, RecordTableModel
from ui.table_view import fit_columns, make_table, size_columns
from wanghu_desk import vocab
from wanghu_desk.rating_rules import STAR_NAMES
from wanghu_desk.services import rating

UP = QColor("#2E7D32")
DOWN = ALERT
TEXT = QColor("#333333")
BAR = QColor("#8795A8")
BAR_FIVE = QColor("#C8161D")
GRID = QColor("#E4E6EA")
AXIS = QColor("#B8BCC2")

STAR_ORDER = (5, 4, 3, 2, 1, 0)
EMPTY_HISTORY = "还没有历年评定结果。为各党支部评分后，这里列出每个支部历年的星级和升降。"
EMPTY_DISTRIBUTION = "还没有星级评定结果。"


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


@dataclass(frozen=True)
class StarLine:
    """One line of the distribution: a star level (five first), or the 合计 (star None)."""

    label: str
    count: int
    share: str
    star: int | None
    tip: str | None = None

    @property
    def is_total(self) -> bool:
        return self.star is None


def distribution_lines(dist: rating.Distribution | None) -> list[StarLine]:
    """星级 | 支部数 | 占比, five stars first, then a 合计 line (nothing without a result)."""
    if dist is None:
        return []
    lines = []
    for s in STAR_ORDER:
        label = f"{formatting.stars(s)}  {STAR_NAMES[s]}" if s else f"{formatting.stars(0)}  未定星"
        n = dist.by_stars.get(s, 0)
        lines.append(StarLine(label, n, share_text(n, dist.rated), s, f"含一票否决 {dist.vetoed} 个" if s == 0 else None))
    lines.append(StarLine("合计", dist.rated, share_text(dist.rated, dist.rated), None))
    return lines


DISTRIBUTION_COLUMNS = (
    Column("stars", "星级", lambda d: d.label, sort=lambda d: d.star, tooltip=lambda d: d.tip,
           sample="★★★★★  五星"),
    Column("count", "支部数", lambda d: d.count, text=lambda d: formatting.count(d.count), align="right",
           sample="1,000", tooltip=lambda d: None),
    Column("share", "占比", lambda d: d.count, text=lambda d: d.share, align="right", sample="100.0%",
           tooltip=lambda d: None),
)


class _TotalInBold(QStyledItemDelegate):
    """The 合计 line of the distribution in bold."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802 - Qt API
        super().initStyleOption(option, index)
        line = index.data(OBJECT_ROLE)
        if isinstance(line, StarLine) and line.is_total:
            option.font.setBold(True)


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


def history_year(history: rating.History | None, year: int | None) -> int | None:
    """The year the 较上年 column compares: the chosen one, else the latest."""
    if history is None or not history.years:
        return None
    return year if year in history.years else history.years[-1]


def history_columns(history: rating.History | None, year: int | None) -> list[Column]:
    """党支部 | 所属社区 | 类别 | one column per year (stars, with ↑/↓ against the year
    before) | 较上年 (`year` against the year before it)."""
    years = list(history.years) if history else []
    chosen = history_year(history, year)
    up, down, muted = QBrush(UP), QBrush(DOWN), QBrush(MUTED)
    columns = [
        Column("name", "党支部", lambda r: r.name, sample="省建一公司宿舍小区党支部", fit=True),
        Column("community", "所属社区", lambda r: r.community or None, text=lambda r: r.community or "—",
               sample="大洋店社区"),
        Column("category", "类别", lambda r: vocab.label(vocab.BRANCH_CATEGORIES, r.category), sample="小区(片区)党支部"),
    ]
    for y in years:
        columns.append(_year_column(history, y, years, up, down, muted))

    def change(r: rating.HistoryRow) -> int | None:
        return r.change(chosen, years) if chosen is not None else None

    def change_colour(r: rating.HistoryRow) -> QBrush:
        c = change(r)
        return muted if not c else (up if c > 0 else down)

    def change_tip(r: rating.HistoryRow) -> str | None:
        if chosen is None:
            return None
        c = change(r)
        if c is None:
            if years.index(chosen) == 0:
                return f"{chosen} 年度是第一个评定年度，没有上一年度可比"
            return f"{chosen} 年度与上一年度相比：无法比较（其中一年未参加评定或尚未评分）"
        return f"{chosen} 年度与上一年度相比：" + ("持平" if c == 0 else f"{'升' if c > 0 else '降'} {abs(c)} 星")

    columns.append(Column("change", "较上年", change, text=lambda r: arrow(change(r)) or ("持平" if change(r) == 0 else "—"),
                          align="right", sample="持平", foreground=change_colour, tooltip=change_tip))
    return columns


def _year_column(history: rating.History, y: int, years: list[int], up: QBrush, down: QBrush,
                 muted: QBrush) -> Column:
    def stars(r: rating.HistoryRow) -> int | None:
        return r.stars.get(y)

    def text(r: rating.HistoryRow) -> str:
        mark = arrow(r.change(y, years))
        cell = star_cell(stars(r), r.vetoed.get(y, False))
        return f"{cell} {mark}" if mark else cell

    def key(r: rating.HistoryRow) -> int | None:  # 否决 below 未定星, not rated last
        s = stars(r)
        return None if s is None else (-1 if r.vetoed.get(y, False) else s)

    def colour(r: rating.HistoryRow) -> QBrush | None:
        s = stars(r)
        if s is None:
            return muted
        if r.vetoed.get(y, False):
            return down
        c = r.change(y, years)
        return (up if c > 0 else down) if c else None

    def tip(r: rating.HistoryRow) -> str:
        s = stars(r)
        if s is None:
            return f"{y} 年度未参加评定或尚未评分"
        c = r.change(y, years)
        label = "一票否决" if r.vetoed.get(y, False) else STAR_NAMES[s]
        return f"{y} 年度：{label}" + (f"（较上年{'升' if c > 0 else '降'} {abs(c)} 星）" if c else "")

    header = f"{y}年度" + ("" if history.finalized.get(y) else "（评定中）")
    return Column(f"y{y}", header, stars, text=text, sort=key, foreground=colour, tooltip=tip, sample="★★★★☆ ↓1")


def new_history_model(parent=None) -> RecordTableModel:
    """The history list: searched by branch name, one row per branch (`ID_ROLE` its id),
    in the organisation's order until a header is clicked."""
    return RecordTableModel(history_columns(None, None), parent, search=lambda r: r.name, row_id=lambda r: r.branch_id)


def new_distribution_model(parent=None) -> RecordTableModel:
    return RecordTableModel(DISTRIBUTION_COLUMNS, parent, row_id=lambda d: d.star)


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
        self.history: rating.History | None = None
        self._dirty = False

        self.summary_label = QLabel()
        self.summary_label.setObjectName("ratingSummary")
        self.summary_label.setStyleSheet("font-size: 14pt; color: #333333;")
        self.detail_label = QLabel()
        self.detail_label.setProperty("role", "detail")
        self.detail_label.setWordWrap(True)

        self.distribution_model = new_distribution_model(self)
        self.distribution_view = QTableView()
        self.distribution_view.setObjectName("distributionView")
        self.distribution_view.setModel(self.distribution_model)
        self.distribution_view.setItemDelegate(_TotalInBold(self.distribution_view))
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
        self.distribution_empty = EmptyState(self.distribution_view, empty_text=EMPTY_DISTRIBUTION,
                                             name="distributionEmpty")
        self.chart = StarBarChart()

        # The history: a filter bar (search, community, only the branches that dropped).
        self.filter_bar = FilterBar("history", "搜索党支部", self, delay_ms=0, search_name="historySearch")
        self.search = self.filter_bar.search
        self.community_combo = self.filter_bar.add_combo("historyCommunity", [("全部社区", None)])
        self.only_dropped = QCheckBox("只看较上年下降的支部")
        self.only_dropped.setObjectName("onlyDropped")
        self.filter_bar.add_filter_widget(self.only_dropped)
        self.history_model = new_history_model(self)
        self.history_view = make_table("historyView", self.history_model, self)
        self.history_view.customContextMenuRequested.connect(self._history_menu)
        self.history_empty = EmptyState(self.history_view, what="支部", empty_text=EMPTY_HISTORY,
                                        no_match="没有符合条件的支部。清空搜索，或取消「只看下降」。",
                                        on_clear=self.filter_bar.clear, name="historyEmpty")

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
        filters.addWidget(self.filter_bar, 1)

        # The page scrolls as a whole on a short screen, so the history keeps room for
        # several rows under the distribution (at 1366×768 it was left two).
        content = QWidget(self)
        content.setObjectName("resultsContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        rows = self.history_view.verticalHeader().defaultSectionSize()
        self.history_view.setMinimumHeight(self.history_view.horizontalHeader().sizeHint().height() + rows * 8 + 4)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = screen_fit.scrolling(content, self, name="resultsScroll")
        outer.addWidget(self.scroll)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.detail_label)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.history_view, 1)

        self.filter_bar.searchChanged.connect(lambda _t: self._filter())
        self.filter_bar.filtersChanged.connect(self._filter)
        self.filter_bar.cleared.connect(self._cleared)
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
        self.distribution_model.set_rows(distribution_lines(dist))
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
        history = self.history = rating.history()
        self._fill_communities(history)
        self.history_model.set_columns(history_columns(history, year))
        self.history_model.set_rows(history.rows)
        self._size_history_columns()
        self.only_dropped.setText(f"只看较上年下降的支部（{self.dropped_count()} 个）")
        self._filter()

    def _size_history_columns(self) -> None:
        view = self.history_view
        size_columns(view)
        fit_columns(view)
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        if self.history_model.columnCount():
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

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

    # ------------------------------------------------------------ the history's filters
    def change(self, row: rating.HistoryRow) -> int | None:
        """Stars gained or lost in the chosen year against the year before (None: not comparable)."""
        year = history_year(self.history, self.year)
        return row.change(year, self.history.years) if year is not None and self.history else None

    def dropped_count(self) -> int:
        return sum(1 for r in self.history_model.all_rows() if (self.change(r) or 0) < 0)

    def _cleared(self) -> None:
        """清除筛选: the search and the community by the filter bar, 只看下降 here."""
        self.only_dropped.blockSignals(True)
        self.only_dropped.setChecked(False)
        self.only_dropped.blockSignals(False)
        self._filter()

    def _filter(self) -> None:
        community, dropped = self.community_combo.currentData(), self.only_dropped.isChecked()
        conditions = []
        if community is not None:
            conditions.append(lambda r: r.community == community)
        if dropped:
            conditions.append(lambda r: (self.change(r) or 0) < 0)
        self.history_model.set_predicate((lambda r: all(c(r) for c in conditions)) if conditions else None)
        self.history_model.set_search(self.filter_bar.text())
        shown, total = self.history_model.shown_count, self.history_model.total_count
        self.filter_bar.set_count(f"共 {total} 个支部，显示 {shown} 个" if total else "")
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
