"""Pinyin initials of names, for search boxes: 张三 → "zs", 阿不都·热合曼 → "abdrhm"."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

_SEPARATORS = "·•・.． \u00a0\u3000-"

#: Surnames read differently from the everyday character (曾 zēng, 单 shàn …).
SURNAME_INITIALS = {
    "曾": "z", "单": "s", "解": "x", "仇": "q", "查": "z", "区": "o", "覃": "q",
    "乐": "y", "翟": "z", "尉": "y", "种": "c", "召": "s", "朴": "p", "盖": "g",
}  # fmt: skip


def initials(name: str | None) -> str:
    """Lowercase pinyin initials of the Chinese characters in `name`.

    The name separator "·" (and its look-alikes), spaces and hyphens are dropped;
    Latin letters and digits are kept, lowercased: "李Anna" → "lanna". The first
    character of a Han name is read as a surname (曾小贤 → "zxx").
    """
    if not name:
        return ""
    text = "".join(ch for ch in name.strip() if ch not in _SEPARATORS)
    if not text:
        return ""
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    out = "".join(ch for ch in "".join(parts).lower() if ch.isascii() and ch.isalnum())
    if "·" not in name and text[0] in SURNAME_INITIALS and out:
        out = SURNAME_INITIALS[text[0]] + out[1:]
    return out
