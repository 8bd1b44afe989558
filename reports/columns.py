"""Reading the columns of every roster: canonical header text, synonyms, cell type.

Exports write `Column.header`; imports recognise the header and every synonym after
`normalize_header` (spaces, full-width characters, "*" marks and trailing colons do not
matter, and a note in brackets such as "（必填）" is ignored when the text without it is
known). The tables are declared with their kinds (`wanghu_desk.kinds`): to accept a
new spelling that an office sends, add it to that kind's `COLUMNS` and nowhere else.

`export_only` columns are figures the program computes (党员人数, 累计服务时长 …): an
export writes them, an import recognises and ignores them, so that export → import
round-trips without "unknown column" noise.
"""

from __future__ import annotations

import re
import unicodedata

from wanghu_desk.kinds import branches, groups, ledger, matters, members, ratings, services, volunteers
from wanghu_desk.kinds._base import Column
from wanghu_desk.validation import clean_text

__all__ = [
    "BRANCH_COLUMNS",
    "GROUP_COLUMNS",
    "IGNORED_HEADERS",
    "LEDGER_COLUMNS",
    "MATTER_COLUMNS",
    "MEMBER_COLUMNS",
    "RATING_COLUMNS",
    "SERVICE_COLUMNS",
    "VOLUNTEER_COLUMNS",
    "Column",
    "HeaderIndex",
    "normalize_header",
]

# The column tables live with their kinds (`wanghu_desk.kinds.<kind>.COLUMNS`); these
# names are the same tables, for the readers and writers that name one kind.
MEMBER_COLUMNS = members.COLUMNS
BRANCH_COLUMNS = branches.COLUMNS
GROUP_COLUMNS = groups.COLUMNS
VOLUNTEER_COLUMNS = volunteers.COLUMNS
SERVICE_COLUMNS = services.COLUMNS
#: A community's score sheet (社区初评): see `wanghu_desk.kinds.ratings`.
RATING_COLUMNS = ratings.COLUMNS
#: A ledger kept in Excel (经费台账): see `wanghu_desk.kinds.ledger`.
LEDGER_COLUMNS = ledger.COLUMNS
MATTER_COLUMNS = matters.COLUMNS

#: Headers that are recognised and carry nothing to import: running numbers, and the two
#: columns a problem list (导出问题清单) adds, so that a corrected list imports cleanly.
IGNORED_HEADERS: frozenset[str] = frozenset({"序号", "序", "NO", "NO.", "原行号", "问题说明"})

_MARKS = re.compile(r"[*＊※★☆]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_TRAILING = re.compile(r"[:：;；,，.。、]+$")


def normalize_header(raw: object) -> str | None:
    """The comparison key of a header cell: cleaned, NFKC, no spaces, no "*" marks, no
    trailing colon; "出生日期\\n(格式:1985-07-01)" keeps its bracket here (see `HeaderIndex`)."""
    text = clean_text(raw)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", _MARKS.sub("", text))
    text = _TRAILING.sub("", text)
    return text.upper() or None


def _without_brackets(key: str) -> str:
    return _BRACKETED.sub("", key)


class HeaderIndex:
    """Header text → column, for one roster kind."""

    def __init__(self, columns: tuple[Column, ...]):
        self.columns = columns
        self._index: dict[str, Column] = {}
        for col in columns:
            for name in col.names:
                key = normalize_header(name)
                if key is None:  # pragma: no cover - table error
                    continue
                other = self._index.get(key)
                if other is not None and other is not col:
                    raise ValueError(f"header {name!r} maps to both {other.field} and {col.field}")
                self._index[key] = col
        self._loose: dict[str, Column] = {}
        for key, col in self._index.items():
            self._loose.setdefault(_without_brackets(key), col)

    def match(self, raw: object) -> Column | None:
        key = normalize_header(raw)
        if key is None:
            return None
        col = self._index.get(key)
        if col is None:
            col = self._loose.get(_without_brackets(key))
        return col

    @staticmethod
    def is_ignored(raw: object) -> bool:
        key = normalize_header(raw)
        return key is not None and _without_brackets(key) in IGNORED_HEADERS

    def by_field(self, field: str) -> Column:
        for col in self.columns:
            if col.field == field:
                return col
        raise KeyError(field)
