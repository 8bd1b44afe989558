"""Dialogs that change the organisation (`services.org_edit`): communities, community
committees, estates, buildings, branches, building groups, moves, and the seats of an
estate's governance team (1+X).

Each dialog is opened with `open()` and emits `saved(id)` after its service call
succeeded; a refused change (a name already in use, a building covered by another group
…) is shown in red inside the dialog, which stays open. Dissolving is not a dialog: the
tabs ask with `ui.dialogs.ask` (see `confirm_dissolve_*`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from ui.member_dialog import ERROR_STYLE, FormGrid, _primary
from wanghu_desk import vocab
from wanghu_desk.errors import UserError
from wanghu_desk.services import members, org_edit


def _line(name: str, placeholder: str = "", text: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setText(text or "")
    return edit


def _combo(name: str, items: list[tuple[str, Any]], current: Any = None) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(0, index))
    return combo


def _checklist(name: str, items: list[tuple[str, Any, bool, bool, str]], *, height: int = 150) -> QListWidget:
    """A list of check boxes: (text, data, checked, enabled, tooltip)."""
    widget = QListWidget()
    widget.setObjectName(name)
    widget.setFixedHeight(height)
    widget.setAlternatingRowColors(True)
    for text, data, checked, enabled, tip in items:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, data)
        flags = Qt.ItemFlag.ItemIsUserCheckable
        if enabled:
            flags |= Qt.ItemFlag.ItemIsEnabled
        item.setFlags(flags)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if tip:
            item.setToolTip(tip)
        widget.addItem(item)
    return widget


def checked_data(widget: QListWidget) -> list[Any]:
    return [
        widget.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    ]


def set_checked(widget: QListWidget, data: Any, checked: bool = True) -> None:
    for i in range(widget.count()):
        item = widget.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == data:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


class FormDialog(QDialog):
    """A form whose 保存 runs `run()` (a service call); a `UserError` stays in the dialog."""

    saved = Signal(int)

    def __init__(self, parent: QWidget | None, title: str, *, ok_text: str = "保存", intro: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        if intro:
            self.intro = QLabel(intro)
            self.intro.setWordWrap(True)
            self.intro.setProperty("role", "detail")
            layout.addWidget(self.intro)
        self.grid = FormGrid()
        layout.addLayout(self.grid)
        self.banner = QLabel()
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setVisible(False)
        layout.addWidget(self.banner)
        buttons = QDialogButtonBox()
        self.ok_button = _primary(buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole))
        self.ok_button.setObjectName("okButton")
        self.ok_button.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 40)

    def run(self) -> int:  # pragma: no cover - every dialog overrides it
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.setVisible(True)

    def error_text(self) -> str:
        return self.banner.text() if not self.banner.isHidden() else ""

    def _ok(self) -> None:
        try:
            saved_id = self.run()
        except UserError as exc:
            self.show_error(exc.message)
            return
        self.saved.emit(saved_id)
        self.accept()


# ---------------------------------------------------------------- communities, committees


class CommunityDialog(FormDialog):
    def __init__(self, parent: QWidget | None, community: org_edit.CommunityRow | None = None):
        super().__init__(parent, f"编辑社区：{community.name}" if community else "新增社区")
        self.community = community
        v = community.form_values() if community else {}
        self.name = _line("name", "如：望湖社区", v.get("name", ""))
        self.address = _line("address", "如：包河区望湖路88号", v.get("address", ""))
        self.phone = _line("phone", "如：0551-65179666", v.get("phone", ""))
        self.grid.add(0, "社区名称", self.name, required=True)
        self.grid.add(0, "地址", self.address)
        self.grid.add(0, "电话", self.phone)

    def run(self) -> int:
        values = {"name": self.name.text(), "address": self.address.text(), "phone": self.phone.text()}
        if self.community is None:
            return org_edit.create_community(values)
        org_edit.update_community(self.community.id, values)
        return self.community.id


class OrganizationDialog(FormDialog):
    """A community committee (社区党委) or general branch (党总支); also edits the working
    committee's name, secretary and phone."""

    def __init__(self, parent: QWidget | None, detail: org_edit.OrganizationDetail | None = None):
        super().__init__(parent, f"编辑党组织：{detail.name}" if detail else "新增社区党委 / 党总支")
        self.detail = detail
        v = detail.form_values() if detail else {"kind": "community_committee"}
        self.name = _line("name", "如：中共望湖社区委员会", v.get("name", ""))
        kinds = [(vocab.ORGANIZATION_KINDS[k], k) for k in ("community_committee", "general_branch")]
        self.kind = _combo("kind", kinds, v.get("kind"))
        self.community = _combo(
            "community",
            [("（无）", None)] + [(o.name, o.id) for o in org_edit.community_options()],
            v.get("community_id"),
        )
        self.area = _line("area_name", "默认为社区名称", v.get("area_name", ""))
        self.secretary = _line("secretary", "", v.get("secretary", ""))
        self.phone = _line("phone", "如：0551-65179666", v.get("phone", ""))
        self.grid.add(0, "名称", self.name, required=True)
        if detail is None or detail.kind != "working_committee":
            self.grid.add(0, "类别", self.kind, required=True)
            self.grid.add(0, "对应社区", self.community)
        self.grid.add(0, "所辖区域", self.area)
        self.grid.add(0, "书记", self.secretary)
        self.grid.add(0, "联系电话", self.phone)

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "kind": self.kind.currentData(),
            "community_id": self.community.currentData(),
            "area_name": self.area.text(),
            "secretary": self.secretary.text(),
            "phone": self.phone.text(),
        }

    def run(self) -> int:
        if self.detail is None:
            return org_edit.create_organization(self.values())
        org_edit.update_organization(self.detail.id, self.values())
        return self.detail.id


