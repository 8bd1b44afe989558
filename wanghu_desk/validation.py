"""Validation and normalisation of single field values (pure functions, stdlib only).

This module owns the rules for the values that clerks type or import (SPEC §3, §7):

* cleaning of raw cell text (stray full-width / non-breaking / zero-width spaces,
  full-width digits and letters, "无" / "—" / "/" meaning empty);
* 公民身份号码 (GB 11643-1999, ISO 7064 MOD 11-2), including IDs mangled by Excel
  and old 15-digit IDs;
* phone numbers (mobile and landline);
* dates in the many shapes found in office spreadsheets, including Excel serials;
* person names;
* gender / birth date derived from or checked against the ID number;
* the due date of 转正 for 预备党员, and the member rules of the party constitution
  (入党 at 18 or older, 转正 not before the probation ends, 延长预备期 at most one year):
  ``member_rule_errors``, shared by the member form and the Excel importer.

It knows nothing of Qt, the database or files. Every function returns a ``Checked``
value (the normalised value plus zero or more ``Problem``s) or a plain value; none of
them raises on bad user input. Messages are short Simplified Chinese that say what to do.

Convention: when a value has an error, ``Checked.value`` is ``None``; with only warnings,
it holds the normalised value.

Speed: an import checks tens of thousands of rows, so ``clean_text``, ``validate_id_number``,
``validate_phone``, ``normalize_name`` and ``parse_date`` first try a fast path for the
common, already-clean value (a plain 18-character ID, an 11-digit mobile, a short Chinese
name, a date object …) that returns exactly what the full check would, and otherwise hand
over to the full check (``_clean_text_full``, ``_validate_id_number_full`` …, kept callable
so that tests can compare the two: tests/test_validation.py).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Generic, TypeVar

__all__ = [
    "EMPTY_MARKERS",
    "ERROR",
    "PROVINCE_CODES",
    "WARNING",
    "Checked",
    "Problem",
    "birth_date_from_id",
    "clean_text",
    "derive_or_check_birth",
    "derive_or_check_gender",
    "eighteenth_birthday",
    "gender_from_id",
    "id_check_char",
    "is_empty",
    "mask_id_number",
    "mask_personal_numbers",
    "mask_phone",
    "member_rule_errors",
    "normalize_gender",
    "normalize_name",
    "parse_date",
    "probation_due",
    "probation_due_date",
    "probation_extension_limit",
    "validate_id_number",
    "validate_phone",
]

T = TypeVar("T")

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about one value: ``level`` is ``"error"`` or ``"warning"``."""

    level: str
    message: str


