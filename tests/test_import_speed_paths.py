"""The bulk paths of the import service (issue 11 part 3): a large member insert builds
the table's indexes again instead of updating them row by row, and still refuses a
duplicate and leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Branch, Community, Member, db
from wanghu_desk.errors import ValidationError
from wanghu_desk.services import imports as import_service
from wanghu_desk.validation import id_check_char


def _drain(gen):
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def _indexes(table: str) -> list[tuple[str, str]]:
    return db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                          "AND sql IS NOT NULL ORDER BY name", (table,)).fetchall()


def _id(n: int) -> str:
    first17 = f"340104{dt.date(1960, 1, 1) + dt.timedelta(days=n):%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def branch_id(fresh_db) -> int:
    community = Community.create(name="望湖社区")
    return Branch.create(name="甲小区党支部", category="estate", community=community, status="active",
                         sort_order=1).id


def _records(branch_id: int, n: int) -> list[dict]:
    return [{"id_number": _id(i), "name": f"党员{i}", "name_initials": "dy", "branch_id": branch_id,
             "birth_date": dt.date(1960, 1, 1) + dt.timedelta(days=i), "joined_on": dt.date(1990, 7, 1),
             "is_floating": i % 2 == 0, "group_name": "1号楼党小组" if i % 3 == 0 else None}
            for i in range(n)]


def test_a_bulk_member_insert_rebuilds_the_same_indexes(branch_id, monkeypatch):
    monkeypatch.setattr(import_service, "_REINDEX_MIN", 5)
    before = _indexes("member")
    counts = _drain(import_service.commit("members", _records(branch_id, 30), source="t.xlsx", backup=False))
    assert counts.inserted == 30
    assert _indexes("member") == before
    assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    row = Member.get(Member.id_number == _id(4))
    assert (row.birth_date, row.is_floating, row.group_id is not None, row.category) == (
        dt.date(1960, 1, 5), True, False, "full")
    assert Member.get(Member.id_number == _id(3)).group_id is not None
    # a second, smaller import into the now larger table keeps the indexes in place
    more = _records(branch_id, 40)[30:]
    counts = _drain(import_service.commit("members", more, source="t2.xlsx", backup=False))
    assert counts.inserted == 10 and _indexes("member") == before


def test_a_duplicate_in_a_bulk_insert_is_refused_with_nothing_written(branch_id, monkeypatch):
    monkeypatch.setattr(import_service, "_REINDEX_MIN", 5)
    before = _indexes("member")
    records = _records(branch_id, 20)
    records.append(dict(records[7]))  # the row checks would have caught it; the unique index still does
    with pytest.raises(ValidationError):
        _drain(import_service.commit("members", records, source="t.xlsx", backup=False))
    assert Member.select().count() == 0
    assert _indexes("member") == before


def test_a_cancelled_bulk_insert_restores_the_indexes(branch_id, monkeypatch):
    monkeypatch.setattr(import_service, "_REINDEX_MIN", 5)
    monkeypatch.setattr(import_service, "_BATCH", 5)
    before = _indexes("member")
    gen = import_service.commit("members", _records(branch_id, 20), source="t.xlsx", backup=False)
    for _ in range(8):  # into the insert batches, after the indexes were dropped
        next(gen)
    assert _indexes("member") == []  # set aside inside the transaction
    gen.close()
    assert Member.select().count() == 0
    assert _indexes("member") == before