# ---------------------------------------------------------------- estates, buildings


class EstateDialog(FormDialog):
    def __init__(
        self, parent: QWidget | None, estate: org_edit.EstateRow | None = None, *, community_id: int | None = None
    ):
        super().__init__(parent, f"编辑小区：{estate.name}" if estate else "新增小区")
        self.estate = estate
        v = estate.form_values() if estate else {"community_id": community_id, "kind": "commercial"}
        self.fields: dict[str, QWidget] = {
            "name": _line("name", "如：望湖城北苑", v.get("name", "")),
            "community_id": _combo(
                "community_id",
                [("请选择社区", None)] + [(o.name, o.id) for o in org_edit.community_options()],
                v.get("community_id"),
            ),
            "kind": _combo("kind", [(label, code) for code, label in vocab.ESTATE_KINDS.items()], v.get("kind")),
            "households": _line("households", "如：1200", str(v["households"]) if v.get("households") else ""),
            "address": _line("address", "如：合肥市包河区望湖路88号", v.get("address", "")),
            "property_company": _line(
                "property_company",
                "如：合肥望湖物业服务有限公司；没有物业写「社区托管」",
                v.get("property_company", ""),
            ),
            "property_contact": _line("property_contact", "", v.get("property_contact", "")),
            "property_phone": _line("property_phone", "", v.get("property_phone", "")),
            "owners_committee": _line(
                "owners_committee", "如：望湖城北苑业主委员会；没有写「未成立」", v.get("owners_committee", "")
            ),
            "owners_committee_contact": _line("owners_committee_contact", "", v.get("owners_committee_contact", "")),
            "owners_committee_phone": _line("owners_committee_phone", "", v.get("owners_committee_phone", "")),
        }
        f = self.fields
        self.grid.add(0, "小区名称", f["name"], required=True)
        self.grid.add(1, "所在社区", f["community_id"], required=True)
        self.grid.add(0, "类型", f["kind"], required=True)
        self.grid.add(1, "户数", f["households"])
        self.grid.add(0, "地址", f["address"], span=True)
        self.grid.add(0, "物业公司", f["property_company"], span=True)
        self.grid.add(0, "物业联系人", f["property_contact"])
        self.grid.add(1, "物业电话", f["property_phone"])
        self.grid.add(0, "业委会", f["owners_committee"], span=True)
        self.grid.add(0, "业委会联系人", f["owners_committee_contact"])
        self.grid.add(1, "业委会电话", f["owners_committee_phone"])
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 56)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, widget in self.fields.items():
            out[key] = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
        return out

    def run(self) -> int:
        if self.estate is None:
            return org_edit.create_estate(self.values())
        org_edit.update_estate(self.estate.id, self.values())
        return self.estate.id


