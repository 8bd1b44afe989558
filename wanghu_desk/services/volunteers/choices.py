"""The branch or community a team or project belongs to, and the team / project
choices the forms offer."""

from __future__ import annotations

from dataclasses import dataclass

from models import Branch, Community, ServiceProject, VolunteerTeam
from wanghu_desk.services.volunteers._common import FormCheck, _int_or_none


@dataclass(frozen=True)
class OwnerChoice:
    """The branch or community a team or project belongs to."""

    kind: str  # branch | community
    id: int
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def owner_choices() -> list[OwnerChoice]:
    """Communities first (in their order), then the active branches."""
    out = [OwnerChoice("community", c.id, c.name)
           for c in Community.select(Community.id, Community.name).order_by(Community.sort_order, Community.id)]
    out += [OwnerChoice("branch", b.id, b.name)
            for b in Branch.select(Branch.id, Branch.name).where(Branch.status == "active")
            .order_by(Branch.sort_order, Branch.id)]
    return out


def _owner_names() -> tuple[dict[int, str], dict[int, str]]:
    branches = dict(Branch.select(Branch.id, Branch.name).tuples())
    communities = dict(Community.select(Community.id, Community.name).tuples())
    return branches, communities


def _owner(raw: object, check: FormCheck) -> tuple[int | None, int | None]:
    """"branch:3" / "community:2" / an OwnerChoice / None → (branch_id, community_id)."""
    if raw in (None, "", "none"):
        return None, None
    if isinstance(raw, OwnerChoice):
        kind, oid = raw.kind, raw.id
    else:
        kind, _, rest = str(raw).partition(":")
        oid = _int_or_none(rest)
    if kind == "branch" and oid is not None and Branch.get_or_none(Branch.id == oid) is not None:
        return oid, None
    if kind == "community" and oid is not None and Community.get_or_none(Community.id == oid) is not None:
        return None, oid
    check.errors["owner"] = "找不到所选的党组织或社区，请重新选择。"
    return None, None


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    active: bool = True


def team_choices(*, include_inactive: bool = False) -> list[Choice]:
    query = VolunteerTeam.select(VolunteerTeam.id, VolunteerTeam.name, VolunteerTeam.is_active)
    if not include_inactive:
        query = query.where(VolunteerTeam.is_active == True)  # noqa: E712
    return [Choice(t.id, t.name, bool(t.is_active)) for t in query.order_by(VolunteerTeam.id)]


def project_choices(*, include_inactive: bool = False, team_id: int | None = None) -> list[Choice]:
    query = ServiceProject.select(ServiceProject.id, ServiceProject.name, ServiceProject.is_active)
    if not include_inactive:
        query = query.where(ServiceProject.is_active == True)  # noqa: E712
    if team_id is not None:
        query = query.where(ServiceProject.team == team_id)
    return [Choice(p.id, p.name, bool(p.is_active)) for p in query.order_by(ServiceProject.id)]
