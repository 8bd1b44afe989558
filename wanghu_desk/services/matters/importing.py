"""Writing imported 工单 (the `matters` import kind): each one registered by
`register.create_matter` and walked through the workflow by `workflow.record_step`, in
the import's transaction (`services.imports.commit`: one backup, one audit event naming
the file; every matter and step keeps its own audit event, as when entered by hand).

A row with 办结时间 becomes a settled matter: 受理 (反映时间) → 分派 → 办理 → 反馈 →
评价 → 办结 (办结时间), the 满意度 as the residents' evaluation. Without a 满意度 it stops
at 反馈 (the 评价 step needs one); without 办结时间 it stops at 办理 when the row has a
办理结果, at 分派 when it names a 承办单位, else at 受理. The handler of 分派 is the row's
承办单位, else the branch that serves the matter's estate, else 社区.

A 工单编号 already registered (or seen earlier in the file) is unchanged, never an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import Any

from models import BranchEstate, Matter
from wanghu_desk.services.matters.register import create_matter
from wanghu_desk.services.matters.workflow import record_step

__all__ = ["classify", "commit", "register_row"]

INSERT, UNCHANGED = "insert", "unchanged"
_CHUNK = 900
_FORM_FIELDS = ("kind", "category_id", "source", "estate_id", "building_id", "grid", "raiser_name", "raiser_phone",
                "content", "received_on", "level", "note", "external_no")
#: 办理结果 of a settled 工单 whose export does not say what was done.
NO_RESULT = "已办结（工单未写明办理结果）"
DEFAULT_HANDLER = "社区"


def _stored_numbers(records: list[dict[str, Any]]) -> set[str]:
    wanted = sorted({r["external_no"] for r in records if r.get("external_no")})
    found: set[str] = set()
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        found.update(n for (n,) in Matter.select(Matter.external_no).where(Matter.external_no.in_(chunk)).tuples())
    return found


def classify(records: list[dict[str, Any]], options: dict[str, Any] | None = None) -> list[str]:
    """"unchanged" for a 工单编号 already registered or repeated in the file, else "insert"."""
    stored = _stored_numbers(records)
    return [UNCHANGED if rec.get("duplicate_of") or rec.get("external_no") in stored else INSERT for rec in records]


def _estate_branches() -> dict[int, int]:
    out: dict[int, int] = {}
    for branch_id, estate_id in BranchEstate.select(BranchEstate.branch, BranchEstate.estate).order_by(
            BranchEstate.id).tuples():
        out.setdefault(estate_id, branch_id)
    return out


def register_row(rec: dict[str, Any], *, today: dt.date, estate_branches: dict[int, int]) -> int:
    """Register one 工单 and record the steps it has been through; returns the matter id."""
    matter_id = create_matter({name: rec.get(name) for name in _FORM_FIELDS}, today=today)
    received: dt.date = rec["received_on"]
    closed: dt.date | None = rec.get("closed_on")
    result = rec.get("result") or (NO_RESULT if closed else None)
    unit = rec.get("handler_unit")
    if not (unit or result):
        return matter_id
    branch = estate_branches.get(rec.get("estate_id")) if not unit and rec.get("estate_id") else None
    record_step(matter_id, {"step": "assign", "step_on": received, "handler_branch_id": branch,
                            "handler_unit": unit or (None if branch else DEFAULT_HANDLER)}, today=today)
    if result is None:
        return matter_id
    record_step(matter_id, {"step": "handle", "step_on": closed or received, "result": result}, today=today)
    if closed is None:
        return matter_id
    record_step(matter_id, {"step": "feedback", "step_on": closed}, today=today)
    if rec.get("evaluation") is None:
        return matter_id
    record_step(matter_id, {"step": "evaluate", "step_on": closed, "evaluation": rec["evaluation"]}, today=today)
    record_step(matter_id, {"step": "close", "step_on": closed}, today=today)
    return matter_id


def commit(records: list[dict[str, Any]], counts: Any, source: str,
           options: dict[str, Any] | None = None) -> Generator[tuple[int, int, str], None, None]:
    """Register the new 工单 (inside the import's transaction); duplicates count as unchanged."""
    options = options or {}
    today = options.get("today") or dt.date.today()
    actions = classify(records, options)
    todo = [rec for rec, action in zip(records, actions) if action == INSERT]
    counts.unchanged += len(records) - len(todo)
    branches = _estate_branches()
    total = len(todo)
    yield 0, total, f"正在登记 {total:,} 件工单…"
    for i, rec in enumerate(todo, 1):
        register_row(rec, today=today, estate_branches=branches)
        counts.inserted += 1
        if i % 50 == 0:
            yield i, total, f"正在登记工单 {i:,} / {total:,} 件…"
    yield total, total, "正在登记工单…"
