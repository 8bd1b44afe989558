"""The choices the organisation dialogs offer: communities, committees, estates, branches,
and buildings (with the building group that covers each)."""

from __future__ import annotations

from dataclasses import dataclass

from models import Branch, BranchEstate, Building, Community, Estate, Organization
from wanghu_desk import vocab
from wanghu_desk.services.org_edit._common import _covering_groups, _natural


@dataclass(frozen=True)
class Option:
    id: int
    name: str
    detail: str = ""


def community_options() -> list[Option]:
    return [Option(c.id, c.name) for c in Community.select().order_by(Community.sort_order, Community.id)]


def committee_options() -> list[Option]:
    """Organisations a branch can belong to (the working committee and the community
    committees / general branches)."""
    rows = Organization.select().order_by(Organization.parent.is_null(False), Organization.sort_order, Organization.id)
    return [Option(o.id, o.name, vocab.label(vocab.ORGANIZATION_KINDS, o.kind)) for o in rows]


def estate_options() -> list[Option]:
    rows = (
        Estate.select(Estate, Community.name.alias("community_name"))
        .join(Community)
        .order_by(Community.sort_order, Estate.sort_order, Estate.id)
        .objects()
    )
    return [Option(e.id, e.name, e.community_name) for e in rows]


def branch_options(*, exclude: int | None = None) -> list[Option]:
    rows = Branch.select().where(Branch.status == "active").order_by(Branch.sort_order, Branch.id)
    return [Option(b.id, b.name, vocab.label(vocab.BRANCH_CATEGORIES, b.category)) for b in rows if b.id != exclude]


@dataclass(frozen=True)
class BuildingOption:
    id: int
    estate_name: str
    number: str
    group_id: int | None  # the active group covering it, if any
    group_name: str

    @property
    def label(self) -> str:
        return f"{self.estate_name} {self.number}"


def building_options(branch_id: int | None = None) -> list[BuildingOption]:
    """Buildings a group of `branch_id` may cover: those of the estates the branch serves
    (all buildings when it serves none), with the group that covers each today."""
    estate_ids = None
    if branch_id is not None:
        estate_ids = [
            e for (e,) in BranchEstate.select(BranchEstate.estate).where(BranchEstate.branch == branch_id).tuples()
        ]
    query = (
        Building.select(Building.id, Building.number, Estate.name)
        .join(Estate)
        .order_by(Estate.sort_order, Estate.id, Building.id)
    )
    if estate_ids:
        query = query.where(Building.estate.in_(estate_ids))
    covering = _covering_groups()
    out = []
    for bid, number, estate_name in query.tuples():
        gid, gname = covering.get(bid, (None, ""))
        out.append(BuildingOption(bid, estate_name, number, gid, gname))
    out.sort(key=lambda o: (o.estate_name, _natural(o.number)))
    return out
