"""Service rules of the member roster (SPEC §3): the form check, uniqueness of the ID
number, leaving without deleting, transfers with history, 转正 due dates (leap days,
month ends) and confirmation, building group assignment, search and filters over the
roster, and ID masking for accounts that may not see full numbers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_members_factory import CLERK, TODAY, VIEWER, add_member, make_id, make_org, member_form

from models import AuditEvent, BuildingGroup, Member, MemberTransfer
from wanghu_desk import validation
from wanghu_desk.errors import PermissionDenied, ValidationError
from wanghu_desk.services import audit_log, members, org_edit
from wanghu_desk.services.base import acting_as
from wanghu_desk.services.members import (
    FLAG_CENTER,
    FLAG_REPORTED,
    NO_GROUP,
    R_ID,
    R_ID_NUMBER,
    R_NAME,
    RosterFilter,
    apply_filter,
)


@pytest.fixture
def org(fresh_db):
    return make_org()


def events(entity="member", entity_id=None, action=None):
    query = AuditEvent.select().where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(query.order_by(AuditEvent.id))


# ---------------------------------------------------------------- create / form check


def test_a_member_is_created_with_initials_gender_and_birth_from_the_id_and_audited(org):
    number = make_id("19850701", male=False)
    mid = add_member(org.branch, name="李 秀英", id_number=number.lower(), group_id=org.group)
    m = Member.get_by_id(mid)
    assert m.name == "李秀英" and m.name_initials == "lxy"
    assert m.gender == "女" and m.birth_date == dt.date(1985, 7, 1)
    assert m.id_number == number and m.status == "active" and m.group_id == org.group
    (event,) = events(entity_id=mid, action="create")
    assert json.loads(event.after_json)["id_number"] == number


def test_an_invalid_id_is_refused_and_nothing_is_written(org):
    before = AuditEvent.select().count()
    number = make_id()
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    with pytest.raises(ValidationError) as info:
        add_member(org.branch, id_number=wrong)
    assert info.value.field == "id_number" and "校验码错误" in info.value.message
    assert Member.select().count() == 0
    assert AuditEvent.select().count() == before


def test_an_id_number_is_unique_among_members(org):
    number = make_id()
    add_member(org.branch, name="张三", id_number=number)
    check = members.check_member(member_form(org.branch, name="张三丰", id_number=number), today=TODAY)
    assert "已经登记过：张三（望湖城北苑小区党支部）" in check.errors["id_number"]
    with pytest.raises(ValidationError):
        add_member(org.branch, name="张三丰", id_number=number)
    other = add_member(org.branch, name="李四")
    with pytest.raises(ValidationError) as info:
        members.update_member(other, member_form(org.branch, name="李四", id_number=number), today=TODAY)
    assert info.value.field == "id_number"
    assert Member.select().where(Member.id_number == number).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "", "请填写姓名"),
        ("name", "张3", "数字"),
        ("id_number", "", "18 位"),
        ("id_number", 3.401041985e17, "Excel"),
        ("joined_on", "2027-01-01", "晚于今天"),
        ("joined_on", "", "请填写入党日期"),
        ("joined_on", "2000-01-01", "不满 18 周岁"),
        ("phone", "1385511000", "11 位"),
        ("branch_id", None, "请选择所在党支部"),
        ("category", "群众", "正式党员"),
    ],
)
def test_form_errors_name_the_field_and_say_why(org, field, value, expected):
    check = members.check_member(member_form(org.branch, **{field: value}), today=TODAY)
    assert not check.ok
    assert expected in check.errors[field]


def test_form_warnings_do_not_block_and_the_id_wins(org):
    number = make_id("19850701", male=True)
    check = members.check_member(
        member_form(org.branch, id_number=number, gender="女", birth_date="1986-01-01", ethnicity="回"), today=TODAY
    )
    assert check.ok
    assert check.values["gender"] == "男" and "与身份证号不符" in check.warnings["gender"]
    assert check.values["birth_date"] == dt.date(1985, 7, 1) and "不符" in check.warnings["birth_date"]
    assert check.values["ethnicity"] == "回族"


def test_a_probationary_member_has_no_confirmation_date_and_a_group_must_be_of_the_branch(org):
    check = members.check_member(member_form(org.branch, category="probationary"), today=TODAY)
    assert "confirmed_on" in check.errors
    check = members.check_member(member_form(org.branch, category="probationary", confirmed_on=""), today=TODAY)
    assert check.ok and check.values["confirmed_on"] is None
    foreign = org_edit.create_group(org.other_branch, {"name": "一组"})
    check = members.check_member(member_form(org.branch, group_id=foreign), today=TODAY)
    assert "不属于" in check.errors["group_id"]


def test_a_15_digit_id_is_upgraded_with_a_warning(org):
    old = "340104850701123"
    check = members.check_member(member_form(org.branch, id_number=old), today=TODAY)
    assert check.ok and len(check.values["id_number"]) == 18 and "15 位" in check.warnings["id_number"]


def test_edit_renames_with_new_initials_and_refuses_a_branch_change(org):
    mid = add_member(org.branch, name="张三")
    form = member_form(org.branch, name="赵四", id_number=Member.get_by_id(mid).id_number)
    assert members.update_member(mid, form, today=TODAY)
    assert Member.get_by_id(mid).name_initials == "zs"
    assert events(entity_id=mid, action="rename")
    assert not members.update_member(mid, form, today=TODAY)  # nothing changed, nothing written
    with pytest.raises(ValidationError) as info:
        members.update_member(mid, {**form, "branch_id": org.other_branch}, today=TODAY)
    assert "转接" in info.value.message


def test_a_viewer_cannot_change_members(org):
    with acting_as(VIEWER), pytest.raises(PermissionDenied):
        add_member(org.branch)
    assert Member.select().count() == 0


# ---------------------------------------------------------------- leaving, transfers


def test_leaving_keeps_the_record_and_a_transfer_out_needs_a_destination(org):
    mid = add_member(org.branch, group_id=org.group)
    org_edit.set_group_leader(org.group, mid)
    with pytest.raises(ValidationError) as info:
        members.record_leaving(mid, "transferred_out", "2026-10-01", "", today=TODAY)
    assert "转往" in info.value.message
    with pytest.raises(ValidationError):
        members.record_leaving(mid, "deceased", "2009-01-01", today=TODAY)  # before joining
    members.record_leaving(mid, "transferred_out", "2026-10-01", "转至蜀山区稻香村街道党工委", today=TODAY)
    m = Member.get_by_id(mid)
    assert (m.status, m.status_changed_on, m.status_note) == (
        "transferred_out",
        dt.date(2026, 10, 1),
        "转至蜀山区稻香村街道党工委",
    )
    assert m.group_id is None and BuildingGroup.get_by_id(org.group).leader_id is None
    (t,) = MemberTransfer.select().where(MemberTransfer.member == mid)
    assert (t.from_branch_id, t.to_branch_id, t.note) == (org.branch, None, "转至蜀山区稻香村街道党工委")
    with pytest.raises(ValidationError):
        members.record_leaving(mid, "deceased", "2026-10-02", today=TODAY)
    members.restore_membership(mid, "2026-11-01", "转回", today=TODAY)
    assert Member.get_by_id(mid).status == "active"
    assert MemberTransfer.select().where(MemberTransfer.member == mid).count() == 2
    assert [e.action for e in events(entity_id=mid)] == ["create", "leave", "restore"]


@pytest.mark.parametrize("status", ["stopped", "expelled", "deceased"])
def test_other_ways_of_leaving(org, status):
    mid = add_member(org.branch)
    members.record_leaving(mid, status, "2026-11-01", today=TODAY)
    assert Member.get_by_id(mid).status == status
    assert MemberTransfer.select().count() == 0


def test_a_transfer_between_branches_keeps_its_history(org):
    mid = add_member(org.branch, group_id=org.group)
    members.transfer_member(mid, org.other_branch, "2026-03-01", "工作调动", today=TODAY)
    members.transfer_member(mid, org.branch, "2026-09-01", today=TODAY)
    m = Member.get_by_id(mid)
    assert m.branch_id == org.branch and m.group_id is None
    history = members.transfer_history(mid)
    assert [(h.from_name, h.to_name) for h in history] == [
        ("望湖城北苑小区党支部", "南湖社区离退休党员党支部"),
        ("南湖社区离退休党员党支部", "望湖城北苑小区党支部"),
    ]
    assert "工作调动" in history[0].text
    with pytest.raises(ValidationError):
        members.transfer_member(mid, org.branch, "2026-10-01", today=TODAY)  # already there
    (first, second) = events(entity_id=mid, action="transfer")
    assert json.loads(first.before_json)["branch_id"] == org.branch
    assert json.loads(first.after_json)["branch_id"] == org.other_branch


def test_no_transfer_into_a_dissolved_branch(org):
    mid = add_member(org.branch)
    org_edit.dissolve_branch(org.other_branch, today=TODAY)
    with pytest.raises(ValidationError) as info:
        members.transfer_member(mid, org.other_branch, "2026-10-01", today=TODAY)
    assert "已撤销" in info.value.message


def test_a_transfer_in_from_outside_is_recorded(org):
    mid = members.create_member(member_form(org.branch), today=TODAY, transferred_in_from="庐阳区亳州路街道党工委")
    (t,) = MemberTransfer.select().where(MemberTransfer.member == mid)
    assert (t.from_branch_id, t.to_branch_id, t.note, t.moved_on) == (None, org.branch, "庐阳区亳州路街道党工委", TODAY)


# ---------------------------------------------------------------- 转正


@pytest.mark.parametrize(
    ("joined", "due"),
    [
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),  # leap day → 28 February
        (dt.date(2023, 2, 28), dt.date(2024, 2, 28)),  # into a leap year: still the 28th
        (dt.date(2025, 1, 31), dt.date(2026, 1, 31)),
        (dt.date(2025, 12, 31), dt.date(2026, 12, 31)),  # year end
        (dt.date(2025, 4, 30), dt.date(2026, 4, 30)),  # month end
    ],
)
def test_probation_due_dates(joined, due):
    assert validation.probation_due_date(joined) == due


def test_due_and_overdue_filters_and_the_dashboard_reminders(org):
    today = TODAY  # 2026-11-22
    cases = {
        "overdue": dt.date(2025, 11, 21),  # due 2026-11-21, yesterday
        "today": dt.date(2025, 11, 22),  # due today
        "in30": dt.date(2025, 12, 22),  # due in exactly 30 days
        "in31": dt.date(2025, 12, 23),  # due in 31 days: not yet listed
    }
    ids = {}
    for key, joined in cases.items():
        ids[key] = add_member(
            org.branch,
            name="预备" + "甲乙丙丁"[len(ids)],
            category="probationary",
            joined_on=joined.isoformat(),
            confirmed_on="",
        )
    leap = add_member(
        org.branch,
        name="闰日",
        id_number=make_id("19960229"),
        category="probationary",
        joined_on="2025-11-30",
        confirmed_on="",
    )
    ids["full"] = add_member(org.branch, name="正式", joined_on="2025-11-21", confirmed_on="2026-11-21")

    roster = members.load_roster()
    due = {r[R_ID] for r in apply_filter(roster.rows, RosterFilter(due="due"), today=today)}
    overdue = {r[R_ID] for r in apply_filter(roster.rows, RosterFilter(due="overdue"), today=today)}
    assert due == {ids["overdue"], ids["today"], ids["in30"], leap}
    assert overdue == {ids["overdue"]}

    summary = members.probation_reminders(today)
    assert (summary.overdue, summary.due_soon, summary.total) == (1, 3, 4)
    assert summary.members[0].id == ids["overdue"] and summary.members[0].days_left == -1
    assert [m.due_on for m in summary.members][1:] == ["2026-11-22", "2026-11-30", "2026-12-22"]


def test_confirming_sets_date_and_category_not_before_the_probation_ends(org):
    mid = add_member(org.branch, category="probationary", joined_on="2025-11-30", confirmed_on="")
    with pytest.raises(ValidationError) as info:
        members.confirm_full(mid, "2026-11-22", today=TODAY)
    assert "预备期满" in info.value.message
    members.confirm_full(mid, "2026-11-30", today=dt.date(2026, 12, 1))
    m = Member.get_by_id(mid)
    assert (m.category, m.confirmed_on) == ("full", dt.date(2026, 11, 30))
    assert events(entity_id=mid, action="confirm")
    with pytest.raises(ValidationError):
        members.confirm_full(mid, "2026-12-01", today=dt.date(2026, 12, 1))


def test_leap_day_joiner_is_due_on_28_february(org):
    mid = add_member(org.branch, category="probationary", joined_on="2024-02-29", confirmed_on="")
    assert members.roster_row(mid)[members.R_DUE] == "2025-02-28"
    members.confirm_full(mid, "2025-02-28", today=TODAY)
    assert Member.get_by_id(mid).confirmed_on == dt.date(2025, 2, 28)


# ---------------------------------------------------------------- groups


def test_assigning_members_to_a_group_of_their_branch(org):
    a = add_member(org.branch, name="张三")
    b = add_member(org.branch, name="李四")
    stranger = add_member(org.other_branch, name="王五")
    assert members.assign_group([a, b], org.group) == 2
    assert members.assign_group([a], org.group) == 0
    with pytest.raises(ValidationError) as info:
        members.assign_group([a, stranger], org.other_group)
    assert "王五" in info.value.message and Member.get_by_id(a).group_id == org.group
    org_edit.set_group_leader(org.group, a)
    assert members.assign_group([a], org.other_group) == 1
    assert BuildingGroup.get_by_id(org.group).leader_id is None  # a left the group it led
    assert members.unassign_group([a, b]) == 2
    assert Member.select().where(Member.group.is_null(False)).count() == 0


# ---------------------------------------------------------------- roster: search, filters, sorting, masking


@pytest.fixture
def roster_people(org):
    ids = {
        "张三": add_member(
            org.branch,
            name="张三",
            id_number=make_id("19700101", seq=11),
            phone="13955112233",
            group_id=org.group,
            is_center_household=True,
        ),
        "张淑芬": add_member(
            org.branch,
            name="张淑芬",
            id_number=make_id("19750505", male=False, seq=12),
            category="probationary",
            joined_on="2026-01-10",
            confirmed_on="",
            reported_at_residence=True,
            address="南湖春城3栋",
        ),
        "王泽森": add_member(org.other_branch, name="王泽森", id_number=make_id("19800303", seq=13)),
        "曾小贤": add_member(org.other_branch, name="曾小贤", id_number=make_id("19900909", seq=14)),
    }
    members.record_leaving(ids["王泽森"], "deceased", "2026-11-01", today=TODAY)
    return ids


def names(rows):
    return sorted(r[R_NAME] for r in rows)


def search(roster, text, **kw):
    return names(apply_filter(roster.rows, RosterFilter(search=text, status=None, **kw), today=TODAY, roster=roster))


def test_search_by_name_id_fragment_phone_address_and_pinyin_initials(roster_people):
    roster = members.load_roster()
    assert search(roster, "张") == ["张三", "张淑芬"]
    assert search(roster, "zs") == ["张三", "张淑芬"]  # initials match from the start only: not 王泽森 (wzs)
    assert search(roster, "ZSF") == ["张淑芬"]
    assert search(roster, "zxx") == ["曾小贤"]  # the surname 曾 is read zēng
    assert search(roster, "19700101") == ["张三"]
    assert search(roster, "１９７５０５０５") == ["张淑芬"]  # full-width digits typed by an IME
    assert search(roster, "2233") == ["张三"]
    assert search(roster, "南湖春城") == ["张淑芬"]
    assert search(roster, "张 南湖") == ["张淑芬"]  # every word must match
    assert search(roster, "nobody") == []


def test_letters_also_find_latin_names_and_addresses(org):
    add_member(org.branch, name="李Anna", address="望湖城B座1203室")
    add_member(org.branch, name="张三")
    roster = members.load_roster()
    assert search(roster, "anna") == ["李Anna"]  # in the name (its initials are "lanna")
    assert search(roster, "la") == ["李Anna"]  # by initials
    assert search(roster, "b座") == ["李Anna"] and search(roster, "b") == ["李Anna"]
    assert search(roster, "z") == ["张三"]


def test_filters_by_branch_category_status_group_and_flags(org, roster_people):
    roster = members.load_roster()

    def shown(**kw):
        return names(apply_filter(roster.rows, RosterFilter(**kw), today=TODAY, roster=roster))

    assert shown() == ["张三", "张淑芬", "曾小贤"]  # 在册 by default
    assert shown(status=None) == ["张三", "张淑芬", "曾小贤", "王泽森"]
    assert shown(status="deceased") == ["王泽森"]
    assert shown(branch_ids=frozenset({org.branch})) == ["张三", "张淑芬"]
    assert shown(category="probationary") == ["张淑芬"]
    assert shown(group_id=org.group) == ["张三"]
    assert shown(group_id=NO_GROUP, branch_ids=frozenset({org.branch})) == ["张淑芬"]
    assert shown(flags=FLAG_CENTER) == ["张三"]
    assert shown(flags=FLAG_REPORTED) == ["张淑芬"]
    assert shown(flags=FLAG_CENTER | FLAG_REPORTED) == []


def test_branch_ids_under_a_tree_node(org):
    assert members.branch_ids_under("community_committee", org.committee) == {org.branch}
    top = [c for c in members.organisation_choices() if c.kind == "working_committee"][0]
    assert top.branch_ids == {org.branch, org.other_branch}
    assert members.branch_ids_under("group", org.group) == {org.branch}


def test_names_sort_by_pinyin_initials(roster_people):
    roster = members.load_roster()
    rows = list(roster.rows)
    members.sort_rows(rows, "name", roster)
    assert [r[R_NAME] for r in rows] == ["王泽森", "曾小贤", "张三", "张淑芬"]  # wang < zeng < zhang
    members.sort_rows(rows, "name", roster, descending=True)
    assert rows[0][R_NAME] == "张淑芬"
    register = ["崔斌", "储博", "陈爱民", "蔡斌", "阿依古丽·艾力", "单田芳"]
    assert sorted(register, key=members.name_sort_key) == ["阿依古丽·艾力", "蔡斌", "陈爱民", "储博", "崔斌", "单田芳"]
    assert members.name_sort_key("单田芳").startswith("shan tian fang")


def test_a_clerk_sees_masked_id_numbers_everywhere_and_the_admin_sees_them_whole(roster_people):
    mid = roster_people["张三"]
    full = Member.get_by_id(mid).id_number
    members.update_member(
        mid,
        {
            **member_form(
                Member.get_by_id(mid).branch_id,
                name="张三",
                id_number=full,
                group_id=Member.get_by_id(mid).group_id,
                is_center_household=True,
                phone="13955112299",
            )
        },
        today=TODAY,
    )
    admin_roster = members.load_roster()
    assert {r[R_ID_NUMBER] for r in admin_roster.rows if r[R_ID] == mid} == {full}
    with acting_as(CLERK):
        roster = members.load_roster()
        (row,) = [r for r in roster.rows if r[R_ID] == mid]
        assert row[R_ID_NUMBER] == validation.mask_id_number(full) == full[:6] + "********" + full[-4:]
        assert full not in row[members.R_TEXT]
        assert search(roster, full[6:14]) == []  # the hidden digits cannot be probed
        assert search(roster, full[-4:]) == ["张三"]
        assert search(roster, full) == ["张三"]  # the whole number from the ID card still finds
        assert members.member_detail(mid, today=TODAY).values["id_number"] == validation.mask_id_number(full)
        with pytest.raises(ValidationError) as info:
            add_member(Member.get_by_id(mid).branch_id, name="张三", id_number=full)
        assert "已经登记过" in info.value.message
        history = audit_log.member_history(mid)
        assert all(full not in c.before + c.after for e in history for c in e.changes)
    assert members.member_detail(mid, today=TODAY).values["id_number"] == full


def test_member_detail_and_history_read_like_a_clerk_writes(org):
    mid = add_member(org.branch, name="张三", group_id=org.group)
    members.transfer_member(mid, org.other_branch, "2026-03-01", "工作调动", today=TODAY)
    detail = members.member_detail(mid, today=TODAY)
    assert detail.branch_name == "南湖社区离退休党员党支部" and detail.status_label == "在册"
    assert detail.age == 41 and detail.category_label == "正式党员"
    history = audit_log.member_history(mid)
    assert [e.action for e in history] == ["转接组织关系", "新增"]
    transfer = history[0]
    assert transfer.action == "转接组织关系" and transfer.note == "工作调动"
    change = {c.label: (c.before, c.after) for c in transfer.changes}
    assert change["所在党支部"] == ("望湖城北苑小区党支部", "南湖社区离退休党员党支部")
    assert change["楼栋党小组"] == ("1-2栋党小组", "（空）")


def test_roster_rows_refresh_after_an_edit(org):
    mid = add_member(org.branch, name="张三")
    roster = members.load_roster()
    members.transfer_member(mid, org.other_branch, "2026-03-01", today=TODAY)
    roster.replace(members.roster_rows([mid]))
    (row,) = roster.rows
    assert row[members.R_BRANCH] == org.other_branch
    new = add_member(org.branch, name="李四")
    roster.replace(members.roster_rows([new]))
    assert [r[R_NAME] for r in roster.rows] == ["张三", "李四"]
