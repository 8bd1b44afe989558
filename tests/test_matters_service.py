"""Residents' matters: the register, every workflow transition (allowed and refused with a
Chinese message), deadlines, escalations and the figures on hand-computed examples."""

from __future__ import annotations

import datetime as dt

import pytest

from models import AuditEvent, Branch, Building, Community, Estate, Matter, MatterCategory
from wanghu_desk.errors import PermissionDenied, ValidationError
from wanghu_desk.services import matters, settings
from wanghu_desk.services.base import Actor, acting_as

TODAY = dt.date(2026, 11, 22)
D = dt.date
CLERK = Actor("clerk", "录入员", "clerk")
VIEWER = Actor("viewer", "查看", "viewer")


@pytest.fixture
def place(fresh_db):
    community = Community.create(name="望湖社区", sort_order=1)
    estate = Estate.create(name="望湖城北苑", community=community)
    other = Estate.create(name="信达小区", community=community)
    building = Building.create(estate=estate, number="3栋")
    branch = Branch.create(name="望湖城北苑小区党支部", category="estate", community=community)
    return {"estate": estate.id, "other": other.id, "building": building.id, "branch": branch.id}


MARCH_2 = D(2026, 3, 2)


def _new(place, kind="qr_report", received=MARCH_2, **extra) -> int:
    raw = {"kind": kind, "content": "3栋楼道灯不亮", "received_on": received, "estate_id": place["estate"],
           "raiser_name": "张三", "raiser_phone": "13955512345", "source": "qr"}
    raw.update(extra)
    return matters.create_matter(raw, today=TODAY)


def _walk(matter_id: int, steps: list[tuple[str, dict]]) -> None:
    for code, values in steps:
        matters.record_step(matter_id, {"step": code, **values}, today=TODAY)


DEFAULT_WALK = [
    ("assign", {"step_on": D(2026, 3, 2), "handler_branch_id": None, "handler_unit": "物业公司"}),
    ("handle", {"step_on": D(2026, 3, 3), "result": "已更换灯泡"}),
    ("feedback", {"step_on": D(2026, 3, 3), "note": "电话告知居民"}),
    ("evaluate", {"step_on": D(2026, 3, 4), "evaluation": "满意"}),
    ("close", {"step_on": D(2026, 3, 4)}),
]


# ---------------------------------------------------------------- register


def test_a_matter_is_numbered_per_kind_and_year_with_its_deadline_and_first_step(place):
    first = _new(place)
    second = _new(place)
    wish = _new(place, kind="wish", content="想要一台轮椅")
    next_year = _new(place, received=D(2025, 12, 30))
    numbers = {m.id: m.number for m in Matter.select()}
    assert numbers[first] == "SM2026-0001" and numbers[second] == "SM2026-0002"
    assert numbers[wish] == "XY2026-0001" and numbers[next_year] == "SM2025-0001"
    detail = matters.matter_detail(first, today=TODAY)
    assert detail.row.deadline_on == D(2026, 3, 9)  # 7 calendar days for 扫码报事
    assert detail.row.state_label == "已受理" and detail.next_step.label == "分派"
    assert [e.title for e in detail.timeline] == ["受理"]
    assert AuditEvent.select().where(AuditEvent.entity == "matter", AuditEvent.action == "create").count() == 4


def test_the_form_refuses_bad_input_in_chinese_and_saves_nothing(place):
    wrong = MatterCategory.get(MatterCategory.kind == "deliberation", MatterCategory.name == "加装电梯")
    cases = [
        ({"kind": "x"}, "事项类型"),
        ({"content": " "}, "请填写事项内容"),
        ({"received_on": D(2026, 12, 1)}, "晚于今天"),
        ({"received_on": "2026-13-40"}, "受理日期"),
        ({"raiser_phone": "12345"}, "联系电话"),
        ({"category_id": wrong.id}, "不是扫码报事的类别"),
        ({"building_id": place["building"], "estate_id": place["other"]}, "不在所选小区"),
        ({"level": "city"}, "办理层级"),
    ]
    for extra, words in cases:
        with pytest.raises(ValidationError) as caught:
            _new(place, **extra)
        assert words in caught.value.message, (extra, caught.value.message)
    assert Matter.select().count() == 0
    _new(place, external_no="GD001")
    with pytest.raises(ValidationError, match="已经登记过"):
        _new(place, external_no="GD001")


