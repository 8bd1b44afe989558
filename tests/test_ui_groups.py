"""The 楼栋党小组 tab driven through its widgets: the overview with warnings, assigning
and unassigning several members with the buttons, making a leader, creating a group in
its dialog, refusing to dissolve a group that still has members, and the small table
model under the model tester."""

from __future__ import annotations

import pytest
from conftest import DEMO_TODAY
from PySide6.QtCore import Qt
from test_members_factory import (
    TODAY,
    DialogLog,
    add_member,
    choose,
    make_org,
    record_dialogs,
    themed,
    type_text,
)

from models import BuildingGroup, Member
from ui.groups_tab import BRANCH_COLUMNS, EMPTY_TEXT, GroupsTab
from ui.org_edit_dialogs import GroupDialog, set_checked
from ui.record_table_model import RecordTableModel
from wanghu_desk.services import org_edit


@pytest.fixture
def dialog_log(monkeypatch) -> DialogLog:
    return record_dialogs(monkeypatch)


def open_tab(qtbot, today=DEMO_TODAY) -> GroupsTab:
    tab = themed(qtbot, GroupsTab(today=lambda: today))
    tab.resize(1400, 860)
    tab.refresh()
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def branch_with_unassigned():
    return next(s for s in org_edit.group_overview() if s.unassigned >= 2 and s.groups >= 2)


def test_the_overview_lists_every_branch_with_its_warnings(qtbot, demo_db):
    tab = open_tab(qtbot)
    overview = org_edit.group_overview()
    assert tab.branch_model.rowCount() == len(overview) == 74
    assert tab.status_text().startswith("党支部 74 个 · 楼栋党小组 233 个")
    assert f"未编组党员 {sum(s.unassigned for s in overview)} 名" in tab.summary.text()
    first = tab.branch_model.row_at(tab.branch_view.currentIndex().row())
    assert first.groups > 0 and tab.branch_title.text() == first.name
    assert tab.group_model.rowCount() == first.groups
    choose(tab.only_warnings, "warnings")
    assert all(r.warnings for r in tab.branch_model.shown_rows())
    type_text(qtbot, tab.search, "望湖城")
    assert all("望湖城" in r.name for r in tab.branch_model.shown_rows())


def test_assign_several_members_to_a_group_with_the_buttons(qtbot, demo_db, dialog_log):
    tab = open_tab(qtbot)
    summary = branch_with_unassigned()
    assert tab.select_branch(summary.id)
    choose(tab.member_scope, "none")
    assert tab.member_model.rowCount() == summary.unassigned
    assert "未编入党小组的在册党员" in tab.warnings.text()
    chosen = [r.id for r in tab.member_model.shown_rows()[:2]]
    tab.select_members(chosen)
    assert not tab.assign_button.isEnabled()  # no group chosen yet
    target = tab.group_model.shown_rows()[1]
    tab.select_group(target.id)
    assert tab.assign_button.isEnabled()
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(tab.assign_button, Qt.MouseButton.LeftButton)
    assert {Member.get_by_id(m).group_id for m in chosen} == {target.id}
    after = next(s for s in org_edit.group_overview() if s.id == summary.id)
    assert after.unassigned == summary.unassigned - 2
    assert tab.group_model.shown_rows()[1].members == target.members + 2
    assert tab.member_model.rowCount() == summary.unassigned - 2  # still "未编入党小组的"

    choose(tab.member_scope, "group")
    assert {r.id for r in tab.member_model.shown_rows()} >= set(chosen)
    tab.select_members(chosen[:1])
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(tab.leader_button, Qt.MouseButton.LeftButton)
    assert BuildingGroup.get_by_id(target.id).leader_id == chosen[0]
    row = tab.member_model.row_of(lambda r: r.id == chosen[0])
    assert tab.member_model.data(tab.member_model.index(row, 0)).endswith("（组长）")

    tab.select_members(chosen)
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(tab.unassign_button, Qt.MouseButton.LeftButton)
    assert {Member.get_by_id(m).group_id for m in chosen} == {None}
    assert BuildingGroup.get_by_id(target.id).leader_id is None  # the leader left the group
    assert "没有组长的党小组" in tab.warnings.text()


