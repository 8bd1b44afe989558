"""Normalising and checking the rows of one roster kind, cell by cell.

Every value goes through `wanghu_desk.validation` (ID numbers, phones, dates, names,
gender and birth date from the ID); branch names through `services.lookup`. The
reference data a kind needs (branches, groups, volunteers …) is read once per import by
`services.imports.reference_data`, never once per row.

A row's `record` holds only what the file says: a column that is absent, or a cell
that is empty ("无", "—", "/" count as empty), leaves the stored value alone when the
row updates an existing record. Values derived from the ID number (gender, birth date)
are always part of the record.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from reports.columns import RATING_COLUMNS, Column, HeaderIndex
from reports.layout import DataRow, SheetLayout, display_value
from reports.readers import RawSheet
from wanghu_desk import kinds, vocab
from wanghu_desk.errors import NotFoundError, UsageError
from wanghu_desk.pinyin import initials
from wanghu_desk.rating_rules import STAGES
from wanghu_desk.services import imports as import_service
from wanghu_desk.services import ledger, rating, volunteers
from wanghu_desk.services.lookup import BranchLookup, normalize_org_name
from wanghu_desk.validation import (
    EMPTY_MARKERS,
    ERROR,
    WARNING,
    Checked,
    Problem,
    clean_text,
    derive_or_check_birth,
    derive_or_check_gender,
    member_rule_errors,
    normalize_gender,
    normalize_name,
    parse_date,
    validate_id_number,
    validate_phone,
)

__all__ = ["ImportProblem", "Normaliser", "SourceRow", "normaliser_for"]


@dataclass(frozen=True)
class ImportProblem:
    """One finding about one cell (or a whole row / the file when `column` is None)."""

    level: str  # "error" | "warning"
    sheet: str
    row: int | None  # Excel row number
    column: str | None  # header text as written in the file
    value: str | None  # the cell as the clerk saw it
    message: str
    col_index: int | None = None  # 0-based column in the file, for highlighting

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message,
                "sheet": self.sheet}


@dataclass
class SourceRow:
    """One data row of the file: where it is, its cells, the normalised record, and what
    was found about it."""

    sheet: str
    row: int
    cells: list[Any]
    record: dict[str, Any] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        problems = self.problems
        return bool(problems) and any(p.level == ERROR for p in problems)

    @property
    def has_warnings(self) -> bool:
        return any(p.level == WARNING for p in self.problems)


_MISSING = object()
MSG_MASKED_ID = ("身份证号中间是星号（{value}），是打了码的号码，无法导入。请使用完整的身份证号："
                 "从本程序导出时勾选「完整身份证号」，或向报送单位要未打码的表格。")

_TRUE = frozenset({"是", "√", "✓", "✔", "Y", "YES", "TRUE", "1", "有", "已报到", "对"})
_FALSE = frozenset({"否", "×", "✗", "✘", "N", "NO", "FALSE", "0", "未报到", "不是"})

MEMBER_STATUS_SYNONYMS = {
    "正常": "active", "在册党员": "active", "在籍": "active",
    "已转出": "transferred_out", "转出党员": "transferred_out", "组织关系转出": "transferred_out",
    "停止": "stopped", "停止党籍党员": "stopped",
    "开除党籍": "expelled", "除名": "expelled", "退党": "expelled",
    "死亡": "deceased", "已故": "deceased", "病故": "deceased", "已去世": "deceased",
}  # fmt: skip
BRANCH_STATUS_SYNONYMS = {"在用": "active", "现存": "active", "撤销": "dissolved", "已撤": "dissolved"}
GROUP_STATUSES = {"active": "正常", "dissolved": "已撤销"}
_LIST_SPLIT = re.compile(r"[、,，;；/\n]+")


class _Row:
    """Reading one data row's cells by field, collecting its problems."""

    __slots__ = ("index", "headers", "sheet", "row", "values", "problems")

    def __init__(self, index: dict[str, int], headers: dict[int, str], sheet: str, data: DataRow):
        self.index = index
        self.headers = headers
        self.sheet = sheet
        self.row = data.row
        cells = data.cells
        if index and len(cells) > max(index.values()):  # the usual case: every mapped column is in the row
            self.values = dict(zip(index, map(cells.__getitem__, index.values())))
        else:
            n = len(cells)
            self.values = {name: cells[c] for name, c in index.items() if c < n}
        self.problems: list[ImportProblem] = []

    def has(self, name: str) -> bool:
        return name in self.index

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def add(self, level: str, name: str | None, message: str, value: Any = _MISSING) -> None:
        c = self.index.get(name) if name else None
        if value is _MISSING:
            value = self.raw(name) if name else None
        self.problems.append(ImportProblem(level, self.sheet, self.row, self.headers.get(c) if c is not None else None,
                                           display_value(value), message, c))

    def error(self, name: str | None, message: str, value: Any = _MISSING) -> None:
        self.add(ERROR, name, message, value)

    def warn(self, name: str | None, message: str, value: Any = _MISSING) -> None:
        self.add(WARNING, name, message, value)

    def require(self, name: str, value: Any, message: str) -> None:
        """An error for a required cell that is empty (unless its column is missing —
        reported once for the file — or the cell already has an error)."""
        c = self.index.get(name)
        if value is None and c is not None and not any(p.col_index == c and p.level == ERROR for p in self.problems):
            self.error(name, message)

    def take(self, name: str, checked: Checked) -> Any:
        for p in checked.problems:
            self.add(p.level, name, p.message)
        return checked.value

    def text(self, name: str) -> str | None:
        return clean_text(self.raw(name))

    @property
    def has_errors(self) -> bool:
        return any(p.level == ERROR for p in self.problems)


# Characters that `clean_text` changes: zero-width characters, full-width forms, any
# whitespace other than a single inner space.
_NEEDS_CLEANING = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\uff01-\uff5e]|[^\S ]|  ")


def fast_clean(raw: Any) -> str | None:
    """`validation.clean_text`, with a shortcut for text it would return unchanged (most
    cells): an address is checked with one regex search instead of two translations."""
    if (
        type(raw) is str
        and raw
        and raw[0] != " "
        and raw[-1] != " "
        and raw not in EMPTY_MARKERS
        and not _NEEDS_CLEANING.search(raw)
    ):
        return raw
    return clean_text(raw)


def _compact(text: str | None) -> str | None:
    """Names of organisations, groups, teams: cleaned, inner spaces removed."""
    if text is None:
        return None
    return re.sub(r"\s+", "", text) or None


def _key(text: str | None) -> str | None:
    return normalize_org_name(text)


