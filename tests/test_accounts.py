"""Accounts: the first administrator, logging in, the lock after five wrong passwords,
administering accounts, and no password in clear anywhere."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from models import Account, AuditEvent, db
from wanghu_desk import logs, paths
from wanghu_desk.errors import PermissionDenied, ValidationError
from wanghu_desk.services import accounts, audit_log
from wanghu_desk.services.base import NOBODY, Actor, acting_as, current_actor

T0 = dt.datetime(2026, 11, 22, 9, 0, 0)
ADMIN_PASSWORD = "望湖-Admin-2026"
CLERK_PASSWORD = "clerk-secret-77"


pytestmark = pytest.mark.usefixtures("quick_hashes")  # cheap argon2 (tests/conftest.py)


REAL_HASHER = accounts._hasher


def test_the_real_hasher_is_memory_hard():
    hasher = REAL_HASHER
    assert hasher.type.name == "ID" and hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2


@pytest.fixture
def admin(fresh_db) -> Actor:
    actor = accounts.create_first_admin(ADMIN_PASSWORD, username="admin", display_name="王主任")
    with acting_as(actor):
        yield actor


def test_a_new_database_needs_its_administrator_once(fresh_db):
    assert accounts.needs_setup()
    actor = accounts.create_first_admin(ADMIN_PASSWORD)
    assert actor.is_admin and actor.account_id is not None
    assert not accounts.needs_setup()
    with pytest.raises(PermissionDenied):
        accounts.create_first_admin("another-password")
    event = AuditEvent.get(AuditEvent.entity == "account", AuditEvent.action == "setup")
    assert event.account_name == "admin" and event.account_id == actor.account_id


def test_first_password_follows_the_rules_and_nothing_is_written_when_refused(fresh_db):
    for bad, words in (("", "请输入密码"), ("12345", "至少 6 位"), ("aaaaaaaa", "同一个字符")):
        with pytest.raises(ValidationError) as info:
            accounts.create_first_admin(bad)
        assert words in info.value.message
    assert Account.select().count() == 0 and AuditEvent.select().count() == 0
    assert accounts.needs_setup()


def test_login_with_the_right_password_gives_the_account(admin):
    actor = accounts.authenticate("admin", ADMIN_PASSWORD, now=T0)
    assert (actor.username, actor.display_name, actor.role) == ("admin", "王主任", "admin")
    assert Account.get(Account.username == "admin").last_login_at == T0.isoformat()


def test_wrong_passwords_say_how_many_tries_are_left(admin):
    with pytest.raises(accounts.LoginError) as info:
        accounts.authenticate("admin", "wrong-one", now=T0)
    assert "再输错 4 次" in info.value.message
    with pytest.raises(accounts.LoginError) as info:
        accounts.authenticate("nobody", "wrong-one", now=T0)
    assert info.value.message == "账号或密码不正确，请重新输入。"


def test_five_wrong_passwords_lock_the_account_for_five_minutes(admin):
    for _ in range(4):
        with pytest.raises(accounts.LoginError):
            accounts.authenticate("admin", "wrong-one", now=T0)
    with pytest.raises(accounts.LoginError) as info:
        accounts.authenticate("admin", "wrong-one", now=T0)
    assert "锁定 5 分钟" in info.value.message
    stored = Account.get(Account.username == "admin")
    assert stored.locked_until == (T0 + dt.timedelta(minutes=5)).isoformat()
    # even the right password is refused while locked, and says how long to wait
    with pytest.raises(accounts.LoginError) as info:
        accounts.authenticate("admin", ADMIN_PASSWORD, now=T0 + dt.timedelta(minutes=2))
    assert "3 分钟后再试" in info.value.message
    # after five minutes the right password works and clears the count
    actor = accounts.authenticate("admin", ADMIN_PASSWORD, now=T0 + dt.timedelta(minutes=5, seconds=1))
    assert actor.is_admin
    stored = Account.get(Account.username == "admin")
    assert (stored.failed_logins, stored.locked_until) == (0, None)
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.entity == "account").order_by(AuditEvent.id)]
    assert actions == ["setup"] + ["login_failed"] * 4 + ["lock", "login"]


def test_the_lock_survives_a_restart(admin, fresh_db, tmp_path):
    """The count and the lock are in the database (migration 3), not in memory."""
    from wanghu_desk import database

    for _ in range(accounts.MAX_WRONG_PASSWORDS):
        with pytest.raises(accounts.LoginError):
            accounts.authenticate("admin", "wrong-one", now=T0)
    path = fresh_db.path
    database.close_database()
    database.open_database(path, backups_dir=tmp_path / "bk")
    with pytest.raises(accounts.LoginError) as info:
        accounts.authenticate("admin", ADMIN_PASSWORD, now=T0 + dt.timedelta(minutes=1))
    assert "已锁定" in info.value.message


def test_a_right_password_resets_the_count(admin):
    for _ in range(3):
        with pytest.raises(accounts.LoginError):
            accounts.authenticate("admin", "wrong-one", now=T0)
    accounts.authenticate("admin", ADMIN_PASSWORD, now=T0)
    for _ in range(4):
        with pytest.raises(accounts.LoginError):
            accounts.authenticate("admin", "wrong-one", now=T0)
    assert Account.get(Account.username == "admin").locked_until is None


def test_admin_adds_disables_enables_and_resets_accounts(admin):
    clerk_id = accounts.add_account("lixiao", "李晓", "clerk", CLERK_PASSWORD)
    clerk = accounts.authenticate("lixiao", CLERK_PASSWORD, now=T0)
    assert (clerk.role, clerk.account_id) == ("clerk", clerk_id)
    with pytest.raises(ValidationError) as info:
        accounts.add_account("lixiao", "另一个李晓", "viewer", CLERK_PASSWORD)
    assert "已有人用" in info.value.message

    accounts.set_account_active(clerk_id, False)
    with pytest.raises(accounts.LoginError) as info:
        accounts.authenticate("lixiao", CLERK_PASSWORD, now=T0)
    assert "已停用" in info.value.message
    accounts.set_account_active(clerk_id, True)

    for _ in range(accounts.MAX_WRONG_PASSWORDS):
        with pytest.raises(accounts.LoginError):
            accounts.authenticate("lixiao", "wrong-one", now=T0)
    assert [r.status for r in accounts.list_accounts(now=T0) if r.id == clerk_id] == ["已锁定"]
    accounts.reset_password(clerk_id, "fresh-start-1")
    assert accounts.authenticate("lixiao", "fresh-start-1", now=T0).role == "clerk"

    accounts.update_account(clerk_id, display_name="李晓燕", role="viewer")
    rows = {r.username: r for r in accounts.list_accounts(now=T0)}
    assert (rows["lixiao"].display_name, rows["lixiao"].role_label, rows["lixiao"].status) == ("李晓燕", "查看", "正常")
    assert [r.username for r in accounts.list_accounts()][0] == "admin"  # administrators first


def test_the_last_administrator_and_oneself_stay(admin):
    with pytest.raises(ValidationError) as info:
        accounts.set_account_active(admin.account_id, False)
    assert "正在使用" in info.value.message
    with pytest.raises(ValidationError) as info:
        accounts.update_account(admin.account_id, display_name="王主任", role="clerk")
    assert "唯一的管理员" in info.value.message
    other = accounts.add_account("zhang", "张书记", "admin", "zhang-pass-1")
    accounts.update_account(admin.account_id, display_name="王主任", role="clerk")  # now allowed
    with acting_as(accounts.authenticate("zhang", "zhang-pass-1")), pytest.raises(ValidationError):
        accounts.set_account_active(other, False)


def test_account_administration_is_for_administrators_only(admin):
    clerk_id = accounts.add_account("lixiao", "李晓", "clerk", CLERK_PASSWORD)
    accounts.add_account("kan", "看看", "viewer", "viewer-pass-1")
    before = AuditEvent.select().count()
    for username, password in (("lixiao", CLERK_PASSWORD), ("kan", "viewer-pass-1")):
        actor = accounts.authenticate(username, password)
        with acting_as(actor):
            for call in (
                lambda: accounts.add_account("x1", "某某", "admin", "someone-1"),
                lambda: accounts.update_account(clerk_id, display_name="某某", role="admin"),
                lambda: accounts.set_account_active(clerk_id, False),
                lambda: accounts.reset_password(clerk_id, "taken-over-1"),
                lambda: accounts.set_single_user_mode(True),
                lambda: accounts.list_accounts(),
                lambda: audit_log.search(),
            ):
                with pytest.raises(PermissionDenied):
                    call()
    logins = AuditEvent.select().where(AuditEvent.action == "login").count()
    assert AuditEvent.select().count() == before + logins == before + 2
    assert accounts.authenticate("lixiao", CLERK_PASSWORD).role == "clerk"


def test_everyone_changes_their_own_password_knowing_the_old_one(admin):
    accounts.add_account("kan", "看看", "viewer", "viewer-pass-1")
    viewer = accounts.authenticate("kan", "viewer-pass-1")
    with acting_as(viewer):
        with pytest.raises(ValidationError) as info:
            accounts.change_own_password("not-the-old", "viewer-pass-2")
        assert "原密码不正确" in info.value.message
        accounts.change_own_password("viewer-pass-1", "viewer-pass-2")
    assert accounts.authenticate("kan", "viewer-pass-2").username == "kan"
    with acting_as(NOBODY), pytest.raises(PermissionDenied):
        accounts.change_own_password("viewer-pass-2", "viewer-pass-3")


def test_single_user_mode_is_off_by_default_and_acts_as_the_administrator(admin):
    assert not accounts.single_user_mode()
    accounts.set_single_user_mode(True)
    assert accounts.single_user_mode()
    assert accounts.single_user_actor() == admin
    accounts.set_single_user_mode(False)
    assert not accounts.single_user_mode()


def test_nobody_logged_in_may_write_nothing(fresh_db):
    from wanghu_desk.services import settings

    with acting_as(NOBODY):
        assert current_actor().role == "none"
        with pytest.raises(PermissionDenied) as info:
            settings.put("organization.name", "别的街道")
        assert "登录" in info.value.message


def _log_text() -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in paths.log_dir().glob("*.log*"))


def test_no_password_in_clear_in_the_database_the_audit_log_or_the_log_file(admin, fresh_db):
    logs.setup_logging()
    clerk_id = accounts.add_account("lixiao", "李晓", "clerk", CLERK_PASSWORD)
    accounts.reset_password(clerk_id, "second-secret-9")
    accounts.authenticate("lixiao", "second-secret-9")
    with pytest.raises(accounts.LoginError):
        accounts.authenticate("lixiao", "typed-wrongly-3")
    with acting_as(accounts.authenticate("lixiao", "second-secret-9")):
        accounts.change_own_password("second-secret-9", "third-secret-8")
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = Account.get_by_id(clerk_id).password_hash
    assert stored.startswith("$argon2id$")
    secrets = [ADMIN_PASSWORD, CLERK_PASSWORD, "second-secret-9", "typed-wrongly-3", "third-secret-8"]
    blobs = {"数据库": fresh_db.path.read_bytes()}
    wal = fresh_db.path.with_name(fresh_db.path.name + "-wal")
    if wal.exists():
        blobs["WAL"] = wal.read_bytes()
    blobs["日志"] = _log_text().encode("utf-8")
    events = " ".join(f"{e.before_json} {e.after_json} {e.note}" for e in AuditEvent.select())
    blobs["操作日志"] = events.encode("utf-8")
    assert "argon2" not in events
    for where, blob in blobs.items():
        for secret in secrets:
            assert secret.encode("utf-8") not in blob, (where, secret)
    assert "lixiao" in _log_text()  # the log does record the logins, by name


def test_audit_log_names_account_events_in_chinese(admin):
    clerk_id = accounts.add_account("lixiao", "李晓", "clerk", CLERK_PASSWORD)
    accounts.update_account(clerk_id, display_name="李晓", role="viewer")
    entries, more = audit_log.search(entity="account", action="update")
    assert not more
    (entry,) = entries
    assert (entry.entity, entry.action, entry.account) == ("账号", "修改", "王主任")
    assert entry.details == "角色：录入员 → 查看"
