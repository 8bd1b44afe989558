"""Local accounts (SPEC §10): 管理员 / 录入员 / 查看, their passwords and the login.

- Passwords are kept only as argon2id hashes (`argon2-cffi`, memory-hard); neither a
  password nor its hash ever reaches the audit log or the log file.
- `needs_setup()` is true until an active administrator has a password: the first start
  asks for one (`create_first_admin`).
- `authenticate` counts wrong passwords in the database (migration 3): five in a row lock
  the account for five minutes, across restarts. A right password clears the count; an
  administrator's `reset_password` clears the lock.
- Administrators add, edit, disable and reset accounts; everyone may change their own
  password. The last active administrator cannot be disabled or demoted, and nobody can
  disable their own account, so the database can never be left without a way in.
- Single-user mode (a setting, off by default) skips the login window: the program acts as
  the first active administrator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import Account
from wanghu_desk.errors import NotFoundError, PermissionDenied, UserError, ValidationError
from wanghu_desk.services import settings
from wanghu_desk.services.base import Actor, current_actor, require, writing

log = logging.getLogger(__name__)

ROLES: dict[str, str] = {"admin": "管理员", "clerk": "录入员", "viewer": "查看"}
ROLE_HINTS: dict[str, str] = {
    "admin": "可以做一切操作，看到完整身份证号，管理账号、查看操作日志",
    "clerk": "可以录入和修改数据，身份证号部分隐藏",
    "viewer": "只能查看，不能修改，身份证号部分隐藏",
}
MAX_WRONG_PASSWORDS = 5
LOCK_MINUTES = 5
MIN_PASSWORD_LENGTH = 6
MAX_PASSWORD_LENGTH = 128
SINGLE_USER_SETTING = "security.single_user"

_hasher = PasswordHasher()
_dummy_hash: str | None = None


class LoginError(UserError):
    """A refused login (wrong password, locked, disabled); the message says what to do."""


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    is_active: bool
    status: str  # 正常 | 已停用 | 已锁定
    last_login_at: str
    created_at: str
    has_password: bool


def _clock() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def role_label(role: str) -> str:
    return ROLES.get(role, "未登录" if role == "none" else role)


# ---------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def _verify(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _verify_nobody(password: str) -> None:
    """The same work as a real check, so an unknown name takes as long as a known one."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("没有这个账号")
    _verify(_dummy_hash, password)


def check_password_rules(password: str) -> None:
    if not password or not password.strip():
        raise ValidationError("请输入密码。", field="password")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"密码至少 {MIN_PASSWORD_LENGTH} 位，请换一个长一些的密码。", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(f"密码最多 {MAX_PASSWORD_LENGTH} 位。", field="password")
    if len(set(password)) == 1:
        raise ValidationError("密码不能全是同一个字符，请换一个不容易猜到的密码。", field="password")


def _clean_username(username: str) -> str:
    name = (username or "").strip()
    if not name:
        raise ValidationError("请填写账号名。", field="username")
    if len(name) > 32:
        raise ValidationError("账号名最多 32 个字。", field="username")
    if any(ch.isspace() for ch in name):
        raise ValidationError("账号名里不能有空格。", field="username")
    return name


def _clean_display_name(display_name: str, username: str) -> str:
    name = (display_name or "").strip() or username
    if len(name) > 32:
        raise ValidationError("姓名最多 32 个字。", field="display_name")
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError("请选择角色：管理员、录入员或查看。", field="role")
    return role


# ---------------------------------------------------------------- reading


def actor_of(account: Account) -> Actor:
    return Actor(
        username=account.username, display_name=account.display_name, role=account.role, account_id=account.id
    )


def _public(account: Account) -> dict:
    """What the audit log keeps of an account: never the password hash."""
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "is_active": bool(account.is_active),
    }


def needs_setup() -> bool:
    """True until an active administrator has a password (the first start sets one)."""
    return not (
        Account.select()
        .where(Account.role == "admin", Account.is_active == True, Account.password_hash.is_null(False))  # noqa: E712
        .exists()
    )


def _locked_until(account: Account, now: dt.datetime) -> dt.datetime | None:
    if not account.locked_until:
        return None
    try:
        until = dt.datetime.fromisoformat(account.locked_until)
    except ValueError:
        return None
    return until if until > now else None


