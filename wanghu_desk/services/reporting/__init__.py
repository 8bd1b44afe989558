"""在职党员双报到 and 三单制: the registration of members who report to the community where
they live, and the orders 居民点单 → 支部下单 → 党员接单 → 完成.

Split by concern: `vocab` (states and labels as data), `members` (registration),
`orders` (the order workflow), `figures` (counts for 积分, the dashboard, reports).
Callers use `from wanghu_desk.services import reporting; reporting.orders_done_by_member(…)`.
"""

from wanghu_desk.services.reporting import vocab
from wanghu_desk.services.reporting.figures import (
    ReportingDashboard,
    ReportingFigures,
    dashboard,
    minutes_by_member,
    orders_done_by_member,
    quarter_figures,
    stats_summary,
)

__all__ = [
    "ReportingDashboard", "ReportingFigures", "dashboard", "minutes_by_member", "orders_done_by_member",
    "quarter_figures", "stats_summary", "vocab",
]