def parse_bool(raw: Any) -> Checked[bool]:
    """是/否 and the usual look-alikes (√ ×, Y N, 1 0); empty gives ``Checked(None)``."""
    if isinstance(raw, bool):
        return Checked(raw)
    text = clean_text(raw)
    if text is None:
        return Checked(None)
    key = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    if key in _TRUE:
        return Checked(True)
    if key in _FALSE:
        return Checked(False)
    return Checked(None, (Problem(ERROR, f"看不懂「{text}」，请填「是」或「否」。"),))


_MINUTES = re.compile(r"(\d{1,5})(分钟|分|min|mins)")


def parse_hours(raw: Any) -> Checked[int]:
    """Service time → whole minutes, by the rules of `services.volunteers.parse_hours`
    (steps of 0.5 h, more than 0, at most 24 h). Sheets sometimes give minutes
    ("90分钟"): they are turned into hours first and go through the same rules."""
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", clean_text(raw) or "").replace(" ", "").lower()
        m = _MINUTES.fullmatch(text)
        if m:
            whole, rest = divmod(int(m.group(1)), 60)
            raw = f"{whole}" if rest == 0 else f"{whole}.5" if rest == 30 else f"{int(m.group(1)) / 60:.4f}"
    return volunteers.parse_hours(raw)


class Normaliser:
    """Turns the data rows of one roster kind into records. One instance per import.

    Values that repeat down a column (gender, education, branch, dates, 是/否 …) are
    checked once per distinct cell value and remembered (`_memo`): a 50,000-row roster
    has a few hundred distinct values in most columns.
    """

    kind = ""
    #: Sheets of the program's own exports that carry nothing to import (skipped silently).
    companion_sheets: frozenset[str] = frozenset()

    def __init__(self, today: dt.date | None = None):
        self.today = today or dt.date.today()
        self._indexes: dict[int, dict[str, int]] = {}
        self._caches: defaultdict[str, dict[Any, Any]] = defaultdict(dict)
        self._layouts: dict[str, SheetLayout] = {}
        #: id(record) -> action, when `finish` classified the rows (see `planned_actions`)
        self.planned: dict[int, str] | None = None

    # -- hooks for the pipeline (`reports.importing.preview_steps`)
    def header_index(self) -> HeaderIndex:
        """How header cells are recognised: the kind's column table."""
        return HeaderIndex(kinds.get(self.kind).columns)

    def unusable(self, layout: SheetLayout) -> str | None:
        """Why a sheet with a header of this kind still has nothing to import, or None."""
        return None

    def prepare_sheet(self, raw: RawSheet, layout: SheetLayout) -> None:
        """Called once per sheet before its rows (e.g. to read the branch from the title)."""

    def file_problem(self) -> str | None:
        """A reason that stops the whole import (e.g. a finalized rating year), or None."""
        return None

    def finish(self, rows: list[SourceRow]) -> Iterator[tuple[int, int, str]]:
        """Checks across rows and stored records, after every row is read; may yield progress."""
        return iter(())

    def planned_actions(self, records: list[dict[str, Any]]) -> list[str] | None:
        """What a commit would do with `records`, when `finish` already worked it out
        (so that a preview classifies its rows once); None otherwise."""
        planned = self.planned
        if planned is None or any(id(rec) not in planned for rec in records):
            return None
        return [planned[id(rec)] for rec in records]

    def _field_index(self, layout: SheetLayout) -> dict[str, int]:
        found = self._indexes.get(id(layout))
        if found is None:
            found = {col.field: c for c, col in layout.columns.items() if not col.export_only}
            self._indexes[id(layout)] = found
        return found

    def row(self, layout: SheetLayout, data: DataRow) -> SourceRow | None:
        """The checked row, or None for a row that is not data (a totals row)."""
        self._layouts.setdefault(layout.sheet, layout)
        row = _Row(self._field_index(layout), layout.headers, layout.sheet, data)
        record = self.normalise(row)
        if record is None:
            return None
        return SourceRow(layout.sheet, data.row, data.cells, record, row.problems)

    def normalise(self, row: _Row) -> dict[str, Any] | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def add_problem(self, src: SourceRow, level: str, names: Sequence[str | None], message: str) -> None:
        """A problem found after the row was read (`finish`), on the first of `names` that
        is a column of the row's sheet; on the whole row when none is."""
        layout = self._layouts[src.sheet]
        index = self._field_index(layout)
        c = next((index[n] for n in names if n is not None and n in index), None)
        value = display_value(src.cells[c]) if c is not None and c < len(src.cells) else None
        src.problems.append(ImportProblem(level, src.sheet, src.row, layout.headers.get(c) if c is not None else None,
                                          value, message, c))

    def missing_required(self, columns: tuple[Column, ...], layout: SheetLayout) -> list[Column]:
        present = {col.field for col in layout.columns.values()}
        return [col for col in columns if col.required and col.field not in present]

    def _memo(self, cache: str, fn, raw: Any) -> Any:
        """`fn(raw)`, computed once per distinct `raw` (results must be immutable)."""
        memo = self._caches[cache]
        key = raw if type(raw) is str else (type(raw), raw)  # 1, 1.0 and True must not share an entry
        try:
            return memo[key]
        except KeyError:
            found = memo[key] = fn(raw)
            return found

    # -- shared field readers
    def _date(self, row: _Row, name: str, what: str, *, warn_future: bool = True) -> dt.date | None:
        raw = row.raw(name)
        if raw is None or raw == "":
            return None
        value = row.take(name, self._memo("date", parse_date, raw))
        if warn_future and value is not None and value > self.today:
            row.warn(name, f"{what} {value.isoformat()} 晚于今天，请核对。")
        return value

    def _text(self, row: _Row, name: str) -> str | None:
        raw = row.raw(name)
        if raw is None or raw == "":
            return None
        return fast_clean(raw)

    def _id(self, row: _Row, name: str = "id_number") -> str | None:
        raw = row.raw(name)
        if isinstance(raw, str) and ("*" in raw or "＊" in raw):
            row.error(name, MSG_MASKED_ID.format(value=clean_text(raw)))
            return None
        return row.take(name, validate_id_number(raw, today=self.today))

    def _duplicate(self, seen: dict[Any, tuple[str, int]], key: Any, row: _Row, name: str | None, what: str) -> bool:
        """True (and an error on `row`) when `key` was already seen in an earlier row."""
        first = seen.get(key)
        if first is None:
            seen[key] = (row.sheet, row.row)
            return False
        sheet, number = first
        where = f"第 {number} 行" if sheet == row.sheet else f"工作表「{sheet}」第 {number} 行"
        row.error(name, f"与{where}的{what}重复，同一人只能出现一次。请删除重复的行。")
        return True


