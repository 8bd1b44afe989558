"""The 操作日志's words for the 双报到 / 三单制 records: kinds of record, actions, field
names and coded values. Added to `services.audit_log`'s tables when this package is
imported (the window and the command line import it at start-up)."""

from __future__ import annotations

from wanghu_desk.services import audit_log
from wanghu_desk.services.reporting import vocab

ENTITIES = {
    "reporting_member": "在职党员报到",
    "reporting_order": "三单制服务单",
    "reporting_order_member": "服务单接单党员",
    "reporting": "在职党员报到名册",
}
ACTIONS = {"withdraw": "退出报到", "assign": "支部下单", "accept": "党员接单", "complete": "完成服务",
           "cancel": "取消"}
_COMMON = {"created_at": "创建时间", "updated_at": "修改时间", "note": "备注", "member_id": "党员",
           "community_id": "社区", "estate_id": "小区"}
FIELD_LABELS = {
    "reporting_member": {**_COMMON, "work_unit": "工作单位", "unit_kind": "单位类型", "unit_party_org": "单位党组织",
                         "reported_on": "报到日期", "skills": "特长", "posts": "认领岗位", "status": "状态",
                         "withdrawn_on": "退出日期"},
    "reporting_order": {**_COMMON, "year": "年度", "seq": "序号", "number": "编号", "content": "需求内容",
                        "category": "需求类别", "resident_name": "点单居民", "resident_phone": "居民电话",
                        "matter_id": "关联事项", "ordered_on": "点单日期", "state": "状态", "branch_id": "下单支部",
                        "assigned_on": "下单日期", "accepted_on": "接单日期", "done_on": "完成日期",
                        "minutes": "服务时长（分钟）", "evaluation": "居民评价", "result": "服务结果",
                        "cancelled_on": "取消日期", "cancel_reason": "取消原因"},
    "reporting_order_member": {"order_id": "服务单", "member_id": "党员", "accepted_on": "接单日期"},
}
CODE_FIELDS = {
    ("reporting_member", "unit_kind"): vocab.UNIT_KINDS,
    ("reporting_member", "status"): vocab.MEMBER_STATUSES,
    ("reporting_order", "state"): vocab.STATES,
    ("reporting_order", "evaluation"): vocab.EVALUATIONS,
}


def _register() -> None:
    audit_log.ENTITIES.update(ENTITIES)
    for code, label in ACTIONS.items():
        audit_log.ACTIONS.setdefault(code, label)
    for entity, labels in FIELD_LABELS.items():
        audit_log.FIELD_LABELS.setdefault(entity, {}).update(labels)
    audit_log._CODE_FIELDS.update(CODE_FIELDS)


_register()