@dataclass(frozen=True)
class Checked(Generic[T]):
    """A normalised value (``None`` when empty or unusable) and what was found about it."""

    value: T | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is no error-level problem (warnings are allowed)."""
        return not self.errors

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == WARNING)


def _error(message: str) -> Checked[Any]:
    return Checked(None, (Problem(ERROR, message),))


def _warn(message: str) -> Problem:
    return Problem(WARNING, message)


# ---------------------------------------------------------------------------
# Text cleaning
# ---------------------------------------------------------------------------

EMPTY_MARKERS: frozenset[str] = frozenset(
    {
        "无", "无。", "暂无", "空", "没有", "未填", "不详",
        "-", "--", "---", "/", "//", "\\",
        "—", "——", "–", "－", "／", "─", "…", "……", "...",
        "N/A", "n/a", "N/a", "NA", "#N/A",
        "null", "NULL", "Null", "None", "none", "nan", "NaN", "NAN",
    }
)  # fmt: skip

# Invisible characters that sneak in from web pages and Word: removed everywhere.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

# Full-width punctuation that belongs in Chinese prose and is kept as is by clean_text.
_KEEP_FULLWIDTH = set("，：；！？（）")
_FULLWIDTH_TO_ASCII = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH}

_WHITESPACE_RUN = re.compile(r"\s+")


def _collapse(match: re.Match[str]) -> str:
    run = match.group(0)
    return "\n" if ("\n" in run or "\r" in run or "\u2028" in run or "\u2029" in run) else " "


def _number_text(raw: float) -> str:
    if math.isfinite(raw) and raw == int(raw) and abs(raw) < 1e15:
        return str(int(raw))
    return repr(raw)


# Anything `_clean_text_full` could change in a str: zero-width characters, full-width forms,
# whitespace other than a single inner space (leading/trailing spaces are checked apart).
_NEEDS_CLEANING = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\uff01-\uff5e]|[^\S ]|  ")


def clean_text(raw: object) -> str | None:
    """Clean one cell value; ``None`` for empty cells and for markers such as "无", "—", "/".

    Full-width digits, letters and most punctuation become ASCII (the Chinese prose marks
    ，：；！？（） are kept); ordinary, full-width, non-breaking and zero-width spaces are
    stripped at both ends; internal runs of whitespace become one space (one line break
    when the run contains a line break). Integral floats (as spreadsheet readers return
    them) are written without ".0". The result is stable: ``clean_text(clean_text(x))``
    equals ``clean_text(x)``.
    """
    # Fast path: a str that cleaning would leave as it is (most cells).
    if type(raw) is str and raw and raw[0] != " " and raw[-1] != " " and not _NEEDS_CLEANING.search(raw):
        return None if raw in EMPTY_MARKERS else raw
    return _clean_text_full(raw)


def _clean_text_full(raw: object) -> str | None:
    """`clean_text` without its fast path."""
    if raw is None:
        return None
    if isinstance(raw, float):
        if math.isnan(raw):
            return None
        text = _number_text(raw)
    elif isinstance(raw, str):
        text = raw
    elif isinstance(raw, bytes):
        text = raw.decode("utf-8", errors="replace")
    else:
        text = str(raw)
    text = text.translate(_ZERO_WIDTH).translate(_FULLWIDTH_TO_ASCII)
    text = _WHITESPACE_RUN.sub(_collapse, text).strip()
    if not text or text in EMPTY_MARKERS:
        return None
    return text


def is_empty(raw: object) -> bool:
    """True when the cell means "nothing": blank, spaces only, or an empty marker."""
    return clean_text(raw) is None


def _ascii_compact(raw: object) -> str | None:
    """Cleaned text with NFKC applied and all whitespace removed (for codes and numbers)."""
    text = clean_text(raw)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    text = _WHITESPACE_RUN.sub("", text)
    return text or None


# ---------------------------------------------------------------------------
# ID numbers (GB 11643-1999)
# ---------------------------------------------------------------------------

PROVINCE_CODES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西",
    "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门",
    # 台湾居民居住证 numbers start with 83 (GB 11643 layout, valid check character).
    "83": "台湾（居住证）",
}  # fmt: skip

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_MAP = "10X98765432"

MSG_ID_EXCEL_NUMBER = "身份证号被 Excel 存成了数字，末几位已丢失。请把该列设为「文本」格式后重新填写。"
MSG_ID_EXCEL_ZEROS = (
    "校验码错误：号码末尾是 000，多半是被 Excel 存成了数字，末几位已丢失。请把该列设为「文本」格式后重新填写。"
)
MSG_ID_CHECKSUM = "校验码错误：号码中有数字抄错或顺序颠倒，请对照身份证逐位核对。"
MSG_ID_CHARS = "身份证号只能由数字组成，最后一位可以是 X，请核对。"

_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?E[+-]?\d+$")
_DECIMAL = re.compile(r"^(\d+)\.(\d+)$")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits.

    Raises ``ValueError`` when ``first17`` is not exactly 17 ASCII digits.
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK_MAP[total % 11]


def _birth_problem(digits8: str, today: date) -> str | None:
    shown = f"{digits8[:4]}-{digits8[4:6]}-{digits8[6:8]}"
    try:
        born = date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return f"出生日期无效：号码中的「{digits8}」不是真实的日期，请核对。"
    if born.year < 1900:
        return f"出生日期无效：{shown} 早于 1900 年，请核对。"
    if born > today:
        return f"出生日期无效：{shown} 晚于今天，请核对。"
    return None


def _province_problem(code: str) -> str | None:
    if code in PROVINCE_CODES:
        return None
    return f"地区码无效：开头两位「{code}」不是任何省份的代码，请核对。"


def _length_error(n: int) -> Checked[str]:
    return _error(f"位数不对：应为 18 位，现在是 {n} 位。请对照身份证核对。")


def _validate_id15(digits: str, today: date) -> Checked[str]:
    found = (_province_problem(digits[:2]), _birth_problem("19" + digits[6:12], today))
    problems = [p for p in found if p]
    if problems:
        return Checked(None, tuple(Problem(ERROR, m) for m in problems))
    first17 = digits[:6] + "19" + digits[6:]
    upgraded = first17 + id_check_char(first17)
    return Checked(
        upgraded,
        # the message names the number masked: messages reach tables, problem lists and logs
        (_warn(f"15 位老身份证号已自动升级为 18 位（出生年份补「19」，末位校验码 {upgraded[-1]}）："
               f"{mask_id_number(upgraded)}，请核对。"),),
    )


_CLEAN_ID18 = re.compile(r"[0-9]{17}[0-9Xx]")
# The weights are 2**(17 - i) mod 11, and 13 = 2 (mod 11): so the weighted sum is congruent
# to 2 * int(first17, 13) mod 11, which the C parser of int() computes in one call
# (tests/test_validation.py checks both facts).


@lru_cache(maxsize=65536)
def _birth_date_or_none(digits8: str) -> date | None:
    """The date written as "YYYYMMDD" (8 ASCII digits), ``None`` when there is no such day."""
    try:
        return date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return None


def validate_id_number(raw: object, *, today: date | None = None) -> Checked[str]:
    """Check and normalise a 公民身份号码 (GB 11643-1999).

    Accepts str, int or float. Full-width characters become ASCII, all spaces are
    removed, a lowercase ``x`` becomes ``X``. A 15-digit old ID is upgraded to 18 with a
    warning. A number (or a number written in scientific notation) with more than 15
    digits was stored by Excel as a number and has lost its last digits: an error.
    Empty input gives ``Checked(None)`` with no problem.
    """
    # Fast path: a valid ID written as 18 plain ASCII characters (nothing to clean); any
    # other input, and any problem, goes to the full check for its messages.
    if type(raw) is str and len(raw) == 18 and _CLEAN_ID18.fullmatch(raw) and raw[:2] in PROVINCE_CODES:
        born = _birth_date_or_none(raw[6:14])
        if born is not None and born.year >= 1900 and born <= (today or date.today()):
            text = raw if raw[17] != "x" else raw[:17] + "X"
            if _ID_CHECK_MAP[2 * int(text[:17], 13) % 11] == text[17]:
                return Checked(text)
    return _validate_id_number_full(raw, today=today)


def _validate_id_number_full(raw: object, *, today: date | None = None) -> Checked[str]:
    """`validate_id_number` without its fast path."""
    today = today or date.today()
    if isinstance(raw, bool):
        return _error(MSG_ID_CHARS)
    if isinstance(raw, float) and math.isnan(raw):
        return Checked(None)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and (not math.isfinite(raw) or raw != int(raw)):
            return _error(MSG_ID_EXCEL_NUMBER)
        number = abs(int(raw))
        n = len(str(number))
        if n == 15:
            return _validate_id15(str(number), today)
        if n > 15:
            return _error(MSG_ID_EXCEL_NUMBER)
        return _length_error(n)

    text = _ascii_compact(raw)
    if text is None:
        return Checked(None)
    text = text.upper()
    if _SCIENTIFIC.match(text):
        return _error(MSG_ID_EXCEL_NUMBER)
    decimal = _DECIMAL.match(text)
    if decimal:
        # "340104198507011000.0": a number turned into text by some program.
        whole, frac = decimal.groups()
        if frac.strip("0") or len(whole) > 15:
            return _error(MSG_ID_EXCEL_NUMBER)
        text = whole

    n = len(text)
    if n == 15 and text.isascii() and text.isdigit():
        return _validate_id15(text, today)
    if n != 18:
        if not re.fullmatch(r"[0-9X]*", text):
            return _error(MSG_ID_CHARS)
        return _length_error(n)
    if not re.fullmatch(r"[0-9]{17}[0-9X]", text):
        return _error(MSG_ID_CHARS)

    messages = [m for m in (_province_problem(text[:2]), _birth_problem(text[6:14], today)) if m]
    if id_check_char(text[:17]) != text[17]:
        messages.append(MSG_ID_EXCEL_ZEROS if text.endswith("000") else MSG_ID_CHECKSUM)
    if messages:
        return Checked(None, tuple(Problem(ERROR, m) for m in messages))
    return Checked(text)


def birth_date_from_id(id18: str) -> date:
    """The birth date in a (valid) 18-character ID. Raises ``ValueError`` if there is none."""
    if type(id18) is str:  # fast path: eight ASCII digits, a day remembered by the cache
        digits8 = id18[6:14]
        if len(digits8) == 8 and digits8.isascii() and digits8.isdigit():
            born = _birth_date_or_none(digits8)
            if born is not None:
                return born
    return date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))


def gender_from_id(id18: str) -> str:
    """ "男" when the 17th digit is odd, else "女". Raises ``ValueError`` on a non-digit."""
    return "男" if int(id18[16]) % 2 == 1 else "女"


def mask_id_number(id18: str | None) -> str:
    """Masked ID for non-admin views: "340104********1234"; ``None`` or "" gives ""."""
    if not id18:
        return ""
    text = str(id18)
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_phone(phone: str | None) -> str:
    """A phone as masked text shows it: 139****5678, 0551-****9666; "" for none."""
    if not phone:
        return ""
    text = str(phone)
    match = re.fullmatch(r"(0\d{2,3}-)(\d{3,4})(\d{4})(-\d+)?", text)
    if match:
        return match.group(1) + "*" * len(match.group(2)) + match.group(3) + (match.group(4) or "")
    if len(text) >= 11:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if len(text) > 4:
        return "*" * (len(text) - 4) + text[-4:]
    return "*" * len(text)


# An ID number (18 characters, the last a digit or X; also the old 15-digit ones and
# runs of 16-19 digits, a mistyped ID is still someone's ID), a mainland mobile (with or
# without +86) and a landline with its area code, each standing alone (no digit either side).
_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{14,18}[0-9Xx](?![0-9])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(\+?86[- ]?)?(1[3-9][0-9]{9})(?![0-9])")
_LANDLINE_IN_TEXT = re.compile(r"(?<![0-9])0[0-9]{2,3}-[0-9]{7,8}(?![0-9])")


def _mask_id_match(match: re.Match[str]) -> str:
    return mask_id_number(match.group(0))


def _mask_mobile_match(match: re.Match[str]) -> str:
    return (match.group(1) or "") + mask_phone(match.group(2))


def _mask_landline_match(match: re.Match[str]) -> str:
    return mask_phone(match.group(0))


def mask_personal_numbers(text: str) -> str:
    """`text` with every ID number and phone number in it masked (for logs and crash
    reports): "340104198507011234" → "340104********1234", "13912345678" → "139****5678"."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _ID_IN_TEXT.sub(_mask_id_match, text)
    text = _MOBILE_IN_TEXT.sub(_mask_mobile_match, text)
    return _LANDLINE_IN_TEXT.sub(_mask_landline_match, text)