class BuildingDialog(FormDialog):
    """Add one or several buildings ("1-12"), or edit one."""

    def __init__(
        self, parent: QWidget | None, *, estate_id: int, estate_name: str, building: org_edit.BuildingRow | None = None
    ):
        super().__init__(
            parent,
            f"编辑楼栋：{estate_name} {building.number}" if building else f"{estate_name}：新增楼栋",
            intro="" if building else "可以一次添加多栋：写「1-12」或「1栋、3栋、5栋」。",
        )
        self.estate_id = estate_id
        self.building = building
        self.number = _line("number", "如：3栋，或 1-12", building.number if building else "")
        self.units = _line("units", "", str(building.units) if building else "1")
        self.households = _line("households", "", str(building.households) if building else "")
        self.grid.add(0, "楼栋号", self.number, required=True)
        self.grid.add(0, "单元数", self.units)
        self.grid.add(0, "户数", self.households)

    def run(self) -> int:
        if self.building is None:
            ids = org_edit.add_buildings(
                self.estate_id, self.number.text(), units=self.units.text(), households=self.households.text()
            )
            return ids[0]
        org_edit.update_building(
            self.building.id,
            {"number": self.number.text(), "units": self.units.text(), "households": self.households.text()},
        )
        return self.building.id


# ---------------------------------------------------------------- branches


class BranchDialog(FormDialog):
    """新增 / 编辑党支部: short name, full name, aliases, category, committee, community,
    estates served, secretary, founded date, contact, note."""

    def __init__(
        self,
        parent: QWidget | None,
        detail: org_edit.BranchDetail | None = None,
        *,
        organization_id: int | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(parent, f"编辑党支部：{detail.name}" if detail else "新增党支部")
        self.detail = detail
        self.today = today or dt.date.today()
        v = detail.form_values() if detail else {"organization_id": organization_id, "category": "estate"}
        committees = org_edit.committee_options()
        self._committee_community = {}
        for o in committees:
            d = org_edit.organization_detail(o.id)
            self._committee_community[o.id] = d.community_id
        self.name = _line("name", "如：望湖城北苑小区党支部", v.get("name", ""))
        self.full_name = _line("full_name", "如：中共望湖城北苑小区支部委员会", v.get("full_name", ""))
        self.aliases = _line("aliases", "其他文件里用的名称，用「、」隔开", v.get("aliases", ""))
        self.category = _combo(
            "category", [(label, code) for code, label in vocab.BRANCH_CATEGORIES.items()], v.get("category")
        )
        self.organization = _combo(
            "organization_id",
            [("请选择上级党组织", None)] + [(o.name, o.id) for o in committees],
            v.get("organization_id"),
        )
        self.community = _combo(
            "community_id",
            [("（无）", None)] + [(o.name, o.id) for o in org_edit.community_options()],
            v.get("community_id"),
        )
        chosen = set(v.get("estate_ids") or [])
        self.estates = _checklist(
            "estate_ids",
            [(f"{o.name}（{o.detail}）", o.id, o.id in chosen, True, "") for o in org_edit.estate_options()],
            height=120,
        )
        self.secretary = _line("secretary", "", v.get("secretary", ""))
        self.founded_on = _line("founded_on", "如：2020-05-04", v.get("founded_on", ""))
        self.phone = _line("phone", "手机或 0551-65179666", v.get("phone", ""))
        self.note = QPlainTextEdit(v.get("note", ""))
        self.note.setObjectName("note")
        self.note.setFixedHeight(48)
        self.note.setTabChangesFocus(True)

        self.grid.add(0, "支部简称", self.name, required=True, span=True)
        self.grid.add(0, "支部全称", self.full_name, span=True)
        self.grid.add(0, "别名", self.aliases, span=True)
        self.grid.add(0, "类别", self.category, required=True)
        self.grid.add(1, "上级党组织", self.organization, required=True)
        self.grid.add(0, "书记", self.secretary)
        self.grid.add(1, "所在社区", self.community)
        self.grid.add(0, "成立日期", self.founded_on)
        self.grid.add(1, "联系电话", self.phone)
        self.grid.add(0, "服务小区", self.estates, span=True)
        self.grid.add(0, "备注", self.note, span=True)
        self._full_touched = bool(v.get("full_name"))
        self.full_name.textEdited.connect(lambda _t: setattr(self, "_full_touched", True))
        self.name.textChanged.connect(self._suggest_full_name)
        self.organization.currentIndexChanged.connect(self._follow_committee)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 56)

    def _suggest_full_name(self, text: str) -> None:
        if not self._full_touched:
            self.full_name.setText(org_edit.full_name_for(text.strip()) if text.strip() else "")

    def _follow_committee(self) -> None:
        community = self._committee_community.get(self.organization.currentData())
        if community is not None:
            self.community.setCurrentIndex(max(0, self.community.findData(community)))

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "full_name": self.full_name.text(),
            "aliases": self.aliases.text(),
            "category": self.category.currentData(),
            "organization_id": self.organization.currentData(),
            "community_id": self.community.currentData(),
            "estate_ids": checked_data(self.estates),
            "secretary": self.secretary.text(),
            "founded_on": self.founded_on.text(),
            "phone": self.phone.text(),
            "note": self.note.toPlainText(),
        }

    def run(self) -> int:
        if self.detail is None:
            return org_edit.create_branch(self.values(), today=self.today)
        org_edit.update_branch(self.detail.id, self.values(), today=self.today)
        return self.detail.id


