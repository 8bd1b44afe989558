"""三单制: 居民点单 → 支部下单 → 党员接单 → 完成, or 取消 for a need that went away.

Each step checks the order's state against `vocab.ALLOWED` and refuses the others with a
message that says what state the order is in and what may come next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import Branch, Community, Estate, Matter, Member, Organization
from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.reporting import vocab
from wanghu_desk.services.reporting._common import as_date, clean, now_text
from wanghu_desk.validation import mask_phone


def next_number(year: int) -> tuple[int, str]:
    last = ReportingOrder.select(pw.fn.MAX(ReportingOrder.seq)).where(ReportingOrder.year == year).scalar() or 0
    return int(last) + 1, f"DD{year}-{int(last) + 1:04d}"


def check_order(raw: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """居民点单's values, or `ValidationError`. raw: content, category, community_id, estate_id,
    resident_name, resident_phone, matter_id, ordered_on."""
    today = today or dt.date.today()
    content = clean(raw.get("content"))
    if not content:
        raise ValidationError("请填写居民的需求内容。", field="content")
    ordered_on = as_date(raw.get("ordered_on"), "点单日期")
    if ordered_on > today:
        raise ValidationError("点单日期不能晚于今天。", field="ordered_on")
    community_id, estate_id = raw.get("community_id") or None, raw.get("estate_id") or None
    if community_id is not None and Community.get_or_none(Community.id == community_id) is None:
        raise ValidationError("所选社区不存在。", field="community_id")
    if estate_id is not None:
        estate = Estate.get_or_none(Estate.id == estate_id)
        if estate is None:
            raise ValidationError("所选小区不存在。", field="estate_id")
        if community_id is not None and estate.community_id != community_id:
            raise ValidationError(f"小区“{estate.name}”不在所选社区，请重新选择。", field="estate_id")
        community_id = estate.community_id
    matter_id = raw.get("matter_id") or None
    if matter_id is not None and Matter.get_or_none(Matter.id == matter_id) is None:
        raise ValidationError("关联的居民事项不存在。", field="matter_id")
    phone = clean(raw.get("resident_phone"))
    if phone and not phone.replace("-", "").isdigit():
        raise ValidationError("居民电话只能写数字和“-”。", field="resident_phone")
    return {"content": content, "category": clean(raw.get("category")), "community_id": community_id,
            "estate_id": estate_id, "resident_name": clean(raw.get("resident_name")), "resident_phone": phone,
            "matter_id": matter_id, "ordered_on": ordered_on}


def place_order(raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    """居民点单: register a resident's need; numbered DD<year>-<seq>."""
    values = check_order(raw, today=today)
    with writing("reporting.order") as tx:
        seq, number = next_number(values["ordered_on"].year)
        order = ReportingOrder.create(year=values["ordered_on"].year, seq=seq, number=number, state="ordered",
                                      **values)
        tx.audit("reporting_order", order.id, "create", after=snapshot(order))
    return order.id


def _get(order_id: int) -> ReportingOrder:
    order = ReportingOrder.get_or_none(ReportingOrder.id == order_id)
    if order is None:
        raise NotFoundError("找不到这张服务单，可能已被删除。")
    return order


def check_step(order: ReportingOrder, step: str) -> None:
    """Refuse a step the order's state does not allow, saying what may come next."""
    allowed = vocab.ALLOWED.get(order.state, ())
    if step in allowed:
        return
    state = vocab.STATES.get(order.state, order.state)
    label = vocab.STEP_LABELS.get(step, step)
    if not allowed:
        raise ValidationError(f"服务单{order.number}{state}，不能再{label}。")
    nexts = "、".join(vocab.STEP_LABELS[s] for s in allowed)
    raise ValidationError(f"服务单{order.number}现在是“{state}”，不能{label}；下一步只能{nexts}。")


def _step_day(value: Any, label: str, after: dt.date, after_label: str, today: dt.date | None) -> dt.date:
    day = as_date(value, label)
    if day < after:
        raise ValidationError(f"{label}不能早于{after_label}（{after}）。")
    if day > (today or dt.date.today()):
        raise ValidationError(f"{label}不能晚于今天。")
    return day


