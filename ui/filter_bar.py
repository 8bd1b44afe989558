"""The filter bar and the empty state every list of the window uses.

- `FilterBar`: a search box whose text is applied after a short pause in typing
  (`SEARCH_DELAY_MS`; Enter applies it at once; `delay_ms=0` for short lists, filtered
  on every keystroke), optional combo filters, a 清除筛选
  button when there are combos, a count label ("共 120 个，显示 8 个") and room for the
  list's own buttons. `searchChanged(str)` fires once the typing pauses, `filtersChanged()`
  when a combo is changed by the clerk, `cleared()` after 清除筛选.
- `EmptyState`: laid over a table's viewport when the table has no rows. With records
  behind a filter it says "没有符合条件的记录" and offers 清除筛选; with no records at all
  it says what to do first ("还没有党员。点击「导入」或「新增」。").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SEARCH_DELAY_MS = 150
NO_MATCH_TEXT = "没有符合条件的{what}。"


class FilterBar(QWidget):
    """See the module docstring. `name` prefixes the object names (tests and styles
    find `<name>Search`, `<name>Count`, `<name>ClearFilters`)."""

    searchChanged = Signal(str)
    filtersChanged = Signal()
    cleared = Signal()

    def __init__(
        self,
        name: str,
        hint: str,
        parent: QWidget | None = None,
        *,
        delay_ms: int = SEARCH_DELAY_MS,
        search_name: str | None = None,
        two_rows: bool = False,
    ):
        super().__init__(parent)
        self.setObjectName(f"{name}FilterBar")
        self._applied = ""
        self._combos: list[QComboBox] = []
        self.search = QLineEdit(self)
        self.search.setObjectName(search_name or f"{name}Search")
        self.search.setPlaceholderText(hint)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance(hint) + 48)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.apply_search)
        if delay_ms > 0:
            self.search.textChanged.connect(lambda _t: self._timer.start())
        else:  # a short list: filtered as the clerk types
            self.search.textChanged.connect(lambda _t: self.apply_search())
        self.search.returnPressed.connect(self.apply_search)

        self.clear_button = QPushButton("清除筛选", self)
        self.clear_button.setObjectName(f"{name}ClearFilters")
        self.clear_button.setToolTip("清空搜索，所有筛选恢复为「全部」")
        self.clear_button.clicked.connect(lambda _c=False: self.clear())
        self.clear_button.setVisible(False)
        self.count_label = QLabel(self)
        self.count_label.setObjectName(f"{name}Count")
        self.count_label.setProperty("role", "detail")

        self.top_row = QHBoxLayout()
        self.top_row.setSpacing(8)
        self.top_row.addWidget(self.search, 1)
        self.combo_row = QHBoxLayout() if two_rows else self.top_row
        self.combo_row.setSpacing(8)
        self._trailing = QHBoxLayout()
        self._trailing.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(self.top_row)
        if two_rows:
            self.top_row.addLayout(self._trailing)
            self.combo_row.addWidget(self.clear_button)
            self.combo_row.addStretch(1)
            self.combo_row.addWidget(self.count_label)
            layout.addLayout(self.combo_row)
        else:
            self.top_row.addWidget(self.clear_button)
            self.top_row.addWidget(self.count_label)
            self.top_row.addLayout(self._trailing)
        self._combo_at = 1 if not two_rows else 0  # where the next combo goes in its row

    # ------------------------------------------------------------ building
    def add_combo(self, name: str, items: Sequence[tuple[str, Any]], *, min_chars: int | None = None) -> QComboBox:
        """A filter combo (its first item is "全部…", the state 清除筛选 returns to)."""
        combo = QComboBox(self)
        combo.setObjectName(name)
        for text, data in items:
            combo.addItem(text, data)
        if min_chars is None:
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        else:
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(min_chars)
        combo.currentIndexChanged.connect(lambda _i: self.filtersChanged.emit())
        self.combo_row.insertWidget(self._combo_at, combo)
        self._combo_at += 1
        self._combos.append(combo)
        self.clear_button.setVisible(True)
        return combo

    def add_filter_widget(self, widget: QWidget) -> QWidget:
        """A filter that is not a combo (date edits, a chip), after the combos."""
        self.combo_row.insertWidget(self._combo_at, widget)
        self._combo_at += 1
        self.clear_button.setVisible(True)
        return widget

    def add_widget(self, widget: QWidget, *, spacing: int = 0) -> QWidget:
        """One of the list's own controls (a button, a check box), after the count."""
        if spacing:
            self._trailing.addSpacing(spacing)
        self._trailing.addWidget(widget)
        return widget

    # ------------------------------------------------------------ state
    @property
    def combos(self) -> list[QComboBox]:
        return list(self._combos)

    def text(self) -> str:
        return self.search.text()

    def apply_search(self) -> None:
        """Apply the typed text now (the pause timer and Enter call this)."""
        self._timer.stop()
        text = self.search.text()
        if text != self._applied:
            self._applied = text
            self.searchChanged.emit(text)

    def set_search(self, text: str) -> None:
        self.search.setText(text)
        self.apply_search()

    def clear_search(self) -> None:
        if self.search.text():
            self.search.clear()
            self.apply_search()
        self.search.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def reset_silently(self) -> None:
        """Search empty and every combo on its first item, without any signal."""
        for combo in self._combos:
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._timer.stop()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._applied = ""

    def is_filtered(self) -> bool:
        return bool(self.search.text().strip()) or any(c.currentIndex() > 0 for c in self._combos)

    def clear(self) -> None:
        """清除筛选: everything back to 全部, one `cleared` signal."""
        self.reset_silently()
        self.cleared.emit()

    def set_count(self, text: str) -> None:
        self.count_label.setText(text)


