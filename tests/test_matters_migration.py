"""Migration 4 (居民事项) from the version-3 schema: backed up, existing data kept, the new
tables empty, writable and constrained."""

from __future__ import annotations

import sqlite3

import peewee as pw
import pytest

from models import Matter, MatterStep, db
from models.migrations import MIGRATIONS, migrate
from wanghu_desk import database


def _version_3_database(path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, 0, MIGRATIONS[:3]) == [1, 2, 3]
    conn.execute("INSERT INTO community (id, name, sort_order) VALUES (1, '望湖社区', 1)")
    conn.execute("INSERT INTO estate (id, name, community_id, kind, households, sort_order) "
                 "VALUES (1, '望湖城北苑', 1, 'commercial', 500, 1)")
    conn.close()


def test_migration_4_adds_the_matters_to_a_version_3_database(tmp_path):
    assert [m.version for m in MIGRATIONS][3] == 4
    path = tmp_path / "v3.db"
    _version_3_database(path)
    assert database.inspect_file(path).user_version == 3
    with database.opened(path, backups_dir=tmp_path / "bk") as handle:
        assert 4 in handle.migrated
        tables = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"matter", "matter_category", "matter_step", "matter_escalation"} <= tables
        assert db.execute_sql("SELECT name FROM estate").fetchall() == [("望湖城北苑",)]
        assert Matter.select().count() == 0
        matter = Matter.create(year=2026, seq=1, number="SM2026-0001", kind="qr_report", content="楼道灯不亮",
                               received_on="2026-03-01", state="accept", estate=1)
        MatterStep.create(matter=matter, step="accept", step_on="2026-03-01")
        with pytest.raises(pw.IntegrityError):  # one number per kind, year and sequence
            Matter.create(year=2026, seq=1, number="SM2026-0001b", kind="qr_report", content="x",
                          received_on="2026-03-01", state="accept")
        with pytest.raises(pw.IntegrityError):  # the estate must exist
            Matter.create(year=2026, seq=2, number="SM2026-0002", kind="qr_report", content="x",
                          received_on="2026-03-01", state="accept", estate=99)
        assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    (backup,) = (tmp_path / "bk").glob("*before-migration.db")
    assert database.inspect_file(backup).user_version == 3


def test_migration_4_and_its_version_bump_are_one_step(tmp_path):
    path = tmp_path / "v3.db"
    _version_3_database(path)
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, 3, MIGRATIONS[:4]) == [4]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    assert conn.execute("SELECT COUNT(*) FROM matter").fetchone()[0] == 0
    conn.close()