def assign_order(order_id: int, branch_id: int, member_ids: Iterable[int], on: Any, *,
                 today: dt.date | None = None) -> None:
    """支部下单: the branch assigns the order to one or more reporting members (again while
    nobody has accepted, to add members)."""
    order = _get(order_id)
    check_step(order, "assign")
    branch = Branch.get_or_none(Branch.id == branch_id) if branch_id else None
    if branch is None:
        raise ValidationError("请选择下单的党支部。")
    if branch.status != "active":
        raise ValidationError(f"{branch.name}已撤销，不能下单。")
    if order.state == "accepted" and order.branch_id != branch.id:
        raise ValidationError("已有党员接单，不能改由其他支部下单。")
    ids = list(dict.fromkeys(int(m) for m in member_ids or ()))
    if not ids:
        raise ValidationError("请至少选择一名接单的报到党员。")
    registered = {mid: status for mid, status in ReportingMember
                  .select(ReportingMember.member, ReportingMember.status)
                  .where(ReportingMember.member.in_(ids)).tuples()}
    names = dict(Member.select(Member.id, Member.name).where(Member.id.in_(ids)).tuples())
    for mid in ids:
        if mid not in names:
            raise ValidationError("所选党员不存在。")
        if registered.get(mid) != "active":
            raise ValidationError(f"{names[mid]}没有登记报到（或已退出），不能接受派单。")
    day = _step_day(on, "下单日期", order.ordered_on, "点单日期", today)
    already = {mid for (mid,) in ReportingOrderMember.select(ReportingOrderMember.member)
               .where(ReportingOrderMember.order == order.id).tuples()}
    new = [mid for mid in ids if mid not in already]
    if not new:
        raise ValidationError("所选党员都已经在这张服务单上了。")
    with writing("reporting.assign") as tx:
        before = snapshot(order)
        for mid in new:
            link = ReportingOrderMember.create(order=order, member=mid)
            tx.audit("reporting_order_member", link.id, "create", after=snapshot(link))
        order.branch = branch.id
        if order.state == "ordered":
            order.state, order.assigned_on = "assigned", day
        order.updated_at = now_text()
        order.save()
        tx.audit("reporting_order", order.id, "assign", before=before, after=snapshot(order))


def accept_order(order_id: int, member_ids: Iterable[int], on: Any, *, today: dt.date | None = None) -> None:
    """党员接单: members the order was assigned to accept it."""
    order = _get(order_id)
    check_step(order, "accept")
    links = {link.member_id: link for link in ReportingOrderMember.select()
             .where(ReportingOrderMember.order == order.id)}
    ids = list(dict.fromkeys(int(m) for m in member_ids or ()))
    if not ids:
        raise ValidationError("请选择接单的党员。")
    for mid in ids:
        if mid not in links:
            name = Member.get_or_none(Member.id == mid)
            raise ValidationError(f"{name.name if name else '所选党员'}不在这张服务单的派单名单上，请先下单给他。")
        if links[mid].accepted_on is not None:
            raise ValidationError(f"{links[mid].member.name}已经接过这张单了。")
    day = _step_day(on, "接单日期", order.assigned_on or order.ordered_on, "下单日期", today)
    with writing("reporting.accept") as tx:
        before = snapshot(order)
        for mid in ids:
            links[mid].accepted_on = day
            links[mid].save()
            tx.audit("reporting_order_member", links[mid].id, "accept", after=snapshot(links[mid]))
        if order.state == "assigned":
            order.state, order.accepted_on = "accepted", day
        order.updated_at = now_text()
        order.save()
        tx.audit("reporting_order", order.id, "accept", before=before, after=snapshot(order))


