"""What the ledger's forms offer and look up: branches (by id, name or row),
years with entries, finalized rating years, names already used as 经办人 and 审批人,
and community names."""

from __future__ import annotations

import peewee as pw

from models import Branch, Community, LedgerEntry, RatingRound
from wanghu_desk import vocab
from wanghu_desk.errors import NotFoundError
from wanghu_desk.services.ledger.results import BranchChoice


def _branch(branch: int | str | Branch) -> Branch:
    if isinstance(branch, Branch):
        return branch
    if isinstance(branch, int):
        found = Branch.get_or_none(Branch.id == branch)
        if found is None:
            raise NotFoundError("找不到这个党支部，可能已被删除。请刷新后重试。")
        return found
    from wanghu_desk.services.lookup import find_branch

    return Branch.get_by_id(find_branch(branch).id)


# ---------------------------------------------------------------- branches and years


def branch_choices(*, include_dissolved: bool = False) -> list[BranchChoice]:
    """Branches for the ledger's picker: estate branches first, then the others."""
    query = (Branch.select(Branch.id, Branch.name, Branch.category, Branch.status, Community.name)
             .join(Community, pw.JOIN.LEFT_OUTER, on=(Branch.community == Community.id)))
    if not include_dissolved:
        query = query.where(Branch.status == "active")
    order = list(vocab.BRANCH_CATEGORIES)
    rows = [BranchChoice(i, n, c, comm or "", s) for i, n, c, s, comm in
            query.order_by(Branch.sort_order, Branch.id).tuples()]
    return sorted(rows, key=lambda b: order.index(b.category) if b.category in order else len(order))


def ledger_years() -> list[int]:
    return [y for (y,) in LedgerEntry.select(LedgerEntry.year).distinct().order_by(LedgerEntry.year).tuples()]


def finalized_rating_years() -> list[int]:
    return [y for (y,) in RatingRound.select(RatingRound.year).where(RatingRound.status == "finalized")
            .order_by(RatingRound.year).tuples()]


def people_names(branch: int | str | None = None) -> dict[str, list[str]]:
    """Names already used as 经办人 and 审批人 (of one branch first), for completion."""
    out: dict[str, list[str]] = {}
    for key, fld in (("handler", LedgerEntry.handler), ("approver", LedgerEntry.approver),
                     ("second_approver", LedgerEntry.second_approver)):
        query = LedgerEntry.select(fld, pw.fn.COUNT(LedgerEntry.id)).where(fld.is_null(False))
        if branch is not None:
            query = query.where(LedgerEntry.branch == _branch(branch).id)
        rows = query.group_by(fld).order_by(pw.fn.COUNT(LedgerEntry.id).desc()).limit(50).tuples()
        out[key] = [name for name, _n in rows]
    return out


def _community_names() -> dict[int, str]:
    return dict(Community.select(Community.id, Community.name).tuples())
