"""Every table of the registers (SPEC §2–§6, §10), as peewee models.

Conventions:
- Codes, not labels: categories, statuses and kinds are stable English codes; their
  Chinese labels live in `wanghu_desk.vocab`.
- Money is integer fen (`*_fen`), rating points are integer hundredths (`*_cp`),
  service time is integer minutes. No floats anywhere in stored figures.
- Dates are ISO `date` columns; timestamps are ISO text in local time.
- The schema itself is created by the frozen SQL of migration 1 (`models/migrations.py`);
  a test checks that these classes and that SQL agree column by column.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from models.base import BaseModel


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


# ---------------------------------------------------------------- organisation


class Community(BaseModel):
    """社区: an administrative community (居委会 area)."""

    name = pw.CharField(unique=True)
    address = pw.CharField(null=True)
    phone = pw.CharField(null=True)
    sort_order = pw.IntegerField(default=0)


class Organization(BaseModel):
    """街道党工委 (one) and 社区党委/党总支 (one per community)."""

    name = pw.CharField(unique=True)  # 望湖街道党工委, 望湖社区党委
    area_name = pw.CharField()  # 望湖街道, 望湖社区: the area the body leads
    kind = pw.CharField()  # working_committee | community_committee | general_branch
    parent = pw.ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    community = pw.ForeignKeyField(Community, null=True, backref="organizations", on_delete="RESTRICT")
    secretary = pw.CharField(null=True)
    phone = pw.CharField(null=True)
    sort_order = pw.IntegerField(default=0)


class Estate(BaseModel):
    """小区 / 片区: a residential compound."""

    name = pw.CharField(unique=True)
    community = pw.ForeignKeyField(Community, backref="estates", on_delete="RESTRICT")
    kind = pw.CharField(default="commercial")  # commercial | resettlement | work_unit | old
    households = pw.IntegerField(default=0)
    address = pw.CharField(null=True)
    property_company = pw.CharField(null=True)
    property_contact = pw.CharField(null=True)
    property_phone = pw.CharField(null=True)
    owners_committee = pw.CharField(null=True)  # 业委会 name or status (已成立 / 未成立)
    owners_committee_contact = pw.CharField(null=True)
    owners_committee_phone = pw.CharField(null=True)
    sort_order = pw.IntegerField(default=0)


class Building(BaseModel):
    """楼栋: one building of an estate."""

    estate = pw.ForeignKeyField(Estate, backref="buildings", on_delete="RESTRICT")
    number = pw.CharField()  # "3栋", "12幢"
    units = pw.IntegerField(default=1)
    households = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("estate", "number"), True),)


class Branch(BaseModel):
    """党支部: a grassroots party branch."""

    name = pw.CharField(unique=True)  # short name: 望湖城小区党支部
    full_name = pw.CharField(unique=True, null=True)  # 中共…支部委员会
    category = pw.CharField(index=True)  # estate | functional | grid | agency | enterprise | social_org | other
    organization = pw.ForeignKeyField(Organization, null=True, backref="branches", on_delete="RESTRICT")
    community = pw.ForeignKeyField(Community, null=True, backref="branches", on_delete="RESTRICT")
    secretary = pw.CharField(null=True)
    phone = pw.CharField(null=True)
    founded_on = pw.DateField(null=True)
    status = pw.CharField(default="active", index=True)  # active | dissolved
    dissolved_on = pw.DateField(null=True)
    note = pw.TextField(null=True)
    sort_order = pw.IntegerField(default=0)


class BranchAlias(BaseModel):
    """Another name a branch goes by in files from other offices."""

    branch = pw.ForeignKeyField(Branch, backref="aliases", on_delete="CASCADE")
    alias = pw.CharField(unique=True)


class BranchEstate(BaseModel):
    """The estates a branch serves (an estate branch serves one or a 片区 of several)."""

    branch = pw.ForeignKeyField(Branch, backref="estate_links", on_delete="CASCADE")
    estate = pw.ForeignKeyField(Estate, backref="branch_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("branch", "estate"), True),)


# ---------------------------------------------------------------- members


class Member(BaseModel):
    """党员: one party member (SPEC §3). Never hard-deleted: leaving sets `status`."""

    name = pw.CharField(index=True)
    name_initials = pw.CharField(default="", index=True)  # pinyin initials for search: zs
    gender = pw.CharField(null=True)  # 男 | 女
    ethnicity = pw.CharField(null=True)  # 汉族 …
    birth_date = pw.DateField(null=True)
    id_number = pw.CharField(unique=True)  # 18 chars, validated
    education = pw.CharField(null=True)
    category = pw.CharField(default="full", index=True)  # full | probationary
    joined_on = pw.DateField(null=True)  # 入党日期
    confirmed_on = pw.DateField(null=True)  # 转正日期
    probation_extended_to = pw.DateField(null=True)  # 延长预备期至 (migration 2)
    probation_extension_reason = pw.CharField(null=True)  # 延长预备期原因
    branch = pw.ForeignKeyField(Branch, backref="members", on_delete="RESTRICT")
    group = pw.DeferredForeignKey("BuildingGroup", null=True, backref="members", on_delete="SET NULL", column_name="group_id")
    employer = pw.CharField(null=True)  # 工作单位及职务
    phone = pw.CharField(null=True, index=True)
    address = pw.CharField(null=True)
    status = pw.CharField(default="active", index=True)  # active | transferred_out | stopped | expelled | deceased
    status_changed_on = pw.DateField(null=True)
    status_note = pw.CharField(null=True)  # destination of a transfer, reason …
    is_lost_contact = pw.BooleanField(default=False)
    is_floating = pw.BooleanField(default=False)
    is_center_household = pw.BooleanField(default=False)
    reported_at_residence = pw.BooleanField(default=False)
    note = pw.TextField(null=True)
    created_at = pw.CharField(default=_now)
    updated_at = pw.CharField(default=_now)


class BuildingGroup(BaseModel):
    """楼栋党小组: a party group of one branch covering one or more buildings."""

    branch = pw.ForeignKeyField(Branch, backref="groups", on_delete="RESTRICT")
    name = pw.CharField()
    leader = pw.ForeignKeyField(Member, null=True, backref="led_groups", on_delete="SET NULL")
    status = pw.CharField(default="active")  # active | dissolved
    note = pw.TextField(null=True)
    sort_order = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("branch", "name"), True),)


class BuildingGroupBuilding(BaseModel):
    """The buildings a building group covers."""

    group = pw.ForeignKeyField(BuildingGroup, backref="building_links", on_delete="CASCADE", column_name="group_id")
    building = pw.ForeignKeyField(Building, backref="group_links", on_delete="RESTRICT")

    class Meta:
        indexes = ((("group", "building"), True),)


class MemberTransfer(BaseModel):
    """转入 / 转出 history of a member between branches (kept for ever)."""

    member = pw.ForeignKeyField(Member, backref="transfers", on_delete="CASCADE")
    from_branch = pw.ForeignKeyField(Branch, null=True, backref="+", on_delete="RESTRICT")
    to_branch = pw.ForeignKeyField(Branch, null=True, backref="+", on_delete="RESTRICT")
    moved_on = pw.DateField()
    note = pw.CharField(null=True)  # outside destination or origin


class EstateRole(BaseModel):
    """One seat of an estate's governance team (1+X)."""

    estate = pw.ForeignKeyField(Estate, backref="roles", on_delete="CASCADE")
    role = pw.CharField(index=True)  # instructor | secretary | red_steward | student_steward | building_head | owners_committee | property
    person_name = pw.CharField()
    phone = pw.CharField(null=True)
    member = pw.ForeignKeyField(Member, null=True, backref="estate_roles", on_delete="SET NULL")
    note = pw.CharField(null=True)
    since = pw.DateField(null=True)


