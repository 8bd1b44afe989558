"""The acting account, permission checks, transactions and the audit trail.

Every service write looks like::

    with writing("member.create") as tx:
        member = Member.create(...)
        tx.audit("member", member.id, "create", after=snapshot(member))

`writing` checks that the acting account may write (one place for role checks), opens
one `BEGIN IMMEDIATE` transaction (nested calls become savepoints) and writes the audit
events in that same transaction, so a change and its record land together or not at all.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from models import AuditEvent, db
from wanghu_desk.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    username: str
    display_name: str
    role: str  # admin | clerk | viewer
    account_id: int | None = None

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "clerk")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def may_see_id_numbers(self) -> bool:
        return self.is_admin


#: The built-in administrator that scripts and tests act as. The two entry points never
#: leave it in place: the window starts as `NOBODY` and acts as the account that logged in
#: (`ui.login_dialog`), the command line as its `--user` (`wanghu_desk.cli`).
SYSTEM_ADMIN = Actor(username="admin", display_name="管理员", role="admin")

#: Before anyone has logged in: may read nothing personal and write nothing.
NOBODY = Actor(username="", display_name="未登录", role="none")

_session_actor: Actor = SYSTEM_ADMIN
_override: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("actor", default=None)


def current_actor() -> Actor:
    return _override.get() or _session_actor


def session_actor() -> Actor:
    """The account the program acts as outside any `acting_as` block."""
    return _session_actor


def set_session_actor(actor: Actor) -> None:
    global _session_actor
    _session_actor = actor


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _override.set(actor)
    try:
        yield actor
    finally:
        _override.reset(token)


def require(permission: str, actor: Actor | None = None) -> Actor:
    """Raise `PermissionDenied` unless the acting account (or `actor`) has `permission`.

    "self" is no role check at all: logging in and changing one's own password, whose
    services check who is asking themselves (a password)."""
    actor = actor or current_actor()
    allowed = {
        "write": actor.can_write,
        "admin": actor.is_admin,
        "see_id_numbers": actor.may_see_id_numbers,
        "self": True,
    }.get(permission, False)
    if not allowed:
        if actor.role == "none":
            raise PermissionDenied("还没有登录。请先用自己的账号登录。")
        messages = {
            "write": "当前账号只能查看，不能修改数据。请用录入员或管理员账号登录。",
            "admin": "只有管理员可以做这项操作。",
            "see_id_numbers": "只有管理员可以查看或导出完整身份证号。",
        }
        raise PermissionDenied(messages.get(permission, "当前账号没有这项权限。"))
    return actor


@dataclass
class Transaction:
    actor: Actor
    operation: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def audit(
        self,
        entity: str,
        entity_id: int | None,
        action: str,
        *,
        before: dict | None = None,
        after: dict | None = None,
        note: str | None = None,
    ) -> None:
        AuditEvent.create(
            account=self.actor.account_id,
            account_name=self.actor.username,
            entity=entity,
            entity_id=entity_id,
            action=action,
            before_json=to_json(before),
            after_json=to_json(after),
            note=note,
        )
        self.events.append({"entity": entity, "entity_id": entity_id, "action": action})


@contextlib.contextmanager
def writing(operation: str, permission: str = "write", *, actor: Actor | None = None) -> Iterator[Transaction]:
    """One audited transaction for `operation`, refused unless the acting account (or
    `actor`, for the login itself) has `permission` ("write", "admin", "self" …)."""
    actor = require(permission, actor)
    tx = Transaction(actor=actor, operation=operation)
    if db.in_transaction():
        with db.savepoint():
            yield tx
    else:
        with db.atomic("IMMEDIATE"):
            yield tx


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, pw.Model):
        return value.get_id()
    raise TypeError(type(value).__name__)


def to_json(data: dict | None) -> str | None:
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False, default=_default, sort_keys=True)


def snapshot(row: pw.Model) -> dict[str, Any]:
    """The row's stored columns as plain values (foreign keys as ids), for the audit log."""
    data = {}
    for name, fld in row._meta.fields.items():
        if isinstance(fld, pw.ForeignKeyField):
            data[fld.column_name] = row.__data__.get(name)
        else:
            data[name] = row.__data__.get(name)
    return data


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys that differ, for compact audit events."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
