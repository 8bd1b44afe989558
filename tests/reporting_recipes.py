"""The write-walk recipes of the 双报到 / 三单制 services (used by test_service_write_walk):
each name maps to (call, tables touched, setup run first as the administrator)."""

from __future__ import annotations

from conftest import DEMO_TODAY

from models import Branch, Community, Member
from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from wanghu_desk.services import reporting
from wanghu_desk.services.imports import ImportCounts
from wanghu_desk.services.reporting import importing

TODAY = DEMO_TODAY
TABLES = (ReportingMember, ReportingOrder, ReportingOrderMember, Member)


def _unregistered_member() -> int:
    registered = ReportingMember.select(ReportingMember.member)
    return (Member.select(Member.id).where(Member.status == "active", Member.id.not_in(registered))
            .order_by(Member.id).first().id)


def registration_raw() -> dict:
    return {"member_id": _unregistered_member(), "work_unit": "区住建局", "unit_kind": "agency",
            "community_id": Community.select().order_by(Community.id).first().id, "reported_on": TODAY,
            "posts": ["文明劝导岗"]}


def new_registration() -> int:
    return reporting.register_member(registration_raw(), today=TODAY)


def new_order() -> int:
    return reporting.place_order({"content": "楼道里的灯坏了，老人晚上下楼不便", "ordered_on": TODAY}, today=TODAY)


def _branch() -> int:
    return Branch.select().where(Branch.status == "active").order_by(Branch.id).first().id


def assigned_order() -> tuple[int, int]:
    oid, rid = new_order(), new_registration()
    member_id = ReportingMember.get_by_id(rid).member_id
    reporting.assign_order(oid, _branch(), [member_id], TODAY, today=TODAY)
    return oid, member_id


def accepted_order() -> int:
    oid, member_id = assigned_order()
    reporting.accept_order(oid, [member_id], TODAY, today=TODAY)
    return oid


def imported_registration() -> None:
    values = reporting.check_registration(registration_raw(), today=TODAY)
    for _step in importing.commit([values], ImportCounts(), "报到名册.xlsx", {"today": TODAY}):
        pass


RECIPES = {
    "reporting.importing.commit": (lambda _: imported_registration(), TABLES, lambda: None),
    "reporting.members.register_member": (lambda _: new_registration(), TABLES, lambda: None),
    "reporting.members.update_registration": (
        lambda rid: reporting.update_registration(rid, {**reporting.registration_values(rid), "skills": "水电维修"},
                                                  today=TODAY), TABLES, new_registration),
    "reporting.members.withdraw_member": (lambda rid: reporting.withdraw_member(rid, TODAY, "搬家", today=TODAY),
                                          TABLES, new_registration),
    "reporting.orders.place_order": (lambda _: new_order(), TABLES, lambda: None),
    "reporting.orders.assign_order": (
        lambda ctx: reporting.assign_order(ctx[0], _branch(), [ctx[1]], TODAY, today=TODAY), TABLES,
        lambda: (new_order(), ReportingMember.get_by_id(new_registration()).member_id)),
    "reporting.orders.accept_order": (lambda ctx: reporting.accept_order(ctx[0], [ctx[1]], TODAY, today=TODAY),
                                      TABLES, assigned_order),
    "reporting.orders.complete_order": (
        lambda oid: reporting.complete_order(oid, TODAY, 60, "satisfied", today=TODAY), TABLES, accepted_order),
    "reporting.orders.cancel_order": (lambda oid: reporting.cancel_order(oid, TODAY, "居民已自行解决", today=TODAY),
                                      TABLES, new_order),
}

READS = """
    reporting.members.check_registration reporting.members.list_members reporting.members.registration_values
    reporting.members.member_choices reporting.members.reporting_member_choices reporting.members.place_choices
    reporting.orders.next_number reporting.orders.check_order reporting.orders.check_step
    reporting.orders.list_orders reporting.orders.order_row reporting.orders.allowed_steps
    reporting.orders.letter_data reporting.orders.branch_choices reporting.orders.wish_choices
    reporting.importing.classify
""".split()  # noqa: SIM905 - one name per word
