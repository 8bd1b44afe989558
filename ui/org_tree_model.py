"""`OrgTreeModel`: a read-only Qt tree model over `services.organization.org_tree()`.

Columns: 名称, 类别/说明, 党支部, 楼栋党小组, 党员. Counts are right-aligned; a count that
would only say "this row is one of itself" (党支部 on a branch row, 党小组 on a group
row) is left blank. `SORT_ROLE` gives native values for sorting, `NODE_ROLE` the
`OrgNode` itself.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from wanghu_desk.services.organization import OrgNode

COL_NAME, COL_DETAIL, COL_BRANCHES, COL_GROUPS, COL_MEMBERS = range(5)
HEADERS = ("名称", "类别/说明", "党支部", "楼栋党小组", "党员")
NUMERIC_COLUMNS = (COL_BRANCHES, COL_GROUPS, COL_MEMBERS)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NODE_ROLE = Qt.ItemDataRole.UserRole + 2

ORGANIZATION_KINDS = ("working_committee", "community_committee", "general_branch")

Index = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()  # the invisible root's index, as a default argument


class _Item:
    """A node with the parent link and row that Qt's index arithmetic needs."""

    __slots__ = ("node", "parent", "row", "children")

    def __init__(self, node: OrgNode | None, parent: _Item | None, row: int):
        self.node = node
        self.parent = parent
        self.row = row
        self.children: list[_Item] = []
        if node is not None:
            self.children = [_Item(child, self, i) for i, child in enumerate(node.children)]


def _count(node: OrgNode, column: int) -> int | None:
    if column == COL_BRANCHES:
        return None if node.kind in ("branch", "group") else node.branches
    if column == COL_GROUPS:
        return None if node.kind == "group" else node.groups
    return node.members


class OrgTreeModel(QAbstractItemModel):
    def __init__(self, roots: list[OrgNode] | None = None, parent=None):
        super().__init__(parent)
        self._root = _Item(None, None, 0)
        self._bold = QFont()
        self._bold.setBold(True)
        self._muted = QBrush(QColor("#6B6B6B"))
        self.set_roots(roots or [])

    def set_roots(self, roots: list[OrgNode]) -> None:
        new_root = _Item(None, None, 0)
        new_root.children = [_Item(node, new_root, i) for i, node in enumerate(roots)]
        old_root = self._root  # noqa: F841 - indexes point into it until the reset ends
        self.beginResetModel()
        self._root = new_root
        self.endResetModel()

    def roots(self) -> list[OrgNode]:
        return [item.node for item in self._root.children]

    # ------------------------------------------------------------ structure
    def _item(self, index: Index) -> _Item:
        if index.isValid():
            return index.internalPointer()
        return self._root

    def index(self, row: int, column: int, parent: Index = _TOP) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, self._item(parent).children[row])

    def parent(self, index: Index = _TOP) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: Index = _TOP) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._item(parent).children)

    def columnCount(self, parent: Index = _TOP) -> int:
        return len(HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # ------------------------------------------------------------ content
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node: OrgNode = index.internalPointer().node
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_NAME:
                return node.name
            if column == COL_DETAIL:
                return node.detail
            value = _count(node, column)
            return "" if value is None else f"{value:,}"
        if role == SORT_ROLE:
            if column == COL_NAME:
                return node.name
            if column == COL_DETAIL:
                return node.detail
            value = _count(node, column)
            return -1 if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in NUMERIC_COLUMNS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_DETAIL:
            return self._muted
        if role == Qt.ItemDataRole.FontRole and node.kind in ORGANIZATION_KINDS and column == COL_NAME:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_NAME:
            return f"{node.name}（{node.detail}）" if node.detail else node.name
        if role == NODE_ROLE:
            return node
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if section in NUMERIC_COLUMNS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None