def _checked_choice(raw: Any, table: dict[str, str], synonyms: dict[str, str], what: str) -> Checked[str]:
    text = clean_text(raw)
    if text is None:
        return Checked(None)
    code = vocab.code_for(table, unicodedata.normalize("NFKC", text).replace(" ", ""), synonyms)
    if code is None:
        allowed = "、".join(f"「{label}」" for label in table.values())
        return Checked(None, (Problem(ERROR, f"看不懂的{what}「{text}」，请填 {allowed} 之一。"),))
    return Checked(code)


def _checked_category(raw: Any) -> Checked[str]:
    return _checked_choice(raw, vocab.MEMBER_CATEGORIES, vocab.MEMBER_CATEGORY_SYNONYMS, "人员类别")


def _checked_status(raw: Any) -> Checked[str]:
    return _checked_choice(raw, vocab.MEMBER_STATUSES, MEMBER_STATUS_SYNONYMS, "党籍状态")


def _checked_ethnicity(raw: Any) -> Checked[str]:
    text = clean_text(raw)
    if text is None:
        return Checked(None)
    text = text.replace(" ", "")
    if text in vocab.ETHNICITIES:
        return Checked(text)
    if text + "族" in vocab.ETHNICITIES:
        return Checked(text + "族")
    return Checked(text, (Problem(WARNING, f"「{text}」不是 56 个民族的名称，请核对。"),))


def _checked_education(raw: Any) -> Checked[str]:
    text = clean_text(raw)
    if text is None:
        return Checked(None)
    text = text.replace(" ", "")
    if text in vocab.EDUCATION_LEVELS:
        return Checked(text)
    mapped = vocab.EDUCATION_SYNONYMS.get(text)
    if mapped is not None:
        return Checked(mapped)
    return Checked(text, (Problem(WARNING, f"「{text}」不是常用的学历名称，将原样保存，请核对。"),))


def _checked_gender(raw: Any) -> Checked[str]:
    text = clean_text(raw)
    if text is None:
        return Checked(None)
    gender = normalize_gender(text)
    if gender is None:
        return Checked(None, (Problem(ERROR, f"看不懂的性别「{text}」，请填「男」或「女」。"),))
    return Checked(gender)


_MEMBER_FLAGS = ("is_lost_contact", "is_floating", "is_center_household", "reported_at_residence")
_MEMBER_DATES = (("joined_on", "入党日期", False), ("confirmed_on", "转正日期", True),
                 ("probation_extended_to", "延长预备期至", False))
_DATE = dt.date


def _memo_miss(memo: dict[Any, Any], key: Any, fn, raw: Any) -> Any:
    """`fn(raw)` stored under `key` (a memo's slow path; results must be immutable)."""
    found = memo[key] = fn(raw)
    return found


def _take(row: _Row, field: str, checked: Checked) -> Any:
    return row.take(field, checked) if checked.problems else checked.value


# ---------------------------------------------------------------- members