# ---------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------

_COUNTRY_PREFIX = re.compile(r"^\(?(?:\+|00)86\)?-?")
_EXTENSION = re.compile(r"(?:转|分机|EXT\.?|X|#)-?(\d{1,6})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[/、,;\s]|或|和")
_PHONE_EXAMPLE = "手机号写 11 位，座机写成 0551-65179666"


def _mobile_problem(digits: str) -> str | None:
    if len(digits) != 11:
        return f"手机号应为 11 位，现在是 {len(digits)} 位，请核对。"
    if digits[1] not in "3456789":
        return f"手机号第二位应为 3–9，现在是「{digits[1]}」，请核对。"
    return None


def _landline(area: str, number: str, ext: str | None) -> Checked[str]:
    if len(area) < 3 or not number:
        return _error(f"座机号码不完整，请核对（{_PHONE_EXAMPLE}）。")
    expected = 3 if area[1] in "12" else 4
    if len(area) != expected:
        return _error(f"区号「{area}」不对：应为 {expected} 位，请核对。")
    if not 7 <= len(number) <= 8:
        return _error(f"座机号码（不含区号）应为 7–8 位，现在是 {len(number)} 位，请核对。")
    if number[0] == "0":
        return _error(f"座机号码「{number}」不应以 0 开头（区号只写一次），请核对。")
    value = f"{area}-{number}" + (f"-{ext}" if ext else "")
    return Checked(value)


