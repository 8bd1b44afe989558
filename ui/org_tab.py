"""党组织 tab with editing: three pages.

- 组织架构: the organisation tree of `ui.org_tree.OrgTreePage` (working committee →
  community committees → branches → building groups, with counts), extended with a
  toolbar, a context menu and a detail pane: add, edit (rename), move (a branch to
  another committee, a group to another branch), dissolve (refused, saying what
  remains, while anything active hangs below), and "查看党员" for the 党员 tab.
- 社区与小区: communities, their estates (kind, households, property company, owners'
  committee) and the estates' buildings.
- 小区治理团队（1+X）: `ui.estate_team_tab.EstateTeamTab`.

Signals: `statusChanged(str)`, `dataChanged()` after any change, and
`showMembersRequested(kind, id)` when the clerk wants the members of a node.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.estate_team_tab import EstateTeamTab
from ui.filter_bar import EmptyState
from ui.groups_tab import heading
from ui.member_dialog import PRIMARY_DISABLED
from ui.org_edit_dialogs import (
    BranchDialog,
    BuildingDialog,
    CommunityDialog,
    EstateDialog,
    GroupDialog,
    MoveBranchDialog,
    MoveGroupDialog,
    OrganizationDialog,
    confirm_delete,
    confirm_dissolve,
)
from ui.org_tree import OrgTreePage
from ui.org_tree_model import NODE_ROLE, ORGANIZATION_KINDS
from ui.record_table_model import Column, RecordTableModel
from ui.table_view import current_record, make_table, select_row
from wanghu_desk.services import audit_log, org_edit
from wanghu_desk.services.base import current_actor
from wanghu_desk.services.organization import OrgNode

NodeKey = tuple[str, int]


def _rows_html(rows: list[tuple[str, str]]) -> str:
    out = ["<table cellspacing='0'>"]
    for label, value in rows:
        shown = html.escape(value) if value else "<span style='color:#AAAAAA'>—</span>"
        out.append(
            f"<tr><td style='color:#777777; padding:2px 12px 2px 0; white-space:nowrap'>{label}</td>"
            f"<td style='padding:2px 0'>{shown}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _history_html(entries: list[audit_log.HistoryEntry]) -> str:
    parts = ["<p style='margin:12px 0 4px 0; font-weight:bold'>修改记录</p>"]
    if not entries:
        parts.append("<p style='color:#8A8A8A; margin:0'>没有修改记录。</p>")
    for entry in entries[:30]:
        parts.append(
            f"<p style='margin:6px 0 0 0'><span style='color:#777777'>{html.escape(entry.at)}</span>"
            f"&nbsp;{html.escape(entry.account)}&nbsp;<b>{html.escape(entry.action)}</b>"
            + (f"（{html.escape(entry.note)}）" if entry.note else "")
            + "</p>"
        )
        for change in entry.changes[:10]:
            text = (
                f"{change.label}：{change.after}"
                if entry.action == "新增"
                else f"{change.label}：{change.before} → {change.after}"
            )
            parts.append(f"<p style='margin:0 0 0 14px; color:#555555'>{html.escape(text)}</p>")
    return "".join(parts)


def node_html(node: OrgNode) -> str:
    """The detail pane's text for a tree node (from the services, never from the tree)."""
    if node.kind == "branch":
        d = org_edit.branch_detail(node.id)
        head = f"<p style='font-size:13pt; font-weight:bold; margin:0 0 6px 0'>{html.escape(d.name)}</p>"
        rows = [
            ("全称", d.full_name),
            ("别名", "、".join(d.aliases)),
            ("类别", d.category_label),
            ("上级党组织", d.organization_name),
            ("所在社区", d.community_name),
            ("服务小区", "、".join(d.estate_names)),
            ("书记", d.secretary),
            ("联系电话", d.phone),
            ("成立日期", d.founded_on),
            ("在册党员", f"{d.members:,} 名"),
            ("楼栋党小组", f"{d.groups} 个"),
        ]
        if d.note:
            rows.append(("备注", d.note))
        return head + _rows_html(rows) + _history_html(audit_log.history("branch", d.id))
    if node.kind == "group":
        g = org_edit.group_detail(node.id)
        head = f"<p style='font-size:13pt; font-weight:bold; margin:0 0 6px 0'>{html.escape(g.name)}</p>"
        rows = [
            ("所属党支部", g.branch_name),
            ("覆盖楼栋", "、".join(g.building_labels)),
            ("党小组长", g.leader_name or "未设"),
            ("党员", f"{g.members} 名"),
        ]
        if g.note:
            rows.append(("备注", g.note))
        return head + _rows_html(rows) + _history_html(audit_log.history("group", g.id))
    if node.kind in ORGANIZATION_KINDS and node.id:
        o = org_edit.organization_detail(node.id)
        head = f"<p style='font-size:13pt; font-weight:bold; margin:0 0 6px 0'>{html.escape(o.name)}</p>"
        rows = [
            ("类别", o.kind_label),
            ("所辖区域", o.area_name),
            ("对应社区", o.community_name),
            ("书记", o.secretary),
            ("联系电话", o.phone),
            ("直属党支部", f"{o.branches} 个"),
            ("下属党员（含各级）", f"{node.members:,} 名"),
            ("楼栋党小组（含各级）", f"{node.groups} 个"),
        ]
        return head + _rows_html(rows) + _history_html(audit_log.history("organization", o.id))
    return f"<p style='font-weight:bold'>{html.escape(node.name)}</p>"


