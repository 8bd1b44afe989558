"""Reading the 工单 of the 扫码 platform's and the 12345 hotline's exports (the `matters`
import kind, `wanghu_desk.kinds.matters`).

Each row is checked with the register's own form check (`services.matters.check_matter`:
the same messages as the 登记事项 dialog) and the workflow's date rules: 办结时间 not
before 反映时间 and not after today. 满意度 words map to the register's evaluation
(满意/非常满意 → 满意, 基本满意/一般/比较满意 → 基本满意, 不满意). A 工单编号 already
registered, or seen on an earlier row of the file, is a duplicate: the row is skipped
(unchanged) with a note, never an error. An estate, building or category the register
does not know is a warning: the text is kept in the matter's 备注.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from reports.import_rows import Normaliser, _Row
from wanghu_desk import kinds
from wanghu_desk.errors import UsageError
from wanghu_desk.services import matters
from wanghu_desk.services.lookup import normalize_org_name
from wanghu_desk.services.matters import vocab
from wanghu_desk.validation import clean_text

__all__ = ["MatterNormaliser", "matter_kind_code"]

#: The form's keys (`services.matters.MATTER_LABELS`) → this kind's columns.
_FORM_COLUMNS = {
    "kind": "kind", "category_id": "category", "source": "source", "estate_id": "estate",
    "building_id": "building", "grid": "grid", "raiser_name": "raiser_name", "raiser_phone": "raiser_phone",
    "content": "content", "received_on": "received_on", "note": "note",
}  # fmt: skip
#: 满意度 cells that say "not evaluated" (no evaluation, no error).
_NOT_EVALUATED = frozenset({"未评价", "未回访", "暂未评价", "无法联系", "未接通", "不评价", "无评价"})
#: Default 来源 of a kind when the file has no 来源 column.
_DEFAULT_SOURCE = {"qr_report": "qr"}
_IMPORTABLE = {code for code, _label in kinds.matters.MATTER_KINDS}


def _key(text: str | None) -> str:
    return normalize_org_name(text) or ""


def _building_key(text: str | None) -> str:
    """"3栋", "3 号楼", "3幢", "3" → "3"; other text as it is (compacted)."""
    if not text:
        return ""
    compact = unicodedata.normalize("NFKC", text).replace(" ", "")
    m = re.fullmatch(r"(\d+)\s*(?:号楼|号|栋|幢|楼|座)?", compact)
    return m.group(1) if m else compact


def matter_kind_code(text: Any) -> str | None:
    """The code of a kind of matter written as a code, a label or a synonym."""
    cleaned = clean_text(text)
    if cleaned is None:
        return None
    return vocab.code_for(vocab.KINDS, unicodedata.normalize("NFKC", cleaned), vocab.KIND_SYNONYMS)


class MatterNormaliser(Normaliser):
    """One 工单 per row → the fields of a new matter and the dates of its steps."""

    kind = "matters"

    def __init__(self, today: dt.date | None = None, *, matter_kind: str | None = None):
        super().__init__(today)
        code = matter_kind_code(matter_kind or "qr_report")
        if code not in _IMPORTABLE:
            labels = "、".join(label for _c, label in kinds.matters.MATTER_KINDS)
            raise UsageError(f"工单只能导入为{labels}（--matter-kind qr_report、opinion 或 dispute），"
                             f"不能是「{matter_kind}」。")
        self.matter_kind = code
        self.estates = {_key(p.name): p for p in matters.place_choices()}
        self.categories = {(c.kind, _key(c.name)): c for c in matters.category_choices()}
        self._seen: dict[str, int] = {}
        self._unknown: set[tuple[str, str]] = set()

    def normalise(self, row: _Row) -> dict[str, Any] | None:
        rec: dict[str, Any] = {}
        external = row.text("external_no")
        row.require("external_no", external, "工单编号为空，请填写（扫码平台或 12345 的工单号）。")
        rec["external_no"] = external
        kind = self.matter_kind
        given_kind = row.text("kind")
        if given_kind is not None:
            code = matter_kind_code(given_kind)
            if code not in _IMPORTABLE:
                row.error("kind", f"看不懂的事项类型「{given_kind}」：工单只能是扫码报事、社情民意或矛盾调解。")
            else:
                kind = code
        rec["kind"] = kind
        notes: list[str] = []
        raw: dict[str, Any] = {"kind": kind, "content": row.raw("content"), "received_on": row.raw("received_on"),
                               "raiser_name": row.raw("raiser_name"), "raiser_phone": row.raw("raiser_phone"),
                               "grid": row.raw("grid"), "level": "estate"}
        raw["source"] = self._source(row, kind)
        raw["estate_id"], raw["building_id"] = self._place(row, notes)
        raw["category_id"] = self._category(row, kind, notes)
        note = row.text("note")
        raw["note"] = "；".join([*notes, note] if note else notes) or None
        check = matters.check_matter(raw, today=self.today)
        for key, message in check.errors.items():
            column = _FORM_COLUMNS.get(key)
            if column is not None and not any(p.level == "error" and p.col_index == row.index.get(column)
                                              for p in row.problems):
                row.error(column if column in row.index else None, message)
        for key, message in check.warnings.items():
            row.warn(_FORM_COLUMNS.get(key), message)
        values = check.values
        for name in ("kind", "category_id", "source", "estate_id", "building_id", "grid", "raiser_name",
                     "raiser_phone", "content", "received_on", "level", "note"):
            rec[name] = values.get(name)
        rec["handler_unit"] = self._limited(row, "handler_unit", 80, "承办单位")
        rec["result"] = self._limited(row, "result", 1000, "办理结果")
        rec["evaluation"] = self._evaluation(row)
        rec["closed_on"] = self._closed_on(row, rec.get("received_on"))
        if rec["closed_on"] is not None and rec["evaluation"] is None and not row.has_errors:
            row.warn("evaluation" if "evaluation" in row.index else None,
                     "没有满意度：导入后停在「已反馈」，回访评价后再在「居民事项」中办结。")
        if external is not None and not row.has_errors:
            first = self._seen.get(external)
            if first is None:
                self._seen[external] = row.row
            else:
                rec["duplicate_of"] = first
                row.warn("external_no", f"工单编号与第 {first} 行相同，是重复的工单，这一行不导入。")
        return rec

    # -- the fields
    def _source(self, row: _Row, kind: str) -> str | None:
        text = row.text("source")
        if text is None:
            return _DEFAULT_SOURCE.get(kind)
        code = vocab.code_for(vocab.SOURCES, unicodedata.normalize("NFKC", text), vocab.SOURCE_SYNONYMS)
        if code is None and "12345" in text:
            code = "hotline"
        if code is None:
            row.warn("source", f"看不懂的来源「{text}」，导入后记为「其他」。")
            return "other"
        return code

    def _place(self, row: _Row, notes: list[str]) -> tuple[int | None, int | None]:
        estate_text = row.text("estate")
        building_text = row.text("building")
        if estate_text is None:
            if building_text is not None:
                notes.append(f"楼栋：{building_text}")
            return None, None
        place = self.estates.get(_key(estate_text))
        if place is None and not estate_text.endswith("小区"):
            place = self.estates.get(_key(estate_text + "小区"))
        if place is None:
            self._warn_once(row, "estate", estate_text, f"小区「{estate_text}」不在小区名单中，导入后写在备注里。")
            notes.append(f"小区：{estate_text}" + (f" {building_text}" if building_text else ""))
            return None, None
        if building_text is None:
            return place.id, None
        wanted = _building_key(building_text)
        for building_id, number in place.buildings:
            if _building_key(number) == wanted:
                return place.id, building_id
        self._warn_once(row, "building", f"{place.name}{building_text}",
                        f"{place.name}没有楼栋「{building_text}」，导入后写在备注里。")
        notes.append(f"楼栋：{building_text}")
        return place.id, None

    def _category(self, row: _Row, kind: str, notes: list[str]) -> int | None:
        text = row.text("category")
        if text is None:
            return None
        found = self.categories.get((kind, _key(text)))
        if found is None:
            self._warn_once(row, "category", f"{kind}{text}",
                            f"「{text}」不是{vocab.KINDS[kind]}的类别，导入后不设类别，写在备注里。")
            notes.append(f"分类：{text}")
            return None
        return found.id

    def _warn_once(self, row: _Row, name: str, key: str, message: str) -> None:
        if (name, key) not in self._unknown:
            self._unknown.add((name, key))
            row.warn(name, message)

    def _limited(self, row: _Row, name: str, limit: int, what: str) -> str | None:
        text = row.text(name)
        if text is not None and len(text) > limit:
            row.error(name, f"{what}太长（{len(text)} 个字），最多 {limit} 个字。")
            return None
        return text

    def _evaluation(self, row: _Row) -> str | None:
        text = row.text("evaluation")
        if text is None:
            return None
        key = unicodedata.normalize("NFKC", text).replace(" ", "")
        if key in _NOT_EVALUATED:
            return None
        code = vocab.code_for(vocab.EVALUATIONS, key, vocab.EVALUATION_SYNONYMS)
        if code is None:
            row.error("evaluation", f"看不懂的满意度「{text}」，请填「满意」「基本满意」或「不满意」。")
        return code

    def _closed_on(self, row: _Row, received: dt.date | None) -> dt.date | None:
        closed = self._date(row, "closed_on", "办结时间", warn_future=False)
        if closed is None:
            return None
        if closed > self.today:
            row.error("closed_on", f"办结时间 {closed.isoformat()} 晚于今天，请核对。")
            return None
        if received is not None and closed < received:
            row.error("closed_on", f"办结时间 {closed.isoformat()} 早于反映时间 {received.isoformat()}，请核对。")
            return None
        return closed
