"""The member import's fast paths give exactly what the plain code gives.

`PlainMemberNormaliser` is the member row check written the straightforward way (every
field through `Normaliser._memo`, `_date`, `_text`, `_id`, `row.take`), as it was before
the hot loop was unrolled; a generated 5,000-row roster full of odd cells
(tests/messy_roster.py) must give the same records, problems (in the same order) and
planned actions through both. The column-wise INSERT parameters of the commit are held to
a per-row build the same way."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from messy_roster import make_messy_roster

from models import Branch, BuildingGroup, Community
from reports import import_rows, importing
from reports.import_rows import (
    _MEMBER_FLAGS,
    _checked_category,
    _checked_education,
    _checked_ethnicity,
    _checked_gender,
    _checked_status,
    _compact,
    _key,
    _Row,
    parse_bool,
)
from wanghu_desk import kinds
from wanghu_desk.pinyin import initials
from wanghu_desk.services import imports as import_service
from wanghu_desk.validation import (
    Checked,
    clean_text,
    derive_or_check_birth,
    derive_or_check_gender,
    member_rule_errors,
    normalize_name,
    validate_phone,
)

TODAY = dt.date(2026, 11, 22)
BRANCHES = [f"望湖第{i}小区党支部" for i in range(1, 9)]


class PlainMemberNormaliser(import_rows.MemberNormaliser):
    def normalise(self, row: _Row) -> dict[str, Any]:
        rec: dict[str, Any] = {}
        memo = self._memo
        raw_of = row.values.get  # row.raw without the method call: ~23 reads a row

        def take(field: str, checked: Checked) -> Any:
            return row.take(field, checked) if checked.problems else checked.value

        name = take("name", memo("name", normalize_name, raw_of("name")))
        row.require("name", name, "姓名为空，请填写。")
        if name is not None:
            rec["name"] = name
            rec["name_initials"] = memo("initials", initials, name)

        id_number = self._id(row)
        if id_number is None:
            row.require("id_number", None, "公民身份号码为空，请填写。")
        else:
            rec["id_number"] = id_number
            self._duplicate(self._seen_ids, id_number, row, "id_number", "公民身份号码")

        birth_given = self._date(row, "birth_date", "出生日期")
        gender_raw = raw_of("gender")
        if id_number is not None:
            expected = "男" if int(id_number[16]) % 2 else "女"
            if gender_raw == expected:  # the usual case, without the full check
                rec["gender"] = expected
            else:
                rec["gender"] = take("gender", derive_or_check_gender(id_number, gender_raw))
            rec["birth_date"] = take("birth_date", derive_or_check_birth(id_number, birth_given))
        else:
            gender = take("gender", memo("gender", _checked_gender, gender_raw))
            if gender is not None:
                rec["gender"] = gender
            rec["birth_date"] = birth_given

        for field_name, check in (("ethnicity", _checked_ethnicity), ("education", _checked_education)):
            raw = raw_of(field_name)
            if raw is not None and raw != "":
                value = take(field_name, memo(field_name, check, raw))
                if value is not None:
                    rec[field_name] = value

        category = take("category", memo("category", _checked_category, raw_of("category")))
        if category is not None:
            rec["category"] = category
        joined = self._date(row, "joined_on", "入党日期", warn_future=False)  # after today: an error below
        if joined is not None:
            rec["joined_on"] = joined
        confirmed = self._date(row, "confirmed_on", "转正日期")
        if confirmed is not None:
            rec["confirmed_on"] = confirmed
            if category == "probationary":
                row.warn("confirmed_on", "预备党员不应有转正日期，请核对人员类别。")
        extended = self._date(row, "probation_extended_to", "延长预备期至", warn_future=False)
        if extended is not None:
            rec["probation_extended_to"] = extended
        reason = self._text(row, "probation_extension_reason")
        if reason is not None:
            rec["probation_extension_reason"] = reason = reason.replace("\n", " ")
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
                today=self.today,
            ):
                row.error(name, message)

        branch_raw = raw_of("branch")
        branch = take("branch", memo("branch", self.branches.resolve, branch_raw))
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

        employer = raw_of("employer")
        if employer is not None and employer != "":
            text = memo("employer", clean_text, employer)
            if text is not None:
                rec["employer"] = text.replace("\n", " ")
        address = self._text(row, "address")
        if address is not None:
            rec["address"] = address.replace("\n", " ")
        note = self._text(row, "note")
        if note is not None:
            rec["note"] = note
        phone_raw = raw_of("phone")
        if phone_raw is not None and phone_raw != "":
            phone = take("phone", validate_phone(phone_raw))
            if phone is not None:
                rec["phone"] = phone

        status = take("status", memo("status", _checked_status, raw_of("status")))
        if status is not None:
            rec["status"] = status
        for flag in _MEMBER_FLAGS:
            raw = raw_of(flag)
            if raw is not None and raw != "":
                value = take(flag, memo("bool", parse_bool, raw))
                if value is not None:
                    rec[flag] = value
        return rec


# ---------------------------------------------------------------- branches


@pytest.fixture
def roster(fresh_db, tmp_path):
    community = Community.create(name="望湖社区")
    for i, name in enumerate(BRANCHES):
        branch = Branch.create(name=name, category="estate", community=community, status="active", sort_order=i)
        if i < 2:
            BuildingGroup.create(branch=branch, name="1号楼党小组", status="active", sort_order=1)
    path = tmp_path / "messy.xlsx"
    make_messy_roster(path, 5000, BRANCHES)
    return path


def _content(result: importing.ImportPreview) -> tuple:
    return ([(r.sheet, r.row, r.cells, r.record, r.problems) for r in result.rows], result.actions,
            result.file_problems)


def test_fast_member_rows_equal_the_plain_ones(roster, monkeypatch):
    fast = importing.preview(roster, "members", today=TODAY)
    monkeypatch.setitem(kinds.KINDS, "members", dataclasses.replace(kinds.KINDS["members"],
                                                                    normaliser=PlainMemberNormaliser))
    plain = importing.preview(roster, "members", today=TODAY)
    assert _content(fast) == _content(plain)
    # the file exercises both ways: clean rows, errors, warnings, updates of stored members
    assert len(fast.valid_rows) > 500 and len(fast.errors) > 500 and len(fast.warnings) > 500
    assert {p.column for p in fast.problems} >= {"姓名", "性别", "出生日期", "公民身份号码", "入党日期", "所在党支部",
                                                  "联系电话", "失联党员"}


def test_second_import_plans_the_same_updates(roster, monkeypatch):
    importing.commit(importing.preview(roster, "members", today=TODAY), skip_invalid=True)
    fast = importing.preview(roster, "members", today=TODAY)
    monkeypatch.setitem(kinds.KINDS, "members", dataclasses.replace(kinds.KINDS["members"],
                                                                    normaliser=PlainMemberNormaliser))
    plain = importing.preview(roster, "members", today=TODAY)
    assert _content(fast) == _content(plain)
    assert fast.count(import_service.UNCHANGED) > 500


def _plain_insert_rows(records: list[dict], groups, now: str) -> list[tuple]:
    out = []
    for rec in records:
        values = [import_service._db(rec.get(name, default)) for name, default in import_service._MEMBER_INSERT_DEFAULTS]
        group = groups.ids.get((rec["branch_id"], _key(rec["group_name"]))) if rec.get("group_name") else None
        out.append((*values, rec["id_number"], group, now, now))
    return out


def test_insert_parameters_equal_a_per_row_build(roster):
    records = [r.record for r in importing.preview(roster, "members", today=TODAY).valid_rows]
    groups = import_service._Groups()
    fast = import_service._member_insert_rows(records, groups, "2026-11-22T10:00:00")
    assert fast == _plain_insert_rows(records, groups, "2026-11-22T10:00:00")
    assert any(row[MEMBER_INDEX["birth_date"]] for row in fast) and any(isinstance(v, int) for row in fast for v in row)


MEMBER_INDEX = {name: i for i, name in enumerate(import_service.MEMBER_FIELDS)}
