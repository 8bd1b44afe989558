"""Service rules of the organisation (SPEC §2): unique names across short name, full
name and alias; renaming keeps the old name findable; moving branches and groups;
dissolving only when nothing active remains below (the message says what); buildings
covered by one group; the 楼栋党小组 warnings; the 1+X teams of the demo; audit events."""

from __future__ import annotations

import json

import pytest
from test_members_factory import TODAY, VIEWER, add_member, make_org

from models import (
    AuditEvent,
    Branch,
    BranchAlias,
    BranchEstate,
    Building,
    BuildingGroup,
    Community,
    Estate,
    EstateRole,
    Member,
    MemberTransfer,
    Organization,
)
from wanghu_desk.errors import PermissionDenied, ValidationError
from wanghu_desk.services import audit_log, members, org_edit, organization
from wanghu_desk.services.base import acting_as
from wanghu_desk.services.lookup import BranchLookup


@pytest.fixture
def org(fresh_db):
    return make_org()


def tree_counts():
    """name → (members, groups) for every node of the organisation tree."""
    return {n.name: (n.members, n.groups) for root in organization.org_tree() for n in root.walk()}


# ---------------------------------------------------------------- communities, estates, buildings


def test_communities_estates_and_buildings(org):
    tree = org_edit.communities_tree()
    assert [c.name for c in tree] == ["望湖社区", "南湖社区"]
    (estate,) = tree[0].estates
    assert (estate.name, estate.kind_label, estate.households) == ("望湖城北苑", "商品房小区", 1200)
    assert [b.number for b in estate.buildings] == ["1栋", "2栋", "3栋", "4栋", "5栋", "6栋"]
    assert estate.buildings[0].group_name == "1-2栋党小组" and estate.buildings[3].group_name == ""
    assert estate.branch_names == ["望湖城北苑小区党支部"]
    with pytest.raises(ValidationError) as info:
        org_edit.add_buildings(org.estate, "5-7")
    assert "5栋、6栋" in info.value.message
    assert org_edit.add_buildings(org.estate, "7栋、8幢、9") and Building.select().count() == 9
    assert org_edit.parse_building_numbers("1-3号楼") != []
    assert org_edit.parse_building_numbers("10-12幢") == ["10幢", "11幢", "12幢"]
    with pytest.raises(ValidationError):
        org_edit.create_estate({"name": "望湖城北苑", "community_id": org.community})
    with pytest.raises(ValidationError):
        org_edit.create_estate({"name": "新小区", "community_id": org.community, "households": "很多"})


def test_what_is_referred_to_cannot_be_deleted(org):
    with pytest.raises(ValidationError) as info:
        org_edit.delete_community(org.community)
    assert "1 个小区" in info.value.message and "1 个党支部" in info.value.message
    with pytest.raises(ValidationError) as info:
        org_edit.delete_estate(org.estate)
    assert "6 栋楼" in info.value.message
    with pytest.raises(ValidationError) as info:
        org_edit.delete_building(org.buildings[0])
    assert "1-2栋党小组" in info.value.message
    org_edit.delete_building(org.buildings[5])
    spare = org_edit.create_community({"name": "临时社区"})
    org_edit.delete_community(spare)
    assert not Community.select().where(Community.name == "临时社区").exists()
    assert AuditEvent.select().where(AuditEvent.entity == "community", AuditEvent.action == "delete").count() == 1


def test_estate_edit_keeps_property_and_owners_committee(org):
    values = {
        "name": "望湖城北苑",
        "community_id": org.community,
        "kind": "resettlement",
        "households": 1300,
        "property_company": "安徽徽园物业管理有限公司",
        "property_contact": "李明",
        "property_phone": "13955110001",
        "owners_committee": "望湖城北苑业主委员会",
        "owners_committee_contact": "赵刚",
        "owners_committee_phone": "0551-65170000",
    }
    assert org_edit.update_estate(org.estate, values)
    e = Estate.get_by_id(org.estate)
    assert (e.kind, e.households, e.property_company, e.owners_committee_phone) == (
        "resettlement",
        1300,
        "安徽徽园物业管理有限公司",
        "0551-65170000",
    )
    with pytest.raises(ValidationError) as info:
        org_edit.update_estate(org.estate, {**values, "property_phone": "12345"})
    assert "物业电话" in info.value.message


