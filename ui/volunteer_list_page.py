"""The frame of every list of the 志愿服务 tab: a `FilterBar` (search, filters, count,
the page's buttons), the table or an empty state that says what to do, an `EmptyState`
with 清除筛选 when a filter hides everything, the context menu and double-click; and
the texts of those states."""


from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.filter_bar import EmptyState, FilterBar
from ui.record_table_model import RecordTableModel
from ui.table_view import current_id, fit_columns, make_table, select_ids, select_row, selected_ids
from wanghu_desk.errors import UserError
from wanghu_desk.services.base import current_actor

if TYPE_CHECKING:
    from ui.volunteers_tab import VolunteersTab


TEAMS_EMPTY = "还没有志愿服务队。点击「新增服务队」；导入志愿者名单时也会自动建立名单中的服务队。"
VOLUNTEERS_EMPTY = "还没有志愿者。点击「导入」或「新增」。"
RECORDS_EMPTY = "还没有志愿服务记录。点击「批量登记」登记一次活动，或「导入」服务记录表。"
PROJECTS_EMPTY = "还没有为民服务项目。点击「新增项目」，如「乐夕阳」「朝阳护学」。"
TEAM_MEMBERS_EMPTY = "这个服务队还没有志愿者。点击「加入志愿者」。"
NO_MATCH = "没有符合条件的{what}。按 Esc 清空搜索，或点「清除筛选」。"

VOLUNTEER_KINDS = [
    ("全部志愿者", ""),
    ("星级志愿者（累计 100 小时以上）", "star"),
    ("党员志愿者", "member"),
    ("本年还没有服务", "idle"),
]
PERIODS = [
    ("本季度", "quarter"),
    ("本年", "year"),
    ("上季度", "last_quarter"),
    ("近 30 天", "30"),
    ("全部日期", "all"),
    ("指定日期", "custom"),
]




def _button(text: str, name: str, parent: QWidget, tip: str = "", *, primary: bool = False) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    if primary:
        button.setProperty("primary", True)
    return button



