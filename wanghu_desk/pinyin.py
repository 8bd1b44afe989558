"""Pinyin initials of names, for search boxes: 张三 → "zs", 阿不都·热合曼 → "abdrhm".

Speed: pypinyin costs about 0.1 ms a name, which adds up in a 50,000-row import. pypinyin
splits a name into runs of Han and non-Han characters, cuts each Han run into the words of
its phrase dictionary (``PHRASES_DICT``) and single characters, and reads every single
character on its own, independent of its neighbours. So when no two or more consecutive
characters of a name form a dictionary word, the initials are the concatenation of
per-character initials, which are looked up once and remembered (`_char_initial`). A name
that contains a dictionary word (e.g. 长 in a word read zhǎng rather than cháng) keeps
pypinyin's phrase-aware reading (`_initials_full`, whose results are cached per name).
tests/test_pinyin.py checks that both ways give the same result.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

# pypinyin (its phrase dictionary is a 2.5 MB JSON file, about 0.3 s to read) is imported
# when first needed (`load`), or ahead of time on a worker thread once the window shows
# (`warm_up`), so neither the window nor a command that needs no reading waits for it.
lazy_pinyin: Any = None
Style: Any = None
PHRASES_DICT: Any = None
_load_lock = threading.Lock()


def load() -> None:
    """Import pypinyin and its dictionaries (once; safe from any thread)."""
    global lazy_pinyin, Style, PHRASES_DICT
    if PHRASES_DICT is not None:
        return
    with _load_lock:
        if PHRASES_DICT is None:
            from pypinyin import Style as style
            from pypinyin import lazy_pinyin as convert
            from pypinyin.constants import PHRASES_DICT as phrases

            lazy_pinyin, Style, PHRASES_DICT = convert, style, phrases


def warm_up() -> threading.Thread:
    """Load pypinyin on a daemon thread (the window calls it once it is shown)."""
    thread = threading.Thread(target=load, name="pinyin-warm-up", daemon=True)
    thread.start()
    return thread

_SEPARATORS = "·•・.． \u00a0\u3000-"
_DROP_SEPARATORS = dict.fromkeys(map(ord, _SEPARATORS))

#: Surnames read differently from the everyday character (曾 zēng, 单 shàn …).
SURNAME_INITIALS = {
    "曾": "z", "单": "s", "解": "x", "仇": "q", "查": "z", "区": "o", "覃": "q",
    "乐": "y", "翟": "z", "尉": "y", "种": "c", "召": "s", "朴": "p", "盖": "g",
}  # fmt: skip

#: Names longer than this (after dropping separators) always take the full path.
_FAST_MAX_LENGTH = 32

_char_initials: dict[str, str] = {}


def _letters(parts: list[str]) -> str:
    """pypinyin's output reduced to lowercase ASCII letters and digits."""
    return "".join(ch for ch in "".join(parts).lower() if ch.isascii() and ch.isalnum())


def _char_initial(ch: str) -> str:
    """The initials of one character on its own (pypinyin's reading, remembered)."""
    found = _char_initials.get(ch)
    if found is None:
        load()
        found = _char_initials[ch] = _letters(lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="default"))
    return found


def _has_phrase(text: str) -> bool:
    """True when two or more consecutive characters of `text` are a pypinyin dictionary word."""
    if PHRASES_DICT is None:
        load()
    n = len(text)
    if n == 2:
        return text in PHRASES_DICT
    if n == 3:
        return text[:2] in PHRASES_DICT or text[1:] in PHRASES_DICT or text in PHRASES_DICT
    for i in range(n - 1):
        for j in range(i + 2, n + 1):
            if text[i:j] in PHRASES_DICT:
                return True
    return False


def _with_surname(name: str, text: str, out: str) -> str:
    if "·" not in name and text[0] in SURNAME_INITIALS and out:
        out = SURNAME_INITIALS[text[0]] + out[1:]
    return out


def initials(name: str | None) -> str:
    """Lowercase pinyin initials of the Chinese characters in `name`.

    The name separator "·" (and its look-alikes), spaces and hyphens are dropped;
    Latin letters and digits are kept, lowercased: "李Anna" → "lanna". The first
    character of a Han name is read as a surname (曾小贤 → "zxx").
    """
    if not name:
        return ""
    text = name.strip().translate(_DROP_SEPARATORS)
    if not text:
        return ""
    if len(text) > _FAST_MAX_LENGTH or _has_phrase(text):
        return _initials_cached(name)
    try:
        out = "".join(map(_char_initials.__getitem__, text))
    except KeyError:
        out = "".join([_char_initial(ch) for ch in text])
    return _with_surname(name, text, out)


def _initials_full(name: str | None) -> str:
    """`initials` computed by pypinyin on the whole name (no per-character table)."""
    if not name:
        return ""
    text = "".join(ch for ch in name.strip() if ch not in _SEPARATORS)
    if not text:
        return ""
    load()
    out = _letters(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    return _with_surname(name, text, out)


_initials_cached = lru_cache(maxsize=8192)(_initials_full)