class EditableOrgTree(OrgTreePage):
    """The read-only tree of `ui.org_tree`, keeping expansion and selection across
    refreshes, with the edit actions in its context menu."""

    nodeActivated = Signal(object)  # OrgNode, on double-click / Enter

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.menu_builder: Callable[[OrgNode | None, QMenu], None] | None = None
        self.view.setExpandsOnDoubleClick(False)
        self.view.doubleClicked.connect(self._double_clicked)

    def _double_clicked(self, index: QModelIndex) -> None:
        node = index.data(NODE_ROLE)
        if node is None:
            return
        if node.kind in ORGANIZATION_KINDS:
            self.view.setExpanded(index, not self.view.isExpanded(index))
        else:
            self.nodeActivated.emit(node)

    # -- keys of nodes, to find them again after a refresh
    def _walk(self, parent: QModelIndex | None = None):
        parent = parent if parent is not None else QModelIndex()
        model = self.view.model()
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            yield index
            yield from self._walk(index)

    def index_of(self, key: NodeKey) -> QModelIndex:
        for index in self._walk():
            node = index.data(NODE_ROLE)
            if node is not None and (node.kind, node.id) == key:
                return index
        return QModelIndex()

    def current_node(self) -> OrgNode | None:
        index = self.view.currentIndex()
        return index.data(NODE_ROLE) if index.isValid() else None

    def select(self, key: NodeKey) -> bool:
        index = self.index_of(key)
        if not index.isValid():
            return False
        parent = index.parent()
        while parent.isValid():
            self.view.expand(parent)
            parent = parent.parent()
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def refresh(self) -> None:
        expanded = [
            (n.kind, n.id)
            for i in self._walk()
            if self.view.isExpanded(i)
            for n in [i.data(NODE_ROLE)]
            if n is not None
        ]
        current = self.current_node()
        super().refresh()
        for key in expanded:
            index = self.index_of(key)
            if index.isValid():
                self.view.expand(index)
        if current is not None:
            self.select((current.kind, current.id))

    def build_context_menu(self, index: QModelIndex) -> QMenu:
        menu = super().build_context_menu(index)
        if self.menu_builder is not None:
            node = index.data(NODE_ROLE) if index.isValid() else None
            first = menu.actions()[0] if menu.actions() else None
            edit_menu = QMenu(menu)
            self.menu_builder(node, edit_menu)
            for action in edit_menu.actions():
                action.setParent(menu)
                menu.insertAction(first, action)
            if first is not None:
                menu.insertSeparator(first)
        return menu