class MemberNormaliser(Normaliser):
    kind = "members"

    def __init__(self, today: dt.date | None = None):
        super().__init__(today)
        self.branches = BranchLookup()
        self.groups = import_service.group_names()  # branch id -> {name key: name}
        self._seen_ids: dict[str, tuple[str, int]] = {}
        self._new_groups_warned: set[tuple[int, str]] = set()
        self._memos = {name: self._caches[name] for name in (
            "name", "initials", "date", "gender", "ethnicity", "education", "category", "branch", "employer",
            "status", "bool")}

    def normalise(self, row: _Row) -> dict[str, Any]:
        # The hot loop of a roster import: every memo is a plain dict read here without a
        # method call (`_memo_get` only on a miss), and a clean value is taken without
        # `row.take`. tests/test_import_equivalence.py holds it to the plain version.
        rec: dict[str, Any] = {}
        raw_of = row.values.get  # row.raw without the method call: ~23 reads a row
        memos = self._memos
        today = self.today

        raw = raw_of("name")
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        checked = memos["name"].get(key) or _memo_miss(memos["name"], key, normalize_name, raw)
        name = checked.value if not checked.problems else row.take("name", checked)
        if name is None:
            row.require("name", None, "姓名为空，请填写。")
        else:
            rec["name"] = name
            found = memos["initials"].get(name)
            rec["name_initials"] = found if found is not None else _memo_miss(memos["initials"], name, initials, name)

        id_number = self._id(row)
        if id_number is None:
            row.require("id_number", None, "公民身份号码为空，请填写。")
        else:
            rec["id_number"] = id_number
            if id_number in self._seen_ids:
                self._duplicate(self._seen_ids, id_number, row, "id_number", "公民身份号码")
            else:
                self._seen_ids[id_number] = (row.sheet, row.row)

        dates = memos["date"]
        raw = raw_of("birth_date")
        if raw is None or raw == "":
            birth_given = None
        else:
            key = raw if raw.__class__ is str or raw.__class__ is _DATE else (raw.__class__, raw)
            checked = dates.get(key) or _memo_miss(dates, key, parse_date, raw)
            birth_given = checked.value if not checked.problems else row.take("birth_date", checked)
            if birth_given is not None and birth_given > today:
                row.warn("birth_date", f"出生日期 {birth_given.isoformat()} 晚于今天，请核对。")
        gender_raw = raw_of("gender")
        if id_number is not None:
            expected = "男" if int(id_number[16]) % 2 else "女"
            if gender_raw == expected:  # the usual case, without the full check
                rec["gender"] = expected
            else:
                rec["gender"] = _take(row, "gender", derive_or_check_gender(id_number, gender_raw))
            rec["birth_date"] = _take(row, "birth_date", derive_or_check_birth(id_number, birth_given))
        else:
            key = gender_raw if gender_raw.__class__ is str else (gender_raw.__class__, gender_raw)
            checked = memos["gender"].get(key) or _memo_miss(memos["gender"], key, _checked_gender, gender_raw)
            gender = checked.value if not checked.problems else row.take("gender", checked)
            if gender is not None:
                rec["gender"] = gender
            rec["birth_date"] = birth_given

        for field_name, check in (("ethnicity", _checked_ethnicity), ("education", _checked_education)):
            raw = raw_of(field_name)
            if raw is not None and raw != "":
                memo = memos[field_name]
                key = raw if raw.__class__ is str else (raw.__class__, raw)
                checked = memo.get(key) or _memo_miss(memo, key, check, raw)
                value = checked.value if not checked.problems else row.take(field_name, checked)
                if value is not None:
                    rec[field_name] = value

        raw = raw_of("category")
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        checked = memos["category"].get(key) or _memo_miss(memos["category"], key, _checked_category, raw)
        category = checked.value if not checked.problems else row.take("category", checked)
        if category is not None:
            rec["category"] = category
        # 入党日期 after today is an error below (the party rules), not a warning here.
        joined = confirmed = extended = None
        for field_name, what, warn_future in _MEMBER_DATES:
            raw = raw_of(field_name)
            if raw is None or raw == "":
                continue
            key = raw if raw.__class__ is str or raw.__class__ is _DATE else (raw.__class__, raw)
            checked = dates.get(key) or _memo_miss(dates, key, parse_date, raw)
            value = checked.value if not checked.problems else row.take(field_name, checked)
            if value is None:
                continue
            if warn_future and value > today:
                row.warn(field_name, f"{what} {value.isoformat()} 晚于今天，请核对。")
            rec[field_name] = value
            if field_name == "joined_on":
                joined = value
            elif field_name == "confirmed_on":
                confirmed = value
                if category == "probationary":
                    row.warn("confirmed_on", "预备党员不应有转正日期，请核对人员类别。")
            else:
                extended = value
        reason = raw_of("probation_extension_reason")
        if reason is not None and reason != "":
            reason = fast_clean(reason)
            if reason is not None:
                rec["probation_extension_reason"] = reason = reason.replace("\n", " ")
        else:
            reason = None
        if joined is not None or extended is not None or reason is not None:
            # The party-constitution rules, shared with the member form. Without a 人员类别
            # column a row with a 转正日期 is a 正式党员 (and a new one is stored as such).
            for name, message in member_rule_errors(
                category=category if category is not None else ("full" if confirmed is not None else None),
                born=rec.get("birth_date"),
                joined=joined,
                confirmed=confirmed if category != "probationary" else None,
                extended_to=extended,
                # an unreadable date has its own message: no second one saying it is missing
                reason=None if extended is None and clean_text(raw_of("probation_extended_to")) else reason,
                today=today,
            ):
                row.error(name, message)

        raw = raw_of("branch")
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        checked = memos["branch"].get(key) or _memo_miss(memos["branch"], key, self.branches.resolve, raw)
        branch = checked.value if not checked.problems else row.take("branch", checked)
        if branch is not None:
            rec["branch_id"] = branch.id
        else:
            row.require("branch", None, "所在党支部为空，请填写。")

        group_raw = raw_of("group")
        if group_raw is not None and group_raw != "":
            group = _compact(clean_text(group_raw))
            if group is not None:
                rec["group_name"] = group
                if branch is not None:
                    known = self.groups.get(branch.id, {})
                    key = _key(group)
                    if key in known:
                        rec["group_name"] = known[key]
                    elif (branch.id, key) not in self._new_groups_warned:
                        self._new_groups_warned.add((branch.id, key))
                        row.warn("group", f"「{branch.name}」还没有楼栋党小组「{group}」，导入时将新建。")

        raw = raw_of("employer")
        if raw is not None and raw != "":
            key = raw if raw.__class__ is str else (raw.__class__, raw)
            found = memos["employer"].get(key, _MISSING)
            text = found if found is not _MISSING else _memo_miss(memos["employer"], key, clean_text, raw)
            if text is not None:
                rec["employer"] = text.replace("\n", " ")
        raw = raw_of("address")
        if raw is not None and raw != "":
            address = fast_clean(raw)
            if address is not None:
                rec["address"] = address.replace("\n", " ")
        raw = raw_of("note")
        if raw is not None and raw != "":
            note = fast_clean(raw)
            if note is not None:
                rec["note"] = note
        raw = raw_of("phone")
        if raw is not None and raw != "":
            phone = _take(row, "phone", validate_phone(raw))
            if phone is not None:
                rec["phone"] = phone

        raw = raw_of("status")
        key = raw if raw.__class__ is str else (raw.__class__, raw)
        checked = memos["status"].get(key) or _memo_miss(memos["status"], key, _checked_status, raw)
        status = checked.value if not checked.problems else row.take("status", checked)
        if status is not None:
            rec["status"] = status
        flags = memos["bool"]
        for flag in _MEMBER_FLAGS:
            raw = raw_of(flag)
            if raw is not None and raw != "":
                key = raw if raw.__class__ is str else (raw.__class__, raw)
                checked = flags.get(key) or _memo_miss(flags, key, parse_bool, raw)
                value = checked.value if not checked.problems else row.take(flag, checked)
                if value is not None:
                    rec[flag] = value
        return rec


# ---------------------------------------------------------------- branches


class BranchNormaliser(Normaliser):
    kind = "branches"

    def __init__(self, today: dt.date | None = None):
        super().__init__(today)
        self.lookup = BranchLookup()
        self.existing = import_service.branch_keys()  # name key -> (id, name, full-name key)
        self.full_names = {full: (bid, name) for bid, name, full in self.existing.values() if full}
        self.communities = {_key(n): n for n in import_service.community_names()}
        self._seen_names: dict[Any, tuple[str, int]] = {}
        self._seen_full: dict[Any, tuple[str, int]] = {}
        self._new_communities: set[str] = set()

    def normalise(self, row: _Row) -> dict[str, Any]:
        rec: dict[str, Any] = {}
        name = _compact(row.text("name"))
        row.require("name", name, "党组织名称为空，请填写。")
        if name is not None:
            rec["name"] = name
            key = _key(name)
            if key not in self.existing:
                other = self.lookup.get(name)
                if other is not None:
                    row.error("name", f"「{name}」是已有支部「{other.name}」的全称或别名。请把名称写成「{other.name}」。")
            self._duplicate_name(row, key)
        full = _compact(row.text("full_name"))
        if full is not None:
            rec["full_name"] = full
            owner = self.full_names.get(_key(full))
            if owner is not None and name is not None and _key(owner[1]) != _key(name):
                row.error("full_name", f"全称「{full}」已属于支部「{owner[1]}」，请核对。")
            first = self._seen_full.get(_key(full))
            if first is None:
                self._seen_full[_key(full)] = (row.sheet, row.row)
            else:
                row.error("full_name", f"与第 {first[1]} 行的党组织全称重复，请核对。")

        text = row.text("category")
        if text is None:
            if not self._is_existing(name):
                row.error("category", "类别为空，请填写（如「小区党支部」「机关党支部」）。")
        else:
            code = branch_category(text)
            if code is None:
                allowed = "、".join(f"「{v}」" for v in vocab.BRANCH_CATEGORIES.values())
                row.error("category", f"看不懂的类别「{text}」，请填 {allowed} 之一。")
            else:
                rec["category"] = code

        community = _compact(row.text("community"))
        if community is not None:
            known = self.communities.get(_key(community))
            if known is not None:
                community = known
            elif _key(community) not in self._new_communities:
                self._new_communities.add(_key(community))
                row.warn("community", f"社区「{community}」还没有，导入时将新建。")
            rec["community_name"] = community

        if row.has("secretary"):
            secretary = row.take("secretary", normalize_name(row.raw("secretary")))
            if secretary is not None:
                rec["secretary"] = secretary
        phone = row.take("phone", validate_phone(row.raw("phone")))
        if phone is not None:
            rec["phone"] = phone
        founded = self._date(row, "founded_on", "成立日期")
        if founded is not None:
            rec["founded_on"] = founded
        status = row.take("status", _checked_choice(row.raw("status"), vocab.BRANCH_STATUSES,
                                                    BRANCH_STATUS_SYNONYMS, "状态"))
        if status is not None:
            rec["status"] = status
        note = row.text("note")
        if note is not None:
            rec["note"] = note
        return rec

    def _is_existing(self, name: str | None) -> bool:
        return name is not None and _key(name) in self.existing

    def _duplicate_name(self, row: _Row, key: str | None) -> bool:
        first = self._seen_names.get(key)
        if first is None:
            self._seen_names[key] = (row.sheet, row.row)
            return False
        row.error("name", f"与第 {first[1]} 行的党组织名称重复，同一支部只能出现一次。")
        return True


