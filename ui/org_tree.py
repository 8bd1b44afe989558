"""党组织 tab: the organisation tree (working committee → community committees →
branches → building groups) with counts, a name search that keeps the ancestors of
matches, and a context menu (展开全部 / 折叠全部 / 复制名称). Read-only for now:
double-click only expands or collapses a node."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui.org_tree_model import (
    COL_DETAIL,
    COL_NAME,
    HEADERS,
    NODE_ROLE,
    NUMERIC_COLUMNS,
    ORGANIZATION_KINDS,
    OrgTreeModel,
)
from wanghu_desk.services import organization
from wanghu_desk.services.organization import OrgNode


class OrgFilterProxy(QSortFilterProxyModel):
    """Name filter that keeps the ancestors of every match (and a match's subtree)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(COL_NAME)


def summarize(roots: list[OrgNode]) -> dict[str, int]:
    organizations = sum(1 for root in roots for n in root.walk() if n.kind in ORGANIZATION_KINDS and n.id)
    return {
        "organizations": organizations,
        "branches": sum(r.branches for r in roots),
        "groups": sum(r.groups for r in roots),
        "members": sum(r.members for r in roots),
    }


class OrgTreePage(QWidget):
    """The 党组织 tab. `statusChanged` carries the count line for the status bar."""

    statusChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = OrgTreeModel(parent=self)
        self.proxy = OrgFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._status = ""

        self.search = QLineEdit(self)
        self.search.setObjectName("orgSearch")
        self.search.setPlaceholderText("按名称搜索党组织、党支部、党小组")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("按名称搜索党组织、党支部、党小组") + 60)
        self.search.textChanged.connect(self.set_search)

        self.view = QTreeView(self)
        self.view.setObjectName("orgTree")
        self.view.setModel(self.proxy)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_context_menu)
        self._size_columns()

        self.empty_label = QLabel("还没有党组织数据。可以在「首页」加载演示数据。", self)
        self.empty_label.setObjectName("orgEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setProperty("role", "detail")

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

    # ------------------------------------------------------------ data
    def refresh(self) -> None:
        self.model.set_roots(organization.org_tree())
        self._fit_text_columns()
        self.stack.setCurrentWidget(self.view if self.model.rowCount() else self.empty_label)
        self._apply_expansion()
        self._update_status()

    def set_search(self, text: str) -> None:
        if self.search.text() != text:
            self.search.setText(text)  # re-enters through textChanged
            return
        self.proxy.setFilterFixedString(text.strip())
        self._apply_expansion()
        self._update_status()

    def status_text(self) -> str:
        return self._status

    # ------------------------------------------------------------ view
    def _size_columns(self) -> None:
        """Numbers get a fixed width that fits the header; text columns fit their content
        (see `_fit_text_columns`), so the figures stay next to the names they belong to."""
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(48)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_DETAIL, QHeaderView.ResizeMode.Interactive)
        fm = header.fontMetrics()
        for column in NUMERIC_COLUMNS:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            width = max(fm.horizontalAdvance(HEADERS[column]), fm.horizontalAdvance("100,000")) + 40
            self.view.setColumnWidth(column, width)
        self._fit_text_columns()

    def _fit_text_columns(self) -> None:
        bold = QFont(self.view.font())
        bold.setBold(True)
        fm, fm_bold = QFontMetrics(self.view.font()), QFontMetrics(bold)
        indent = self.view.indentation()
        name_width = fm.horizontalAdvance("中" * 14) + 2 * indent  # room for a typical branch name
        detail_width = fm.horizontalAdvance("小区(片区)党支部")
        for root in self.model.roots():
            stack = [(root, 1)]
            while stack:
                node, depth = stack.pop()
                metrics = fm_bold if node.kind in ORGANIZATION_KINDS else fm
                name_width = max(name_width, depth * indent + metrics.horizontalAdvance(node.name))
                detail_width = max(detail_width, fm.horizontalAdvance(node.detail))
                stack.extend((child, depth + 1) for child in node.children)
        self.view.setColumnWidth(COL_NAME, min(name_width + 32, 560))
        self.view.setColumnWidth(COL_DETAIL, min(detail_width + 32, 320))

    def _apply_expansion(self) -> None:
        needle = self.search.text().strip().lower()
        self.view.collapseAll()
        if needle:
            # open the way to every match, but not the match itself: a matched branch
            # shows as one row rather than all its building groups
            for row in range(self.proxy.rowCount()):
                self._expand_to_matches(self.proxy.index(row, 0), needle)
            return
        for row in range(self.proxy.rowCount()):  # the working committee shows its communities
            self.view.expand(self.proxy.index(row, 0))

    def _expand_to_matches(self, index: QModelIndex, needle: str) -> bool:
        """Expand `index` if a node below it matches; True if it or a node below matches."""
        below = False
        for row in range(self.proxy.rowCount(index)):
            below |= self._expand_to_matches(self.proxy.index(row, 0, index), needle)
        if below:
            self.view.expand(index)
        return below or needle in str(index.data()).lower()

    def _update_status(self) -> None:
        roots = self.model.roots()
        if not roots:
            self._status = "还没有党组织数据"
        else:
            totals = summarize(roots)
            self._status = (
                f"党组织 {totals['organizations']} 个 · 党支部 {totals['branches']} 个 · "
                f"楼栋党小组 {totals['groups']} 个 · 党员 {totals['members']:,} 名"
            )
            needle = self.search.text().strip().lower()
            if needle:
                found = sum(1 for r in roots for n in r.walk() if needle in n.name.lower())
                self._status = f"找到 {found} 个名称含「{self.search.text().strip()}」的节点 · " + self._status
        self.statusChanged.emit(self._status)

    # ------------------------------------------------------------ context menu
    def build_context_menu(self, index: QModelIndex) -> QMenu:
        menu = QMenu(self)
        expand = menu.addAction("展开全部")
        expand.triggered.connect(self.view.expandAll)
        collapse = menu.addAction("折叠全部")
        collapse.triggered.connect(self.view.collapseAll)
        menu.addSeparator()
        copy = menu.addAction("复制名称")
        node = index.data(NODE_ROLE) if index.isValid() else None
        copy.setEnabled(node is not None)
        if node is not None:
            copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(node.name))
        return menu

    def _show_context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu(self.view.indexAt(pos))
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()