class StructurePage(QWidget):
    """组织架构: the tree, a toolbar for the selected node, and its details."""

    statusChanged = Signal(str)
    dataChanged = Signal()
    showMembersRequested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self._today = today
        self.current_dialog: QDialog | None = None
        self.tree = EditableOrgTree(self)
        self.tree.statusChanged.connect(self.statusChanged.emit)
        self.tree.menu_builder = self._fill_menu
        self.tree.nodeActivated.connect(lambda node: self.edit_node(node))
        self.tree.view.selectionModel().currentChanged.connect(lambda _c, _p: self._node_changed())
        self.tree.layout().setContentsMargins(0, 0, 0, 0)

        self.add_button = QPushButton("新增", self)
        self.add_button.setObjectName("orgAddButton")
        self.add_button.setProperty("primary", True)
        self.add_button.setStyleSheet(PRIMARY_DISABLED)
        self.add_menu = QMenu(self.add_button)
        self.add_button.setMenu(self.add_menu)
        self.add_committee_action = self.add_menu.addAction("社区党委 / 党总支…", lambda: self.add_committee())
        self.add_branch_action = self.add_menu.addAction("党支部…", lambda: self.add_branch())
        self.add_group_action = self.add_menu.addAction("楼栋党小组…", lambda: self.add_group())
        self.edit_button = QPushButton("编辑", self)
        self.edit_button.setObjectName("orgEditButton")
        self.edit_button.clicked.connect(lambda: self.edit_node())
        self.move_button = QPushButton("移动", self)
        self.move_button.setObjectName("orgMoveButton")
        self.move_button.clicked.connect(lambda: self.move_node())
        self.dissolve_button = QPushButton("撤销", self)
        self.dissolve_button.setObjectName("orgDissolveButton")
        self.dissolve_button.clicked.connect(lambda: self.dissolve_node())
        self.members_button = QPushButton("查看党员", self)
        self.members_button.setObjectName("orgMembersButton")
        self.members_button.clicked.connect(self.show_members)
        buttons = (self.add_button, self.edit_button, self.move_button, self.dissolve_button, self.members_button)
        top = self.tree.layout().itemAt(0).layout() if self.tree.layout().count() else None
        if isinstance(top, QHBoxLayout):
            for b in buttons:
                top.addWidget(b)
        else:  # pragma: no cover - the tree page's layout changed: a row of our own
            row = QHBoxLayout()
            row.addStretch(1)
            for b in buttons:
                row.addWidget(b)
            self.tree.layout().insertLayout(0, row)

        self.detail = QLabel(self)
        self.detail.setObjectName("orgDetailText")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setContentsMargins(14, 10, 14, 10)
        self.detail.setStyleSheet("QLabel#orgDetailText { background: #FFFFFF; }")
        scroll = QScrollArea(self)
        scroll.setObjectName("orgDetail")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.detail)
        scroll.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 22)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.tree)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([1000, self.fontMetrics().horizontalAdvance("中") * 26])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        new = QAction("新增党支部", self)
        new.setShortcut(QKeySequence("Ctrl+N"))
        new.triggered.connect(lambda: self.add_branch())
        self.addAction(new)
        find = QAction("查找", self)
        find.setShortcut(QKeySequence("Ctrl+F"))
        find.triggered.connect(lambda: (self.tree.search.setFocus(), self.tree.search.selectAll()))
        self.addAction(find)
        clear = QAction("清空搜索", self)
        clear.setShortcut(QKeySequence("Esc"))
        clear.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        clear.triggered.connect(lambda: self.tree.set_search(""))
        self.addAction(clear)
        edit = QAction("编辑", self.tree.view)
        edit.setShortcut(QKeySequence("Return"))
        edit.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        edit.triggered.connect(lambda: self.edit_node())
        self.tree.view.addAction(edit)
        self._node_changed()

    # ------------------------------------------------------------ state
    def refresh(self) -> None:
        self.tree.refresh()
        self._node_changed()

    def status_text(self) -> str:
        return self.tree.status_text()

    def current_node(self) -> OrgNode | None:
        return self.tree.current_node()

    def select(self, kind: str, node_id: int) -> bool:
        return self.tree.select((kind, node_id))

    def _node_changed(self) -> None:
        node = self.current_node()
        can_write = current_actor().can_write
        is_org = node is not None and node.kind in ORGANIZATION_KINDS and node.id != 0
        self.edit_button.setEnabled(can_write and node is not None and (is_org or node.kind in ("branch", "group")))
        self.move_button.setEnabled(can_write and node is not None and node.kind in ("branch", "group"))
        self.dissolve_button.setEnabled(
            can_write
            and node is not None
            and (node.kind in ("branch", "group") or (is_org and node.kind != "working_committee"))
        )
        self.dissolve_button.setText("删除" if is_org else "撤销")
        self.members_button.setEnabled(node is not None)
        self.add_button.setEnabled(can_write)
        self.add_group_action.setEnabled(node is not None and node.kind in ("branch", "group"))
        if node is None:
            self.detail.setText("<p style='color:#8A8A8A'>选中一个党组织、党支部或党小组，这里显示详细信息。</p>")
        else:
            self.detail.setText(node_html(node))

    # ------------------------------------------------------------ actions
    def _fill_menu(self, node: OrgNode | None, menu: QMenu) -> None:
        can_write = current_actor().can_write
        if node is not None:
            if node.kind in ("branch", "group") or (node.kind in ORGANIZATION_KINDS and node.id):
                menu.addAction("编辑…", lambda: self.edit_node(node)).setEnabled(can_write)
            if node.kind in ("branch", "group"):
                menu.addAction("移动…", lambda: self.move_node(node)).setEnabled(can_write)
                menu.addAction("撤销…", lambda: self.dissolve_node(node)).setEnabled(can_write)
            elif node.kind in ORGANIZATION_KINDS and node.kind != "working_committee" and node.id:
                menu.addAction("删除…", lambda: self.dissolve_node(node)).setEnabled(can_write)
            menu.addSeparator()
            if node.kind in ("branch", "group"):
                menu.addAction("新建楼栋党小组…", lambda: self.add_group(node)).setEnabled(can_write)
            menu.addAction("新增党支部…", lambda: self.add_branch(node)).setEnabled(can_write)
            menu.addAction("查看党员", lambda: self.showMembersRequested.emit(node.kind, node.id))
        else:
            menu.addAction("新增社区党委 / 党总支…", lambda: self.add_committee()).setEnabled(can_write)
            menu.addAction("新增党支部…", lambda: self.add_branch()).setEnabled(can_write)

    def show_members(self) -> None:
        node = self.current_node()
        if node is not None:
            self.showMembersRequested.emit(node.kind, node.id)

    def _open(self, dialog: QDialog, select_kind: str | None) -> QDialog:
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def saved(new_id: int) -> None:
            self.refresh()
            if select_kind is not None:
                self.select(select_kind, new_id)
            self.dataChanged.emit()

        dialog.saved.connect(saved)  # type: ignore[attr-defined]
        dialog.open()
        return dialog

    def _committee_of(self, node: OrgNode | None) -> int | None:
        if node is None:
            return None
        if node.kind in ORGANIZATION_KINDS:
            return node.id or None
        if node.kind == "branch":
            return org_edit.branch_detail(node.id).organization_id
        if node.kind == "group":
            return org_edit.branch_detail(org_edit.group_detail(node.id).branch_id).organization_id
        return None

    def add_committee(self) -> QDialog | None:
        if not current_actor().can_write:
            return None
        return self._open(OrganizationDialog(self), "community_committee")

    def add_branch(self, node: OrgNode | None = None) -> QDialog | None:
        if not current_actor().can_write:
            return None
        node = node or self.current_node()
        return self._open(BranchDialog(self, organization_id=self._committee_of(node), today=self._today()), "branch")

    def add_group(self, node: OrgNode | None = None) -> QDialog | None:
        node = node or self.current_node()
        if node is None or node.kind not in ("branch", "group") or not current_actor().can_write:
            return None
        branch = node.id if node.kind == "branch" else org_edit.group_detail(node.id).branch_id
        return self._open(GroupDialog(self, branch_id=branch), "group")

    def edit_node(self, node: OrgNode | None = None) -> QDialog | None:
        node = node or self.current_node()
        if node is None or not current_actor().can_write:
            return None
        if node.kind == "branch":
            return self._open(BranchDialog(self, org_edit.branch_detail(node.id), today=self._today()), "branch")
        if node.kind == "group":
            detail = org_edit.group_detail(node.id)
            return self._open(GroupDialog(self, branch_id=detail.branch_id, detail=detail), "group")
        if node.kind in ORGANIZATION_KINDS and node.id:
            return self._open(OrganizationDialog(self, org_edit.organization_detail(node.id)), node.kind)
        return None

    def move_node(self, node: OrgNode | None = None) -> QDialog | None:
        node = node or self.current_node()
        if node is None or not current_actor().can_write:
            return None
        if node.kind == "branch":
            return self._open(MoveBranchDialog(self, org_edit.branch_detail(node.id)), "branch")
        if node.kind == "group":
            return self._open(MoveGroupDialog(self, org_edit.group_detail(node.id), today=self._today()), "group")
        return None

    def dissolve_node(self, node: OrgNode | None = None) -> bool:
        node = node or self.current_node()
        if node is None or not current_actor().can_write:
            return False
        if node.kind == "branch":
            done = confirm_dissolve(
                self,
                what="党支部",
                name=node.name,
                remains=org_edit.branch_remains(node.id),
                action=lambda: org_edit.dissolve_branch(node.id, today=self._today()),
                title="撤销党支部",
            )
        elif node.kind == "group":
            done = confirm_dissolve(
                self,
                what="楼栋党小组",
                name=node.name,
                remains=org_edit.group_remains(node.id),
                action=lambda: org_edit.dissolve_group(node.id, today=self._today()),
                title="撤销楼栋党小组",
            )
        elif node.kind in ORGANIZATION_KINDS and node.kind != "working_committee" and node.id:
            done = confirm_delete(
                self, what="党组织", name=node.name, action=lambda: org_edit.delete_organization(node.id)
            )
        else:
            return False
        if done:
            self.refresh()
            self.dataChanged.emit()
        return done


