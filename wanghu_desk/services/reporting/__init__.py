"""在职党员双报到 and 三单制: the registration of members who report to the community where
they live, and the orders 居民点单 → 支部下单 → 党员接单 → 完成.

Split by concern: `vocab` (states and labels as data), `members` (registration),
`orders` (the order workflow and the 反馈单's data), `figures` (counts for 积分, the
dashboard, the quarterly report and `stats --json`).
Callers use `from wanghu_desk.services import reporting; reporting.orders_done_by_member(…)`.
"""

from wanghu_desk.services.reporting import labels, vocab
from wanghu_desk.services.reporting.figures import (
    ReportingDashboard,
    ReportingFigures,
    dashboard,
    minutes_by_member,
    orders_done_by_member,
    quarter_figures,
    stats_summary,
)
from wanghu_desk.services.reporting.members import (
    ReportingMemberRow,
    check_registration,
    list_members,
    member_choices,
    place_choices,
    register_member,
    registration_values,
    reporting_member_choices,
    update_registration,
    withdraw_member,
)
from wanghu_desk.services.reporting.orders import (
    LetterData,
    OrderRow,
    accept_order,
    allowed_steps,
    assign_order,
    branch_choices,
    cancel_order,
    check_order,
    check_step,
    complete_order,
    letter_data,
    list_orders,
    next_number,
    order_row,
    place_order,
    wish_choices,
)

__all__ = [
    "LetterData", "OrderRow", "ReportingDashboard", "ReportingFigures", "ReportingMemberRow", "accept_order",
    "allowed_steps", "assign_order", "branch_choices", "cancel_order", "check_order", "check_registration",
    "check_step", "complete_order", "dashboard", "letter_data", "list_members", "list_orders", "member_choices",
    "minutes_by_member", "next_number", "order_row", "orders_done_by_member", "place_choices", "place_order",
    "quarter_figures", "register_member", "registration_values", "reporting_member_choices", "stats_summary",
    "labels", "update_registration", "vocab", "wish_choices", "withdraw_member",
]
