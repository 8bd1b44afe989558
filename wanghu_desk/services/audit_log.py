"""History of one record from the 操作日志 (`AuditEvent`), in words a clerk reads.

`history(entity, entity_id)` turns the stored before/after JSON into `HistoryEntry`s:
when, who, what ("修改", "转接组织关系" …) and which fields changed from what to what, with
codes shown as their Chinese labels, branch and group ids as names, and ID numbers
masked unless the acting account may see them. Newest first.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from models import Account, AuditEvent, Branch, Building, BuildingGroup, Community, Estate, Member, Organization
from wanghu_desk import validation, vocab
from wanghu_desk.errors import ValidationError
from wanghu_desk.money import format_fen
from wanghu_desk.services.base import current_actor, require
from wanghu_desk.services.matters import vocab as matter_vocab

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
    "activate": "启用",
    "deactivate": "停用",
    "enable": "启用",
    "disable": "停用",
    "bulk_allocation": "批量拨付",
    "cancel_publicity": "撤回公示",
    "publicity": "开始公示",
    "finalize": "定级",
    "reopen": "重新打开",
    "cap_decision": "封顶决定",
    "link_member": "关联党员",
    "rejoin": "重新加入",
    "score": "评分",
    "scores": "批量评分",
    "self_stars": "自评星级",
    "veto": "一票否决",
    "unveto": "撤销否决",
    "setup": "设置管理员",
    "login": "登录",
    "login_failed": "密码错误",
    "lock": "锁定账号",
    "reset_password": "重置密码",
    "change_password": "修改密码",
    "export": "导出",
    "export_unmasked": "导出完整身份证号",
    "step": "办理进展",
    "escalate": "上报",
    "undo": "撤回步骤",
}

#: The kinds of record in the log, in the words of the window.
ENTITIES: dict[str, str] = {
    "member": "党员",
    "branch": "党支部",
    "group": "楼栋党小组",
    "organization": "党组织",
    "community": "社区",
    "estate": "小区",
    "building": "楼栋",
    "estate_role": "1+X 职务",
    "volunteer": "志愿者",
    "volunteer_team": "志愿服务队",
    "team_membership": "服务队成员",
    "service_project": "服务项目",
    "service_record": "服务记录",
    "rating": "星级评定",
    "rating_round": "评定年度",
    "rating_scheme": "评定方案",
    "fund": "经费科目",
    "ledger_entry": "经费台账",
    "matter": "事项",
    "matter_step": "事项进展",
    "matter_category": "事项类别",
    "matter_escalation": "事项上报",
    "import": "导入",
    "export": "导出",
    "database": "数据库",
    "setting": "设置",
    "account": "账号",
    # exports with full ID numbers or phones (services.exports.audit_unmasked), by kind
    "members": "党员名册",
    "volunteers": "志愿者名册",
    "services": "志愿服务记录",
    "matters": "居民事项",
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
    "account": {"username": "账号名", "display_name": "姓名", "role": "角色", "is_active": "启用"},
    "volunteer": {
        "name": "姓名",
        "id_number": "公民身份号码",
        "phone": "联系电话",
        "gender": "性别",
        "birth_date": "出生日期",
        "member_id": "关联党员",
        "skills": "特长",
        "registration_no": "注册编号",
        "note": "备注",
        "team_ids": "所在服务队",
    },
    "volunteer_team": {
        "name": "名称",
        "kind": "类型",
        "branch_id": "所属党支部",
        "community_id": "所在社区",
        "leader_name": "队长",
        "leader_phone": "队长电话",
        "founded_on": "成立日期",
        "is_active": "启用",
        "note": "备注",
    },
    "team_membership": {"team_id": "服务队", "volunteer_id": "志愿者", "joined_on": "加入日期", "left_on": "离队日期"},
    "service_project": {
        "name": "名称",
        "team_id": "服务队",
        "branch_id": "所属党支部",
        "community_id": "所在社区",
        "description": "内容",
        "started_on": "开始日期",
        "is_active": "启用",
    },
    "service_record": {
        "volunteer_id": "志愿者",
        "team_id": "服务队",
        "project_id": "服务项目",
        "served_on": "服务日期",
        "activity": "服务内容",
        "minutes": "时长（分钟）",
    },
    "rating": {
        "round_id": "评定年度",
        "branch_id": "党支部",
        "self_stars": "自评星级",
        "vetoed": "一票否决",
        "veto_reason": "否决原因",
        "total_cp": "总分",
        "stars": "星级",
        "cap_decision": "封顶决定",
        "note": "备注",
        "stage": "评分阶段",
        "points_cp": "得分",
        "scores": "得分",
        "score": "得分",
        "round": "评定年度",
        "branch": "党支部",
        "name": "党支部",
    },
    "rating_round": {
        "year": "年度",
        "scheme_id": "评定方案",
        "status": "状态",
        "publicity_start": "公示开始",
        "publicity_end": "公示结束",
        "finalized_at": "定级时间",
        "finalized_by": "定级人",
        "branches": "参评支部",
        "scheme": "评定方案",
        "rated": "参评支部数",
        "by_stars": "各星级支部数",
        "results": "已定级结果",
    },
    "rating_scheme": {"name": "名称", "thresholds": "星级分数线", "caps": "封顶规则", "note": "备注",
                      "criteria": "评分项"},
    "fund": {"name": "名称", "carries_over": "结余结转", "minimum_fen": "每年最低拨付"},
    "ledger_entry": {
        "branch_id": "党支部",
        "fund_id": "经费科目",
        "year": "年度",
        "voucher_no": "凭证号",
        "entry_date": "日期",
        "kind": "类别",
        "subject": "科目",
        "summary": "摘要",
        "amount_fen": "金额",
        "handler": "经办人",
        "approver": "审批人",
        "second_approver": "第二审批人",
        "reverses_id": "冲销凭证",
        "created_by": "录入人",
        "fund": "经费科目",
        "mode": "拨付方式",
        "branches": "支部数",
        "total_fen": "合计金额",
    },
    "import": {
        "kind": "导入内容",
        "file": "文件",
        "sheets": "工作表",
        "inserted": "新增",
        "updated": "更新",
        "unchanged": "不变",
        "skipped_invalid": "跳过的错误行",
        "year": "年度",
        "stage": "评分阶段",
        "created": "同时新建",
    },
    "export": {"kind": "导出内容", "file": "文件", "rows": "行数"},
    **{kind: {"rows": "行数", "unmasked": "完整号码"} for kind in ("members", "volunteers", "services", "matters")},
    "estate_role": {
        "estate_id": "小区",
        "role": "职务",
        "person_name": "姓名",
        "phone": "电话",
        "member_id": "关联党员",
        "note": "备注",
        "since": "任职日期",
    },
    "matter": {
        "number": "编号",
        "kind": "事项类型",
        "year": "年度",
        "seq": "序号",
        "external_no": "工单编号",
        "category_id": "类别",
        "source": "来源",
        "estate_id": "小区",
        "building_id": "楼栋",
        "grid": "网格",
        "raiser_name": "反映人",
        "raiser_phone": "反映人电话",
        "content": "内容",
        "received_on": "受理日期",
        "deadline_on": "办理期限",
        "level": "办理层级",
        "state": "进度",
        "handler_branch_id": "承办党支部",
        "handler_members": "承办党员",
        "handler_unit": "承办单位",
        "result": "办理结果",
        "evaluation": "居民评价",
        "closed_on": "办结日期",
        "claimant_kind": "认领方",
        "claimant_name": "认领人",
        "note": "备注",
    },
    "matter_step": {
        "matter_id": "事项",
        "step": "步骤",
        "step_on": "日期",
        "participants": "参加人员",
        "decision": "决定",
        "votes_for": "赞成票",
        "votes_against": "反对票",
        "votes_abstain": "弃权票",
        "note": "备注",
        "created_by": "录入人",
        "undone_at": "撤回时间",
        "undone_reason": "撤回原因",
    },
    "matter_escalation": {
        "matter_id": "事项",
        "from_level": "原层级",
        "to_level": "上报至",
        "escalated_on": "上报日期",
        "reason": "上报原因",
    },
    "matter_category": {
        "kind": "事项类型",
        "name": "名称",
        "domain": "领域",
        "deadline_amount": "办理期限",
        "deadline_unit": "期限单位",
        "is_active": "启用",
    },
    "setting": {
        "organization.name": "单位名称",
        "security.single_user": "单用户模式",
        "matters.deadlines": "事项办理期限",
        "ledger.second_approver_threshold_fen": "须两人审批的支出金额",
        "ledger.estate_minimum_fen": "小区党支部每年最低拨付",
        "ledger.min_spend_percent": "季度最低支出比例",
        "rating.publicity_days": "公示天数",
    },
    "database": {
        "communities": "社区",
        "organizations": "党组织",
        "estates": "小区",
        "buildings": "楼栋",
        "branches": "党支部",
        "branch_aliases": "党支部别名",
        "estate_branches": "小区党支部",
        "building_groups": "楼栋党小组",
        "members": "党员",
        "members_active": "在册党员",
        "probationary": "预备党员",
        "estate_roles": "1+X 职务",
        "red_stewards": "红色小管家",
        "student_stewards": "大学生社区小管家",
        "instructors": "党建指导员",
        "volunteers": "志愿者",
        "volunteer_teams": "志愿服务队",
        "team_memberships": "服务队成员",
        "service_projects": "服务项目",
        "service_records": "服务记录",
        "ratings": "星级评定",
        "rating_scores": "评分",
        "ledger_entries": "经费台账",
        "matters": "居民事项",
    },
}

_ROLE_LABELS = {"admin": "管理员", "clerk": "录入员", "viewer": "查看"}
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
    "handler_branch_id": "branch",
    "building_id": "building",
    "group_id": "group",
    "leader_id": "member",
    "member_id": "member",
    "organization_id": "organization",
    "parent_id": "organization",
    "community_id": "community",
    "estate_id": "estate",
}
#: A matter's state is the code of its last step; the steps' names of every workflow.
_MATTER_STATES = {spec.code: spec.state_label for steps in matter_vocab.WORKFLOWS.values() for spec in steps}
_MATTER_STEPS = {spec.code: spec.label for steps in matter_vocab.WORKFLOWS.values() for spec in steps}

_CODE_FIELDS = {
    ("member", "category"): vocab.MEMBER_CATEGORIES,
    ("member", "status"): vocab.MEMBER_STATUSES,
    ("branch", "category"): vocab.BRANCH_CATEGORIES,
    ("branch", "status"): vocab.BRANCH_STATUSES,
    ("group", "status"): vocab.BRANCH_STATUSES,
    ("organization", "kind"): vocab.ORGANIZATION_KINDS,
    ("estate", "kind"): vocab.ESTATE_KINDS,
    ("estate_role", "role"): vocab.ESTATE_ROLES,
    ("volunteer_team", "kind"): vocab.TEAM_KINDS,
    ("rating", "stage"): vocab.RATING_STAGES,
    ("rating_round", "status"): vocab.RATING_ROUND_STATUSES,
    ("ledger_entry", "kind"): vocab.LEDGER_KINDS,
    ("ledger_entry", "subject"): vocab.LEDGER_SUBJECTS,
    ("ledger_entry", "mode"): {"flat": "统一金额", "stars": "按星级"},
    ("import", "stage"): vocab.RATING_STAGES,
    ("matter", "kind"): matter_vocab.KINDS,
    ("matter", "source"): matter_vocab.SOURCES,
    ("matter", "level"): matter_vocab.LEVELS,
    ("matter", "state"): _MATTER_STATES,
    ("matter", "evaluation"): matter_vocab.EVALUATIONS,
    ("matter", "claimant_kind"): matter_vocab.CLAIMANT_KINDS,
    ("matter_step", "step"): _MATTER_STEPS,
    ("matter_escalation", "from_level"): matter_vocab.LEVELS,
    ("matter_escalation", "to_level"): matter_vocab.LEVELS,
    ("matter_category", "kind"): matter_vocab.KINDS,
    ("matter_category", "deadline_unit"): matter_vocab.DEADLINE_UNITS,
}


def _show(entity: str, key: str, value: Any, names: _Names, see_ids: bool) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "id_number" and not see_ids:
        return validation.mask_id_number(str(value))
    if entity == "account" and key == "role":
        return _ROLE_LABELS.get(str(value), str(value))
    if key in _ID_FIELDS:
        return names.get(_ID_FIELDS[key], value)
    codes = _CODE_FIELDS.get((entity, key))
    if codes is not None:
        return vocab.label(codes, str(value))
    if isinstance(value, int) and (key.endswith("_fen")):
        return format_fen(value)
    if isinstance(value, int) and key.endswith("_cp"):
        return f"{value / 100:.2f}".rstrip("0").rstrip(".") + " 分"
    if entity == "import" and key == "kind":
        from wanghu_desk import kinds  # the registry of import kinds: names only, cheap

        return kinds.labels().get(str(value), str(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（无）"
    if isinstance(value, dict) and not value:
        return "（无）"
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
            changes=_changes(entity, event.action, before, after, labels, names, see_ids),
        )
        out.append(entry)
    return out


def _changes(
    entity: str,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    labels: dict[str, str],
    names: _Names,
    see_ids: bool,
    *,
    ordered: bool = False,
) -> list[Change]:
    out = []
    keys = list(after) + [k for k in before if k not in after]
    if ordered:  # the order of the form (the stored JSON is in alphabetical order)
        rank = {k: i for i, k in enumerate(labels)}
        keys.sort(key=lambda k: rank.get(k, len(rank)))
    for key in keys:
        if key in _SKIPPED or key == "password_hash":
            continue
        old, new = before.get(key), after.get(key)
        if action == "create" and new in (None, "", False):
            continue
        if action != "create" and old == new:
            continue
        out.append(
            Change(
                field=key,
                label=labels.get(key, key),
                before=_show(entity, key, old, names, see_ids) if key in before else "",
                after=_show(entity, key, new, names, see_ids) if key in after else "",
            )
        )
    return out


def member_history(member_id: int, *, limit: int = 200) -> list[HistoryEntry]:
    return history("member", member_id, limit=limit)


# ---------------------------------------------------------------- the whole log (系统 tab)

#: The viewer shows at most this many events; narrower filters find older ones.
LOG_LIMIT = 5000


@dataclass
class LogEntry:
    """One event of the 操作日志 as the viewer lists it."""

    id: int
    at: str  # "2026-11-22 10:30:05"
    username: str
    account: str  # display name
    entity_code: str
    entity: str  # Chinese
    entity_id: int | None
    action_code: str
    action: str  # Chinese
    note: str
    changes: list[Change] = field(default_factory=list)

    @property
    def details(self) -> str:
        """The changed fields in one line: 姓名：张三 → 李四；联系电话：（空） → 139…"""
        parts = []
        for c in self.changes:
            if c.before and c.after:
                parts.append(f"{c.label}：{c.before} → {c.after}")
            else:
                parts.append(f"{c.label}：{c.after or c.before}")
        text = "；".join(parts)
        if self.note:
            text = f"{self.note}。{text}" if text else self.note
        return text


@dataclass
class LogChoices:
    """The values the viewer's filters offer: (Chinese label, stored code)."""

    accounts: list[tuple[str, str]]
    entities: list[tuple[str, str]]
    actions: list[tuple[str, str]]


