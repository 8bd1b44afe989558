"""A ledger kept in Excel: `normalize_ledger_row` (one row, pure) and
`commit_normalized_rows` (the checked rows written through the ledger's rules)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from wanghu_desk.errors import ValidationError
from wanghu_desk.money import format_fen, parse_amount
from wanghu_desk.services.base import writing
from wanghu_desk.services.ledger.batch import LedgerBatch
from wanghu_desk.services.ledger.results import RowProblem
from wanghu_desk.services.ledger.rules import (
    _REVERSES_IN_SUMMARY,
    ALLOCATION,
    EXPENSE,
    REVERSAL,
    SUMMARY_MAX,
    check_subject,
    forbidden_terms,
    second_approver_threshold,
)
from wanghu_desk.validation import ERROR, WARNING, clean_text, parse_date

# ---------------------------------------------------------------- import (pure normalisation)

#: Fields of an imported ledger row, with the headers offices use (for the import pipeline).
LEDGER_IMPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "branch": ("所在党支部", "党支部", "支部", "所属党支部", "支部名称", "党组织"),
    "fund": ("经费类别", "经费名称", "经费来源", "资金来源"),
    "entry_date": ("日期", "记账日期", "凭证日期", "发生日期", "时间"),
    "voucher_no": ("凭证号", "凭证编号", "凭证号码", "编号"),
    "kind": ("类型", "收支类型", "业务类型", "收支"),
    "subject": ("科目", "会计科目", "支出科目", "经费科目", "用途"),
    "summary": ("摘要", "事由", "内容", "说明"),
    "amount": ("金额", "金额（元）", "金额(元)"),
    "income": ("收入", "收入金额", "拨付金额", "拨入", "借方"),
    "expense": ("支出", "支出金额", "付出", "贷方"),
    "balance": ("余额",),
    "handler": ("经办人", "经手人", "报销人"),
    "approver": ("审批人", "审核人", "批准人"),
    "second_approver": ("第二审批人", "复核人", "会签人"),
    "reverses_voucher_no": ("冲销凭证号", "原凭证号", "冲销第几号"),
}

_KIND_WORDS = {
    ALLOCATION: ("拨付", "拨款", "下拨", "拨入", "收入", "划拨", "allocation"),
    EXPENSE: ("支出", "报销", "付款", "支付", "列支", "expense"),
    REVERSAL: ("冲销", "红冲", "冲正", "冲回", "reversal"),
}
_TOTALS_ROW = re.compile(r"^(上年结转|第[一二三四1-4]季度合计|本年合计|本年累计|合计|期末余额（大写）|期末余额\(大写\))")
_NAME_SPLIT = re.compile(r"\s*[、,，/;；]\s*")


def _kind_from_text(text: str) -> str | None:
    for code, words in _KIND_WORDS.items():
        if any(w == text or w in text for w in words):
            return code
    return None


def _voucher(raw: Any) -> int | None:
    text = clean_text(raw)
    if text is None:
        return None
    digits = re.sub(r"^[第#№No.\s]*|号$", "", text)
    return int(digits) if digits.isdigit() and int(digits) > 0 else None


def normalize_ledger_row(
    cells: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    threshold_fen: int | None = None,
    default_branch: str | None = None,
) -> tuple[dict[str, Any], list[RowProblem]]:
    """One row of a ledger kept in Excel, by field name (see `LEDGER_IMPORT_FIELDS`), as a
    record for `commit_normalized_rows` plus its problems. Pure: no database access
    (the branch and fund stay names; the import pipeline resolves them).

    - The branch comes from the 党支部 column, else `default_branch` (the sheet's name,
      for a workbook with one sheet per branch such as this program's own export).
    - The kind comes from 类型, else from a 摘要 "冲销第N号凭证…" (a reversal), else from
      which of 收入 / 支出 holds the amount; a negative amount is allowed only in a reversal.
    - Amounts go through `money.parse_amount`; the subject through the vocabulary
      (forbidden subjects are errors); 2,000-yuan expenses need a second approver;
      审批人 "张三、李四" (as exported) is the approver and the second approver.
    - A totals row of an exported ledger (上年结转, 第N季度合计, 本年合计, 期末余额（大写）)
      gives ``{"skip": True}`` and no problems: the pipeline leaves it out.
    """
    today = today or dt.date.today()
    threshold = second_approver_threshold() if threshold_fen is None else threshold_fen
    rec: dict[str, Any] = {}
    problems: list[RowProblem] = []

    def error(name: str | None, message: str) -> None:
        problems.append(RowProblem(ERROR, name, message))

    def warn(name: str | None, message: str) -> None:
        problems.append(RowProblem(WARNING, name, message))

    summary_text = clean_text(cells.get("summary")) or ""
    if _TOTALS_ROW.match(summary_text) and clean_text(cells.get("voucher_no")) is None:
        return {"skip": True}, []

    branch = clean_text(cells.get("branch")) or clean_text(default_branch)
    if branch is None:
        error("branch", "党支部为空，请填写。")
    rec["branch_name"] = branch
    rec["fund_name"] = clean_text(cells.get("fund"))

    checked = parse_date(cells.get("entry_date"), today=today)
    for p in checked.problems:
        (error if p.level == ERROR else warn)("entry_date", p.message)
    day = checked.value
    if day is None and checked.ok:
        error("entry_date", "日期为空，请填写。")
    elif day is not None and day > today:
        error("entry_date", f"日期 {day.isoformat()} 晚于今天，请核对。")
    elif day is not None:
        rec["entry_date"] = day
        rec["year"] = day.year

    voucher = cells.get("voucher_no")
    if clean_text(voucher) is not None:
        number = _voucher(voucher)
        if number is None:
            warn("voucher_no", f"凭证号「{clean_text(voucher)}」不是数字，导入后将按日期重新编号。")
        rec["source_voucher_no"] = number

    kind_text = clean_text(cells.get("kind"))
    kind = _kind_from_text(kind_text) if kind_text else None
    if kind_text and kind is None:
        error("kind", f"类型「{kind_text}」无法识别，应为 拨付、支出 或 冲销。")
    if kind is None and not kind_text and _REVERSES_IN_SUMMARY.match(summary_text):
        kind = REVERSAL

    amounts: dict[str, int] = {}
    for name in ("amount", "income", "expense"):
        raw = cells.get(name)
        if clean_text(raw) is None and not isinstance(raw, (int, float)):
            continue
        negative = False
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw < 0:
            raw, negative = -raw, True
        elif isinstance(raw, str) and raw.strip().startswith(("-", "－", "−")):
            raw, negative = raw.strip()[1:], True
        try:
            value = parse_amount(raw, allow_zero=True)
        except ValidationError as exc:
            error(name, exc.message)
            continue
        if value == 0:
            continue
        if negative and kind != REVERSAL:
            error(name, "金额是负数。更正错账请把「类型」填为冲销，并注明冲销的凭证号。")
            continue
        amounts[name] = value
    if "income" in amounts and "expense" in amounts:
        error(None, "同一行的收入和支出都有金额，请分成两行。")
    if kind is None:
        if "income" in amounts:
            kind = ALLOCATION
        elif "expense" in amounts:
            kind = EXPENSE
        elif "amount" in amounts:
            error("kind", "有金额但没有类型，请填写 拨付、支出 或 冲销。")
    amount = amounts.get("amount") or amounts.get("income") or amounts.get("expense")
    if amount is None and not any(p.field in ("amount", "income", "expense") for p in problems):
        error("amount", "金额为空，请填写。")
    if kind is not None:
        rec["kind"] = kind
    if amount is not None:
        rec["amount_fen"] = amount

    summary = clean_text(cells.get("summary"))
    if summary is None:
        error("summary", "摘要为空，请填写。")
    else:
        summary = summary.replace("\n", " ")
        if len(summary) > SUMMARY_MAX:
            error("summary", f"摘要太长了（{len(summary)} 字），请控制在 {SUMMARY_MAX} 字以内。")
        rec["summary"] = summary
        terms = forbidden_terms(summary)
        if terms and kind == EXPENSE:
            warn("summary", f"摘要提到「{terms[0]}」，这是禁止列支的事项，请核实。")

    subject_text = clean_text(cells.get("subject"))
    if subject_text is None:
        if kind == EXPENSE:
            error("subject", "科目为空，请填写。")
        else:
            rec["subject"] = "service" if kind == ALLOCATION else None
    else:
        try:
            rec["subject"] = check_subject(subject_text)
        except ValidationError as exc:
            error("subject", exc.message)

    approvers = _NAME_SPLIT.split(clean_text(cells.get("approver")) or "")
    values = {"handler": cells.get("handler"), "approver": approvers[0] or None,
              "second_approver": cells.get("second_approver")}
    if len(approvers) == 2 and clean_text(values["second_approver"]) is None:
        values["second_approver"] = approvers[1]
    elif len(approvers) > 2:
        error("approver", "审批人最多两位（审批人、第二审批人），请核对。")
    for name, what, required in (("handler", "经办人", True), ("approver", "审批人", True),
                                 ("second_approver", "第二审批人", False)):
        text = clean_text(values[name])
        if text is None:
            if required:
                error(name, f"{what}为空，请填写。")
            rec[name] = None
            continue
        rec[name] = text.replace("\n", " ")
    if (kind == EXPENSE and amount is not None and threshold and amount >= threshold
            and rec.get("second_approver") is None):
        error("second_approver", f"支出金额达到 {format_fen(threshold)}（含）须两人审批，请填写第二审批人。")
    if rec.get("second_approver") and rec.get("second_approver") == rec.get("approver"):
        error("second_approver", "第二审批人不能与审批人是同一人。")

    if kind == REVERSAL:
        target = _voucher(cells.get("reverses_voucher_no"))
        if target is None and summary:
            match = _REVERSES_IN_SUMMARY.search(summary)
            target = int(match.group(1)) if match else None
        if target is None:
            error("reverses_voucher_no", "冲销行要写明冲销的是第几号凭证（填「冲销凭证号」，或在摘要写「冲销第N号凭证」）。")
        rec["reverses_voucher_no"] = target
    return rec, problems


def commit_normalized_rows(records: Sequence[Mapping[str, Any]], *, today: dt.date | None = None) -> list[int]:
    """Write rows from `normalize_ledger_row` (with ``branch_id`` resolved by the import
    pipeline, and ``fund_name`` or None for the default fund), all or nothing, through the
    same rules as the forms: in date order, each with the next voucher number of its
    branch and year. A reversal row names the source voucher number of its original
    (``reverses_voucher_no``): first an entry of this import, else an existing entry of
    that branch and year. Returns the new entry ids.

    The rows are checked in memory by `batch.LedgerBatch` (the checks of
    `record_allocation`, `record_expense` and `record_reversal`, row after row, with the
    same messages) and written with one `executemany`; the first row refused raises its
    error and nothing is written."""
    ordered = sorted(enumerate(records), key=lambda p: (p[1]["entry_date"], p[1]["kind"] == REVERSAL, p[0]))
    with writing("ledger.import"):
        ids = {rec["branch_id"] for rec in records}
        batch = LedgerBatch(ids if all(isinstance(i, int) for i in ids) else None, today=today)
        for _index, rec in ordered:
            batch.add_row(rec)
        return batch.write()