# ---------------------------------------------------------------- branches


def test_a_new_branch_gets_its_full_name_estates_and_aliases(org):
    bid = org_edit.create_branch(
        {
            "name": "南湖春城小区党支部",
            "category": "estate",
            "organization_id": org.other_committee,
            "aliases": "南湖春城党支部、春城支部",
            "estate_ids": [org.estate],
        },
        today=TODAY,
    )
    detail = org_edit.branch_detail(bid)
    assert detail.full_name == "中共南湖春城小区支部委员会"
    assert detail.aliases == ["南湖春城党支部", "春城支部"]
    assert detail.estate_names == ["望湖城北苑"] and detail.category_label == "小区(片区)党支部"
    assert BranchLookup().get("春城支部").id == bid


@pytest.mark.parametrize(
    "clash",
    [
        {"name": "望湖城北苑小区党支部"},
        {"name": "新支部", "full_name": "中共望湖城北苑小区支部委员会"},
        {"name": "新支部", "aliases": "望湖城北苑小区党支部"},
        {"name": "望湖城北苑小区 党支部"},  # spaces do not make a new name
    ],
)
def test_branch_names_are_unique_across_short_full_and_alias(org, clash):
    values = {"category": "grid", "organization_id": org.committee, **clash}
    with pytest.raises(ValidationError) as info:
        org_edit.create_branch(values, today=TODAY)
    assert "望湖城北苑小区党支部" in info.value.message


def test_renaming_keeps_the_old_name_as_an_alias(org):
    values = org_edit.branch_detail(org.branch).form_values()
    values.update(name="望湖城北苑片区党支部", full_name="中共望湖城北苑片区支部委员会")
    assert org_edit.update_branch(org.branch, values, today=TODAY)
    b = Branch.get_by_id(org.branch)
    assert b.name == "望湖城北苑片区党支部"
    assert [a.alias for a in BranchAlias.select().where(BranchAlias.branch == b.id)] == ["望湖城北苑小区党支部"]
    assert BranchLookup().get("望湖城北苑小区党支部").id == b.id
    (event,) = AuditEvent.select().where(AuditEvent.entity == "branch", AuditEvent.action == "rename")
    assert json.loads(event.before_json)["name"] == "望湖城北苑小区党支部"
    entry = audit_log.history("branch", b.id)[0]
    assert entry.action == "更名" and any(c.label == "简称" for c in entry.changes)


def test_branch_fields_are_validated(org):
    base = {"name": "新支部", "category": "grid", "organization_id": org.committee}
    with pytest.raises(ValidationError):
        org_edit.create_branch({**base, "category": "unknown"}, today=TODAY)
    with pytest.raises(ValidationError):
        org_edit.create_branch({**base, "organization_id": None}, today=TODAY)
    with pytest.raises(ValidationError) as info:
        org_edit.create_branch({**base, "phone": "5517"}, today=TODAY)
    assert "联系电话" in info.value.message
    with pytest.raises(ValidationError) as info:
        org_edit.create_branch({**base, "founded_on": "2030-01-01"}, today=TODAY)
    assert "晚于今天" in info.value.message


def test_moving_a_branch_to_another_committee_changes_the_tree_counts(org):
    add_member(org.branch, name="张三")
    add_member(org.branch, name="李四")
    before = tree_counts()
    assert before["中共望湖社区委员会"][0] == 2 and before["中共南湖社区委员会"][0] == 0
    org_edit.move_branch(org.branch, org.other_committee)
    b = Branch.get_by_id(org.branch)
    assert b.organization_id == org.other_committee
    assert b.community_id == Organization.get_by_id(org.other_committee).community_id
    after = tree_counts()
    assert after["中共望湖社区委员会"] == (0, 0) and after["中共南湖社区委员会"] == (2, 2)
    with pytest.raises(ValidationError):
        org_edit.move_branch(org.branch, org.other_committee)


