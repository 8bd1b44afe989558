"""Service projects (为民服务项目) with their records and hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import ServiceProject, ServiceRecord, VolunteerTeam
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.volunteers._common import (
    _NAME_LIMIT,
    _NOTE_LIMIT,
    FormCheck,
    _as_date,
    _changes,
    _date_field,
    _int_or_none,
    _name_key,
    _refuse,
    _text,
    _today,
)
from wanghu_desk.services.volunteers.choices import _owner, _owner_names
from wanghu_desk.services.volunteers.hours import this_year

PROJECT_LABELS = {
    "name": "项目名称", "team_id": "服务队", "owner": "所属党组织或社区", "description": "服务内容",
    "started_on": "开始日期",
}  # fmt: skip


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
