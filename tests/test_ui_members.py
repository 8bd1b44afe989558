"""The 党员 tab driven through its real widgets (offscreen): the member form's inline
validation (an invalid ID is shown and saves nothing; fixed, it saves, appears and is
audited), search as you type (name, ID fragment, pinyin initials), the filters, the
keyboard, transfers that change the organisation tree's counts, leaving and 转正,
masking for a clerk, the background load of a large roster, and the table model under
pytest-qt's model tester.

No test waits on a modal dialog: the tab opens its dialogs with `open()`, the tests fill
and click them; `ui.dialogs` is replaced by a recorder."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DEMO_TODAY
from PySide6.QtCore import QModelIndex, Qt
from test_members_factory import (
    CLERK,
    TODAY,
    VIEWER,
    DialogLog,
    add_member,
    choose,
    make_id,
    make_org,
    record_dialogs,
    themed,
    type_text,
)

from models import AuditEvent, Member, MemberTransfer
from ui.member_dialog import ConfirmDialog, LeaveDialog, MemberDialog, TransferDialog
from ui.member_table_model import COL, MemberTableModel
from ui.members_tab import EMPTY_TEXT, MembersTab
from ui.org_tab import OrgTab
from ui.org_tree_model import NODE_ROLE
from ui.record_table_model import ID_ROLE, OBJECT_ROLE, SORT_ROLE
from wanghu_desk import validation
from wanghu_desk.services import members, organization
from wanghu_desk.services.base import acting_as
from wanghu_desk.services.members import R_ID, R_NAME, RosterFilter


@pytest.fixture
def dialog_log(monkeypatch) -> DialogLog:
    return record_dialogs(monkeypatch)


def open_tab(qtbot, today: dt.date = DEMO_TODAY) -> MembersTab:
    tab = themed(qtbot, MembersTab(today=lambda: today))
    tab.resize(1400, 860)
    tab.refresh()
    tab.show()
    qtbot.waitExposed(tab)
    with qtbot.waitActive(tab):
        tab.activateWindow()
    return tab


def shown_names(tab: MembersTab) -> list[str]:
    return [r[R_NAME] for r in tab.model.shown_rows()]


def search_for(qtbot, tab: MembersTab, text: str) -> None:
    """Type into the search box and wait for the debounced search to run."""
    tab.search.clear()
    tab.apply_search()
    type_text(qtbot, tab.search, text)
    qtbot.waitUntil(lambda: tab.model.current_filter.search == text, timeout=2000)


def expected(flt: RosterFilter) -> set[int]:
    roster = members.load_roster()
    return {r[R_ID] for r in members.apply_filter(roster.rows, flt, today=DEMO_TODAY, roster=roster)}


# ---------------------------------------------------------------- the form


def test_add_a_member_with_an_invalid_id_then_fix_it(qtbot, fresh_db):
    org = make_org()
    tab = open_tab(qtbot, TODAY)
    assert tab.stack.currentWidget() is tab.empty_page and tab.empty_label.text() == EMPTY_TEXT
    assert tab.status_text() == "还没有党员"

    qtbot.keyClick(tab, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = tab.current_dialog
    assert isinstance(dialog, MemberDialog) and dialog.isVisible()
    f = dialog.fields
    assert not dialog.save_button.isEnabled()  # an empty form cannot be saved

    type_text(qtbot, f["name"], "张三")
    good = make_id("19850701", male=True)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    type_text(qtbot, f["id_number"], bad)
    type_text(qtbot, f["joined_on"], "2010-07-01")
    type_text(qtbot, f["confirmed_on"], "2011-07-01")
    choose(f["branch_id"], org.branch)
    assert "校验码错误" in dialog.error_text("id_number")
    assert "C8161D" in f["id_number"].styleSheet()  # the field turned red
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    dialog.save()  # even forced, nothing is saved
    assert Member.select().count() == 0 and dialog.isVisible()

    f["id_number"].clear()
    type_text(qtbot, f["id_number"], good.lower()[:17] + good[17].lower())
    assert dialog.error_text("id_number") == "" and f["id_number"].styleSheet() == ""
    assert f["gender"].currentText() == "男" and f["birth_date"].text() == "1985-07-01"  # filled from the ID
    choose(f["group_id"], org.group)
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    member = Member.get()
    assert (member.name, member.id_number, member.group_id, member.name_initials) == ("张三", good, org.group, "zs")
    assert not dialog.isVisible() and tab.current_dialog is None
    assert tab.stack.currentWidget() is tab.splitter
    assert shown_names(tab) == ["张三"] and tab.current_member_id() == member.id
    assert tab.status_text() == "共 1 人，显示 1 人"
    assert (
        AuditEvent.select()
        .where(AuditEvent.entity == "member", AuditEvent.entity_id == member.id, AuditEvent.action == "create")
        .count()
        == 1
    )
    assert "新增" in tab.detail.text() and "1-2栋党小组" in tab.detail.text()


def test_the_form_says_why_and_warns_without_blocking(qtbot, fresh_db):
    org = make_org()
    add_member(org.branch, name="李四", id_number=make_id("19700101", seq=7))
    tab = open_tab(qtbot, TODAY)
    dialog = tab.new_member()
    f = dialog.fields
    type_text(qtbot, f["name"], "王五")
    type_text(qtbot, f["id_number"], make_id("19700101", seq=7))
    assert "已经登记过：李四" in dialog.error_text("id_number")
    f["id_number"].clear()
    type_text(qtbot, f["id_number"], make_id("19800202", male=False, seq=8))
    assert f["gender"].currentText() == "女"
    choose(f["gender"], "男")
    assert "与身份证号不符" in dialog.error_text("gender")  # a warning, shown in amber
    type_text(qtbot, f["phone"], "1385511")
    assert "11 位" in dialog.error_text("phone")
    f["phone"].clear()
    type_text(qtbot, f["joined_on"], "2030-01-01")
    assert "晚于今天" in dialog.error_text("joined_on")
    f["joined_on"].clear()
    type_text(qtbot, f["joined_on"], "2026-05-04")
    choose(f["category"], "probationary")
    choose(f["branch_id"], org.branch)
    assert dialog.save_button.isEnabled() and dialog.error_text("gender")
    dialog.reject()
    assert Member.select().count() == 1


def test_editing_keeps_the_branch_and_renames(qtbot, demo_db, dialog_log):
    tab = open_tab(qtbot)
    first = tab.model.member_id(0)
    tab.select_member(first)
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    dialog = tab.current_dialog
    assert isinstance(dialog, MemberDialog) and dialog.member_id == first
    assert not dialog.fields["branch_id"].isEnabled()  # transfers keep history: not here
    dialog.fields["name"].clear()
    type_text(qtbot, dialog.fields["name"], "张三丰")
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert Member.get_by_id(first).name_initials == "zsf"
    assert tab.current_member_id() == first and "更名" in tab.detail.text()


def test_double_click_opens_the_editor(qtbot, demo_db):
    tab = open_tab(qtbot)
    rect = tab.view.visualRect(tab.model.index(2, COL["name"]))
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert isinstance(tab.current_dialog, MemberDialog)
    assert tab.current_dialog.member_id == tab.model.member_id(2)
    tab.current_dialog.reject()


# ---------------------------------------------------------------- search and filters


def test_search_by_name_id_fragment_and_pinyin_initials(qtbot, demo_db):
    tab = open_tab(qtbot)
    total = tab.model.total_count
    someone = Member.select().where(Member.status == "active").order_by(Member.id).first()

    search_for(qtbot, tab, someone.name)
    assert someone.name in shown_names(tab)
    assert set(r[R_ID] for r in tab.model.shown_rows()) == expected(RosterFilter(search=someone.name))

    fragment = someone.id_number[6:14]  # the birth date in the ID: the admin sees whole numbers
    search_for(qtbot, tab, fragment)
    assert someone.id in {r[R_ID] for r in tab.model.shown_rows()}
    assert all(fragment in r[members.R_ID_NUMBER] for r in tab.model.shown_rows())

    search_for(qtbot, tab, someone.name_initials)
    ids = {r[R_ID] for r in tab.model.shown_rows()}
    assert someone.id in ids and ids == expected(RosterFilter(search=someone.name_initials))
    assert all(
        r[members.R_INITIALS].startswith(someone.name_initials) or someone.name_initials in r[members.R_TEXT]
        for r in tab.model.shown_rows()
    )
    assert tab.status_text() == f"共 {total:,} 人，显示 {len(ids):,} 人"

    qtbot.keyClick(tab.search, Qt.Key.Key_Escape)
    assert tab.search.text() == "" and tab.model.current_filter.search == ""
    assert tab.model.shown_count == len(expected(RosterFilter()))


def test_typing_narrows_the_previous_result(qtbot, demo_db):
    tab = open_tab(qtbot)
    for text in ("z", "zh", "zha"):
        search_for(qtbot, tab, text) if text == "z" else type_text(qtbot, tab.search, text[-1])
        tab.apply_search()
        assert {r[R_ID] for r in tab.model.shown_rows()} == expected(RosterFilter(search=text))
    tab.set_search("zh")  # a deleted character widens again
    assert {r[R_ID] for r in tab.model.shown_rows()} == expected(RosterFilter(search="zh"))


def test_filter_by_branch_and_category(qtbot, demo_db):
    tab = open_tab(qtbot)
    branch = organization.org_tree()[0].children[0].children[0]  # a branch of the first committee
    assert branch.kind == "branch"
    choose(
        tab.org_filter,
        next(
            tab.org_filter.itemData(i)
            for i in range(1, tab.org_filter.count())
            if tab.org_filter.itemData(i).kind == "branch" and tab.org_filter.itemData(i).id == branch.id
        ),
    )
    assert tab.model.shown_count == branch.members
    assert {r[members.R_BRANCH] for r in tab.model.shown_rows()} == {branch.id}
    choose(tab.category_filter, "probationary")
    wanted = expected(RosterFilter(branch_ids=frozenset({branch.id}), category="probationary"))
    assert {r[R_ID] for r in tab.model.shown_rows()} == wanted and wanted
    assert tab.group_filter.count() == 2 + branch.groups  # the branch's groups are offered

    committee = organization.org_tree()[0].children[1]
    tab.filter_org_node(committee.kind, committee.id)
    tab.clear_filters()
    tab.filter_org_node(committee.kind, committee.id)
    assert tab.model.shown_count == committee.members
    tab.filter_branch(branch.id)
    assert tab.org_filter.currentData().id == branch.id and tab.model.shown_count == branch.members
    group = branch.children[0]
    tab.filter_group(group.id)
    assert tab.model.shown_count == group.members
    qtbot.mouseClick(tab.clear_filters_button, Qt.MouseButton.LeftButton)
    assert tab.model.shown_count == len(expected(RosterFilter()))


def test_status_flags_and_due_filters(qtbot, demo_db):
    tab = open_tab(qtbot)
    choose(tab.status_filter, "deceased")
    assert tab.model.shown_count == len(expected(RosterFilter(status="deceased"))) > 0
    choose(tab.status_filter, "active")
    choose(tab.flag_filter, "center")
    assert tab.model.shown_count == len(expected(RosterFilter(flags=members.FLAG_CENTER))) > 0
    choose(tab.flag_filter, "lost_or_floating")
    assert tab.model.shown_count == len(expected(RosterFilter(any_flags=members.FLAG_LOST | members.FLAG_FLOATING)))
    tab.show_due_for_confirmation()
    summary = members.probation_reminders(DEMO_TODAY)
    assert tab.model.shown_count == summary.total > 0
    assert tab.status_text().endswith("（转正到期提醒）")
    first = tab.model.row_at(0)
    assert first[members.R_DUE] == summary.members[0].due_on  # the most overdue first
    colour = tab.model.data(tab.model.index(0, COL["confirmed_on"]), Qt.ItemDataRole.ForegroundRole)
    assert colour is not None and colour.color().name().upper() in ("#C8161D", "#A35F00")


def test_keyboard_focus_search_and_sort(qtbot, demo_db):
    tab = open_tab(qtbot)
    tab.view.setFocus()
    qtbot.keyClick(tab, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.search.hasFocus()
    tab.view.sortByColumn(COL["age"], Qt.SortOrder.DescendingOrder)
    ages = [tab.model.data(tab.model.index(r, COL["age"]), SORT_ROLE) for r in range(20)]
    assert ages == sorted(ages, reverse=True)
    assert tab.model.headerData(COL["age"], Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole) & int(
        Qt.AlignmentFlag.AlignRight
    )


# ---------------------------------------------------------------- transfers, leaving, 转正


def branch_members(org_tab: OrgTab, branch_id: int) -> int:
    index = org_tab.tree.index_of(("branch", branch_id))
    return index.data(NODE_ROLE).members


def test_transfer_a_member_and_see_the_counts_change_in_the_tree(qtbot, demo_db, dialog_log):
    tab = open_tab(qtbot)
    org_tab = themed(qtbot, OrgTab(today=lambda: DEMO_TODAY))
    org_tab.refresh()
    tab.dataChanged.connect(org_tab.refresh)  # what the main window wires

    mid = tab.model.member_id(0)
    source = Member.get_by_id(mid).branch_id
    target = next(b.id for b in members.branch_choices() if b.id != source)
    before = branch_members(org_tab, source), branch_members(org_tab, target)
    tab.select_member(mid)
    dialog = tab.transfer_member()
    assert isinstance(dialog, TransferDialog)
    choose(dialog.branch, target)
    type_text(qtbot, dialog.note, "工作调动")
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert (branch_members(org_tab, source), branch_members(org_tab, target)) == (before[0] - 1, before[1] + 1)
    (t,) = MemberTransfer.select().where(MemberTransfer.member == mid)
    assert (t.from_branch_id, t.to_branch_id, t.note) == (source, target, "工作调动")
    assert "组织关系转接" in tab.detail.text() and "工作调动" in tab.detail.text()


def test_leaving_asks_and_keeps_the_record(qtbot, demo_db, dialog_log):
    tab = open_tab(qtbot)
    mid = tab.model.member_id(5)
    tab.select_member(mid)
    dialog = tab.leave_member(status="deceased")
    assert isinstance(dialog, LeaveDialog)
    dialog_log.answer = False
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert Member.get_by_id(mid).status == "active" and dialog.isVisible()
    dialog_log.answer = True
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "去世" in dialog_log.texts("ask")[-1]
    assert Member.get_by_id(mid).status == "deceased"
    assert mid not in {r[R_ID] for r in tab.model.shown_rows()}  # the 在册 list no longer shows it
    choose(tab.status_filter, None)
    assert mid in {r[R_ID] for r in tab.model.shown_rows()}
    tab.select_member(mid)
    assert tab.restore_action.isEnabled() and not tab.leave_action.isEnabled()


def test_a_transfer_out_needs_a_destination(qtbot, demo_db, dialog_log):
    tab = open_tab(qtbot)
    mid = tab.model.member_id(1)
    tab.select_member(mid)
    dialog = tab.leave_member()
    dialog_log.answer = True
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "转往的党组织" in dialog.banner.text() and dialog.isVisible()
    assert Member.get_by_id(mid).status == "active"


def test_confirming_a_due_member(qtbot, demo_db):
    tab = open_tab(qtbot)
    tab.show_due_for_confirmation()
    due = next(d for d in members.probation_reminders(DEMO_TODAY).members if d.days_left <= 0)
    tab.select_member(due.id)
    assert tab.confirm_action.isEnabled()
    dialog = tab.confirm_member()
    assert isinstance(dialog, ConfirmDialog) and dialog.on.text() == due.due_on
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    member = Member.get_by_id(due.id)
    assert (member.category, member.confirmed_on.isoformat()) == ("full", due.due_on)
    assert due.id not in {r[R_ID] for r in tab.model.shown_rows()}  # no longer due


def test_context_menu_offers_the_member_actions(qtbot, demo_db):
    tab = open_tab(qtbot)
    tab.select_member(tab.model.member_id(0))
    menu = tab.build_context_menu(tab.view.currentIndex())
    texts = [a.text() for a in menu.actions()]
    assert {"编辑…", "复制姓名", "复制身份证号", "转接组织关系（本街道内）…"} <= set(texts)
    empty = tab.build_context_menu(QModelIndex())
    assert [a.text() for a in empty.actions()] == ["新增党员…"]


# ---------------------------------------------------------------- accounts


def test_a_clerk_sees_masked_id_numbers_and_a_viewer_cannot_change(qtbot, demo_db):
    someone = Member.select().where(Member.status == "active").first()
    with acting_as(CLERK):
        tab = open_tab(qtbot)
        row = tab.model.row_of(someone.id)
        shown = tab.model.data(tab.model.index(row, COL["id_number"]))
        assert shown == validation.mask_id_number(someone.id_number) and "*" in shown
        search_for(qtbot, tab, someone.id_number[6:14])
        assert someone.id not in {r[R_ID] for r in tab.model.shown_rows()}
        tab.set_search(someone.id_number)
        assert someone.id in {r[R_ID] for r in tab.model.shown_rows()}
        tab.select_member(someone.id)
        assert someone.id_number not in tab.detail.text()
        dialog = tab.edit_member()
        assert dialog.fields["id_number"].text() == shown and dialog.save_button.isEnabled()
        dialog.fields["phone"].clear()
        type_text(qtbot, dialog.fields["phone"], "13912345678")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert Member.get_by_id(someone.id).id_number == someone.id_number  # the mask saved nothing wrong
        assert Member.get_by_id(someone.id).phone == "13912345678"
    with acting_as(VIEWER):
        viewer = open_tab(qtbot)
        viewer.select_member(someone.id)
        assert not viewer.new_button.isEnabled() and not viewer.edit_button.isEnabled()
        assert viewer.new_member() is None and viewer.edit_member(someone.id) is None


# ---------------------------------------------------------------- large rosters, the model


def test_a_large_roster_loads_off_the_gui_thread_as_the_acting_account(qtbot, demo_db, monkeypatch):
    monkeypatch.setattr(MembersTab, "ASYNC_THRESHOLD", 0)
    with acting_as(CLERK):
        tab = themed(qtbot, MembersTab(today=lambda: DEMO_TODAY))
        with qtbot.waitSignal(tab.loaded, timeout=20_000):
            tab.refresh()
            assert tab.is_loading and tab.status_text() == "正在读取党员名册…"
    assert not tab.is_loading and tab.model.total_count == Member.select().count()
    assert all("*" in r[members.R_ID_NUMBER] for r in tab.model.shown_rows()[:50])


def test_member_table_model_passes_the_model_tester(qtmodeltester, fresh_db):
    org = make_org()
    for i, name in enumerate(["张三", "李四", "王五", "赵六"]):
        add_member(
            org.branch,
            name=name,
            id_number=make_id("19800101", seq=20 + i),
            category="probationary" if i == 1 else "full",
            joined_on="2025-12-01" if i == 1 else "2010-07-01",
            confirmed_on="" if i == 1 else "2011-07-01",
        )
    model = MemberTableModel(today=TODAY)
    model.set_roster(members.load_roster())
    qtmodeltester.check(model, force_py=True)  # stays connected: checks every change below
    model.set_search("z")
    model.sort(COL["branch"], Qt.SortOrder.DescendingOrder)
    model.update_rows(members.roster_rows([r[R_ID] for r in model.shown_rows()]))
    index = model.index(0, COL["name"])
    assert model.data(index, ID_ROLE) == model.data(index, OBJECT_ROLE)[R_ID]
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == ["张三", "赵六"]


@pytest.mark.parametrize("text", ["zs", "  ", "张 三"])
def test_search_text_shapes(qtbot, fresh_db, text):
    org = make_org()
    add_member(org.branch, name="张三")
    tab = open_tab(qtbot, TODAY)
    tab.set_search(text)
    assert shown_names(tab) == ["张三"]


@pytest.mark.parametrize(
    "flt",
    [RosterFilter(), RosterFilter(search="王"), RosterFilter(status=None, search="z"), RosterFilter(category="full")],
    ids=["在册", "search", "all statuses and a search", "正式党员"],
)
def test_sorting_keeps_the_filters_and_the_sort_rules(demo_db, flt):
    """The filtered lists follow the whole roster's new order (they are re-filtered, not
    re-sorted): the same rows, in the roster's order; ages numerically, unknown last."""
    model = MemberTableModel(today=DEMO_TODAY)
    model.set_roster(members.load_roster())
    model.set_filter(flt)
    wanted = {r[R_ID] for r in members.apply_filter(model.all_rows(), flt, today=DEMO_TODAY, roster=model.roster)}
    assert 0 < len(wanted) < model.total_count
    for column, order in [("age", Qt.SortOrder.DescendingOrder), ("joined_on", Qt.SortOrder.AscendingOrder),
                          ("branch", Qt.SortOrder.DescendingOrder), ("name", Qt.SortOrder.AscendingOrder),
                          ("age", Qt.SortOrder.AscendingOrder)]:
        model.sort(COL[column], order)
        whole = model.all_rows()
        assert [r[R_ID] for r in model.shown_rows()] == [r[R_ID] for r in whole if r[R_ID] in wanted], column
    ages = [members.age_on(r[members.R_BIRTH], DEMO_TODAY) for r in model.all_rows()]
    known = [a for a in ages if a is not None]
    assert known == sorted(known) and ages[: len(known)] == known  # unknown ages last
    model.sort(COL["age"], Qt.SortOrder.DescendingOrder)
    ages = [members.age_on(r[members.R_BIRTH], DEMO_TODAY) for r in model.all_rows()]
    known = [a for a in ages if a is not None]
    assert known == sorted(known, reverse=True) and ages[: len(known)] == known
    # A new day: ages are worked out again at the next sort.
    model.set_today(DEMO_TODAY + dt.timedelta(days=3650))
    model.sort(COL["age"], Qt.SortOrder.AscendingOrder)
    first = model.data(model.index(0, COL["age"]), SORT_ROLE)
    assert first == min(a for a in (members.age_on(r[members.R_BIRTH], model.today) for r in model.shown_rows()) if a is not None)


def test_the_detail_pane_shows_an_extended_probation(qtbot, fresh_db):
    org = make_org()
    extended = add_member(
        org.branch, name="李四", id_number=make_id("19900101"), category="probationary", joined_on="2026-01-10",
        confirmed_on="", probation_extended_to="2027-06-01", probation_extension_reason="支部大会决议延长预备期半年",
    )
    plain = add_member(org.branch, name="王五", id_number=make_id("19910101"))
    tab = open_tab(qtbot, TODAY)
    rect = tab.view.visualRect(tab.model.index(tab.model.row_of(extended), COL["name"]))
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    text = tab.detail.text()
    assert "延长预备期至" in text and "2027-06-01" in text
    assert "延长预备期原因" in text and "支部大会决议延长预备期半年" in text
    assert "预备期满 2027-06-01" in text  # the due date follows the extension
    assert tab.select_member(plain)
    assert "王五" in tab.detail.text() and "延长预备期" not in tab.detail.text()
