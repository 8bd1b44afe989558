"""Building the demo: the builder assembled from its parts, the insert order, and
`build_demo` writing it all in one transaction."""

from __future__ import annotations

import datetime as dt
import json

from models import (
    Account,
    Branch,
    BranchAlias,
    BranchEstate,
    Building,
    BuildingGroup,
    BuildingGroupBuilding,
    Community,
    Estate,
    EstateRole,
    Fund,
    LedgerEntry,
    Matter,
    MatterEscalation,
    MatterStep,
    Member,
    MemberTransfer,
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
from models.base import BaseModel
from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from wanghu_desk.demo._common import _bulk, _next_id
from wanghu_desk.demo.data import DEFAULT_SEED, ORGANIZATION_NAME
from wanghu_desk.demo.ledgers import _Ledgers
from wanghu_desk.demo.matters import _Matters
from wanghu_desk.demo.members import _Members
from wanghu_desk.demo.organisation import _OrganisationPlan
from wanghu_desk.demo.ratings import _Rating
from wanghu_desk.demo.reporting import _Reporting
from wanghu_desk.demo.volunteers import _Volunteers
from wanghu_desk.errors import UsageError
from wanghu_desk.services.base import writing


class _Builder(_OrganisationPlan, _Members, _Volunteers, _Rating, _Ledgers, _Matters, _Reporting):
    """The whole demo: every part, run in order by `generate`."""

    def generate(self) -> None:
        for model in (Community, Organization, Estate, Building, Branch, BranchAlias, BranchEstate,
                      Member, BuildingGroup, BuildingGroupBuilding, MemberTransfer, EstateRole,
                      VolunteerTeam, Volunteer, TeamMembership, ServiceProject, ServiceRecord,
                      RatingScheme, RatingCriterion, RatingRound, Rating, RatingScore, Fund,
                      LedgerEntry, Account, Matter, MatterStep, MatterEscalation,
                      ReportingMember, ReportingOrder, ReportingOrderMember):
            self.ids[model] = _next_id(model)
        self.build_organisation()
        self.plan_branches()
        self.build_members()
        self.add_branches()
        self.build_estate_roles()
        self.build_volunteers()
        self.build_rating()
        self.build_ledger()
        if not Account.select().where(Account.username == "admin").exists():
            self.add(Account, {
                "username": "admin", "display_name": "管理员", "role": "admin", "password_hash": None,
                "is_active": True, "created_at": self.stamp(self.today), "last_login_at": None,
            })
        if not Setting.select().where(Setting.key == "organization.name").exists():
            self.add(Setting, {"key": "organization.name",
                               "value_json": json.dumps(ORGANIZATION_NAME, ensure_ascii=False)})
        self.build_matters()  # last: it seeds its own generator from what the others left
        self.build_reporting()


#: Insert order: parents before children (building groups and members refer to each
#: other; foreign keys are checked at commit).
INSERT_ORDER: tuple[type[BaseModel], ...] = (
    Community, Organization, Estate, Building, Branch, BranchAlias, BranchEstate,
    BuildingGroup, BuildingGroupBuilding, Member, MemberTransfer, EstateRole,
    VolunteerTeam, Volunteer, TeamMembership, ServiceProject, ServiceRecord,
    RatingScheme, RatingCriterion, RatingRound, Rating, RatingScore, Fund, LedgerEntry,
    Account, Setting, Matter, MatterStep, MatterEscalation,
    ReportingMember, ReportingOrder, ReportingOrderMember,
)


def _ensure_empty() -> None:
    for model in (Branch, Community, Estate, Member):
        if model.select().exists():
            raise UsageError(
                "数据库中已经有组织或党员数据，演示数据只能装入空数据库。请新建一个数据库后再装入演示数据。"
            )


def build_demo(today: dt.date | None = None, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Fill the open, empty database with the 望湖街道 demo as of `today`.

    Raises `UsageError` if the database already holds branches, communities, estates or
    members. Returns the number of rows written per kind.
    """
    today = today or dt.date.today()
    _ensure_empty()
    with writing("demo.build", permission="admin") as tx:
        _ensure_empty()
        db.execute_sql("PRAGMA defer_foreign_keys = ON")
        builder = _Builder(today, seed)
        builder.generate()
        for model in INSERT_ORDER:
            _bulk(model, builder.rows.get(model, []))
        counts = _counts(builder)
        tx.audit("database", None, "demo", after=counts, note=_summary(counts, today))
    return counts


def _summary(counts: dict[str, int], today: dt.date) -> str:
    return (
        f"装入「望湖街道」演示数据（截至 {today.isoformat()}）：社区 {counts['communities']} 个，"
        f"小区 {counts['estates']} 个，党支部 {counts['branches']} 个（小区党支部 {counts['estate_branches']} 个），"
        f"楼栋党小组 {counts['building_groups']} 个，党员 {counts['members']} 名，"
        f"志愿者 {counts['volunteers']} 名，志愿服务记录 {counts['service_records']} 条，"
        f"经费台账 {counts['ledger_entries']} 笔。"
    )


def _counts(b: _Builder) -> dict[str, int]:
    rows = b.rows
    members = rows.get(Member, [])
    roles = rows.get(EstateRole, [])
    return {
        "communities": len(rows.get(Community, [])),
        "organizations": len(rows.get(Organization, [])),
        "estates": len(rows.get(Estate, [])),
        "buildings": len(rows.get(Building, [])),
        "branches": len(rows.get(Branch, [])),
        "estate_branches": sum(r["category"] == "estate" for r in rows.get(Branch, [])),
        "branch_aliases": len(rows.get(BranchAlias, [])),
        "building_groups": len(rows.get(BuildingGroup, [])),
        "members": len(members),
        "members_active": sum(m["status"] == "active" for m in members),
        "probationary": sum(m["category"] == "probationary" and m["status"] == "active" for m in members),
        "estate_roles": len(roles),
        "instructors": sum(r["role"] == "instructor" for r in roles),
        "red_stewards": sum(r["role"] == "red_steward" for r in roles),
        "student_stewards": sum(r["role"] == "student_steward" for r in roles),
        "volunteer_teams": len(rows.get(VolunteerTeam, [])),
        "volunteers": len(rows.get(Volunteer, [])),
        "team_memberships": len(rows.get(TeamMembership, [])),
        "service_projects": len(rows.get(ServiceProject, [])),
        "service_records": len(rows.get(ServiceRecord, [])),
        "ratings": len(rows.get(Rating, [])),
        "rating_scores": len(rows.get(RatingScore, [])),
        "ledger_entries": len(rows.get(LedgerEntry, [])),
        "matters": len(rows.get(Matter, [])),
    }