# ---------------------------------------------------------------- volunteers


class VolunteerTeam(BaseModel):
    """志愿服务队 or another team (小区治理团队, 党员先锋队)."""

    name = pw.CharField(unique=True)
    kind = pw.CharField(default="volunteer")  # volunteer | governance | vanguard | other
    branch = pw.ForeignKeyField(Branch, null=True, backref="teams", on_delete="RESTRICT")
    community = pw.ForeignKeyField(Community, null=True, backref="teams", on_delete="RESTRICT")
    leader_name = pw.CharField(null=True)
    leader_phone = pw.CharField(null=True)
    founded_on = pw.DateField(null=True)
    is_active = pw.BooleanField(default=True)
    note = pw.TextField(null=True)


class Volunteer(BaseModel):
    """志愿者: a person; linked to a `Member` when it is the same person."""

    name = pw.CharField(index=True)
    name_initials = pw.CharField(default="", index=True)
    id_number = pw.CharField(unique=True, null=True)
    phone = pw.CharField(null=True, index=True)
    gender = pw.CharField(null=True)
    birth_date = pw.DateField(null=True)
    member = pw.ForeignKeyField(Member, null=True, unique=True, backref="volunteer", on_delete="SET NULL")
    skills = pw.CharField(null=True)
    registration_no = pw.CharField(null=True)  # 志愿者编号
    note = pw.TextField(null=True)
    created_at = pw.CharField(default=_now)


