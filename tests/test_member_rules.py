"""The member rules of the party constitution (issue 11): 入党 at 18 or older (29 February
births turn 18 on 1 March), 入党日期 neither in the future nor before birth, 转正 not before
the probation ends, 延长预备期 after the normal end and at most one year after it, with a
reason — as pure functions (`validation.member_rule_errors`, at the boundaries, with
hypothesis), through the member service, the member form, the Excel importer, and every
place that computes when 转正 is due (`validation.probation_due`)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from test_members_factory import TODAY, add_member, make_id, make_org, member_form, themed, type_text

from models import AuditEvent, Branch, Community, Member
from reports import importing
from ui.member_dialog import ConfirmDialog, MemberDialog
from wanghu_desk import validation
from wanghu_desk.errors import ValidationError
from wanghu_desk.services import audit_log, exports, members, quarterly
from wanghu_desk.validation import (
    eighteenth_birthday,
    member_rule_errors,
    probation_due,
    probation_due_date,
    probation_extension_limit,
)

DAY = dt.timedelta(days=1)
# Birth dates of people who could be members now; 29 February is drawn often enough.
births = st.dates(dt.date(1920, 1, 1), dt.date(2008, 11, 22)) | st.sampled_from(
    [dt.date(y, 2, 29) for y in range(1924, 2009, 4)]
)
joins = st.dates(dt.date(1950, 1, 1), dt.date(2025, 11, 22))


def rules(*, category="full", born=None, joined=None, confirmed=None, extended_to=None, reason=None, today=TODAY):
    return member_rule_errors(category=category, born=born, joined=joined, confirmed=confirmed,
                              extended_to=extended_to, reason=reason, today=today)


def fields(errors) -> list[str]:
    return [name for name, _message in errors]


# ---------------------------------------------------------------- 18 years old


def test_the_message_names_the_joining_day_the_18th_birthday_and_the_birth_date():
    ((name, message),) = rules(born=dt.date(1994, 3, 15), joined=dt.date(2010, 5, 1))
    assert name == "joined_on"
    assert "入党日期 2010-05-01" in message and "年满18周岁之日 2012-03-15" in message
    assert "出生日期 1994-03-15" in message and "不满 18 周岁" in message


@given(births)
def test_the_day_before_the_18th_birthday_is_refused_and_the_day_itself_is_not(born):
    adult = eighteenth_birthday(born)
    if adult - DAY <= TODAY:
        errors = rules(born=born, joined=adult - DAY)
        assert fields(errors) == ["joined_on"] and adult.isoformat() in errors[0][1]
    if adult <= TODAY:
        assert rules(born=born, joined=adult) == []


@given(births)
def test_the_18th_birthday_is_the_same_day_18_years_on_or_1_march_for_a_leap_day(born):
    adult = eighteenth_birthday(born)
    assert adult.year == born.year + 18
    if (born.month, born.day) == (2, 29):
        assert (adult.month, adult.day) == (3, 1)
    else:
        assert (adult.month, adult.day) == (born.month, born.day)


@pytest.mark.parametrize("year", [1996, 2000, 2004, 2008])
def test_born_on_29_february_is_18_on_1_march_not_28_february(year):
    born = dt.date(year, 2, 29)
    assert eighteenth_birthday(born) == dt.date(year + 18, 3, 1)
    assert fields(rules(born=born, joined=dt.date(year + 18, 2, 28))) == ["joined_on"]
    assert rules(born=born, joined=dt.date(year + 18, 3, 1)) == []


def test_born_2008_02_29_turns_18_on_2026_03_01():
    assert eighteenth_birthday(dt.date(2008, 2, 29)) == dt.date(2026, 3, 1)


# ---------------------------------------------------------------- future, before birth


def test_a_joining_day_after_today_is_refused_with_a_pinned_today():
    today = dt.date(2026, 11, 22)
    assert rules(joined=today, today=today, category="probationary") == []
    ((name, message),) = rules(joined=today + DAY, today=today, category="probationary")
    assert name == "joined_on" and "2026-11-23" in message and "晚于今天" in message and "2026-11-22" in message


@given(births, st.integers(1, 20000))
def test_a_joining_day_before_birth_is_refused_naming_both(born, days):
    joined = born - dt.timedelta(days=days)
    ((name, message),) = rules(born=born, joined=joined)
    assert name == "joined_on" and "早于出生日期" in message
    assert joined.isoformat() in message and born.isoformat() in message


# ---------------------------------------------------------------- 转正


@given(joins)
def test_confirmation_exactly_one_year_after_joining_is_accepted_one_day_earlier_refused(joined):
    due = probation_due_date(joined)
    assert rules(joined=joined, confirmed=due) == []
    ((name, message),) = rules(joined=joined, confirmed=due - DAY)
    assert name == "confirmed_on"
    assert (due - DAY).isoformat() in message and joined.isoformat() in message and due.isoformat() in message


def test_confirmation_rules_are_for_full_members_and_before_joining_is_said_so():
    joined = dt.date(2020, 7, 1)
    ((_, message),) = rules(joined=joined, confirmed=dt.date(2020, 6, 30))
    assert "早于入党日期 2020-07-01" in message
    assert rules(category=None, joined=joined, confirmed=dt.date(2020, 6, 30)) == []  # unknown category


def test_a_leap_day_joiner_may_be_confirmed_on_28_february():
    joined = dt.date(2024, 2, 29)
    assert rules(joined=joined, confirmed=dt.date(2025, 2, 28)) == []
    assert fields(rules(joined=joined, confirmed=dt.date(2025, 2, 27))) == ["confirmed_on"]


# ---------------------------------------------------------------- 延长预备期


@given(joins)
def test_an_extension_of_exactly_one_year_is_accepted_one_year_and_a_day_refused(joined):
    normal = probation_due_date(joined)
    limit = probation_extension_limit(joined)
    assert limit == probation_due_date(normal)
    reason = "支部大会决议延长预备期一年"
    assert rules(category="probationary", joined=joined, extended_to=limit, reason=reason) == []
    assert rules(category="probationary", joined=joined, extended_to=normal + DAY, reason=reason) == []
    ((name, message),) = rules(category="probationary", joined=joined, extended_to=limit + DAY, reason=reason)
    assert name == "probation_extended_to" and "最多延长一年" in message
    assert (limit + DAY).isoformat() in message and normal.isoformat() in message and limit.isoformat() in message
    ((name, message),) = rules(category="probationary", joined=joined, extended_to=normal, reason=reason)
    assert name == "probation_extended_to" and normal.isoformat() in message


def test_an_extension_needs_a_reason_and_a_reason_needs_a_date():
    joined = dt.date(2025, 1, 10)
    ((name, message),) = rules(category="probationary", joined=joined, extended_to=dt.date(2026, 7, 10))
    assert name == "probation_extension_reason" and "原因" in message
    ((name, _),) = rules(category="probationary", joined=joined, reason="表现不够")
    assert name == "probation_extended_to"


def test_a_full_member_keeps_an_extension_as_history_and_was_confirmed_after_it():
    joined, extended = dt.date(2020, 3, 1), dt.date(2021, 9, 1)
    kw = {"joined": joined, "extended_to": extended, "reason": "延长半年"}
    assert rules(confirmed=extended, **kw) == []
    ((name, message),) = rules(confirmed=extended - DAY, **kw)
    assert name == "confirmed_on" and "延长后的预备期满之日 2021-09-01" in message


def test_the_due_date_counts_the_extension():
    joined = dt.date(2025, 3, 1)
    assert probation_due(joined) == dt.date(2026, 3, 1) == probation_due_date(joined)
    assert probation_due(joined, dt.date(2026, 9, 1)) == dt.date(2026, 9, 1)


@given(births, joins, st.integers(-800, 1200), st.one_of(st.none(), st.integers(-30, 400)))
def test_the_shortcuts_agree_with_the_plain_rules(born, joined, confirm_after, extend_after):
    """The cheap year comparisons of `member_rule_errors` find what the rules say."""
    confirmed = joined + dt.timedelta(days=confirm_after)
    normal = probation_due_date(joined)
    extended = None if extend_after is None else normal + dt.timedelta(days=extend_after)
    reason = None if extended is None else "原因"
    got = fields(rules(born=born, joined=joined, confirmed=confirmed, extended_to=extended, reason=reason))
    expected = []
    joined_ok = born <= joined and joined >= eighteenth_birthday(born)
    if not joined_ok:
        expected.append("joined_on")
    elif extended is not None and not (normal < extended <= probation_extension_limit(joined)):
        expected.append("probation_extended_to")
    if joined_ok:
        valid_extension = extended is not None and normal < extended <= probation_extension_limit(joined)
        if confirmed < (extended if valid_extension else normal):
            expected.append("confirmed_on")
    assert got == expected


def test_rules_without_dates_find_nothing():
    assert rules(category=None) == []
    assert rules(born=dt.date(1990, 1, 1)) == []


# ---------------------------------------------------------------- the member service


@pytest.fixture
def org(fresh_db):
    return make_org()


def test_the_service_refuses_an_under_age_joiner_naming_the_dates(org):
    form = member_form(org.branch, id_number=make_id("19940315"), joined_on="2010-05-01", confirmed_on="2011-05-01")
    check = members.check_member(form, today=TODAY)
    assert "年满18周岁之日 2012-03-15" in check.errors["joined_on"] and "1994-03-15" in check.errors["joined_on"]
    with pytest.raises(ValidationError) as info:
        members.create_member(form, today=TODAY)
    assert info.value.field == "joined_on" and Member.select().count() == 0


def test_the_service_checks_the_confirmation_and_the_extension(org):
    check = members.check_member(member_form(org.branch, joined_on="2010-07-01", confirmed_on="2011-06-30"),
                                 today=TODAY)
    assert "早于预备期满之日 2011-07-01" in check.errors["confirmed_on"]
    probationary = {"category": "probationary", "joined_on": "2025-06-01", "confirmed_on": ""}
    check = members.check_member(member_form(org.branch, **probationary, probation_extended_to="2027-06-02",
                                             probation_extension_reason="延长一年"), today=TODAY)
    assert "最晚 2027-06-01" in check.errors["probation_extended_to"]
    check = members.check_member(member_form(org.branch, **probationary, probation_extended_to="2026-12-01"),
                                 today=TODAY)
    assert "原因" in check.errors["probation_extension_reason"]
    check = members.check_member(member_form(org.branch, **probationary, probation_extended_to="2026-13-01",
                                             probation_extension_reason="延长半年"), today=TODAY)
    assert list(check.errors) == ["probation_extended_to"]  # unreadable: one message, not two


def test_an_extension_is_stored_audited_shown_and_moves_every_due_date(org):
    mid = add_member(org.branch, category="probationary", joined_on="2025-11-10", confirmed_on="")
    assert members.roster_row(mid)[members.R_DUE] == "2026-11-10"
    assert [m.id for m in members.probation_reminders(TODAY).members] == [mid]  # overdue

    form = members.member_detail(mid, today=TODAY).values | {
        "probation_extended_to": "2027-05-10", "probation_extension_reason": "支部大会决议延长预备期半年"}
    assert members.update_member(mid, form, today=TODAY)
    m = Member.get_by_id(mid)
    assert (m.probation_extended_to, m.probation_extension_reason) == (dt.date(2027, 5, 10), "支部大会决议延长预备期半年")
    event = AuditEvent.select().where(AuditEvent.entity_id == mid, AuditEvent.action == "update").get()
    assert "2027-05-10" in event.after_json
    assert audit_log.FIELD_LABELS["member"]["probation_extended_to"] == "延长预备期至"
    assert members.FIELD_LABELS["probation_extension_reason"] == "延长预备期原因"

    assert members.roster_row(mid)[members.R_DUE] == "2027-05-10"
    detail = members.member_detail(mid, today=TODAY)
    assert detail.due_on == "2027-05-10" and detail.values["probation_extension_reason"] == "支部大会决议延长预备期半年"
    assert members.probation_reminders(TODAY).members == []
    assert [m.id for m in members.probation_reminders(dt.date(2027, 4, 20)).members] == [mid]
    figures = quarterly.member_figures(quarterly.Quarter(2027, 2))
    assert [(p.member_id, p.due_on) for p in figures.probation_due] == [(mid, dt.date(2027, 5, 10))]
    assert quarterly.member_figures(quarterly.Quarter(2026, 4)).probation_due == []

    with pytest.raises(ValidationError) as info:
        members.confirm_full(mid, "2027-05-09", today=dt.date(2027, 6, 1))
    assert "延长后的预备期满日期" in info.value.message
    members.confirm_full(mid, "2027-05-10", today=dt.date(2027, 6, 1))
    m = Member.get_by_id(mid)
    assert (m.category, m.confirmed_on, m.probation_extended_to) == ("full", dt.date(2027, 5, 10), dt.date(2027, 5, 10))
    # kept as history on the 正式党员: still a valid record
    assert members.check_member(members.member_detail(mid).values, member_id=mid, today=dt.date(2027, 6, 1)).ok

    table = exports.members()
    row = dict(zip(table.fields, table.rows[0]))
    assert (row["probation_extended_to"], row["probation_extension_reason"]) == ("2027-05-10", "支部大会决议延长预备期半年")
    assert table.fields.index("probation_extended_to") == table.fields.index("confirmed_on") + 1


# ---------------------------------------------------------------- the member form


def test_the_form_shows_the_under_age_error_as_you_type(qtbot, org):
    dialog = themed(qtbot, MemberDialog(None, today=TODAY))
    dialog.show()
    f = dialog.fields
    type_text(qtbot, f["name"], "张三")
    type_text(qtbot, f["id_number"], make_id("20080229"))
    assert f["birth_date"].text() == "2008-02-29"
    type_text(qtbot, f["joined_on"], "2026-02-28")
    f["branch_id"].setCurrentIndex(f["branch_id"].findData(org.branch))
    assert "年满18周岁之日 2026-03-01" in dialog.error_text("joined_on")
    assert "C8161D" in f["joined_on"].styleSheet() and not dialog.save_button.isEnabled()
    f["joined_on"].clear()
    type_text(qtbot, f["joined_on"], "2026-03-01")
    f["category"].setCurrentIndex(f["category"].findData("probationary"))
    assert dialog.error_text("joined_on") == "" and dialog.save_button.isEnabled()
    dialog.reject()


def test_the_form_shows_the_extension_for_a_probationary_member_and_checks_it(qtbot, org):
    dialog = themed(qtbot, MemberDialog(None, today=TODAY))
    dialog.show()
    f = dialog.fields
    assert not dialog.extension_shown()  # a 正式党员 by default
    type_text(qtbot, f["name"], "李四")
    type_text(qtbot, f["id_number"], make_id("19900101"))
    type_text(qtbot, f["joined_on"], "2025-06-01")
    f["branch_id"].setCurrentIndex(f["branch_id"].findData(org.branch))
    f["category"].setCurrentIndex(f["category"].findData("probationary"))
    assert dialog.extension_shown() and dialog.save_button.isEnabled()
    type_text(qtbot, f["probation_extended_to"], "2027-06-02")
    assert "最多延长一年" in dialog.error_text("probation_extended_to")
    assert not dialog.save_button.isEnabled()
    f["probation_extended_to"].clear()
    type_text(qtbot, f["probation_extended_to"], "2026-12-01")
    assert dialog.error_text("probation_extended_to") == "" and not dialog.save_button.isEnabled()
    assert "延长预备期原因" in dialog.hint.text()
    type_text(qtbot, f["probation_extension_reason"], "支部大会决议延长预备期半年")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    member = Member.get(Member.name == "李四")
    assert member.probation_extended_to == dt.date(2026, 12, 1)

    edit = themed(qtbot, MemberDialog(None, member_id=member.id, today=TODAY))
    assert edit.extension_shown() and edit.fields["probation_extended_to"].text() == "2026-12-01"
    confirm = themed(qtbot, ConfirmDialog(None, members.member_detail(member.id, today=TODAY), today=TODAY))
    assert "延长后的预备期满 2026-12-01" in confirm.intro.text()
    edit.reject()


# ---------------------------------------------------------------- the importer


HEADER = ["序号", "姓名", "公民身份号码", "入党日期", "人员类别", "转正日期", "所在党支部", "延长预备期至", "延长预备期原因"]


@pytest.fixture
def branch(fresh_db):
    community = Community.create(name="望湖社区")
    return Branch.create(name="银杏苑小区党支部", category="estate", community=community, sort_order=1)


def write_xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["望湖街道党员花名册"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_an_under_age_joiner_is_rejected_and_the_problem_names_the_row(branch, tmp_path):
    rows = [
        HEADER,
        [1, "张三", make_id("19850701"), "2007-07-01", "正式党员", "2008-07-01", "银杏苑小区党支部", None, None],
        [2, "李四", make_id("19940315"), "2010-05-01", "正式党员", "2011-05-01", "银杏苑小区党支部", None, None],
        [3, "王五", make_id("19900101"), "2025-06-01", "预备党员", None, "银杏苑小区党支部", "2026-12-01",
         "支部大会决议延长预备期半年"],
        [4, "赵六", make_id("19900102"), "2025-06-01", "预备党员", None, "银杏苑小区党支部", "2027-06-02", "延长"],
        [5, "钱七", make_id("19900103"), "2026-12-01", "预备党员", None, "银杏苑小区党支部", None, None],
    ]
    path = write_xlsx(tmp_path / "花名册.xlsx", rows)
    outcome = importing.run(path, "members", today=TODAY)
    assert not outcome.committed and Member.select().count() == 0
    errors = {(p.row, p.column): p.message for p in outcome.preview.errors}
    assert set(errors) == {(4, "入党日期"), (6, "延长预备期至"), (7, "入党日期")}
    assert "入党日期 2010-05-01" in errors[(4, "入党日期")] and "2012-03-15" in errors[(4, "入党日期")]
    assert "最多延长一年" in errors[(6, "延长预备期至")]
    assert "晚于今天" in errors[(7, "入党日期")]

    outcome = importing.run(path, "members", today=TODAY, skip_invalid=True)
    assert outcome.committed and outcome.inserted == 2
    wang = Member.get(Member.name == "王五")
    assert (wang.probation_extended_to, wang.probation_extension_reason) == (dt.date(2026, 12, 1),
                                                                             "支部大会决议延长预备期半年")
    assert validation.probation_due(wang.joined_on, wang.probation_extended_to) == dt.date(2026, 12, 1)


def test_the_importer_checks_confirmation_against_the_probation(branch, tmp_path):
    rows = [
        HEADER,
        [1, "张三", make_id("19850701"), "2010-07-01", "正式党员", "2011-06-30", "银杏苑小区党支部", None, None],
        [2, "李四", make_id("19850702"), "2010-07-01", None, "2011-07-01", "银杏苑小区党支部", None, None],
        [3, "王五", make_id("19850703"), "2025-06-01", "预备党员", None, "银杏苑小区党支部", "2026-12-01", None],
    ]
    result = importing.preview(write_xlsx(tmp_path / "转正.xlsx", rows), "members", today=TODAY)
    errors = {(p.row, p.column): p.message for p in result.errors}
    assert set(errors) == {(3, "转正日期"), (5, "延长预备期原因")}
    assert "2011-06-30" in errors[(3, "转正日期")] and "2011-07-01" in errors[(3, "转正日期")]


def test_the_extension_columns_have_their_synonyms():
    from reports.columns import MEMBER_COLUMNS, HeaderIndex

    index = HeaderIndex(MEMBER_COLUMNS)
    found = {name: index.match(name) for name in ("延长预备期至", "预备期延长至", "延长预备期原因", "延长预备期理由")}
    assert {name: col.field if col else None for name, col in found.items()} == {
        "延长预备期至": "probation_extended_to", "预备期延长至": "probation_extended_to",
        "延长预备期原因": "probation_extension_reason", "延长预备期理由": "probation_extension_reason",
    }


def test_an_extension_round_trips_through_the_programs_own_export(org, tmp_path):
    from reports import exports as sheet_exports

    mid = add_member(org.branch, category="probationary", joined_on="2025-06-01", confirmed_on="",
                     probation_extended_to="2026-12-01", probation_extension_reason="支部大会决议延长预备期半年")
    add_member(org.branch, name="李四", joined_on="2010-07-01", confirmed_on="2011-07-01")
    path = sheet_exports.export("members", tmp_path / "花名册.xlsx", unmasked=True).path
    headers = [c.value for c in openpyxl.load_workbook(path).active[3]]
    assert headers[headers.index("转正日期") + 1 : headers.index("转正日期") + 3] == ["延长预备期至", "延长预备期原因"]

    outcome = importing.run(path, "members", today=TODAY)
    assert outcome.preview.errors == [] and (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 0, 2)

    Member.update(probation_extended_to=None, probation_extension_reason=None).where(Member.id == mid).execute()
    outcome = importing.run(path, "members", today=TODAY)
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 1, 1)
    m = Member.get_by_id(mid)
    assert (m.probation_extended_to, m.probation_extension_reason) == (dt.date(2026, 12, 1), "支部大会决议延长预备期半年")
