"""Volunteer teams (志愿服务队, 小区治理团队, 党员先锋队 …) and their members, with join and
leave dates; a team with service records is stopped, never deleted."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import ServiceProject, ServiceRecord, TeamMembership, Volunteer, VolunteerTeam
from wanghu_desk import validation, vocab
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.volunteers._common import (
    _NAME_LIMIT,
    _NOTE_LIMIT,
    FormCheck,
    _as_date,
    _changes,
    _date_field,
    _name_key,
    _refuse,
    _text,
    _today,
)
from wanghu_desk.services.volunteers.choices import _owner, _owner_names
from wanghu_desk.services.volunteers.hours import star_level, this_quarter, this_year

TEAM_LABELS = {
    "name": "服务队名称", "kind": "类型", "owner": "所属党组织或社区", "leader_name": "负责人",
    "leader_phone": "负责人电话", "founded_on": "成立日期", "note": "备注",
}  # fmt: skip


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    kind: str
    kind_label: str
    owner: str  # the branch's or community's name
    owner_key: str | None  # "branch:3" / "community:2"
    leader_name: str
    leader_phone: str
    founded_on: dt.date | None
    is_active: bool
    note: str
    volunteers: int  # current members (not left)
    projects: int
    minutes_quarter: int
    minutes_year: int
    minutes_total: int
    records_year: int


def list_teams(*, today: dt.date | None = None, include_inactive: bool = True) -> list[TeamRow]:
    """Every team with its current volunteers and its hours this quarter / this year."""
    today = _today(today)
    quarter, year = this_quarter(today), this_year(today)
    members = Counter(dict(
        TeamMembership.select(TeamMembership.team, pw.fn.COUNT(TeamMembership.volunteer.distinct()))
        .where(TeamMembership.left_on.is_null()).group_by(TeamMembership.team).tuples()
    ))
    projects = Counter(dict(
        ServiceProject.select(ServiceProject.team, pw.fn.COUNT(ServiceProject.id))
        .where(ServiceProject.team.is_null(False)).group_by(ServiceProject.team).tuples()
    ))
    in_quarter = ServiceRecord.served_on.between(quarter.start, quarter.end)
    in_year = ServiceRecord.served_on.between(year.start, year.end)
    sums: dict[int, tuple[int, int, int, int]] = {}
    for team_id, q, y, total, n_year in (
        ServiceRecord.select(
            ServiceRecord.team,
            pw.fn.SUM(pw.Case(None, [(in_quarter, ServiceRecord.minutes)], 0)),
            pw.fn.SUM(pw.Case(None, [(in_year, ServiceRecord.minutes)], 0)),
            pw.fn.SUM(ServiceRecord.minutes),
            pw.fn.SUM(pw.Case(None, [(in_year, 1)], 0)),
        ).where(ServiceRecord.team.is_null(False)).group_by(ServiceRecord.team).tuples()
    ):
        sums[team_id] = (int(q or 0), int(y or 0), int(total or 0), int(n_year or 0))
    branches, communities = _owner_names()
    query = VolunteerTeam.select().order_by(VolunteerTeam.is_active.desc(), VolunteerTeam.id)
    if not include_inactive:
        query = query.where(VolunteerTeam.is_active == True)  # noqa: E712
    rows = []
    for t in query:
        q, y, total, n_year = sums.get(t.id, (0, 0, 0, 0))
        if t.branch_id is not None:
            owner, key = branches.get(t.branch_id, ""), f"branch:{t.branch_id}"
        elif t.community_id is not None:
            owner, key = communities.get(t.community_id, ""), f"community:{t.community_id}"
        else:
            owner, key = "", None
        rows.append(TeamRow(
            id=t.id, name=t.name, kind=t.kind, kind_label=vocab.label(vocab.TEAM_KINDS, t.kind), owner=owner,
            owner_key=key, leader_name=t.leader_name or "", leader_phone=t.leader_phone or "",
            founded_on=_as_date(t.founded_on), is_active=bool(t.is_active), note=t.note or "",
            volunteers=members.get(t.id, 0), projects=projects.get(t.id, 0), minutes_quarter=q, minutes_year=y,
            minutes_total=total, records_year=n_year,
        ))
    return rows


def _get_team(team_id: int) -> VolunteerTeam:
    team = VolunteerTeam.get_or_none(VolunteerTeam.id == team_id)
    if team is None:
        raise NotFoundError("找不到这个服务队，可能已被删除。请刷新后重试。")
    return team


def team_values(team_id: int) -> dict[str, Any]:
    """A team's stored values as a form shows them."""
    t = _get_team(team_id)
    owner = f"branch:{t.branch_id}" if t.branch_id else f"community:{t.community_id}" if t.community_id else None
    return {
        "name": t.name, "kind": t.kind, "owner": owner, "leader_name": t.leader_name or "",
        "leader_phone": t.leader_phone or "", "founded_on": _as_date(t.founded_on), "is_active": bool(t.is_active),
        "note": t.note or "",
    }