def branch_category(text: str) -> str | None:
    """The category code of "小区党支部", "机关", "非公企业党支部" …; ``None`` if unknown."""
    key = unicodedata.normalize("NFKC", text).replace(" ", "")
    code = vocab.code_for(vocab.BRANCH_CATEGORIES, key, vocab.BRANCH_CATEGORY_SYNONYMS)
    if code is None:
        key = key.replace("(", "（").replace(")", "）")
        code = vocab.code_for(vocab.BRANCH_CATEGORIES, key, vocab.BRANCH_CATEGORY_SYNONYMS)
    if code is None:
        bare = re.sub(r"(党支部|支部|党组织)$", "", key)
        code = vocab.code_for(vocab.BRANCH_CATEGORIES, bare + "党支部", vocab.BRANCH_CATEGORY_SYNONYMS)
        code = code or vocab.BRANCH_CATEGORY_SYNONYMS.get(bare)
    return code


# ---------------------------------------------------------------- building groups


_ESTATE_SPLIT = re.compile(r"[;；\n]+")
_BUILDING_SPLIT = re.compile(r"[、,，/ ]+")


def parse_buildings(text: str) -> list[tuple[str | None, str]] | None:
    """"银杏苑小区：1栋、2栋；枫林湾小区：3栋" → [(estate, number), …]; a part without
    "小区：" gives estate ``None``. ``None`` when nothing can be read."""
    out: list[tuple[str | None, str]] = []
    for part in _ESTATE_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        estate: str | None = None
        if "：" in part or ":" in part:
            estate, _, part = re.split(r"([:：])", part, maxsplit=1)
            estate = _compact(estate)
        for number in _BUILDING_SPLIT.split(part):
            number = _compact(number)
            if number:
                out.append((estate, number))
    return out or None


class GroupNormaliser(Normaliser):
    kind = "groups"

    def __init__(self, today: dt.date | None = None):
        super().__init__(today)
        self.branches = BranchLookup()
        refs = import_service.group_reference_data()
        self.members_by_branch: dict[int, dict[str, list[tuple[int, str | None]]]] = refs["members"]
        self.members_anywhere: dict[str, list[tuple[int, str | None]]] = refs["members_anywhere"]
        self.branch_estates: dict[int, list[str]] = refs["branch_estates"]
        self.branch_community: dict[int, int | None] = refs["branch_community"]
        self.estates: dict[str, str] = refs["estates"]  # key -> name
        self.buildings: set[tuple[str, str]] = refs["buildings"]  # (estate key, number key)
        self._seen: dict[Any, tuple[str, int]] = {}

    def normalise(self, row: _Row) -> dict[str, Any]:
        rec: dict[str, Any] = {}
        branch = row.take("branch", self.branches.resolve(row.raw("branch")))
        row.require("branch", branch, "所在党支部为空，请填写。")
        if branch is not None:
            rec["branch_id"] = branch.id
        name = _compact(row.text("name"))
        row.require("name", name, "党小组名称为空，请填写。")
        if name is not None:
            rec["name"] = name
            if branch is not None:
                first = self._seen.get((branch.id, _key(name)))
                if first is None:
                    self._seen[(branch.id, _key(name))] = (row.sheet, row.row)
                else:
                    row.error("name", f"与第 {first[1]} 行是同一个党小组，请删除重复的行。")

        leader = row.take("leader", normalize_name(row.raw("leader"))) if row.has("leader") else None
        leader_phone = row.take("leader_phone", validate_phone(row.raw("leader_phone"))) \
            if row.has("leader_phone") else None
        if leader is not None and branch is not None:
            candidates = self.members_by_branch.get(branch.id, {}).get(leader, [])
            if not candidates:
                candidates = self.members_anywhere.get(leader, [])
            if leader_phone and len(candidates) > 1:
                candidates = [c for c in candidates if c[1] == leader_phone] or candidates
            if len(candidates) == 1:
                rec["leader_id"] = candidates[0][0]
            elif not candidates:
                row.warn("leader", f"找不到名叫「{leader}」的党员，组长暂不设置。请先导入党员花名册。")
            else:
                row.warn("leader", f"有 {len(candidates)} 位名叫「{leader}」的党员，无法确定组长，"
                                   "请在「组长联系电话」中填写组长的手机号。")

        text = row.text("buildings")
        if text is not None and branch is not None:
            parsed = parse_buildings(text)
            if parsed is None:
                row.error("buildings", "看不懂的楼栋，请写成「银杏苑小区：1栋、2栋」。")
            else:
                resolved, new = self._buildings(row, branch.id, parsed)
                if resolved is not None:
                    rec["buildings"] = resolved
                    if new:
                        row.warn("buildings", "以下楼栋还没有，导入时将新建：" + "、".join(new) + "。")

        status_text = row.text("status")
        if status_text is not None:
            code = vocab.code_for(GROUP_STATUSES, status_text.replace(" ", ""), BRANCH_STATUS_SYNONYMS)
            if code is None:
                row.error("status", f"看不懂的状态「{status_text}」，请填「正常」或「已撤销」。")
            else:
                rec["status"] = code
        note = row.text("note")
        if note is not None:
            rec["note"] = note
        return rec

    def _buildings(self, row: _Row, branch_id: int, parsed) -> tuple[list[tuple[str, str]] | None, list[str]]:
        out: list[tuple[str, str]] = []
        new: list[str] = []
        own = self.branch_estates.get(branch_id, [])
        for estate, number in parsed:
            if estate is None:
                if len(own) != 1:
                    row.error("buildings", "请在楼栋前写上小区名称，如「银杏苑小区：1栋、2栋」。")
                    return None, []
                estate = own[0]
            estate = self.estates.get(_key(estate), estate)
            if _key(estate) not in self.estates and self.branch_community.get(branch_id) is None:
                row.error("buildings", f"小区「{estate}」还没有，该支部也没有所属社区，无法新建。请先设置支部的所属社区。")
                return None, []
            if (_key(estate), _key(number)) not in self.buildings:
                new.append(f"{estate}{number}")
            out.append((estate, number))
        return out, new


