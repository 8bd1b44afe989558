"""双报到 in Excel: the 在职党员报到名册 (the `reporting` kind's headers, so it imports back)
and the year's 三单制服务单, print-ready like the other exports (`reports.xlsx_style`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from pathlib import Path

from reports.exports import ExportResult
from reports.xlsx_style import SheetColumn, iter_write_table_sheet, new_workbook, save_workbook
from wanghu_desk.errors import UsageError
from wanghu_desk.kinds.reporting import COLUMNS
from wanghu_desk.services import reporting, stats

__all__ = ["members_workbook_steps", "orders_workbook_steps", "write_members_workbook", "write_orders_workbook"]

_MEMBER_FIELDS = ("name", "branch", "work_unit", "unit_kind", "unit_party_org", "community", "estate", "reported_on",
                  "skills", "posts", "status", "orders_done", "hours")
_KINDS = {"date": "date", "number": "number"}


def _check_path(path: Path | str) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"导出文件应以 .xlsx 结尾：{path.name}")
    return path


def _hours(minutes: int) -> float | None:
    return round(minutes / 60, 1) if minutes else None


def members_workbook_steps(path: Path | str, *, year: int | None = None
                           ) -> Generator[tuple[int, int, str], None, ExportResult]:
    """The 报到名册 with each member's services in `year` (this year by default)."""
    path = _check_path(path)
    year = year or dt.date.today().year
    yield 0, 0, "正在读取报到党员…"
    rows = reporting.list_members(year)
    by_field = {c.field: c for c in COLUMNS}
    columns = [SheetColumn("序号", "int")] + [
        SheetColumn(by_field[f].header, _KINDS.get(by_field[f].kind, "code")) for f in _MEMBER_FIELDS]
    values = [(i, r.name, r.branch, r.work_unit, r.unit_kind_label, r.unit_party_org or None, r.community,
               r.estate or None, r.reported_on, r.skills or None, r.posts or None, r.status_label,
               r.orders_done or None, _hours(r.minutes)) for i, r in enumerate(rows, 1)]
    org = stats.organization_name()
    workbook = new_workbook()
    active = sum(1 for r in rows if r.status == "active")
    subtitle = (f"导出日期：{dt.date.today().isoformat()}　在册 {active:,} 名，共 {len(rows):,} 名"
                f"　服务次数与时长为 {year} 年")
    for written in iter_write_table_sheet(workbook, "报到党员", f"{org}在职党员报到名册", columns, values,
                                          subtitle=subtitle):
        yield written, len(rows), f"正在写入 {written:,} / {len(rows):,} 名…"
    yield len(rows), len(rows), "正在保存文件…"
    save_workbook(workbook, path)
    return ExportResult(path, len(rows), [workbook.worksheets[-1].title], True)


def orders_workbook_steps(path: Path | str, *, year: int | None = None
                          ) -> Generator[tuple[int, int, str], None, ExportResult]:
    """The 三单制服务单 placed in `year`, oldest first; residents' phones masked."""
    path = _check_path(path)
    year = year or dt.date.today().year
    yield 0, 0, "正在读取服务单…"
    rows = sorted(reporting.list_orders(year), key=lambda r: (r.ordered_on, r.number))
    columns = [SheetColumn("序号", "int"), SheetColumn("编号"), SheetColumn("点单日期", "date"),
               SheetColumn("需求类别"), SheetColumn("居民需求", "text", 36), SheetColumn("社区"), SheetColumn("小区"),
               SheetColumn("点单居民"), SheetColumn("联系电话", "phone"), SheetColumn("关联事项"),
               SheetColumn("下单支部"), SheetColumn("下单日期", "date"), SheetColumn("接单党员", "text", 20),
               SheetColumn("接单日期", "date"), SheetColumn("状态"), SheetColumn("完成日期", "date"),
               SheetColumn("每人服务时长（分钟）", "int"), SheetColumn("居民评价"), SheetColumn("服务结果", "text", 24),
               SheetColumn("取消原因", "text", 16)]
    values = [(i, r.number, r.ordered_on, r.category or None, r.content, r.community or None, r.estate or None,
               r.resident_name or None, r.resident_phone or None, r.matter_number or None, r.branch or None,
               r.assigned_on, r.members or None, r.accepted_on, r.state_label, r.done_on, r.minutes,
               r.evaluation_label or None, r.result or None, r.cancel_reason or None) for i, r in enumerate(rows, 1)]
    figures = reporting.quarter_figures(dt.date(year, 1, 1), dt.date(year, 12, 31))
    subtitle = (f"导出日期：{dt.date.today().isoformat()}　{year}年点单 {figures.orders_placed:,} 件，完成 "
                f"{figures.orders_done:,} 件，服务 {figures.services:,} 人次，满意率 {figures.satisfaction_rate}"
                "　电话号码已部分隐藏")
    workbook = new_workbook()
    for written in iter_write_table_sheet(workbook, f"{year}年服务单", f"{stats.organization_name()}三单制服务单",
                                          columns, values, subtitle=subtitle):
        yield written, len(rows), f"正在写入 {written:,} / {len(rows):,} 张…"
    yield len(rows), len(rows), "正在保存文件…"
    save_workbook(workbook, path)
    return ExportResult(path, len(rows), [workbook.worksheets[-1].title], True)


def _run(gen: Generator) -> ExportResult:
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def write_members_workbook(path: Path | str, *, year: int | None = None) -> ExportResult:
    """`members_workbook_steps` run to the end (for the command line)."""
    return _run(members_workbook_steps(path, year=year))


def write_orders_workbook(path: Path | str, *, year: int | None = None) -> ExportResult:
    return _run(orders_workbook_steps(path, year=year))