# ---------------------------------------------------------------- communities, estates, buildings

COMMUNITY_COLUMNS = [
    Column("community", "社区", lambda c: c.name, sample="大洋店社区"),
    Column("estates", "小区", lambda c: len(c.estates), align="right", sample="小区"),
    Column("households", "户数", lambda c: c.households, align="right", sample="100,000"),
    Column("phone", "电话", lambda c: c.phone, sample="0551-65179666"),
]
ESTATE_COLUMNS = [
    Column("estate", "小区", lambda e: e.name, sample="省建一公司宿舍"),
    Column("kind", "类型", lambda e: e.kind_label, sample="回迁安置小区"),
    Column("households", "户数", lambda e: e.households, align="right", sample="10,000"),
    Column("buildings", "楼栋", lambda e: len(e.buildings), align="right", sample="楼栋"),
    Column("property", "物业", lambda e: e.property_company, sample="合肥望湖物业服务有限公司"),
    Column("owners_committee", "业委会", lambda e: e.owners_committee, sample="望湖城北苑业主委员会"),
    Column("branches", "服务支部", lambda e: "、".join(e.branch_names), sample="望湖城北苑小区党支部"),
]
BUILDING_COLUMNS = [
    Column("buildings", "楼栋", lambda b: b.number, sample="12栋"),
    Column("units", "单元", lambda b: b.units, align="right", sample="单元"),
    Column("households", "户数", lambda b: b.households, align="right", sample="1,000"),
    Column(
        "group", "楼栋党小组", lambda b: b.group_name or "未覆盖", sample="12-14栋党小组", alert=lambda b: not b.group_name
    ),
]


