"""The lock-out on the program's own clock, no password in clear in the database, its
backups or anything in the log folder (the window's login, the command line and the
services), and restoring a backup as an administrators' action (SPEC §10, issue 12)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from models import Account, AuditEvent, Community, db
from wanghu_desk import cli, database, logs, paths
from wanghu_desk.errors import PermissionDenied
from wanghu_desk.services import accounts
from wanghu_desk.services.base import acting_as

ADMIN_PASSWORD = "Wanghu-admin-0815"
CLERK_PASSWORD = "lu-clerk-secret-4"


pytestmark = pytest.mark.usefixtures("quick_hashes")  # cheap argon2 (tests/conftest.py)


class Clock:
    """Stands in for `accounts._clock`: the time only moves when the test says so."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: int) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(dt.datetime(2026, 11, 22, 8, 30, 0))
    monkeypatch.setattr(accounts, "_clock", fake)
    return fake


@pytest.fixture
def clerk(fresh_db) -> int:
    admin = accounts.create_first_admin(ADMIN_PASSWORD, display_name="王主任")
    with acting_as(admin):
        return accounts.add_account("lu", "陆录入", "clerk", CLERK_PASSWORD)


def _wrong(times: int, username: str = "lu") -> str:
    message = ""
    for _ in range(times):
        with pytest.raises(accounts.LoginError) as info:
            accounts.authenticate(username, "not-the-password")
        message = info.value.message
    return message


def test_five_wrong_passwords_lock_the_account_for_five_minutes_of_the_clock(clerk, clock):
    assert "再输错 1 次" in _wrong(4)
    clock.advance(minutes=3)  # wrong passwords spread over minutes still count
    assert "已锁定 5 分钟" in _wrong(1)
    assert Account.get_by_id(clerk).locked_until == "2026-11-22T08:38:00"
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(accounts.LoginError) as info:
        accounts.authenticate("lu", CLERK_PASSWORD)  # even the right password, while locked
    assert "请 1 分钟后再试" in info.value.message
    assert [r.status for r in accounts.list_accounts() if r.id == clerk] == ["已锁定"]
    clock.advance(seconds=2)
    assert accounts.authenticate("lu", CLERK_PASSWORD).role == "clerk"
    stored = Account.get_by_id(clerk)
    assert (stored.failed_logins, stored.locked_until, stored.last_login_at) == (0, None, "2026-11-22T08:38:01")
    # the lock that ran out starts the count again: four more wrong ones do not lock
    assert "再输错 1 次" in _wrong(4)
    assert Account.get_by_id(clerk).locked_until is None


def test_a_locked_account_is_not_even_checked_and_says_how_long(clerk, clock, monkeypatch):
    _wrong(5)
    checked = []
    monkeypatch.setattr(accounts, "_verify", lambda stored, password: checked.append(password) or True)
    clock.advance(minutes=1)
    with pytest.raises(accounts.LoginError) as info:
        accounts.authenticate("lu", CLERK_PASSWORD)
    assert "请 4 分钟后再试" in info.value.message and checked == []
    events = [e.action for e in AuditEvent.select().where(AuditEvent.entity == "account").order_by(AuditEvent.id)]
    assert events[-5:] == ["login_failed"] * 4 + ["lock"]


def _everything_written(db_path) -> dict[str, bytes]:
    """The bytes of the database (and its WAL), its backups and every file in the log folder."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    blobs = {}
    for path in [db_path, db_path.with_name(db_path.name + "-wal")]:
        if path.exists():
            blobs[str(path.name)] = path.read_bytes()
    for folder in (db_path.parent / "backups", paths.log_dir()):
        if folder.exists():
            for path in folder.rglob("*"):
                if path.is_file():
                    blobs[str(path)] = path.read_bytes()
    return blobs


def test_no_password_in_clear_in_the_database_its_backups_or_the_log_folder(clerk, fresh_db, monkeypatch, capsys):
    logs.setup_logging()
    secrets = [ADMIN_PASSWORD, CLERK_PASSWORD, "typed-wrong-9", "reset-by-admin-5", "changed-myself-6"]
    with pytest.raises(accounts.LoginError):
        accounts.authenticate("lu", "typed-wrong-9")
    with acting_as(accounts.authenticate("admin", ADMIN_PASSWORD)):
        accounts.reset_password(clerk, "reset-by-admin-5")
    with acting_as(accounts.authenticate("lu", "reset-by-admin-5")):
        accounts.change_own_password("reset-by-admin-5", "changed-myself-6")
    database.auto_backup("manual")
    path = fresh_db.path
    database.close_database()
    # the command line: the password from the environment, a wrong one, then the right one
    monkeypatch.setenv(cli.PASSWORD_ENV, "typed-wrong-9")
    assert cli.main(["--db", str(path), "--user", "lu", "stats"]) != 0
    monkeypatch.setenv(cli.PASSWORD_ENV, "changed-myself-6")
    assert cli.main(["--db", str(path), "--user", "lu", "stats"]) == 0
    capsys.readouterr()
    database.open_database(path, backups_dir=path.parent / "backups")
    logins = [e.action for e in AuditEvent.select().where(AuditEvent.entity == "account").order_by(AuditEvent.id)]
    assert logins[-2:] == ["login_failed", "login"]  # the command line did log in as lu

    blobs = _everything_written(path)
    assert any("backups" in name for name in blobs) and any(name.endswith(".log") for name in blobs)
    for where, blob in blobs.items():
        for secret in secrets:
            assert secret.encode("utf-8") not in blob, (where, secret)
            assert secret.encode("utf-16-le") not in blob, (where, secret)
    log_text = b"".join(blob for name, blob in blobs.items() if ".log" in name).decode("utf-8", "replace")
    assert "账号 lu 密码错误" in log_text  # the failures are logged, by name only
    hashes = [h for (h,) in Account.select(Account.password_hash).tuples()]
    assert all(h.startswith("$argon2id$") for h in hashes)
    events = " ".join(f"{e.before_json} {e.after_json} {e.note}" for e in AuditEvent.select())
    assert "argon2" not in events and all(secret not in events for secret in secrets)


def test_restoring_a_backup_is_for_administrators_only(clerk, fresh_db, tmp_path):
    Community.create(name="望湖社区")
    backup = database.backup_to(tmp_path / "备份.db")
    Community.create(name="南湖社区")
    backups_before = sorted(fresh_db.backups_dir.glob("*")) if fresh_db.backups_dir.exists() else []
    with acting_as(accounts.authenticate("admin", ADMIN_PASSWORD)):
        accounts.add_account("kan", "阚查看", "viewer", "kan-viewer-pass-3")
    for actor in (accounts.authenticate("lu", CLERK_PASSWORD), accounts.authenticate("kan", "kan-viewer-pass-3")):
        with acting_as(actor), pytest.raises(PermissionDenied) as info:
            database.restore_from(backup)
        assert "只有管理员" in info.value.message
    assert sorted(c.name for c in Community.select()) == ["南湖社区", "望湖社区"]
    after = sorted(fresh_db.backups_dir.glob("*")) if fresh_db.backups_dir.exists() else []
    assert after == backups_before  # refused before the safety backup was even taken
    with acting_as(accounts.authenticate("admin", ADMIN_PASSWORD)):
        safety = database.restore_from(backup)
    assert safety.exists() and [c.name for c in Community.select()] == ["望湖社区"]
