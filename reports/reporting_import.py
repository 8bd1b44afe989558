"""Reading the 在职党员报到 roster (the `reporting` import kind, `wanghu_desk.kinds.reporting`).

Each row names a member of the roster: by 公民身份号码 when given, else by name (with
所在支部 when two active members share the name). Its unit, community, estate, date,
skills and posts are checked with the register's own check
(`services.reporting.check_registration`: the same messages as the 登记报到 form).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from models import Branch, Member
from reports.import_rows import Normaliser, _Row
from wanghu_desk.errors import ValidationError
from wanghu_desk.services import reporting
from wanghu_desk.services.lookup import normalize_org_name

__all__ = ["ReportingNormaliser"]

_FORM_COLUMNS = {"member_id": "name", "work_unit": "work_unit", "unit_kind": "unit_kind",
                 "unit_party_org": "unit_party_org", "community_id": "community", "estate_id": "estate",
                 "reported_on": "reported_on", "skills": "skills", "posts": "posts"}


def _key(text: str | None) -> str:
    return normalize_org_name(unicodedata.normalize("NFKC", text or "")) or ""


class ReportingNormaliser(Normaliser):
    """One member per row → the registration's values (and the member's id)."""

    kind = "reporting"

    def __init__(self, today=None):
        super().__init__(today)
        branches = dict(Branch.select(Branch.id, Branch.name).tuples())
        self.by_id: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, str]]] = {}
        for mid, name, id_number, branch_id in (Member.select(Member.id, Member.name, Member.id_number, Member.branch)
                                                .where(Member.status == "active").tuples()):
            self.by_id[id_number.upper()] = mid
            self.by_name.setdefault(name, []).append((mid, branches.get(branch_id, "")))
        communities, estates = reporting.place_choices()
        self.communities = {_key(name): cid for cid, name in communities}
        self.estates = {_key(name): (eid, cid) for eid, cid, name in estates}
        self._seen: dict[int, int] = {}

    def normalise(self, row: _Row) -> dict[str, Any] | None:
        name = row.text("name")
        row.require("name", name, "姓名为空，请填写报到党员的姓名。")
        member_id = self._member(row, name)
        community_text = row.text("community")
        row.require("community", community_text, "报到社区为空，请填写党员报到的居住地社区。")
        community_id = self._community(row, community_text)
        estate_id = self._estate(row, row.text("estate"), community_id)
        raw = {"member_id": member_id, "work_unit": row.raw("work_unit"), "unit_kind": row.text("unit_kind"),
               "unit_party_org": row.raw("unit_party_org"), "community_id": community_id, "estate_id": estate_id,
               "reported_on": self._date(row, "reported_on", "报到日期"), "skills": row.raw("skills"),
               "posts": row.text("posts")}
        if row.has_errors:
            return {}
        try:
            values = reporting.check_registration(raw, today=self.today, existing_id=self._existing(member_id))
        except ValidationError as exc:
            column = _FORM_COLUMNS.get(exc.field or "")
            row.error(column if column in row.index else None, exc.message)
            return {}
        first = self._seen.get(member_id)
        if first is not None:
            row.error("name", f"与第 {first} 行是同一名党员，请只保留一行。")
            return {}
        self._seen[member_id] = row.row
        return values

    def _existing(self, member_id: int | None) -> int | None:
        from models.reporting import ReportingMember

        found = ReportingMember.get_or_none(ReportingMember.member == member_id) if member_id else None
        return found.id if found is not None else None

    def _member(self, row: _Row, name: str | None) -> int | None:
        id_number = self._id(row) if row.text("id_number") else None
        if id_number:
            mid = self.by_id.get(id_number.upper())
            if mid is None:
                row.error("id_number", "名册中没有这个公民身份号码的在册党员，请先在「党员」中登记。")
            return mid
        if name is None:
            return None
        matches = self.by_name.get(name, [])
        branch = row.text("branch")
        if branch and len(matches) > 1:
            matches = [m for m in matches if _key(m[1]) == _key(branch)]
        if not matches:
            row.error("name", f"名册中没有在册党员「{name}」" + (f"（{branch}）" if branch else "") + "，请核对姓名。")
            return None
        if len(matches) > 1:
            row.error("name", f"名册中有 {len(matches)} 名党员叫「{name}」，请填写公民身份号码或所在支部。")
            return None
        return matches[0][0]

    def _community(self, row: _Row, text: str | None) -> int | None:
        if text is None:
            return None
        found = self.communities.get(_key(text)) or self.communities.get(_key(text + "社区"))
        if found is None:
            row.error("community", f"社区「{text}」不在社区名单中，请核对（或先在「党组织」中添加）。")
        return found

    def _estate(self, row: _Row, text: str | None, community_id: int | None) -> int | None:
        if text is None:
            return None
        found = self.estates.get(_key(text)) or self.estates.get(_key(text + "小区"))
        if found is None:
            row.warn("estate", f"小区「{text}」不在小区名单中，导入后不填小区。")
            return None
        return found[0]
