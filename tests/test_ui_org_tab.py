"""The 党组织 tab with editing, driven through its widgets: the tree's counts and the
detail pane, dissolving refused while members remain (the message says what), adding,
renaming and moving branches, moving a group with its members, communities / estates /
buildings, the 1+X teams of the demo, and "查看党员" into the 党员 tab."""

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

from models import Branch, BranchAlias, Building, BuildingGroup, Estate, EstateRole, Member, MemberTransfer
from ui.members_tab import MembersTab
from ui.org_edit_dialogs import (
    BranchDialog,
    BuildingDialog,
    EstateDialog,
    EstateRoleDialog,
    MoveBranchDialog,
    MoveGroupDialog,
    set_checked,
)
from ui.org_tab import OrgTab
from ui.org_tree_model import NODE_ROLE
from wanghu_desk.services import organization


@pytest.fixture
def dialog_log(monkeypatch) -> DialogLog:
    return record_dialogs(monkeypatch)


def open_tab(qtbot, today=DEMO_TODAY) -> OrgTab:
    tab = themed(qtbot, OrgTab(today=lambda: today))
    tab.resize(1400, 860)
    tab.refresh()
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def node(tab: OrgTab, kind: str, node_id: int):
    index = tab.tree.index_of((kind, node_id))
    assert index.isValid(), (kind, node_id)
    return index.data(NODE_ROLE)


def first_branch():
    committee = organization.org_tree()[0].children[0]
    return committee, committee.children[0]


def test_the_tree_has_counts_and_the_detail_pane_reads_the_services(qtbot, demo_db):
    tab = open_tab(qtbot)
    top = tab.model.roots()[0]
    assert (top.branches, top.groups) == (74, 233)
    assert tab.status_text().startswith("党组织 6 个 · 党支部 74 个 · 楼栋党小组 233 个")
    committee, branch = first_branch()
    assert tab.select_node("branch", branch.id)
    text = tab.structure.detail.text()
    assert Branch.get_by_id(branch.id).full_name in text and f"{branch.members:,} 名" in text
    assert tab.structure.move_button.isEnabled() and tab.structure.dissolve_button.text() == "撤销"
    tab.select_node(committee.kind, committee.id)
    assert tab.structure.dissolve_button.text() == "删除" and not tab.structure.move_button.isEnabled()


def test_dissolving_a_branch_is_refused_while_members_remain(qtbot, demo_db, dialog_log):
    tab = open_tab(qtbot)
    _committee, branch = first_branch()
    tab.select_node("branch", branch.id)
    qtbot.mouseClick(tab.structure.dissolve_button, Qt.MouseButton.LeftButton)
    (message,) = dialog_log.texts("warn")
    assert f"还有 {branch.members} 名在册党员、{branch.groups} 个楼栋党小组，不能撤销" in message
    assert Branch.get_by_id(branch.id).status == "active"
    assert dialog_log.texts("ask") == []  # refused before any question


def test_an_empty_branch_is_dissolved_after_confirmation(qtbot, fresh_db, dialog_log):
    org = make_org()
    tab = open_tab(qtbot, TODAY)
    tab.select_node("branch", org.other_branch)
    dialog_log.answer = False
    qtbot.mouseClick(tab.structure.dissolve_button, Qt.MouseButton.LeftButton)
    assert Branch.get_by_id(org.other_branch).status == "active"
    dialog_log.answer = True
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(tab.structure.dissolve_button, Qt.MouseButton.LeftButton)
    assert Branch.get_by_id(org.other_branch).status == "dissolved"
    assert not tab.tree.index_of(("branch", org.other_branch)).isValid()


def test_add_and_rename_a_branch_in_its_dialog(qtbot, fresh_db):
    org = make_org()
    tab = open_tab(qtbot, TODAY)
    tab.select_node("community_committee", org.committee)
    dialog = tab.structure.add_branch()
    assert isinstance(dialog, BranchDialog)
    assert dialog.organization.currentData() == org.committee
    type_text(qtbot, dialog.name, "望湖城南苑小区党支部")
    assert dialog.full_name.text() == "中共望湖城南苑小区支部委员会"  # suggested
    type_text(qtbot, dialog.aliases, "南苑支部")
    choose(dialog.category, "estate")
    set_checked(dialog.estates, org.estate)
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    new = Branch.get(Branch.name == "望湖城南苑小区党支部")
    assert tab.structure.current_node().id == new.id
    assert node(tab, "community_committee", org.committee).branches == 2

    dialog = tab.structure.edit_node()
    dialog.name.clear()
    type_text(qtbot, dialog.name, "望湖城北苑小区党支部")  # another branch's name
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "已经是「望湖城北苑小区党支部」的名称" in dialog.error_text() and dialog.isVisible()
    dialog.name.clear()
    type_text(qtbot, dialog.name, "望湖城南苑片区党支部")
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    aliases = {a.alias for a in BranchAlias.select().where(BranchAlias.branch == new.id)}
    assert aliases == {"南苑支部", "望湖城南苑小区党支部"}
    assert "更名" in tab.structure.detail.text()


def test_moving_a_branch_changes_the_committees_counts(qtbot, fresh_db):
    org = make_org()
    add_member(org.branch, name="张三")
    tab = open_tab(qtbot, TODAY)
    assert node(tab, "community_committee", org.committee).members == 1
    tab.select_node("branch", org.branch)
    dialog = tab.structure.move_node()
    assert isinstance(dialog, MoveBranchDialog)
    choose(dialog.target, org.other_committee)
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert node(tab, "community_committee", org.committee).members == 0
    assert node(tab, "community_committee", org.other_committee).members == 1
    assert tab.structure.current_node().id == org.branch  # still selected, under its new committee


