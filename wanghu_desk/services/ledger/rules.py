"""The ledger's vocabulary and its rules on single values: entry kinds, the
immutability refusal, quarters, the settings (second-approver threshold, estate
minimum, spend rates), signed amounts, subjects (forbidden ones refused), people,
摘要, amounts and dates. Pure or settings-only: no ledger rows are read here."""

from __future__ import annotations

import datetime as dt
import re

from wanghu_desk import vocab
from wanghu_desk.errors import ValidationError
from wanghu_desk.money import MAX_FEN, parse_amount
from wanghu_desk.services import settings
from wanghu_desk.validation import clean_text, parse_date

ALLOCATION, EXPENSE, REVERSAL = "allocation", "expense", "reversal"
DEFAULT_FUND_NAME = "小区党组织服务群众专项经费"
IMMUTABLE_MESSAGE = "台账凭证保存后不能修改或删除。如有错误，请录入一笔「冲销」凭证，再重新录入正确的凭证。"
SUMMARY_MAX = 200
#: Spend rate (percent of the money available) expected by the end of each quarter;
#: a branch under it is flagged. The setting ``ledger.min_spend_percent`` overrides it.
DEFAULT_SPEND_PERCENT = {1: 10, 2: 30, 3: 50, 4: 70}
#: "冲销第N号凭证…" in a 摘要: a reversal of voucher N.
_REVERSES_IN_SUMMARY = re.compile(r"冲销第?\s*(\d+)\s*号")


class ImmutableEntryError(ValidationError):
    """An attempt to change or remove a saved ledger entry."""

    def __init__(self, message: str = IMMUTABLE_MESSAGE):
        super().__init__(message, field=None)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValidationError("季度应为 1、2、3 或 4。")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year, 12, 31) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def second_approver_threshold() -> int:
    return int(settings.get("ledger.second_approver_threshold_fen") or 0)


def estate_minimum() -> int:
    return int(settings.get("ledger.estate_minimum_fen") or 0)


def default_spend_percent(quarter: int) -> int:
    configured = settings.get("ledger.min_spend_percent", DEFAULT_SPEND_PERCENT)
    try:
        return int(configured.get(str(quarter), configured.get(quarter)))  # JSON keys are text
    except (AttributeError, TypeError, ValueError):
        return DEFAULT_SPEND_PERCENT[quarter]


def _signed(kind: str, reversed_kind: str | None, amount: int) -> tuple[int, int]:
    """(income, expense) of one entry; a reversal counts against its original's kind."""
    if kind == ALLOCATION:
        return amount, 0
    if kind == EXPENSE:
        return 0, amount
    if reversed_kind == ALLOCATION:
        return -amount, 0
    return 0, -amount


def _delta(kind: str, reversed_kind: str | None, amount: int) -> int:
    income, expense = _signed(kind, reversed_kind, amount)
    return income - expense


def forbidden_terms(text: object) -> list[str]:
    """The forbidden spending terms (宴请, 旅游 …) that `text` mentions."""
    shown = clean_text(text) or ""
    return [term for term in vocab.FORBIDDEN_SUBJECTS if term in shown]


def check_subject(text: object) -> str:
    """The subject code for a label or code; forbidden or unknown subjects are refused."""
    shown = clean_text(text)
    if shown is None:
        raise ValidationError("请选择科目。", field="subject")
    terms = forbidden_terms(shown)
    if terms:
        raise ValidationError(
            f"「{terms[0]}」属于禁止列支的事项，不能记入台账。", field="subject"
        )
    code = vocab.code_for(vocab.LEDGER_SUBJECTS, shown)
    if code is None and not shown.endswith("费"):
        code = vocab.code_for(vocab.LEDGER_SUBJECTS, shown + "经费")
    if code is None:
        choices = "、".join(vocab.LEDGER_SUBJECTS.values())
        raise ValidationError(f"科目「{shown}」不在科目表中。可选：{choices}。", field="subject")
    return code


def _person(raw: object, what: str, field_name: str, *, required: bool = True) -> str | None:
    text = clean_text(raw)
    if text is None:
        if required:
            raise ValidationError(f"请填写{what}。", field=field_name)
        return None
    text = text.replace("\n", " ")
    if len(text) > 40:
        raise ValidationError(f"{what}太长了，请只填写姓名。", field=field_name)
    return text


def _summary(raw: object) -> str:
    text = clean_text(raw)
    if text is None:
        raise ValidationError("请填写摘要（这笔钱做什么用）。", field="summary")
    text = text.replace("\n", " ")
    if len(text) > SUMMARY_MAX:
        raise ValidationError(f"摘要太长了（{len(text)} 字），请控制在 {SUMMARY_MAX} 字以内。", field="summary")
    return text


def _amount(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        return parse_amount(raw)
    if raw <= 0:
        raise ValidationError("金额必须大于零。", field="amount")
    if raw > MAX_FEN:
        raise ValidationError("金额过大：最多 ¥99,999,999.99。请核对金额。", field="amount")
    return raw


def _date(raw: dt.date | str, today: dt.date) -> dt.date:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if not isinstance(raw, dt.date):
        checked = parse_date(raw, today=today)
        if checked.value is None:
            message = checked.errors[0].message if checked.errors else "请填写日期。"
            raise ValidationError(message, field="entry_date")
        raw = checked.value
    if raw > today:
        raise ValidationError(f"日期 {raw.isoformat()} 晚于今天，不能预先记账。", field="entry_date")
    if raw.year < 2000:
        raise ValidationError(f"日期 {raw.isoformat()} 太早了，请核对。", field="entry_date")
    return raw