def check_team(raw: Mapping[str, Any], *, team_id: int | None = None, today: dt.date | None = None) -> FormCheck:
    """Check and normalise a team form: name (unique), kind, owner, leader, founded."""
    today = _today(today)
    check = FormCheck()
    v = check.values
    name = _text(raw.get("name"), _NAME_LIMIT, check, "name", "名称")
    if name is None and "name" not in check.errors:
        check.errors["name"] = "请填写服务队名称。"
    elif name is not None:
        clash = [t for t in VolunteerTeam.select(VolunteerTeam.id, VolunteerTeam.name)
                 if t.id != team_id and _name_key(t.name) == _name_key(name)]
        if clash:
            check.errors["name"] = f"已有名为「{clash[0].name}」的服务队，请换一个名称。"
    v["name"] = name
    kind = raw.get("kind") or "volunteer"
    if kind not in vocab.TEAM_KINDS:
        kind = vocab.code_for(vocab.TEAM_KINDS, str(kind))
        if kind is None:
            check.errors["kind"] = "请选择服务队类型。"
    v["kind"] = kind
    v["branch"], v["community"] = _owner(raw.get("owner"), check)
    leader = validation.normalize_name(raw.get("leader_name"))
    if leader.errors:
        check.errors["leader_name"] = leader.errors[0].message
    v["leader_name"] = leader.value
    phone = validation.validate_phone(raw.get("leader_phone"))
    if phone.errors:
        check.errors["leader_phone"] = phone.errors[0].message
    elif phone.warnings:
        check.warnings["leader_phone"] = phone.warnings[0].message
    v["leader_phone"] = phone.value
    v["founded_on"] = _date_field(raw.get("founded_on"), "成立日期", check, "founded_on", today)
    v["note"] = _text(raw.get("note"), _NOTE_LIMIT, check, "note", "备注")
    v["is_active"] = bool(raw.get("is_active", True))
    return check


