"""peewee tables of wanghu-desk and their schema migrations. Imports nothing above it."""

from models.base import BaseModel, db
from models.tables import (
    ALL_TABLES,
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

__all__ = [
    "ALL_TABLES", "Account", "AuditEvent", "BaseModel", "Branch", "BranchAlias",
    "BranchEstate", "Building", "BuildingGroup", "BuildingGroupBuilding", "Community",
    "Estate", "EstateRole", "Fund", "LedgerEntry", "Member", "MemberTransfer",
    "Organization", "Rating", "RatingCriterion", "RatingRound", "RatingScheme",
    "RatingScore", "ServiceProject", "ServiceRecord", "Setting", "TeamMembership",
    "Volunteer", "VolunteerTeam", "db",
]
