"""Residents' matters (事项): 社情民意, 议事协商, 矛盾调解, 扫码报事, 微心愿 — the register,
the workflow with its states as data, and the figures every view shares.

Split by concern: `vocab` (kinds, steps, levels as data), `deadlines`, `register`
(form check, create, list, detail), `workflow` (steps, escalations, reopen), `figures`.
Callers use `from wanghu_desk.services import matters; matters.create_matter(…)`.
"""

from wanghu_desk.services.matters import vocab
from wanghu_desk.services.matters._common import mask_phone
from wanghu_desk.services.matters.deadlines import (
    add_months,
    add_workdays,
    deadline_after,
    deadline_rule,
    kind_deadlines,
    rule_text,
)
from wanghu_desk.services.matters.figures import (
    MatterFigures,
    OverdueReminder,
    Tally,
    figures,
    overdue_reminder,
    quarter_figures,
    rate_text,
    stats_summary,
    year_figures,
)
from wanghu_desk.services.matters.register import (
    MATTER_LABELS,
    CategoryChoice,
    MatterDetail,
    MatterRow,
    PlaceChoice,
    TimelineEntry,
    branch_choices,
    category_choices,
    check_matter,
    claimant_text,
    create_matter,
    deadline_for,
    handler_text,
    list_matters,
    matter_detail,
    matter_row,
    next_number,
    place_choices,
    set_category_deadline,
)
from wanghu_desk.services.matters.workflow import STEP_LABELS, check_step, escalate, record_step, reopen

__all__ = [
    "MATTER_LABELS", "STEP_LABELS", "CategoryChoice", "MatterDetail", "MatterFigures", "MatterRow",
    "OverdueReminder", "PlaceChoice", "Tally", "branch_choices", "place_choices", "TimelineEntry", "add_months", "add_workdays", "category_choices",
    "check_matter", "check_step", "claimant_text", "create_matter", "deadline_after", "deadline_for",
    "deadline_rule", "escalate", "figures", "handler_text", "kind_deadlines", "list_matters", "mask_phone",
    "matter_detail", "matter_row", "next_number", "overdue_reminder", "quarter_figures", "rate_text",
    "record_step", "reopen", "rule_text", "set_category_deadline", "stats_summary", "vocab", "year_figures",
]