class TeamMembership(BaseModel):
    team = pw.ForeignKeyField(VolunteerTeam, backref="memberships", on_delete="CASCADE")
    volunteer = pw.ForeignKeyField(Volunteer, backref="memberships", on_delete="CASCADE")
    joined_on = pw.DateField(null=True)
    left_on = pw.DateField(null=True)

    class Meta:
        indexes = ((("team", "volunteer", "joined_on"), True),)


class ServiceProject(BaseModel):
    """为民服务项目: a named service brand (乐夕阳, 朝阳护学 …)."""

    name = pw.CharField(unique=True)
    team = pw.ForeignKeyField(VolunteerTeam, null=True, backref="projects", on_delete="SET NULL")
    branch = pw.ForeignKeyField(Branch, null=True, backref="projects", on_delete="SET NULL")
    community = pw.ForeignKeyField(Community, null=True, backref="projects", on_delete="SET NULL")
    description = pw.TextField(null=True)
    started_on = pw.DateField(null=True)
    is_active = pw.BooleanField(default=True)


class ServiceRecord(BaseModel):
    """志愿服务记录: one volunteer's service on one day."""

    volunteer = pw.ForeignKeyField(Volunteer, backref="records", on_delete="RESTRICT")
    team = pw.ForeignKeyField(VolunteerTeam, null=True, backref="records", on_delete="RESTRICT")
    project = pw.ForeignKeyField(ServiceProject, null=True, backref="records", on_delete="RESTRICT")
    served_on = pw.DateField(index=True)
    activity = pw.CharField()
    minutes = pw.IntegerField(constraints=[pw.Check("minutes > 0 AND minutes <= 1440")])
    created_at = pw.CharField(default=_now)

    class Meta:
        indexes = ((("volunteer", "served_on"), False),)


# ---------------------------------------------------------------- star rating


class RatingScheme(BaseModel):
    """A star-rating scheme: criteria, thresholds and caps (SPEC §4)."""

    name = pw.CharField(unique=True)  # 2025年度星级党支部评定标准
    # {"5": 9000, "4": 8000, ...} in hundredths of a point
    thresholds_json = pw.TextField()
    # {"5": 10} = at most 10 % five-star branches
    caps_json = pw.TextField(default="{}")
    note = pw.TextField(null=True)
    created_at = pw.CharField(default=_now)


class RatingCriterion(BaseModel):
    scheme = pw.ForeignKeyField(RatingScheme, backref="criteria", on_delete="CASCADE")
    kind = pw.CharField(default="score")  # score | deduction | veto
    dimension = pw.CharField()  # 组织建设 …
    item = pw.CharField()
    max_cp = pw.IntegerField(default=0)  # max points (or max deduction) in hundredths
    sort_order = pw.IntegerField(default=0)


class RatingRound(BaseModel):
    """One year's rating: its scheme, workflow stage and 公示 dates."""

    year = pw.IntegerField(unique=True)
    scheme = pw.ForeignKeyField(RatingScheme, backref="rounds", on_delete="RESTRICT")
    status = pw.CharField(default="open")  # open | publicity | finalized
    publicity_start = pw.DateField(null=True)
    publicity_end = pw.DateField(null=True)
    finalized_at = pw.CharField(null=True)
    finalized_by = pw.CharField(null=True)