# ---------------------------------------------------------------- volunteers


class VolunteerNormaliser(Normaliser):
    kind = "volunteers"

    def __init__(self, today: dt.date | None = None):
        super().__init__(today)
        refs = import_service.volunteer_reference_data()
        self.member_ids: dict[str, int] = refs["member_ids"]  # id number -> member id
        self.teams: dict[str, str] = refs["teams"]  # key -> name
        self._seen_ids: dict[Any, tuple[str, int]] = {}
        self._seen_numbers: dict[Any, tuple[str, int]] = {}
        self._seen_people: dict[Any, tuple[str, int]] = {}
        self._new_teams: set[str] = set()

    def normalise(self, row: _Row) -> dict[str, Any]:
        rec: dict[str, Any] = {}
        name = row.take("name", normalize_name(row.raw("name")))
        row.require("name", name, "姓名为空，请填写。")
        if name is not None:
            rec["name"] = name
            rec["name_initials"] = initials(name)
        id_number = self._id(row) if row.has("id_number") else None
        if id_number is not None:
            rec["id_number"] = id_number
            self._duplicate(self._seen_ids, id_number, row, "id_number", "公民身份号码")
            rec["gender"] = row.take("gender", derive_or_check_gender(id_number, row.raw("gender")))
            rec["birth_date"] = row.take("birth_date", derive_or_check_birth(id_number, None))
            member_id = self.member_ids.get(id_number)
            if member_id is not None:
                rec["member_id"] = member_id
        else:
            text = row.text("gender")
            if text is not None:
                gender = normalize_gender(text)
                if gender is None:
                    row.error("gender", f"看不懂的性别「{text}」，请填「男」或「女」。")
                else:
                    rec["gender"] = gender
        phone = row.take("phone", validate_phone(row.raw("phone")))
        if phone is not None:
            rec["phone"] = phone
        number = _compact(row.text("registration_no"))
        if number is not None:
            rec["registration_no"] = number
            first = self._seen_numbers.get(number)
            if first is None:
                self._seen_numbers[number] = (row.sheet, row.row)
            else:
                row.error("registration_no", f"与第 {first[1]} 行的志愿者编号重复，请核对。")
        if id_number is None and number is None and name is not None:
            self._duplicate(self._seen_people, (name, phone), row, "name", "姓名和联系电话")

        is_member = row.take("is_member", parse_bool(row.raw("is_member"))) if row.has("is_member") else None
        if is_member and "member_id" not in rec:
            row.warn("is_member", "填了「是」，但党员花名册中没有这个身份证号，未关联党员。")

        teams_text = row.text("teams")
        if teams_text is not None:
            names = []
            for part in _LIST_SPLIT.split(teams_text):
                team = clean_text(part)
                if not team:
                    continue
                known = self.teams.get(_key(team))
                if known is None and _key(team) not in self._new_teams:
                    self._new_teams.add(_key(team))
                    row.warn("teams", f"服务队「{team}」还没有，导入时将新建。")
                names.append(known or team)
            rec["team_names"] = names
        skills = row.text("skills")
        if skills is not None:
            rec["skills"] = skills
        note = row.text("note")
        if note is not None:
            rec["note"] = note
        return rec


# ---------------------------------------------------------------- service records


