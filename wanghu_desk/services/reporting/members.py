"""在职党员报到: registering a member at the community where they live, editing the
registration, withdrawing it, and the list the tab shows.

The member's `reported_at_residence` flag follows the registration: set on 报到, cleared on
退出, so the roster and this register never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models import Community, Estate, Member
from models.reporting import ReportingMember
from models.tables import Branch
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.reporting import vocab
from wanghu_desk.services.reporting._common import as_date, clean, join_posts, now_text, split_posts
from wanghu_desk.services.reporting.figures import minutes_by_member, orders_done_by_member


def check_registration(raw: Mapping[str, Any], *, today: dt.date | None = None,
                       existing_id: int | None = None) -> dict[str, Any]:
    """The registration's values, or `ValidationError` with the first problem in Chinese.

    raw: member_id, work_unit, unit_kind, unit_party_org, community_id, estate_id,
    reported_on, skills, posts, note."""
    today = today or dt.date.today()
    member_id = raw.get("member_id")
    member = Member.get_or_none(Member.id == member_id) if member_id else None
    if member is None:
        raise ValidationError("请选择报到的党员。", field="member_id")
    if member.status != "active":
        raise ValidationError(f"{member.name}已不在党员名册（已转出或停止党籍），不能登记报到。", field="member_id")
    other = ReportingMember.get_or_none(ReportingMember.member == member.id)
    if other is not None and other.id != existing_id:
        raise ValidationError(f"{member.name}已经登记过报到（{other.reported_on}），请修改原来的登记。",
                              field="member_id")
    work_unit = clean(raw.get("work_unit"))
    if not work_unit:
        raise ValidationError("请填写工作单位。", field="work_unit")
    unit_kind = clean(raw.get("unit_kind")) or "other"
    unit_kind = vocab.UNIT_KIND_SYNONYMS.get(unit_kind, unit_kind)
    unit_kind = {label: code for code, label in vocab.UNIT_KINDS.items()}.get(unit_kind, unit_kind)
    if unit_kind not in vocab.UNIT_KINDS:
        raise ValidationError(f"单位类型“{unit_kind}”不认识，请选择：{'、'.join(vocab.UNIT_KINDS.values())}。",
                              field="unit_kind")
    community = Community.get_or_none(Community.id == raw.get("community_id")) if raw.get("community_id") else None
    if community is None:
        raise ValidationError("请选择报到的居住地社区。", field="community_id")
    estate_id = raw.get("estate_id") or None
    if estate_id is not None:
        estate = Estate.get_or_none(Estate.id == estate_id)
        if estate is None:
            raise ValidationError("所选小区不存在。", field="estate_id")
        if estate.community_id != community.id:
            raise ValidationError(f"小区“{estate.name}”不在{community.name}，请重新选择社区或小区。", field="estate_id")
    reported_on = as_date(raw.get("reported_on"), "报到日期")
    if reported_on > today:
        raise ValidationError("报到日期不能晚于今天。", field="reported_on")
    if member.joined_on and reported_on < member.joined_on:
        raise ValidationError("报到日期不能早于入党日期。", field="reported_on")
    return {
        "member_id": member.id, "work_unit": work_unit, "unit_kind": unit_kind,
        "unit_party_org": clean(raw.get("unit_party_org")), "community_id": community.id,
        "estate_id": estate_id, "reported_on": reported_on, "skills": clean(raw.get("skills")),
        "posts": join_posts(raw.get("posts")), "note": clean(raw.get("note")),
    }


def register_member(raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    """登记报到: one registration per member; sets the member's 已到居住地报到 flag."""
    values = check_registration(raw, today=today)
    with writing("reporting.register") as tx:
        row = ReportingMember.create(**values)
        tx.audit("reporting_member", row.id, "create", after=snapshot(row))
        _set_flag(tx, values["member_id"], True)
    return row.id