class EmptyState(QObject):
    """A message (and a 清除筛选 button) in the middle of a table with no rows.

    `empty_text` is shown when the model has no records at all, `no_match` when a
    filter hides them all (`on_clear` is the button's action; no button without it)."""

    def __init__(
        self,
        view: QAbstractItemView,
        *,
        what: str = "记录",
        empty_text: str = "",
        no_match: str | None = None,
        on_clear: Callable[[], Any] | None = None,
        name: str = "emptyState",
    ):
        super().__init__(view)
        self.view = view
        self.empty_text = empty_text
        self.no_match_text = no_match or NO_MATCH_TEXT.format(what=what)
        self.panel = QWidget(view.viewport())
        self.panel.setObjectName(name)
        self.panel.setStyleSheet("background: transparent;")
        self.label = QLabel(self.panel)
        self.label.setObjectName(f"{name}Text")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #8A8A8A; background: transparent;")
        self.clear_button = QPushButton("清除筛选", self.panel)
        self.clear_button.setObjectName(f"{name}Clear")
        self.clear_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clear_button.setVisible(False)
        if on_clear is not None:
            self.clear_button.clicked.connect(lambda _c=False: on_clear())
        self._can_clear = on_clear is not None
        column = QVBoxLayout(self.panel)
        column.setContentsMargins(16, 16, 16, 16)
        column.setSpacing(10)
        column.addStretch(1)
        column.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(2)
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.update)
        self.update()

    def set_empty_text(self, text: str) -> None:
        self.empty_text = text
        self.update()

    @property
    def showing_no_match(self) -> bool:
        return self.panel.isVisibleTo(self.view) and self.label.text() == self.no_match_text

    def isVisible(self) -> bool:  # noqa: N802 - reads like the widgets it replaces
        return self.panel.isVisible()

    def update(self, *_args) -> None:
        model = self.view.model()
        empty = model.rowCount() == 0
        filtered = getattr(model, "total_count", 0) > 0 or getattr(model, "is_filtered", False)
        self.label.setText(self.no_match_text if filtered else self.empty_text)
        self.clear_button.setVisible(filtered and self._can_clear)
        self.panel.setGeometry(self.view.viewport().rect())
        self.panel.setVisible(empty and bool(self.label.text()))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.panel.setGeometry(self.view.viewport().rect())
        return False