# A landline already in the normalised form: 3-digit area codes are 01x / 02x, the others
# have 4 digits; the local number has 7–8 digits and does not start with 0.
_CLEAN_LANDLINE = re.compile(r"(?:0[12][0-9]|0[3-9][0-9][0-9])-[1-9][0-9]{6,7}")


def validate_phone(raw: object) -> Checked[str]:
    """Check and normalise a phone number.

    Mobiles become 11 digits ("+86 138-0000-0000" -> "13800000000"); landlines become
    "0551-65179666" (with "-分机号" when given). A 7–8 digit number without area code is
    kept with a warning. Empty input gives ``Checked(None)`` with no problem.
    """
    # Fast paths for values already in normalised form: an 11-digit mobile (text, or a
    # number from a numeric cell) and a "0551-65179666" landline.
    kind = type(raw)
    if kind is str:
        n = len(raw)
        if n == 11 and raw[0] == "1":
            if raw[1] in "3456789" and raw.isascii() and raw.isdigit():
                return Checked(raw)
        elif 11 <= n <= 13 and raw[0] == "0" and _CLEAN_LANDLINE.fullmatch(raw):
            return Checked(raw)
    elif kind is int:
        if 13_000_000_000 <= raw <= 19_999_999_999:
            return Checked(str(raw))
    elif kind is float and 13_000_000_000.0 <= raw < 20_000_000_000.0 and raw.is_integer():
        return Checked(str(int(raw)))
    return _validate_phone_full(raw)


