"""志愿服务 (SPEC §6): volunteer teams and their members, volunteers, service projects,
service records, and the totals of service hours.

Rules kept here (the dialogs, the tab and the reports only call these functions):

- **Teams** (志愿服务队, 小区治理团队, 党员先锋队 …) have a kind, an owning branch *or*
  community, a leader, a founding date and an active flag. A team with service records
  is never deleted, only stopped (停用). Membership has join and leave dates; a
  volunteer is in a team at most once at a time.
- **Volunteers** have a name and an ID number (validated, GB 11643) or a phone, at least
  one of the two so that people of the same name can be told apart. Gender and birth
  date come from the ID. A volunteer whose ID number is a member's is linked to that
  `Member` (the same person: a member is one volunteer, never two). A volunteer with
  service records is never deleted.
- **Service records**: date (not in the future), volunteer, optional team and project,
  activity, and hours in steps of 0.5 h (stored as whole minutes, a multiple of 30),
  more than 0; one person's records of one day add up to at most 24 h — a record that
  would go beyond is refused. `bulk_record` writes one activity for many volunteers in
  one transaction: all of them or none.
- **Star volunteers** by cumulative hours (`vocab.VOLUNTEER_STAR_LEVELS`: 100 / 300 /
  600 / 1000 / 1500 h): 99.5 h is no star, 100 h is one star. Compared in whole minutes,
  never in floats.

Every write runs in `services.base.writing()` and leaves audit events. Reads return
dataclasses; ID numbers are masked unless the acting account may see them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from models import (
    Branch,
    Community,
    Member,
    ServiceProject,
    ServiceRecord,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
    db,
)
from wanghu_desk import validation, vocab
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.pinyin import initials
from wanghu_desk.services.base import current_actor, snapshot, writing

__all__ = [
    "DAY_LIMIT_MINUTES",
    "HOUR_STEP_MINUTES",
    "STAR_HOURS",
    "FormCheck",
    "MemberMatch",
    "OwnerChoice",
    "Period",
    "ProjectRow",
    "RecordFilter",
    "RecordRow",
    "ServiceOverview",
    "TeamMemberRow",
    "TeamRow",
    "VolunteerCertificate",
    "VolunteerRow",
    "add_team_members",
    "bulk_record",
    "certificate_data",
    "check_bulk",
    "check_project",
    "check_record",
    "check_team",
    "check_volunteer",
    "create_project",
    "create_record",
    "create_team",
    "create_volunteer",
    "day_minutes",
    "delete_project",
    "delete_records",
    "delete_team",
    "delete_volunteer",
    "hours_by_team",
    "hours_text",
    "hours_value",
    "leave_team",
    "link_members_by_id_number",
    "list_projects",
    "list_records",
    "list_teams",
    "list_volunteers",
    "member_match",
    "minutes_between",
    "over_day_limit",
    "overview",
    "owner_choices",
    "parse_hours",
    "project_choices",
    "project_count",
    "record_count",
    "project_values",
    "quarter_of",
    "quarter_span",
    "this_quarter",
    "this_year",
    "next_star",
    "age_on",
    "record_values",
    "search_records",
    "search_volunteers",
    "set_project_active",
    "set_team_active",
    "star_label",
    "star_level",
    "team_choices",
    "team_members",
    "team_values",
    "update_project",
    "update_record",
    "update_team",
    "update_volunteer",
    "volunteer_from_member",
    "volunteer_hours_by_quarter",
    "volunteer_rows",
    "volunteer_values",
]

#: Service time is recorded in steps of half an hour.
HOUR_STEP_MINUTES = 30
#: One person's service on one day adds up to at most 24 hours.
DAY_LIMIT_MINUTES = 24 * 60

STAR_NAMES = {1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}
#: star level → the cumulative hours it takes
STAR_HOURS = {level: hours for hours, level in vocab.VOLUNTEER_STAR_LEVELS}

_NAME_LIMIT = 40
_ACTIVITY_LIMIT = 100
_SKILLS_LIMIT = 100
_NOTE_LIMIT = 500
_NUMBER_LIMIT = 30

TEAM_LABELS = {
    "name": "服务队名称", "kind": "类型", "owner": "所属党组织或社区", "leader_name": "负责人",
    "leader_phone": "负责人电话", "founded_on": "成立日期", "note": "备注",
}  # fmt: skip
VOLUNTEER_LABELS = {
    "name": "姓名", "id_number": "公民身份号码", "phone": "联系电话", "gender": "性别", "skills": "技能特长",
    "registration_no": "志愿者编号", "note": "备注", "team_ids": "所属服务队",
}  # fmt: skip
PROJECT_LABELS = {
    "name": "项目名称", "team_id": "服务队", "owner": "所属党组织或社区", "description": "服务内容",
    "started_on": "开始日期",
}  # fmt: skip
RECORD_LABELS = {
    "served_on": "服务日期", "volunteer_id": "志愿者", "team_id": "服务队", "project_id": "服务项目",
    "activity": "服务内容", "hours": "服务时长", "volunteer_ids": "志愿者",
}  # fmt: skip


# ================================================================ small helpers


@dataclass
class FormCheck:
    """The outcome of checking a form: normalised values, and per field an error (the
    field turns red, 保存 stays disabled) or a warning (shown, saving allowed)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def first_error(self) -> tuple[str, str] | None:
        return next(iter(self.errors.items()), None)


def _refuse(check: FormCheck, labels: Mapping[str, str]) -> None:
    first = check.first_error()
    if first:
        key, message = first
        raise ValidationError(f"{labels.get(key, key)}：{message}", field=key)


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _int_or_none(raw: object) -> int | None:
    if raw in (None, "", 0, False):
        return None
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _text(raw: object, limit: int, check: FormCheck, key: str, label: str) -> str | None:
    text = validation.clean_text(raw)
    if text is not None and len(text) > limit:
        check.errors[key] = f"{label}太长（{len(text)} 个字），最多 {limit} 个字。"
        return None
    return text


def _date_field(raw: object, label: str, check: FormCheck, key: str, today: dt.date, *,
                required: bool = False) -> dt.date | None:
    checked = validation.parse_date(raw)
    if checked.errors:
        check.errors[key] = checked.errors[0].message
        return None
    if checked.warnings:
        check.warnings[key] = checked.warnings[0].message
    value = checked.value
    if value is None:
        if required:
            check.errors[key] = f"请填写{label}。"
        return None
    if value > today:
        check.errors[key] = f"{label}晚于今天（{value.isoformat()}），请核对。"
        return None
    return value


def _name_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _see_ids() -> bool:
    return current_actor().may_see_id_numbers


def _shown_id(id_number: str | None, visible: bool) -> str:
    if not id_number:
        return ""
    return id_number if visible else validation.mask_id_number(id_number)


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return years if years >= 0 else None


# ================================================================ hours and stars