def entity_label(code: str) -> str:
    return ENTITIES.get(code, code)


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def log_choices() -> LogChoices:
    """Accounts, kinds of record and actions that occur in the log (administrators only)."""
    require("admin")
    names = dict(Account.select(Account.username, Account.display_name).tuples())
    used_accounts = [r[0] for r in AuditEvent.select(AuditEvent.account_name).distinct().tuples()]
    accounts = sorted(
        (f"{names[u]}（{u}）" if names.get(u, u) != u else u, u) for u in set(used_accounts) | set(names) if u
    )
    entities = sorted({(entity_label(r[0]), r[0]) for r in AuditEvent.select(AuditEvent.entity).distinct().tuples()})
    actions = sorted({(action_label(r[0]), r[0]) for r in AuditEvent.select(AuditEvent.action).distinct().tuples()})
    return LogChoices(accounts=accounts, entities=entities, actions=actions)


def search(
    *,
    username: str | None = None,
    entity: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = LOG_LIMIT,
) -> tuple[list[LogEntry], bool]:
    """The events matching every given filter, newest first, and whether there were more
    than `limit` (administrators only). Dates are inclusive days."""
    require("admin")
    if date_from and date_to and date_from > date_to:
        raise ValidationError("开始日期晚于结束日期，请重新选择。")
    query = AuditEvent.select()
    if username:
        query = query.where(AuditEvent.account_name == username)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if action:
        query = query.where(AuditEvent.action == action)
    if date_from:
        query = query.where(AuditEvent.at >= date_from.isoformat())
    if date_to:
        query = query.where(AuditEvent.at < (date_to + dt.timedelta(days=1)).isoformat())
    events = list(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit + 1))
    more = len(events) > limit
    see_ids = current_actor().may_see_id_numbers
    names = _Names()
    accounts = dict(Account.select(Account.username, Account.display_name).tuples())
    out = []
    for event in events[:limit]:
        before, after = _load(event.before_json), _load(event.after_json)
        out.append(
            LogEntry(
                id=event.id,
                at=(event.at or "")[:19].replace("T", " "),
                username=event.account_name,
                account=accounts.get(event.account_name, event.account_name),
                entity_code=event.entity,
                entity=entity_label(event.entity),
                entity_id=event.entity_id,
                action_code=event.action,
                action=action_label(event.action),
                note=event.note or "",
                changes=_changes(
                    event.entity, event.action, before, after, FIELD_LABELS.get(event.entity, {}), names, see_ids,
                    ordered=True,
                ),
            )
        )
    return out, more