def _validate_phone_full(raw: object) -> Checked[str]:
    """`validate_phone` without its fast paths."""
    from_number = False
    if isinstance(raw, bool):
        return _error(f"看不懂的电话号码，请重新填写（{_PHONE_EXAMPLE}）。")
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and math.isnan(raw):
            return Checked(None)
        if isinstance(raw, float) and (not math.isfinite(raw) or raw != int(raw)):
            return _error(f"看不懂的电话号码「{raw}」，请把该列设为「文本」格式后重新填写。")
        from_number = True
        raw = str(abs(int(raw)))

    shown = clean_text(raw)
    if shown is None:
        return Checked(None)
    parts = _SEPARATORS.split(unicodedata.normalize("NFKC", shown))
    if sum(len(re.sub(r"\D", "", part)) >= 7 for part in parts) >= 2:
        return _error("一格只能填一个电话号码，其余号码请写到备注里。")

    text = _COUNTRY_PREFIX.sub("", _ascii_compact(shown) or "")
    ext = None
    m = _EXTENSION.search(text)
    if m and re.search(r"\d", text[: m.start()]):
        ext = m.group(1)
        text = text[: m.start()].rstrip("-")
    if re.search(r"[^0-9()\-—–./]", text):
        return _error(f"看不懂的电话号码「{shown}」，请重新填写（{_PHONE_EXAMPLE}）。")
    tokens = re.findall(r"[0-9]+", text)
    digits = "".join(tokens)
    if not digits:
        return _error(f"看不懂的电话号码「{shown}」，请重新填写（{_PHONE_EXAMPLE}）。")
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
        tokens = [digits]

    if digits[0] == "1":
        if len(tokens) > 1 and all(len(t) == 11 and t[0] == "1" for t in tokens):
            return _error("一格只能填一个电话号码，其余号码请写到备注里。")
        problem = _mobile_problem(digits)
        if problem:
            return _error(problem)
        if ext:
            return _error("手机号没有分机号，请核对。")
        return Checked(digits)

    if digits[0] == "0":
        if len(tokens) >= 2 and 3 <= len(tokens[0]) <= 4:
            area, rest = tokens[0], tokens[1:]
            if ext is None and len(rest) == 2 and 7 <= len(rest[0]) <= 8 and len(rest[1]) <= 6:
                return _landline(area, rest[0], rest[1])
            return _landline(area, "".join(rest), ext)
        if len(tokens) >= 2:
            return _error(f"区号「{tokens[0]}」不对，请核对（座机写成 0551-65179666）。")
        area_len = 3 if digits[1:2] in ("1", "2") else 4
        return _landline(digits[:area_len], digits[area_len:], ext)

    if from_number and 9 <= len(digits) <= 11:
        return _error(
            "电话号码开头的 0 被 Excel 去掉了。请把该列设为「文本」格式后重新填写（座机写成 0551-65179666）。"
        )
    number = digits
    if ext is None and len(tokens) == 2 and 7 <= len(tokens[0]) <= 8 and len(tokens[1]) <= 6:
        number, ext = tokens
    if 7 <= len(number) <= 8:
        value = number + (f"-{ext}" if ext else "")
        return Checked(value, (_warn("座机号码缺少区号，请补上区号，如 0551-65179666。"),))
    return _error(f"看不懂的电话号码「{shown}」，请重新填写（{_PHONE_EXAMPLE}）。")


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 = 1900-03-01 (Excel's 1900 leap-year bug)
_MAX_SERIAL = 80000
_DATE_EXAMPLE = "请写成 1985-07-01"

_FULL_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_TIME_OF_DAY = re.compile(r"(?<=\d)[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})[日号]?)?$")
_MONTH_DASH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_MONTH_DOT = re.compile(r"^(\d{4})\.(\d{1,2})$")
_YEAR_ONLY = re.compile(r"^(\d{4})年?$")


def _make_date(year: int, month: int, day: int, shown: str) -> Checked[date]:
    try:
        value = date(year, month, day)
    except ValueError:
        return _error(f"日期不存在：{shown}，请核对。")
    if value.year < 1900:
        return _error(f"日期早于 1900 年：{shown}，请核对。")
    return Checked(value)


def _from_serial(serial: int) -> Checked[date]:
    if serial == 60:
        return _error("日期不存在：1900-02-29（Excel 的假日期），请核对。")
    if serial < 60:
        return Checked(date(1899, 12, 31) + timedelta(days=serial))
    return Checked(_EXCEL_EPOCH + timedelta(days=serial))


def _year_month(year: int, month_text: str, shown: str) -> Checked[date]:
    month = int(month_text)
    result = _make_date(year, month, 1, f"{year}-{month_text}" if month > 12 else shown)
    if result.ok and month_text == "1":
        return Checked(
            result.value,
            (
                _warn(
                    f"「{shown}」按 {year} 年 1 月处理；可能是 {year} 年 10 月被 Excel 当成数字丢了末尾的 0，请核对。"
                ),
            ),
        )
    return result


def _from_number(raw: float, shown: str) -> Checked[date]:
    if not math.isfinite(raw) or raw < 0:
        return _error(f"看不懂的日期：{shown}，{_DATE_EXAMPLE}。")
    whole = int(raw)
    if raw != whole and 1900 <= whole <= 2100:
        # 1985.07 typed into a number cell: year.month, with the shortest decimal form.
        decimal = _DECIMAL.match(repr(float(raw)))
        if decimal and len(decimal.group(2)) <= 2:
            return _year_month(whole, decimal.group(2), repr(float(raw)))
        return _error(f"看不懂的日期：{shown}，{_DATE_EXAMPLE}。")
    if 1900 <= whole <= 2100:
        return _error(f"只有年份「{whole}」，缺少月份，{_DATE_EXAMPLE}。")
    if 1 <= whole <= _MAX_SERIAL:
        return _from_serial(whole)
    return _from_digits(str(whole), shown)


def _from_digits(digits: str, shown: str) -> Checked[date]:
    if len(digits) == 8:
        return _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), shown)
    if len(digits) == 6:
        return _make_date(int(digits[:4]), int(digits[4:]), 1, shown)
    return _error(f"看不懂的日期：{shown}，{_DATE_EXAMPLE}。")