def parse_hours(raw: object) -> validation.Checked[int]:
    """Hours as a clerk types them ("2", "1.5", "2.5小时", "１．５") → whole minutes.

    Hours go in steps of 0.5 h, more than 0 and at most 24. Empty input gives
    ``Checked(None)`` with no problem."""
    if isinstance(raw, bool):
        return validation.Checked(None, (validation.Problem(validation.ERROR, "请填写小时数，如 2 或 1.5。"),))
    if isinstance(raw, (int, float)):
        text = repr(float(raw))
    else:
        cleaned = validation.clean_text(raw)
        if cleaned is None:
            return validation.Checked(None)
        text = unicodedata.normalize("NFKC", cleaned).replace(" ", "").lower()
        text = re.sub(r"(个)?(小时|钟头|h|hr|hrs|时)$", "", text)
    m = re.fullmatch(r"(\d{1,4})(?:\.(\d+))?", text)
    if not m:
        return validation.Checked(None, (validation.Problem(validation.ERROR, "看不懂的小时数，请填写如 2 或 1.5。"),))
    whole, frac = int(m.group(1)), (m.group(2) or "").rstrip("0")
    if frac not in ("", "5"):
        return validation.Checked(None, (validation.Problem(
            validation.ERROR, "服务时长按 0.5 小时计，请填写如 1、1.5、2。"),))
    minutes = whole * 60 + (30 if frac == "5" else 0)
    if minutes <= 0:
        return validation.Checked(None, (validation.Problem(validation.ERROR, "服务时长应大于 0 小时。"),))
    if minutes > DAY_LIMIT_MINUTES:
        return validation.Checked(None, (validation.Problem(
            validation.ERROR, "一天的服务时长不能超过 24 小时，请核对。"),))
    return validation.Checked(minutes)


def _minutes_checked(raw: object) -> validation.Checked[int]:
    """Whole minutes given directly (by code, not typed): the same rules as `parse_hours`."""
    minutes = _int_or_none(raw)
    if minutes is None or minutes % HOUR_STEP_MINUTES:
        return validation.Checked(None, (validation.Problem(
            validation.ERROR, "服务时长按 0.5 小时计，请填写如 1、1.5、2。"),))
    return parse_hours(f"{minutes // 60}.{5 if minutes % 60 else 0}")


def hours_text(minutes: int | None) -> str:
    """Minutes as hours for the screen: 90 → "1.5", 120 → "2", 45 → "0.75", 0 → "0"."""
    minutes = int(minutes or 0)
    whole, rest = divmod(minutes, 60)
    if rest == 0:
        return f"{whole:,}"
    hundredths = (rest * 100 + 30) // 60  # rounded half up, no floats
    if hundredths == 100:
        return f"{whole + 1:,}"
    text = f"{hundredths:02d}".rstrip("0")
    return f"{whole:,}.{text}"


def hours_value(minutes: int | None) -> int | float:
    """Minutes as a number of hours (for JSON and sheets): int when whole, else 2 decimals."""
    minutes = int(minutes or 0)
    return minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)


def star_level(minutes: int | None) -> int:
    """0–5 from cumulative service minutes: 100 h → 1, 300 h → 2, 600 h → 3, 1000 h → 4,
    1500 h → 5 (national levels; 99.5 h is still no star)."""
    minutes = int(minutes or 0)
    for threshold_hours, level in vocab.VOLUNTEER_STAR_LEVELS:
        if minutes >= threshold_hours * 60:
            return level
    return 0


def star_label(level: int) -> str:
    """"三星志愿者", or "" below one star."""
    return f"{STAR_NAMES[level]}志愿者" if level in STAR_NAMES else ""


def next_star(minutes: int) -> tuple[int, int] | None:
    """(the next level, minutes still missing), or None at five stars."""
    for threshold_hours, level in sorted(vocab.VOLUNTEER_STAR_LEVELS):
        if minutes < threshold_hours * 60:
            return level, threshold_hours * 60 - minutes
    return None


# ================================================================ periods


@dataclass(frozen=True)
class Period:
    start: dt.date | None
    end: dt.date | None
    label: str


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_span(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year, 12, 31) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def this_quarter(today: dt.date) -> Period:
    year, quarter = quarter_of(today)
    start, end = quarter_span(year, quarter)
    return Period(start, end, f"{year}年第{'一二三四'[quarter - 1]}季度")


def this_year(today: dt.date) -> Period:
    return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), f"{today.year}年")


def _period_where(start: dt.date | None, end: dt.date | None) -> list[pw.Expression]:
    where = []
    if start is not None:
        where.append(ServiceRecord.served_on >= start)
    if end is not None:
        where.append(ServiceRecord.served_on <= end)
    return where


def minutes_between(start: dt.date | None = None, end: dt.date | None = None, *,
                    volunteer_id: int | None = None, team_id: int | None = None) -> int:
    """Service minutes with `served_on` in [start, end] (both included; None = open)."""
    query = ServiceRecord.select(pw.fn.COALESCE(pw.fn.SUM(ServiceRecord.minutes), 0))
    where = _period_where(start, end)
    if volunteer_id is not None:
        where.append(ServiceRecord.volunteer == volunteer_id)
    if team_id is not None:
        where.append(ServiceRecord.team == team_id)
    if where:
        query = query.where(*where)
    return int(query.scalar() or 0)


# ================================================================ owners and choices


@dataclass(frozen=True)
class OwnerChoice:
    """The branch or community a team or project belongs to."""

    kind: str  # branch | community
    id: int
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def owner_choices() -> list[OwnerChoice]:
    """Communities first (in their order), then the active branches."""
    out = [OwnerChoice("community", c.id, c.name)
           for c in Community.select(Community.id, Community.name).order_by(Community.sort_order, Community.id)]
    out += [OwnerChoice("branch", b.id, b.name)
            for b in Branch.select(Branch.id, Branch.name).where(Branch.status == "active")
            .order_by(Branch.sort_order, Branch.id)]
    return out


def _owner_names() -> tuple[dict[int, str], dict[int, str]]:
    branches = dict(Branch.select(Branch.id, Branch.name).tuples())
    communities = dict(Community.select(Community.id, Community.name).tuples())
    return branches, communities


def _owner(raw: object, check: FormCheck) -> tuple[int | None, int | None]:
    """"branch:3" / "community:2" / an OwnerChoice / None → (branch_id, community_id)."""
    if raw in (None, "", "none"):
        return None, None
    if isinstance(raw, OwnerChoice):
        kind, oid = raw.kind, raw.id
    else:
        kind, _, rest = str(raw).partition(":")
        oid = _int_or_none(rest)
    if kind == "branch" and oid is not None and Branch.get_or_none(Branch.id == oid) is not None:
        return oid, None
    if kind == "community" and oid is not None and Community.get_or_none(Community.id == oid) is not None:
        return None, oid
    check.errors["owner"] = "找不到所选的党组织或社区，请重新选择。"
    return None, None


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    active: bool = True


def team_choices(*, include_inactive: bool = False) -> list[Choice]:
    query = VolunteerTeam.select(VolunteerTeam.id, VolunteerTeam.name, VolunteerTeam.is_active)
    if not include_inactive:
        query = query.where(VolunteerTeam.is_active == True)  # noqa: E712
    return [Choice(t.id, t.name, bool(t.is_active)) for t in query.order_by(VolunteerTeam.id)]