class ServiceNormaliser(Normaliser):
    kind = "services"

    def __init__(self, today: dt.date | None = None):
        super().__init__(today)
        refs = import_service.service_reference_data()
        self.by_id: dict[str, int] = refs["by_id"]
        self.by_number: dict[str, int] = refs["by_number"]
        self.by_name_phone: dict[tuple[str, str], list[int]] = refs["by_name_phone"]
        self.by_name: dict[str, list[int]] = refs["by_name"]
        self.teams: dict[str, str] = refs["teams"]
        self.projects: dict[str, str] = refs["projects"]
        self._seen: dict[Any, int] = {}
        self._new: set[tuple[str, str]] = set()
        self._names: dict[int, str] = {}  # volunteer id -> name as the file gives it

    def normalise(self, row: _Row) -> dict[str, Any]:
        rec: dict[str, Any] = {}
        served = row.take("served_on", self._memo("date", parse_date, row.raw("served_on")))
        row.require("served_on", served, "服务日期为空，请填写。")
        if served is not None and served > self.today:
            row.error("served_on", f"服务日期 {served.isoformat()} 晚于今天，请核对。")
        elif served is not None:
            rec["served_on"] = served
        name = row.take("name", self._memo("name", normalize_name, row.raw("name")))
        row.require("name", name, "志愿者姓名为空，请填写。")
        id_number = self._id(row) if row.has("id_number") else None
        phone = row.take("phone", validate_phone(row.raw("phone"))) if row.has("phone") else None
        number = _compact(row.text("registration_no"))
        volunteer = self._volunteer(row, name, id_number, phone, number)
        if volunteer is not None:
            rec["volunteer_id"] = volunteer
            if name is not None:
                self._names.setdefault(volunteer, name)
        activity = row.text("activity")
        row.require("activity", activity, "服务内容为空，请填写。")
        if activity is not None:
            rec["activity"] = activity.replace("\n", " ")
        minutes = row.take("hours", self._memo("hours", parse_hours, row.raw("hours")))
        row.require("hours", minutes, "服务时长为空，请填写小时数。")
        if minutes is not None:
            rec["minutes"] = minutes
        for name_, table, what in (("team", self.teams, "服务队"), ("project", self.projects, "服务项目")):
            text = row.text(name_)
            if text is None:
                continue
            known = table.get(_key(text))
            if known is None and (name_, _key(text)) not in self._new:
                self._new.add((name_, _key(text)))
                row.warn(name_, f"{what}「{text}」还没有，导入时将新建。")
            rec[f"{name_}_name"] = known or text
        if not row.has_errors:
            key = (rec.get("volunteer_id"), rec.get("served_on"), rec.get("activity"), rec.get("minutes"),
                   rec.get("team_name"), rec.get("project_name"))
            first = self._seen.get(key)
            if first is None:
                self._seen[key] = row.row
            else:
                row.warn(None, f"与第 {first} 行完全相同，将作为同一天的两次服务分别记录。请确认不是重复填写。")
        return rec

    def finish(self, rows: list[SourceRow]) -> Iterator[tuple[int, int, str]]:
        """24 hours a person a day, counting the stored records and the file's rows: the
        row that would pass the limit (in the file's order) is an error on its hours.
        Rows already stored (that an import counts as unchanged) are not counted twice."""
        yield len(rows), len(rows), "正在核对每人每天的服务时长…"
        candidates = [r for r in rows if not r.has_errors]
        if not candidates:
            return
        actions = import_service.classify(self.kind, [r.record for r in candidates])
        self.planned = {id(r.record): action for r, action in zip(candidates, actions)}
        new = [r for r, action in zip(candidates, actions) if action == import_service.INSERT]
        entries = [(r.record["volunteer_id"], r.record["served_on"], r.record["minutes"]) for r in new]
        over = volunteers.over_day_limit(entries)
        if not over:
            return
        adding: Counter = Counter()
        for vid, day, minutes in entries:
            adding[(vid, day)] += minutes
        running = {(vid, day): total - adding[(vid, day)] for vid, day, total in over}  # stored minutes
        limit = volunteers.DAY_LIMIT_MINUTES
        for r in new:
            key = (r.record["volunteer_id"], r.record["served_on"])
            if key not in running:
                continue
            minutes = r.record["minutes"]
            if running[key] + minutes <= limit:
                running[key] += minutes
                continue
            name = self._names.get(key[0], "该志愿者")
            self.add_problem(r, ERROR, ("hours",), (
                f"{name} 在 {key[1].isoformat()} 已登记 {volunteers.hours_text(running[key])} 小时"
                f"（含已保存的记录和本表前面的行），再加 {volunteers.hours_text(minutes)} 小时就超过一天 24 小时，"
                "请核对。"))

    def _volunteer(self, row: _Row, name, id_number, phone, number) -> int | None:
        if id_number is not None:
            found = self.by_id.get(id_number)
            if found is None:
                row.error("id_number", "志愿者名单中没有这个身份证号，请先导入志愿者名单。")
            return found
        if number is not None and number in self.by_number:
            return self.by_number[number]
        if name is None:
            return None
        if phone is not None:
            found = self.by_name_phone.get((name, phone), [])
            if len(found) == 1:
                return found[0]
        found = self.by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if not found:
            row.error("name", f"志愿者名单中没有「{name}」，请先导入志愿者名单，或核对姓名。")
        else:
            row.error("name", f"有 {len(found)} 位名叫「{name}」的志愿者，请填写身份证号或联系电话以便区分。")
        return None


# ---------------------------------------------------------------- star-rating scores


CRITERION_FIELD = "criterion:"


class RatingHeaderIndex(HeaderIndex):
    """The score sheet's headers: the fixed columns of `RATING_COLUMNS`, then one column
    per scoring item of the year's scheme, as `rating.match_score_header` recognises it
    ("1.1", "1.1（10分）", "减1（扣5分）", the item's text with or without its dimension)."""

    def __init__(self, criteria: Sequence[rating.CriterionInfo]):
        super().__init__(RATING_COLUMNS)
        self.criteria = tuple(c for c in criteria if c.kind != "veto")
        self._items = {c.id: Column(f"{CRITERION_FIELD}{c.id}", c.code, (c.item,), kind="number")
                       for c in self.criteria}

    def match(self, raw: object) -> Column | None:
        col = super().match(raw)
        if col is not None:
            return col
        cid = rating.match_score_header(raw, self.criteria)
        return None if cid is None else self._items[cid]


class RatingNormaliser(Normaliser):
    """A community's score sheet for one year and stage (default 社区初评): each row a
    branch and its points per item, through `rating.normalize_score_row`. An empty cell
    leaves the stored score alone."""

    kind = "ratings"
    companion_sheets = frozenset({"评定结果", "评定标准", "星级分布"})

    def __init__(self, today: dt.date | None = None, *, year: int | None = None, stage: str | None = None):
        super().__init__(today)
        if year is None:
            raise UsageError("导入星级评定得分时请指定年度，例如 --year 2026。")
        self.stage = stage or "community"
        if self.stage not in STAGES:
            raise UsageError("评分阶段应为 self（自评）、community（社区初评）或 street（街道审定）。")
        self.year = int(year)
        try:
            sheet = rating.load_sheet(self.year)
        except NotFoundError as exc:
            raise UsageError(exc.message) from exc
        self.round = sheet.round
        self.criteria = sheet.scheme.criteria
        self.rated = frozenset(r.branch_id for r in sheet.rows)
        self.lookup = BranchLookup()
        self._seen: dict[int, tuple[str, int]] = {}

    def header_index(self) -> HeaderIndex:
        return RatingHeaderIndex(self.criteria)

    def unusable(self, layout: SheetLayout) -> str | None:
        if any(col.field.startswith(CRITERION_FIELD) for col in layout.columns.values()):
            return None
        codes = "」「".join([c.code for c in self.criteria if c.kind != "veto"][:3])
        return (f"工作表「{layout.sheet}」有「党支部」列，但没有 {self.year} 年度评定标准中评分项的列"
                f"（列名应为评分项的编号或内容，如「{codes}」）。")

    def file_problem(self) -> str | None:
        if self.round.is_finalized:
            return (f"{self.year} 年度星级评定已定级，不能再导入得分。如确需更改，请由管理员在「星级评定」中"
                    "「重新开放」该年度。")
        return None

    def normalise(self, row: _Row) -> dict[str, Any]:
        points_raw = {int(name[len(CRITERION_FIELD):]): row.raw(name)
                      for name in row.index if name.startswith(CRITERION_FIELD)}
        result = rating.normalize_score_row(row.raw("branch"), points_raw, criteria=self.criteria, lookup=self.lookup,
                                            rated_branch_ids=self.rated, year=self.year)
        for where, problem in result.problems:
            row.add(problem.level, "branch" if where == "branch" else f"{CRITERION_FIELD}{where}", problem.message)
        if result.branch_id is None:
            return {}
        first = self._seen.get(result.branch_id)
        if first is None:
            self._seen[result.branch_id] = (row.sheet, row.row)
        else:
            where = f"第 {first[1]} 行" if first[0] == row.sheet else f"工作表「{first[0]}」第 {first[1]} 行"
            row.error("branch", f"「{result.branch_name}」与{where}重复，一个党支部只能有一行得分。请删除重复的行。")
        return {"branch_id": result.branch_id, "branch_name": result.branch_name, "points": dict(result.points)}