class MoveBranchDialog(FormDialog):
    def __init__(self, parent: QWidget | None, detail: org_edit.BranchDetail):
        super().__init__(
            parent,
            f"移动党支部：{detail.name}",
            ok_text="移动",
            intro=f"现在属于「{detail.organization_name or '（无）'}」。移动后党员、党小组随支部一起移动。",
        )
        self.detail = detail
        options = [o for o in org_edit.committee_options() if o.id != detail.organization_id]
        self.target = _combo("target", [("请选择", None)] + [(o.name, o.id) for o in options])
        self.grid.add(0, "移到", self.target, required=True)

    def run(self) -> int:
        if self.target.currentData() is None:
            raise UserError("请选择要移到的党组织。")
        org_edit.move_branch(self.detail.id, self.target.currentData())
        return self.detail.id


# ---------------------------------------------------------------- building groups


def _group_name_for(labels: list[str]) -> str:
    """ "3栋" → "3栋党小组"; "1栋", "2栋" → "1-2栋党小组"."""
    numbers = [label.split(" ")[-1] for label in labels]
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"{numbers[0]}党小组"
    first, last = numbers[0], numbers[-1]
    unit = last[-1] if not last[-1].isdigit() else ""
    return f"{first.rstrip(unit) if unit else first}-{last}党小组"


class GroupDialog(FormDialog):
    """新增 / 编辑楼栋党小组: name, buildings covered (one group per building), leader."""

    def __init__(self, parent: QWidget | None, *, branch_id: int, detail: org_edit.GroupDetail | None = None):
        branch = org_edit.branch_detail(branch_id)
        super().__init__(parent, f"编辑党小组：{detail.name}" if detail else f"{branch.name}：新建楼栋党小组")
        self.branch_id = branch_id
        self.detail = detail
        v = detail.form_values() if detail else {"building_ids": [], "leader_id": None}
        own = set(v["building_ids"])
        items = []
        for o in org_edit.building_options(branch_id):
            taken = o.group_id is not None and (detail is None or o.group_id != detail.id)
            tip = f"已属于「{o.group_name}」" if taken else ""
            text = o.label + (f"（{o.group_name}）" if taken else "")
            items.append((text, o.id, o.id in own, not taken, tip))
        self.buildings = _checklist("building_ids", items, height=180)
        self.name = _line("name", "如：3栋党小组", v.get("name", ""))
        people = members.branch_members(branch_id)
        self.leader = _combo(
            "leader_id",
            [("（暂不设组长）", None)]
            + [(f"{p.name}" + (f"（{p.group_name}）" if p.group_name else ""), p.id) for p in people],
            v.get("leader_id"),
        )
        self.note = _line("note", "", v.get("note", ""))
        self.grid.add(0, "名称", self.name, required=True)
        self.grid.add(0, "覆盖楼栋", self.buildings)
        self.grid.add(0, "党小组长", self.leader)
        self.grid.add(0, "备注", self.note)
        self._name_touched = bool(detail)
        self.name.textEdited.connect(lambda _t: setattr(self, "_name_touched", True))
        self.buildings.itemChanged.connect(lambda _i: self._suggest_name())
        if not items:
            self.buildings.setVisible(False)
            hint = QLabel("本支部没有登记服务的小区楼栋。可以先在「社区与小区」里添加。")
            hint.setProperty("role", "detail")
            self.grid.add(0, "", hint)

    def _suggest_name(self) -> None:
        if self._name_touched:
            return
        labels = [
            self.buildings.item(i).text()
            for i in range(self.buildings.count())
            if self.buildings.item(i).checkState() == Qt.CheckState.Checked
        ]
        self.name.setText(_group_name_for(labels))

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.text(),
            "building_ids": checked_data(self.buildings),
            "leader_id": self.leader.currentData(),
            "note": self.note.text(),
        }

    def run(self) -> int:
        if self.detail is None:
            return org_edit.create_group(self.branch_id, self.values())
        org_edit.update_group(self.detail.id, self.values())
        return self.detail.id