def test_a_branch_is_dissolved_only_when_nothing_active_remains(org):
    mid = add_member(org.branch, name="张三", group_id=org.group)
    with pytest.raises(ValidationError) as info:
        org_edit.dissolve_branch(org.branch, today=TODAY)
    assert "还有 1 名在册党员、2 个楼栋党小组，不能撤销" in info.value.message
    members.transfer_member(mid, org.other_branch, "2026-11-01", today=TODAY)
    with pytest.raises(ValidationError) as info:
        org_edit.dissolve_branch(org.branch, today=TODAY)
    assert "2 个楼栋党小组" in info.value.message and "党员" not in info.value.message.split("，")[0]
    org_edit.dissolve_group(org.group, today=TODAY)
    org_edit.move_group(org.other_group, org.other_branch, today=TODAY)
    org_edit.dissolve_branch(org.branch, "2026-11-20", today=TODAY)
    b = Branch.get_by_id(org.branch)
    assert (b.status, b.dissolved_on.isoformat()) == ("dissolved", "2026-11-20")
    assert Member.get_by_id(mid).status == "active"  # nothing was deleted
    assert "望湖城北苑小区党支部" not in tree_counts()
    with pytest.raises(ValidationError):
        org_edit.dissolve_branch(org.branch, today=TODAY)


def test_a_committee_is_removed_only_when_empty(org):
    with pytest.raises(ValidationError) as info:
        org_edit.delete_organization(org.committee)
    assert "1 个党支部" in info.value.message
    top = Organization.get(Organization.kind == "working_committee")
    with pytest.raises(ValidationError):
        org_edit.delete_organization(top.id)
    spare = org_edit.create_organization({"name": "中共测试党总支", "kind": "general_branch"})
    org_edit.delete_organization(spare)
    assert not Organization.select().where(Organization.id == spare).exists()


# ---------------------------------------------------------------- building groups


def test_a_building_belongs_to_one_group_and_the_leader_joins_the_group(org):
    with pytest.raises(ValidationError) as info:
        org_edit.create_group(org.branch, {"name": "新组", "building_ids": [org.buildings[1], org.buildings[4]]})
    assert "2栋（1-2栋党小组）" in info.value.message
    mid = add_member(org.branch, name="张三")
    stranger = add_member(org.other_branch, name="王五")
    with pytest.raises(ValidationError):
        org_edit.create_group(org.branch, {"name": "新组", "leader_id": stranger})
    gid = org_edit.create_group(
        org.branch, {"name": "4-5栋党小组", "building_ids": org.buildings[3:5], "leader_id": mid}
    )
    assert Member.get_by_id(mid).group_id == gid
    detail = org_edit.group_detail(gid)
    assert detail.building_labels == ["望湖城北苑 4栋", "望湖城北苑 5栋"] and detail.leader_name == "张三"
    with pytest.raises(ValidationError) as info:
        org_edit.create_group(org.branch, {"name": "4-5栋党小组"})
    assert "已经有名为" in info.value.message
    assert org_edit.update_group(gid, {"name": "4-6栋党小组", "building_ids": org.buildings[3:6], "leader_id": mid})
    assert org_edit.group_detail(gid).building_ids == org.buildings[3:6]


def test_moving_a_group_with_members_needs_consent_and_transfers_them(org):
    a = add_member(org.branch, name="张三", group_id=org.group)
    b = add_member(org.branch, name="李四", group_id=org.group)
    org_edit.set_group_leader(org.group, a)
    counts = tree_counts()
    assert counts["望湖城北苑小区党支部"] == (2, 2)
    with pytest.raises(ValidationError) as info:
        org_edit.move_group(org.group, org.other_branch, today=TODAY)
    assert info.value.field == "members" and "2 名党员" in info.value.message
    assert org_edit.move_group(org.group, org.other_branch, with_members=True, on="2026-11-01", today=TODAY) == 2
    assert {Member.get_by_id(m).branch_id for m in (a, b)} == {org.other_branch}
    assert MemberTransfer.select().where(MemberTransfer.to_branch == org.other_branch).count() == 2
    assert BuildingGroup.get_by_id(org.group).leader_id == a
    counts = tree_counts()
    assert counts["望湖城北苑小区党支部"] == (0, 1) and counts["南湖社区离退休党员党支部"] == (2, 1)