def list_accounts(*, now: dt.datetime | None = None) -> list[AccountRow]:
    """Every account, administrators first (administrators only)."""
    require("admin")
    now = now or _clock()
    order = {"admin": 0, "clerk": 1, "viewer": 2}
    rows = []
    for a in Account.select():
        if not a.is_active:
            status = "已停用"
        elif _locked_until(a, now):
            status = "已锁定"
        else:
            status = "正常"
        rows.append(
            AccountRow(
                id=a.id,
                username=a.username,
                display_name=a.display_name,
                role=a.role,
                role_label=role_label(a.role),
                is_active=bool(a.is_active),
                status=status,
                last_login_at=(a.last_login_at or "")[:16].replace("T", " "),
                created_at=(a.created_at or "")[:16].replace("T", " "),
                has_password=bool(a.password_hash),
            )
        )
    rows.sort(key=lambda r: (order.get(r.role, 9), not r.is_active, r.id))
    return rows


def account_names() -> dict[str, str]:
    """username → display name of every account (the audit viewer's account filter)."""
    return dict(Account.select(Account.username, Account.display_name).tuples())


def _get(account_id: int) -> Account:
    account = Account.get_or_none(Account.id == account_id)
    if account is None:
        raise NotFoundError("找不到这个账号，可能已被删除。请刷新后再试。")
    return account


def _active_admins(excluding: int | None = None) -> int:
    query = Account.select().where(Account.role == "admin", Account.is_active == True)  # noqa: E712
    if excluding is not None:
        query = query.where(Account.id != excluding)
    return query.count()


# ---------------------------------------------------------------- the first administrator


def create_first_admin(password: str, *, username: str = "admin", display_name: str = "管理员") -> Actor:
    """The administrator's password on a new database; refused once one is set."""
    if not needs_setup():
        raise PermissionDenied("已经设置过管理员密码。请用管理员账号登录。")
    username = _clean_username(username)
    display_name = _clean_display_name(display_name, username)
    hashed = hash_password(password)
    actor = Actor(username=username, display_name=display_name, role="admin")
    with writing("account.setup", permission="self", actor=actor) as tx:
        account = Account.get_or_none(Account.username == username)
        before = _public(account) if account else None
        if account is None:
            account = Account.create(
                username=username, display_name=display_name, role="admin", password_hash=hashed, is_active=True
            )
        else:
            Account.update(
                display_name=display_name, role="admin", password_hash=hashed, is_active=True,
                failed_logins=0, locked_until=None,
            ).where(Account.id == account.id).execute()  # fmt: skip
            account = Account.get_by_id(account.id)
        tx.actor = dataclasses.replace(actor, account_id=account.id)
        tx.audit("account", account.id, "setup", before=before, after=_public(account), note="设置管理员密码")
    log.info("已设置管理员账号 %s", username)
    return tx.actor


# ---------------------------------------------------------------- logging in