def test_the_catalogue_is_data_with_55_categories_for_deliberations(place):
    found = matters.category_choices("deliberation")
    assert len(found) == 55
    assert {c.domain for c in found} == {"公共管理", "公共服务", "公益事业", "物业管理"}
    assert "加装电梯" in {c.name for c in found}


def test_phones_are_masked_for_non_admins(place):
    _new(place)
    assert matters.list_matters(today=TODAY)[0].raiser_phone == "13955512345"
    with acting_as(CLERK):
        assert matters.list_matters(today=TODAY)[0].raiser_phone == "139****2345"
    assert matters.mask_phone("0551-65179666") == "0551-****9666"
    assert matters.mask_phone(None) == ""


def test_a_viewer_cannot_register_or_advance(place):
    matter_id = _new(place)
    with acting_as(VIEWER):
        with pytest.raises(PermissionDenied):
            _new(place)
        with pytest.raises(PermissionDenied):
            matters.record_step(matter_id, DEFAULT_WALK[0][1] | {"step": "assign"}, today=TODAY)


# ---------------------------------------------------------------- deadlines


def test_deadlines_count_calendar_days_across_month_and_year_ends():
    assert matters.deadline_after(D(2026, 1, 31), 7, "day") == D(2026, 2, 7)
    assert matters.deadline_after(D(2026, 2, 25), 7, "day") == D(2026, 3, 4)
    assert matters.deadline_after(D(2028, 2, 25), 7, "day") == D(2028, 3, 3)  # leap year
    assert matters.deadline_after(D(2026, 12, 28), 15, "day") == D(2027, 1, 12)


def test_month_deadlines_land_on_the_last_day_of_a_shorter_month():
    assert matters.deadline_after(D(2026, 1, 31), 1, "month") == D(2026, 2, 28)
    assert matters.deadline_after(D(2028, 1, 31), 1, "month") == D(2028, 2, 29)
    assert matters.deadline_after(D(2026, 3, 31), 3, "month") == D(2026, 6, 30)
    assert matters.deadline_after(D(2026, 11, 30), 3, "month") == D(2027, 2, 28)


def test_working_days_skip_weekends_only():
    # Friday 2026-10-30 + 3 working days = Wednesday 2026-11-04
    assert matters.deadline_after(D(2026, 10, 30), 3, "workday") == D(2026, 11, 4)
    # a Saturday start counts from Monday
    assert matters.deadline_after(D(2026, 10, 31), 1, "workday") == D(2026, 11, 2)
    # 1 October is counted as a working day: there is no holiday calendar
    assert matters.deadline_after(D(2026, 9, 30), 1, "workday") == D(2026, 10, 1)


def test_the_setting_and_a_category_change_the_deadline(place):
    settings.put("matters.deadlines", {"qr_report": [5, "workday"]})
    matter_id = _new(place, received=D(2026, 2, 27))  # a Friday
    assert matters.matter_detail(matter_id, today=TODAY).row.deadline_on == D(2026, 3, 6)
    category = MatterCategory.get(MatterCategory.kind == "qr_report", MatterCategory.name == "设施维修")
    matters.set_category_deadline(category.id, 1, "month")
    matter_id = _new(place, received=D(2026, 1, 31), category_id=category.id)
    assert matters.matter_detail(matter_id, today=TODAY).row.deadline_on == D(2026, 2, 28)
    with pytest.raises(ValidationError, match="办理时限"):
        matters.set_category_deadline(category.id, -1, "day")


