"""Money: the one parser for amounts that clerks type or files hold, and the two ways an
amount is written — ``¥10,000.00`` and in Chinese capital numerals (大写, ``壹万元整``).

Amounts are integer fen everywhere below the UI (Beancount's habit: never floats).

- `parse_amount(raw) -> int` accepts ``10000``, ``10,000.50``, ``¥10000``, ``￥1,000``,
  ``1万``, ``1.5万元``, ``10000元``, full-width digits, numbers from Excel cells, and
  大写 (``壹万元整``); it refuses negative amounts, more than two decimals (fen), a wrong
  thousands separator, amounts over ¥99,999,999.99 and anything else, with a Chinese
  `ValidationError` that says what to type instead.
- `format_fen(fen) -> "¥10,000.00"`, `format_plain(fen) -> "10,000.00"`.
- `to_chinese_capital(fen) -> "壹万元整"`: exact for every amount from ¥0.00 to
  ¥99,999,999.99, following the rules of 《支付结算办法》 for 零 / 整 / 角 / 分 (one 零
  for a run of zeros; 零 between 元 and 分 when 角 is zero; 整 after 元; 壹拾 not 拾).
- `from_chinese_capital(text) -> int` reads 大写 back (also the forms the rules allow
  but `to_chinese_capital` does not write: 拾 without 壹, an optional 零, 圆, 正, 人民币).
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from wanghu_desk.errors import ValidationError

__all__ = [
    "MAX_FEN",
    "format_fen",
    "format_plain",
    "from_chinese_capital",
    "parse_amount",
    "to_chinese_capital",
    "try_parse_amount",
    "yuan_decimal",
]

#: The largest amount handled: ¥99,999,999.99 (the range of the 大写 conversion).
MAX_FEN = 9_999_999_999

CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SECTION_UNITS = ("", "拾", "佰", "仟")
_UNIT_VALUES = {"拾": 10, "佰": 100, "仟": 1000}
_DIGIT_VALUES = {ch: i for i, ch in enumerate(CAPITAL_DIGITS)}
#: Lower-case numerals and variant characters, read as their capital forms.
_TO_CAPITAL = str.maketrans({
    "一": "壹", "二": "贰", "两": "贰", "三": "叁", "四": "肆", "五": "伍", "六": "陆",
    "七": "柒", "八": "捌", "九": "玖", "〇": "零", "○": "零", "十": "拾", "百": "佰",
    "千": "仟", "圆": "元", "块": "元", "萬": "万", "貳": "贰", "陸": "陆",
})
_CHINESE_NUMERALS = set(CAPITAL_DIGITS) | set("拾佰仟万亿角分") | set("一二两三四五六七八九〇○十百千萬")

_PLAIN = re.compile(
    r"^(?P<int>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<frac>\d*))?(?P<unit>(?:万|千)?(?:元(?:整|正)?)?)$"
)
_LOOKS_GROUPED = re.compile(r"^[\d,]+(?:\.\d*)?(?:万|千)?(?:元(?:整|正)?)?$")
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_PREFIXES = ("人民币", "RMB", "rmb", "CNY", "cny", "¥", "￥")

EXAMPLES = "10000、10,000.50、¥10000、1.5万"


def _garbage(shown: str) -> ValidationError:
    return ValidationError(f"无法识别金额「{shown}」。请输入数字，如 {EXAMPLES}。", field="amount")


def _too_precise(shown: str) -> ValidationError:
    return ValidationError(f"金额「{shown}」超过两位小数。金额最多精确到分（两位小数）。", field="amount")


def _negative() -> ValidationError:
    return ValidationError("金额不能为负数。要更正已保存的凭证，请录入一笔「冲销」。", field="amount")


def _checked_range(fen: int, allow_zero: bool) -> int:
    if fen > MAX_FEN:
        raise ValidationError("金额过大：最多 ¥99,999,999.99。请核对金额。", field="amount")
    if fen == 0 and not allow_zero:
        raise ValidationError("金额必须大于零。", field="amount")
    if fen < 0:
        raise _negative()
    return fen


def _from_number(raw: int | float | Decimal, allow_zero: bool) -> int:
    """A number from an Excel cell or from code, in yuan."""
    if isinstance(raw, int):
        if raw < 0:
            raise _negative()
        return _checked_range(raw * 100, allow_zero)
    shown = format(raw, "f") if isinstance(raw, Decimal) else repr(raw)
    if isinstance(raw, float) and not math.isfinite(raw):
        raise _garbage(shown)
    if isinstance(raw, Decimal) and not raw.is_finite():
        raise _garbage(shown)
    if raw < 0:
        raise _negative()
    exact = Decimal(repr(raw)) if isinstance(raw, float) else raw
    cents = exact * 100
    whole = cents.to_integral_value()
    if cents != whole:
        # Excel stores 1234.56 as a binary double; a value off by float noise is still fen.
        if isinstance(raw, float) and abs(cents - whole) < Decimal("0.000001"):
            cents = whole
        else:
            raise _too_precise(shown.rstrip("0") if "." in shown else shown)
    return _checked_range(int(cents), allow_zero)


def _normalise_text(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    text = _SPACES.sub("", text)
    text = text.replace("−", "-").replace("﹣", "-").replace("，", ",").replace("。", ".")
    return text


def parse_amount(raw: object, *, allow_zero: bool = False) -> int:
    """The amount `raw` in integer fen; raises `ValidationError` (Chinese) when unusable.

    `raw` may be text as a clerk types it, or a number (int / float / Decimal, in yuan)
    as an Excel cell holds it. Zero is refused unless `allow_zero`.
    """
    if raw is None:
        raise ValidationError("请填写金额。", field="amount")
    if isinstance(raw, bool):
        raise _garbage(str(raw))
    if isinstance(raw, (int, float, Decimal)):
        return _from_number(raw, allow_zero)
    shown = str(raw).strip()
    text = _normalise_text(str(raw))
    if not text:
        raise ValidationError("请填写金额。", field="amount")
    if text.startswith(("-", "负")) or (text.startswith("(") and text.endswith(")")):
        raise _negative()
    text = text.lstrip("+")
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    if text.startswith(("-", "负")):
        raise _negative()
    if not text:
        raise _garbage(shown)
    if not any(ch.isdigit() for ch in text) and any(ch in _CHINESE_NUMERALS for ch in text):
        try:
            return _checked_range(from_chinese_capital(text), allow_zero)
        except ValueError:
            raise _garbage(shown) from None
    match = _PLAIN.match(text)
    if match is None:
        if _LOOKS_GROUPED.match(text) and "," in text:
            raise ValidationError(
                f"金额「{shown}」的千位分隔符位置不对：应每三位一个逗号，如 10,000.50。", field="amount"
            )
        raise _garbage(shown)
    int_text, frac, unit = match.group("int"), match.group("frac"), match.group("unit") or ""
    int_text = int_text.replace(",", "")
    if not int_text and not frac:
        raise _garbage(shown)
    frac = frac or ""
    try:
        value = Decimal(f"{int_text or '0'}.{frac or '0'}")
    except InvalidOperation:
        raise _garbage(shown) from None
    multiplier = 10_000 if unit.startswith("万") else 1_000 if unit.startswith("千") else 1
    cents = value * multiplier * 100
    if cents != cents.to_integral_value():
        if multiplier != 1:
            raise ValidationError(f"金额「{shown}」换算成元后超过两位小数。金额最多精确到分。", field="amount")
        raise _too_precise(shown)
    return _checked_range(int(cents), allow_zero)


def try_parse_amount(raw: object, *, allow_zero: bool = False) -> tuple[int | None, str | None]:
    """`(fen, None)` or `(None, message)`: for fields that validate as the clerk types."""
    try:
        return parse_amount(raw, allow_zero=allow_zero), None
    except ValidationError as exc:
        return None, exc.message


# ---------------------------------------------------------------- writing amounts


def format_fen(fen: int) -> str:
    """``1000000`` → ``¥10,000.00``; a negative amount gets a leading minus: ``-¥5.00``."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def format_plain(fen: int) -> str:
    """``1000000`` → ``10,000.00`` (no currency sign, for table cells under a ¥ header)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def yuan_decimal(fen: int) -> Decimal:
    """Exact yuan as a `Decimal` with two places (for spreadsheet cells)."""
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def _section_capital(n: int) -> str:
    """1..9999 in capitals: one 零 for a run of zeros between digits, none at the end."""
    digits = f"{n:04d}"
    out: list[str] = []
    zero_pending = False
    started = False
    for i, ch in enumerate(digits):
        d = int(ch)
        unit = _SECTION_UNITS[3 - i]
        if d == 0:
            if started:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(CAPITAL_DIGITS[d] + unit)
        started = True
    return "".join(out)


def _integer_capital(yuan: int) -> str:
    high, low = divmod(yuan, 10_000)
    out = ""
    if high:
        out += _section_capital(high) + "万"
    if low:
        if high and low < 1000:
            out += "零"
        out += _section_capital(low)
    return out


def to_chinese_capital(fen: int) -> str:
    """The amount in 大写: ``1000000`` → ``壹万元整``, ``140950`` → ``壹仟肆佰零玖元伍角``,
    ``1640902`` → ``壹万陆仟肆佰零玖元零贰分``, ``5`` → ``伍分``, ``0`` → ``零元整``.

    Raises `ValueError` outside ¥0.00 … ¥99,999,999.99.
    """
    fen = int(fen)
    if not 0 <= fen <= MAX_FEN:
        raise ValueError(f"amount out of range for 大写: {fen}")
    if fen == 0:
        return "零元整"
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    out = ""
    if yuan:
        out += _integer_capital(yuan) + "元"
    if jiao:
        out += CAPITAL_DIGITS[jiao] + "角"
    elif fen_digit and yuan:
        out += "零"
    if fen_digit:
        out += CAPITAL_DIGITS[fen_digit] + "分"
    if not cents:
        out += "整"
    return out


# ---------------------------------------------------------------- reading 大写 back


def _parse_section(text: str) -> int:
    """0..9999 from capitals (仟佰拾 in falling order; 零 only between digits)."""
    value = 0
    pending: int | None = None
    last_unit = 10_000
    zero_seen = False
    for ch in text:
        if ch == "零":
            if pending is not None:
                raise ValueError(text)
            zero_seen = True
            continue
        if ch in _DIGIT_VALUES:
            if pending is not None:
                raise ValueError(text)
            pending = _DIGIT_VALUES[ch]
            continue
        unit = _UNIT_VALUES.get(ch)
        if unit is None or unit >= last_unit:
            raise ValueError(text)
        if pending is None:
            if unit == 10 and value == 0 and not zero_seen:
                pending = 1  # 拾元 = 壹拾元
            else:
                raise ValueError(text)
        value += pending * unit
        pending = None
        last_unit = unit
        zero_seen = False
    if pending is not None:
        # 壹拾伍 and 壹佰零伍 are clear; 壹佰伍 (150 or 105?) is not written in 大写.
        if not (last_unit in (10, 10_000) or zero_seen):
            raise ValueError(text)
        value += pending
    return value


def _parse_yuan(text: str) -> int:
    if not text:
        return 0
    if text.count("万") > 1 or "亿" in text:
        raise ValueError(text)
    if "万" in text:
        high_text, low_text = text.split("万")
        high = _parse_section(high_text)
        if high == 0:
            raise ValueError(text)
        return high * 10_000 + _parse_section(low_text)
    return _parse_section(text)


_FRACTION = re.compile(rf"^零?(?:([{CAPITAL_DIGITS[1:]}])角)?(?:零?([{CAPITAL_DIGITS[1:]}])分)?$")


def from_chinese_capital(text: str) -> int:
    """Fen from an amount in 大写 (``壹万元整`` → ``1000000``); `ValueError` when malformed."""
    s = _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).translate(_TO_CAPITAL)
    for prefix in ("人民币", "(大写)", "大写:", "大写"):
        if s.startswith(prefix):
            s = s[len(prefix):]
    if s.endswith(("整", "正")):
        s = s[:-1]
    if not s:
        raise ValueError(text)
    if s.count("元") > 1:
        raise ValueError(text)
    if "元" in s:
        yuan_text, frac_text = s.split("元")
    elif s.endswith(("角", "分")):
        yuan_text, frac_text = "", s
    else:
        yuan_text, frac_text = s, ""
    if yuan_text == "零":
        yuan_text = ""
    yuan = _parse_yuan(yuan_text)
    match = _FRACTION.match(frac_text)
    if match is None:
        raise ValueError(text)
    jiao = _DIGIT_VALUES[match.group(1)] if match.group(1) else 0
    fen = _DIGIT_VALUES[match.group(2)] if match.group(2) else 0
    total = yuan * 100 + jiao * 10 + fen
    if total == 0 and "零" not in s:
        raise ValueError(text)
    if total > MAX_FEN:
        raise ValueError(text)
    return total
