"""Keeping the organisation right (SPEC §2): communities, estates and their buildings,
community committees, branches, building party groups and the estate governance teams
(1+X) — reading them for the 党组织, 楼栋党小组 and 小区治理团队 views, and every change.

Rules
- Names are unique: a branch's short name, full name and aliases must not be any other
  branch's name of any kind (files name branches all three ways, see `services.lookup`).
  A renamed branch keeps its old short name as an alias, so older files still resolve.
- Moving: a branch to another community committee; a building group to another branch
  (its members go along, with a transfer record each, only when asked to).
- Dissolving a branch or a group (status "dissolved", never a delete) is refused while
  anything active hangs below it; the message says what remains. Communities, estates,
  buildings and empty committees that nothing refers to may be deleted (a mistake).
- A building is covered by at most one active building group.

Every write runs in `services.base.writing()` with audit events (before/after).

The package is split by concern; this module re-exports every name, so
``from wanghu_desk.services import org_edit`` and ``org_edit.create_branch(...)`` work as
before:

- `_common` — the small field checks, fetching a row, unique names, saving with an audit event;
- `choices` — the options of the dialogs (communities, committees, estates, branches, buildings);
- `committees` — party organisations above the branches (working committee, community committees);
- `places` — communities, estates and buildings: the tree, and their changes;
- `branches` — branches: detail, create, rename (aliases), move, dissolve;
- `groups` — building party groups: overview, warnings, create, edit, move, dissolve;
- `estate_roles` — the estate governance teams (1+X) and their seats.
"""

from __future__ import annotations

from wanghu_desk.services.org_edit._common import (  # noqa: F401 - re-exported
    MAX_NAME,
    _count,
    _covering_groups,
    _date,
    _get,
    _iso,
    _natural,
    _person,
    _phone,
    _save,
    _text,
    _unique,
    full_name_for,
)
from wanghu_desk.services.org_edit.branches import (  # noqa: F401 - re-exported
    BranchDetail,
    _branch_links,
    _branch_values,
    _names_in_use,
    _set_aliases,
    _set_estates,
    _split_aliases,
    branch_detail,
    branch_remains,
    create_branch,
    dissolve_branch,
    move_branch,
    update_branch,
)
from wanghu_desk.services.org_edit.choices import (  # noqa: F401 - re-exported
    BuildingOption,
    Option,
    branch_options,
    building_options,
    committee_options,
    community_options,
    estate_options,
)
from wanghu_desk.services.org_edit.committees import (  # noqa: F401 - re-exported
    OrganizationDetail,
    _organization_values,
    _top,
    create_organization,
    delete_organization,
    organization_detail,
    update_organization,
)
from wanghu_desk.services.org_edit.estate_roles import (  # noqa: F401 - re-exported
    TEAM_ROLES,
    EstateTeamRow,
    RoleRow,
    _role_values,
    add_estate_role,
    estate_roles,
    estate_teams,
    remove_estate_role,
    team_totals,
    update_estate_role,
)
from wanghu_desk.services.org_edit.groups import (  # noqa: F401 - re-exported
    BranchGroupSummary,
    GroupDetail,
    GroupRow,
    GroupWarnings,
    _check_buildings,
    _check_leader,
    _group_name,
    _make_leader_a_member,
    _set_buildings,
    _uncovered_buildings,
    branch_groups,
    create_group,
    dissolve_group,
    group_detail,
    group_overview,
    group_remains,
    group_warnings,
    move_group,
    set_group_leader,
    update_group,
)
from wanghu_desk.services.org_edit.places import (  # noqa: F401 - re-exported
    _RANGE,
    BuildingRow,
    CommunityRow,
    EstateRow,
    _community_values,
    _estate_values,
    add_buildings,
    communities_tree,
    create_community,
    create_estate,
    delete_building,
    delete_community,
    delete_estate,
    parse_building_numbers,
    update_building,
    update_community,
    update_estate,
)
