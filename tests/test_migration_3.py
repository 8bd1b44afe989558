"""Migration 3: the account lock-out counter and lock time, from the version-2 schema."""

from __future__ import annotations

import sqlite3

from models import db
from models.migrations import MIGRATIONS, SCHEMA_VERSION, migrate
from wanghu_desk import database


def _version_2_database(path) -> None:
    """A database as version 2 of the program left it, with one account."""
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, 0, MIGRATIONS[:2]) == [1, 2]
    conn.execute(
        "INSERT INTO account (id, username, display_name, role, password_hash, is_active, created_at) "
        "VALUES (1, 'admin', '管理员', 'admin', NULL, 1, '2026-01-01T09:00:00')"
    )
    conn.close()


def test_migration_3_adds_the_lockout_columns_to_a_version_2_database(tmp_path):
    from models import Account

    assert [m.version for m in MIGRATIONS][:3] == [1, 2, 3]
    path = tmp_path / "v2.db"
    _version_2_database(path)
    assert database.inspect_file(path).user_version == 2
    with database.opened(path, backups_dir=tmp_path / "bk") as handle:
        assert handle.migrated == list(range(3, SCHEMA_VERSION + 1))
        columns = {r[1]: r for r in db.execute_sql('PRAGMA table_info("account")')}
        assert columns["failed_logins"][3] == 1  # NOT NULL, default 0
        assert columns["locked_until"][3] == 0
        account = Account.get_by_id(1)
        assert (account.username, account.role, account.failed_logins, account.locked_until) == (
            "admin",
            "admin",
            0,
            None,
        )
        account.failed_logins = 5
        account.locked_until = "2026-01-01T09:05:00"
        account.save()
        assert Account.get_by_id(1).failed_logins == 5
        assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    (backup,) = (tmp_path / "bk").glob("*before-migration.db")
    assert database.inspect_file(backup).user_version == 2


def test_migration_3_and_its_version_bump_are_one_step(tmp_path):
    path = tmp_path / "v2.db"
    _version_2_database(path)
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, 2, MIGRATIONS[:3]) == [3]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    assert conn.execute("SELECT failed_logins, locked_until FROM account").fetchall() == [(0, None)]
    conn.close()