def project_choices(*, include_inactive: bool = False, team_id: int | None = None) -> list[Choice]:
    query = ServiceProject.select(ServiceProject.id, ServiceProject.name, ServiceProject.is_active)
    if not include_inactive:
        query = query.where(ServiceProject.is_active == True)  # noqa: E712
    if team_id is not None:
        query = query.where(ServiceProject.team == team_id)
    return [Choice(p.id, p.name, bool(p.is_active)) for p in query.order_by(ServiceProject.id)]


# ================================================================ teams


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


# ================================================================ volunteers


@dataclass(frozen=True, slots=True)
class VolunteerRow:
    id: int
    name: str
    initials: str
    gender: str
    age: int | None
    id_number: str  # masked unless the account may see ID numbers
    phone: str
    skills: str
    registration_no: str
    member_id: int | None
    member_branch: str  # the linked member's branch
    teams: str  # current teams, "、"-joined
    team_ids: frozenset[int]
    minutes: int  # cumulative
    records: int
    last_served_on: dt.date | None
    minutes_year: int

    @property
    def star(self) -> int:
        return star_level(self.minutes)

    @property
    def is_member(self) -> bool:
        return self.member_id is not None


_VOLUNTEER_SQL = (
    "SELECT v.id, v.name, v.name_initials, v.gender, v.birth_date, v.id_number, v.phone, v.skills, "
    "v.registration_no, v.member_id, b.name "
    "FROM volunteer v LEFT JOIN member m ON m.id = v.member_id LEFT JOIN branch b ON b.id = m.branch_id "
)


def _volunteer_rows(where: str = "", params: Sequence[Any] = (), *, today: dt.date | None = None,
                    ids: Sequence[int] | None = None) -> list[VolunteerRow]:
    today = _today(today)
    year = this_year(today)
    visible = _see_ids()
    id_filter = ""
    id_params: list[Any] = []
    if ids is not None:
        if not ids:
            return []
        id_filter = f" AND volunteer_id IN ({', '.join('?' * len(ids))})"
        id_params = list(ids)
    totals = {
        vid: (int(m or 0), n, last, int(y or 0))
        for vid, m, n, last, y in db.execute_sql(
            "SELECT volunteer_id, SUM(minutes), COUNT(*), MAX(served_on), "
            "SUM(CASE WHEN served_on BETWEEN ? AND ? THEN minutes ELSE 0 END) "
            f"FROM service_record WHERE 1 = 1{id_filter} GROUP BY volunteer_id",
            [year.start.isoformat(), year.end.isoformat(), *id_params],
        )
    }
    teams: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for vid, tid, name in db.execute_sql(
        "SELECT tm.volunteer_id, t.id, t.name FROM team_membership tm JOIN volunteer_team t ON t.id = tm.team_id "
        f"WHERE tm.left_on IS NULL{id_filter.replace('volunteer_id', 'tm.volunteer_id')} ORDER BY t.id",
        id_params,
    ):
        if (tid, name) not in teams[vid]:
            teams[vid].append((tid, name))
    sql = _VOLUNTEER_SQL + (f"WHERE {where} " if where else "")
    if ids is not None:
        sql += ("AND " if where else "WHERE ") + f"v.id IN ({', '.join('?' * len(ids))}) "
        params = [*params, *ids]
    sql += "ORDER BY v.id"
    rows = []
    for vid, name, ini, gender, birth, id_number, phone, skills, number, member_id, branch in db.execute_sql(
        sql, list(params)
    ):
        minutes, count, last, minutes_year = totals.get(vid, (0, 0, None, 0))
        own = teams.get(vid, [])
        rows.append(VolunteerRow(
            id=vid, name=name, initials=ini or initials(name), gender=gender or "",
            age=age_on(_as_date(birth), today), id_number=_shown_id(id_number, visible), phone=phone or "",
            skills=skills or "", registration_no=number or "", member_id=member_id, member_branch=branch or "",
            teams="、".join(n for _, n in own), team_ids=frozenset(t for t, _ in own), minutes=minutes,
            records=count, last_served_on=_as_date(last), minutes_year=minutes_year,
        ))
    return rows


def list_volunteers(*, today: dt.date | None = None, team_id: int | None = None) -> list[VolunteerRow]:
    """Every volunteer (or a team's current ones) with teams, cumulative hours and star."""
    if team_id is None:
        return _volunteer_rows(today=today)
    return _volunteer_rows(
        "v.id IN (SELECT volunteer_id FROM team_membership WHERE team_id = ? AND left_on IS NULL)", [team_id],
        today=today,
    )


def volunteer_rows(ids: Sequence[int], *, today: dt.date | None = None) -> list[VolunteerRow]:
    """Fresh rows for a few volunteers (after an edit)."""
    return _volunteer_rows(today=today, ids=list(ids))


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return [t for t in re.split(r"\s+", text) if t]


def _volunteer_matches(row: VolunteerRow, token: str) -> bool:
    if token in row.name.casefold() or row.initials.startswith(token):
        return True
    if token.isdigit() or "-" in token:
        return (token in row.phone or token in row.registration_no.casefold()
                or (len(token) >= 4 and token in row.id_number))
    return token in row.registration_no.casefold()


def search_volunteers(rows: Sequence[VolunteerRow], text: str) -> list[VolunteerRow]:
    """Rows matching every word of `text`: name (part of it), pinyin initials (from the
    start: "zs" finds 张三), phone, 志愿者编号, or 4+ digits of the ID number."""
    tokens = _tokens(text)
    if not tokens:
        return list(rows)
    return [r for r in rows if all(_volunteer_matches(r, t) for t in tokens)]


def _get_volunteer(volunteer_id: int) -> Volunteer:
    volunteer = Volunteer.get_or_none(Volunteer.id == volunteer_id)
    if volunteer is None:
        raise NotFoundError("找不到这名志愿者，可能已被删除。请刷新后重试。")
    return volunteer


def volunteer_values(volunteer_id: int) -> dict[str, Any]:
    """A volunteer's stored values as the form shows them (ID masked unless allowed)."""
    v = _get_volunteer(volunteer_id)
    teams = [t for (t,) in TeamMembership.select(TeamMembership.team).where(
        TeamMembership.volunteer == volunteer_id, TeamMembership.left_on.is_null()).tuples()]
    return {
        "name": v.name, "id_number": _shown_id(v.id_number, _see_ids()), "phone": v.phone or "",
        "gender": v.gender or "", "birth_date": _as_date(v.birth_date), "skills": v.skills or "",
        "registration_no": v.registration_no or "", "note": v.note or "", "team_ids": sorted(set(teams)),
        "member_id": v.member_id,
    }


@dataclass(frozen=True)
class MemberMatch:
    member_id: int
    name: str
    branch: str
    volunteer_id: int | None  # the volunteer already linked to that member


