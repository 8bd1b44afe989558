"""`RosterSearch`: the roster's search box over one filtered list of rows, built once per
list and giving exactly what `members.search_rows` gives, faster.

Why it is faster: the search texts are copied into fresh strings laid out one after the
other in memory (one join and one split), so a scan of 100,000 rows reads memory in
order instead of chasing tuples scattered by the sort; each word is tested by C-level
passes (`map(str.__contains__, …)` with `compress`), no Python frame per row. Results are
remembered per query for the life of the list, so a backspace is a lookup; a query that
only lengthens the last word of a remembered one filters that result instead of the whole
list. Rows are positions into the list, so the result keeps the list's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import itemgetter, or_

from wanghu_desk.services.members import (
    FLAG_LATIN,
    R_FLAGS,
    R_ID,
    R_INITIALS,
    R_TEXT,
    Roster,
    RosterRow,
    _search_tokens,
    member_id_for_id_number,
)

_MEMO_LIMIT = 64


def _fresh_copies(values: list[str]) -> list[str]:
    """The strings as new objects allocated in order (the originals when one holds a line break)."""
    copies = "\n".join(values).split("\n")
    return copies if len(copies) == len(values) else list(values)


class RosterSearch:
    """`search(text)` == `members.search_rows(rows, text, …)` for the `rows` given here."""

    def __init__(self, rows: Sequence[RosterRow]):
        self.rows = list(rows)
        self._texts = _fresh_copies(list(map(itemgetter(R_TEXT), self.rows)))
        self._initials = _fresh_copies(list(map(itemgetter(R_INITIALS), self.rows)))
        self._all = list(range(len(self.rows)))
        flags = map(itemgetter(R_FLAGS), self.rows)
        self._latin = list(compress(self._all, map(int.__and__, flags, repeat(FLAG_LATIN))))
        self._memo: dict[tuple[tuple[str, int | None], ...], list[int]] = {}

    def search(
        self,
        text: str,
        *,
        roster: Roster | None = None,
        id_lookup: Callable[[str], int | None] | None = member_id_for_id_number,
    ) -> list[RosterRow]:
        words = []
        for token in _search_tokens(text):
            exact_id = None
            if roster is not None and not roster.ids_visible and len(token) >= 15 and id_lookup is not None:
                exact_id = id_lookup(token)  # a whole ID typed by an account that sees masked ones
            words.append((token, exact_id))
        if not words:
            return list(self.rows)
        return list(map(self.rows.__getitem__, self._positions(tuple(words))))

    def _positions(self, words: tuple[tuple[str, int | None], ...]) -> list[int]:
        found = self._memo.get(words)
        if found is not None:
            return found
        start, done = self._all, 0
        for k in range(len(words) - 1, 0, -1):  # the longest remembered run of leading words
            kept = self._memo.get(words[:k])
            if kept is not None:
                start, done = kept, k
                break
        last, exact = words[-1]
        if done == len(words) - 1 and exact is None:
            # the same leading words, the last one typed further: filter that result
            for (prev, prev_exact), kept in self._shorter_last(words[:-1]):
                if prev_exact is None and last.startswith(prev) and _is_letters(prev) == _is_letters(last):
                    start, done = kept, len(words) - 1
                    break
        if len(words) == 1 and start is not self._all and len(start) * 2 > len(self._all):
            # most rows still in: a fresh pass over the whole list (its texts lie in order
            # in memory) is faster than looking up each kept position's text
            start, done = self._all, 0
        positions = start
        for token, exact_id in words[done:]:
            positions = self._match(positions, token, exact_id)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.pop(next(iter(self._memo)))
        self._memo[words] = positions
        return positions

    def _shorter_last(self, lead: tuple[tuple[str, int | None], ...]):
        """Remembered queries with these leading words and one more, longest last word first."""
        n = len(lead) + 1
        found = [(key[-1], kept) for key, kept in self._memo.items() if len(key) == n and key[:-1] == lead]
        found.sort(key=lambda item: -len(item[0][0]))
        return found

    def _match(self, within: list[int], token: str, exact_id: int | None) -> list[int]:
        """The positions of `within` one word matches (`members._match_token`'s rules)."""
        texts = self._texts
        whole = within is self._all
        if exact_id is not None:
            rows = self.rows
            return [p for p in within if rows[p][R_ID] == exact_id or token in texts[p]]
        if _is_letters(token):
            initials = self._initials if whole else map(self._initials.__getitem__, within)
            hits = map(str.startswith, initials, repeat(token))
            latin = {p for p in self._latin if token in texts[p]}
            if latin:
                hits = map(or_, hits, map(latin.__contains__, within))
            return list(compress(within, hits))
        part = texts if whole else map(texts.__getitem__, within)
        return list(compress(within, map(str.__contains__, part, repeat(token))))


def _is_letters(token: str) -> bool:
    return token.isascii() and token.isalpha()
