"""History of one record from the 操作日志 (`AuditEvent`), in words a clerk reads.

`history(entity, entity_id)` turns the stored before/after JSON into `HistoryEntry`s:
when, who, what ("修改", "转接组织关系" …) and which fields changed from what to what, with
codes shown as their Chinese labels, branch and group ids as names, and ID numbers
masked unless the acting account may see them. Newest first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from models import Account, AuditEvent, Branch, Building, BuildingGroup, Community, Estate, Member, Organization
from wanghu_desk import validation, vocab
from wanghu_desk.services.base import current_actor

ACTIONS = {
    "create": "新增",
    "update": "修改",
    "rename": "更名",
    "delete": "删除",
    "leave": "离开",
    "restore": "恢复在册",
    "transfer": "转接组织关系",
    "transfer_in": "转入",
    "confirm": "转正",
    "assign_group": "编入党小组",
    "unassign_group": "调出党小组",
    "move": "移动",
    "dissolve": "撤销",
    "set_leader": "设置组长",
    "demo": "装入演示数据",
    "import": "导入",
}

#: Field labels per entity (the member's live in services.members; repeated here so that
#: this module needs no other service).
FIELD_LABELS: dict[str, dict[str, str]] = {
    "member": {
        "name": "姓名",
        "name_initials": "拼音首字母",
        "id_number": "公民身份号码",
        "gender": "性别",
        "birth_date": "出生日期",
        "ethnicity": "民族",
        "education": "学历",
        "category": "人员类别",
        "joined_on": "入党日期",
        "confirmed_on": "转正日期",
        "probation_extended_to": "延长预备期至",
        "probation_extension_reason": "延长预备期原因",
        "branch_id": "所在党支部",
        "group_id": "楼栋党小组",
        "employer": "工作单位及职务",
        "phone": "联系电话",
        "address": "家庭住址",
        "status": "党籍状态",
        "status_changed_on": "状态变更日期",
        "status_note": "去向/原因",
        "is_lost_contact": "失联党员",
        "is_floating": "流动党员",
        "is_center_household": "党员中心户",
        "reported_at_residence": "在职党员报到",
        "note": "备注",
        "from": "来自",
    },
    "branch": {
        "name": "简称",
        "full_name": "全称",
        "category": "类别",
        "organization_id": "上级党组织",
        "community_id": "所在社区",
        "secretary": "书记",
        "phone": "联系电话",
        "founded_on": "成立日期",
        "status": "状态",
        "dissolved_on": "撤销日期",
        "note": "备注",
        "aliases": "别名",
        "estates": "服务小区",
    },
    "group": {
        "name": "名称",
        "branch_id": "所属党支部",
        "leader_id": "党小组长",
        "status": "状态",
        "note": "备注",
        "buildings": "覆盖楼栋",
        "dissolved_on": "撤销日期",
        "members_moved": "随组转接党员",
    },
    "organization": {
        "name": "名称",
        "area_name": "所辖区域",
        "kind": "类别",
        "parent_id": "上级党组织",
        "community_id": "对应社区",
        "secretary": "书记",
        "phone": "联系电话",
    },
    "community": {"name": "名称", "address": "地址", "phone": "电话"},
    "estate": {
        "name": "名称",
        "community_id": "所在社区",
        "kind": "类型",
        "households": "户数",
        "address": "地址",
        "property_company": "物业公司",
        "property_contact": "物业联系人",
        "property_phone": "物业电话",
        "owners_committee": "业委会",
        "owners_committee_contact": "业委会联系人",
        "owners_committee_phone": "业委会电话",
    },
    "building": {"estate_id": "所在小区", "number": "楼栋号", "units": "单元数", "households": "户数"},
    "estate_role": {
        "estate_id": "小区",
        "role": "职务",
        "person_name": "姓名",
        "phone": "电话",
        "member_id": "关联党员",
        "note": "备注",
        "since": "任职日期",
    },
}

_SKIPPED = {"id", "name_initials", "created_at", "updated_at", "sort_order"}


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    at: str  # "2026-11-22 10:30"
    account: str
    action: str  # Chinese
    note: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def summary(self) -> str:
        head = f"{self.at}  {self.account}  {self.action}"
        if self.note:
            head += f"（{self.note}）"
        return head


class _Names:
    """Id → name lookups, loaded only when a history needs them."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[int, str]] = {}

    def get(self, kind: str, value: Any) -> str:
        if value in (None, ""):
            return ""
        if kind not in self._cache:
            model = {
                "branch": Branch,
                "group": BuildingGroup,
                "member": Member,
                "organization": Organization,
                "community": Community,
                "estate": Estate,
                "building": Building,
            }[kind]
            self._cache[kind] = dict(
                model.select(model.id, model.name if kind != "building" else model.number).tuples()
            )
        try:
            return self._cache[kind].get(int(value), f"（编号 {value}）")
        except (TypeError, ValueError):
            return str(value)