# ---------------------------------------------------------------- transitions


def test_the_default_workflow_goes_step_by_step_to_closed(place):
    matter_id = _new(place)
    states = []
    for code, values in DEFAULT_WALK:
        matters.record_step(matter_id, {"step": code, **values}, today=TODAY)
        states.append(Matter.get_by_id(matter_id).state)
    assert states == ["assign", "handle", "feedback", "evaluate", "close"]
    m = Matter.get_by_id(matter_id)
    assert m.closed_on == D(2026, 3, 4) and m.evaluation == "satisfied" and m.result == "已更换灯泡"
    detail = matters.matter_detail(matter_id, today=TODAY)
    assert detail.next_step is None and detail.row.closed and not detail.row.late
    assert [e.title for e in detail.timeline] == ["受理", "分派", "办理", "反馈", "评价", "办结"]
    assert "承办：物业公司" in detail.timeline[1].text and "评价：满意" in detail.timeline[4].text


@pytest.mark.parametrize("at", range(len(DEFAULT_WALK)))
def test_skipping_a_step_is_refused(place, at):
    matter_id = _new(place)
    _walk(matter_id, DEFAULT_WALK[:at])
    for code, values in DEFAULT_WALK[at + 1:]:
        with pytest.raises(ValidationError) as caught:
            matters.record_step(matter_id, {"step": code, **values}, today=TODAY)
        due = matters.vocab.step_spec("qr_report", DEFAULT_WALK[at][0]).label
        assert f"不能跳过步骤：现在应当先「{due}」" in caught.value.message
    assert Matter.get_by_id(matter_id).state == (DEFAULT_WALK[at - 1][0] if at else "accept")


def test_a_step_done_cannot_be_repeated_and_a_closed_matter_takes_no_more(place):
    matter_id = _new(place)
    _walk(matter_id, DEFAULT_WALK[:2])
    with pytest.raises(ValidationError, match="「分派」已经办过"):
        matters.record_step(matter_id, {"step": "assign", **DEFAULT_WALK[0][1]}, today=TODAY)
    _walk(matter_id, DEFAULT_WALK[2:])
    with pytest.raises(ValidationError, match="已经办结，不能再办理"):
        matters.record_step(matter_id, {"step_on": TODAY}, today=TODAY)


def test_each_step_asks_for_what_it_needs(place):
    matter_id = _new(place)
    with pytest.raises(ValidationError, match="至少填写一个承办方"):
        matters.record_step(matter_id, {"step": "assign", "step_on": D(2026, 3, 2)}, today=TODAY)
    _walk(matter_id, DEFAULT_WALK[:1])
    with pytest.raises(ValidationError, match="请填写办理结果"):
        matters.record_step(matter_id, {"step": "handle", "step_on": D(2026, 3, 3)}, today=TODAY)
    with pytest.raises(ValidationError, match="不能早于上一步的日期（2026-03-02）"):
        matters.record_step(matter_id, {"step": "handle", "step_on": D(2026, 3, 1), "result": "x"}, today=TODAY)
    with pytest.raises(ValidationError, match="晚于今天"):
        matters.record_step(matter_id, {"step": "handle", "step_on": D(2026, 12, 1), "result": "x"}, today=TODAY)
    _walk(matter_id, DEFAULT_WALK[1:3])
    with pytest.raises(ValidationError, match="请选择居民评价"):
        matters.record_step(matter_id, {"step": "evaluate", "step_on": D(2026, 3, 4), "evaluation": "还行吧"},
                            today=TODAY)
    assert Matter.get_by_id(matter_id).state == "feedback"