def test_moving_a_group_with_its_members(qtbot, fresh_db):
    org = make_org()
    a = add_member(org.branch, name="张三", group_id=org.group)
    tab = open_tab(qtbot, TODAY)
    tab.select_node("group", org.group)
    dialog = tab.structure.move_node()
    assert isinstance(dialog, MoveGroupDialog) and dialog.with_members.isChecked()
    choose(dialog.target, org.other_branch)
    with qtbot.waitSignal(tab.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert BuildingGroup.get_by_id(org.group).branch_id == org.other_branch
    assert Member.get_by_id(a).branch_id == org.other_branch
    assert MemberTransfer.select().where(MemberTransfer.member == a).count() == 1
    assert node(tab, "branch", org.other_branch).members == 1


def test_context_menu_has_the_edit_actions(qtbot, demo_db):
    tab = open_tab(qtbot)
    _committee, branch = first_branch()
    tab.select_node("branch", branch.id)
    menu = tab.tree.build_context_menu(tab.view.currentIndex())
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:3] == ["编辑…", "移动…", "撤销…"]
    assert {"新建楼栋党小组…", "查看党员", "展开全部", "复制名称"} <= set(texts)


def test_show_members_fills_the_members_tab(qtbot, demo_db):
    tab = open_tab(qtbot)
    members_tab = themed(qtbot, MembersTab(today=lambda: DEMO_TODAY))
    members_tab.refresh()
    tab.showMembersRequested.connect(members_tab.filter_org_node)  # what the main window wires
    committee, branch = first_branch()
    tab.select_node("branch", branch.id)
    qtbot.mouseClick(tab.structure.members_button, Qt.MouseButton.LeftButton)
    assert members_tab.model.shown_count == branch.members
    tab.select_node(committee.kind, committee.id)
    qtbot.mouseClick(tab.structure.members_button, Qt.MouseButton.LeftButton)
    assert members_tab.model.shown_count == committee.members


def test_communities_estates_and_buildings_page(qtbot, fresh_db):
    org = make_org()
    tab = open_tab(qtbot, TODAY)
    tab.pages.setCurrentWidget(tab.places)
    places = tab.places
    assert tab.status_text() == "社区 2 个 · 小区 1 个 · 楼栋 6 栋"
    assert places.estate_model.rowCount() == 1 and places.building_model.rowCount() == 6
    dialog = places.add_estate()
    assert isinstance(dialog, EstateDialog)
    type_text(qtbot, dialog.fields["name"], "望湖城南苑")
    choose(dialog.fields["kind"], "resettlement")
    type_text(qtbot, dialog.fields["households"], "800")
    type_text(qtbot, dialog.fields["property_company"], "合肥安居物业管理有限公司")
    with qtbot.waitSignal(places.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    estate = Estate.get(Estate.name == "望湖城南苑")
    assert (estate.kind, estate.households, estate.community_id) == ("resettlement", 800, org.community)
    from ui.groups_tab import select_row

    select_row(places.estate_view, places.estate_model.row_of(lambda e: e.id == estate.id))
    dialog = places.add_buildings()
    assert isinstance(dialog, BuildingDialog)
    type_text(qtbot, dialog.number, "1-3")
    with qtbot.waitSignal(places.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert [b.number for b in Building.select().where(Building.estate == estate.id)] == ["1栋", "2栋", "3栋"]
    assert places.building_model.rowCount() == 3
    assert places.building_model.data(places.building_model.index(0, 3)) == "未覆盖"


def test_a_community_in_use_is_not_deleted(qtbot, fresh_db, dialog_log):
    make_org()
    tab = open_tab(qtbot, TODAY)
    tab.pages.setCurrentWidget(tab.places)
    dialog_log.answer = True
    assert not tab.places.delete_community()
    assert "下面还有 1 个小区" in dialog_log.texts("error")[-1]


def test_estate_teams_match_the_demo_and_take_a_new_seat(qtbot, demo_db):
    tab = open_tab(qtbot)
    tab.pages.setCurrentWidget(tab.teams)
    teams = tab.teams
    text = teams.totals_label.text()
    assert "党建指导员 29 名" in text and "红色小管家 52 名" in text and "大学生社区小管家 28 名" in text
    assert "治理团队 28 个" in text
    before = EstateRole.select().count()
    dialog = teams.add_seat("red_steward")
    assert isinstance(dialog, EstateRoleDialog)
    type_text(qtbot, dialog.person, "李秀英")
    type_text(qtbot, dialog.phone, "13955110009")
    with qtbot.waitSignal(teams.dataChanged):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert EstateRole.select().count() == before + 1
    assert "红色小管家 53 名" in teams.totals_label.text()


def test_empty_lists_say_what_to_do(qtbot, fresh_db):
    tab = open_tab(qtbot, TODAY)
    assert tab.tree.stack.currentWidget() is tab.tree.empty_label
    tab.pages.setCurrentWidget(tab.places)
    hint = tab.places.community_hint.label
    assert hint.isVisible() and hint.text() == "还没有社区。点击「新增」。"
    tab.pages.setCurrentWidget(tab.teams)
    assert tab.teams.stack.currentWidget() is tab.teams.empty_label
    make_org()
    tab.refresh()
    tab.pages.setCurrentWidget(tab.places)
    assert not tab.places.community_hint.label.isVisible()