def member_match(id_number: str | None) -> MemberMatch | None:
    """The member with this (normalised) ID number, and the volunteer already linked."""
    if not id_number:
        return None
    row = (Member.select(Member.id, Member.name, Branch.name.alias("branch_name")).join(Branch)
           .where(Member.id_number == id_number).tuples().first())
    if row is None:
        return None
    linked = Volunteer.select(Volunteer.id).where(Volunteer.member == row[0]).scalar()
    return MemberMatch(row[0], row[1], row[2], linked)


def check_volunteer(raw: Mapping[str, Any], *, volunteer_id: int | None = None,
                    today: dt.date | None = None) -> FormCheck:
    """Check and normalise a volunteer form.

    The ID number is optional but valid when given, and unique; without it a phone is
    needed. Gender and birth date come from the ID. A member with that ID is linked
    (`values["member"]`); a member who is already another volunteer is refused."""
    today = _today(today)
    check = FormCheck()
    v = check.values
    stored = _get_volunteer(volunteer_id) if volunteer_id is not None else None

    name = validation.normalize_name(raw.get("name"))
    if name.errors:
        check.errors["name"] = name.errors[0].message
    elif name.value is None:
        check.errors["name"] = "请填写姓名。"
    v["name"] = name.value

    raw_id = raw.get("id_number")
    id_number: str | None
    if stored is not None and isinstance(raw_id, str) and "*" in raw_id and stored.id_number and \
            raw_id == validation.mask_id_number(stored.id_number):
        id_number = stored.id_number  # a masked number shown to a clerk: unchanged
    else:
        checked = validation.validate_id_number(raw_id, today=today)
        if checked.errors:
            check.errors["id_number"] = checked.errors[0].message
        elif checked.warnings:
            check.warnings["id_number"] = checked.warnings[0].message
        id_number = checked.value
    v["id_number"] = id_number

    phone = validation.validate_phone(raw.get("phone"))
    if phone.errors:
        check.errors["phone"] = phone.errors[0].message
    elif phone.warnings:
        check.warnings["phone"] = phone.warnings[0].message
    v["phone"] = phone.value
    if id_number is None and phone.value is None and "id_number" not in check.errors and "phone" not in check.errors:
        check.errors["phone"] = "请填写身份证号或联系电话（至少一项），以便区分同名的志愿者。"

    if id_number is not None:
        gender = validation.derive_or_check_gender(id_number, raw.get("gender") or None)
        if gender.warnings:
            check.warnings["gender"] = gender.warnings[0].message
        v["gender"] = gender.value
        v["birth_date"] = validation.birth_date_from_id(id_number)
        clash = Volunteer.get_or_none((Volunteer.id_number == id_number) & (Volunteer.id != (volunteer_id or 0)))
        if clash is not None:
            check.errors["id_number"] = (f"已有志愿者「{clash.name}」使用这个身份证号，同一个人不要重复登记。"
                                         "请在志愿者名单中搜索并编辑该志愿者。")
    else:
        text = validation.clean_text(raw.get("gender"))
        gender_value = validation.normalize_gender(text)
        if text is not None and gender_value is None:
            check.errors["gender"] = f"看不懂的性别「{text}」，请选择「男」或「女」。"
        v["gender"] = gender_value
        v["birth_date"] = None

    v["member"] = None
    match = member_match(id_number) if id_number and "id_number" not in check.errors else None
    if match is not None:
        if match.volunteer_id is not None and match.volunteer_id != volunteer_id:
            other = Volunteer.get_by_id(match.volunteer_id)
            check.errors["id_number"] = (f"这是党员「{match.name}」的身份证号，该党员已登记为志愿者「{other.name}」，"
                                         "同一个人不要重复登记。")
        else:
            v["member"] = match.member_id
    elif id_number is None and v["name"] and phone.value:
        twin = Member.select(Member.name).where(Member.name == v["name"], Member.phone == phone.value).first()
        if twin is not None:
            check.warnings["id_number"] = (f"党员花名册中有同名、同电话的党员「{twin.name}」。"
                                           "如果是同一个人，请填写身份证号，保存时会自动关联该党员。")

    v["skills"] = _text(raw.get("skills"), _SKILLS_LIMIT, check, "skills", "技能特长")
    number = _text(raw.get("registration_no"), _NUMBER_LIMIT, check, "registration_no", "志愿者编号")
    if number is not None:
        number = re.sub(r"\s+", "", unicodedata.normalize("NFKC", number))
        clash = Volunteer.get_or_none((Volunteer.registration_no == number) & (Volunteer.id != (volunteer_id or 0)))
        if clash is not None:
            check.errors["registration_no"] = f"志愿者编号「{number}」已被「{clash.name}」使用，请核对。"
    v["registration_no"] = number
    v["note"] = _text(raw.get("note"), _NOTE_LIMIT, check, "note", "备注")

    if "team_ids" in raw:
        team_ids = sorted({int(t) for t in raw.get("team_ids") or ()})
        known = {t for (t,) in VolunteerTeam.select(VolunteerTeam.id).where(VolunteerTeam.id.in_(team_ids)).tuples()}
        if len(known) != len(team_ids):
            check.errors["team_ids"] = "有服务队已被删除，请刷新后重新选择。"
        check.values["team_ids"] = team_ids
    return check


def _volunteer_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    cols = {k: values[k] for k in ("name", "id_number", "phone", "gender", "birth_date", "member", "skills",
                                   "registration_no", "note")}
    cols["name_initials"] = initials(values["name"])
    return cols


def _sync_teams(tx: Any, volunteer_id: int, wanted: Sequence[int], today: dt.date) -> None:
    current = {m.team_id: m for m in TeamMembership.select().where(
        TeamMembership.volunteer == volunteer_id, TeamMembership.left_on.is_null())}
    for team_id in wanted:
        if team_id not in current:
            team = _get_team(team_id)
            if not team.is_active:
                raise ValidationError(f"「{team.name}」已停用，不能再加入志愿者。")
            _join(tx, team_id, volunteer_id, today)
    for team_id, m in current.items():
        if team_id not in wanted:
            joined = _as_date(m.joined_on)
            m.left_on = max(today, joined) if joined else today
            m.save()
            tx.audit("team_membership", m.id, "leave", before={"left_on": None}, after={"left_on": m.left_on})