def test_a_deliberation_walks_the_six_steps_of_liushi(place):
    matter_id = _new(place, kind="deliberation", content="修建非机动车停车棚", source="meeting")
    assert matters.matter_detail(matter_id, today=TODAY).next_step.label == "网格听事"
    _walk(matter_id, [
        ("listen", {"step_on": D(2026, 3, 3), "participants": "网格员李四"}),
        ("deliberate", {"step_on": D(2026, 3, 10), "participants": "小区党支部、业委会、物业、居民代表"}),
        ("decide", {"step_on": D(2026, 3, 17), "participants": "居民代表 25 人", "decision": "同意在3栋旁修建停车棚",
                    "votes_for": "23", "votes_against": 1, "votes_abstain": 1}),
    ])
    with pytest.raises(ValidationError, match="请至少填写一个承办方"):
        matters.record_step(matter_id, {"step": "act", "step_on": D(2026, 4, 1), "result": "建成"}, today=TODAY)
    with pytest.raises(ValidationError, match="票数|不能跳过"):
        matters.record_step(matter_id, {"step": "review", "step_on": D(2026, 4, 1)}, today=TODAY)
    _walk(matter_id, [
        ("act", {"step_on": D(2026, 4, 20), "handler_branch_id": place["branch"], "handler_unit": "物业公司",
                 "result": "停车棚建成，可停 120 辆"}),
        ("review", {"step_on": D(2026, 4, 25), "evaluation": "基本满意", "participants": "居民代表"}),
    ])
    detail = matters.matter_detail(matter_id, today=TODAY)
    assert [e.title for e in detail.timeline] == ["居民提事", "网格听事", "社区议事", "民主定事", "协同办事", "群众评事"]
    assert "表决：同意 23，反对 1，弃权 1" in detail.timeline[3].text
    assert detail.row.closed_on == D(2026, 4, 25) and detail.row.evaluation_label == "基本满意"


def test_votes_must_be_counts(place):
    matter_id = _new(place, kind="deliberation")
    _walk(matter_id, [("listen", {"step_on": D(2026, 3, 3), "participants": "网格员"}),
                      ("deliberate", {"step_on": D(2026, 3, 4), "participants": "三方"})])
    with pytest.raises(ValidationError, match="票数请写整数"):
        matters.record_step(matter_id, {"step": "decide", "step_on": D(2026, 3, 5), "participants": "居民",
                                        "decision": "同意", "votes_for": "二十"}, today=TODAY)
    with pytest.raises(ValidationError, match="请写明民主定事的结果"):
        matters.record_step(matter_id, {"step": "decide", "step_on": D(2026, 3, 5), "participants": "居民"},
                            today=TODAY)


def test_a_wish_is_collected_claimed_and_done_with_its_claimant(place):
    matter_id = _new(place, kind="wish", content="独居老人想要一台收音机")
    with pytest.raises(ValidationError, match="请选择认领方"):
        matters.record_step(matter_id, {"step": "claim", "step_on": D(2026, 3, 3), "claimant_name": "王五"},
                            today=TODAY)
    with pytest.raises(ValidationError, match="不能跳过步骤：现在应当先「认领」"):
        matters.record_step(matter_id, {"step": "fulfil", "step_on": D(2026, 3, 3)}, today=TODAY)
    _walk(matter_id, [("claim", {"step_on": D(2026, 3, 3), "claimant_kind": "member", "claimant_name": "王五"})])
    row = matters.matter_row(matter_id, today=TODAY)
    assert row.state_label == "已认领" and row.claimant == "王五（党员）"
    _walk(matter_id, [("fulfil", {"step_on": D(2026, 3, 8), "result": "已送到老人家中"})])
    row = matters.matter_row(matter_id, today=TODAY)
    assert row.state_label == "已完成" and row.closed_on == D(2026, 3, 8)


