"""党员花名册: the roster for display and every change to a member (SPEC §3).

Reads
- `load_roster()` returns the whole register once as compact `RosterRow` tuples (dates
  as ISO text, codes not labels, a lowercase search text per row) plus the branch and
  group names they refer to. Filtering and sorting are pure Python over that list
  (`apply_filter`, `sort_rows`): at 100,000 members one pass takes tens of
  milliseconds, far cheaper than a query per keystroke or a Qt proxy model.
- `roster_row(id)` refreshes one row after an edit; `member_detail(id)` gives the detail
  pane everything about one member; `probation_reminders()` feeds the dashboard.

Writes (each one transaction with audit events, through `services.base.writing`)
- `create_member`, `update_member`: the form's values, checked by `check_member` with the
  same `wanghu_desk.validation` functions the importer uses; the ID number is unique.
- `record_leaving` (转出 / 停止党籍 / 出党 / 去世: never a hard delete), `restore_membership`,
  `transfer_member` (between branches, with a `MemberTransfer` row kept for ever),
  `confirm_full` (转正), `assign_group` / `unassign_group` (building party groups).

ID numbers leave this module masked (`340104********1234`) unless the acting account may
see them (`current_actor().may_see_id_numbers`).
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import peewee as pw

from models import Branch, BuildingGroup, Member, MemberTransfer, Organization, db
from wanghu_desk import validation, vocab
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.pinyin import initials
from wanghu_desk.services.audit_log import FIELD_LABELS as _AUDIT_LABELS
from wanghu_desk.services.base import changes, current_actor, snapshot, writing

#: Days before the due date from which a 预备党员 is listed for 转正.
DUE_WINDOW_DAYS = 30

FLAG_LOST = 1  # 失联党员
FLAG_FLOATING = 2  # 流动党员
FLAG_CENTER = 4  # 党员中心户
FLAG_REPORTED = 8  # 在职党员报到
FLAG_LATIN = 256  # (internal) Latin letters in the name or address, for the search

FLAG_LABELS = {
    FLAG_CENTER: "党员中心户",
    FLAG_REPORTED: "在职党员报到",
    FLAG_LOST: "失联党员",
    FLAG_FLOATING: "流动党员",
}

LEAVING_STATUSES = ("transferred_out", "stopped", "expelled", "deceased")

MEMBER_FIELD_LABELS = _AUDIT_LABELS["member"]

#: The form's fields and their Chinese labels: the audit log's member labels, less the
#: ones a clerk never types (pinyin initials are derived; "from" only labels transfers).
FIELD_LABELS = {k: v for k, v in MEMBER_FIELD_LABELS.items() if k not in ("name_initials", "from")}


# ---------------------------------------------------------------- roster (read)


#: A roster row is a plain tuple (the cheapest thing Python builds 100,000 of); these are
#: its positions. Dates are ISO text ("2026-09-30") or None; codes, not labels.
(
    R_ID, R_NAME, R_INITIALS, R_GENDER, R_BIRTH, R_ID_NUMBER, R_CATEGORY, R_JOINED, R_CONFIRMED,
    R_BRANCH, R_GROUP, R_PHONE, R_ADDRESS, R_STATUS, R_FLAGS, R_DUE, R_TEXT,
) = range(17)  # fmt: skip
#: R_ID_NUMBER is masked unless the account may see full numbers; R_FLAGS holds FLAG_*
#: bits; R_DUE is the 转正 due date of an active 预备党员; R_TEXT the lowercase search
#: text (name, ID as shown, phone, address).
RosterRow = tuple


@dataclass(frozen=True)
class BranchRef:
    id: int
    name: str
    order: int  # position in the organisation's own order
    organization_id: int | None
    status: str
    category: str


@dataclass(frozen=True)
class GroupRef:
    id: int
    name: str
    branch_id: int
    order: int
    status: str


@dataclass
class Roster:
    rows: list[RosterRow]
    branches: dict[int, BranchRef]
    groups: dict[int, GroupRef]
    ids_visible: bool
    sorted_by: str | None = None  # the sort key `rows` is already in (ascending)

    def branch_name(self, branch_id: int | None) -> str:
        ref = self.branches.get(branch_id) if branch_id is not None else None
        return ref.name if ref else ""

    def group_name(self, group_id: int | None) -> str:
        ref = self.groups.get(group_id) if group_id is not None else None
        return ref.name if ref else ""

    def replace(self, updated: Iterable[RosterRow]) -> None:
        """Swap in fresh copies of some rows (after an edit), appending new members."""
        fresh = {r[R_ID]: r for r in updated}
        if not fresh:
            return
        self.sorted_by = None
        for i, row in enumerate(self.rows):
            if row[R_ID] in fresh:
                self.rows[i] = fresh.pop(row[R_ID])
        self.rows.extend(fresh.values())


_ROSTER_SQL = (
    "SELECT id, name, name_initials, gender, birth_date, id_number, category, joined_on, confirmed_on,"
    " branch_id, group_id, phone, address, status,"
    " is_lost_contact + 2 * is_floating + 4 * is_center_household + 8 * reported_at_residence,"
    " probation_extended_to"
    " FROM member"
)


def _due_on(category: str, status: str, joined: str | None, extended_to: str | None = None) -> str | None:
    """The 转正 due date (ISO) of an active 预备党员: `validation.probation_due`."""
    if category != "probationary" or status != "active" or not joined:
        return None
    try:
        extended = dt.date.fromisoformat(extended_to[:10]) if extended_to else None
        return validation.probation_due(dt.date.fromisoformat(joined[:10]), extended).isoformat()
    except ValueError:
        return None


_LATIN = re.compile("[A-Za-z]")


def _rows_from(fetched: list[tuple], visible: bool) -> list[RosterRow]:
    if not visible:
        mask = validation.mask_id_number
        fetched = [(*r[:5], mask(r[5]), *r[6:]) for r in fetched]
    texts = [f"{r[1]}\x00{r[5]}\x00{r[11] or ''}\x00{r[12] or ''}".lower() for r in fetched]
    # Rows whose name or address has Latin letters: the only ones a search word made of
    # letters ("zs") must also look for in the text, the rest match by initials alone.
    latin = _LATIN.search
    return [
        (
            *r[:14],
            r[14] | FLAG_LATIN if latin(r[1]) or (r[12] and latin(r[12])) else r[14],
            _due_on(r[6], r[13], r[7], r[15]) if r[6] == "probationary" else None,
            text,
        )
        for r, text in zip(fetched, texts)
    ]


def _branch_refs() -> dict[int, BranchRef]:
    rows = (
        Branch.select(Branch.id, Branch.name, Branch.organization, Branch.status, Branch.category)
        .order_by(Branch.status, Branch.sort_order, Branch.id)
        .tuples()
    )
    return {bid: BranchRef(bid, name, i, org, status, cat) for i, (bid, name, org, status, cat) in enumerate(rows)}


def _group_refs() -> dict[int, GroupRef]:
    rows = (
        BuildingGroup.select(BuildingGroup.id, BuildingGroup.name, BuildingGroup.branch, BuildingGroup.status)
        .order_by(BuildingGroup.branch, BuildingGroup.sort_order, BuildingGroup.id)
        .tuples()
    )
    return {gid: GroupRef(gid, name, branch, i, status) for i, (gid, name, branch, status) in enumerate(rows)}


#: Items a run of `sorted_in_runs` sorts in one C call (a few milliseconds of the GIL).
SORT_RUN = 8192


def sorted_in_runs(items: list, keys: list) -> list:
    """`items` ordered by the parallel `keys` (stable), as `sorted` would, in steps that
    never hold the GIL for long: runs of `SORT_RUN` are sorted one by one (C, a few ms
    each), then merged by `heapq.merge` (Python steps, between which another thread may
    run; stable: ties keep the earlier run's item first). Run on a worker, the window stays
    responsive while 100,000 members are ordered; one `list.sort` would pause it ~0.1 s."""
    key_at = keys.__getitem__
    runs = [sorted(range(start, min(start + SORT_RUN, len(items))), key=key_at)
            for start in range(0, len(items), SORT_RUN)]
    order = runs[0] if len(runs) == 1 else list(heapq.merge(*runs, key=key_at)) if runs else []
    return list(map(items.__getitem__, order))


def load_roster() -> Roster:
    """Every member (all statuses) with the names of their branches and groups, in
    pinyin order of names (the roster's default order, so showing it needs no sort)."""
    visible = current_actor().may_see_id_numbers
    cursor = db.execute_sql(_ROSTER_SQL)
    rows = _rows_from(cursor.fetchall(), visible)
    rows = sorted_in_runs(rows, [name_sort_key(r[R_NAME]) for r in rows])
    # Fresh tuples allocated in this order lie one after the other in memory: a search
    # that picks 100,000 of them walks memory in order (3-4× faster than rows scattered
    # by the sort).
    rows = [(*row,) for row in rows]
    return Roster(rows=rows, branches=_branch_refs(), groups=_group_refs(), ids_visible=visible, sorted_by="name")


def roster_rows(member_ids: Iterable[int]) -> list[RosterRow]:
    """Fresh roster rows for a few members (after an edit)."""
    ids = list(member_ids)
    if not ids:
        return []
    visible = current_actor().may_see_id_numbers
    out: list[RosterRow] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        cursor = db.execute_sql(f"{_ROSTER_SQL} WHERE id IN ({marks}) ORDER BY id", chunk)
        out.extend(_rows_from(cursor.fetchall(), visible))
    return out


def roster_row(member_id: int) -> RosterRow:
    rows = roster_rows([member_id])
    if not rows:
        raise NotFoundError("找不到这名党员，可能已被其他操作修改。请刷新后重试。")
    return rows[0]


def member_id_for_id_number(raw: object) -> int | None:
    """The member with this (full, valid) ID number, or None. Lets an account that sees
    masked numbers still find a person by typing the whole number from the ID card."""
    checked = validation.validate_id_number(raw)
    if not checked.ok or checked.value is None:
        return None
    return Member.select(Member.id).where(Member.id_number == checked.value).scalar()


# ---------------------------------------------------------------- filtering and sorting


@dataclass(frozen=True)
class RosterFilter:
    """What the 党员 tab shows. `None` means "no restriction" for every field.

    - `branch_ids`: members of these branches (a branch, or every branch under a tree node);
    - `group_id`: a building group's members; `NO_GROUP` for members in no group;
    - `category`: "full" | "probationary"; `status`: a status code or `None` for all;
    - `flags`: FLAG_* bits that must all be set; `any_flags`: at least one of these;
    - `due`: "due" (转正 due within 30 days or overdue) or "overdue";
    - `search`: text typed in the search box (every word must match).
    """

    branch_ids: frozenset[int] | None = None
    group_id: int | None = None
    category: str | None = None
    status: str | None = "active"
    flags: int = 0
    any_flags: int = 0
    due: str | None = None
    search: str = ""


NO_GROUP = -1


def _search_tokens(text: str) -> list[str]:
    """Words of the search box: full-width characters folded (NFKC), lowercase."""
    return unicodedata.normalize("NFKC", text).lower().split() if text else []


def _match_token(rows: list[RosterRow], token: str, exact_id: int | None) -> list[RosterRow]:
    """The rows one search word matches: a substring of the name, the ID as shown, the
    phone or the address. A word of letters matches the start of the pinyin initials
    ("zs" finds 张三 and 张淑芬, not 王泽森), or Latin letters in a name or address.
    Comprehensions, not predicates: half the time at 100,000 rows."""
    if exact_id is not None:
        return [r for r in rows if r[R_ID] == exact_id or token in r[R_TEXT]]
    if token.isascii() and token.isalpha():
        return [r for r in rows if r[R_INITIALS].startswith(token) or (r[R_FLAGS] & FLAG_LATIN and token in r[R_TEXT])]
    return [r for r in rows if token in r[R_TEXT]]


def apply_filter(
    rows: Sequence[RosterRow],
    flt: RosterFilter,
    *,
    today: dt.date | None = None,
    roster: Roster | None = None,
    id_lookup: Callable[[str], int | None] | None = member_id_for_id_number,
) -> list[RosterRow]:
    """The rows that pass `flt`, in their given order (pure Python, no query; with
    `roster` an account that sees masked IDs may still type a whole ID number)."""
    base = filter_rows(rows, flt, today=today)
    return search_rows(base, flt.search, roster=roster, id_lookup=id_lookup)


def filter_rows(rows: Sequence[RosterRow], flt: RosterFilter, *, today: dt.date | None = None) -> list[RosterRow]:
    """Every condition of `flt` except the search text (a new list, in the given order)."""
    out: list[RosterRow] = list(rows)
    if flt.status is not None:
        status = flt.status
        out = [r for r in out if r[R_STATUS] == status]
    if flt.branch_ids is not None:
        wanted = flt.branch_ids
        out = [r for r in out if r[R_BRANCH] in wanted]
    if flt.group_id is not None:
        group = None if flt.group_id == NO_GROUP else flt.group_id
        out = [r for r in out if r[R_GROUP] == group]
    if flt.category is not None:
        category = flt.category
        out = [r for r in out if r[R_CATEGORY] == category]
    if flt.flags:
        bits = flt.flags
        out = [r for r in out if r[R_FLAGS] & bits == bits]
    if flt.any_flags:
        bits = flt.any_flags
        out = [r for r in out if r[R_FLAGS] & bits]
    if flt.due is not None:
        today = today or dt.date.today()
        if flt.due == "overdue":
            limit = today.isoformat()
            out = [r for r in out if r[R_DUE] is not None and r[R_DUE] < limit]
        else:
            limit = (today + dt.timedelta(days=DUE_WINDOW_DAYS)).isoformat()
            out = [r for r in out if r[R_DUE] is not None and r[R_DUE] <= limit]
    return out


def search_rows(
    rows: Sequence[RosterRow],
    text: str,
    *,
    roster: Roster | None = None,
    id_lookup: Callable[[str], int | None] | None = member_id_for_id_number,
) -> list[RosterRow]:
    """The rows every word of `text` matches (see `_match_token`), in the given order."""
    out: list[RosterRow] = list(rows)
    for token in _search_tokens(text):
        exact_id = None
        if roster is not None and not roster.ids_visible and len(token) >= 15 and id_lookup is not None:
            exact_id = id_lookup(token)  # a whole ID typed by an account that sees masked ones
        out = _match_token(out, token, exact_id)
    return out


#: Surnames read differently from the character's everyday reading (曾 zēng, 单 shàn …).
_SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "查": "zha", "区": "ou", "覃": "qin",
    "乐": "yue", "翟": "zhai", "尉": "yu", "种": "chong", "召": "shao", "朴": "piao", "盖": "ge",
}  # fmt: skip
_char_readings: dict[str, str] = {}
_name_keys: dict[str, str] = {}


def _reading(ch: str) -> str:
    found = _char_readings.get(ch)
    if found is None:
        from pypinyin import Style, lazy_pinyin

        found = _char_readings[ch] = (lazy_pinyin(ch, style=Style.NORMAL, errors="default") or [ch])[0].lower()
    return found


def name_sort_key(name: str) -> str:
    """Pinyin, syllable by syllable, then the characters: 蔡斌 < 陈爱民 < 储博 < 崔斌, as a
    Chinese register is ordered. Readings are cached per character and keys per name, so
    100,000 names sort in well under a second."""
    key = _name_keys.get(name)
    if key is None:
        chars = [ch for ch in name if ch not in "·• "]
        syllables = [_SURNAME_READINGS.get(chars[0]) or _reading(chars[0])] if chars else []
        syllables += [_reading(ch) for ch in chars[1:]]
        key = _name_keys[name] = " ".join(syllables) + "\x00" + name
    return key


def sort_key(column: str, roster: Roster) -> Callable[[RosterRow], Any]:
    """The sort key of a column. Names sort by pinyin (`name_sort_key`); branches and
    groups in the organisation's own order; empty dates last."""
    branch_order = {bid: ref.order for bid, ref in roster.branches.items()}
    group_order = {gid: ref.order for gid, ref in roster.groups.items()}
    big = 1 << 30
    keys: dict[str, Callable[[RosterRow], Any]] = {
        "name": lambda r: name_sort_key(r[R_NAME]),
        "gender": lambda r: r[R_GENDER] or "",
        "birth_date": lambda r: r[R_BIRTH] or "9999",
        "age": lambda r: r[R_BIRTH] or "",
        "id_number": itemgetter(R_ID_NUMBER),
        "category": itemgetter(R_CATEGORY),
        "joined_on": lambda r: r[R_JOINED] or "9999",
        "confirmed_on": lambda r: r[R_CONFIRMED] or r[R_DUE] or "9999",  # the column shows 应于 due
        "due_on": lambda r: r[R_DUE] or "9999",
        "branch": lambda r: branch_order.get(r[R_BRANCH], big),
        "group": lambda r: group_order.get(r[R_GROUP], big),
        "phone": lambda r: r[R_PHONE] or "",
        "address": lambda r: r[R_ADDRESS] or "",
        "status": itemgetter(R_STATUS),
        "flags": itemgetter(R_FLAGS),
        "id": itemgetter(R_ID),
    }
    return keys[column]


def sort_rows(rows: list[RosterRow], column: str, roster: Roster, *, descending: bool = False) -> None:
    """Sort in place (stable)."""
    if column == "age":  # older people were born earlier
        descending = not descending
    rows.sort(key=sort_key(column, roster), reverse=descending)


def age_on(birth_iso: str | None, today: dt.date) -> int | None:
    if not birth_iso:
        return None
    try:
        born = dt.date.fromisoformat(birth_iso[:10])
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# ---------------------------------------------------------------- choices for forms and filters


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    detail: str = ""
    parent_id: int | None = None


def branch_choices(*, include_dissolved: bool = False) -> list[Choice]:
    """Branches for combo boxes, in the organisation's order."""
    query = Branch.select(Branch.id, Branch.name, Branch.category, Branch.organization, Branch.status)
    if not include_dissolved:
        query = query.where(Branch.status == "active")
    query = query.order_by(Branch.sort_order, Branch.id)
    return [Choice(b.id, b.name, vocab.label(vocab.BRANCH_CATEGORIES, b.category), b.organization_id) for b in query]


def group_choices(branch_id: int | None = None) -> list[Choice]:
    """Active building groups (of one branch, or all) for combo boxes."""
    query = BuildingGroup.select(BuildingGroup.id, BuildingGroup.name, BuildingGroup.branch).where(
        BuildingGroup.status == "active"
    )
    if branch_id is not None:
        query = query.where(BuildingGroup.branch == branch_id)
    query = query.order_by(BuildingGroup.branch, BuildingGroup.sort_order, BuildingGroup.id)
    return [Choice(g.id, g.name, "", g.branch_id) for g in query]


@dataclass
class OrgChoice:
    """A node of the organisation for the 党员 tab's branch filter: a committee (with
    every branch below it) or a single branch."""

    kind: str  # working_committee | community_committee | general_branch | branch
    id: int
    name: str
    depth: int
    branch_ids: frozenset[int]


def organisation_choices() -> list[OrgChoice]:
    """Committees and branches as a flat, indented list (tree order)."""
    orgs = list(Organization.select().order_by(Organization.sort_order, Organization.id))
    branches = list(
        Branch.select(Branch.id, Branch.name, Branch.organization)
        .where(Branch.status == "active")
        .order_by(Branch.sort_order, Branch.id)
    )
    children: dict[int | None, list[Organization]] = {}
    for o in orgs:
        children.setdefault(o.parent_id, []).append(o)
    by_org: dict[int | None, list[Branch]] = {}
    for b in branches:
        by_org.setdefault(b.organization_id, []).append(b)

    out: list[OrgChoice] = []

    def below(org: Organization) -> set[int]:
        ids = {b.id for b in by_org.get(org.id, [])}
        for child in children.get(org.id, []):
            ids |= below(child)
        return ids

    def visit(org: Organization, depth: int) -> None:
        out.append(OrgChoice(org.kind, org.id, org.name, depth, frozenset(below(org))))
        for child in children.get(org.id, []):
            visit(child, depth + 1)
        for b in by_org.get(org.id, []):
            out.append(OrgChoice("branch", b.id, b.name, depth + 1, frozenset({b.id})))

    known = {o.id for o in orgs}
    for org in orgs:
        if org.parent_id is None or org.parent_id not in known:
            visit(org, 0)
    for b in by_org.get(None, []):
        out.append(OrgChoice("branch", b.id, b.name, 0, frozenset({b.id})))
    return out


def branch_ids_under(kind: str, node_id: int) -> frozenset[int]:
    """The active branches at or below an organisation-tree node."""
    if kind == "branch":
        return frozenset({node_id})
    if kind == "group":
        branch = BuildingGroup.select(BuildingGroup.branch).where(BuildingGroup.id == node_id).scalar()
        return frozenset({branch}) if branch else frozenset()
    for choice in organisation_choices():
        if choice.kind == kind and choice.id == node_id:
            return choice.branch_ids
    if kind == "working_committee" and node_id == 0:  # the tree's "branches with no organisation"
        return frozenset(
            b.id for b in Branch.select(Branch.id).where(Branch.organization.is_null(), Branch.status == "active")
        )
    return frozenset()


# ---------------------------------------------------------------- form check


@dataclass
class FormCheck:
    """The outcome of checking a member form: normalised values, and per field an error
    (the field turns red and Save stays disabled) or a warning (shown, saving allowed)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def first_error(self) -> tuple[str, str] | None:
        return next(iter(self.errors.items()), None)


_TEXT_LIMITS = {"employer": 100, "address": 120, "note": 1000}
_REASON_LIMIT = 200
_FLAG_FIELDS = ("is_lost_contact", "is_floating", "is_center_household", "reported_at_residence")


def _as_date(
    raw: object, label: str, check: FormCheck, key: str, today: dt.date, *, future_ok: bool = False
) -> dt.date | None:
    """A date field: parse errors and warnings go to `check`; a day after `today` is an
    error unless `future_ok` (then the caller's rules decide)."""
    checked = validation.parse_date(raw)
    if checked.errors:
        check.errors[key] = checked.errors[0].message
        return None
    if checked.warnings:
        check.warnings[key] = checked.warnings[0].message
    value = checked.value
    if value is not None and value > today and not future_ok:
        check.errors[key] = f"{label}晚于今天（{value.isoformat()}），请核对。"
        return None
    return value


def _choice(raw: object) -> int | None:
    if raw in (None, "", 0):
        return None
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def check_member(raw: Mapping[str, Any], *, member_id: int | None = None, today: dt.date | None = None) -> FormCheck:
    """Check and normalise a member form (the same rules as the importer's rows).

    `raw` maps field names of `FIELD_LABELS` to what the clerk typed or picked (text,
    codes, ids, booleans). The ID number must be valid and unique among members.
    """
    today = today or dt.date.today()
    check = FormCheck()
    values = check.values

    name = validation.normalize_name(raw.get("name"))
    if name.errors:
        check.errors["name"] = name.errors[0].message
    elif name.value is None:
        check.errors["name"] = "请填写姓名。"
    values["name"] = name.value

    raw_id = raw.get("id_number")
    if member_id is not None and isinstance(raw_id, str) and "*" in raw_id:
        # An account that sees masked numbers edits a member: the masked number it was
        # shown stands for the stored one.
        stored = Member.select(Member.id_number).where(Member.id == member_id).scalar()
        if stored and raw_id.strip() == validation.mask_id_number(stored):
            raw_id = stored
    id_checked = validation.validate_id_number(raw_id, today=today)
    id_number = id_checked.value
    if id_checked.errors:
        check.errors["id_number"] = id_checked.errors[0].message
    elif id_number is None:
        check.errors["id_number"] = "请填写 18 位公民身份号码。"
    else:
        if id_checked.warnings:
            check.warnings["id_number"] = id_checked.warnings[0].message
        other = Member.get_or_none(Member.id_number == id_number)
        if other is not None and other.id != member_id:
            branch = Branch.get_or_none(Branch.id == other.branch_id)
            where = f"（{branch.name}）" if branch else ""
            check.errors["id_number"] = f"这个身份证号已经登记过：{other.name}{where}。同一个人只能登记一次，请核对。"
    values["id_number"] = id_number

    gender_raw = raw.get("gender")
    if id_number:
        gender = validation.derive_or_check_gender(id_number, gender_raw)
        if gender.warnings:
            check.warnings["gender"] = gender.warnings[0].message
        values["gender"] = gender.value
    else:
        values["gender"] = validation.normalize_gender(gender_raw)

    birth_given = _as_date(raw.get("birth_date"), "出生日期", check, "birth_date", today)
    if id_number and "birth_date" not in check.errors:
        birth = validation.derive_or_check_birth(id_number, birth_given)
        if birth.warnings:
            check.warnings["birth_date"] = birth.warnings[0].message
        values["birth_date"] = birth.value
    else:
        values["birth_date"] = birth_given

    ethnicity = validation.clean_text(raw.get("ethnicity"))
    if ethnicity and ethnicity not in vocab.ETHNICITIES:
        if f"{ethnicity}族" in vocab.ETHNICITIES:
            ethnicity = f"{ethnicity}族"
        else:
            check.warnings["ethnicity"] = f"「{ethnicity}」不在民族名称表中，请核对。"
    values["ethnicity"] = ethnicity

    education = validation.clean_text(raw.get("education"))
    if education:
        education = vocab.EDUCATION_SYNONYMS.get(education, education)
        if education not in vocab.EDUCATION_LEVELS:
            check.warnings["education"] = f"「{education}」不是常用的学历名称，请核对。"
    values["education"] = education

    category = vocab.code_for(
        vocab.MEMBER_CATEGORIES, validation.clean_text(raw.get("category")) or "full", vocab.MEMBER_CATEGORY_SYNONYMS
    )
    if category is None:
        check.errors["category"] = "人员类别请选「正式党员」或「预备党员」。"
    values["category"] = category

    joined = _as_date(raw.get("joined_on"), "入党日期", check, "joined_on", today, future_ok=True)
    if joined is None and "joined_on" not in check.errors:
        check.errors["joined_on"] = "请填写入党日期（预备党员的转正时间按它计算）。"
    confirmed = _as_date(raw.get("confirmed_on"), "转正日期", check, "confirmed_on", today)
    if category == "probationary":
        if confirmed is not None:
            check.errors["confirmed_on"] = "预备党员还没有转正日期。已转正的请把人员类别改为「正式党员」。"
        confirmed = None
    extended = _as_date(
        raw.get("probation_extended_to"), "延长预备期至", check, "probation_extended_to", today, future_ok=True
    )
    reason = validation.clean_text(raw.get("probation_extension_reason"))
    if reason is not None and len(reason) > _REASON_LIMIT:
        check.errors["probation_extension_reason"] = (
            f"延长预备期原因太长（{len(reason)} 个字），最多 {_REASON_LIMIT} 个字。"
        )
    # The party-constitution rules (the same function as the importer's). A date that
    # could not be read already has its message: no second one about a missing date.
    date_unreadable = extended is None and "probation_extended_to" in check.errors
    for key, message in validation.member_rule_errors(
        category=category,
        born=values.get("birth_date"),
        joined=joined,
        confirmed=confirmed,
        extended_to=extended,
        reason=None if date_unreadable else reason,
        today=today,
    ):
        check.errors.setdefault(key, message)
    if "joined_on" in check.errors:
        joined = None
    values["joined_on"] = joined
    values["confirmed_on"] = confirmed
    values["probation_extended_to"] = extended
    values["probation_extension_reason"] = reason
    if category == "probationary" and joined is not None:
        due = validation.probation_due(joined, extended)
        if due < today - dt.timedelta(days=366):
            check.warnings["joined_on"] = (
                f"入党已满两年（应于 {due.isoformat()} 转正），预备期最长两年，请核对人员类别。"
            )

    branch_id = _choice(raw.get("branch_id"))
    branch = Branch.get_or_none(Branch.id == branch_id) if branch_id else None
    if branch is None:
        check.errors["branch_id"] = "请选择所在党支部。"
    elif branch.status != "active" and (member_id is None or Member.get_by_id(member_id).branch_id != branch.id):
        check.errors["branch_id"] = f"「{branch.name}」已撤销，请选择其他党支部。"
    values["branch_id"] = branch.id if branch else None

    group_id = _choice(raw.get("group_id"))
    if group_id is not None:
        group = BuildingGroup.get_or_none(BuildingGroup.id == group_id)
        if group is None or group.status != "active":
            check.errors["group_id"] = "这个楼栋党小组不存在或已撤销，请重新选择。"
            group_id = None
        elif branch is not None and group.branch_id != branch.id:
            check.errors["group_id"] = f"「{group.name}」不属于「{branch.name}」，请重新选择。"
            group_id = None
    values["group_id"] = group_id

    phone = validation.validate_phone(raw.get("phone"))
    if phone.errors:
        check.errors["phone"] = phone.errors[0].message
    elif phone.warnings:
        check.warnings["phone"] = phone.warnings[0].message
    values["phone"] = phone.value

    for key, limit in _TEXT_LIMITS.items():
        text = validation.clean_text(raw.get(key))
        if text is not None and len(text) > limit:
            check.errors[key] = f"{FIELD_LABELS[key]}太长（{len(text)} 个字），最多 {limit} 个字。"
        values[key] = text

    for key in _FLAG_FIELDS:
        values[key] = bool(raw.get(key))
    return check


def _refuse(check: FormCheck) -> None:
    first = check.first_error()
    if first:
        key, message = first
        raise ValidationError(f"{FIELD_LABELS.get(key, key)}：{message}", field=key)


# ---------------------------------------------------------------- writes


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _get_member(member_id: int) -> Member:
    member = Member.get_or_none(Member.id == member_id)
    if member is None:
        raise NotFoundError("找不到这名党员，可能已被其他操作修改。请刷新后重试。")
    return member


def _get_active_branch(branch_id: int) -> Branch:
    branch = Branch.get_or_none(Branch.id == branch_id)
    if branch is None:
        raise NotFoundError("找不到这个党支部。请刷新后重试。")
    if branch.status != "active":
        raise ValidationError(f"「{branch.name}」已撤销，不能再转入党员。")
    return branch


def _clean_note(raw: object, limit: int = 200) -> str | None:
    text = validation.clean_text(raw)
    if text is not None and len(text) > limit:
        raise ValidationError(f"说明太长（{len(text)} 个字），最多 {limit} 个字。")
    return text


def _check_day(
    on: object, label: str, today: dt.date, *, not_before: dt.date | None = None, not_before_text: str = ""
) -> dt.date:
    checked = validation.parse_date(on)
    if checked.errors:
        raise ValidationError(checked.errors[0].message)
    if checked.value is None:
        raise ValidationError(f"请填写{label}。")
    value = checked.value
    if value > today:
        raise ValidationError(f"{label}晚于今天（{value.isoformat()}），请核对。")
    if not_before is not None and value < not_before:
        raise ValidationError(f"{label}早于{not_before_text}（{not_before.isoformat()}），请核对。")
    return value


def create_member(
    raw: Mapping[str, Any], *, today: dt.date | None = None, transferred_in_from: str | None = None
) -> int:
    """Register a member from form values; returns the new id.

    With `transferred_in_from` (the sending organisation) the arrival is also recorded as
    a 转入 in the member's transfer history.
    """
    today = today or dt.date.today()
    with writing("member.create") as tx:
        check = check_member(raw, today=today)
        _refuse(check)
        values = dict(check.values)
        values["name_initials"] = initials(values["name"])
        values["branch"] = values.pop("branch_id")
        values["group"] = values.pop("group_id")
        now = _now()
        member = Member.create(status="active", created_at=now, updated_at=now, **values)
        tx.audit("member", member.id, "create", after=snapshot(member))
        origin = _clean_note(transferred_in_from)
        if origin:
            MemberTransfer.create(
                member=member, from_branch=None, to_branch=member.branch_id, moved_on=today, note=origin
            )
            tx.audit("member", member.id, "transfer_in", after={"branch_id": member.branch_id, "from": origin})
    return member.id


def update_member(member_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> bool:
    """Save an edited member; returns False when nothing changed.

    The branch is changed by `transfer_member` (so history is kept), not here.
    """
    today = today or dt.date.today()
    with writing("member.update") as tx:
        member = _get_member(member_id)
        check = check_member(raw, member_id=member_id, today=today)
        _refuse(check)
        values = dict(check.values)
        if values["branch_id"] != member.branch_id:
            raise ValidationError("调整所在党支部请用「转接组织关系」，这样会保留转接记录。", field="branch_id")
        if member.status != "active" and values["group_id"] is not None:
            raise ValidationError("不在册的党员不能编入楼栋党小组。", field="group_id")
        before = snapshot(member)
        member.name = values["name"]
        member.name_initials = initials(values["name"])
        for key in (
            "id_number",
            "gender",
            "birth_date",
            "ethnicity",
            "education",
            "category",
            "joined_on",
            "confirmed_on",
            "probation_extended_to",
            "probation_extension_reason",
            "employer",
            "phone",
            "address",
            "note",
            *_FLAG_FIELDS,
        ):
            setattr(member, key, values[key])
        member.group = values["group_id"]
        after = snapshot(member)
        old, new = changes(before, after)
        if not new:
            return False
        member.updated_at = _now()
        member.save()
        if old.get("group_id") is not None:
            _drop_leadership([member.id], only_group=old["group_id"])
        action = "rename" if "name" in new else "update"
        tx.audit("member", member.id, action, before=old, after=new)
    return True


def _drop_leadership(member_ids: Sequence[int], only_group: int | None = None) -> None:
    query = BuildingGroup.update(leader=None).where(BuildingGroup.leader.in_(list(member_ids)))
    if only_group is not None:
        query = query.where(BuildingGroup.id == only_group)
    query.execute()


def record_leaving(
    member_id: int, status: str, on: object, note: object = None, *, today: dt.date | None = None
) -> None:
    """A member leaves the register: 转出 (to another organisation, `note` says where),
    停止党籍, 出党 or 去世. The record stays; it leaves its building group and any group
    it led. A 转出 is also written to the transfer history."""
    today = today or dt.date.today()
    if status not in LEAVING_STATUSES:
        raise ValidationError("请选择离开的方式：转出、停止党籍、出党或去世。")
    with writing("member.leave") as tx:
        member = _get_member(member_id)
        if member.status != "active":
            raise ValidationError(
                f"{member.name}已经是「{vocab.label(vocab.MEMBER_STATUSES, member.status)}」状态，不在册。"
            )
        label = vocab.label(vocab.MEMBER_STATUSES, status)
        day = _check_day(on, f"{label}日期", today, not_before=member.joined_on, not_before_text="入党日期")
        text = _clean_note(note)
        if status == "transferred_out" and not text:
            raise ValidationError("请填写转往的党组织（如「转至蜀山区稻香村街道党工委」）。")
        before = snapshot(member)
        member.status = status
        member.status_changed_on = day
        member.status_note = text
        member.group = None
        member.updated_at = _now()
        member.save()
        _drop_leadership([member.id])
        if status == "transferred_out":
            MemberTransfer.create(member=member, from_branch=member.branch_id, to_branch=None, moved_on=day, note=text)
        old, new = changes(before, snapshot(member))
        tx.audit("member", member.id, "leave", before=old, after=new, note=label)


def restore_membership(member_id: int, on: object, note: object = None, *, today: dt.date | None = None) -> None:
    """Put a member back in the register (转回, 恢复党籍, or a mistake corrected). A member
    who had been transferred out comes back with a 转入 in the transfer history."""
    today = today or dt.date.today()
    with writing("member.restore") as tx:
        member = _get_member(member_id)
        if member.status == "active":
            raise ValidationError(f"{member.name}本来就在册，不需要恢复。")
        day = _check_day(on, "恢复日期", today, not_before=member.status_changed_on, not_before_text="离开日期")
        text = _clean_note(note)
        branch = Branch.get_by_id(member.branch_id)
        if branch.status != "active":
            raise ValidationError(f"原党支部「{branch.name}」已撤销。请先恢复到其他党支部：编辑后再转接。")
        previous = member.status
        before = snapshot(member)
        member.status = "active"
        member.status_changed_on = day
        member.status_note = text
        member.updated_at = _now()
        member.save()
        if previous == "transferred_out":
            MemberTransfer.create(
                member=member, from_branch=None, to_branch=member.branch_id, moved_on=day, note=text or "转回"
            )
        old, new = changes(before, snapshot(member))
        tx.audit(
            "member",
            member.id,
            "restore",
            before=old,
            after=new,
            note=f"由「{vocab.label(vocab.MEMBER_STATUSES, previous)}」恢复为在册",
        )


def transfer_member(
    member_id: int, to_branch_id: int, on: object, note: object = None, *, today: dt.date | None = None
) -> None:
    """Move a member's organisation relationship to another branch of the sub-district.

    A `MemberTransfer` row keeps the move for ever; the member leaves the old branch's
    building group (and any group it led there)."""
    today = today or dt.date.today()
    with writing("member.transfer") as tx:
        member = _get_member(member_id)
        if member.status != "active":
            raise ValidationError(f"{member.name}不在册，不能转接组织关系。")
        target = _get_active_branch(to_branch_id)
        if target.id == member.branch_id:
            raise ValidationError(f"{member.name}已经在「{target.name}」。")
        day = _check_day(on, "转接日期", today, not_before=member.joined_on, not_before_text="入党日期")
        text = _clean_note(note)
        before = snapshot(member)
        MemberTransfer.create(member=member, from_branch=member.branch_id, to_branch=target.id, moved_on=day, note=text)
        member.branch = target.id
        member.group = None
        member.updated_at = _now()
        member.save()
        _drop_leadership([member.id])
        old, new = changes(before, snapshot(member))
        tx.audit("member", member.id, "transfer", before=old, after=new, note=text)


def confirm_full(member_id: int, on: object, *, today: dt.date | None = None) -> None:
    """转正: a 预备党员 becomes 正式党员 on `on` (not before the probation's end)."""
    today = today or dt.date.today()
    with writing("member.confirm") as tx:
        member = _get_member(member_id)
        if member.status != "active":
            raise ValidationError(f"{member.name}不在册，不能办理转正。")
        if member.category != "probationary":
            raise ValidationError(f"{member.name}已经是正式党员。")
        if member.joined_on is None:
            raise ValidationError(f"{member.name}没有入党日期，请先在「编辑」里补上。")
        extended = member.probation_extended_to
        due = validation.probation_due(member.joined_on, extended)
        day = _check_day(
            on, "转正日期", today, not_before=due, not_before_text="延长后的预备期满日期" if extended else "预备期满日期"
        )
        before = snapshot(member)
        member.category = "full"
        member.confirmed_on = day
        member.updated_at = _now()
        member.save()
        old, new = changes(before, snapshot(member))
        tx.audit("member", member.id, "confirm", before=old, after=new)


def assign_group(member_ids: Iterable[int], group_id: int) -> int:
    """Put members into a building party group of their branch; returns how many moved."""
    ids = sorted(set(member_ids))
    with writing("member.assign_group") as tx:
        group = BuildingGroup.get_or_none(BuildingGroup.id == group_id)
        if group is None or group.status != "active":
            raise ValidationError("这个楼栋党小组不存在或已撤销。请刷新后重试。")
        members = list(Member.select().where(Member.id.in_(ids))) if ids else []
        if len(members) != len(ids):
            raise NotFoundError("有党员找不到了，可能已被其他操作修改。请刷新后重试。")
        wrong = [m.name for m in members if m.branch_id != group.branch_id]
        if wrong:
            branch = Branch.get_by_id(group.branch_id)
            raise ValidationError(
                f"{'、'.join(wrong[:5])}{'等' if len(wrong) > 5 else ''}不是「{branch.name}」的党员，"
                f"不能编入「{group.name}」。请先转接组织关系。"
            )
        left = [m.name for m in members if m.status != "active"]
        if left:
            raise ValidationError(f"{'、'.join(left[:5])}不在册，不能编入党小组。")
        moved = [m for m in members if m.group_id != group.id]
        if not moved:
            return 0
        old_groups = {m.id: m.group_id for m in moved}
        Member.update(group=group.id, updated_at=_now()).where(Member.id.in_([m.id for m in moved])).execute()
        for m in moved:
            if old_groups[m.id] is not None:
                _drop_leadership([m.id], only_group=old_groups[m.id])
            tx.audit(
                "member", m.id, "assign_group", before={"group_id": old_groups[m.id]}, after={"group_id": group.id}
            )
    return len(moved)


def unassign_group(member_ids: Iterable[int]) -> int:
    """Take members out of their building party group; returns how many left one."""
    ids = sorted(set(member_ids))
    with writing("member.unassign_group") as tx:
        members = [m for m in Member.select().where(Member.id.in_(ids))] if ids else []
        moved = [m for m in members if m.group_id is not None]
        if not moved:
            return 0
        Member.update(group=None, updated_at=_now()).where(Member.id.in_([m.id for m in moved])).execute()
        _drop_leadership([m.id for m in moved])
        for m in moved:
            tx.audit("member", m.id, "unassign_group", before={"group_id": m.group_id}, after={"group_id": None})
    return len(moved)


# ---------------------------------------------------------------- one member (detail pane, form)


@dataclass
class TransferRecord:
    moved_on: str
    from_name: str
    to_name: str
    note: str

    @property
    def text(self) -> str:
        if self.from_name and self.to_name:
            what = f"由「{self.from_name}」转入「{self.to_name}」"
        elif self.to_name:
            what = f"转入「{self.to_name}」" + (f"（来自{self.note}）" if self.note else "")
        else:
            what = f"由「{self.from_name}」转出" + (f"：{self.note}" if self.note else "")
        if self.note and self.from_name and self.to_name:
            what += f"（{self.note}）"
        return f"{self.moved_on}  {what}"


@dataclass
class MemberDetail:
    id: int
    values: dict[str, Any]  # form values (codes, ids, ISO dates as text), ID possibly masked
    id_visible: bool
    branch_name: str
    group_name: str
    status_label: str
    category_label: str
    due_on: str | None
    age: int | None
    leads_groups: list[str]
    transfers: list[TransferRecord]
    created_at: str
    updated_at: str

    @property
    def name(self) -> str:
        return self.values["name"]


def transfer_history(member_id: int) -> list[TransferRecord]:
    names = dict(Branch.select(Branch.id, Branch.name).tuples())
    rows = (
        MemberTransfer.select()
        .where(MemberTransfer.member == member_id)
        .order_by(MemberTransfer.moved_on, MemberTransfer.id)
    )
    return [
        TransferRecord(
            moved_on=t.moved_on.isoformat() if t.moved_on else "",
            from_name=names.get(t.from_branch_id, "") if t.from_branch_id else "",
            to_name=names.get(t.to_branch_id, "") if t.to_branch_id else "",
            note=t.note or "",
        )
        for t in rows
    ]


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else (value or "")


def member_detail(member_id: int, *, today: dt.date | None = None) -> MemberDetail:
    today = today or dt.date.today()
    m = _get_member(member_id)
    visible = current_actor().may_see_id_numbers
    values = {
        "name": m.name,
        "id_number": m.id_number if visible else validation.mask_id_number(m.id_number),
        "gender": m.gender or "",
        "birth_date": _iso(m.birth_date),
        "ethnicity": m.ethnicity or "",
        "education": m.education or "",
        "category": m.category,
        "joined_on": _iso(m.joined_on),
        "confirmed_on": _iso(m.confirmed_on),
        "probation_extended_to": _iso(m.probation_extended_to),
        "probation_extension_reason": m.probation_extension_reason or "",
        "branch_id": m.branch_id,
        "group_id": m.group_id,
        "employer": m.employer or "",
        "phone": m.phone or "",
        "address": m.address or "",
        "status": m.status,
        "status_changed_on": _iso(m.status_changed_on),
        "status_note": m.status_note or "",
        "note": m.note or "",
        **{key: bool(getattr(m, key)) for key in _FLAG_FIELDS},
    }
    branch = Branch.get_or_none(Branch.id == m.branch_id)
    group = BuildingGroup.get_or_none(BuildingGroup.id == m.group_id) if m.group_id else None
    leads = [
        g.name
        for g in BuildingGroup.select(BuildingGroup.name).where(
            BuildingGroup.leader == m.id, BuildingGroup.status == "active"
        )
    ]
    due = _due_on(m.category, m.status, _iso(m.joined_on) or None, _iso(m.probation_extended_to) or None)
    return MemberDetail(
        id=m.id,
        values=values,
        id_visible=visible,
        branch_name=branch.name if branch else "",
        group_name=group.name if group else "",
        status_label=vocab.label(vocab.MEMBER_STATUSES, m.status),
        category_label=vocab.label(vocab.MEMBER_CATEGORIES, m.category),
        due_on=due,
        age=age_on(_iso(m.birth_date) or None, today),
        leads_groups=leads,
        transfers=transfer_history(m.id),
        created_at=(m.created_at or "")[:10],
        updated_at=(m.updated_at or "")[:16].replace("T", " "),
    )


# ---------------------------------------------------------------- 转正 reminders (dashboard)


@dataclass
class DueMember:
    id: int
    name: str
    branch_name: str
    joined_on: str
    due_on: str
    days_left: int  # negative: overdue by that many days


@dataclass
class ProbationSummary:
    due_soon: int  # due within DUE_WINDOW_DAYS (today included)
    overdue: int
    members: list[DueMember]  # overdue first, then by due date

    @property
    def total(self) -> int:
        return self.due_soon + self.overdue


def probation_reminders(today: dt.date | None = None, *, within_days: int = DUE_WINDOW_DAYS) -> ProbationSummary:
    """预备党员 due for 转正 within `within_days`, and those overdue."""
    today = today or dt.date.today()
    names = dict(Branch.select(Branch.id, Branch.name).tuples())
    rows = (
        Member.select(Member.id, Member.name, Member.branch, Member.joined_on, Member.probation_extended_to)
        .where(Member.status == "active", Member.category == "probationary", Member.joined_on.is_null(False))
        .tuples()
    )
    out: list[DueMember] = []
    limit = today + dt.timedelta(days=within_days)
    for mid, name, branch_id, joined, extended in rows:
        due = validation.probation_due(joined, extended)
        if due <= limit:
            out.append(
                DueMember(mid, name, names.get(branch_id, ""), joined.isoformat(), due.isoformat(), (due - today).days)
            )
    out.sort(key=lambda d: (d.days_left, d.name))
    overdue = sum(1 for d in out if d.days_left < 0)
    return ProbationSummary(due_soon=len(out) - overdue, overdue=overdue, members=out)


def counts_by_status() -> dict[str, int]:
    rows = Member.select(Member.status, pw.fn.COUNT(Member.id)).group_by(Member.status).tuples()
    found = dict(rows)
    return {code: found.get(code, 0) for code in vocab.MEMBER_STATUSES}


# ---------------------------------------------------------------- a branch's members (楼栋党小组 tab)


@dataclass
class BranchMember:
    id: int
    name: str
    initials: str
    gender: str
    age: int | None
    category_label: str
    group_id: int | None
    group_name: str
    is_leader: bool
    address: str
    phone: str


def branch_members(branch_id: int, *, today: dt.date | None = None) -> list[BranchMember]:
    """The active members of one branch with their building group, in pinyin order."""
    today = today or dt.date.today()
    groups = dict(
        BuildingGroup.select(BuildingGroup.id, BuildingGroup.name).where(BuildingGroup.branch == branch_id).tuples()
    )
    leaders = {
        lid
        for (lid,) in BuildingGroup.select(BuildingGroup.leader)
        .where(BuildingGroup.branch == branch_id, BuildingGroup.status == "active", BuildingGroup.leader.is_null(False))
        .tuples()
    }
    rows = (
        Member.select(
            Member.id,
            Member.name,
            Member.name_initials,
            Member.gender,
            Member.birth_date,
            Member.category,
            Member.group,
            Member.address,
            Member.phone,
        )
        .where(Member.branch == branch_id, Member.status == "active")
        .order_by(Member.name_initials, Member.name, Member.id)
        .tuples()
    )
    out = [
        BranchMember(
            mid,
            name,
            ini or "",
            gender or "",
            age_on(_iso(birth) or None, today),
            vocab.label(vocab.MEMBER_CATEGORIES, cat),
            gid,
            groups.get(gid, "") if gid else "",
            mid in leaders,
            address or "",
            phone or "",
        )
        for mid, name, ini, gender, birth, cat, gid, address, phone in rows
    ]
    out.sort(key=lambda m: name_sort_key(m.name))
    return out