def test_the_member_context_menu_assigns_too(qtbot, demo_db):
    tab = open_tab(qtbot)
    summary = branch_with_unassigned()
    tab.select_branch(summary.id)
    choose(tab.member_scope, "none")
    person = tab.member_model.shown_rows()[0]
    tab.select_members([person.id])
    menu = tab.build_member_menu()
    into = menu.actions()[0].menu()
    assert into.title().startswith("编入党小组（1 人）")
    with qtbot.waitSignal(tab.dataChanged):
        into.actions()[0].trigger()
    assert Member.get_by_id(person.id).group_id == tab.group_model.shown_rows()[0].id


def test_dissolving_a_group_is_refused_while_members_remain(qtbot, demo_db, dialog_log):
    tab = open_tab(qtbot)
    group = tab.group_model.shown_rows()[0]
    assert group.members > 0
    tab.select_group(group.id)
    qtbot.mouseClick(tab.dissolve_group_button, Qt.MouseButton.LeftButton)
    (message,) = dialog_log.texts("warn")
    assert f"还有 {group.members} 名党员，不能撤销" in message
    assert BuildingGroup.get_by_id(group.id).status == "active"

    tab.member_scope.setCurrentIndex(tab.member_scope.findData("group"))
    tab.select_members([r.id for r in tab.member_model.shown_rows()])
    qtbot.mouseClick(tab.unassign_button, Qt.MouseButton.LeftButton)
    tab.select_group(group.id)
    dialog_log.answer = True
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(tab.dissolve_group_button, Qt.MouseButton.LeftButton)
    assert "撤销楼栋党小组「" in dialog_log.texts("ask")[-1]
    assert BuildingGroup.get_by_id(group.id).status == "dissolved"
    assert group.id not in {g.id for g in tab.group_model.shown_rows()}


def test_a_new_group_in_its_dialog(qtbot, fresh_db):
    org = make_org()
    mid = add_member(org.branch, name="张三")
    tab = open_tab(qtbot, TODAY)
    tab.select_branch(org.branch)
    assert "没有党小组覆盖的楼栋：望湖城北苑 4栋" in tab.warnings.text()
    dialog = tab.new_group()
    assert isinstance(dialog, GroupDialog)
    covered = dialog.buildings.item(0)
    assert not (covered.flags() & Qt.ItemFlag.ItemIsEnabled) and "1-2栋党小组" in covered.text()
    set_checked(dialog.buildings, org.buildings[3])
    set_checked(dialog.buildings, org.buildings[4])
    assert dialog.name.text() == "4-5栋党小组"  # suggested from the buildings
    choose(dialog.leader, mid)
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    detail = org_edit.group_detail(tab.current_group_id())
    assert (detail.name, detail.leader_name, detail.members) == ("4-5栋党小组", "张三", 1)
    assert "4栋" not in tab.warnings.text()

    again = tab.new_group()
    type_text(qtbot, again.name, "4-5栋党小组")
    qtbot.mouseClick(again.ok_button, Qt.MouseButton.LeftButton)
    assert "已经有名为「4-5栋党小组」" in again.error_text() and again.isVisible()
    again.reject()


def test_empty_database_says_what_to_do(qtbot, fresh_db):
    tab = open_tab(qtbot, TODAY)
    assert tab.stack.currentWidget() is tab.empty_label and tab.empty_label.text() == EMPTY_TEXT
    assert tab.status_text() == "还没有党支部"


def test_record_table_model_passes_the_model_tester(qtmodeltester, demo_db):
    model = RecordTableModel(BRANCH_COLUMNS, search=lambda s: s.name)
    model.set_rows(org_edit.group_overview())
    qtmodeltester.check(model, force_py=True)
    model.set_search("望湖")
    model.sort(2, Qt.SortOrder.DescendingOrder)
    model.set_predicate(lambda s: s.groups > 0)
    counts = [model.row_at(r).members for r in range(model.rowCount())]
    assert counts == sorted(counts, reverse=True) and all("望湖" in r.name for r in model.shown_rows())


def test_show_without_leader_lists_the_branches_to_fix(qtbot, demo_db):
    tab = open_tab(qtbot)
    gid = tab.group_model.shown_rows()[0].id
    org_edit.set_group_leader(gid, None)
    tab.refresh()
    tab.show_without_leader()
    assert [r.name for r in tab.branch_model.shown_rows()] == [s.name for s in org_edit.group_overview() if s.leaderless]
    assert tab.current_group_id() == gid and tab.group_model.row_at(0).leader_name == ""
    assert "没有组长的党小组" in tab.warnings.text()