def test_only_an_admin_reopens_and_the_undone_step_stays_in_the_timeline(place):
    matter_id = _new(place)
    _walk(matter_id, DEFAULT_WALK)
    with acting_as(CLERK):
        with pytest.raises(PermissionDenied, match="只有管理员"):
            matters.reopen(matter_id, "评价登记错了")
    with pytest.raises(ValidationError, match="请写明重新打开的原因"):
        matters.reopen(matter_id, "  ")
    assert matters.reopen(matter_id, "办结日期登记错了") == "evaluate"
    m = Matter.get_by_id(matter_id)
    assert m.closed_on is None and m.evaluation == "satisfied"
    assert matters.reopen(matter_id, "居民评价登记错了") == "feedback"
    assert Matter.get_by_id(matter_id).evaluation is None
    detail = matters.matter_detail(matter_id, today=TODAY)
    assert [e.undone for e in detail.timeline] == [False] * 4 + [True, True]
    assert detail.timeline[-1].undone_reason == "办结日期登记错了"
    assert AuditEvent.select().where(AuditEvent.entity == "matter", AuditEvent.action == "reopen").count() == 2
    _walk(matter_id, [("evaluate", {"step_on": D(2026, 3, 5), "evaluation": "不满意"}),
                      ("close", {"step_on": D(2026, 3, 5)})])
    assert Matter.get_by_id(matter_id).evaluation == "unsatisfied"
    fresh = _new(place)
    with pytest.raises(ValidationError, match="没有可以撤回的步骤"):
        matters.reopen(fresh, "误操作")


# ---------------------------------------------------------------- escalations


def test_escalations_go_up_only_with_date_and_reason(place):
    matter_id = _new(place)
    with pytest.raises(ValidationError, match="请写明上报的原因"):
        matters.escalate(matter_id, "community", D(2026, 3, 3), "", today=TODAY)
    with pytest.raises(ValidationError, match="只能上报到更高一级"):
        matters.escalate(matter_id, "estate", D(2026, 3, 3), "x", today=TODAY)
    with pytest.raises(ValidationError, match="不能早于上一步"):
        matters.escalate(matter_id, "community", D(2026, 3, 1), "x", today=TODAY)
    matters.escalate(matter_id, "community", D(2026, 3, 3), "涉及两个小区", today=TODAY)
    with pytest.raises(ValidationError, match="只能上报到更高一级"):
        matters.escalate(matter_id, "community", D(2026, 3, 4), "再报一次", today=TODAY)
    matters.escalate(matter_id, "street", D(2026, 3, 4), "需要城管执法", today=TODAY)
    with pytest.raises(ValidationError, match="已经在街道办理"):
        matters.escalate(matter_id, "street", D(2026, 3, 5), "x", today=TODAY)
    titles = [e.title for e in matters.matter_detail(matter_id, today=TODAY).timeline]
    assert titles == ["受理", "由小区上报至社区", "由社区上报至街道"]
    _walk(matter_id, DEFAULT_WALK)
    with pytest.raises(ValidationError, match="已经办结，不能再上报"):
        matters.escalate(matter_id, "street", D(2026, 3, 5), "x", today=TODAY)


def test_escalation_counts_once_per_level_and_settles_at_the_last(place):
    a = _new(place)
    b = _new(place)
    c = _new(place)
    matters.escalate(a, "community", D(2026, 3, 3), "跨小区", today=TODAY)
    matters.escalate(a, "street", D(2026, 3, 3), "需要执法", today=TODAY)
    matters.escalate(b, "community", D(2026, 3, 3), "跨小区", today=TODAY)
    for matter_id in (a, b, c):
        _walk(matter_id, DEFAULT_WALK)
    f = matters.year_figures(2026, today=TODAY)
    assert f.escalated_to == {"community": 2, "street": 1}
    assert f.total.settled_at == {"estate": 1, "community": 1, "street": 1}
    assert f.total.level_share("estate") == "33.3%"


# ---------------------------------------------------------------- figures


