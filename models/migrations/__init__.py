"""Ordered schema migrations, versioned by `PRAGMA user_version`.

Each `Migration` moves the schema from `version - 1` to `version`. A step runs in one
transaction together with the version bump, so a crash leaves the old or the new schema,
never half of one. The next change to the schema is one more entry at the end of
`MIGRATIONS`: a `.sql` file beside this module or a Python function taking the raw
`sqlite3.Connection` (for data fix-ups), plus a test that starts from the old schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

#: Marks a file as a wanghu-desk database ("WHKD"), so that restore can refuse others.
APPLICATION_ID = 0x57484B44


def _sql(filename: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        script = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
        for statement in _split_statements(script):
            conn.execute(statement)

    run.__name__ = f"sql_{filename}"
    return run


def _split_statements(script: str) -> list[str]:
    """Split a script into statements (`executescript` would commit on its own)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: list[Migration] = [
    Migration(1, "创建全部数据表", _sql("0001_initial.sql")),
    Migration(2, "党员增加延长预备期（至何日、原因）", _sql("0002_probation_extension.sql")),
    Migration(3, "账号记录连续输错密码次数和锁定时间", _sql("0003_account_lockout.sql")),
    Migration(4, "增加居民事项（社情民意、议事协商、矛盾调解、扫码报事、微心愿）", _sql("0004_matters.sql")),
    Migration(5, "增加在职党员双报到与三单制", _sql("0005_reporting.sql")),
]

SCHEMA_VERSION = MIGRATIONS[-1].version


def pending(current_version: int, migrations: list[Migration] | None = None) -> list[Migration]:
    return [m for m in (migrations or MIGRATIONS) if m.version > current_version]


def migrate(
    conn: sqlite3.Connection,
    current_version: int,
    migrations: list[Migration] | None = None,
) -> list[int]:
    """Apply every pending step in order; return the versions applied.

    `conn` must be in autocommit mode (isolation_level None), as peewee's is.
    """
    applied = []
    for step in pending(current_version, migrations):
        conn.execute("BEGIN IMMEDIATE")
        try:
            step.apply(conn)
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(step.version)
    return applied