class ListPage(QWidget):
    """One list of the tab: toolbar (search, filters, buttons), the table (or an empty
    state that says what to do), a no-match line, the context menu and double-click."""

    changed = Signal()  # something was saved: refresh the tab
    statusChanged = Signal(str)

    WHAT = "记录"
    UNIT = "条"
    SEARCH_HINT = "搜索"
    EMPTY_TEXT = ""

    def __init__(self, tab: VolunteersTab, model: RecordTableModel, name: str):
        super().__init__(tab)
        self.tab = tab
        self.model = model
        self.setObjectName(name)
        self.filter_bar = FilterBar(name, self.SEARCH_HINT, self, two_rows=True)
        self.filter_bar.count_label.setVisible(False)  # the status bar counts
        self.filter_bar.searchChanged.connect(lambda _t: self.apply_search())
        self.filter_bar.cleared.connect(self.clear_filters)
        self.search = self.filter_bar.search

        self.view = make_table(f"{name}Table", model, self)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(lambda index: self.edit(self.model.id_at(index.row())))
        self.view.selectionModel().selectionChanged.connect(lambda _s, _d: self.selection_changed())
        self.no_match = EmptyState(self.view, no_match=NO_MATCH.format(what=self.WHAT), on_clear=self.filter_bar.clear,
                                   name=f"{name}NoMatch")

        self.empty_page = QWidget(self)
        empty = QVBoxLayout(self.empty_page)
        empty.addStretch(1)
        self.empty_label = QLabel(self.EMPTY_TEXT, self.empty_page)
        self.empty_label.setObjectName(f"{name}Empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("role", "detail")
        empty.addWidget(self.empty_label)
        self.empty_buttons = QHBoxLayout()
        self.empty_buttons.addStretch(1)
        empty.addLayout(self.empty_buttons)
        empty.addStretch(2)
        self.stack = QStackedWidget(self)

    def add_buttons(self, *buttons: QWidget) -> None:
        """The page's own buttons, at the right of the search box."""
        for i, button in enumerate(buttons):
            self.filter_bar.add_widget(button, spacing=8 if i == 0 else 0)

    def finish_layout(self, content: QWidget) -> None:
        """`content`: the table, or a splitter holding it."""
        self.empty_buttons.addStretch(1)
        self.content = content
        self.stack.addWidget(content)
        self.stack.addWidget(self.empty_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.stack, 1)

    def add_empty_button(self, text: str, slot: Callable[[], Any], *, primary: bool = False) -> QPushButton:
        button = _button(text, "", self.empty_page, primary=primary)
        button.clicked.connect(lambda _c=False: slot())
        self.empty_buttons.addWidget(button)
        return button

    # ------------------------------------------------------------ hooks
    def load(self) -> None:
        raise NotImplementedError

    def new(self) -> Any:
        return None

    def edit(self, row_id: int | None = None) -> Any:
        return None

    def delete(self) -> Any:
        return None

    def build_context_menu(self, index: QModelIndex) -> QMenu:
        return QMenu(self)

    def selection_changed(self) -> None:
        self.update_actions()

    def update_actions(self) -> None:
        """Enable what the acting account and the selection allow."""

    def count_text(self) -> str:
        total, shown = self.model.total_count, self.model.shown_count
        return f"共 {total:,} {self.UNIT}{self.WHAT}，显示 {shown:,} {self.UNIT}"

    # ------------------------------------------------------------ common behaviour
    def set_rows(self, rows: list[Any], keep: list[int] | None = None) -> None:
        keep = keep if keep is not None else selected_ids(self.view)
        current = current_id(self.view)
        self.model.set_rows(rows)
        fit_columns(self.view)
        self.after_model_change(keep, current)

    def after_model_change(self, keep: list[int] | None = None, current: int | None = None) -> None:
        has_rows = self.model.total_count > 0 or self.has_filters()
        self.stack.setCurrentWidget(self.content if has_rows else self.empty_page)
        self.no_match.update()
        if keep:
            self.select_ids(keep, current)
        self.statusChanged.emit(self.status_text())
        self.update_actions()

    def has_filters(self) -> bool:
        return False

    def status_text(self) -> str:
        if self.model.total_count == 0 and not self.has_filters():
            return f"还没有{self.WHAT}"
        return self.count_text()

    def select_ids(self, ids: list[int], current: int | None = None) -> bool:
        return select_ids(self.view, ids, current)

    def select_id(self, row_id: int) -> bool:
        return self.select_ids([row_id], row_id)

    def current_id(self) -> int | None:
        return current_id(self.view)

    def selected_ids(self) -> list[int]:
        return selected_ids(self.view)

    def current_row(self) -> Any | None:
        row_id = self.current_id()
        if row_id is None:
            return None
        return self.model.row_at(self.model.row_of(row_id))

    def apply_search(self) -> None:
        self.filter_bar.apply_search()
        if self.model.search_text == self.search.text():
            return
        keep, current = self.selected_ids(), self.current_id()
        self.model.set_search(self.search.text())
        self.after_model_change(keep, current)

    def set_search(self, text: str) -> None:
        self.filter_bar.set_search(text)
        self.apply_search()

    def clear_search(self) -> None:
        self.filter_bar.clear_search()

    def focus_search(self) -> None:
        self.filter_bar.focus_search()

    def clear_filters(self) -> None:
        """清除筛选 (pages with filters add theirs)."""
        self.filter_bar.reset_silently()
        self.apply_search()

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid() and not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            select_row(self.view, index.row())
        menu = self.build_context_menu(index)
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def open_dialog(self, dialog: QDialog, on_saved: Callable[[int], None]) -> QDialog:
        self.tab.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(on_saved)  # type: ignore[attr-defined]
        dialog.finished.connect(lambda _r: self.tab._dialog_closed(dialog))
        dialog.open()
        return dialog

    def open_editor(self, make_dialog: Callable[[], QDialog], row_id: int | None, *,
                    needs_row: bool, on_saved: Callable[[int], None]) -> QDialog | None:
        """Open a new-or-edit dialog for `row_id` (the current row when None); nothing for a
        viewer, nor when editing and no row is chosen."""
        if not self.can_write or (needs_row and row_id is None):
            return None
        return self.open_dialog(make_dialog(), on_saved)

    def confirm_and_delete(self, title: str, question: str, remove: Callable[[], Any]) -> bool:
        """Ask `question`; on yes run the service call `remove`, show its refusal in Chinese,
        reload the tab and tell the others. Whether something was deleted."""
        if not self.can_write or not dialogs.ask(self, title, question, ok_text="删除", default_ok=False):
            return False
        try:
            remove()
        except UserError as exc:
            dialogs.error(self, title, exc.message)
            return False
        self.tab.reload()
        self.tab.changed()
        return True

    @property
    def can_write(self) -> bool:
        return current_actor().can_write

    def today(self) -> dt.date:
        return self.tab.today()