def _settle(matter_id: int, closed: dt.date, evaluation: str | None) -> None:
    steps = [("assign", {"step_on": closed, "handler_unit": "物业"}), ("handle", {"step_on": closed, "result": "好"}),
             ("feedback", {"step_on": closed})]
    if evaluation:
        steps.append(("evaluate", {"step_on": closed, "evaluation": evaluation}))
    else:  # no evaluation recorded: an admin would not close it this way, the figures still count it as settled
        steps.append(("evaluate", {"step_on": closed, "evaluation": "满意"}))
    steps.append(("close", {"step_on": closed}))
    _walk(matter_id, steps)
    if not evaluation:
        Matter.update(evaluation=None).where(Matter.id == matter_id).execute()


def test_the_rates_on_a_hand_computed_example(place):
    """Eight 扫码 matters received 2 March (deadline 9 March): six settled — four on time,
    two late; evaluations 满意 ×3, 基本满意 ×1, 不满意 ×1, one without; two still open, one
    of them of another estate. 按时办结率 4/6 = 66.7 %, 满意率 4/5 = 80.0 %, overdue 2."""
    ids = [_new(place) for _ in range(7)] + [_new(place, estate_id=place["other"])]
    closes = [(D(2026, 3, 5), "满意"), (D(2026, 3, 9), "满意"), (D(2026, 3, 6), "基本满意"), (D(2026, 3, 2), None),
              (D(2026, 3, 10), "满意"), (D(2026, 3, 20), "不满意")]
    for matter_id, (closed, evaluation) in zip(ids, closes, strict=False):
        _settle(matter_id, closed, evaluation)
    f = matters.year_figures(2026, today=TODAY)
    t = f.total
    assert (t.received, t.settled, t.on_time, t.evaluated, t.satisfied, t.overdue_open) == (8, 6, 4, 5, 4, 2)
    assert (t.on_time_rate, t.satisfaction_rate) == ("66.7%", "80.0%")
    assert f.by_kind["qr_report"].received == 8 and f.by_kind["wish"].received == 0
    assert f.by_estate["望湖城北苑"].received == 7 and f.by_estate["信达小区"].overdue_open == 1
    assert f.by_quarter["2026Q1"].settled == 6
    # the first quarter alone: all received and settled in it; overdue as of 31 March
    q1 = matters.quarter_figures(2026, 1, today=TODAY)
    assert (q1.total.received, q1.total.settled, q1.total.overdue_open) == (8, 6, 2)
    # the second quarter: nothing received or settled, the two still overdue
    q2 = matters.quarter_figures(2026, 2, today=TODAY)
    assert (q2.total.received, q2.total.settled, q2.total.overdue_open, q2.total.on_time_rate) == (0, 0, 2, "—")
    # as of 5 March nothing was overdue yet
    early = matters.figures(D(2026, 3, 1), D(2026, 3, 5), today=D(2026, 3, 5))
    assert early.total.overdue_open == 0 and early.total.settled == 2


def test_rate_text_rounds_half_up():
    assert matters.rate_text(1151, 1175) == "98.0%"  # 97.957 %
    assert matters.rate_text(1150, 1175) == "97.9%"  # 97.872 %
    assert matters.rate_text(2, 3) == "66.7%"
    assert matters.rate_text(1, 8) == "12.5%"
    assert matters.rate_text(1, 16) == "6.3%"  # 6.25 → 6.3
    assert matters.rate_text(0, 0) == "—"
    assert matters.rate_text(5, 5) == "100.0%"


def test_the_overdue_reminder(place):
    a = _new(place, received=D(2026, 11, 1))
    _new(place, received=D(2026, 11, 20))
    reminder = matters.overdue_reminder(today=TODAY)
    assert (reminder.count, reminder.oldest_number) == (1, Matter.get_by_id(a).number)
    _walk(a, [(c, v | {"step_on": D(2026, 11, 21)}) for c, v in DEFAULT_WALK])
    assert matters.overdue_reminder(today=TODAY).count == 0