def parse_date(raw: object, *, today: date | None = None) -> Checked[date]:
    """Read a date from a cell value in any of the shapes offices use.

    Accepts date/datetime objects, Excel serial numbers (1900 date system), and text like
    "1985-07-01", "1985/7/1", "1985.07.01", "1985.07", "1985-07", "1985年7月",
    "1985年7月1日", "19850701", "198507". Month-only values give the 1st of the month.
    "1985.1" (or the number 1985.1) gives January with a warning that October may have
    lost its final 0. Dates after ``today`` are not flagged here (callers decide; the
    argument is accepted so that all date checks share one signature); dates before 1900
    are errors. Empty input gives ``Checked(None)`` with no problem.
    """
    # Fast path: a date or datetime object from a date cell.
    kind = type(raw)
    if kind is date:
        if raw.year >= 1900:  # type: ignore[union-attr]
            return Checked(raw)  # type: ignore[arg-type]
    elif kind is datetime:
        day = raw.date()  # type: ignore[union-attr]
        if day.year >= 1900:
            return Checked(day)
    return _parse_date_full(raw, today=today)


def _parse_date_full(raw: object, *, today: date | None = None) -> Checked[date]:
    """`parse_date` without its fast path."""
    del today  # future dates are the caller's business
    if raw is None:
        return Checked(None)
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        if raw.year < 1900:
            return _error(f"日期早于 1900 年：{raw.isoformat()}，请核对。")
        return Checked(raw)
    if isinstance(raw, bool):
        return _error(f"看不懂的日期，{_DATE_EXAMPLE}。")
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and math.isnan(raw):
            return Checked(None)
        return _from_number(raw, clean_text(raw) or str(raw))

    shown = clean_text(raw)
    if shown is None:
        return Checked(None)
    # "1985-07-01 00:00:00" (a date-time written out as text): drop the time of day.
    text = _ascii_compact(_TIME_OF_DAY.sub("", unicodedata.normalize("NFKC", shown))) or ""

    m = _FULL_DATE.match(text)
    if m:
        year, month, day = m.groups()
        return _make_date(int(year), int(month), int(day), shown)
    m = _CHINESE_DATE.match(text)
    if m:
        year, month, day = m.groups()
        return _make_date(int(year), int(month), int(day) if day else 1, shown)
    m = _MONTH_DASH.match(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), 1, shown)
    m = _MONTH_DOT.match(text)
    if m and 1900 <= int(m.group(1)) <= 2100:
        return _year_month(int(m.group(1)), m.group(2), shown)
    m = _YEAR_ONLY.match(text)
    if m:
        return _error(f"只有年份「{m.group(1)}」，缺少月份，{_DATE_EXAMPLE}。")
    # An Excel serial written out as text ("31229", "31229.0"): five digits only, so that
    # a stray "12" is not read as a day in 1900.
    if text.isascii() and text.isdigit():
        if len(text) in (6, 8):
            return _from_digits(text, shown)
        if len(text) == 5 and int(text) <= _MAX_SERIAL:
            return _from_number(int(text), shown)
    m = _DECIMAL.match(text)
    if m and len(m.group(1)) == 5:
        return _from_number(float(text), shown)
    return _error(f"看不懂的日期：{shown}，{_DATE_EXAMPLE}。")


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

MAX_NAME_LENGTH = 30
_NAME_DOTS = re.compile(r"\s*[·•‧・･.∙⋅]+\s*")
_NAME_DOT = "·"


def _is_cjk(ch: str) -> bool:
    return unicodedata.category(ch) == "Lo" and "CJK" in unicodedata.name(ch, "")


# A name that needs no normalising: CJK Unified Ideographs (all NFKC-stable letters, none a
# digit: checked by tests/test_validation.py for the running Python's Unicode data), with
# single "·" between parts.
_CLEAN_CJK_NAME = re.compile(r"[\u4e00-\u9fff]+(?:·[\u4e00-\u9fff]+)*")


def normalize_name(raw: object) -> Checked[str]:
    """Normalise a person's name.

    Chinese names lose every inner space ("张 三" -> "张三"); the middle-dot variants of
    minority and foreign names become "·" (阿依古丽·买买提); Latin names keep single
    inner spaces. Digits, stray symbols and names over 30 characters are errors.
    Empty input gives ``Checked(None)`` with no problem.
    """
    if type(raw) is str and len(raw) <= MAX_NAME_LENGTH and _CLEAN_CJK_NAME.fullmatch(raw) and raw not in EMPTY_MARKERS:
        return Checked(raw)
    return _normalize_name_full(raw)