class _Section(QWidget):
    """A heading with buttons and a table under it."""

    def __init__(self, title: str, view, buttons: list[QPushButton], parent: QWidget):
        super().__init__(parent)
        bar = QHBoxLayout()
        bar.addWidget(heading(title, self), 1)
        for b in buttons:
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(bar)
        layout.addWidget(view, 1)


def _button(text: str, name: str, slot: Callable[[], object], parent: QWidget, primary: bool = False) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    if primary:
        button.setProperty("primary", True)
        button.setStyleSheet(PRIMARY_DISABLED)
    button.clicked.connect(lambda: slot())
    return button


class PlacesPage(QWidget):
    """社区与小区: communities | their estates | the selected estate's buildings."""

    statusChanged = Signal(str)
    dataChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._status = ""
        self.current_dialog: QDialog | None = None
        self.tree: list[org_edit.CommunityRow] = []
        self.community_model = RecordTableModel(COMMUNITY_COLUMNS, self)
        self.estate_model = RecordTableModel(ESTATE_COLUMNS, self)
        self.building_model = RecordTableModel(BUILDING_COLUMNS, self)
        self.community_view = make_table("communityTable", self.community_model, self, multi=False)
        self.estate_view = make_table("estateTable", self.estate_model, self, multi=False)
        self.building_view = make_table("buildingTable", self.building_model, self)
        self.community_view.selectionModel().selectionChanged.connect(lambda _s, _d: self._community_changed())
        self.estate_view.selectionModel().selectionChanged.connect(lambda _s, _d: self._estate_changed())
        self.community_view.doubleClicked.connect(lambda _i: self.edit_community())
        self.estate_view.doubleClicked.connect(lambda _i: self.edit_estate())
        self.building_view.doubleClicked.connect(lambda _i: self.edit_building())
        for view, builder in (
            (self.community_view, self._community_menu),
            (self.estate_view, self._estate_menu),
            (self.building_view, self._building_menu),
        ):
            view.customContextMenuRequested.connect(
                lambda pos, view=view, builder=builder: self._show_menu(view, builder, pos)
            )

        self.community_buttons = [
            _button("新增", "addCommunityButton", self.add_community, self, primary=True),
            _button("编辑", "editCommunityButton", self.edit_community, self),
            _button("删除", "deleteCommunityButton", self.delete_community, self),
        ]
        self.estate_buttons = [
            _button("新增小区", "addEstateButton", self.add_estate, self, primary=True),
            _button("编辑", "editEstateButton", self.edit_estate, self),
            _button("删除", "deleteEstateButton", self.delete_estate, self),
        ]
        self.building_buttons = [
            _button("新增楼栋", "addBuildingButton", self.add_buildings, self, primary=True),
            _button("编辑", "editBuildingButton", self.edit_building, self),
            _button("删除", "deleteBuildingButton", self.delete_building, self),
        ]
        self.community_hint = EmptyState(self.community_view, empty_text="还没有社区。点击「新增」。")
        self.estate_hint = EmptyState(self.estate_view, empty_text="这个社区还没有小区。点击「新增小区」。")
        self.building_hint = EmptyState(self.building_view, empty_text="这个小区还没有楼栋。点击「新增楼栋」，可一次添加多栋。")
        left = _Section("社区", self.community_view, self.community_buttons, self)
        self.estate_section = _Section("小区", self.estate_view, self.estate_buttons, self)
        self.building_section = _Section("楼栋", self.building_view, self.building_buttons, self)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.estate_section)
        right.addWidget(self.building_section)
        right.setChildrenCollapsible(False)
        right.setSizes([400, 300])
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([sum(self.community_view.columnWidth(i) for i in range(len(COMMUNITY_COLUMNS))) + 24, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._update_buttons()

    def refresh(self) -> None:
        keep_c, keep_e = self._current_community(), self._current_estate()
        self.tree = org_edit.communities_tree()
        self.community_model.set_rows(self.tree)
        row = self.community_model.row_of(lambda c: keep_c is not None and c.id == keep_c.id)
        select_row(self.community_view, row if row >= 0 else 0)
        self._community_changed()
        if keep_e is not None:
            select_row(self.estate_view, self.estate_model.row_of(lambda e: e.id == keep_e.id))
        self._update_status()

    def _current_community(self) -> org_edit.CommunityRow | None:
        return current_record(self.community_view)

    def _current_estate(self) -> org_edit.EstateRow | None:
        return current_record(self.estate_view)

    def _community_changed(self) -> None:
        community = self._current_community()
        self.estate_model.set_rows(community.estates if community else [])
        select_row(self.estate_view, 0 if community and community.estates else -1)
        self._estate_changed()

    def _estate_changed(self) -> None:
        estate = self._current_estate()
        self.building_model.set_rows(estate.buildings if estate else [])
        self._update_buttons()
        self._update_status()

    def _update_buttons(self) -> None:
        can_write = current_actor().can_write
        has_c, has_e = self._current_community() is not None, self._current_estate() is not None
        has_b = current_record(self.building_view) is not None
        self.community_buttons[0].setEnabled(can_write)
        for b in self.community_buttons[1:]:
            b.setEnabled(can_write and has_c)
        self.estate_buttons[0].setEnabled(can_write and has_c)
        for b in self.estate_buttons[1:]:
            b.setEnabled(can_write and has_e)
        self.building_buttons[0].setEnabled(can_write and has_e)
        for b in self.building_buttons[1:]:
            b.setEnabled(can_write and has_b)

    def _update_status(self) -> None:
        estates = sum(len(c.estates) for c in self.tree)
        buildings = sum(c.building_count for c in self.tree)
        self._status = f"社区 {len(self.tree)} 个 · 小区 {estates} 个 · 楼栋 {buildings:,} 栋"
        self.statusChanged.emit(self._status)

    def status_text(self) -> str:
        return self._status

    # -- dialogs
    def _open(self, dialog: QDialog) -> QDialog:
        self.current_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _id: self._changed())  # type: ignore[attr-defined]
        dialog.open()
        return dialog

    def _changed(self) -> None:
        self.refresh()
        self.dataChanged.emit()

    def add_community(self) -> QDialog:
        return self._open(CommunityDialog(self))

    def edit_community(self) -> QDialog | None:
        community = self._current_community()
        return self._open(CommunityDialog(self, community)) if community else None

    def delete_community(self) -> bool:
        community = self._current_community()
        if community is None:
            return False
        done = confirm_delete(
            self, what="社区", name=community.name, action=lambda: org_edit.delete_community(community.id)
        )
        if done:
            self._changed()
        return done

    def add_estate(self) -> QDialog | None:
        community = self._current_community()
        return self._open(EstateDialog(self, community_id=community.id)) if community else None

    def edit_estate(self) -> QDialog | None:
        estate = self._current_estate()
        return self._open(EstateDialog(self, estate)) if estate else None

    def delete_estate(self) -> bool:
        estate = self._current_estate()
        if estate is None:
            return False
        done = confirm_delete(self, what="小区", name=estate.name, action=lambda: org_edit.delete_estate(estate.id))
        if done:
            self._changed()
        return done

    def add_buildings(self) -> QDialog | None:
        estate = self._current_estate()
        return self._open(BuildingDialog(self, estate_id=estate.id, estate_name=estate.name)) if estate else None

    def edit_building(self) -> QDialog | None:
        estate, building = self._current_estate(), current_record(self.building_view)
        if estate is None or building is None:
            return None
        return self._open(BuildingDialog(self, estate_id=estate.id, estate_name=estate.name, building=building))

    def delete_building(self) -> bool:
        estate, building = self._current_estate(), current_record(self.building_view)
        if estate is None or building is None:
            return False
        done = confirm_delete(
            self,
            what="楼栋",
            name=f"{estate.name} {building.number}",
            action=lambda: org_edit.delete_building(building.id),
        )
        if done:
            self._changed()
        return done

    # -- context menus
    def _show_menu(self, view, builder, pos: QPoint) -> None:
        index = view.indexAt(pos)
        if index.isValid():
            select_row(view, index.row())
        menu = QMenu(self)
        builder(menu)
        menu.exec(view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _community_menu(self, menu: QMenu) -> None:
        for b in self.community_buttons:
            menu.addAction(b.text() + "…", b.click).setEnabled(b.isEnabled())

    def _estate_menu(self, menu: QMenu) -> None:
        for b in self.estate_buttons:
            menu.addAction(b.text() + "…", b.click).setEnabled(b.isEnabled())

    def _building_menu(self, menu: QMenu) -> None:
        self._update_buttons()
        for b in self.building_buttons:
            menu.addAction(b.text() + "…", b.click).setEnabled(b.isEnabled())


class OrgTab(QWidget):
    """The 党组织 tab (with editing). Construct with `(parent=None)`; call `refresh()`."""

    statusChanged = Signal(str)
    dataChanged = Signal()
    showMembersRequested = Signal(str, int)

    def __init__(
        self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today, with_teams: bool = True
    ):
        """`with_teams=False` leaves out the 小区治理团队 page (when the window shows
        `EstateTeamTab` as a tab of its own)."""
        super().__init__(parent)
        self.setObjectName("orgTab")
        self.structure = StructurePage(self, today=today)
        self.places = PlacesPage(self)
        self.teams = EstateTeamTab(self, today=today) if with_teams else None
        self.pages = QTabWidget(self)
        self.pages.setObjectName("orgPages")
        self.pages.addTab(self.structure, "组织架构")
        self.pages.addTab(self.places, "社区与小区")
        if self.teams is not None:
            self.pages.addTab(self.teams, "小区治理团队（1+X）")
        self.pages.currentChanged.connect(lambda _i: self.statusChanged.emit(self.status_text()))
        for page in self._pages():
            page.statusChanged.connect(lambda _t, page=page: self._page_status(page))
            page.dataChanged.connect(self._page_changed)
        self.structure.showMembersRequested.connect(self.showMembersRequested.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addWidget(self.pages)

    # -- the read-only tree page's attributes, for code written against `OrgTreePage`
    @property
    def tree(self) -> EditableOrgTree:
        return self.structure.tree

    @property
    def model(self):
        return self.structure.tree.model

    @property
    def view(self):
        return self.structure.tree.view

    @property
    def search(self):
        return self.structure.tree.search

    @property
    def proxy(self):
        return self.structure.tree.proxy

    @property
    def stack(self):
        return self.structure.tree.stack

    @property
    def empty_label(self):
        return self.structure.tree.empty_label

    def set_search(self, text: str) -> None:
        self.structure.tree.set_search(text)

    def build_context_menu(self, index):
        return self.structure.tree.build_context_menu(index)

    def _pages(self) -> list[QWidget]:
        return [p for p in (self.structure, self.places, self.teams) if p is not None]

    def refresh(self) -> None:
        for page in self._pages():
            page.refresh()
        self.statusChanged.emit(self.status_text())

    def status_text(self) -> str:
        page = self.pages.currentWidget()
        return page.status_text() if page is not None else ""

    def _page_status(self, page: QWidget) -> None:
        if page is self.pages.currentWidget():
            self.statusChanged.emit(page.status_text())

    def _page_changed(self) -> None:
        sender = self.sender()
        for page in self._pages():
            if page is not sender:
                page.refresh()
        self.dataChanged.emit()

    def select_node(self, kind: str, node_id: int) -> bool:
        self.pages.setCurrentWidget(self.structure)
        return self.structure.select(kind, node_id)
