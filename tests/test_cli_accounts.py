"""The command line acts as an account: `--user NAME`, the password from the environment."""

from __future__ import annotations

import pytest

from models import AuditEvent
from wanghu_desk import cli, database
from wanghu_desk.services import accounts, base

ADMIN_PASSWORD = "admin-cli-2026"


pytestmark = pytest.mark.usefixtures("quick_hashes")  # cheap argon2 (tests/conftest.py)


def run(*args: str) -> int:
    return cli.main(list(args))


@pytest.fixture
def protected_db(tmp_path, monkeypatch, capsys):
    """A database whose administrator was created by `init`, plus a clerk and a viewer."""
    path = tmp_path / "w.db"
    monkeypatch.setenv(cli.PASSWORD_ENV, ADMIN_PASSWORD)
    assert run("--db", str(path), "init") == 0
    assert "已创建管理员账号「admin」" in capsys.readouterr().out
    with database.opened(path, lock=False), base.acting_as(accounts.authenticate("admin", ADMIN_PASSWORD)):
        accounts.add_account("clerk", "录入员甲", "clerk", "clerk-pass-1")
        accounts.add_account("viewer", "查看者乙", "viewer", "viewer-pass-1")
    monkeypatch.delenv(cli.PASSWORD_ENV)
    return path


def test_init_without_a_password_leaves_the_administrator_to_the_window(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)
    path = tmp_path / "w.db"
    assert run("--db", str(path), "init") == 0
    assert "第一次打开窗口时设置" in capsys.readouterr().out
    with database.opened(path, lock=False):
        assert accounts.needs_setup()
    # an unprotected database works as before, acting as the administrator
    assert run("--db", str(path), "stats") == 0


def test_a_protected_database_needs_a_user_and_the_right_password(protected_db, capsys, monkeypatch):
    assert run("--db", str(protected_db), "stats") == 2
    assert "--user" in capsys.readouterr().err
    assert run("--db", str(protected_db), "--user", "admin", "stats") == 2  # no password, no terminal
    assert cli.PASSWORD_ENV in capsys.readouterr().err
    monkeypatch.setenv(cli.PASSWORD_ENV, "wrong-password")
    assert run("--db", str(protected_db), "--user", "admin", "stats") == 1
    assert "不正确" in capsys.readouterr().err
    monkeypatch.setenv(cli.PASSWORD_ENV, ADMIN_PASSWORD)
    assert run("--db", str(protected_db), "--user", "admin", "stats") == 0
    assert "党支部" in capsys.readouterr().out
    assert base.session_actor() == base.SYSTEM_ADMIN  # the command's login ended with it


def test_the_password_prompt_is_used_on_a_terminal(protected_db, capsys, monkeypatch):
    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: "viewer-pass-1")
    assert run("--db", str(protected_db), "--user", "viewer", "stats") == 0


def test_the_command_line_counts_wrong_passwords_too(protected_db, capsys, monkeypatch):
    monkeypatch.setenv(cli.PASSWORD_ENV, "wrong-password")
    for _ in range(accounts.MAX_WRONG_PASSWORDS):
        assert run("--db", str(protected_db), "--user", "clerk", "stats") == 1
    monkeypatch.setenv(cli.PASSWORD_ENV, "clerk-pass-1")
    assert run("--db", str(protected_db), "--user", "clerk", "stats") == 1
    assert "已锁定" in capsys.readouterr().err


def test_roles_on_the_command_line(protected_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(cli.PASSWORD_ENV, "viewer-pass-1")
    events = _events(protected_db)
    assert run("--db", str(protected_db), "--user", "viewer", "backup") == 1
    assert "只有管理员" in capsys.readouterr().err
    out = tmp_path / "名册.xlsx"
    assert run("--db", str(protected_db), "--user", "viewer", "export", "members", "--out", str(out)) == 0
    assert run("--db", str(protected_db), "--user", "viewer", "export", "members", "--out", str(out),
               "--unmasked") == 1  # fmt: skip
    assert "只有管理员" in capsys.readouterr().err
    monkeypatch.setenv(cli.PASSWORD_ENV, "clerk-pass-1")
    assert run("--db", str(protected_db), "--user", "clerk", "backup") == 1
    assert run("--db", str(protected_db), "--user", "clerk", "demo") == 1
    # only the logins were written
    assert _events(protected_db)[len(events):] == ["login"] * 5


def _events(path) -> list[str]:
    with database.opened(path, lock=False):
        return [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