def create_volunteer(raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    """Register a volunteer; `raw["team_ids"]` (optional) are the teams joined today."""
    today = _today(today)
    with writing("volunteer.create") as tx:
        check = check_volunteer(raw, today=today)
        _refuse(check, VOLUNTEER_LABELS)
        volunteer = Volunteer.create(**_volunteer_columns(check.values))
        tx.audit("volunteer", volunteer.id, "create", after=snapshot(volunteer))
        if "team_ids" in check.values:
            _sync_teams(tx, volunteer.id, check.values["team_ids"], today)
    return volunteer.id


def update_volunteer(volunteer_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> bool:
    """Save a volunteer's form (and team choice when given); False when nothing changed."""
    today = _today(today)
    with writing("volunteer.update") as tx:
        volunteer = _get_volunteer(volunteer_id)
        check = check_volunteer(raw, volunteer_id=volunteer_id, today=today)
        _refuse(check, VOLUNTEER_LABELS)
        before = snapshot(volunteer)
        for key, value in _volunteer_columns(check.values).items():
            setattr(volunteer, key, value)
        old, new = _changes(before, snapshot(volunteer))
        changed = bool(new)
        if changed:
            volunteer.save()
            tx.audit("volunteer", volunteer.id, "update", before=old, after=new)
        if "team_ids" in check.values:
            count = len(tx.events)
            _sync_teams(tx, volunteer.id, check.values["team_ids"], today)
            changed = changed or len(tx.events) > count
    return changed


def delete_volunteer(volunteer_id: int) -> None:
    """Delete a volunteer registered by mistake (one with service records is kept)."""
    with writing("volunteer.delete") as tx:
        volunteer = _get_volunteer(volunteer_id)
        n = ServiceRecord.select().where(ServiceRecord.volunteer == volunteer_id).count()
        if n:
            raise ValidationError(f"「{volunteer.name}」有 {n:,} 条服务记录，不能删除。")
        before = snapshot(volunteer)
        volunteer.delete_instance()  # memberships go with it (ON DELETE CASCADE)
        tx.audit("volunteer", volunteer_id, "delete", before=before)


def volunteer_from_member(member_id: int, *, team_ids: Sequence[int] = (), today: dt.date | None = None) -> int:
    """The volunteer who is this member: the one already linked, else a new volunteer
    with the member's name, ID number, gender, birth date and phone. Returns its id."""
    today = _today(today)
    with writing("volunteer.from_member") as tx:
        member = Member.get_or_none(Member.id == member_id)
        if member is None:
            raise NotFoundError("找不到这名党员。请刷新后重试。")
        volunteer = Volunteer.get_or_none(Volunteer.member == member_id)
        if volunteer is None:
            volunteer = Volunteer.get_or_none(Volunteer.id_number == member.id_number)
            if volunteer is not None:  # the same person registered before the member was
                volunteer.member = member_id
                volunteer.save()
                tx.audit("volunteer", volunteer.id, "link_member", before={"member_id": None},
                         after={"member_id": member_id})
        if volunteer is None:
            volunteer = Volunteer.create(
                name=member.name, name_initials=initials(member.name), id_number=member.id_number,
                phone=member.phone, gender=member.gender, birth_date=member.birth_date, member=member_id,
            )
            tx.audit("volunteer", volunteer.id, "create", after=snapshot(volunteer), note="从党员花名册添加")
        for team_id in team_ids:
            team = _get_team(team_id)
            if team.is_active:
                _join(tx, team_id, volunteer.id, today)
    return volunteer.id


def link_members_by_id_number() -> int:
    """Link every unlinked volunteer to the member with the same ID number (after an
    import of members or volunteers); returns how many were linked."""
    with writing("volunteer.link_members") as tx:
        taken = {m for (m,) in Volunteer.select(Volunteer.member).where(Volunteer.member.is_null(False)).tuples()}
        pairs = (Volunteer.select(Volunteer.id, Member.id)
                 .join(Member, on=(Member.id_number == Volunteer.id_number))
                 .where(Volunteer.member.is_null(), Volunteer.id_number.is_null(False)).tuples())
        linked = 0
        for vid, mid in list(pairs):
            if mid in taken:
                continue
            Volunteer.update(member=mid).where(Volunteer.id == vid).execute()
            taken.add(mid)
            tx.audit("volunteer", vid, "link_member", before={"member_id": None}, after={"member_id": mid})
            linked += 1
    return linked


# ================================================================ service projects


@dataclass(frozen=True)
class ProjectRow:
    id: int
    name: str
    team_id: int | None
    team: str
    owner: str
    owner_key: str | None
    description: str
    started_on: dt.date | None
    is_active: bool
    records: int
    volunteers: int
    minutes_year: int
    minutes_total: int


def list_projects(*, today: dt.date | None = None) -> list[ProjectRow]:
    """Every service project with its records and hours (this year and ever)."""
    today = _today(today)
    year = this_year(today)
    in_year = ServiceRecord.served_on.between(year.start, year.end)
    sums = {
        pid: (n, v, int(y or 0), int(t or 0))
        for pid, n, v, y, t in ServiceRecord.select(
            ServiceRecord.project, pw.fn.COUNT(ServiceRecord.id), pw.fn.COUNT(ServiceRecord.volunteer.distinct()),
            pw.fn.SUM(pw.Case(None, [(in_year, ServiceRecord.minutes)], 0)), pw.fn.SUM(ServiceRecord.minutes),
        ).where(ServiceRecord.project.is_null(False)).group_by(ServiceRecord.project).tuples()
    }
    teams = dict(VolunteerTeam.select(VolunteerTeam.id, VolunteerTeam.name).tuples())
    branches, communities = _owner_names()
    rows = []
    for p in ServiceProject.select().order_by(ServiceProject.is_active.desc(), ServiceProject.id):
        n, vols, y, total = sums.get(p.id, (0, 0, 0, 0))
        if p.branch_id is not None:
            owner, key = branches.get(p.branch_id, ""), f"branch:{p.branch_id}"
        elif p.community_id is not None:
            owner, key = communities.get(p.community_id, ""), f"community:{p.community_id}"
        else:
            owner, key = "", None
        rows.append(ProjectRow(
            id=p.id, name=p.name, team_id=p.team_id, team=teams.get(p.team_id, "") if p.team_id else "",
            owner=owner, owner_key=key, description=p.description or "", started_on=_as_date(p.started_on),
            is_active=bool(p.is_active), records=n, volunteers=vols, minutes_year=y, minutes_total=total,
        ))
    return rows


def record_count() -> int:
    """The number of service records (all dates)."""
    return ServiceRecord.select().count()


def project_count(*, active_only: bool = True) -> int:
    """The number of service projects (为民服务项目), for the dashboard."""
    query = ServiceProject.select()
    if active_only:
        query = query.where(ServiceProject.is_active == True)  # noqa: E712
    return query.count()


def _get_project(project_id: int) -> ServiceProject:
    project = ServiceProject.get_or_none(ServiceProject.id == project_id)
    if project is None:
        raise NotFoundError("找不到这个服务项目，可能已被删除。请刷新后重试。")
    return project


def project_values(project_id: int) -> dict[str, Any]:
    p = _get_project(project_id)
    owner = f"branch:{p.branch_id}" if p.branch_id else f"community:{p.community_id}" if p.community_id else None
    return {"name": p.name, "team_id": p.team_id, "owner": owner, "description": p.description or "",
            "started_on": _as_date(p.started_on), "is_active": bool(p.is_active)}


def check_project(raw: Mapping[str, Any], *, project_id: int | None = None,
                  today: dt.date | None = None) -> FormCheck:
    today = _today(today)
    check = FormCheck()
    v = check.values
    name = _text(raw.get("name"), _NAME_LIMIT, check, "name", "名称")
    if name is None and "name" not in check.errors:
        check.errors["name"] = "请填写项目名称，如「乐夕阳」。"
    elif name is not None:
        name = name.strip("“”\"「」")
        clash = [p for p in ServiceProject.select(ServiceProject.id, ServiceProject.name)
                 if p.id != project_id and _name_key(p.name) == _name_key(name)]
        if clash:
            check.errors["name"] = f"已有名为「{clash[0].name}」的服务项目，请换一个名称。"
    v["name"] = name
    team_id = _int_or_none(raw.get("team_id"))
    if team_id is not None and VolunteerTeam.get_or_none(VolunteerTeam.id == team_id) is None:
        check.errors["team_id"] = "找不到所选的服务队，请重新选择。"
    v["team"] = team_id
    v["branch"], v["community"] = _owner(raw.get("owner"), check)
    if v["branch"] is None and v["community"] is None and team_id is not None and "team_id" not in check.errors:
        team = VolunteerTeam.get_by_id(team_id)  # by default the project belongs where its team does
        v["branch"], v["community"] = team.branch_id, team.community_id
    v["description"] = _text(raw.get("description"), _NOTE_LIMIT, check, "description", "服务内容")
    v["started_on"] = _date_field(raw.get("started_on"), "开始日期", check, "started_on", today)
    v["is_active"] = bool(raw.get("is_active", True))
    return check


def create_project(raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    with writing("service_project.create") as tx:
        check = check_project(raw, today=today)
        _refuse(check, PROJECT_LABELS)
        project = ServiceProject.create(**check.values)
        tx.audit("service_project", project.id, "create", after=snapshot(project))
    return project.id


def update_project(project_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> bool:
    with writing("service_project.update") as tx:
        project = _get_project(project_id)
        check = check_project(raw, project_id=project_id, today=today)
        _refuse(check, PROJECT_LABELS)
        before = snapshot(project)
        for key, value in check.values.items():
            setattr(project, key, value)
        old, new = _changes(before, snapshot(project))
        if not new:
            return False
        project.save()
        tx.audit("service_project", project.id, "update", before=old, after=new)
    return True


def set_project_active(project_id: int, active: bool) -> None:
    with writing("service_project.activate" if active else "service_project.deactivate") as tx:
        project = _get_project(project_id)
        if bool(project.is_active) == active:
            return
        project.is_active = active
        project.save()
        tx.audit("service_project", project.id, "activate" if active else "deactivate",
                 before={"is_active": not active}, after={"is_active": active})


def delete_project(project_id: int) -> None:
    with writing("service_project.delete") as tx:
        project = _get_project(project_id)
        n = ServiceRecord.select().where(ServiceRecord.project == project_id).count()
        if n:
            raise ValidationError(f"「{project.name}」有 {n:,} 条服务记录，不能删除。可以把它「停用」。")
        before = snapshot(project)
        project.delete_instance()
        tx.audit("service_project", project_id, "delete", before=before)


# ================================================================ service records


@dataclass(frozen=True)
class RecordFilter:
    team_id: int | None = None
    project_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    volunteer_id: int | None = None
    search: str = ""


@dataclass(frozen=True, slots=True)
class RecordRow:
    id: int
    served_on: dt.date
    volunteer_id: int
    volunteer: str
    initials: str
    phone: str
    team_id: int | None
    team: str
    project_id: int | None
    project: str
    activity: str
    minutes: int


def list_records(flt: RecordFilter = RecordFilter()) -> list[RecordRow]:  # noqa: B008 - frozen, never mutated
    """Service records matching the team / project / date / volunteer filter (in SQL)
    and the search text (volunteer name, pinyin initials, phone, activity, project),
    newest first."""
    where, params = [], []
    if flt.team_id is not None:
        where.append("r.team_id = ?")
        params.append(flt.team_id)
    if flt.project_id is not None:
        where.append("r.project_id = ?")
        params.append(flt.project_id)
    if flt.volunteer_id is not None:
        where.append("r.volunteer_id = ?")
        params.append(flt.volunteer_id)
    if flt.start is not None:
        where.append("r.served_on >= ?")
        params.append(flt.start.isoformat())
    if flt.end is not None:
        where.append("r.served_on <= ?")
        params.append(flt.end.isoformat())
    sql = (
        "SELECT r.id, r.served_on, r.volunteer_id, v.name, v.name_initials, v.phone, r.team_id, t.name, "
        "r.project_id, p.name, r.activity, r.minutes "
        "FROM service_record r JOIN volunteer v ON v.id = r.volunteer_id "
        "LEFT JOIN volunteer_team t ON t.id = r.team_id LEFT JOIN service_project p ON p.id = r.project_id "
        + ("WHERE " + " AND ".join(where) + " " if where else "")
        + "ORDER BY r.served_on DESC, r.id DESC"
    )
    fromiso = dt.date.fromisoformat
    rows = [
        RecordRow(rid, fromiso(served) if isinstance(served, str) else served, vid, name, ini or "", phone or "",
                  tid, team or "", pid, project or "", activity, minutes)
        for rid, served, vid, name, ini, phone, tid, team, pid, project, activity, minutes
        in db.execute_sql(sql, params)
    ]
    return search_records(rows, flt.search)


def _record_matches(row: RecordRow, token: str) -> bool:
    return (token in row.volunteer.casefold() or row.initials.startswith(token) or token in row.activity.casefold()
            or token in row.project.casefold() or token in row.team.casefold()
            or (token.isdigit() and token in row.phone))


def search_records(rows: Sequence[RecordRow], text: str) -> list[RecordRow]:
    tokens = _tokens(text)
    if not tokens:
        return list(rows)
    return [r for r in rows if all(_record_matches(r, t) for t in tokens)]


def _get_record(record_id: int) -> ServiceRecord:
    record = ServiceRecord.get_or_none(ServiceRecord.id == record_id)
    if record is None:
        raise NotFoundError("找不到这条服务记录，可能已被删除。请刷新后重试。")
    return record


def record_values(record_id: int) -> dict[str, Any]:
    r = _get_record(record_id)
    return {"served_on": _as_date(r.served_on), "volunteer_id": r.volunteer_id, "team_id": r.team_id,
            "project_id": r.project_id, "activity": r.activity, "hours": hours_text(r.minutes),
            "minutes": r.minutes}


def day_minutes(volunteer_ids: Iterable[int], day: dt.date, *, exclude_record: int | None = None) -> dict[int, int]:
    """The minutes already recorded for each volunteer on `day`."""
    ids = list(volunteer_ids)
    if not ids:
        return {}
    query = (ServiceRecord.select(ServiceRecord.volunteer, pw.fn.SUM(ServiceRecord.minutes))
             .where(ServiceRecord.volunteer.in_(ids), ServiceRecord.served_on == day))
    if exclude_record is not None:
        query = query.where(ServiceRecord.id != exclude_record)
    return {vid: int(m or 0) for vid, m in query.group_by(ServiceRecord.volunteer).tuples()}


def over_day_limit(entries: Iterable[tuple[int, dt.date, int]]) -> list[tuple[int, dt.date, int]]:
    """For new records ``(volunteer_id, day, minutes)`` (an import, say): the
    ``(volunteer_id, day, total minutes)`` whose stored plus new minutes pass 24 h."""
    new: Counter = Counter()
    for vid, day, minutes in entries:
        new[(vid, day)] += int(minutes)
    if not new:
        return []
    stored: Counter = Counter()
    days = sorted({day for _, day in new})
    ids = sorted({vid for vid, _ in new})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for vid, day, minutes in (
            ServiceRecord.select(ServiceRecord.volunteer, ServiceRecord.served_on, pw.fn.SUM(ServiceRecord.minutes))
            .where(ServiceRecord.volunteer.in_(chunk), ServiceRecord.served_on.between(days[0], days[-1]))
            .group_by(ServiceRecord.volunteer, ServiceRecord.served_on).tuples()
        ):
            stored[(vid, _as_date(day))] += int(minutes or 0)
    return sorted((vid, day, stored[(vid, day)] + m) for (vid, day), m in new.items()
                  if stored[(vid, day)] + m > DAY_LIMIT_MINUTES)


def _day_limit_message(name: str, day: dt.date, already: int, adding: int) -> str:
    return (f"{name} 在 {day.isoformat()} 已登记 {hours_text(already)} 小时，再加 {hours_text(adding)} 小时"
            f"就超过一天 24 小时，请核对。")


def _check_record_common(raw: Mapping[str, Any], check: FormCheck, today: dt.date) -> None:
    v = check.values
    v["served_on"] = _date_field(raw.get("served_on"), "服务日期", check, "served_on", today, required=True)
    team_id = _int_or_none(raw.get("team_id"))
    if team_id is not None and VolunteerTeam.get_or_none(VolunteerTeam.id == team_id) is None:
        check.errors["team_id"] = "找不到所选的服务队，请重新选择。"
    v["team"] = team_id
    project_id = _int_or_none(raw.get("project_id"))
    if project_id is not None and ServiceProject.get_or_none(ServiceProject.id == project_id) is None:
        check.errors["project_id"] = "找不到所选的服务项目，请重新选择。"
    v["project"] = project_id
    activity = _text(raw.get("activity"), _ACTIVITY_LIMIT, check, "activity", "服务内容")
    if activity is None and "activity" not in check.errors:
        check.errors["activity"] = "请填写服务内容，如「为独居老人送餐」。"
    v["activity"] = activity.replace("\n", " ") if activity else None
    if raw.get("hours") in (None, "") and raw.get("minutes") not in (None, ""):
        hours = _minutes_checked(raw.get("minutes"))
    else:
        hours = parse_hours(raw.get("hours"))
    if hours.errors:
        check.errors["hours"] = hours.errors[0].message
    elif hours.value is None:
        check.errors["hours"] = "请填写服务时长（小时），如 2 或 1.5。"
    v["minutes"] = hours.value


def check_record(raw: Mapping[str, Any], *, record_id: int | None = None, today: dt.date | None = None) -> FormCheck:
    """Check one service record: date (not in the future), volunteer, team, project,
    activity, hours (0.5 h steps) and the person's 24 h a day."""
    today = _today(today)
    check = FormCheck()
    _check_record_common(raw, check, today)
    volunteer_id = _int_or_none(raw.get("volunteer_id"))
    volunteer = Volunteer.get_or_none(Volunteer.id == volunteer_id) if volunteer_id else None
    if volunteer is None:
        check.errors["volunteer_id"] = "请选择志愿者。" if volunteer_id is None else "找不到这名志愿者，请重新选择。"
    check.values["volunteer"] = volunteer_id
    day, minutes = check.values.get("served_on"), check.values.get("minutes")
    if volunteer is not None and day is not None and minutes:
        already = day_minutes([volunteer.id], day, exclude_record=record_id).get(volunteer.id, 0)
        if already + minutes > DAY_LIMIT_MINUTES:
            check.errors["hours"] = _day_limit_message(volunteer.name, day, already, minutes)
    return check


def create_record(raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    """One service record; refused beyond 24 h for the person and day."""
    with writing("service_record.create") as tx:
        check = check_record(raw, today=today)
        _refuse(check, RECORD_LABELS)
        record = ServiceRecord.create(**check.values)
        tx.audit("service_record", record.id, "create", after=snapshot(record))
    return record.id


def update_record(record_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> bool:
    with writing("service_record.update") as tx:
        record = _get_record(record_id)
        check = check_record(raw, record_id=record_id, today=today)
        _refuse(check, RECORD_LABELS)
        before = snapshot(record)
        for key, value in check.values.items():
            setattr(record, key, value)
        old, new = _changes(before, snapshot(record))
        if not new:
            return False
        record.save()
        tx.audit("service_record", record.id, "update", before=old, after=new)
    return True


def delete_records(record_ids: Iterable[int]) -> int:
    """Delete service records (entered by mistake); returns how many."""
    ids = list(dict.fromkeys(int(r) for r in record_ids))
    with writing("service_record.delete") as tx:
        records = list(ServiceRecord.select().where(ServiceRecord.id.in_(ids))) if ids else []
        for record in records:
            before = snapshot(record)
            record.delete_instance()
            tx.audit("service_record", before["id"], "delete", before=before)
    return len(records)


def check_bulk(raw: Mapping[str, Any], volunteer_ids: Iterable[int], *, today: dt.date | None = None) -> FormCheck:
    """Check a bulk entry: the shared fields, at least one volunteer, and every
    volunteer's 24 h for the day (the message names those who would go beyond)."""
    today = _today(today)
    check = FormCheck()
    _check_record_common(raw, check, today)
    ids = list(dict.fromkeys(int(v) for v in volunteer_ids))
    check.values["volunteer_ids"] = ids
    if not ids:
        check.errors["volunteer_ids"] = "请至少勾选一名志愿者。"
        return check
    names = dict(Volunteer.select(Volunteer.id, Volunteer.name).where(Volunteer.id.in_(ids)).tuples())
    if len(names) != len(ids):
        check.errors["volunteer_ids"] = "有志愿者已被删除，请刷新后重新勾选。"
        return check
    day, minutes = check.values.get("served_on"), check.values.get("minutes")
    if day is not None and minutes:
        already = day_minutes(ids, day)
        over = [vid for vid in ids if already.get(vid, 0) + minutes > DAY_LIMIT_MINUTES]
        if over:
            shown = "、".join(f"{names[v]}（已登记 {hours_text(already.get(v, 0))} 小时）" for v in over[:5])
            more = f"等 {len(over)} 人" if len(over) > 5 else ""
            check.errors["volunteer_ids"] = (f"{shown}{more}在 {day.isoformat()} 再加 {hours_text(minutes)} 小时"
                                             "就超过一天 24 小时。请取消勾选他们或改小时数，本次没有保存任何记录。")
    return check


def bulk_record(raw: Mapping[str, Any], volunteer_ids: Iterable[int], *, today: dt.date | None = None) -> list[int]:
    """One activity (date, team, project, activity, hours) for many volunteers, in ONE
    transaction: every record is written, or — on any problem — none. Returns the ids."""
    ids = list(dict.fromkeys(int(v) for v in volunteer_ids))
    with writing("service_record.bulk") as tx:
        check = check_bulk(raw, ids, today=today)
        _refuse(check, RECORD_LABELS)
        common = {k: check.values[k] for k in ("served_on", "team", "project", "activity", "minutes")}
        created = []
        for vid in ids:
            record = ServiceRecord.create(volunteer=vid, **common)
            tx.audit("service_record", record.id, "create", after=snapshot(record), note="批量登记")
            created.append(record.id)
        # Checked again inside the transaction: the sum per person and day is the rule.
        day = common["served_on"]
        over = [vid for vid, m in day_minutes(ids, day).items() if m > DAY_LIMIT_MINUTES]
        if over:
            raise ValidationError("有志愿者当天的服务时长超过 24 小时，本次没有保存任何记录。", field="volunteer_ids")
    return created


# ================================================================ totals


def hours_by_team(start: dt.date | None = None, end: dt.date | None = None) -> dict[int | None, int]:
    """Minutes per team id (None: records without a team) in [start, end]."""
    query = ServiceRecord.select(ServiceRecord.team, pw.fn.SUM(ServiceRecord.minutes))
    where = _period_where(start, end)
    if where:
        query = query.where(*where)
    return {tid: int(m or 0) for tid, m in query.group_by(ServiceRecord.team).tuples()}


def volunteer_hours_by_quarter(year: int) -> dict[str, Any]:
    """Service in each quarter of `year` and in the whole year (for `stats --json`)::

        {"year": 2026,
         "quarters": {"1": {"records": 812, "volunteers": 260, "minutes": 101520, "hours": 1692},
                      "2": {…}, "3": {…}, "4": {…}},
         "total": {"records": …, "volunteers": …, "minutes": …, "hours": …}}

    `volunteers` counts distinct people who served (in the quarter, or in the year — not
    the sum of the quarters). `hours` is `minutes / 60` (an int when whole, else two
    decimals); `minutes` is exact."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    per = {
        int(q): (n, v, int(m or 0))
        for q, n, v, m in db.execute_sql(
            "SELECT (CAST(strftime('%m', served_on) AS INTEGER) + 2) / 3 AS q, COUNT(*), COUNT(DISTINCT volunteer_id), "
            "SUM(minutes) FROM service_record WHERE served_on BETWEEN ? AND ? GROUP BY q",
            (start.isoformat(), end.isoformat()),
        )
    }
    n, v, m = ServiceRecord.select(
        pw.fn.COUNT(ServiceRecord.id), pw.fn.COUNT(ServiceRecord.volunteer.distinct()),
        pw.fn.COALESCE(pw.fn.SUM(ServiceRecord.minutes), 0),
    ).where(ServiceRecord.served_on.between(start, end)).tuples().get()

    def figures(records: int, volunteers: int, minutes: int) -> dict[str, Any]:
        return {"records": int(records or 0), "volunteers": int(volunteers or 0), "minutes": int(minutes or 0),
                "hours": hours_value(minutes)}

    return {
        "year": year,
        "quarters": {str(q): figures(*per.get(q, (0, 0, 0))) for q in range(1, 5)},
        "total": figures(n, v, int(m or 0)),
    }


@dataclass(frozen=True)
class ServiceOverview:
    """The figures at the top of the 志愿服务 tab (and for the dashboard)."""

    teams: int  # active
    volunteers: int
    member_volunteers: int  # volunteers who are party members (each counted once)
    projects: int  # active
    minutes_quarter: int
    minutes_year: int
    quarter_label: str
    year: int
    stars: dict[int, int]  # level (1–5) → volunteers

    @property
    def star_volunteers(self) -> int:
        return sum(self.stars.values())


def overview(*, today: dt.date | None = None) -> ServiceOverview:
    today = _today(today)
    quarter, year = this_quarter(today), this_year(today)
    stars: Counter = Counter()
    for (minutes,) in ServiceRecord.select(pw.fn.SUM(ServiceRecord.minutes)).group_by(ServiceRecord.volunteer).tuples():
        level = star_level(minutes)
        if level:
            stars[level] += 1
    return ServiceOverview(
        teams=VolunteerTeam.select().where(VolunteerTeam.is_active == True).count(),  # noqa: E712
        volunteers=Volunteer.select().count(),
        member_volunteers=Volunteer.select().where(Volunteer.member.is_null(False)).count(),
        projects=project_count(),
        minutes_quarter=minutes_between(quarter.start, quarter.end),
        minutes_year=minutes_between(year.start, year.end),
        quarter_label=quarter.label,
        year=today.year,
        stars={level: stars.get(level, 0) for level in range(1, 6)},
    )


# ================================================================ certificate


@dataclass(frozen=True)
class CertificateRecord:
    served_on: dt.date
    team: str
    project: str
    activity: str
    minutes: int


@dataclass(frozen=True)
class VolunteerCertificate:
    """What a 志愿服务时长证明 states about one volunteer (ID always masked)."""

    volunteer_id: int
    name: str
    gender: str
    masked_id: str
    registration_no: str
    teams: list[str]
    start: dt.date | None  # the period asked for (None: from the first record)
    end: dt.date  # the period's end (today at most)
    first_served_on: dt.date | None
    last_served_on: dt.date | None
    records: list[CertificateRecord]
    minutes: int  # in the period
    cumulative_minutes: int  # ever
    issuer: str

    @property
    def star(self) -> int:
        return star_level(self.cumulative_minutes)


def certificate_data(volunteer_id: int, *, start: dt.date | None = None, end: dt.date | None = None,
                     today: dt.date | None = None) -> VolunteerCertificate:
    """The figures of a 志愿服务时长证明 for one volunteer over [start, end]."""
    from wanghu_desk.services import quarterly  # the issuing unit's name lives there

    today = _today(today)
    end = min(end or today, today)
    if start is not None and start > end:
        raise ValidationError(f"开始日期 {start.isoformat()} 晚于结束日期 {end.isoformat()}，请核对。")
    v = _get_volunteer(volunteer_id)
    rows = list_records(RecordFilter(volunteer_id=volunteer_id, start=start, end=end))
    rows.sort(key=lambda r: (r.served_on, r.id))
    records = [CertificateRecord(r.served_on, r.team, r.project, r.activity, r.minutes) for r in rows]
    teams = [t for (t,) in VolunteerTeam.select(VolunteerTeam.name).join(TeamMembership)
             .where(TeamMembership.volunteer == volunteer_id).distinct().order_by(VolunteerTeam.name).tuples()]
    unit = quarterly.unit_info()
    issuer = unit.full_name or unit.area_name or ""
    return VolunteerCertificate(
        volunteer_id=v.id, name=v.name, gender=v.gender or "", masked_id=validation.mask_id_number(v.id_number),
        registration_no=v.registration_no or "", teams=teams, start=start, end=end,
        first_served_on=records[0].served_on if records else None,
        last_served_on=records[-1].served_on if records else None, records=records,
        minutes=sum(r.minutes for r in records), cumulative_minutes=minutes_between(volunteer_id=volunteer_id),
        issuer=issuer,
    )


# ================================================================ internals


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    def norm(value: Any) -> Any:
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value

    keys = [k for k in after if norm(before.get(k)) != norm(after.get(k))]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