def update_registration(registration_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> None:
    """Change a registration's unit, residence, skills or posts (the member stays the same)."""
    row = _get(registration_id)
    values = check_registration({**raw, "member_id": row.member_id}, today=today, existing_id=row.id)
    with writing("reporting.update") as tx:
        before = snapshot(row)
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now_text()
        row.save()
        tx.audit("reporting_member", row.id, "update", before=before, after=snapshot(row))


def withdraw_member(registration_id: int, on: Any, reason: str | None = None, *, today: dt.date | None = None) -> None:
    """退出报到 (moved away, retired …): the row and its history stay; the flag is cleared."""
    row = _get(registration_id)
    if row.status == "withdrawn":
        raise ValidationError("这名党员已经退出报到。")
    day = as_date(on, "退出日期")
    if day < row.reported_on:
        raise ValidationError("退出日期不能早于报到日期。")
    if day > (today or dt.date.today()):
        raise ValidationError("退出日期不能晚于今天。")
    with writing("reporting.withdraw") as tx:
        before = snapshot(row)
        row.status, row.withdrawn_on = "withdrawn", day
        if clean(reason):
            row.note = f"{row.note}；{clean(reason)}" if row.note else clean(reason)
        row.updated_at = now_text()
        row.save()
        tx.audit("reporting_member", row.id, "withdraw", before=before, after=snapshot(row), note=clean(reason))
        _set_flag(tx, row.member_id, False)


def _set_flag(tx, member_id: int, value: bool) -> None:
    member = Member.get_by_id(member_id)
    if bool(member.reported_at_residence) != value:
        Member.update(reported_at_residence=value, updated_at=now_text()).where(Member.id == member_id).execute()
        tx.audit("member", member_id, "update", before={"reported_at_residence": not value},
                 after={"reported_at_residence": value})


def _get(registration_id: int) -> ReportingMember:
    row = ReportingMember.get_or_none(ReportingMember.id == registration_id)
    if row is None:
        raise NotFoundError("找不到这条报到登记，可能已被删除。")
    return row


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class ReportingMemberRow:
    id: int
    member_id: int
    name: str
    branch: str  # the member's own branch (组织关系所在支部)
    phone: str
    work_unit: str
    unit_kind: str
    unit_kind_label: str
    unit_party_org: str
    community_id: int
    community: str
    estate_id: int | None
    estate: str
    reported_on: dt.date
    skills: str
    posts: str
    status: str
    status_label: str
    withdrawn_on: dt.date | None
    orders_done: int  # this year's completed orders
    minutes: int  # this year's minutes
    search_text: str


def list_members(year: int | None = None, *, include_withdrawn: bool = True) -> list[ReportingMemberRow]:
    """Every registration with the member's name and branch and the year's services."""
    year = year or dt.date.today().year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    done, minutes = orders_done_by_member(start, end), minutes_by_member(start, end)
    communities = dict(Community.select(Community.id, Community.name).tuples())
    estates = dict(Estate.select(Estate.id, Estate.name).tuples())
    branches = dict(Branch.select(Branch.id, Branch.name).tuples())
    query = (ReportingMember.select(ReportingMember, Member.id, Member.name, Member.branch, Member.phone)
             .join(Member).order_by(ReportingMember.reported_on, ReportingMember.id))
    if not include_withdrawn:
        query = query.where(ReportingMember.status == "active")
    rows = []
    for r in query:
        m = r.member
        estate = estates.get(r.estate_id, "") if r.estate_id else ""
        posts = r.posts or ""
        rows.append(ReportingMemberRow(
            id=r.id, member_id=r.member_id, name=m.name, branch=branches.get(m.branch_id, ""), phone=m.phone or "",
            work_unit=r.work_unit, unit_kind=r.unit_kind, unit_kind_label=vocab.UNIT_KINDS.get(r.unit_kind, r.unit_kind),
            unit_party_org=r.unit_party_org or "", community_id=r.community_id,
            community=communities.get(r.community_id, ""), estate_id=r.estate_id, estate=estate,
            reported_on=r.reported_on, skills=r.skills or "", posts=posts, status=r.status,
            status_label=vocab.MEMBER_STATUSES.get(r.status, r.status), withdrawn_on=r.withdrawn_on,
            orders_done=done.get(r.member_id, 0), minutes=minutes.get(r.member_id, 0),
            search_text=" ".join((m.name, r.work_unit, r.unit_party_org or "", estate, r.skills or "", posts)),
        ))
    return rows


def registration_values(registration_id: int) -> dict[str, Any]:
    """The form's values of a registration."""
    r = _get(registration_id)
    return {"member_id": r.member_id, "work_unit": r.work_unit, "unit_kind": r.unit_kind,
            "unit_party_org": r.unit_party_org or "", "community_id": r.community_id, "estate_id": r.estate_id,
            "reported_on": r.reported_on, "skills": r.skills or "", "posts": split_posts(r.posts),
            "note": r.note or ""}


def member_choices(*, unregistered_only: bool = True) -> list[tuple[int, str]]:
    """(member id, "张三（望湖城小区党支部）") of active members, for the 报到 form."""
    registered = {mid for (mid,) in ReportingMember.select(ReportingMember.member).tuples()}
    query = (Member.select(Member.id, Member.name, Branch.name).join(Branch)
             .where(Member.status == "active").order_by(Member.name_initials, Member.id))
    return [(mid, f"{name}（{branch}）") for mid, name, branch in query.tuples()
            if not (unregistered_only and mid in registered)]


def reporting_member_choices() -> list[tuple[int, str]]:
    """(member id, "张三（区财政局）") of the members registered and not withdrawn, for 下单."""
    query = (ReportingMember.select(Member.id, Member.name, ReportingMember.work_unit).join(Member)
             .where(ReportingMember.status == "active", Member.status == "active")
             .order_by(Member.name_initials, Member.id))
    return [(mid, f"{name}（{unit}）") for mid, name, unit in query.tuples()]


def place_choices() -> tuple[list[tuple[int, str]], list[tuple[int, int, str]]]:
    """Communities (id, name) and estates (id, community id, name) for the forms."""
    communities = list(Community.select(Community.id, Community.name).order_by(Community.sort_order, Community.id).tuples())
    estates = list(Estate.select(Estate.id, Estate.community, Estate.name).order_by(Estate.sort_order, Estate.id).tuples())
    return communities, estates

