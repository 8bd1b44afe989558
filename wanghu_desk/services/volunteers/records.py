"""Service records: the filtered list, one record or one activity for many volunteers
(all or none), and the 24 h a day limit per person."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import ServiceProject, ServiceRecord, Volunteer, VolunteerTeam, db
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.volunteers._common import (
    _ACTIVITY_LIMIT,
    FormCheck,
    _as_date,
    _changes,
    _date_field,
    _int_or_none,
    _refuse,
    _text,
    _today,
    _tokens,
)
from wanghu_desk.services.volunteers.hours import DAY_LIMIT_MINUTES, _minutes_checked, hours_text, parse_hours

RECORD_LABELS = {
    "served_on": "服务日期", "volunteer_id": "志愿者", "team_id": "服务队", "project_id": "服务项目",
    "activity": "服务内容", "hours": "服务时长", "volunteer_ids": "志愿者",
}  # fmt: skip


def record_count() -> int:
    """The number of service records (all dates)."""
    return ServiceRecord.select().count()


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