def authenticate(username: str, password: str, *, now: dt.datetime | None = None) -> Actor:
    """The account's `Actor` when the password is right; `LoginError` otherwise.

    Wrong passwords are counted in the database; the fifth in a row locks the account for
    `LOCK_MINUTES` minutes. While locked, no password is even checked."""
    now = now or _clock()
    name = (username or "").strip()
    account = Account.get_or_none(Account.username == name) if name else None
    if account is None:
        _verify_nobody(password or "")
        raise LoginError("账号或密码不正确，请重新输入。")
    if not account.is_active:
        raise LoginError("这个账号已停用。请联系管理员。")
    until = _locked_until(account, now)
    if until is not None:
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        raise LoginError(f"密码输错次数太多，账号已锁定。请 {minutes} 分钟后再试，或请管理员重置密码。")
    actor = actor_of(account)
    if _verify(account.password_hash, password or ""):
        with writing("account.login", permission="self", actor=actor) as tx:
            fields = {"failed_logins": 0, "locked_until": None, "last_login_at": now.isoformat(timespec="seconds")}
            if _hasher.check_needs_rehash(account.password_hash):
                fields["password_hash"] = _hasher.hash(password)
            Account.update(**fields).where(Account.id == account.id).execute()
            tx.audit("account", account.id, "login")
        log.info("账号 %s 登录", account.username)
        return actor
    # a lock that has run out starts the count again
    failed = (0 if account.locked_until else account.failed_logins) + 1
    locked = failed >= MAX_WRONG_PASSWORDS
    with writing("account.login_failed", permission="self", actor=actor) as tx:
        Account.update(
            failed_logins=0 if locked else failed,
            locked_until=(now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds") if locked else None,
        ).where(Account.id == account.id).execute()
        tx.audit("account", account.id, "lock" if locked else "login_failed",
                 note=f"连续输错密码 {failed} 次" if locked else None)  # fmt: skip
    log.warning("账号 %s 密码错误（连续第 %d 次）%s", account.username, failed, "，已锁定" if locked else "")
    if locked:
        raise LoginError(
            f"密码连续输错 {MAX_WRONG_PASSWORDS} 次，账号已锁定 {LOCK_MINUTES} 分钟。请稍后再试，或请管理员重置密码。"
        )
    left = MAX_WRONG_PASSWORDS - failed
    raise LoginError(f"账号或密码不正确，请重新输入。再输错 {left} 次，账号将锁定 {LOCK_MINUTES} 分钟。")


def single_user_mode() -> bool:
    return bool(settings.get(SINGLE_USER_SETTING, False))


def set_single_user_mode(enabled: bool) -> None:
    """Turn the login window off (the program acts as the administrator) or on again."""
    require("admin")
    settings.put(SINGLE_USER_SETTING, bool(enabled))


def single_user_actor() -> Actor:
    """Who the program acts as in single-user mode: the first active administrator."""
    account = (
        Account.select()
        .where(Account.role == "admin", Account.is_active == True)  # noqa: E712
        .order_by(Account.id)
        .first()
    )
    if account is None:
        raise PermissionDenied("没有可用的管理员账号。请关闭单用户模式后登录。")
    return actor_of(account)


# ---------------------------------------------------------------- administering accounts


def add_account(username: str, display_name: str, role: str, password: str) -> int:
    require("admin")
    username = _clean_username(username)
    display_name = _clean_display_name(display_name, username)
    role = _check_role(role)
    hashed = hash_password(password)
    with writing("account.create", permission="admin") as tx:
        if Account.select().where(Account.username == username).exists():
            raise ValidationError(f"账号名「{username}」已有人用，请换一个。", field="username")
        account = Account.create(
            username=username, display_name=display_name, role=role, password_hash=hashed, is_active=True
        )
        tx.audit("account", account.id, "create", after=_public(account))
    return account.id


def update_account(account_id: int, *, display_name: str, role: str) -> None:
    """Change an account's name and role (administrators only)."""
    require("admin")
    role = _check_role(role)
    with writing("account.update", permission="admin") as tx:
        account = _get(account_id)
        display_name = _clean_display_name(display_name, account.username)
        if account.role == "admin" and role != "admin" and account.is_active and not _active_admins(account.id):
            raise ValidationError("这是唯一的管理员，不能改成其他角色。请先把另一个账号设为管理员。", field="role")
        before = _public(account)
        Account.update(display_name=display_name, role=role).where(Account.id == account.id).execute()
        after = _public(Account.get_by_id(account.id))
        tx.audit("account", account.id, "update", before=before, after=after)


def set_account_active(account_id: int, active: bool) -> None:
    """Disable an account (it can no longer log in; its history stays) or enable it again."""
    require("admin")
    with writing("account.enable" if active else "account.disable", permission="admin") as tx:
        account = _get(account_id)
        if not active:
            if account.id == current_actor().account_id:
                raise ValidationError("不能停用正在使用的账号。")
            if account.role == "admin" and not _active_admins(account.id):
                raise ValidationError("这是唯一的管理员，不能停用。请先把另一个账号设为管理员。")
        before = _public(account)
        Account.update(is_active=bool(active), failed_logins=0, locked_until=None).where(
            Account.id == account.id
        ).execute()
        tx.audit("account", account.id, "enable" if active else "disable", before=before,
                 after=_public(Account.get_by_id(account.id)))  # fmt: skip


def reset_password(account_id: int, new_password: str) -> None:
    """A new password for someone who forgot theirs; also lifts a lock (administrators only)."""
    require("admin")
    hashed = hash_password(new_password)
    with writing("account.reset_password", permission="admin") as tx:
        account = _get(account_id)
        Account.update(password_hash=hashed, failed_logins=0, locked_until=None).where(
            Account.id == account.id
        ).execute()
        tx.audit("account", account.id, "reset_password", note="管理员重置密码")


def change_own_password(old_password: str, new_password: str) -> None:
    """Anyone logged in may change their own password, knowing the old one."""
    actor = current_actor()
    if actor.account_id is None:
        raise PermissionDenied("还没有登录。请先用自己的账号登录。")
    account = _get(actor.account_id)
    if not _verify(account.password_hash, old_password or ""):
        raise ValidationError("原密码不正确，请重新输入。", field="old_password")
    if new_password == old_password:
        raise ValidationError("新密码和原密码相同，请换一个。", field="password")
    hashed = hash_password(new_password)
    with writing("account.change_password", permission="self", actor=actor) as tx:
        Account.update(password_hash=hashed).where(Account.id == account.id).execute()
        tx.audit("account", account.id, "change_password", note="修改自己的密码")