_ID_FIELDS = {
    "branch_id": "branch",
    "group_id": "group",
    "leader_id": "member",
    "member_id": "member",
    "organization_id": "organization",
    "parent_id": "organization",
    "community_id": "community",
    "estate_id": "estate",
}
_CODE_FIELDS = {
    ("member", "category"): vocab.MEMBER_CATEGORIES,
    ("member", "status"): vocab.MEMBER_STATUSES,
    ("branch", "category"): vocab.BRANCH_CATEGORIES,
    ("branch", "status"): vocab.BRANCH_STATUSES,
    ("group", "status"): vocab.BRANCH_STATUSES,
    ("organization", "kind"): vocab.ORGANIZATION_KINDS,
    ("estate", "kind"): vocab.ESTATE_KINDS,
    ("estate_role", "role"): vocab.ESTATE_ROLES,
}


def _show(entity: str, key: str, value: Any, names: _Names, see_ids: bool) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "id_number" and not see_ids:
        return validation.mask_id_number(str(value))
    if key in _ID_FIELDS:
        return names.get(_ID_FIELDS[key], value)
    codes = _CODE_FIELDS.get((entity, key))
    if codes is not None:
        return vocab.label(codes, str(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（无）"
    if key.startswith("is_") or key == "reported_at_residence":
        return "是" if value in (1, "1", True) else "否"
    return str(value)


def _load(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def history(entity: str, entity_id: int, *, limit: int = 200) -> list[HistoryEntry]:
    """The audit trail of one record, newest first, ready to read."""
    see_ids = current_actor().may_see_id_numbers
    names = _Names()
    labels = FIELD_LABELS.get(entity, {})
    accounts = dict(Account.select(Account.username, Account.display_name).tuples())
    events = (
        AuditEvent.select()
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    out: list[HistoryEntry] = []
    for event in events:
        before, after = _load(event.before_json), _load(event.after_json)
        entry = HistoryEntry(
            at=(event.at or "")[:16].replace("T", " "),
            account=accounts.get(event.account_name, event.account_name),
            action=ACTIONS.get(event.action, event.action),
            note=event.note or "",
        )
        keys = list(after) + [k for k in before if k not in after]
        for key in keys:
            if key in _SKIPPED:
                continue
            old, new = before.get(key), after.get(key)
            if event.action == "create" and new in (None, "", False):
                continue
            if event.action != "create" and old == new:
                continue
            entry.changes.append(
                Change(
                    field=key,
                    label=labels.get(key, key),
                    before=_show(entity, key, old, names, see_ids) if key in before else "",
                    after=_show(entity, key, new, names, see_ids) if key in after else "",
                )
            )
        out.append(entry)
    return out


def member_history(member_id: int, *, limit: int = 200) -> list[HistoryEntry]:
    return history("member", member_id, limit=limit)
