"""Finding a branch by the name a clerk or a file gives: the short name, the full name
(中共…支部委员会) or a known alias, after normalising spaces and full-width characters.

`BranchLookup` loads every branch and alias in two queries, so an importer resolves
100,000 rows without one query per row; `find_branch` is the one-off form for a form
field or a command-line option. An unknown name is an error that suggests the closest
existing short name (difflib), so a typo is fixed in one look.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from models import Branch, BranchAlias
from wanghu_desk.errors import NotFoundError
from wanghu_desk.validation import ERROR, WARNING, Checked, Problem, clean_text

__all__ = ["BranchLookup", "BranchRef", "find_branch", "normalize_org_name"]

_SPACES = re.compile(r"\s+")


def normalize_org_name(raw: object) -> str | None:
    """The comparison key of an organisation name: cleaned (see `validation.clean_text`),
    NFKC (full-width letters, digits and brackets become ASCII), every space removed.
    ``None`` for an empty cell or an empty marker such as "无"."""
    text = clean_text(raw)
    if text is None:
        return None
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    return text or None


@dataclass(frozen=True)
class BranchRef:
    id: int
    name: str
    status: str


class BranchLookup:
    """Every branch by normalised short name, full name and alias."""

    def __init__(self) -> None:
        self._by_key: dict[str, BranchRef] = {}
        self._names: dict[str, BranchRef] = {}
        refs: dict[int, BranchRef] = {}
        full_names: list[tuple[int, str]] = []
        rows = Branch.select(Branch.id, Branch.name, Branch.full_name, Branch.status).tuples()
        for branch_id, name, full_name, status in rows:
            ref = BranchRef(branch_id, name, status)
            refs[branch_id] = ref
            key = normalize_org_name(name)
            if key:
                self._names[key] = ref
                self._by_key[key] = ref
            if full_name:
                full_names.append((branch_id, full_name))
        # Short names win over full names, full names over aliases.
        for branch_id, full_name in full_names:
            key = normalize_org_name(full_name)
            if key and key not in self._by_key:
                self._by_key[key] = refs[branch_id]
        for branch_id, alias in BranchAlias.select(BranchAlias.branch, BranchAlias.alias).tuples():
            key = normalize_org_name(alias)
            if key and key not in self._by_key and branch_id in refs:
                self._by_key[key] = refs[branch_id]

    def __len__(self) -> int:
        return len(self._names)

    def get(self, raw: object) -> BranchRef | None:
        """The branch named `raw` (short name, full name or alias), or ``None``."""
        key = normalize_org_name(raw)
        if key is None:
            return None
        ref = self._by_key.get(key)
        if ref is None and not key.endswith("支部"):
            # "银杏苑小区" for "银杏苑小区党支部": offices often drop the suffix.
            ref = self._by_key.get(key + "党支部")
        return ref

    def suggestion(self, raw: object) -> str | None:
        """The existing short name closest to `raw`, if any is reasonably close."""
        key = normalize_org_name(raw)
        if not key:
            return None
        candidates = list(self._by_key)
        containing = {self._by_key[c].name for c in candidates if key in c or c in key}
        if len(containing) == 1:  # "银杏苑" for "银杏苑小区党支部"
            return containing.pop()
        best = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
        if not best:
            return None
        return self._by_key[best[0]].name

    def resolve(self, raw: object) -> Checked[BranchRef]:
        """The branch named `raw`; an unknown name is an error suggesting the closest one,
        a dissolved branch a warning. Empty input gives ``Checked(None)``."""
        shown = clean_text(raw)
        if shown is None:
            return Checked(None)
        ref = self.get(raw)
        if ref is None:
            return Checked(None, (Problem(ERROR, unknown_branch_message(shown, self.suggestion(raw))),))
        if ref.status != "active":
            return Checked(ref, (Problem(WARNING, f"党支部「{ref.name}」已撤销，请核对。"),))
        return Checked(ref)


def unknown_branch_message(shown: str, suggestion: str | None) -> str:
    if suggestion:
        return f"党支部「{shown}」不存在。是不是「{suggestion}」？请改成已有的名称，或先添加该支部。"
    return f"党支部「{shown}」不存在。请改成已有的名称，或先添加（导入）该支部。"


def find_branch(raw: object) -> BranchRef:
    """The branch named `raw`; raises `NotFoundError` (with a suggestion) when unknown."""
    lookup = BranchLookup()
    shown = clean_text(raw)
    if shown is None:
        raise NotFoundError("请填写党支部名称。")
    ref = lookup.get(raw)
    if ref is None:
        raise NotFoundError(unknown_branch_message(shown, lookup.suggestion(raw)))
    return ref
