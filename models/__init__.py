"""peewee tables of wanghu-desk and their schema migrations. Imports nothing above it."""

from models import reporting
from models.base import BaseModel, db
from models.tables import (
    ALL_TABLES as _CORE_TABLES,
)
from models.tables import (
    Account,
    AuditEvent,
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
    MatterCategory,
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
)

#: Every table, in creation order: the core ones, then each register's module.
ALL_TABLES = [*_CORE_TABLES, *reporting.TABLES]

__all__ = [
    "ALL_TABLES", "Account", "AuditEvent", "BaseModel", "Branch", "BranchAlias",
    "BranchEstate", "Building", "BuildingGroup", "BuildingGroupBuilding", "Community",
    "Estate", "EstateRole", "Fund", "LedgerEntry", "Member", "MemberTransfer",
    "Organization", "Rating", "RatingCriterion", "RatingRound", "RatingScheme",
    "RatingScore", "ServiceProject", "ServiceRecord", "Setting", "TeamMembership",
    "Volunteer", "VolunteerTeam", "db",
    "Matter", "MatterCategory", "MatterEscalation", "MatterStep",
]