class MoveGroupDialog(FormDialog):
    def __init__(self, parent: QWidget | None, detail: org_edit.GroupDetail, *, today: dt.date | None = None):
        super().__init__(
            parent,
            f"移动党小组：{detail.name}",
            ok_text="移动",
            intro=f"现在属于「{detail.branch_name}」，有 {detail.members} 名党员。",
        )
        self.detail = detail
        self.today = today or dt.date.today()
        options = org_edit.branch_options(exclude=detail.branch_id)
        self.target = _combo("target", [("请选择党支部", None)] + [(o.name, o.id) for o in options])
        self.with_members = QCheckBox(f"{detail.members} 名党员随党小组一起转接（记入转接记录）")
        self.with_members.setObjectName("with_members")
        self.with_members.setChecked(detail.members > 0)
        self.with_members.setVisible(detail.members > 0)
        self.grid.add(0, "移到", self.target, required=True)
        if detail.members:
            self.grid.add(0, "党员", self.with_members)

    def run(self) -> int:
        if self.target.currentData() is None:
            raise UserError("请选择要移到的党支部。")
        org_edit.move_group(
            self.detail.id, self.target.currentData(), with_members=self.with_members.isChecked(), today=self.today
        )
        return self.detail.id


# ---------------------------------------------------------------- estate governance team


class EstateRoleDialog(FormDialog):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        estate_id: int,
        estate_name: str,
        seat: org_edit.RoleRow | None = None,
        today: dt.date | None = None,
        role: str | None = None,
    ):
        super().__init__(parent, f"{estate_name}：{'编辑' if seat else '新增'}治理团队成员")
        self.estate_id = estate_id
        self.seat = seat
        self.today = today or dt.date.today()
        v = seat.form_values() if seat else {"role": role or "red_steward"}
        self.role = _combo("role", [(label, code) for code, label in vocab.ESTATE_ROLES.items()], v.get("role"))
        self.person = _line("person_name", "", v.get("person_name", ""))
        self.phone = _line("phone", "", v.get("phone", ""))
        self.note = _line("note", "如：负责3栋；专业", v.get("note", ""))
        self.since = _line("since", "如：2023-03-01", v.get("since", ""))
        self.member_id = v.get("member_id")
        self.grid.add(0, "职务", self.role, required=True)
        self.grid.add(0, "姓名", self.person, required=True)
        self.grid.add(0, "联系电话", self.phone)
        self.grid.add(0, "备注", self.note)
        self.grid.add(0, "任职日期", self.since)

    def values(self) -> dict[str, Any]:
        return {
            "role": self.role.currentData(),
            "person_name": self.person.text(),
            "phone": self.phone.text(),
            "note": self.note.text(),
            "since": self.since.text(),
            "member_id": self.member_id,
        }

    def run(self) -> int:
        if self.seat is None:
            return org_edit.add_estate_role(self.estate_id, self.values(), today=self.today)
        org_edit.update_estate_role(self.seat.id, self.values(), today=self.today)
        return self.seat.id


# ---------------------------------------------------------------- dissolving (questions, not dialogs)


def confirm_dissolve(
    parent: QWidget | None, *, what: str, name: str, remains: list[str], action: Callable[[], Any], title: str = "撤销"
) -> bool:
    """Refuse (saying what remains) or ask, then dissolve. True when it was done."""
    if remains:
        dialogs.warn(
            parent,
            title,
            f"「{name}」还有 {'、'.join(remains)}，不能撤销。",
            informative="请先把党员转接或调出、把党小组撤销或移走，再撤销。",
        )
        return False
    if not dialogs.ask(
        parent,
        title,
        f"撤销{what}「{name}」？",
        ok_text="撤销",
        default_ok=False,
        informative="撤销后不再出现在组织架构和统计中，记录仍然保留。",
    ):
        return False
    try:
        action()
    except UserError as exc:
        dialogs.error(parent, title, exc.message)
        return False
    return True


def confirm_delete(parent: QWidget | None, *, what: str, name: str, action: Callable[[], Any]) -> bool:
    if not dialogs.ask(
        parent,
        "删除",
        f"删除{what}「{name}」？",
        ok_text="删除",
        default_ok=False,
        informative="只有录错、没有被任何记录用到的才能删除。",
    ):
        return False
    try:
        action()
    except UserError as exc:
        dialogs.error(parent, "删除", exc.message)
        return False
    return True