class Rating(BaseModel):
    """One branch in one year's rating."""

    round = pw.ForeignKeyField(RatingRound, backref="ratings", on_delete="CASCADE", column_name="round_id")
    branch = pw.ForeignKeyField(Branch, backref="ratings", on_delete="RESTRICT")
    self_stars = pw.IntegerField(null=True)  # the branch's own declared star
    vetoed = pw.BooleanField(default=False)
    veto_reason = pw.CharField(null=True)
    total_cp = pw.IntegerField(null=True)  # fixed at finalization
    stars = pw.IntegerField(null=True)  # fixed at finalization; computed, never typed
    cap_decision = pw.TextField(null=True)  # recorded decision for a tie at the cap
    note = pw.TextField(null=True)

    class Meta:
        indexes = ((("round", "branch"), True),)


class RatingScore(BaseModel):
    rating = pw.ForeignKeyField(Rating, backref="scores", on_delete="CASCADE")
    criterion = pw.ForeignKeyField(RatingCriterion, backref="scores", on_delete="RESTRICT")
    stage = pw.CharField()  # self | community | street
    points_cp = pw.IntegerField()

    class Meta:
        indexes = ((("rating", "criterion", "stage"), True),)


# ---------------------------------------------------------------- funds


class Fund(BaseModel):
    """A kind of funds (小区党组织服务群众专项经费, 党建工作经费) with its carry-over rule."""

    name = pw.CharField(unique=True)
    carries_over = pw.BooleanField(default=False)
    minimum_fen = pw.IntegerField(default=0)  # yearly minimum per estate branch


class LedgerEntry(BaseModel):
    """经费台账 entry. Immutable once saved (enforced by triggers too)."""

    branch = pw.ForeignKeyField(Branch, backref="ledger_entries", on_delete="RESTRICT")
    fund = pw.ForeignKeyField(Fund, backref="entries", on_delete="RESTRICT")
    year = pw.IntegerField()
    voucher_no = pw.IntegerField()
    entry_date = pw.DateField()
    kind = pw.CharField()  # allocation | expense | reversal
    subject = pw.CharField()
    summary = pw.CharField()
    amount_fen = pw.IntegerField(constraints=[pw.Check("amount_fen > 0")])
    handler = pw.CharField(null=True)  # 经办人
    approver = pw.CharField(null=True)  # 审批人
    second_approver = pw.CharField(null=True)
    reverses = pw.ForeignKeyField("self", null=True, unique=True, backref="reversed_by", on_delete="RESTRICT")
    created_at = pw.CharField(default=_now)
    created_by = pw.CharField(null=True)

    class Meta:
        indexes = (
            (("branch", "year", "voucher_no"), True),
            (("year", "kind"), False),
        )


# ---------------------------------------------------------------- accounts, audit, settings


class Account(BaseModel):
    username = pw.CharField(unique=True)
    display_name = pw.CharField()
    role = pw.CharField(default="clerk")  # admin | clerk | viewer
    password_hash = pw.CharField(null=True)
    is_active = pw.BooleanField(default=True)
    created_at = pw.CharField(default=_now)
    last_login_at = pw.CharField(null=True)
    failed_logins = pw.IntegerField(default=0)  # wrong passwords in a row (migration 3)
    locked_until = pw.CharField(null=True)  # ISO time the lock ends (migration 3)


class AuditEvent(BaseModel):
    """操作日志: who changed what, when, with the values before and after (JSON)."""

    at = pw.CharField(default=_now, index=True)
    account = pw.ForeignKeyField(Account, null=True, backref="events", on_delete="SET NULL")
    account_name = pw.CharField()
    entity = pw.CharField()
    entity_id = pw.IntegerField(null=True)
    action = pw.CharField()
    before_json = pw.TextField(null=True)
    after_json = pw.TextField(null=True)
    note = pw.TextField(null=True)

    class Meta:
        indexes = ((("entity", "entity_id"), False),)


class Setting(BaseModel):
    key = pw.CharField(primary_key=True)
    value_json = pw.TextField()


# ---------------------------------------------------------------- residents' matters (migration 4)


