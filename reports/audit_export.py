"""The 操作日志 as an Excel workbook: the events the audit viewer lists, one row each, with
the changed fields in readable Chinese ("姓名：张三 → 李四"). The rows come from
`wanghu_desk.services.audit_log.search` (administrators only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from reports.xlsx_style import SheetColumn, new_workbook, save_workbook, write_table_sheet
from wanghu_desk.services import stats
from wanghu_desk.services.audit_log import LogEntry

COLUMNS = (
    SheetColumn("序号", "int"),
    SheetColumn("时间", "code", 20),
    SheetColumn("账号", "code"),
    SheetColumn("对象", "code"),
    SheetColumn("记录编号", "int"),
    SheetColumn("操作", "code"),
    SheetColumn("内容", "text", 80),
)


def write_audit_workbook(path: Path | str, entries: Sequence[LogEntry], *, filters: str = "") -> Path:
    """Write `entries` (newest first, as listed) to `path` (.xlsx); a file open in Excel
    gives a `UserError` saying to close it, and no half-written file is left."""
    rows = [
        (i, e.at, e.account, e.entity, e.entity_id, e.action, e.details)
        for i, e in enumerate(entries, start=1)
    ]
    note = f"　筛选：{filters}" if filters else ""
    workbook = new_workbook()
    write_table_sheet(
        workbook,
        "操作日志",
        f"{stats.organization_name()}操作日志",
        COLUMNS,
        rows,
        subtitle=f"导出日期：{dt.date.today().isoformat()}　共 {len(rows):,} 条{note}",
    )
    return save_workbook(workbook, path)