def test_a_group_is_dissolved_only_when_empty_and_frees_its_buildings(org):
    mid = add_member(org.branch, name="张三", group_id=org.group)
    with pytest.raises(ValidationError) as info:
        org_edit.dissolve_group(org.group, today=TODAY)
    assert "还有 1 名党员" in info.value.message
    members.unassign_group([mid])
    org_edit.dissolve_group(org.group, today=TODAY)
    assert BuildingGroup.get_by_id(org.group).status == "dissolved"
    assert org_edit.create_group(org.branch, {"name": "新1-2栋党小组", "building_ids": org.buildings[:2]})
    assert AuditEvent.select().where(AuditEvent.entity == "group", AuditEvent.action == "dissolve").count() == 1


def test_group_warnings(org):
    a = add_member(org.branch, name="张三", group_id=org.group)
    add_member(org.branch, name="李四")
    add_member(org.other_branch, name="王五")  # a branch without groups: no warning
    org_edit.set_group_leader(org.group, a)
    warnings = org_edit.group_warnings(org.branch)
    assert [n for _, n in warnings.unassigned] == ["李四"]
    assert [n for _, n in warnings.leaderless] == ["3栋党小组"]
    assert [n for _, n in warnings.uncovered] == ["望湖城北苑 4栋", "望湖城北苑 5栋", "望湖城北苑 6栋"]
    assert any("李四" in s for s in warnings.sentences())
    overview = {s.name: s for s in org_edit.group_overview()}
    first = overview["望湖城北苑小区党支部"]
    assert (first.groups, first.members, first.unassigned, first.leaderless, first.uncovered) == (2, 2, 1, 1, 3)
    assert overview["南湖社区离退休党员党支部"].warnings == 0
    rows = org_edit.branch_groups(org.branch)
    assert [(r.name, r.buildings, r.leader_name, r.members) for r in rows] == [
        ("1-2栋党小组", "1栋、2栋", "张三", 1),
        ("3栋党小组", "3栋", "", 0),
    ]


def test_a_viewer_cannot_change_the_organisation(org):
    with acting_as(VIEWER), pytest.raises(PermissionDenied):
        org_edit.dissolve_group(org.other_group, today=TODAY)
    assert BuildingGroup.get_by_id(org.other_group).status == "active"


# ---------------------------------------------------------------- estate governance teams (1+X)


def test_demo_estate_teams_match_the_seed(demo_db):
    totals = org_edit.team_totals()
    assert (totals["instructor"], totals["red_steward"], totals["student_steward"]) == (29, 52, 28)
    assert totals["teams"] == 28 and totals["secretary"] == 29
    rows = org_edit.estate_teams()
    assert len(rows) == 29 and sum(1 for r in rows if not r.has_team) == 1


def test_estate_team_seats_are_added_edited_and_vacated(org):
    mid = add_member(org.branch, name="张三")
    rid = org_edit.add_estate_role(
        org.estate,
        {"role": "red_steward", "person_name": "张三", "member_id": mid, "phone": "13955110002", "since": "2023-03-01"},
        today=TODAY,
    )
    (seat,) = org_edit.estate_roles(org.estate)
    assert (seat.role_label, seat.member_name, seat.since) == ("红色小管家", "张三", "2023-03-01")
    assert org_edit.update_estate_role(rid, {**seat.form_values(), "note": "负责3栋"}, today=TODAY)
    with pytest.raises(ValidationError):
        org_edit.add_estate_role(org.estate, {"role": "mayor", "person_name": "张三"}, today=TODAY)
    org_edit.remove_estate_role(rid)
    assert EstateRole.select().count() == 0
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.entity == "estate_role")]
    assert actions == ["create", "update", "delete"]


def test_building_options_follow_the_estates_a_branch_serves(org):
    options = org_edit.building_options(org.branch)
    assert [o.label for o in options][:2] == ["望湖城北苑 1栋", "望湖城北苑 2栋"]
    assert options[0].group_name == "1-2栋党小组" and options[5].group_id is None
    assert BranchEstate.select().count() == 1
