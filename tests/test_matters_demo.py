"""The demo's matters echo the seeds, obey the workflow, and reach `stats --json`."""

from __future__ import annotations

import datetime as dt
import json

from models import Matter, MatterStep
from wanghu_desk import cli
from wanghu_desk.services import matters, stats

DEMO_TODAY = dt.date(2026, 11, 22)


def test_the_demo_figures_echo_the_seeds(demo_db):
    f = matters.figures(DEMO_TODAY - dt.timedelta(days=364), DEMO_TODAY, today=DEMO_TODAY)
    qr = f.by_kind["qr_report"]
    assert 300 <= qr.received <= 500
    assert 97.0 <= 100 * qr.on_time / qr.settled <= 99.5  # seed 004: 98 % on time
    assert qr.satisfied == qr.evaluated == qr.settled  # and 100 % satisfied
    wish = f.by_kind["wish"]
    assert (wish.received, wish.settled) == (500, 320)  # seed 004: 500 wishes, 320 fulfilled
    deliberations = {m.content for m in Matter.select().where(Matter.kind == "deliberation")}
    for title in ("修建非机动车停车棚", "新建智慧健身驿站", "治理机动车乱停放", "老旧楼栋加装电梯"):
        assert f"居民提出：{title}" in deliberations
    share = f.total.settled_at
    assert share["estate"] > share["community"] > share["street"] > 0  # 小事不出小区 …
    assert matters.overdue_reminder(today=DEMO_TODAY).count > 0


def test_the_demo_matters_follow_the_workflow(demo_db):
    for m in Matter.select():
        steps = list(MatterStep.select().where(MatterStep.matter == m.id).order_by(MatterStep.id))
        codes = [s.code for s in matters.vocab.steps_of(m.kind)]
        assert [s.step for s in steps] == codes[: len(steps)], m.number
        days = [s.step_on for s in steps]
        assert days == sorted(days) and days[-1] <= DEMO_TODAY and days[0] == m.received_on
        assert m.state == steps[-1].step
        assert (m.closed_on is not None) == matters.vocab.is_closed_state(m.kind, m.state)
        if m.closed_on is not None:
            assert m.closed_on == days[-1]
        if m.kind == "wish" and m.state != "collect":
            assert m.claimant_name and m.claimant_kind


def test_stats_json_has_the_matters_of_the_year(demo_db, capsys):
    figures = stats.collect(today=DEMO_TODAY)
    assert figures["matters"] == matters.stats_summary(DEMO_TODAY)
    assert cli.main(["--db", str(demo_db.path), "stats", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {"received", "settled", "on_time_rate", "satisfaction_rate", "overdue_open", "by_kind"} <= set(
        printed["matters"])
    assert set(printed["matters"]["by_kind"]) == set(matters.vocab.KINDS)
