"""The organisation structure: working committee → community committees → branches →
building groups, with counts at every node (for the 党组织 tab and the dashboard)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import peewee as pw

from models import Branch, BuildingGroup, Member, Organization
from wanghu_desk import vocab


@dataclass
class OrgNode:
    kind: str  # working_committee | community_committee | general_branch | branch | group
    id: int
    name: str
    detail: str = ""  # category label, leader …
    members: int = 0  # active members at or below this node
    groups: int = 0  # active building groups at or below this node
    branches: int = 0  # active branches at or below this node
    children: list[OrgNode] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def org_tree() -> list[OrgNode]:
    """The whole tree in five queries, whatever its size."""
    members_by_branch = Counter(
        dict(
            Member.select(Member.branch, pw.fn.COUNT(Member.id))
            .where(Member.status == "active")
            .group_by(Member.branch)
            .tuples()
        )
    )
    members_by_group = Counter(
        dict(
            Member.select(Member.group, pw.fn.COUNT(Member.id))
            .where(Member.status == "active", Member.group.is_null(False))
            .group_by(Member.group)
            .tuples()
        )
    )
    leaders = dict(Member.select(Member.id, Member.name).join(BuildingGroup, on=(BuildingGroup.leader == Member.id)).tuples())

    groups_by_branch: dict[int, list[OrgNode]] = {}
    for g in BuildingGroup.select().where(BuildingGroup.status == "active").order_by(BuildingGroup.sort_order, BuildingGroup.id):
        leader = leaders.get(g.leader_id)
        node = OrgNode("group", g.id, g.name, detail=f"组长 {leader}" if leader else "未设组长",
                       members=members_by_group.get(g.id, 0), groups=1)
        groups_by_branch.setdefault(g.branch_id, []).append(node)

    branches_by_org: dict[int | None, list[OrgNode]] = {}
    for b in Branch.select().where(Branch.status == "active").order_by(Branch.sort_order, Branch.id):
        children = groups_by_branch.get(b.id, [])
        node = OrgNode("branch", b.id, b.name, detail=vocab.label(vocab.BRANCH_CATEGORIES, b.category),
                       members=members_by_branch.get(b.id, 0), groups=len(children), branches=1, children=children)
        branches_by_org.setdefault(b.organization_id, []).append(node)

    orgs = list(Organization.select().order_by(Organization.sort_order, Organization.id))
    nodes = {o.id: OrgNode(o.kind, o.id, o.name, detail=vocab.label(vocab.ORGANIZATION_KINDS, o.kind)) for o in orgs}
    roots: list[OrgNode] = []
    for o in orgs:
        node = nodes[o.id]
        parent = nodes.get(o.parent_id)
        (parent.children if parent else roots).append(node)
    for o in orgs:
        nodes[o.id].children.extend(branches_by_org.get(o.id, []))
    orphans = branches_by_org.get(None, [])
    if orphans:
        roots.append(OrgNode("working_committee", 0, "未归属党组织的支部", children=orphans))

    def total(node: OrgNode) -> None:
        if node.kind in ("branch", "group"):
            return
        for child in node.children:
            total(child)
        node.members = sum(c.members for c in node.children)
        node.groups = sum(c.groups for c in node.children)
        node.branches = sum(c.branches for c in node.children)

    for root in roots:
        total(root)
    return roots