def complete_order(order_id: int, on: Any, minutes: int, evaluation: str, result: str | None = None, *,
                   today: dt.date | None = None) -> None:
    """完成: the minutes each accepting member served and the resident's evaluation."""
    order = _get(order_id)
    check_step(order, "complete")
    day = _step_day(on, "完成日期", order.accepted_on or order.ordered_on, "接单日期", today)
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise ValidationError("服务时长请填写分钟数（整数）。") from None
    if minutes <= 0:
        raise ValidationError("服务时长必须大于 0 分钟。")
    if minutes > 24 * 60:
        raise ValidationError("一张服务单的服务时长不能超过 24 小时，请分成几张单登记。")
    code = vocab.EVALUATION_SYNONYMS.get(evaluation, evaluation)
    code = {label: c for c, label in vocab.EVALUATIONS.items()}.get(code, code)
    if code not in vocab.EVALUATIONS:
        raise ValidationError(f"请选择居民评价：{'、'.join(vocab.EVALUATIONS.values())}。")
    with writing("reporting.complete") as tx:
        before = snapshot(order)
        order.state, order.done_on, order.minutes, order.evaluation = "done", day, minutes, code
        order.result = clean(result)
        order.updated_at = now_text()
        order.save()
        tx.audit("reporting_order", order.id, "complete", before=before, after=snapshot(order))


def cancel_order(order_id: int, on: Any, reason: str, *, today: dt.date | None = None) -> None:
    """取消: the need went away (solved otherwise, the resident withdrew it …)."""
    order = _get(order_id)
    check_step(order, "cancel")
    if not clean(reason):
        raise ValidationError("请写明取消的原因。")
    day = _step_day(on, "取消日期", order.ordered_on, "点单日期", today)
    with writing("reporting.cancel") as tx:
        before = snapshot(order)
        order.state, order.cancelled_on, order.cancel_reason = "cancelled", day, clean(reason)
        order.updated_at = now_text()
        order.save()
        tx.audit("reporting_order", order.id, "cancel", before=before, after=snapshot(order), note=clean(reason))


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    content: str
    category: str
    community: str
    estate: str
    resident_name: str
    resident_phone: str  # masked
    matter_number: str
    ordered_on: dt.date
    state: str
    state_label: str
    branch: str
    members: str  # "张三、李四（未接单）"
    member_ids: tuple[int, ...]
    accepted_ids: tuple[int, ...]
    assigned_on: dt.date | None
    accepted_on: dt.date | None
    done_on: dt.date | None
    minutes: int | None
    evaluation_label: str
    result: str
    cancel_reason: str
    search_text: str


def list_orders(year: int | None = None, *, order_ids: Iterable[int] | None = None) -> list[OrderRow]:
    """The orders placed in `year` (every year when None), or exactly `order_ids`."""
    query = ReportingOrder.select().order_by(ReportingOrder.ordered_on.desc(), ReportingOrder.seq.desc())
    if order_ids is not None:
        query = query.where(ReportingOrder.id.in_(list(order_ids)))
    elif year is not None:
        query = query.where(ReportingOrder.year == year)
    orders = list(query)
    ids = [o.id for o in orders]
    people: dict[int, list[tuple[int, str, bool]]] = {}
    if ids:
        for oid, mid, name, accepted in (ReportingOrderMember
                                         .select(ReportingOrderMember.order, Member.id, Member.name,
                                                 ReportingOrderMember.accepted_on)
                                         .join(Member).where(ReportingOrderMember.order.in_(ids))
                                         .order_by(ReportingOrderMember.id).tuples()):
            people.setdefault(oid, []).append((mid, name, accepted is not None))
    communities = dict(Community.select(Community.id, Community.name).tuples())
    estates = dict(Estate.select(Estate.id, Estate.name).tuples())
    branches = dict(Branch.select(Branch.id, Branch.name).tuples())
    matter_ids = {o.matter_id for o in orders if o.matter_id}
    matters = dict(Matter.select(Matter.id, Matter.number).where(Matter.id.in_(list(matter_ids))).tuples()) \
        if matter_ids else {}
    rows = []
    for o in orders:
        who = people.get(o.id, [])
        members = "、".join(name if accepted or o.state in ("ordered", "assigned") else f"{name}（未接单）"
                           for _, name, accepted in who)
        rows.append(OrderRow(
            id=o.id, number=o.number, content=o.content, category=o.category or "",
            community=communities.get(o.community_id, "") if o.community_id else "",
            estate=estates.get(o.estate_id, "") if o.estate_id else "", resident_name=o.resident_name or "",
            resident_phone=mask_phone(o.resident_phone) if o.resident_phone else "",
            matter_number=matters.get(o.matter_id, "") if o.matter_id else "", ordered_on=o.ordered_on,
            state=o.state, state_label=vocab.STATES.get(o.state, o.state),
            branch=branches.get(o.branch_id, "") if o.branch_id else "", members=members,
            member_ids=tuple(m for m, _, _ in who), accepted_ids=tuple(m for m, _, a in who if a),
            assigned_on=o.assigned_on, accepted_on=o.accepted_on, done_on=o.done_on, minutes=o.minutes,
            evaluation_label=vocab.EVALUATIONS.get(o.evaluation, "") if o.evaluation else "",
            result=o.result or "", cancel_reason=o.cancel_reason or "",
            search_text=" ".join((o.number, o.content, o.category or "", o.resident_name or "", members)),
        ))
    return rows