class MatterCategory(BaseModel):
    """A category of matters (the 议事协商指导目录 and the like), with its own deadline."""

    kind = pw.CharField()  # opinion | deliberation | dispute | qr_report | wish
    name = pw.CharField()
    domain = pw.CharField(null=True)  # 公共管理, 公共服务, 公益事业, 物业管理 …
    deadline_amount = pw.IntegerField(null=True)  # overrides the kind's setting
    deadline_unit = pw.CharField(null=True)  # day | workday | month
    is_active = pw.BooleanField(default=True)
    sort_order = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("kind", "name"), True),)


class Matter(BaseModel):
    """事项: one resident's matter from the first word to the residents' verdict."""

    year = pw.IntegerField()
    seq = pw.IntegerField()
    number = pw.CharField(unique=True)  # SM2026-0001: kind prefix, year, sequence
    external_no = pw.CharField(null=True, unique=True)  # 工单编号 of the 扫码 platform or 12345
    kind = pw.CharField(index=True)
    category = pw.ForeignKeyField(MatterCategory, null=True, backref="matters", on_delete="RESTRICT")
    source = pw.CharField(null=True)  # phone | visit | grid | qr | online | meeting | hotline | other
    estate = pw.ForeignKeyField(Estate, null=True, backref="matters", on_delete="RESTRICT")
    building = pw.ForeignKeyField(Building, null=True, backref="matters", on_delete="RESTRICT")
    grid = pw.CharField(null=True)
    raiser_name = pw.CharField(null=True)
    raiser_phone = pw.CharField(null=True)
    content = pw.TextField()
    received_on = pw.DateField(index=True)
    deadline_on = pw.DateField(null=True)
    level = pw.CharField(default="estate")  # estate | community | street: where it is settled
    state = pw.CharField(index=True)  # the code of the last step done (see services.matters.workflow)
    handler_branch = pw.ForeignKeyField(Branch, null=True, backref="matters", on_delete="RESTRICT")
    handler_members = pw.CharField(null=True)
    handler_unit = pw.CharField(null=True)  # 共建单位 or department
    result = pw.TextField(null=True)
    evaluation = pw.CharField(null=True)  # satisfied | basic | unsatisfied
    closed_on = pw.DateField(null=True, index=True)
    claimant_kind = pw.CharField(null=True)  # member | unit | team (微心愿)
    claimant_name = pw.CharField(null=True)
    note = pw.TextField(null=True)
    created_at = pw.CharField(default=_now)
    updated_at = pw.CharField(default=_now)

    class Meta:
        indexes = ((("year", "kind", "seq"), True),)


class MatterStep(BaseModel):
    """One step of a matter's workflow, in order. A reopen marks steps undone, never deletes."""

    matter = pw.ForeignKeyField(Matter, backref="steps", on_delete="CASCADE")
    step = pw.CharField()  # accept | assign | … | raise | listen | … | collect | claim | fulfil
    step_on = pw.DateField()
    participants = pw.TextField(null=True)
    decision = pw.TextField(null=True)  # 民主定事: the vote or the agreement
    votes_for = pw.IntegerField(null=True)
    votes_against = pw.IntegerField(null=True)
    votes_abstain = pw.IntegerField(null=True)
    note = pw.TextField(null=True)
    created_at = pw.CharField(default=_now)
    created_by = pw.CharField(null=True)
    undone_at = pw.CharField(null=True)
    undone_reason = pw.CharField(null=True)


class MatterEscalation(BaseModel):
    """A matter passed up from one level to the next (小区 → 社区 → 街道)."""

    matter = pw.ForeignKeyField(Matter, backref="escalations", on_delete="CASCADE")
    from_level = pw.CharField()
    to_level = pw.CharField()
    escalated_on = pw.DateField()
    reason = pw.CharField()
    created_at = pw.CharField(default=_now)


ALL_TABLES: list[type[BaseModel]] = [
    Community, Organization, Estate, Building, Branch, BranchAlias, BranchEstate,
    Member, BuildingGroup, BuildingGroupBuilding, MemberTransfer, EstateRole,
    VolunteerTeam, Volunteer, TeamMembership, ServiceProject, ServiceRecord,
    RatingScheme, RatingCriterion, RatingRound, Rating, RatingScore,
    Fund, LedgerEntry, Account, AuditEvent, Setting,
    MatterCategory, Matter, MatterStep, MatterEscalation,
]
