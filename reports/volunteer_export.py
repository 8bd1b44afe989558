"""Volunteer exports the shared roster export (`reports.exports`: volunteers with hours,
all service records) does not cover, in the same office style (`reports.xlsx_style`):

- `export_teams(path, year=…)`: the teams roster (类型, 所属, 负责人, 成立日期, 状态, 志愿者
  人数, hours this quarter / this year / ever), a sheet of every team's current members,
  and a sheet of hours per team and quarter of `year` — what higher authorities ask for
  every quarter.
- `export_records(path, flt)`: the service records a filter of the 志愿服务 tab shows
  (team, project, date range, search), with the canonical headers of
  `reports.columns.SERVICE_COLUMNS`, so that the file imports back (`import services`).

Both are generators of progress ``(done, total, text)`` for a worker (`*_steps`) with
a plain function that runs them to the end. ID numbers are masked unless
`unmasked=True` and the acting account may see them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from models import db
from reports import columns as cols
from reports.exports import sheet_columns
from reports.xlsx_style import SheetColumn, iter_write_table_sheet, new_workbook, save_workbook
from wanghu_desk.errors import UsageError
from wanghu_desk.services import stats, volunteers
from wanghu_desk.services.base import require
from wanghu_desk.services.volunteers import RecordFilter, hours_value
from wanghu_desk.validation import mask_id_number

__all__ = [
    "SERVICE_FIELDS",
    "TEAM_COLUMNS",
    "VolunteerExportResult",
    "export_records",
    "export_records_steps",
    "export_teams",
    "export_teams_steps",
]

TEAM_COLUMNS = [
    SheetColumn("序号", "int"),
    SheetColumn("服务队名称", "code"),
    SheetColumn("类型", "code"),
    SheetColumn("所属党组织或社区", "code"),
    SheetColumn("负责人", "code"),
    SheetColumn("负责人电话", "phone", 15),
    SheetColumn("成立日期", "date"),
    SheetColumn("状态", "code"),
    SheetColumn("志愿者人数", "int"),
    SheetColumn("服务项目数", "int"),
    SheetColumn("本季度服务时长（小时）", "number"),
    SheetColumn("本年服务时长（小时）", "number"),
    SheetColumn("累计服务时长（小时）", "number"),
    SheetColumn("备注", "text"),
]
MEMBER_COLUMNS = [
    SheetColumn("序号", "int"),
    SheetColumn("服务队", "code"),
    SheetColumn("姓名", "code"),
    SheetColumn("性别", "code"),
    SheetColumn("联系电话", "phone", 15),
    SheetColumn("加入日期", "date"),
    SheetColumn("本年在本队服务时长（小时）", "number"),
    SheetColumn("累计服务时长（小时）", "number"),
    SheetColumn("星级", "code"),
]
SERVICE_FIELDS = ("served_on", "name", "id_number", "phone", "registration_no", "team", "project", "activity",
                  "hours")


@dataclass
class VolunteerExportResult:
    path: Path
    rows: int
    sheets: list[str]
    masked: bool = False


def _xlsx(path: Path | str) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"导出文件应以 .xlsx 结尾：{path.name}")
    return path


def _drain(gen: Generator) -> VolunteerExportResult:
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def export_teams_steps(
    path: Path | str, *, year: int | None = None, today: dt.date | None = None,
) -> Generator[tuple[int, int, str], None, VolunteerExportResult]:
    """Teams, their members and hours per quarter of `year` (default: this year)."""
    path = _xlsx(path)
    today = today or dt.date.today()
    year = year or today.year
    org = stats.organization_name()
    yield 0, 0, "正在读取服务队…"
    teams = volunteers.list_teams(today=today)
    rows = [
        (i, t.name, t.kind_label, t.owner or None, t.leader_name or None, t.leader_phone or None, t.founded_on,
         "正常" if t.is_active else "已停用", t.volunteers, t.projects, hours_value(t.minutes_quarter),
         hours_value(t.minutes_year), hours_value(t.minutes_total), t.note or None)
        for i, t in enumerate(teams, 1)
    ]
    member_rows = []
    for t in teams:
        for m in sorted(volunteers.team_members(t.id, today=today), key=lambda m: (-m.minutes_year, m.volunteer_id)):
            member_rows.append((t.name, m.name, m.gender or None, m.phone or None, m.joined_on,
                                hours_value(m.minutes_year), hours_value(m.cumulative_minutes),
                                volunteers.star_label(m.star) or None))
    member_rows = [(i, *r) for i, r in enumerate(member_rows, 1)]
    quarter_rows = []
    sums = [volunteers.hours_by_team(*volunteers.quarter_span(year, q)) for q in range(1, 5)]
    for i, t in enumerate(teams, 1):
        per = [s.get(t.id, 0) for s in sums]
        quarter_rows.append((i, t.name, *(hours_value(m) for m in per), hours_value(sum(per))))
    loose = [s.get(None, 0) for s in sums]
    if any(loose):
        quarter_rows.append((len(quarter_rows) + 1, "（未指定服务队）", *(hours_value(m) for m in loose),
                             hours_value(sum(loose))))
    totals = [sum(s.values()) for s in sums]
    quarter_rows.append((None, "合计", *(hours_value(m) for m in totals), hours_value(sum(totals))))
    quarter_columns = [SheetColumn("序号", "int"), SheetColumn("服务队", "code")] + [
        SheetColumn(f"{'一二三四'[q]}季度（小时）", "number") for q in range(4)
    ] + [SheetColumn("全年（小时）", "number")]

    total = len(rows) + len(member_rows) + len(quarter_rows)
    workbook = new_workbook()
    used: set[str] = set()
    sheets = []
    quarter = volunteers.this_quarter(today)
    parts = [
        ("服务队名册", f"{org}志愿服务队名册", TEAM_COLUMNS, rows,
         f"导出日期：{today.isoformat()}　共 {len(rows)} 支服务队　本季度为{quarter.label}"),
        ("服务队成员", f"{org}志愿服务队成员名单", MEMBER_COLUMNS, member_rows,
         f"导出日期：{today.isoformat()}　共 {len(member_rows):,} 人次（一人可在多支服务队）"),
        (f"{year}年分季度时长", f"{org}{year}年各服务队志愿服务时长", quarter_columns, quarter_rows,
         f"导出日期：{today.isoformat()}　时长单位：小时"),
    ]
    done = 0
    for sheet, title, columns, data, subtitle in parts:
        before = done
        for written in iter_write_table_sheet(workbook, sheet, title, columns, data, subtitle=subtitle,
                                              used_titles=used):
            done = before + written
            yield done, total, f"正在写入 {done:,} / {total:,} 行…"
        sheets.append(workbook.worksheets[-1].title)
    yield total, total, "正在保存文件…"
    save_workbook(workbook, path)
    return VolunteerExportResult(path, len(rows), sheets)


def export_teams(path: Path | str, **kwargs) -> VolunteerExportResult:
    return _drain(export_teams_steps(path, **kwargs))


def _filter_text(flt: RecordFilter) -> str:
    parts = []
    names = {c.id: c.name for c in volunteers.team_choices(include_inactive=True)}
    if flt.team_id is not None:
        parts.append(f"服务队：{names.get(flt.team_id, '')}")
    if flt.project_id is not None:
        projects = {c.id: c.name for c in volunteers.project_choices(include_inactive=True)}
        parts.append(f"服务项目：{projects.get(flt.project_id, '')}")
    if flt.start or flt.end:
        start = flt.start.isoformat() if flt.start else "最早"
        end = flt.end.isoformat() if flt.end else "最近"
        parts.append(f"日期：{start} 至 {end}")
    if flt.search.strip():
        parts.append(f"搜索：{flt.search.strip()}")
    return "　".join(parts)


def export_records_steps(
    path: Path | str, flt: RecordFilter = RecordFilter(), *, unmasked: bool = False,  # noqa: B008 - frozen
    today: dt.date | None = None,
) -> Generator[tuple[int, int, str], None, VolunteerExportResult]:
    """The service records that `flt` selects, oldest first, with the import headers."""
    path = _xlsx(path)
    today = today or dt.date.today()
    if unmasked:
        require("see_id_numbers")
    yield 0, 0, "正在读取服务记录…"
    records = volunteers.list_records(flt)
    records.sort(key=lambda r: (r.served_on, r.id))
    people = {
        vid: (id_number, phone, number)
        for vid, id_number, phone, number in db.execute_sql(
            "SELECT id, id_number, phone, registration_no FROM volunteer")
    }
    rows = []
    for i, r in enumerate(records, 1):
        id_number, phone, number = people.get(r.volunteer_id, (None, None, None))
        shown = id_number if unmasked or not id_number else mask_id_number(id_number)
        rows.append((i, r.served_on, r.volunteer, shown, phone, number, r.team or None, r.project or None,
                     r.activity, hours_value(r.minutes)))
    minutes = sum(r.minutes for r in records)
    chosen = _filter_text(flt)
    subtitle = (f"导出日期：{today.isoformat()}　共 {len(rows):,} 条，合计 {volunteers.hours_text(minutes)} 小时"
                + (f"　{chosen}" if chosen else "") + ("" if unmasked else "　身份证号已部分隐藏"))
    workbook = new_workbook()
    total = len(rows)
    written = 0
    for written in iter_write_table_sheet(
        workbook, "志愿服务记录", f"{stats.organization_name()}志愿服务记录",
        sheet_columns(cols.SERVICE_COLUMNS, SERVICE_FIELDS), rows, subtitle=subtitle,
    ):
        yield written, total, f"正在写入 {written:,} / {total:,} 行…"
    yield total, total, "正在保存文件…"
    save_workbook(workbook, path)
    return VolunteerExportResult(path, total, [workbook.worksheets[-1].title], masked=not unmasked)


def export_records(path: Path | str, flt: RecordFilter = RecordFilter(), **kwargs) -> VolunteerExportResult:  # noqa: B008
    return _drain(export_records_steps(path, flt, **kwargs))