# ---------------------------------------------------------------- ledger entries


_LEDGER_TITLE = re.compile(r"^(.+?)\s*(\d{4})\s*年度?经费台账")
#: Where a problem the ledger service reports about a field shows, in order of preference
#: (the program's own export has one 审批人 column for both approvers).
_LEDGER_COLUMNS_FOR = {
    "amount": ("amount", "expense", "income"),
    "second_approver": ("second_approver", "approver"),
    "reverses": ("reverses_voucher_no", "summary"),
    "reverses_voucher_no": ("reverses_voucher_no", "summary"),
    "entry_date": ("entry_date",),
    "branch": ("branch",),
}


class LedgerNormaliser(Normaliser):
    """A ledger kept in Excel: each row through `ledger.normalize_ledger_row` (totals rows
    are left out), the branch from a 党支部 column or else the sheet (its name, or the
    title "…党支部2026年度经费台账" when the name was shortened). `finish` then writes the
    new rows in a transaction that is always rolled back, one by one in date order
    through the ledger's own rules, so a row that would overdraw the balance or reverse
    a missing voucher is an error on that row before anything is written."""

    kind = "ledger"
    companion_sheets = frozenset({"经费汇总"})

    def __init__(self, today: dt.date | None = None, *, year: int | None = None, stage: str | None = None):
        super().__init__(today)
        if stage is not None:
            raise UsageError("--stage 只用于导入星级评定得分（ratings）。")
        self.year = int(year) if year is not None else None
        self.lookup = BranchLookup()
        self.threshold = ledger.second_approver_threshold()
        self._sheet_branch: dict[str, str] = {}
        self._vouchers: dict[tuple[int, int, int], list[tuple[str, int]]] = {}

    def missing_required(self, columns: tuple[Column, ...], layout: SheetLayout) -> list[Column]:
        missing = super().missing_required(columns, layout)
        present = {col.field for col in layout.columns.values()}
        if not present & {"amount", "income", "expense"}:
            missing.append(Column("amount", "金额」或「收入」「支出"))
        return missing

    def prepare_sheet(self, raw: RawSheet, layout: SheetLayout) -> None:
        name = layout.sheet
        if self.lookup.get(name) is None:  # a sheet name is cut at 31 characters: try the title
            for cells in raw.rows[: layout.header_row - 1]:
                for value in cells:
                    m = _LEDGER_TITLE.match(clean_text(value) or "")
                    if m and self.lookup.get(m.group(1)) is not None:
                        name = m.group(1)
                        break
        self._sheet_branch[layout.sheet] = name

    def normalise(self, row: _Row) -> dict[str, Any] | None:
        cells = {name: row.raw(name) for name in ledger.LEDGER_IMPORT_FIELDS}
        rec, problems = ledger.normalize_ledger_row(cells, today=self.today, threshold_fen=self.threshold,
                                                    default_branch=self._sheet_branch.get(row.sheet, row.sheet))
        if rec.get("skip"):
            return None
        for p in problems:
            self._ledger_problem(row, p.level, p.field, p.message)
        branch_text = rec.get("branch_name")
        if branch_text is not None:
            given = row.text("branch") is not None
            checked = self._memo("branch", self.lookup.resolve, branch_text)
            for p in checked.problems:
                message = p.message if given else f"按工作表名称「{row.sheet}」确定党支部：{p.message}"
                row.add(p.level, "branch" if given else None, message, branch_text)
            if checked.value is not None:
                rec["branch_id"] = checked.value.id
                rec["branch_name"] = checked.value.name
        day = rec.get("entry_date")
        if self.year is not None and day is not None and day.year != self.year:
            row.error("entry_date", f"日期 {day.isoformat()} 不在 {self.year} 年度。请核对日期，或改选年度。")
        rec["amount_field"] = next((name for name in ("amount", "income", "expense")
                                    if clean_text(row.raw(name)) is not None), "amount")
        number = rec.get("source_voucher_no")
        if number and "branch_id" in rec and "year" in rec:
            key = (rec["branch_id"], rec["year"], number)
            earlier = self._vouchers.setdefault(key, [])
            if earlier and not row.has_errors:
                sheet, at = earlier[0]
                where = f"第 {at} 行" if sheet == row.sheet else f"工作表「{sheet}」第 {at} 行"
                row.warn("voucher_no", f"凭证号与{where}相同，导入后将按日期重新编号。")
            earlier.append((row.sheet, row.row))
        return rec

    def _ledger_problem(self, row: _Row, level: str, name: str | None, message: str) -> None:
        for candidate in _LEDGER_COLUMNS_FOR.get(name, (name,)) if name else ():
            if row.has(candidate):
                row.add(level, candidate, message)
                return
        row.add(level, None, message, None)

    def _columns_for(self, rec: dict[str, Any], name: str | None) -> tuple[str | None, ...]:
        if name == "amount":
            return (rec.get("amount_field"),)
        if name is None:
            return ()
        return _LEDGER_COLUMNS_FOR.get(name, (name,))

    def finish(self, rows: list[SourceRow]) -> Iterator[tuple[int, int, str]]:
        # A reversal of a voucher whose own row has errors cannot be imported either.
        failed = {}
        for r in rows:
            rec = r.record
            if r.has_errors and rec.get("source_voucher_no") and "branch_id" in rec and "year" in rec:
                failed.setdefault((rec["branch_id"], rec["year"], rec["source_voucher_no"]), r.row)
        for r in rows:
            rec = r.record
            if r.has_errors or rec.get("kind") != ledger.REVERSAL:
                continue
            at = failed.get((rec["branch_id"], rec["year"], rec.get("reverses_voucher_no")))
            if at is not None:
                self.add_problem(r, ERROR, ("reverses_voucher_no", "summary"),
                                 f"要冲销的第{rec['reverses_voucher_no']}号凭证（第 {at} 行）有错误，不能导入，"
                                 "这一行也不能导入。请先改正那一行。")
        valid = [r for r in rows if not r.has_errors]
        found = yield from import_service.ledger_trial([r.record for r in valid], today=self.today)
        for i, name, message in found:
            self.add_problem(valid[i], ERROR, self._columns_for(valid[i].record, name), message)


def normaliser_for(kind: str, today: dt.date | None = None, **options: Any) -> Normaliser:
    """The normaliser the registry names for `kind` (`wanghu_desk.kinds`), built with the
    kind's options."""
    return kinds.get(kind).make_normaliser(today, options)