def create_team(raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    """A new team from form values; returns its id."""
    with writing("volunteer_team.create") as tx:
        check = check_team(raw, today=today)
        _refuse(check, TEAM_LABELS)
        team = VolunteerTeam.create(**check.values)
        tx.audit("volunteer_team", team.id, "create", after=snapshot(team))
    return team.id


def update_team(team_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> bool:
    """Save a team's form; False when nothing changed."""
    with writing("volunteer_team.update") as tx:
        team = _get_team(team_id)
        check = check_team(raw, team_id=team_id, today=today)
        _refuse(check, TEAM_LABELS)
        before = snapshot(team)
        for key, value in check.values.items():
            setattr(team, key, value)
        after = snapshot(team)
        old, new = _changes(before, after)
        if not new:
            return False
        team.save()
        tx.audit("volunteer_team", team.id, "update", before=old, after=new)
    return True


def set_team_active(team_id: int, active: bool) -> None:
    """停用 / 启用 a team (a stopped team keeps its records and members)."""
    with writing("volunteer_team.activate" if active else "volunteer_team.deactivate") as tx:
        team = _get_team(team_id)
        if bool(team.is_active) == active:
            return
        team.is_active = active
        team.save()
        tx.audit("volunteer_team", team.id, "activate" if active else "deactivate",
                 before={"is_active": not active}, after={"is_active": active})


def delete_team(team_id: int) -> None:
    """Delete a team without service records (with records: stop it instead)."""
    with writing("volunteer_team.delete") as tx:
        team = _get_team(team_id)
        n = ServiceRecord.select().where(ServiceRecord.team == team_id).count()
        if n:
            raise ValidationError(f"「{team.name}」有 {n:,} 条服务记录，不能删除。可以把它「停用」。")
        before = snapshot(team)
        ServiceProject.update(team=None).where(ServiceProject.team == team_id).execute()
        team.delete_instance(recursive=False)  # memberships go with it (ON DELETE CASCADE)
        tx.audit("volunteer_team", team_id, "delete", before=before)


@dataclass(frozen=True)
class TeamMemberRow:
    membership_id: int
    volunteer_id: int
    name: str
    gender: str
    phone: str
    joined_on: dt.date | None
    left_on: dt.date | None
    minutes_quarter: int  # with this team
    minutes_year: int
    minutes_total: int  # with this team, ever
    cumulative_minutes: int  # with every team (for the star level)

    @property
    def star(self) -> int:
        return star_level(self.cumulative_minutes)

    @property
    def current(self) -> bool:
        return self.left_on is None


def team_members(team_id: int, *, today: dt.date | None = None, include_left: bool = False) -> list[TeamMemberRow]:
    """The volunteers of a team with their hours in it (this quarter, this year, ever)."""
    today = _today(today)
    quarter, year = this_quarter(today), this_year(today)
    query = (TeamMembership.select(TeamMembership, Volunteer).join(Volunteer)
             .where(TeamMembership.team == team_id).order_by(TeamMembership.left_on.is_null(False),
                                                             TeamMembership.joined_on, Volunteer.id))
    if not include_left:
        query = query.where(TeamMembership.left_on.is_null())
    memberships = list(query)
    ids = sorted({m.volunteer_id for m in memberships})
    in_quarter = ServiceRecord.served_on.between(quarter.start, quarter.end)
    in_year = ServiceRecord.served_on.between(year.start, year.end)
    team_sums: dict[int, tuple[int, int, int]] = {}
    totals: dict[int, int] = {}
    if ids:
        for vid, q, y, total in (
            ServiceRecord.select(
                ServiceRecord.volunteer,
                pw.fn.SUM(pw.Case(None, [(in_quarter, ServiceRecord.minutes)], 0)),
                pw.fn.SUM(pw.Case(None, [(in_year, ServiceRecord.minutes)], 0)),
                pw.fn.SUM(ServiceRecord.minutes),
            ).where(ServiceRecord.team == team_id, ServiceRecord.volunteer.in_(ids))
            .group_by(ServiceRecord.volunteer).tuples()
        ):
            team_sums[vid] = (int(q or 0), int(y or 0), int(total or 0))
        totals = {vid: int(m or 0) for vid, m in ServiceRecord.select(
            ServiceRecord.volunteer, pw.fn.SUM(ServiceRecord.minutes))
            .where(ServiceRecord.volunteer.in_(ids)).group_by(ServiceRecord.volunteer).tuples()}
    out = []
    for m in memberships:
        v = m.volunteer
        q, y, total = team_sums.get(v.id, (0, 0, 0))
        out.append(TeamMemberRow(
            membership_id=m.id, volunteer_id=v.id, name=v.name, gender=v.gender or "", phone=v.phone or "",
            joined_on=_as_date(m.joined_on), left_on=_as_date(m.left_on), minutes_quarter=q, minutes_year=y,
            minutes_total=total, cumulative_minutes=totals.get(v.id, 0),
        ))
    return out


def _open_memberships(team_id: int, volunteer_ids: Iterable[int]) -> dict[int, TeamMembership]:
    ids = list(volunteer_ids)
    if not ids:
        return {}
    return {m.volunteer_id: m for m in TeamMembership.select().where(
        TeamMembership.team == team_id, TeamMembership.volunteer.in_(ids), TeamMembership.left_on.is_null())}


def _join(tx: Any, team_id: int, volunteer_id: int, joined_on: dt.date | None) -> TeamMembership | None:
    """Add one volunteer to a team (nothing when already in it)."""
    if _open_memberships(team_id, [volunteer_id]):
        return None
    previous = (TeamMembership.select().where(TeamMembership.team == team_id,
                                              TeamMembership.volunteer == volunteer_id)
                .order_by(TeamMembership.left_on.desc()).first())
    if previous is not None and joined_on is not None and previous.left_on and joined_on < _as_date(previous.left_on):
        raise ValidationError(f"加入日期 {joined_on.isoformat()} 早于上次退出的日期 "
                              f"{_as_date(previous.left_on).isoformat()}，请核对。")
    if previous is not None and _as_date(previous.joined_on) == joined_on:
        # The same join date again (rejoined the same day): reopen that membership.
        previous.left_on = None
        previous.save()
        tx.audit("team_membership", previous.id, "rejoin", after={"team_id": team_id, "volunteer_id": volunteer_id})
        return previous
    membership = TeamMembership.create(team=team_id, volunteer=volunteer_id, joined_on=joined_on)
    tx.audit("team_membership", membership.id, "create", after=snapshot(membership))
    return membership


def add_team_members(team_id: int, volunteer_ids: Iterable[int], joined_on: object = None, *,
                     today: dt.date | None = None) -> int:
    """Add volunteers to a team from `joined_on` (today when empty); returns how many
    were added (those already in the team are left as they are)."""
    today = _today(today)
    check = FormCheck()
    day = _date_field(joined_on, "加入日期", check, "joined_on", today) if joined_on not in (None, "") else today
    if check.errors:
        raise ValidationError(f"加入日期：{check.errors['joined_on']}", field="joined_on")
    ids = list(dict.fromkeys(int(v) for v in volunteer_ids))
    with writing("volunteer_team.add_members") as tx:
        team = _get_team(team_id)
        if not team.is_active:
            raise ValidationError(f"「{team.name}」已停用，不能再加入志愿者。请先启用它。")
        known = {v for (v,) in Volunteer.select(Volunteer.id).where(Volunteer.id.in_(ids)).tuples()} if ids else set()
        missing = [v for v in ids if v not in known]
        if missing:
            raise NotFoundError("有志愿者已被删除，请刷新后重试。")
        added = sum(1 for vid in ids if _join(tx, team_id, vid, day) is not None)
    return added


def leave_team(team_id: int, volunteer_ids: Iterable[int], left_on: object = None, *,
               today: dt.date | None = None) -> int:
    """Volunteers leave a team on `left_on` (today when empty); their records stay."""
    today = _today(today)
    check = FormCheck()
    day = _date_field(left_on, "退出日期", check, "left_on", today) if left_on not in (None, "") else today
    if check.errors:
        raise ValidationError(f"退出日期：{check.errors['left_on']}", field="left_on")
    with writing("volunteer_team.leave") as tx:
        _get_team(team_id)
        memberships = _open_memberships(team_id, volunteer_ids)
        for m in memberships.values():
            joined = _as_date(m.joined_on)
            if joined is not None and day < joined:
                raise ValidationError(f"退出日期 {day.isoformat()} 早于加入日期 {joined.isoformat()}，请核对。")
            m.left_on = day
            m.save()
            tx.audit("team_membership", m.id, "leave", before={"left_on": None}, after={"left_on": day})
    return len(memberships)
