"""The 首页 dashboard beyond its cards: the figures of `services.overview` (compared with
`stats.collect()` and the quarterly figures), the reminders and their rules, the charts,
and one-click navigation (`Dashboard.navigate_requested`).

No test waits on a modal dialog; the dashboard is driven on its own (the main window's
routing of `navigate_requested` is the main window's business)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DEMO_TODAY
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from models import BuildingGroup, Fund, RatingRound
from ui import formatting, theme
from ui.dashboard import Alert, Bar, BarChart, Dashboard, build_alerts, hours
from wanghu_desk import database
from wanghu_desk.services import overview, quarterly, stats


def make_dashboard(qtbot, today: dt.date = DEMO_TODAY) -> Dashboard:
    theme.apply_theme(QApplication.instance())
    dash = Dashboard(today=lambda: today)
    qtbot.addWidget(dash)
    dash.resize(1400, 800)
    dash.refresh()
    dash.show()
    qtbot.waitExposed(dash)
    return dash


def texts(dash: Dashboard) -> dict[str, Alert]:
    return {a.key: a for a in dash.alerts()}


# ---------------------------------------------------------------- services.overview


def test_overview_agrees_with_stats_and_the_quarterly_figures(demo_db):
    figures = stats.collect()
    ov = overview.overview(DEMO_TODAY)
    # members by the category of their branch add up to the members in the register
    assert ov.members_total == figures["members"]["total"]
    assert [r.code for r in ov.members_by_branch_category] == list(quarterly.vocab.BRANCH_CATEGORIES)
    assert all(r.count > 0 for r in ov.members_by_branch_category)
    # funds per category add up to this year's ledger
    ledger = figures["ledger"][str(DEMO_TODAY.year)]
    assert sum(c.allocated_fen for c in ov.funds_by_category) == ledger["allocated_fen"]
    assert sum(c.spent_fen for c in ov.funds_by_category) == ledger["spent_fen"]
    assert sum(c.branches for c in ov.funds_by_category) == figures["branches"]["total"]
    # the months of the running quarter agree with the quarterly report's figures
    now = quarterly.Quarter.containing(DEMO_TODAY)
    by_month = quarterly.volunteer_figures(now, as_of=DEMO_TODAY).by_month
    months = {(m.year, m.month): (m.records, m.minutes) for m in ov.service_by_month}
    for month, records, minutes in by_month:
        assert months[(DEMO_TODAY.year, month)] == (records, minutes)
    # the reminders use the report's rules
    members = quarterly.member_figures(now, as_of=DEMO_TODAY)
    assert (ov.probation_overdue, ov.probation_due_soon) == (members.overdue, members.due_soon)
    assert ov.probation_overdue > 0 and ov.probation_due_soon > 0  # the demo has both
    assert ov.groups_without_leader == 0 and ov.estate_below_minimum == []
    assert ov.estate_minimum_fen == 1_000_000
    assert ov.rating == overview.RatingDue(2025, "finalized", dt.date(2026, 3, 31), overdue=False)


def test_service_by_month_is_twelve_months_oldest_first_with_empty_months(fresh_db):
    months = overview.service_by_month(dt.date(2026, 2, 10))
    assert [(m.year, m.month) for m in months] == [(2025, m) for m in range(3, 13)] + [(2026, 1), (2026, 2)]
    assert all(m.records == 0 and m.minutes == 0 for m in months)


def test_rating_reminder_is_due_after_the_first_quarter(demo_db):
    assert overview.rating_due(dt.date(2027, 3, 31)) == overview.RatingDue(
        2026, "missing", dt.date(2027, 3, 31), overdue=False
    )
    assert overview.rating_due(dt.date(2027, 4, 1)).overdue
    RatingRound.update(status="open").where(RatingRound.year == 2025).execute()
    due = overview.rating_due(dt.date(2026, 5, 1))
    assert (due.status, due.overdue) == ("open", True)


# ---------------------------------------------------------------- build_alerts (pure)


def _ov(**changes) -> overview.Overview:
    base = dict(
        today=dt.date(2026, 11, 22),
        members_by_branch_category=[],
        service_by_month=[],
        funds_year=2026,
        funds_by_category=[],
        estate_minimum_fen=1_000_000,
        estate_below_minimum=[],
        probation_overdue=0,
        probation_due_soon=0,
        groups_without_leader=0,
        rating=overview.RatingDue(2025, "finalized", dt.date(2026, 3, 31), False),
        branches=3,
    )
    base.update(changes)
    return overview.Overview(**base)


def test_alerts_when_all_is_well_are_calm_and_open_nothing():
    alerts = build_alerts(_ov())
    assert [a.key for a in alerts] == ["probation", "estate_funds", "groups", "rating"]
    assert all(a.level == "ok" and not a.actionable for a in alerts)
    assert alerts[1].text == "小区党支部 2026 年专项经费均已达到 ¥10,000"


def test_alerts_name_the_counts_and_where_to_go():
    alerts = {
        a.key: a
        for a in build_alerts(
            _ov(
                probation_overdue=3,
                probation_due_soon=12,
                estate_below_minimum=["翠湖苑小区党支部", "望湖花园小区党支部"],
                groups_without_leader=5,
                rating=overview.RatingDue(2025, "open", dt.date(2026, 3, 31), True),
            )
        )
    }
    assert alerts["probation"] == Alert(
        "probation",
        "alert",
        "预备党员转正：已到期 3 名，30 天内到期 12 名",
        "members",
        {"due_for_confirmation": True},
        tooltip="已到期：入党满一年仍未办理转正",
    )
    funds = alerts["estate_funds"]
    assert (funds.level, funds.target, funds.payload) == ("alert", "ledger", {"compliance": True, "year": 2026,
                                                                                "below_minimum": True})
    assert funds.text == "小区党支部 2026 年专项经费不足 ¥10,000：2 个"
    assert "翠湖苑小区党支部" in funds.tooltip
    groups = alerts["groups"]
    assert (groups.text, groups.target, groups.payload) == (
        "没有党小组长的楼栋党小组：5 个",
        "groups",
        {"without_leader": True},
    )
    rating = alerts["rating"]
    assert (rating.level, rating.target, rating.payload) == ("alert", "rating", {"year": 2025})
    assert rating.text == "2025 年度星级评定尚未定级（应于 3 月 31 日前完成）"


def test_coming_up_is_a_notice_not_an_alert():
    alerts = {
        a.key: a
        for a in build_alerts(
            _ov(
                probation_due_soon=4,
                today=dt.date(2026, 2, 1),
                rating=overview.RatingDue(2025, "missing", dt.date(2026, 3, 31), False),
            )
        )
    }
    assert alerts["probation"].level == "notice" and alerts["probation"].text == "预备党员转正：30 天内到期 4 名"
    assert alerts["probation"].target == "members"
    assert alerts["rating"].level == "notice"
    assert alerts["rating"].text == "2025 年度星级评定尚未开始，请于 3 月 31 日前定级"
    assert alerts["rating"].payload == {"year": 2025}


def test_without_branches_only_the_probation_reminder_shows():
    assert [a.key for a in build_alerts(_ov(branches=0))] == ["probation"]
    assert "estate_funds" not in [a.key for a in build_alerts(_ov(estate_minimum_fen=0))]


# ---------------------------------------------------------------- the dashboard


def test_dashboard_draws_the_demo_figures_in_its_charts(qtbot, demo_db):
    dash = make_dashboard(qtbot)
    ov = overview.overview(DEMO_TODAY)
    figures = stats.collect()
    # members by branch category
    bars = {b.label: b for b in dash.members_chart.bars}
    for row in ov.members_by_branch_category:
        assert bars[row.label].text == f"{formatting.count(row.count)} 名"
    assert sum(b.value for b in dash.members_chart.bars) == figures["members"]["total"]
    # spend rate per category, as a share of 100 %
    assert dash.spend_chart.full_scale == 1.0
    estate = next(c for c in ov.funds_by_category if c.code == "estate")
    bar = next(b for b in dash.spend_chart.bars if b.label == estate.label)
    permille = estate.spend_rate_permille
    assert bar.text == f"{permille // 10}.{permille % 10}%"
    assert formatting.money(estate.allocated_fen) in bar.tooltip
    assert "2026 年度" in dash.spend_card.title_label.text()
    # volunteer hours by month: twelve months, the total on the card
    assert len(dash.month_chart.months) == 12
    assert (dash.month_chart.months[-1].year, dash.month_chart.months[-1].month) == (2026, 11)
    total = sum(m.minutes for m in dash.month_chart.months)
    assert dash.service_card.value_label.text() == formatting.count(hours(total))
    assert "服务" in dash.service_card.unit_label.text()
    assert "2026年11月：服务" in dash.month_chart.tooltip_for(
        11
    ) and "截至 11 月 22 日" in dash.month_chart.tooltip_for(11)
    # branches card lists every category in two columns, as stats says
    rows = dict(dash.branches_card.detail_texts())
    assert rows["小区(片区)党支部"] == str(figures["branches"]["by_category"]["estate"])
    # the reminders of the demo: 转正 due, all else in order
    alerts = texts(dash)
    members = quarterly.member_figures(quarterly.Quarter.containing(DEMO_TODAY), as_of=DEMO_TODAY)
    assert alerts["probation"].level == "alert"
    assert alerts["probation"].text == f"预备党员转正：已到期 {members.overdue} 名，30 天内到期 {members.due_soon} 名"
    assert [alerts[k].level for k in ("estate_funds", "groups", "rating")] == ["ok", "ok", "ok"]
    assert alerts["matters"].level == "alert"  # the demo has a few overdue residents' matters
    assert dash.status_text().endswith("待办提醒 2 项")
    image = dash.grab().toImage()  # every chart paints without a Qt warning
    assert not image.isNull()


def test_clicking_the_probation_reminder_asks_for_the_members_due(qtbot, demo_db):
    dash = make_dashboard(qtbot)
    row = dash.alerts_panel.row("probation")
    assert row is not None and row.link is not None and row.link.isVisible()
    with qtbot.waitSignal(dash.navigate_requested, timeout=1000) as signal:
        qtbot.mouseClick(row.link, Qt.MouseButton.LeftButton)
    assert signal.args == ["members", {"due_for_confirmation": True}]
    # clicking the sentence itself works too, once per click
    emitted = []
    dash.navigate_requested.connect(lambda *args: emitted.append(args))
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton, pos=QPoint(20, row.height() // 2))
    qtbot.mouseClick(row.link, Qt.MouseButton.LeftButton)
    assert emitted == [("members", {"due_for_confirmation": True})] * 2


def test_each_alert_opens_its_tab_with_its_filter(qtbot, demo_db):
    groups = [g.id for g in BuildingGroup.select().limit(3)]
    BuildingGroup.update(leader=None).where(BuildingGroup.id.in_(groups)).execute()
    Fund.update(minimum_fen=2_000_000).where(Fund.minimum_fen > 0).execute()  # ¥20,000: every estate branch short
    RatingRound.update(status="open").where(RatingRound.year == 2025).execute()
    dash = make_dashboard(qtbot, today=dt.date(2026, 11, 22))
    alerts = texts(dash)
    assert alerts["groups"].text == "没有党小组长的楼栋党小组：3 个"
    assert alerts["estate_funds"].text == "小区党支部 2026 年专项经费不足 ¥20,000：29 个"
    assert alerts["rating"].text == "2025 年度星级评定尚未定级（应于 3 月 31 日前完成）"
    expected = {
        "groups": ["groups", {"without_leader": True}],
        "estate_funds": ["ledger", {"compliance": True, "year": 2026, "below_minimum": True}],
        "rating": ["rating", {"year": 2025}],
    }
    for key, args in expected.items():
        row = dash.alerts_panel.row(key)
        assert row.property("level") == "alert"
        with qtbot.waitSignal(dash.navigate_requested, timeout=1000) as signal:
            qtbot.mouseClick(row.link, Qt.MouseButton.LeftButton)
        assert signal.args == args, key
    assert dash.status_text().endswith("待办提醒 5 项")  # and the demo's overdue matters


def test_rating_not_finalized_after_march_points_at_last_year(qtbot, demo_db):
    dash = make_dashboard(qtbot, today=dt.date(2027, 4, 2))
    rating = texts(dash)["rating"]
    assert rating.text == "2026 年度星级评定尚未开始（应于 3 月 31 日前完成）"
    with qtbot.waitSignal(dash.navigate_requested, timeout=1000) as signal:
        qtbot.mouseClick(dash.alerts_panel.row("rating").link, Qt.MouseButton.LeftButton)
    assert signal.args == ["rating", {"year": 2026}]


def test_a_reminder_with_nothing_to_do_opens_nothing(qtbot, demo_db):
    dash = make_dashboard(qtbot)
    row = dash.alerts_panel.row("groups")
    assert row.link is None
    emitted = []
    dash.navigate_requested.connect(lambda *args: emitted.append(args))
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton, pos=QPoint(20, row.height() // 2))
    assert emitted == []


def test_refresh_follows_the_database(qtbot, demo_db):
    dash = make_dashboard(qtbot)
    assert texts(dash)["groups"].level == "ok"
    first = BuildingGroup.select().first()
    BuildingGroup.update(leader=None).where(BuildingGroup.id == first.id).execute()
    dash.refresh()
    assert texts(dash)["groups"].text == "没有党小组长的楼栋党小组：1 个"
    assert len(dash.alerts_panel.rows) == 5  # rows are replaced, not added (matters among them)


def test_a_year_without_service_draws_an_empty_month_chart(qtbot, demo_db):
    database.db.execute_sql("DELETE FROM service_record")
    dash = make_dashboard(qtbot)
    assert all(m.minutes == 0 for m in dash.month_chart.months)
    assert dash.service_card.value_label.text() == "0"
    assert not dash.grab().isNull()


def test_bar_chart_finds_the_bar_under_the_mouse(qtbot):
    chart = BarChart("testChart", full_scale=1.0)
    qtbot.addWidget(chart)
    chart.set_bars([Bar("甲", 0.5, "50.0%", tooltip="甲的说明"), Bar("乙", 1.2, "120.0%", alert=True)])
    chart.resize(chart.sizeHint())
    row_h = chart.fontMetrics().height() + 8
    assert chart.bar_at(QPoint(5, 3)) == 0
    assert chart.bar_at(QPoint(5, row_h + 4)) == 1
    assert chart.bar_at(QPoint(5, 3 * row_h + 4)) is None
    assert not chart.grab().isNull()
    chart.set_bars([])
    assert chart.empty_text == "暂无数据" and not chart.grab().isNull()


@pytest.mark.parametrize("minutes, expected", [(0, 0), (29, 0), (30, 1), (90, 2), (61_200, 1_020)])
def test_hours_round_half_up(minutes, expected):
    assert hours(minutes) == expected
