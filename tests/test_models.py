"""The schema: models agree with the migrations; constraints hold at the database level."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest

from models import ALL_TABLES, Branch, Community, Fund, LedgerEntry, Member, db


def _declared_columns(model) -> dict[str, bool]:
    return {f.column_name: f.null for f in model._meta.sorted_fields}


def test_models_match_the_schema_the_migrations_build(fresh_db):
    for model in ALL_TABLES:
        table = model._meta.table_name
        actual = {row[1]: not row[3] for row in db.execute_sql(f'PRAGMA table_info("{table}")')}
        declared = _declared_columns(model)
        # primary keys are NOT NULL in both; compare names and nullability
        assert set(actual) == set(declared), table
        for column, nullable in declared.items():
            if column == model._meta.primary_key.column_name:
                continue
            assert actual[column] == nullable, f"{table}.{column}"


def test_every_foreign_key_of_the_models_exists_in_the_schema(fresh_db):
    for model in ALL_TABLES:
        table = model._meta.table_name
        actual = {(r[3], r[2]) for r in db.execute_sql(f'PRAGMA foreign_key_list("{table}")')}
        for fld in model._meta.sorted_fields:
            if isinstance(fld, (pw.ForeignKeyField, pw.DeferredForeignKey)):
                target = fld.rel_model._meta.table_name
                assert (fld.column_name, target) in actual, f"{table}.{fld.column_name}"


def _branch(name="望湖城小区党支部"):
    community = Community.create(name=f"社区{name}")
    return Branch.create(name=name, category="estate", community=community)


def _member(branch, id_number="11010519491231002X", name="张三"):
    return Member.create(name=name, id_number=id_number, branch=branch)


def test_member_id_number_is_unique(fresh_db):
    branch = _branch()
    _member(branch)
    with pytest.raises(pw.IntegrityError), db.atomic():
        _member(branch, name="李四")


def test_branch_names_are_unique(fresh_db):
    _branch("甲支部")
    with pytest.raises(pw.IntegrityError), db.atomic():
        Branch.create(name="甲支部", category="other")


def test_foreign_keys_are_enforced(fresh_db):
    with pytest.raises(pw.IntegrityError), db.atomic():
        Member.create(name="王五", id_number="440524188001010014", branch=9999)
    branch = _branch()
    _member(branch)
    with pytest.raises(pw.IntegrityError), db.atomic():
        branch.delete_instance()  # members still hang below it


def test_ledger_entries_are_immutable_in_the_database(fresh_db):
    branch = _branch()
    fund = Fund.create(name="小区党组织服务群众专项经费", minimum_fen=1_000_000)
    entry = LedgerEntry.create(
        branch=branch, fund=fund, year=2026, voucher_no=1, entry_date=dt.date(2026, 1, 5),
        kind="allocation", subject="other", summary="年度拨付", amount_fen=1_000_000,
    )
    with pytest.raises(pw.DatabaseError), db.atomic():
        LedgerEntry.update(amount_fen=1).where(LedgerEntry.id == entry.id).execute()
    with pytest.raises(pw.DatabaseError), db.atomic():
        entry.delete_instance()
    assert LedgerEntry.get_by_id(entry.id).amount_fen == 1_000_000


def test_money_cannot_be_zero_or_negative(fresh_db):
    branch = _branch()
    fund = Fund.create(name="经费")
    with pytest.raises(pw.IntegrityError), db.atomic():
        LedgerEntry.create(
            branch=branch, fund=fund, year=2026, voucher_no=1, entry_date=dt.date(2026, 1, 5),
            kind="expense", subject="other", summary="x", amount_fen=-5,
        )


def test_roster_search_columns_are_indexed(fresh_db):
    indexed = {r[1] for r in db.execute_sql('PRAGMA index_list("member")')}
    for column in ("name", "name_initials", "phone", "branch_id", "group_id", "status", "category"):
        assert f"member_{column}" in indexed
