"""Migration 5 (双报到 / 三单制) from the version-4 schema: existing data kept, the new tables
empty, writable and constrained."""

from __future__ import annotations

import sqlite3

import peewee as pw
import pytest

from models import db
from models.migrations import MIGRATIONS, migrate
from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from wanghu_desk import database


def _version_4_database(path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, 0, MIGRATIONS[:4]) == [1, 2, 3, 4]
    conn.execute("INSERT INTO community (id, name, sort_order) VALUES (1, '望湖社区', 1)")
    conn.execute("INSERT INTO branch (id, name, category, status, sort_order) VALUES (1, '望湖城小区党支部', 'estate', 'active', 1)")
    conn.execute("INSERT INTO member (id, name, name_initials, id_number, category, branch_id, status, is_lost_contact,"
                 " is_floating, is_center_household, reported_at_residence, created_at, updated_at)"
                 " VALUES (1, '张三', 'zs', '11010519491231002X', 'full', 1, 'active', 0, 0, 0, 1, 'x', 'x')")
    conn.close()


def test_migration_5_adds_the_reporting_tables_and_keeps_the_data(tmp_path):
    assert [m.version for m in MIGRATIONS][4] == 5
    path = tmp_path / "v4.db"
    _version_4_database(path)
    with database.opened(path, backups_dir=tmp_path / "bk") as handle:
        assert 5 in handle.migrated
        assert db.execute_sql("SELECT name, reported_at_residence FROM member").fetchall() == [("张三", 1)]
        assert ReportingMember.select().count() == 0
        ReportingMember.create(member=1, work_unit="区财政局", community=1, reported_on="2026-03-01")
        with pytest.raises(pw.IntegrityError):  # one registration per member
            ReportingMember.create(member=1, work_unit="区财政局", community=1, reported_on="2026-03-02")
        order = ReportingOrder.create(year=2026, seq=1, number="DD2026-0001", content="帮老人取药",
                                      ordered_on="2026-03-02", state="ordered")
        ReportingOrderMember.create(order=order, member=1)
        with pytest.raises(pw.IntegrityError):  # the member must exist
            ReportingOrderMember.create(order=order, member=99)
        assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_migration_5_and_its_version_bump_are_one_step(tmp_path):
    path = tmp_path / "v4.db"
    _version_4_database(path)
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, 4, MIGRATIONS[:5]) == [5]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 5
    assert conn.execute("SELECT COUNT(*) FROM reporting_order").fetchone()[0] == 0
    conn.close()