def _normalize_name_full(raw: object) -> Checked[str]:
    """`normalize_name` without its fast path."""
    text = clean_text(raw)
    if text is None:
        return Checked(None)
    text = clean_text(unicodedata.normalize("NFKC", text).replace("\n", " "))
    if text is None:
        return Checked(None)
    if any(ch.isdigit() for ch in text):
        return _error("姓名里不应有数字，请核对。")
    if any(_is_cjk(ch) for ch in text):
        text = _NAME_DOTS.sub(_NAME_DOT, text).replace(" ", "").strip(_NAME_DOT)
    if not text:
        return _error("姓名里没有文字，请核对。")
    for ch in text:
        if not (unicodedata.category(ch)[0] in "LM" or ch in " ·'’-.〇"):
            return _error(f"姓名里有多余的符号「{ch}」，备注请写到备注栏。")
    if len(text) > MAX_NAME_LENGTH:
        return _error(f"姓名太长（{len(text)} 个字），最多 {MAX_NAME_LENGTH} 个字，请核对。")
    return Checked(text)


# ---------------------------------------------------------------------------
# Values derived from the ID number
# ---------------------------------------------------------------------------

_GENDER_WORDS = {
    "男": "男", "男性": "男", "M": "男", "MALE": "男", "1": "男",
    "女": "女", "女性": "女", "F": "女", "FEMALE": "女", "2": "女",
}  # fmt: skip


def normalize_gender(raw: object) -> str | None:
    """ "男" / "女" from 男, 女, 男性, 女性, M, F, 1, 2 (any case); ``None`` otherwise."""
    text = _ascii_compact(raw)
    if text is None:
        return None
    return _GENDER_WORDS.get(text.upper())


def derive_or_check_gender(id18: str, given: object | None) -> Checked[str]:
    """Gender from the ID when ``given`` is missing; a contradiction is a warning and the
    ID's value is kept. Without a usable ID, the given gender is used as is."""
    try:
        expected: str | None = gender_from_id(id18)
    except (ValueError, TypeError, IndexError):
        expected = None
    shown = clean_text(given)
    gender = normalize_gender(given)
    if expected is None:
        if shown is not None and gender is None:
            return _error(f"看不懂的性别「{shown}」，请填「男」或「女」。")
        return Checked(gender)
    if shown is None:
        return Checked(expected)
    if gender is None:
        return Checked(
            expected,
            (_warn(f"看不懂的性别「{shown}」，已按身份证号取「{expected}」，请核对。"),),
        )
    if gender != expected:
        return Checked(
            expected,
            (_warn(f"性别「{gender}」与身份证号不符，已按身份证号改为「{expected}」，请核对。"),),
        )
    return Checked(expected)


def derive_or_check_birth(id18: str, given: date | None) -> Checked[date]:
    """Birth date from the ID when ``given`` is missing; a contradiction is a warning and
    the ID's value is kept.

    A month-only date (day 1, as "1985.07" is read) that agrees with the ID's year and
    month is not a contradiction. Without a usable ID, the given date is used as is.
    """
    if isinstance(given, datetime):
        given = given.date()
    try:
        expected: date | None = birth_date_from_id(id18)
    except (ValueError, TypeError):
        expected = None
    if expected is None:
        return Checked(given)
    if given is None:
        return Checked(expected)
    differs = (given.year, given.month) != (expected.year, expected.month) or (
        given.day != expected.day and given.day != 1
    )
    if differs:
        return Checked(
            expected,
            (_warn(f"出生日期 {given.isoformat()} 与身份证号不符，已按身份证号改为 {expected.isoformat()}，请核对。"),),
        )
    return Checked(expected)


# ---------------------------------------------------------------------------
# Probation
# ---------------------------------------------------------------------------


def probation_due_date(joined: date) -> date:
    """When a 预备党员 who joined on ``joined`` is due for 转正: one year later
    (29 February gives 28 February of the next year)."""
    if isinstance(joined, datetime):
        joined = joined.date()
    try:
        return joined.replace(year=joined.year + 1)
    except ValueError:
        return date(joined.year + 1, 2, 28)


def probation_due(joined: date, extended_to: date | None = None) -> date:
    """When a 预备党员 is due for 转正: the end of an extended probation (延长预备期) when
    there is one, else one year after joining (`probation_due_date`).

    Every 转正 reminder, roster column, detail pane and report computes "due" here.
    """
    if extended_to is not None:
        return extended_to.date() if isinstance(extended_to, datetime) else extended_to
    return probation_due_date(joined)


def probation_extension_limit(joined: date) -> date:
    """The latest day an extended probation may run to: one year after the normal end
    (党章: 延长预备期最长不超过一年), counted like `probation_due_date`."""
    return probation_due_date(probation_due_date(joined))


