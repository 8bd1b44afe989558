"""The rows of every exported roster, as plain values in display form (labels, not
codes; 是/否; ISO dates; masked ID numbers unless the account may see them).

Each function returns an `ExportTable`: the field names (matching the export columns of
`reports.columns`), the rows as tuples, and for members the branch of every row so that
a workbook can have one sheet per branch. One query per table, whatever the size.

An export with full ID numbers (`unmasked=True`, admins only) leaves an audit event:
action "export", entity the kind, the note 导出完整身份证号 with the row count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from models import db
from wanghu_desk import vocab
from wanghu_desk.services.base import require, writing
from wanghu_desk.validation import mask_id_number

__all__ = ["ExportTable", "audit_unmasked", "branch_names", "branches", "groups", "members", "services", "volunteers"]

MEMBER_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "education", "category", "joined_on",
    "confirmed_on", "probation_extended_to", "probation_extension_reason", "branch", "group", "employer",
    "phone", "address", "status", "is_lost_contact", "is_floating", "is_center_household",
    "reported_at_residence", "note",
)  # fmt: skip
BRANCH_FIELDS = ("name", "full_name", "category", "community", "secretary", "phone", "founded_on", "status",
                 "members", "groups", "note")
GROUP_FIELDS = ("branch", "name", "leader", "leader_phone", "buildings", "members", "status", "note")
VOLUNTEER_FIELDS = ("name", "gender", "id_number", "phone", "teams", "skills", "registration_no", "is_member",
                    "hours", "services", "star", "note")
SERVICE_FIELDS = ("served_on", "name", "id_number", "phone", "registration_no", "team", "project", "activity",
                  "hours")

_STAR_NAMES = {1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}
_GROUP_STATUSES = {"active": "正常", "dissolved": "已撤销"}


@dataclass
class ExportTable:
    fields: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    #: For members: the branch (id, name) of each row, for one sheet per branch.
    row_branches: list[int] = field(default_factory=list)
    branch_names: dict[int, str] = field(default_factory=dict)
    masked: bool = True


def _natural(text: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text or ""))


def _show_ids(unmasked: bool) -> bool:
    if unmasked:
        require("see_id_numbers")
    return unmasked


def audit_unmasked(kind: str, rows: int, what: str = "身份证号") -> None:
    """The audit event of an export with full ID numbers (or phones): who, which kind,
    how many rows. Admins only, like the export itself."""
    with writing(f"export.{kind}", permission="see_id_numbers") as tx:
        tx.audit(kind, None, "export", after={"rows": rows, "unmasked": True},
                 note=f"导出完整{what}：{rows} 行")


def _yes_no(value: Any) -> str:
    return "是" if value else "否"


def hours_value(minutes: int) -> int | float:
    """Minutes as hours for a sheet: whole hours as int, else two decimals."""
    if minutes % 60 == 0:
        return minutes // 60
    return round(minutes / 60, 2)


def members(*, branch_id: int | None = None, in_register_only: bool = False, unmasked: bool = False) -> ExportTable:
    """Every member (or one branch's), ordered by branch then register order."""
    show = _show_ids(unmasked)
    where, params = [], []
    if branch_id is not None:
        where.append("m.branch_id = ?")
        params.append(branch_id)
    if in_register_only:
        where.append("m.status = 'active'")
    sql = (
        "SELECT m.branch_id, m.name, m.gender, m.ethnicity, m.birth_date, m.id_number, m.education, m.category, "
        "m.joined_on, m.confirmed_on, b.name, g.name, m.employer, m.phone, m.address, m.status, m.is_lost_contact, "
        "m.is_floating, m.is_center_household, m.reported_at_residence, m.note, "
        "m.probation_extended_to, m.probation_extension_reason "
        "FROM member m JOIN branch b ON b.id = m.branch_id LEFT JOIN building_group g ON g.id = m.group_id "
        + ("WHERE " + " AND ".join(where) + " " if where else "")
        + "ORDER BY b.sort_order, b.id, m.id"
    )
    categories, statuses = vocab.MEMBER_CATEGORIES, vocab.MEMBER_STATUSES
    rows, row_branches, names = [], [], {}
    for r in db.execute_sql(sql, params):
        row_branches.append(r[0])
        names.setdefault(r[0], r[10])
        rows.append((
            r[1], r[2], r[3], r[4], r[5] if show else mask_id_number(r[5]), r[6],
            categories.get(r[7], r[7]), r[8], r[9], r[21], r[22], r[10], r[11], r[12], r[13], r[14],
            statuses.get(r[15], r[15]), _yes_no(r[16]), _yes_no(r[17]), _yes_no(r[18]), _yes_no(r[19]), r[20],
        ))
    if show:
        audit_unmasked("members", len(rows))
    return ExportTable(MEMBER_FIELDS, rows, row_branches, names, masked=not show)


def branches() -> ExportTable:
    members_by = dict(db.execute_sql(
        "SELECT branch_id, count(*) FROM member WHERE status = 'active' GROUP BY branch_id").fetchall())
    groups_by = dict(db.execute_sql(
        "SELECT branch_id, count(*) FROM building_group WHERE status = 'active' GROUP BY branch_id").fetchall())
    rows = []
    for bid, name, full, category, community, secretary, phone, founded, status, note in db.execute_sql(
        "SELECT b.id, b.name, b.full_name, b.category, c.name, b.secretary, b.phone, b.founded_on, b.status, b.note "
        "FROM branch b LEFT JOIN community c ON c.id = b.community_id ORDER BY b.sort_order, b.id"
    ):
        rows.append((
            name, full, vocab.label(vocab.BRANCH_CATEGORIES, category), community, secretary, phone, founded,
            vocab.label(vocab.BRANCH_STATUSES, status), members_by.get(bid, 0), groups_by.get(bid, 0), note,
        ))
    return ExportTable(BRANCH_FIELDS, rows)


def building_text(places: list[tuple[str, str]]) -> str:
    """[(estate, number)] → "银杏苑小区：1栋、2栋；枫林湾小区：3栋" (numbers in natural order)."""
    by_estate: dict[str, list[str]] = {}
    for estate, number in places:
        by_estate.setdefault(estate, []).append(number)
    return "；".join(f"{e}：{'、'.join(sorted(ns, key=_natural))}" for e, ns in by_estate.items())


def groups() -> ExportTable:
    members_by = dict(db.execute_sql(
        "SELECT group_id, count(*) FROM member WHERE status = 'active' AND group_id IS NOT NULL GROUP BY group_id"
    ).fetchall())
    places: dict[int, list[tuple[str, str]]] = {}
    for gid, estate, number in db.execute_sql(
        "SELECT l.group_id, e.name, bd.number FROM building_group_building l "
        "JOIN building bd ON bd.id = l.building_id JOIN estate e ON e.id = bd.estate_id "
        "ORDER BY e.sort_order, e.id"
    ):
        places.setdefault(gid, []).append((estate, number))
    found = db.execute_sql(
        "SELECT g.id, b.name, g.name, m.name, m.phone, g.status, g.note, b.sort_order, b.id, g.sort_order "
        "FROM building_group g JOIN branch b ON b.id = g.branch_id LEFT JOIN member m ON m.id = g.leader_id"
    ).fetchall()
    found.sort(key=lambda r: (r[7], r[8], r[9], _natural(r[2]), r[0]))
    rows = [
        (branch, name, leader, phone, building_text(places.get(gid, [])) or None, members_by.get(gid, 0),
         _GROUP_STATUSES.get(status, status), note)
        for gid, branch, name, leader, phone, status, note, *_ in found
    ]
    return ExportTable(GROUP_FIELDS, rows)


def star_label(minutes: int) -> str | None:
    hours = minutes / 60
    for threshold, stars in vocab.VOLUNTEER_STAR_LEVELS:
        if hours >= threshold:
            return f"{_STAR_NAMES[stars]}志愿者"
    return None


def volunteers(*, unmasked: bool = False) -> ExportTable:
    """Every volunteer with teams, cumulative hours and star level."""
    show = _show_ids(unmasked)
    totals = {vid: (minutes, n) for vid, minutes, n in db.execute_sql(
        "SELECT volunteer_id, sum(minutes), count(*) FROM service_record GROUP BY volunteer_id")}
    teams: dict[int, list[str]] = {}
    for vid, team in db.execute_sql(
        "SELECT tm.volunteer_id, t.name FROM team_membership tm JOIN volunteer_team t ON t.id = tm.team_id "
        "WHERE tm.left_on IS NULL"
    ):
        teams.setdefault(vid, []).append(team)
    rows = []
    for vid, name, gender, id_number, phone, skills, number, member, note in db.execute_sql(
        "SELECT id, name, gender, id_number, phone, skills, registration_no, member_id, note FROM volunteer ORDER BY id"
    ):
        minutes, count = totals.get(vid, (0, 0))
        rows.append((
            name, gender, id_number if show or not id_number else mask_id_number(id_number), phone,
            "、".join(sorted(set(teams.get(vid, [])))) or None, skills, number, _yes_no(member),
            hours_value(minutes), count, star_label(minutes), note,
        ))
    if show:
        audit_unmasked("volunteers", len(rows))
    return ExportTable(VOLUNTEER_FIELDS, rows, masked=not show)


def services(*, unmasked: bool = False) -> ExportTable:
    """Every service record, by date."""
    show = _show_ids(unmasked)
    rows = []
    for served, name, id_number, phone, number, team, project, activity, minutes in db.execute_sql(
        "SELECT r.served_on, v.name, v.id_number, v.phone, v.registration_no, t.name, p.name, r.activity, r.minutes "
        "FROM service_record r JOIN volunteer v ON v.id = r.volunteer_id "
        "LEFT JOIN volunteer_team t ON t.id = r.team_id LEFT JOIN service_project p ON p.id = r.project_id "
        "ORDER BY r.served_on, r.id"
    ):
        rows.append((served, name, id_number if show or not id_number else mask_id_number(id_number), phone,
                     number, team, project, activity, hours_value(minutes)))
    if show:
        audit_unmasked("services", len(rows))
    return ExportTable(SERVICE_FIELDS, rows, masked=not show)


def branch_names() -> list[str]:
    """Short names of the active branches, in display order (for a 按支部 choice)."""
    return [name for (name,) in db.execute_sql(
        "SELECT name FROM branch WHERE status = 'active' ORDER BY sort_order, id")]
