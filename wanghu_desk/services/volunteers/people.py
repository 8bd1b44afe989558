"""Volunteers: the roster with hours and stars, search, the form (ID number or phone,
linked to the member with that ID), and volunteers made from members."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from models import Branch, Member, ServiceRecord, TeamMembership, Volunteer, VolunteerTeam, db
from wanghu_desk import pinyin, validation
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.pinyin import initials
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.volunteers._common import (
    _NOTE_LIMIT,
    _NUMBER_LIMIT,
    _SKILLS_LIMIT,
    FormCheck,
    _as_date,
    _changes,
    _refuse,
    _see_ids,
    _shown_id,
    _text,
    _today,
    _tokens,
    age_on,
)
from wanghu_desk.services.volunteers.hours import star_level, this_year
from wanghu_desk.services.volunteers.teams import _get_team, _join

VOLUNTEER_LABELS = {
    "name": "姓名", "id_number": "公民身份号码", "phone": "联系电话", "gender": "性别", "skills": "技能特长",
    "registration_no": "志愿者编号", "note": "备注", "team_ids": "所属服务队",
}  # fmt: skip


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


#: Surnames read differently from the everyday character (as `pinyin.SURNAME_INITIALS`).
_SURNAME_SPELLINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "查": "zha", "区": "ou", "覃": "qin",
    "乐": "yue", "翟": "zhai", "尉": "yu", "种": "chong", "召": "shao", "朴": "piao", "盖": "ge",
}  # fmt: skip
_LETTERS = re.compile("[a-z]+")


@lru_cache(maxsize=16384)
def name_syllables(name: str) -> tuple[str, ...]:
    """The pinyin syllables of a name without tones, lowercase, "ü" as "v" (张三 →
    ("zhang", "san")); a run of Latin letters is one syllable. Loads pypinyin on first use."""
    text = (name or "").strip().translate(pinyin._DROP_SEPARATORS)
    if not text:
        return ()
    pinyin.load()
    parts = [p.lower() for p in pinyin.lazy_pinyin(text, style=pinyin.Style.NORMAL, errors="default")]
    if parts and text[0] in _SURNAME_SPELLINGS and len(text) > 1:
        parts[0] = _SURNAME_SPELLINGS[text[0]]
    return tuple(syllable for part in parts for syllable in _LETTERS.findall(part))


def spelling_matches(name: str, token: str) -> bool:
    """Whether the letters `token` spell the start of `name` in pinyin, each syllable
    by its whole spelling or by its first letters: "zhangsan", "zhangs", "zhs", "zs" and
    "zsan" all find 张三 (from the surname on, as the initials do)."""
    if not token or not _LETTERS.fullmatch(token):
        return False
    syllables = name_syllables(name)
    if not syllables or not syllables[0].startswith(token[0]):
        return False
    end = len(token)

    def rest(i: int, pos: int) -> bool:  # token[pos:] from syllable i on
        if pos == end:
            return True
        if i == len(syllables):
            return False
        syllable = syllables[i]
        common = 0
        while common < len(syllable) and pos + common < end and syllable[common] == token[pos + common]:
            common += 1
        return any(rest(i + 1, pos + take) for take in range(common, 0, -1))

    return rest(0, 0)


def _volunteer_matches(row: VolunteerRow, token: str) -> bool:
    if token in row.name.casefold() or row.initials.startswith(token):
        return True
    if token.isdigit() or "-" in token:
        return (token in row.phone or token in row.registration_no.casefold()
                or (len(token) >= 4 and token in row.id_number))
    if token in row.registration_no.casefold():
        return True
    # pinyin spelled out: only names whose initials start with the same letter are read
    return row.initials[:1] == token[:1] and spelling_matches(row.name, token)


def volunteer_matches(row: VolunteerRow, text: str) -> bool:
    """Whether `row` matches every word of `text` (see `search_volunteers`)."""
    return all(_volunteer_matches(row, t) for t in _tokens(text))


def search_volunteers(rows: Sequence[VolunteerRow], text: str) -> list[VolunteerRow]:
    """Rows matching every word of `text`: name (part of it), pinyin from the start of
    the name by initials or full spelling or both ("zs", "zhangsan", "zhs" find 张三),
    phone, 志愿者编号, or 4+ digits of the ID number."""
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