def eighteenth_birthday(born: date) -> date:
    """The first day on which a person born on ``born`` is 18 (年满十八周岁).

    Convention for a 29 February birth: 1 March. The eighteenth year after a leap year is
    never a leap year, and age counts in full years, reached on the day after the last
    day of the 18th year (the reading of Chinese civil law): on 28 February the person is
    not yet 18, on 1 March they are. So born 2008-02-29 → 18 on 2026-03-01.
    """
    if isinstance(born, datetime):
        born = born.date()
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # 29 February
        return date(born.year + 18, 3, 1)


def member_rule_errors(
    *,
    category: str | None,
    born: date | None,
    joined: date | None,
    confirmed: date | None,
    extended_to: date | None,
    reason: str | None,
    today: date,
) -> list[tuple[str, str]]:
    """The party-constitution rules on one member's dates, as ``(field, message)`` errors.

    Used by both the member form (`services.members.check_member`) and the importer
    (`reports.import_rows.MemberNormaliser`): plain date comparisons, no parsing, so that
    it costs next to nothing per row. A value that is ``None`` (not given, or already
    refused by its own check) skips the rules that need it. ``category`` is
    ``"full"``, ``"probationary"`` or ``None`` (unknown).

    * 入党日期 (``joined_on``): not after ``today``, not before the birth date, and not
      before the 18th birthday (`eighteenth_birthday`).
    * 转正日期 (``confirmed_on``) of a 正式党员: not before the end of the probation,
      `probation_due` — one year after 入党日期, or the end of the extended probation.
    * 延长预备期 (``probation_extended_to`` and ``probation_extension_reason``): the new
      end must be after the normal end and at most one year after it
      (`probation_extension_limit`), and a reason is required. The extension belongs to
      a 预备党员; a 正式党员 may keep it as history of a probation that was extended
      before 转正 — then the 转正日期 must not be before the extended end (a probation
      is only over when the extension is). A reason without a date is an error on the
      date.
    """
    errors: list[tuple[str, str]] = []
    if joined is not None:
        if joined > today:
            errors.append(("joined_on", f"入党日期 {joined.isoformat()} 晚于今天（{today.isoformat()}），请核对。"))
            joined = None
        elif born is not None and joined.year - born.year <= 18:  # 19 years apart: of age for sure
            if joined < born:
                errors.append(
                    ("joined_on", f"入党日期 {joined.isoformat()} 早于出生日期 {born.isoformat()}，请核对。")
                )
                joined = None
            else:
                adult = eighteenth_birthday(born)
                if joined < adult:
                    errors.append((
                        "joined_on",
                        f"入党日期 {joined.isoformat()} 时还不满 18 周岁：早于年满18周岁之日 {adult.isoformat()}"
                        f"（出生日期 {born.isoformat()}），请核对。",
                    ))
                    joined = None

    extension_ok = extended_to is not None
    if extended_to is not None:
        if joined is not None:
            normal = probation_due_date(joined)
            if extended_to <= normal:
                errors.append((
                    "probation_extended_to",
                    f"延长预备期至 {extended_to.isoformat()} 不晚于原预备期满之日 {normal.isoformat()}"
                    f"（入党日期 {joined.isoformat()} 满一年），延长后的日期应在其后，请核对。",
                ))
                extension_ok = False
            else:
                limit = probation_extension_limit(joined)
                if extended_to > limit:
                    errors.append((
                        "probation_extended_to",
                        f"延长预备期至 {extended_to.isoformat()} 超过了原预备期满之日 {normal.isoformat()} 后一年"
                        f"（最晚 {limit.isoformat()}），预备期最多延长一年，请核对。",
                    ))
                    extension_ok = False
        if not reason:
            errors.append(("probation_extension_reason", "延长了预备期，请填写延长预备期的原因。"))
    elif reason:
        errors.append(("probation_extended_to", "填写了延长预备期的原因，请同时填写延长预备期至哪一天。"))

    if category == "full" and confirmed is not None and joined is not None:
        if confirmed.year - joined.year > 1 and (not extension_ok or confirmed > extended_to):  # type: ignore[operator]
            pass  # two calendar years apart: after the normal probation for sure
        elif confirmed < joined:
            errors.append((
                "confirmed_on",
                f"转正日期 {confirmed.isoformat()} 早于入党日期 {joined.isoformat()}，请核对。",
            ))
        elif extension_ok and confirmed < extended_to:  # type: ignore[operator]
            errors.append((
                "confirmed_on",
                f"转正日期 {confirmed.isoformat()} 早于延长后的预备期满之日 {extended_to.isoformat()}"  # type: ignore[union-attr]
                f"（入党日期 {joined.isoformat()}），请核对。",
            ))
        else:
            due = probation_due_date(joined)
            if confirmed < due:
                errors.append((
                    "confirmed_on",
                    f"转正日期 {confirmed.isoformat()} 早于预备期满之日 {due.isoformat()}"
                    f"（入党日期 {joined.isoformat()} 满一年），请核对。",
                ))
    return errors
