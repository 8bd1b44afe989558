"""Every public function of `wanghu_desk.services` is either a read or a write with a recipe
here, and every write is role-checked and audited (SPEC §10, issue 12).

`test_every_public_function_is_classified` walks the service packages (pkgutil/inspect):
a new public function — or a public method of a service class — that is in neither
`READS` nor `WRITES` fails the suite, so nobody adds an unaudited write silently.

For each write the recipe calls it with valid arguments on the demo database:

- as a **viewer** it raises `PermissionDenied` and nothing changes (the audit log's rows
  and the contents of the touched tables are the same before and after);
- as a **clerk** it succeeds — or, for the administrators' actions (accounts, reopening,
  settings, funds), it raises `PermissionDenied` for the clerk and succeeds for an admin;
- each successful call writes at least one `AuditEvent` row in the same transaction.

One demo database serves the whole module; each call runs inside a transaction that is
rolled back afterwards (the services' own transactions become savepoints), so every
recipe starts from the same data and the file stays fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import inspect
import itertools
import pkgutil
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import peewee as pw
import pytest
import reporting_recipes
from conftest import DEMO_TODAY, quick_hasher

import wanghu_desk.services as services_pkg
from models import (
    Account,
    AuditEvent,
    Branch,
    Building,
    BuildingGroup,
    Community,
    Estate,
    EstateRole,
    Fund,
    LedgerEntry,
    Matter,
    MatterCategory,
    MatterEscalation,
    MatterStep,
    Member,
    Organization,
    Rating,
    RatingCriterion,
    RatingRound,
    RatingScheme,
    RatingScore,
    ServiceProject,
    ServiceRecord,
    Setting,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
    db,
)
from wanghu_desk import database
from wanghu_desk.errors import PermissionDenied
from wanghu_desk.services import (
    accounts,
    audit_log,
    exports,
    imports,
    ledger,
    matters,
    members,
    org_edit,
    rating,
    settings,
)
from wanghu_desk.services import volunteers as vs
from wanghu_desk.services.base import Actor, acting_as
from wanghu_desk.services.ledger.rules import ImmutableEntryError
from wanghu_desk.services.matters import importing as matters_importing
from wanghu_desk.validation import id_check_char

TODAY = DEMO_TODAY
D = dt.date
PASSWORDS = {"admin": "walk-admin-pass-1", "lu": "walk-clerk-pass-1", "kan": "walk-viewer-pass-1"}

# ---------------------------------------------------------------- reads

#: Public functions (and methods of service classes) that write nothing. Each was read to
#: be a query, a pure helper or a check of a form; a function that may write belongs in
#: WRITES with a recipe instead.
READS: frozenset[str] = frozenset(
    """
    accounts.role_label accounts.hash_password accounts.check_password_rules accounts.actor_of
    accounts.needs_setup accounts.list_accounts accounts.account_names accounts.single_user_mode
    accounts.single_user_actor
    audit_log.history audit_log.member_history audit_log.entity_label audit_log.action_label
    audit_log.log_choices audit_log.search
    base.current_actor base.session_actor base.set_session_actor base.acting_as base.require
    base.writing base.to_json base.snapshot base.changes base.Transaction.audit
    exports.hours_value exports.members exports.branches exports.building_text exports.groups
    exports.star_label exports.volunteers exports.services exports.branch_names
    imports.group_names imports.branch_keys imports.community_names imports.group_reference_data
    imports.volunteer_reference_data imports.service_reference_data imports.ledger_trial
    imports.classify
    ledger.batch.LedgerBatch.add ledger.batch.LedgerBatch.add_reversal ledger.batch.LedgerBatch.add_row
    ledger.bulk.preview_flat_allocation ledger.bulk.preview_star_allocation
    ledger.choices.branch_choices ledger.choices.ledger_years ledger.choices.finalized_rating_years
    ledger.choices.people_names
    ledger.entries.reversal_summary
    ledger.funds.funds ledger.funds.fund_choices
    ledger.importing.normalize_ledger_row
    ledger.reading.ledger ledger.reading.balance ledger.reading.quarter_totals ledger.reading.entry
    ledger.reading.reversible_entries
    ledger.results.ComplianceReport.sentence
    ledger.rules.quarter_of ledger.rules.quarter_period ledger.rules.second_approver_threshold
    ledger.rules.estate_minimum ledger.rules.default_spend_percent ledger.rules.forbidden_terms
    ledger.rules.check_subject
    ledger.summary.minimum_checks ledger.summary.funds_summary ledger.summary.compliance
    lookup.normalize_org_name lookup.unknown_branch_message lookup.find_branch
    lookup.BranchLookup.get lookup.BranchLookup.suggestion lookup.BranchLookup.resolve
    matters._common.shown_phone matters._common.as_date
    matters._common.get_matter matters._common.now_text
    matters.deadlines.add_months matters.deadlines.add_workdays matters.deadlines.deadline_after
    matters.deadlines.kind_deadlines matters.deadlines.deadline_rule matters.deadlines.rule_text
    matters.figures.rate_text matters.figures.figures matters.figures.year_figures
    matters.figures.quarter_figures matters.figures.overdue_reminder matters.figures.stats_summary
    matters.figures.Tally.level_share matters.figures.Tally.as_dict matters.figures.MatterFigures.as_dict
    matters.register.category_choices matters.register.deadline_for matters.register.check_date
    matters.register.check_matter matters.register.next_number matters.register.handler_text
    matters.register.claimant_text matters.register.list_matters matters.register.matter_row
    matters.register.matter_detail matters.register.current_actor_is_admin
    matters.register.place_choices matters.register.branch_choices
    matters.vocab.steps_of matters.vocab.step_spec matters.vocab.next_step matters.vocab.is_closed_state
    matters.vocab.state_label matters.vocab.label matters.vocab.code_for
    matters.workflow.check_step matters.importing.classify
    members.load_roster members.roster_rows members.roster_row members.member_id_for_id_number
    members.apply_filter members.filter_rows members.search_rows members.name_sort_key members.sort_key
    members.sort_rows members.age_on members.branch_choices members.group_choices
    members.organisation_choices members.branch_ids_under members.check_member members.transfer_history
    members.member_detail members.probation_reminders members.counts_by_status members.branch_members
    members.Roster.branch_name members.Roster.group_name members.Roster.replace members.FormCheck.first_error
    org_edit._common.full_name_for
    org_edit.branches.branch_detail org_edit.branches.branch_remains org_edit.branches.BranchDetail.form_values
    org_edit.choices.community_options org_edit.choices.committee_options org_edit.choices.estate_options
    org_edit.choices.branch_options org_edit.choices.building_options
    org_edit.committees.organization_detail org_edit.committees.OrganizationDetail.form_values
    org_edit.estate_roles.estate_teams org_edit.estate_roles.team_totals org_edit.estate_roles.estate_roles
    org_edit.estate_roles.RoleRow.form_values
    org_edit.groups.group_detail org_edit.groups.group_overview org_edit.groups.branch_groups
    org_edit.groups.group_warnings org_edit.groups.group_remains org_edit.groups.GroupDetail.form_values
    org_edit.groups.GroupWarnings.sentences
    org_edit.places.communities_tree org_edit.places.parse_building_numbers
    org_edit.places.EstateRow.form_values org_edit.places.CommunityRow.form_values
    organization.org_tree organization.OrgNode.walk
    overview.members_by_branch_category overview.service_by_month overview.rating_due
    overview.funds_by_category overview.overview
    quarterly.hours_text quarterly.percent_text quarterly.share_permille quarterly.unit_info
    quarterly.organization_figures quarterly.member_figures quarterly.volunteer_figures
    quarterly.rating_figures quarterly.fund_figures quarterly.as_of_date quarterly.quarter_figures
    quarterly.Quarter.containing quarterly.matter_figures quarterly.matters_reported quarterly.reporting_figures quarterly.reporting_reported members.sorted_in_runs
    rating.scheme_detail rating.years rating.round_info rating.scheme_for_year rating.publicity_days
    rating.load_sheet rating.evaluate rating.year_result rating.distribution rating.history rating.dropped
    rating.missing_branches rating.finalize_problems rating.normalize_score_row rating.match_score_header
    rating.SchemeInfo.items rating.YearResult.by_branch rating.HistoryRow.change rating.stages_held
    rating.tie_decisions
    roster_search.RosterSearch.search
    settings.get
    stats.organization_name stats.rating_summary stats.ledger_summary stats.collect stats.collect_quarter
    volunteers._common.age_on volunteers._common.FormCheck.first_error
    volunteers.certificate.certificate_data
    volunteers.choices.owner_choices volunteers.choices.team_choices volunteers.choices.project_choices
    volunteers.hours.parse_hours volunteers.hours.hours_text volunteers.hours.hours_value
    volunteers.hours.star_level volunteers.hours.star_label volunteers.hours.next_star
    volunteers.hours.quarter_of volunteers.hours.quarter_span volunteers.hours.this_quarter
    volunteers.hours.this_year volunteers.hours.minutes_between
    volunteers.people.list_volunteers volunteers.people.volunteer_rows volunteers.people.search_volunteers
    volunteers.people.volunteer_values volunteers.people.member_match volunteers.people.check_volunteer
    volunteers.people.spelling_matches volunteers.people.volunteer_matches
    volunteers.projects.list_projects volunteers.projects.project_count volunteers.projects.project_values
    volunteers.projects.check_project
    volunteers.records.record_count volunteers.records.list_records volunteers.records.search_records
    volunteers.records.record_values volunteers.records.day_minutes volunteers.records.over_day_limit
    volunteers.records.check_record volunteers.records.check_bulk
    volunteers.teams.list_teams volunteers.teams.team_values volunteers.teams.check_team
    volunteers.teams.team_members
    volunteers.totals.hours_by_team volunteers.totals.volunteer_hours_by_quarter volunteers.totals.overview
    reporting._common.as_date reporting._common.clean reporting._common.now_text
    reporting._common.split_posts reporting._common.join_posts
    reporting.figures.orders_done_by_member reporting.figures.minutes_by_member
    reporting.figures.quarter_figures reporting.figures.stats_summary reporting.figures.dashboard
    reporting.figures.ReportingFigures.as_dict
    """.split()  # noqa: SIM905 - one name per word reads better than a 260-line list
)

#: Functions shaped like writes that refuse every call (ledger entries are immutable):
#: whoever calls them, they raise this error and write nothing.
REFUSALS: dict[str, tuple[Callable[[], Any], type[Exception]]] = {
    "ledger.entries.update_entry": (lambda: ledger.update_entry(1, summary="改"), ImmutableEntryError),
    "ledger.entries.delete_entry": (lambda: ledger.delete_entry(1), ImmutableEntryError),
}


# ---------------------------------------------------------------- the walk


def public_callables() -> set[str]:
    """Every public function defined in a module of `wanghu_desk.services`, and every
    public method of a (non-exception) class defined there, as ``module.name`` relative to
    the package (``members.create_member``, ``ledger.batch.LedgerBatch.write``). Names a
    package merely re-exports are counted once, where they are defined."""
    found = set()
    prefix = services_pkg.__name__ + "."
    for info in pkgutil.walk_packages(services_pkg.__path__, prefix):
        module = importlib.import_module(info.name)
        short = info.name[len(prefix):]
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != info.name:
                continue
            if inspect.isfunction(obj):
                found.add(f"{short}.{name}")
            elif inspect.isclass(obj) and not issubclass(obj, BaseException):
                for attr, value in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if inspect.isfunction(value) or isinstance(value, (classmethod, staticmethod)):
                        found.add(f"{short}.{name}.{attr}")
    return found


# ---------------------------------------------------------------- the demo data the recipes use

_ids = itertools.count(11)


def new_id_number() -> str:
    """A valid ID number no demo person has (a birth date the demo never generates)."""
    n = next(_ids)
    first17 = f"340123{19580101 + n % 28:08d}{n // 28 % 100:02d}{n % 10}"
    return first17 + id_check_char(first17)


def group_and_branch() -> tuple[int, int]:
    group = BuildingGroup.select().where(BuildingGroup.status == "active").order_by(BuildingGroup.id).first()
    return group.id, group.branch_id


def other_branch(not_this: int) -> int:
    return (
        Branch.select()
        .where(Branch.status == "active", Branch.id != not_this)
        .order_by(Branch.id)
        .first()
        .id
    )


def committee() -> Organization:
    return Organization.get_by_id(Branch.get_by_id(group_and_branch()[1]).organization_id)


def other_committee() -> Organization:
    first = committee()
    return (
        Organization.select()
        .where(Organization.kind == first.kind, Organization.id != first.id)
        .order_by(Organization.id)
        .first()
    )


def a_community() -> int:
    return Community.select().order_by(Community.id).first().id


def an_estate() -> int:
    return Estate.select().order_by(Estate.id).first().id


def member_form(branch: int, **overrides: Any) -> dict[str, Any]:
    form = {
        "name": "路过",
        "id_number": new_id_number(),
        "ethnicity": "汉族",
        "education": "大学本科",
        "category": "full",
        "joined_on": "2010-07-01",
        "confirmed_on": "2011-07-01",
        "branch_id": branch,
        "phone": "13855110000",
        "address": "望湖城北苑1栋1单元101室",
    }
    form.update(overrides)
    return form


def new_member(branch: int | None = None, **overrides: Any) -> int:
    branch = branch or group_and_branch()[1]
    return members.create_member(member_form(branch, **overrides), today=TODAY)


def new_branch() -> int:
    org = committee()
    return org_edit.create_branch(
        {"name": "走查新建功能型党支部", "category": "functional", "organization_id": org.id,
         "community_id": org.community_id},
        today=TODAY,
    )


def new_volunteer(**raw: Any) -> int:
    return vs.create_volunteer({"name": "走查志愿者", "phone": "13955110021", **raw}, today=TODAY)


def new_team(name: str = "走查服务队") -> int:
    return vs.create_team({"name": name, "kind": "volunteer"}, today=TODAY)


def new_record(vid: int | None = None) -> int:
    vid = vid or new_volunteer()
    return vs.create_record({"volunteer_id": vid, "served_on": "2026-11-20", "activity": "走查服务", "hours": "2"},
                            today=TODAY)


def estate_branch() -> int:
    return Branch.select().where(Branch.category == "estate", Branch.status == "active").order_by(Branch.id).first().id


def allocation(branch: int | None = None, amount: int = 500_000) -> int:
    return ledger.record_allocation(branch or estate_branch(), amount, entry_date=D(2026, 11, 2),
                                    summary="拨付专项经费", handler="王会计", approver="李书记", today=TODAY).id


def matter_raw(**extra: Any) -> dict[str, Any]:
    raw = {"kind": "qr_report", "content": "3栋楼道灯不亮", "received_on": D(2026, 11, 20), "estate_id": an_estate(),
           "raiser_name": "张三", "raiser_phone": "13955512345", "source": "qr"}
    raw.update(extra)
    return raw


def new_matter() -> int:
    return matters.create_matter(matter_raw(), today=TODAY)


ASSIGN = {"step": "assign", "step_on": D(2026, 11, 20), "handler_branch_id": None, "handler_unit": "物业公司"}


def reopened_2025() -> None:
    rating.reopen(2025, "走查：重新开放")


def scored_entry() -> tuple[int, int, int]:
    """(branch, criterion, points) of a score item of the 2025 round."""
    scheme = rating.scheme_for_year(2025)
    item = next(c for c in scheme.criteria if c.kind == "score")
    branch = rating.year_result(2025).results[0].branch_id
    return branch, item.id, item.max_cp // 2


def rated_branch(year: int = 2025) -> int:
    return rating.year_result(year).results[0].branch_id


def _other_self_stars() -> tuple[int, int]:
    """A branch of the 2025 round and a self-assessment it does not have."""
    row = rating.year_result(2025).results[0]
    return row.branch_id, 4 if row.self_stars == 5 else 5


def scheme_of_2026() -> int:
    rating.create_round(2026)
    return rating.scheme_for_year(2026).id


def save_scheme_again(scheme_id: int) -> None:
    s = rating.scheme_detail(scheme_id)
    lines = [rating.CriterionInput(c.kind, c.dimension, c.item, c.max_cp, c.id) for c in s.criteria]
    rating.save_scheme(scheme_id, name=s.name, thresholds=s.thresholds, caps=s.caps, criteria=lines,
                       note="走查：补充说明")


def ledger_row(branch: int) -> dict[str, Any]:
    return {"branch_id": branch, "kind": "allocation", "year": 2026, "entry_date": D(2026, 11, 3),
            "amount_fen": 20_000, "summary": "导入的拨付", "handler": "王会计", "approver": "李书记",
            "subject": "service", "fund_name": None, "second_approver": None}


def planned_batch() -> ledger.LedgerBatch:
    branch = estate_branch()
    batch = ledger.LedgerBatch([branch], today=TODAY)
    batch.add("allocation", branch, 30_000, entry_date=D(2026, 11, 4), summary="批量拨付", handler="王会计",
              approver="李书记", second_approver=None, subject="service", fund=None)
    return batch


def drain(generator) -> Any:
    """Run a generator service (an import) to its end and return its value."""
    try:
        while True:
            next(generator)
    except StopIteration as stop:
        return stop.value


def account_id(username: str) -> int:
    return Account.get(Account.username == username).id


def spare_account() -> int:
    return accounts.add_account("spare", "备用账号", "clerk", "walk-spare-pass-1")


def own_password_change() -> None:
    from wanghu_desk.services.base import current_actor

    old = PASSWORDS[current_actor().username]
    accounts.change_own_password(old, old + "x")


def without_admin_password() -> None:
    Account.update(password_hash=None).execute()


# ---------------------------------------------------------------- the recipes


@dataclass(frozen=True)
class Write:
    """How to call one write: `setup` runs as the administrator first (inside the same
    rolled-back transaction) and its value is passed to `call`; `tables` are the tables
    the write touches (checked unchanged after a refusal); `permission` is who may call it:
    "write" (clerks and admins), "admin", or "self" (anyone: logging in, one's own
    password — the service checks a password instead of a role)."""

    call: Callable[[Any], Any]
    tables: tuple[type[pw.Model], ...]
    permission: str = "write"
    setup: Callable[[], Any] = lambda: None
    defect: str | None = None  # a known defect in a file another helper owns: strict xfail


W = Write
MEMBER = (Member,)
ORG = (Branch, Organization, BuildingGroup)
TEAM = (VolunteerTeam, TeamMembership)
RATING = (RatingRound, Rating, RatingScore, RatingScheme, RatingCriterion)
MATTER = (Matter, MatterStep, MatterEscalation)

WRITES: dict[str, Write] = {
    # accounts (SPEC §10)
    "accounts.create_first_admin": W(lambda _: accounts.create_first_admin("first-admin-pass-1"), (Account,),
                                     "self", setup=without_admin_password),
    "accounts.authenticate": W(lambda _: accounts.authenticate("lu", PASSWORDS["lu"], now=dt.datetime(2026, 11, 22, 9)),
                               (Account,), "self"),
    "accounts.change_own_password": W(lambda _: own_password_change(), (Account,), "self"),
    "accounts.set_single_user_mode": W(lambda _: accounts.set_single_user_mode(True), (Setting,), "admin"),
    "accounts.add_account": W(lambda _: accounts.add_account("xin", "新来的", "viewer", "walk-new-pass-1"),
                              (Account,), "admin"),
    "accounts.update_account": W(lambda a: accounts.update_account(a, display_name="备用二", role="viewer"),
                                 (Account,), "admin", setup=spare_account),
    "accounts.set_account_active": W(lambda a: accounts.set_account_active(a, False), (Account,), "admin",
                                     setup=spare_account),
    "accounts.reset_password": W(lambda a: accounts.reset_password(a, "walk-reset-pass-1"), (Account,), "admin",
                                 setup=spare_account),
    "settings.put": W(lambda _: settings.put("organization.name", "望湖街道党工委"), (Setting,), "admin"),
    # imports (one audit event naming the file; an empty file still records the attempt)
    "imports.commit": W(lambda _: drain(imports.commit("members", [], source="走查.xlsx", backup=False)), MEMBER),
    # members
    "members.create_member": W(lambda _: new_member(), MEMBER),
    "members.update_member": W(lambda mf: members.update_member(mf[0], {**mf[1], "note": "走查：补充备注"}, today=TODAY),
                               MEMBER, setup=lambda: _member_with_form()),
    "members.record_leaving": W(lambda m: members.record_leaving(m, "transferred_out", "2026-10-01", "转至外地",
                                                                 today=TODAY), MEMBER, setup=new_member),
    "members.restore_membership": W(lambda m: members.restore_membership(m, "2026-11-01", "转回", today=TODAY),
                                    MEMBER, setup=lambda: _left(new_member())),
    "members.transfer_member": W(lambda m: members.transfer_member(m, other_branch(Member.get_by_id(m).branch_id),
                                                                   "2026-03-01", "工作调动", today=TODAY),
                                 MEMBER, setup=new_member),
    "members.confirm_full": W(lambda m: members.confirm_full(m, "2026-10-02", today=TODAY), MEMBER,
                              setup=lambda: new_member(category="probationary", joined_on="2025-10-02",
                                                       confirmed_on=None)),
    "members.assign_group": W(lambda m: members.assign_group([m], group_and_branch()[0]), MEMBER, setup=new_member),
    "members.unassign_group": W(lambda m: members.unassign_group([m]), MEMBER,
                                setup=lambda: _grouped(new_member())),
    # organisation
    "org_edit.branches.create_branch": W(lambda _: new_branch(), ORG),
    "org_edit.branches.update_branch": W(
        lambda b: org_edit.update_branch(b, {**org_edit.branch_detail(b).form_values(), "secretary": "走查书记"},
                                         today=TODAY), ORG, setup=lambda: group_and_branch()[1]),
    "org_edit.branches.move_branch": W(lambda b: org_edit.move_branch(b, other_committee().id), ORG,
                                       setup=new_branch),
    "org_edit.branches.dissolve_branch": W(lambda b: org_edit.dissolve_branch(b, today=TODAY), ORG,
                                           setup=new_branch),
    "org_edit.committees.create_organization": W(
        lambda _: org_edit.create_organization({"name": "中共走查党总支", "kind": "general_branch"}), ORG),
    "org_edit.committees.update_organization": W(
        lambda o: org_edit.update_organization(o, {**org_edit.organization_detail(o).form_values(),
                                                   "secretary": "走查书记"}), ORG,
        setup=lambda: committee().id),
    "org_edit.committees.delete_organization": W(
        lambda o: org_edit.delete_organization(o), ORG,
        setup=lambda: org_edit.create_organization({"name": "中共走查党总支", "kind": "general_branch"})),
    "org_edit.estate_roles.add_estate_role": W(
        lambda e: org_edit.add_estate_role(e, {"role": "red_steward", "person_name": "走查", "phone": "13955110002"},
                                           today=TODAY), (EstateRole,), setup=an_estate),
    "org_edit.estate_roles.update_estate_role": W(
        lambda r: org_edit.update_estate_role(r.id, {**r.form_values(), "note": "负责3栋"}, today=TODAY),
        (EstateRole,), setup=lambda: _first_role()),
    "org_edit.estate_roles.remove_estate_role": W(lambda r: org_edit.remove_estate_role(r.id), (EstateRole,),
                                                  setup=lambda: _first_role()),
    "org_edit.groups.create_group": W(lambda b: org_edit.create_group(b, {"name": "走查党小组"}), ORG,
                                      setup=lambda: group_and_branch()[1]),
    "org_edit.groups.update_group": W(
        lambda g: org_edit.update_group(g, {**org_edit.group_detail(g).form_values(), "note": "走查备注"}), ORG,
        setup=lambda: group_and_branch()[0]),
    "org_edit.groups.set_group_leader": W(lambda m: org_edit.set_group_leader(group_and_branch()[0], m), ORG,
                                          setup=lambda: _grouped(new_member())),
    "org_edit.groups.move_group": W(lambda g: org_edit.move_group(g, other_branch(group_and_branch()[1]), today=TODAY),
                                    ORG, setup=lambda: org_edit.create_group(group_and_branch()[1], {"name": "走查组"})),
    "org_edit.groups.dissolve_group": W(lambda g: org_edit.dissolve_group(g, today=TODAY), ORG,
                                        setup=lambda: org_edit.create_group(group_and_branch()[1], {"name": "走查组"})),
    "org_edit.places.create_community": W(lambda _: org_edit.create_community({"name": "走查社区"}), (Community,)),
    "org_edit.places.update_community": W(
        lambda c: org_edit.update_community(c, {"name": "走查社区", "address": "走查路1号"}), (Community,),
        setup=lambda: org_edit.create_community({"name": "走查社区"})),
    "org_edit.places.delete_community": W(lambda c: org_edit.delete_community(c), (Community,),
                                          setup=lambda: org_edit.create_community({"name": "走查社区"})),
    "org_edit.places.create_estate": W(lambda c: org_edit.create_estate({"name": "走查小区", "community_id": c}),
                                       (Estate,), setup=a_community),
    "org_edit.places.update_estate": W(
        lambda e: org_edit.update_estate(e, {"name": "走查小区", "community_id": a_community(), "address": "走查路2号"}),
        (Estate,), setup=lambda: org_edit.create_estate({"name": "走查小区", "community_id": a_community()})),
    "org_edit.places.delete_estate": W(
        lambda e: org_edit.delete_estate(e), (Estate,),
        setup=lambda: org_edit.create_estate({"name": "走查小区", "community_id": a_community()})),
    "org_edit.places.add_buildings": W(lambda e: org_edit.add_buildings(e, "1-3"), (Building,),
                                       setup=lambda: org_edit.create_estate({"name": "走查小区",
                                                                             "community_id": a_community()})),
    "org_edit.places.update_building": W(
        lambda b: org_edit.update_building(b, {"number": "1栋", "units": 2, "households": 30}), (Building,),
        setup=lambda: _new_building()),
    "org_edit.places.delete_building": W(lambda b: org_edit.delete_building(b), (Building,),
                                         setup=lambda: _new_building()),
    # volunteers
    "volunteers.people.create_volunteer": W(lambda _: new_volunteer(), (Volunteer, TeamMembership)),
    "volunteers.people.update_volunteer": W(
        lambda v: vs.update_volunteer(v, {**vs.volunteer_values(v), "skills": "理发"}, today=TODAY),
        (Volunteer, TeamMembership), setup=new_volunteer),
    "volunteers.people.delete_volunteer": W(lambda v: vs.delete_volunteer(v), (Volunteer, TeamMembership),
                                            setup=new_volunteer),
    "volunteers.people.volunteer_from_member": W(lambda m: vs.volunteer_from_member(m, today=TODAY),
                                                 (Volunteer, TeamMembership), setup=new_member),
    "volunteers.people.link_members_by_id_number": W(lambda _: vs.link_members_by_id_number(), (Volunteer,),
                                                     setup=lambda: _unlinked_pair()),
    "volunteers.projects.create_project": W(lambda _: vs.create_project({"name": "走查项目"}, today=TODAY),
                                            (ServiceProject,)),
    "volunteers.projects.update_project": W(
        lambda p: vs.update_project(p, {**vs.project_values(p), "description": "助餐"}, today=TODAY),
        (ServiceProject,), setup=lambda: vs.create_project({"name": "走查项目"}, today=TODAY)),
    "volunteers.projects.set_project_active": W(
        lambda p: vs.set_project_active(p, False), (ServiceProject,),
        setup=lambda: vs.create_project({"name": "走查项目"}, today=TODAY)),
    "volunteers.projects.delete_project": W(
        lambda p: vs.delete_project(p), (ServiceProject,),
        setup=lambda: vs.create_project({"name": "走查项目"}, today=TODAY)),
    "volunteers.records.create_record": W(lambda v: new_record(v), (ServiceRecord,), setup=new_volunteer),
    "volunteers.records.update_record": W(
        lambda r: vs.update_record(r, {**vs.record_values(r), "hours": "3"}, today=TODAY), (ServiceRecord,),
        setup=new_record),
    "volunteers.records.delete_records": W(lambda r: vs.delete_records([r]), (ServiceRecord,), setup=new_record),
    "volunteers.records.bulk_record": W(
        lambda v: vs.bulk_record({"served_on": "2026-11-20", "activity": "走查服务", "hours": "2"}, v, today=TODAY),
        (ServiceRecord,), setup=lambda: [new_volunteer(), new_volunteer(name="走查二", phone="13955110022")]),
    "volunteers.teams.create_team": W(lambda _: new_team(), TEAM),
    "volunteers.teams.update_team": W(
        lambda t: vs.update_team(t, {**vs.team_values(t), "leader_name": "李红"}, today=TODAY), TEAM,
        setup=new_team),
    "volunteers.teams.set_team_active": W(lambda t: vs.set_team_active(t, False), TEAM, setup=new_team),
    "volunteers.teams.delete_team": W(lambda t: vs.delete_team(t), TEAM, setup=new_team),
    "volunteers.teams.add_team_members": W(lambda tv: vs.add_team_members(*tv, "2026-01-01", today=TODAY), TEAM,
                                           setup=lambda: (new_team(), [new_volunteer()])),
    "volunteers.teams.leave_team": W(lambda tv: vs.leave_team(*tv, "2026-11-01", today=TODAY), TEAM,
                                     setup=lambda: _joined()),
    # 星级评定
    "rating.create_round": W(lambda _: rating.create_round(2026), RATING),
    "rating.add_missing_branches": W(lambda _: rating.add_missing_branches(2026), RATING,
                                     setup=lambda: (rating.create_round(2026), new_branch())),
    "rating.remove_branch": W(lambda b: rating.remove_branch(2026, b), RATING,
                              setup=lambda: (rating.create_round(2026), rated_branch(2026))[1]),
    "rating.save_scheme": W(save_scheme_again, RATING, setup=scheme_of_2026),
    "rating.set_score": W(lambda e: rating.set_score(2025, e[0], e[1], "street", e[2]), RATING,
                          setup=lambda: (reopened_2025(), scored_entry())[1]),
    "rating.set_scores": W(lambda e: rating.set_scores(2025, "street", [e]), RATING,
                           setup=lambda: (reopened_2025(), scored_entry())[1]),
    "rating.set_self_stars": W(lambda bs: rating.set_self_stars(2025, *bs), RATING,
                               setup=lambda: (reopened_2025(), _other_self_stars())[1]),
    "rating.set_veto": W(lambda b: rating.set_veto(2025, b, True, "三年未发展党员"), RATING,
                         setup=lambda: (reopened_2025(), rated_branch())[1]),
    "rating.record_cap_decision": W(lambda b: rating.record_cap_decision(2025, b, None), RATING,
                                    setup=lambda: (reopened_2025(), rated_branch())[1]),
    "rating.start_publicity": W(lambda _: rating.start_publicity(2025, D(2026, 11, 1)), RATING,
                                setup=reopened_2025),
    "rating.cancel_publicity": W(lambda _: rating.cancel_publicity(2025), RATING,
                                 setup=lambda: (reopened_2025(), rating.start_publicity(2025, D(2026, 11, 1)))),
    "rating.finalize": W(lambda _: rating.finalize(2025, today=TODAY), RATING,
                         setup=lambda: (reopened_2025(), rating.start_publicity(2025, D(2026, 11, 1)))),
    "rating.reopen": W(lambda _: rating.reopen(2025, "群众反映得分有误，经党工委研究复核"), RATING, "admin"),
    # 经费台账
    "ledger.entries.record_allocation": W(lambda _: allocation(), (LedgerEntry, Fund)),
    "ledger.entries.record_expense": W(
        lambda b: ledger.record_expense(b, 10_000, entry_date=D(2026, 11, 5), subject="活动经费",
                                        summary="主题党日活动资料", handler="张三", approver="李书记", today=TODAY),
        (LedgerEntry,), setup=lambda: (allocation(), estate_branch())[1]),
    "ledger.entries.record_reversal": W(
        lambda e: ledger.record_reversal(e, entry_date=D(2026, 11, 6), reason="重复录入", handler="王会计",
                                         approver="李书记", today=TODAY), (LedgerEntry,), setup=allocation),
    "ledger.funds.create_fund": W(lambda _: ledger.create_fund("走查经费"), (Fund,), "admin"),
    "ledger.funds.set_fund_carries_over": W(lambda _: ledger.set_fund_carries_over(1, True), (Fund,), "admin"),
    "ledger.funds.set_fund_minimum": W(lambda _: ledger.set_fund_minimum(1, 600_000), (Fund,), "admin"),
    "ledger.bulk.commit_bulk_allocation": W(
        lambda plan: ledger.commit_bulk_allocation(plan, today=TODAY), (LedgerEntry, Fund),
        setup=lambda: ledger.preview_flat_allocation(2026, 10_000, handler="王会计", approver="李书记",
                                                     entry_date=D(2026, 11, 7), top_up=False,
                                                     today=TODAY)),
    "ledger.importing.commit_normalized_rows": W(
        lambda b: ledger.commit_normalized_rows([ledger_row(b)], today=TODAY), (LedgerEntry, Fund),
        setup=estate_branch),
    "ledger.batch.LedgerBatch.write": W(lambda batch: batch.write(), (LedgerEntry, Fund), setup=planned_batch),
    # 居民事项
    "matters.register.create_matter": W(lambda _: new_matter(), MATTER),
    "matters.register.set_category_deadline": W(
        lambda c: matters.set_category_deadline(c, 1, "month"), (MatterCategory,),
        setup=lambda: MatterCategory.select().order_by(MatterCategory.id).first().id),
    "matters.workflow.record_step": W(lambda m: matters.record_step(m, ASSIGN, today=TODAY), MATTER,
                                      setup=new_matter),
    "matters.workflow.escalate": W(lambda m: matters.escalate(m, "community", D(2026, 11, 21), "涉及两个小区",
                                                              today=TODAY), MATTER, setup=new_matter),
    "matters.importing.register_row": W(
        lambda _: matters_importing.register_row({**matter_raw(), "handler_unit": "物业公司"}, today=TODAY,
                                                 estate_branches={}), MATTER),
    "matters.importing.commit": W(
        lambda _: drain(matters_importing.commit([{**matter_raw(), "external_no": "GD-走查-1"}],
                                                 imports.ImportCounts(), "工单.xlsx", {"today": TODAY})), MATTER),
    "exports.audit_unmasked": W(lambda _: exports.audit_unmasked("members", 3), (), "admin"),
    "matters.workflow.reopen": W(lambda m: matters.reopen(m, "分派登记错了"), MATTER, "admin",
                                 setup=lambda: _assigned(new_matter())),
}
# 双报到 / 三单制: the recipes live beside their tests.
WRITES.update({name: W(call, tables, setup=setup) for name, (call, tables, setup) in reporting_recipes.RECIPES.items()})
READS = READS | frozenset(reporting_recipes.READS)


def _member_with_form() -> tuple[int, dict[str, Any]]:
    form = member_form(group_and_branch()[1])
    return members.create_member(form, today=TODAY), form


def _left(member_id: int) -> int:
    members.record_leaving(member_id, "transferred_out", "2026-10-01", "转至外地", today=TODAY)
    return member_id


def _grouped(member_id: int) -> int:
    members.assign_group([member_id], group_and_branch()[0])
    return member_id


def _first_role():
    estate = EstateRole.select().order_by(EstateRole.id).first().estate_id
    return org_edit.estate_roles(estate)[0]


def _new_building() -> int:
    estate = org_edit.create_estate({"name": "走查小区", "community_id": a_community()})
    return org_edit.add_buildings(estate, "1")[0]


def _unlinked_pair() -> None:
    """A volunteer registered with an ID number before the member with it was entered."""
    number = new_id_number()
    new_volunteer(id_number=number)
    Member.insert(
        name="走查", name_initials="zc", id_number=number, category="full", branch=group_and_branch()[1],
        status="active", is_lost_contact=False, is_floating=False, is_center_household=False,
        reported_at_residence=False, created_at="2026-11-22T09:00:00", updated_at="2026-11-22T09:00:00",
    ).execute()


def _joined() -> tuple[int, list[int]]:
    team, volunteer = new_team(), new_volunteer()
    vs.add_team_members(team, [volunteer], "2026-01-01", today=TODAY)
    return team, [volunteer]


def _assigned(matter_id: int) -> int:
    matters.record_step(matter_id, ASSIGN, today=TODAY)
    return matter_id


# ---------------------------------------------------------------- the database and the accounts


@pytest.fixture(scope="module")
def walk_db(demo_template, tmp_path_factory):
    """The demo database with an administrator, a clerk and a viewer who have passwords
    (hashed cheaply here: the walk tests roles, not argon2's cost)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", quick_hasher())
        folder = tmp_path_factory.mktemp("walk")
        shutil.copyfile(demo_template, folder / "wanghu.db")
        handle = database.open_database(folder / "wanghu.db", backups_dir=folder / "backups")
        try:
            admin = accounts.create_first_admin(PASSWORDS["admin"], display_name="王主任")
            with acting_as(admin):
                accounts.add_account("lu", "陆录入", "clerk", PASSWORDS["lu"])
                accounts.add_account("kan", "阚查看", "viewer", PASSWORDS["kan"])
            actors = {
                role: accounts.actor_of(Account.get(Account.username == name))
                for role, name in (("admin", "admin"), ("clerk", "lu"), ("viewer", "kan"))
            }
            yield actors
        finally:
            database.close_database()
    del handle


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Everything inside is undone afterwards: the services' transactions nest as savepoints."""
    with db.atomic() as txn:
        try:
            yield
        finally:
            txn.rollback()


def fingerprint(tables: tuple[type[pw.Model], ...]) -> dict[str, int]:
    """The rows of the audit log and of each touched table, and SQLite's count of every
    row any statement of this connection has inserted, changed or deleted (all tables,
    triggers included): a refused call must leave all of them as they were."""
    out = {"audit_event": AuditEvent.select().count(), "changed rows": db.connection().total_changes}
    for model in tables:
        out[model._meta.table_name] = model.select().count()
    return out


def audit_count() -> int:
    return AuditEvent.select().count()


def run_as(actor: Actor, recipe: Write) -> tuple[Any, int]:
    """Set up as the administrator, then call as `actor`: (result, new audit events).
    The new events must read in Chinese in the 操作日志 viewer (`check_readable`)."""
    with acting_as(ACTORS["admin"]):
        ctx = recipe.setup()
    before = audit_count()
    last = AuditEvent.select(pw.fn.MAX(AuditEvent.id)).scalar() or 0
    with acting_as(actor):
        result = recipe.call(ctx)
    check_readable(last)
    return result, audit_count() - before


def check_readable(after_id: int) -> None:
    """Every event after `after_id` names its kind of record, its action and each changed
    field in Chinese, as the viewer and its Excel export show them (no bare code)."""
    new = {i for (i,) in AuditEvent.select(AuditEvent.id).where(AuditEvent.id > after_id).tuples()}
    with acting_as(ACTORS["admin"]):
        entries = [e for e in audit_log.search(limit=len(new) + 50)[0] if e.id in new]
    assert {e.id for e in entries} == new
    for e in entries:
        assert not e.entity.isascii() and not e.action.isascii(), (e.entity_code, e.action_code)
        raw = [c.field for c in e.changes if c.label.isascii()]
        assert not raw, f"{e.entity_code}/{e.action_code}: 这些字段没有中文名：{raw}"


ACTORS: dict[str, Actor] = {}


@pytest.fixture
def actors(walk_db):
    ACTORS.update(walk_db)
    yield walk_db
    ACTORS.clear()


def _params() -> list:
    out = []
    for name in sorted(WRITES):
        recipe = WRITES[name]
        marks = [pytest.mark.xfail(strict=True, reason=recipe.defect)] if recipe.defect else []
        out.append(pytest.param(name, id=name, marks=marks))
    return out


# ---------------------------------------------------------------- the tests


def test_every_public_function_is_classified():
    found = public_callables()
    listed = READS | set(WRITES) | set(REFUSALS)
    assert not (READS & set(WRITES)), "a name is both a read and a write"
    unclassified = sorted(found - listed)
    assert not unclassified, (
        "新的公开服务函数既不在 READS 也不在 WRITES 中（写操作必须有角色检查和操作日志，"
        f"请在本文件里加一个调用方法）：{unclassified}"
    )
    assert not sorted(listed - found), f"列出的函数已不存在：{sorted(listed - found)}"
    assert len(WRITES) >= 80  # the walk really found the writes


@pytest.mark.parametrize("name", _params())
def test_a_viewer_is_refused_and_nothing_is_written(name, actors):
    recipe = WRITES[name]
    with rolled_back():
        with acting_as(actors["admin"]):
            ctx = recipe.setup()
        before = fingerprint(recipe.tables)
        if recipe.permission == "self":
            with acting_as(actors["viewer"]):
                recipe.call(ctx)
            assert audit_count() > before["audit_event"], f"{name} 没有写操作日志"
            return
        with acting_as(actors["viewer"]), pytest.raises(PermissionDenied):
            recipe.call(ctx)
        assert fingerprint(recipe.tables) == before


@pytest.mark.parametrize("name", _params())
def test_a_clerk_writes_with_an_audit_event_or_is_refused_an_admin_action(name, actors):
    recipe = WRITES[name]
    with rolled_back():
        if recipe.permission == "admin":
            with acting_as(actors["admin"]):
                ctx = recipe.setup()
            before = fingerprint(recipe.tables)
            with acting_as(actors["clerk"]), pytest.raises(PermissionDenied) as info:
                recipe.call(ctx)
            assert "管理员" in info.value.message
            assert fingerprint(recipe.tables) == before
        else:
            _result, events = run_as(actors["clerk"], recipe)
            assert events >= 1, f"{name} 没有写操作日志"
    if recipe.permission == "admin":
        with rolled_back():
            _result, events = run_as(actors["admin"], recipe)
            assert events >= 1, f"{name} 没有写操作日志"


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_immutable_entries_refuse_every_change_and_write_nothing(name, actors):
    call, error = REFUSALS[name]
    for role in ("viewer", "clerk", "admin"):
        before = fingerprint((LedgerEntry,))
        with acting_as(actors[role]), pytest.raises(error):
            call()
        assert fingerprint((LedgerEntry,)) == before


def test_the_audit_event_names_the_acting_account(actors):
    """The event of a clerk's write carries the clerk's account, not the administrator's."""
    with rolled_back():
        with acting_as(actors["clerk"]):
            mid = new_member()
        event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        assert (event.entity, event.entity_id, event.action) == ("member", mid, "create")
        assert (event.account_name, event.account_id) == ("lu", actors["clerk"].account_id)


@pytest.mark.parametrize("kind", ["members", "volunteers", "services"])
def test_an_unmasked_export_is_for_administrators_only_and_recorded(kind, actors):
    export = getattr(exports, kind)
    with rolled_back():
        for role in ("viewer", "clerk"):
            before = fingerprint(())
            with acting_as(actors[role]), pytest.raises(PermissionDenied) as info:
                export(unmasked=True)
            assert "管理员" in info.value.message and fingerprint(()) == before
        with acting_as(actors["clerk"]):
            masked = export()
        assert audit_count() == before["audit_event"]  # a masked export is only a read
        with acting_as(actors["admin"]):
            full = export(unmasked=True)
        assert masked.fields == full.fields and len(masked.rows) == len(full.rows) > 0
        assert masked.rows != full.rows  # the ID numbers differ: masked for the clerk
        event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
        assert (event.entity, event.action, event.account_name) == (kind, "export", "admin")
        assert audit_count() == before["audit_event"] + 1