def order_row(order_id: int) -> OrderRow:
    rows = list_orders(order_ids=[order_id])
    if not rows:
        raise NotFoundError("找不到这张服务单，可能已被删除。")
    return rows[0]


def allowed_steps(state: str) -> tuple[str, ...]:
    """The steps an order in `state` allows (for the tab's buttons)."""
    return vocab.ALLOWED.get(state, ())


@dataclass(frozen=True)
class LetterData:
    """反馈单: a member's registration and the orders they completed in a year."""

    year: int
    name: str
    branch: str
    work_unit: str
    unit_party_org: str
    community: str
    estate: str
    reported_on: dt.date
    skills: str
    posts: str
    orders: tuple[OrderRow, ...]  # done in the year, by completion date
    minutes: int
    satisfied: int  # 满意 + 基本满意 among them
    issuer: str  # the residence community's party committee, else the office


def letter_data(member_id: int, year: int) -> LetterData:
    registration = ReportingMember.get_or_none(ReportingMember.member == member_id)
    if registration is None:
        raise NotFoundError("这名党员没有报到登记，不能出具反馈单。")
    member = registration.member
    ids = [oid for (oid,) in ReportingOrderMember.select(ReportingOrderMember.order).join(ReportingOrder)
           .where(ReportingOrderMember.member == member_id, ReportingOrderMember.accepted_on.is_null(False),
                  ReportingOrder.state == "done",
                  ReportingOrder.done_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31))).tuples()]
    orders = sorted(list_orders(order_ids=ids), key=lambda r: (r.done_on, r.number)) if ids else []
    estate = Estate.get_or_none(Estate.id == registration.estate_id) if registration.estate_id else None
    return LetterData(
        year=year, name=member.name, branch=member.branch.name, work_unit=registration.work_unit,
        unit_party_org=registration.unit_party_org or "", community=registration.community.name,
        estate=estate.name if estate else "", reported_on=registration.reported_on,
        skills=registration.skills or "", posts=registration.posts or "", orders=tuple(orders),
        minutes=sum(r.minutes or 0 for r in orders),
        satisfied=sum(1 for r in orders if r.evaluation_label in ("满意", "基本满意")),
        issuer=_issuer(registration.community.name))


def _issuer(community: str) -> str:
    from wanghu_desk.services import quarterly

    committee = Organization.get_or_none((Organization.area_name == community)
                                         & (Organization.kind != "working_committee"))
    if committee is not None:
        return committee.name
    unit = quarterly.unit_info()
    return unit.full_name or unit.area_name or ""


def branch_choices() -> list[tuple[int, str]]:
    return list(Branch.select(Branch.id, Branch.name).where(Branch.status == "active")
                .order_by(Branch.sort_order, Branch.id).tuples())


def wish_choices() -> list[tuple[int, str]]:
    """Open 微心愿 and other matters a 点单 may be linked to: (id, "XY2026-0003 内容")."""
    query = (Matter.select(Matter.id, Matter.number, Matter.content).where(Matter.closed_on.is_null())
             .order_by(Matter.kind.desc(), Matter.received_on.desc()).limit(500))
    return [(mid, f"{number} {content[:20]}") for mid, number, content in query.tuples()]
