"""在职党员双报到 and the 三单制 orders (migration 5).

`ReportingMember`: a member (usually working elsewhere) who reported to the community
where they live, with the work unit, the unit's party organisation, the residence
community and estate, the report date, skills and the service posts (岗位) claimed.
`ReportingOrder`: one 三单制 order, 居民点单 → 支部下单 → 党员接单 → 完成 (or 取消), with
`ReportingOrderMember` naming the members it was assigned to and who accepted it.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from models.base import BaseModel
from models.tables import Branch, Community, Estate, Matter, Member


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class ReportingMember(BaseModel):
    """在职党员到居住地社区报到: one row per member; withdrawing keeps the row."""

    member = pw.ForeignKeyField(Member, unique=True, backref="reporting", on_delete="RESTRICT")
    work_unit = pw.CharField()  # 工作单位
    unit_kind = pw.CharField(default="other")  # agency | institution | enterprise | other
    unit_party_org = pw.CharField(null=True)  # 单位党组织
    community = pw.ForeignKeyField(Community, backref="reporting_members", on_delete="RESTRICT")
    estate = pw.ForeignKeyField(Estate, null=True, backref="reporting_members", on_delete="RESTRICT")
    reported_on = pw.DateField(index=True)
    skills = pw.CharField(null=True)  # 特长, free text
    posts = pw.CharField(null=True)  # 认领岗位, names separated by "、"
    status = pw.CharField(default="active", index=True)  # active | withdrawn
    withdrawn_on = pw.DateField(null=True)
    note = pw.TextField(null=True)
    created_at = pw.CharField(default=_now)
    updated_at = pw.CharField(default=_now)


class ReportingOrder(BaseModel):
    """三单制: one resident's need from 点单 to 完成."""

    year = pw.IntegerField()
    seq = pw.IntegerField()
    number = pw.CharField(unique=True)  # DD2026-0001
    content = pw.TextField()
    category = pw.CharField(null=True)  # 需求类别, free text with suggestions
    community = pw.ForeignKeyField(Community, null=True, backref="reporting_orders", on_delete="RESTRICT")
    estate = pw.ForeignKeyField(Estate, null=True, backref="reporting_orders", on_delete="RESTRICT")
    resident_name = pw.CharField(null=True)
    resident_phone = pw.CharField(null=True)
    matter = pw.ForeignKeyField(Matter, null=True, backref="reporting_orders", on_delete="SET NULL")
    ordered_on = pw.DateField(index=True)  # 居民点单
    state = pw.CharField(index=True)  # ordered | assigned | accepted | done | cancelled
    branch = pw.ForeignKeyField(Branch, null=True, backref="reporting_orders", on_delete="RESTRICT")
    assigned_on = pw.DateField(null=True)  # 支部下单
    accepted_on = pw.DateField(null=True)  # 党员接单 (the first acceptance)
    done_on = pw.DateField(null=True, index=True)  # 完成
    minutes = pw.IntegerField(null=True)  # minutes each accepting member served
    evaluation = pw.CharField(null=True)  # satisfied | basic | unsatisfied
    result = pw.TextField(null=True)
    cancelled_on = pw.DateField(null=True)
    cancel_reason = pw.CharField(null=True)
    created_at = pw.CharField(default=_now)
    updated_at = pw.CharField(default=_now)

    class Meta:
        indexes = ((("year", "seq"), True),)


class ReportingOrderMember(BaseModel):
    """A member an order was assigned to (支部下单) and whether they accepted it (接单)."""

    order = pw.ForeignKeyField(ReportingOrder, backref="assignees", on_delete="CASCADE")
    member = pw.ForeignKeyField(Member, backref="reporting_orders", on_delete="RESTRICT")
    accepted_on = pw.DateField(null=True)

    class Meta:
        indexes = ((("order", "member"), True),)


#: The tables of this module, in creation order (appended to `models.ALL_TABLES`).
TABLES: list[type[BaseModel]] = [ReportingMember, ReportingOrder, ReportingOrderMember]
