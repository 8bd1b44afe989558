"""Database lifecycle: open, refuse, lock, migrate, back up, restore, survive a kill."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from models import Community, db
from models.migrations import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Migration, migrate
from wanghu_desk import database, errors

ROOT = Path(__file__).resolve().parent.parent


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_foreign_db(path: Path, *, user_version: int = 0, application_id: int = 0) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.execute(f"PRAGMA application_id = {application_id}")
    conn.commit()
    conn.close()


# ---------------------------------------------------------------- opening


def test_new_database_is_created_with_wal_foreign_keys_and_version(tmp_path):
    path = tmp_path / "新建 数据库.db"  # Chinese characters and a space in the path just work
    with database.opened(path) as handle:
        assert handle.created and handle.migrated == list(range(1, SCHEMA_VERSION + 1))
        assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.schema_version() == SCHEMA_VERSION
        assert db.execute_sql("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    with database.opened(path) as handle:
        assert not handle.created and handle.migrated == []


def test_newer_database_is_refused_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "newer.db"
    make_foreign_db(path, user_version=SCHEMA_VERSION + 5, application_id=APPLICATION_ID)
    before = sha(path)
    with pytest.raises(errors.NewerDatabaseError) as info:
        database.open_database(path)
    assert "更新版本" in info.value.message and "未被改动" in info.value.message
    assert sha(path) == before
    assert not Path(str(path) + "-wal").exists()
    assert not Path(str(path) + ".lock").exists() or not database.DatabaseLock(path).held


def test_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "花名册.xlsx.db"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 10)
    before = sha(path)
    with pytest.raises(errors.NotOurDatabaseError):
        database.open_database(path)
    assert sha(path) == before


def test_sqlite_file_of_another_program_is_refused(tmp_path):
    path = tmp_path / "other.db"
    make_foreign_db(path, user_version=3)
    before = sha(path)
    with pytest.raises(errors.NotOurDatabaseError):
        database.open_database(path)
    assert sha(path) == before


def test_damaged_database_is_refused_with_advice(template_db, tmp_path):
    path = tmp_path / "damaged.db"
    data = bytearray(template_db.read_bytes())
    assert len(data) > 8192
    page = 4096
    data[page * 2 : page * 2 + 200] = os.urandom(200)  # scribble over a b-tree page
    path.write_bytes(bytes(data))
    with pytest.raises(errors.DamagedDatabaseError) as info:
        database.open_database(path)
    assert "备份" in info.value.message


def test_empty_file_becomes_a_new_database(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with database.opened(path) as handle:
        assert handle.created
        assert database.schema_version() == SCHEMA_VERSION


def test_missing_file_without_create_is_a_clear_error(tmp_path):
    with pytest.raises(errors.DatabaseRefused) as info:
        database.open_database(tmp_path / "nope.db", create=False)
    assert "找不到" in info.value.message


def test_read_only_file_is_refused_clearly(template_db, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    path = tmp_path / "ro.db"
    path.write_bytes(template_db.read_bytes())
    path.chmod(0o444)
    with pytest.raises(errors.ReadOnlyDatabaseError):
        database.open_database(path)


# ---------------------------------------------------------------- one instance per database


def test_second_open_of_the_same_database_is_refused(fresh_db):
    second = database.DatabaseLock(fresh_db.path)
    with pytest.raises(errors.DatabaseInUseError) as info:
        second.acquire()
    assert "另一个窗口" in info.value.message and str(os.getpid()) in info.value.message


def test_second_process_is_refused_while_the_first_holds_the_database(fresh_db):
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(fresh_db.path), "init"],
        capture_output=True, text=True, encoding="utf-8", timeout=60, cwd=ROOT,
    )
    assert result.returncode == 2
    assert "另一个窗口" in result.stderr
    assert "Traceback" not in result.stderr


def test_lock_is_released_on_close(tmp_path):
    path = tmp_path / "a.db"
    with database.opened(path):
        pass
    with database.opened(path):
        pass


# ---------------------------------------------------------------- migrations


def test_migrations_are_numbered_in_order():
    versions = [m.version for m in MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert versions[-1] == SCHEMA_VERSION


def test_a_next_migration_is_one_small_step(tmp_path, template_db):
    """The mechanism the next schema change will use: a step, its version, one transaction."""
    path = tmp_path / "old.db"
    path.write_bytes(template_db.read_bytes())

    def add_column(conn):
        conn.execute('ALTER TABLE "community" ADD COLUMN "grid_count" INTEGER NOT NULL DEFAULT 0')

    steps = [*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "社区增加网格数", add_column)]
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, SCHEMA_VERSION, steps) == [SCHEMA_VERSION + 1]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    columns = [r[1] for r in conn.execute('PRAGMA table_info("community")')]
    assert "grid_count" in columns
    conn.close()


def test_a_failing_migration_changes_nothing(tmp_path, template_db):
    path = tmp_path / "old.db"
    path.write_bytes(template_db.read_bytes())

    def half_then_fail(conn):
        conn.execute('ALTER TABLE "community" ADD COLUMN "x" INTEGER')
        raise RuntimeError("boom")

    steps = [*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "坏的一步", half_then_fail)]
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(RuntimeError):
        migrate(conn, SCHEMA_VERSION, steps)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "x" not in [r[1] for r in conn.execute('PRAGMA table_info("community")')]
    conn.close()


def test_opening_an_older_database_backs_it_up_then_migrates(tmp_path, monkeypatch, template_db):
    path = tmp_path / "old.db"
    path.write_bytes(template_db.read_bytes())

    def add_table(conn):
        conn.execute('CREATE TABLE "note_v2" ("id" INTEGER PRIMARY KEY, "text" TEXT)')

    import models.migrations as mig

    steps = [*MIGRATIONS, Migration(SCHEMA_VERSION + 1, "便签表", add_table)]
    monkeypatch.setattr(database, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(mig, "MIGRATIONS", steps)
    with database.opened(path, backups_dir=tmp_path / "bk") as handle:
        assert handle.migrated == [SCHEMA_VERSION + 1]
    backups = list((tmp_path / "bk").glob("*before-migration.db"))
    assert len(backups) == 1
    assert database.inspect_file(backups[0]).user_version == SCHEMA_VERSION


def _version_1_database(path: Path) -> None:
    """A database as version 1 of the program left it, with one member."""
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, 0, MIGRATIONS[:1]) == [1]
    conn.execute("INSERT INTO community (id, name, sort_order) VALUES (1, '望湖社区', 1)")
    conn.execute(
        "INSERT INTO branch (id, name, category, community_id, status, sort_order) "
        "VALUES (1, '望湖城北苑小区党支部', 'estate', 1, 'active', 1)"
    )
    conn.execute(
        "INSERT INTO member (id, name, name_initials, id_number, category, joined_on, branch_id, status, "
        "is_lost_contact, is_floating, is_center_household, reported_at_residence, created_at, updated_at) "
        "VALUES (1, '张三', 'zs', '11010519491231002X', 'probationary', '2025-07-01', 1, 'active', 0, 0, 0, 0, "
        "'2025-07-01T09:00:00', '2025-07-01T09:00:00')"
    )
    conn.close()


def test_migration_2_adds_the_probation_extension_to_a_version_1_database(tmp_path):
    """From the version-1 schema: backed up, migrated, members kept, extension empty and writable."""
    from models import Member

    assert [m.version for m in MIGRATIONS][:2] == [1, 2]
    path = tmp_path / "v1.db"
    _version_1_database(path)
    assert database.inspect_file(path).user_version == 1
    with database.opened(path, backups_dir=tmp_path / "bk") as handle:
        assert handle.migrated == list(range(2, SCHEMA_VERSION + 1))
        columns = {r[1]: r for r in db.execute_sql('PRAGMA table_info("member")')}
        assert columns["probation_extended_to"][2] == "DATE" and columns["probation_extended_to"][3] == 0
        assert columns["probation_extension_reason"][3] == 0  # nullable
        member = Member.get_by_id(1)
        assert (member.name, member.category, member.probation_extended_to) == ("张三", "probationary", None)
        assert member.probation_extension_reason is None
        member.probation_extended_to = dt.date(2027, 1, 1)
        member.probation_extension_reason = "支部大会决议延长预备期半年"
        member.save()
        assert Member.get_by_id(1).probation_extended_to == dt.date(2027, 1, 1)
        assert db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    (backup,) = (tmp_path / "bk").glob("*before-migration.db")
    assert database.inspect_file(backup).user_version == 1


def test_migration_2_and_its_version_bump_are_one_step(tmp_path):
    path = tmp_path / "v1.db"
    _version_1_database(path)
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, 1, MIGRATIONS[:2]) == [2]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT probation_extended_to, probation_extension_reason FROM member").fetchall() == [
        (None, None)
    ]
    conn.close()


# ---------------------------------------------------------------- backup and restore


def _dump() -> str:
    return "\n".join(db.connection().iterdump())


def test_backup_change_restore_gives_back_the_backed_up_content(fresh_db, tmp_path):
    Community.create(name="望湖社区")
    target = database.backup_to(tmp_path / "U盘" / "备份.db")
    saved = _dump()
    Community.create(name="南湖社区")
    Community.update(name="改名社区").where(Community.name == "望湖社区").execute()
    assert _dump() != saved

    safety = database.restore_from(target)
    assert _dump() == saved
    assert [c.name for c in Community.select()] == ["望湖社区"]
    # the content replaced by the restore was backed up first
    assert safety.exists()
    conn = sqlite3.connect(safety)
    assert sorted(r[0] for r in conn.execute("SELECT name FROM community")) == ["南湖社区", "改名社区"]
    conn.close()


def test_backup_is_a_single_healthy_file_even_in_wal_mode(fresh_db, tmp_path):
    Community.create(name="望湖社区")  # committed, still in the -wal file
    target = database.backup_to(tmp_path / "b.db")
    assert not Path(str(target) + "-wal").exists()
    info = database.inspect_file(target, full_check=True)
    assert info.is_ours and info.quick_check == "ok"
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT name FROM community").fetchall() == [("望湖社区",)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


@pytest.mark.parametrize("kind", ["text", "foreign", "newer", "damaged", "empty"])
def test_restoring_a_file_that_is_not_ours_is_refused_and_changes_nothing(fresh_db, tmp_path, kind, template_db):
    Community.create(name="望湖社区")
    bad = tmp_path / f"bad-{kind}.db"
    if kind == "text":
        bad.write_text("这不是数据库", encoding="utf-8")
    elif kind == "foreign":
        make_foreign_db(bad)
    elif kind == "newer":
        make_foreign_db(bad, user_version=SCHEMA_VERSION + 1, application_id=APPLICATION_ID)
    elif kind == "damaged":
        data = bytearray(template_db.read_bytes())
        data[8192:8392] = os.urandom(200)
        bad.write_bytes(bytes(data))
    else:
        bad.write_bytes(b"")
    before = _dump()
    backups_before = set(fresh_db.backups_dir.glob("*")) if fresh_db.backups_dir.exists() else set()
    with pytest.raises(errors.DatabaseRefused if kind != "empty" else errors.UserError) as info:
        database.restore_from(bad)
    assert info.value.message
    assert _dump() == before
    after = set(fresh_db.backups_dir.glob("*")) if fresh_db.backups_dir.exists() else set()
    assert after == backups_before  # refused before anything was done


def test_rotation_keeps_the_newest_thirty(fresh_db):
    for _ in range(33):
        database.auto_backup("daily")
    kept = database.list_backups(reason="daily")
    assert len(kept) == 30
    assert kept == sorted(kept, key=lambda p: p.name, reverse=True)


def test_daily_backup_is_taken_once_a_day(fresh_db):
    import datetime as dt

    first = database.ensure_daily_backup()
    assert first is not None and first.exists()
    assert database.ensure_daily_backup() is None
    assert database.ensure_daily_backup(today=dt.date.today() + dt.timedelta(days=1)) is not None


def test_open_with_daily_backup_backs_up_an_existing_database(template_db, tmp_path):
    path = tmp_path / "w.db"
    path.write_bytes(template_db.read_bytes())
    with database.opened(path, daily_backup=True, backups_dir=tmp_path / "bk"):
        pass
    assert len(list((tmp_path / "bk").glob("*-daily.db"))) == 1


def test_integrity_problems_empty_for_a_healthy_database(fresh_db):
    assert database.integrity_problems() == []


# ---------------------------------------------------------------- killed mid-transaction

WRITER = textwrap.dedent(
    """
    import sys
    from wanghu_desk import database
    from models import Community, db
    database.open_database(sys.argv[1])
    rows = [{"name": f"社区{i:06d}", "address": "x" * 200} for i in range(int(sys.argv[2]))]
    with db.atomic("IMMEDIATE"):
        for i in range(0, len(rows), 500):
            Community.insert_many(rows[i:i + 500]).execute()
            if i == 20000:
                print("midway", flush=True)
        print("inserted", flush=True)
        sys.stdin.readline()  # hold the transaction open until killed
    print("committed", flush=True)
    sys.stdin.readline()
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["midway", "inserted", "committed"])
def test_sigkill_during_a_large_write_leaves_all_or_nothing(tmp_path, when):
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("POSIX only")
    path = tmp_path / "k.db"
    with database.opened(path, lock=False):
        pass
    total = 60000
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(total)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT,
    )
    try:
        for line in proc.stdout:
            if line.strip() == "inserted" and when == "committed":
                proc.stdin.write("\n")
                proc.stdin.flush()
            if line.strip() == when:
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = conn.execute("SELECT count(*) FROM community").fetchone()[0]
    conn.close()
    assert count == (total if when == "committed" else 0)
    # and the program opens it normally afterwards (the lock died with the process)
    with database.opened(path):
        assert database.integrity_problems() == []


def test_read_only_file_message_without_touching_it(template_db, tmp_path, monkeypatch):
    """Same path as above for machines where the test runs as root (chmod is ignored)."""
    path = tmp_path / "ro.db"
    path.write_bytes(template_db.read_bytes())
    before = sha(path)
    real_access = os.access
    monkeypatch.setattr(database.os, "access", lambda p, mode: False if Path(p) == path else real_access(p, mode))
    with pytest.raises(errors.ReadOnlyDatabaseError) as info:
        database.open_database(path)
    assert "只读" in info.value.message
    assert sha(path) == before
