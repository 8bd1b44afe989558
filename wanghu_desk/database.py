"""Database lifecycle (SPEC §10): open, inspect, migrate, lock, back up, restore, check.

Order of opening matters, because a file we must refuse must not be touched:
1. `inspect_file` reads the header and asks SQLite, read-only, for `user_version`,
   `application_id` and `quick_check`. Nothing is written.
2. A newer schema, a foreign or damaged file is refused with a Chinese message.
3. The lock file is taken (one instance per database).
4. Only then is the file opened read-write with foreign keys, WAL and a busy timeout;
   an older schema is backed up and migrated step by step.

Backups use the SQLite online backup API (never a file copy of a WAL database) and are
written to a temporary name, verified, then renamed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import socket
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import peewee as pw

from models import db
from models.migrations import APPLICATION_ID, SCHEMA_VERSION, migrate
from wanghu_desk import errors
from wanghu_desk.paths import backups_dir_for
from wanghu_desk.services.base import require

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKUP_KEEP = 30
#: Files up to this size get SQLite's `quick_check` before they are opened (about 0.1 s
#: per 100 MB from the cache); larger ones get the header's own checks on open and the
#: full `quick_check` afterwards, off the critical path (`check_in_background`).
QUICK_CHECK_LIMIT = 256 * 1024 * 1024
PRAGMAS = {
    "foreign_keys": 1,
    "journal_mode": "wal",
    "synchronous": "full",  # the registers matter more than a few milliseconds per commit
    "busy_timeout": 5000,
    "cache_size": -16000,
}


# ---------------------------------------------------------------- inspection


@dataclass
class FileInfo:
    path: Path
    exists: bool
    is_sqlite: bool = False
    user_version: int = 0
    application_id: int = 0
    quick_check: str = ""
    table_count: int = 0
    check_deferred: bool = False  # too large for a check on open: see `check_in_background`

    @property
    def is_empty(self) -> bool:
        """A zero-byte file or a healthy SQLite file with nothing in it: a new database."""
        return (
            self.exists
            and self.is_sqlite
            and self.table_count == 0
            and self.user_version == 0
            and self.quick_check in ("", "ok")
        )

    @property
    def is_ours(self) -> bool:
        return self.application_id == APPLICATION_ID


def _ro_connect(path: Path) -> sqlite3.Connection:
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=5)


def inspect_file(path: Path | str, *, full_check: bool = False) -> FileInfo:
    """Describe a database file without changing a byte of it."""
    path = Path(path)
    info = FileInfo(path=path, exists=path.exists())
    if not info.exists:
        return info
    if path.is_dir():
        raise errors.DatabaseRefused(f"「{path}」是一个文件夹，不是数据库文件。")
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except PermissionError as exc:
        raise errors.DatabaseRefused(f"没有权限读取「{path}」。请检查文件权限。") from exc
    if len(header) == 0:
        info.is_sqlite = True  # an empty file is a new database
        return info
    if not header.startswith(SQLITE_MAGIC):
        return info
    info.is_sqlite = True
    large = not full_check and path.stat().st_size > QUICK_CHECK_LIMIT
    if large:
        problem = _header_problem(header, path.stat().st_size)
        if problem:  # refused before SQLite reads a page of it
            info.quick_check = problem
            return info
    try:
        conn = _ro_connect(path)
    except sqlite3.Error as exc:
        raise errors.from_sqlite(exc, path) from exc
    try:
        info.user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        info.application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        info.table_count = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
        if large:
            info.quick_check, info.check_deferred = "ok", True
        else:
            check = "integrity_check" if full_check else "quick_check"
            rows = conn.execute(f"PRAGMA {check}").fetchall()
            info.quick_check = "\n".join(str(r[0]) for r in rows)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
            raise errors.from_sqlite(exc, path) from exc
        info.quick_check = str(exc)
    finally:
        conn.close()
    return info


def _header_problem(header: bytes, size: int) -> str | None:
    """What the 100-byte header alone shows to be wrong (a truncated or cut-off file, a
    page size SQLite never writes), or None. Cheap at any file size."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "invalid page size"
    if size % page_size:
        return "file size is not a whole number of pages"
    pages = int.from_bytes(header[28:32], "big")
    valid_for, change_counter = header[92:96], header[24:28]
    if pages and valid_for == change_counter and pages * page_size > size:
        return "file is truncated"
    return None


def check_in_background(path: Path | str) -> list[str]:
    """SQLite's `quick_check` of `path` over a read-only connection of its own, for a file
    whose check was deferred on open; [] when healthy. Safe beside the window's writes."""
    conn = _ro_connect(Path(path))
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def refuse_unusable(info: FileInfo) -> None:
    """Raise the right `DatabaseRefused` for a file we must not open or restore."""
    name = info.path.name
    if not info.exists or info.is_empty:
        return
    if not info.is_sqlite:
        raise errors.NotOurDatabaseError(f"「{name}」不是本程序的数据库文件。请选择 .db 数据库或备份文件。")
    if info.quick_check != "ok":
        raise errors.DamagedDatabaseError(
            f"数据库文件「{name}」已损坏。请用「文件 → 恢复」选择最近的备份，原文件不会被改动。"
        )
    if not info.is_ours:
        raise errors.NotOurDatabaseError(f"「{name}」是其他程序的数据库，不是本程序的数据。请选择正确的文件。")
    if info.user_version > SCHEMA_VERSION:
        raise errors.NewerDatabaseError(
            f"数据库「{name}」由更新版本的本程序创建（数据版本 {info.user_version}，本程序只认识到 "
            f"{SCHEMA_VERSION}）。请安装新版程序后再打开；文件未被改动。"
        )


# ---------------------------------------------------------------- lock


class DatabaseLock:
    """An OS-level lock on `<db>.lock`. The OS releases it if the process dies."""

    def __init__(self, db_path: Path):
        self.path = Path(str(db_path) + ".lock")
        self._fh = None

    def acquire(self) -> None:
        try:
            fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        except PermissionError as exc:
            raise errors.ReadOnlyDatabaseError(
                f"无法在「{self.path.parent}」中写入，请把数据库放到有写入权限的文件夹。"
            ) from exc
        try:
            _lock_file(fh)
        except OSError as exc:
            holder = _read_holder(self.path)
            fh.close()
            raise errors.DatabaseInUseError(
                f"这个数据库已经在另一个窗口中打开{holder}。一个数据库同一时间只能由一个窗口使用，"
                "请先关闭那个窗口。"
            ) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"{socket.gethostname()} {os.getpid()} {dt.datetime.now():%Y-%m-%d %H:%M:%S}\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                _unlock_file(self._fh)
            self._fh.close()
            self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None


def _read_holder(path: Path) -> str:
    try:
        parts = path.read_text(encoding="utf-8").split()
    except OSError:
        return ""
    if len(parts) >= 2:
        return f"（计算机 {parts[0]}，进程 {parts[1]}）"
    return ""


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# ---------------------------------------------------------------- open / close


@dataclass
class OpenDatabase:
    """The database this process works on (there is one peewee `db` per process)."""

    path: Path
    backups_dir: Path
    lock: DatabaseLock | None
    created: bool = False
    migrated: list[int] = field(default_factory=list)
    check_deferred: bool = False  # the file was too large to check on open

    def close(self) -> None:
        close_database()


_current: OpenDatabase | None = None


def current() -> OpenDatabase:
    if _current is None:
        raise RuntimeError("no database is open")
    return _current


def open_database(
    path: Path | str,
    *,
    create: bool = True,
    lock: bool = True,
    daily_backup: bool = False,
    backups_dir: Path | None = None,
) -> OpenDatabase:
    """Open (creating or migrating as needed) the database at `path`.

    Raises a `DatabaseRefused` subclass, with the file untouched, for a newer, foreign,
    damaged or locked database.
    """
    global _current
    if _current is not None:
        close_database()
    path = Path(path)
    info = inspect_file(path)
    if not info.exists and not create:
        raise errors.DatabaseRefused(f"找不到数据库文件「{path}」。请先运行 init 创建，或检查路径。")
    refuse_unusable(info)
    if not info.exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise errors.DatabaseRefused(f"无法创建文件夹「{path.parent}」。请换一个有写入权限的位置。") from exc
    if info.exists and not os.access(path, os.W_OK):
        raise errors.ReadOnlyDatabaseError(f"数据库文件「{path.name}」是只读的。请取消文件的只读属性，或复制到可写的位置。")

    db_lock = DatabaseLock(path) if lock else None
    if db_lock:
        db_lock.acquire()
    backups = backups_dir or backups_dir_for(path)
    handle = OpenDatabase(path=path, backups_dir=backups, lock=db_lock, created=not info.exists or info.is_empty,
                          check_deferred=info.check_deferred)
    try:
        db.init(str(path), pragmas=PRAGMAS, timeout=5)
        db.connect(reuse_if_open=True)
        version = info.user_version
        if 0 < version < SCHEMA_VERSION:
            _backup_connection(db.connection(), backups, reason="before-migration", db_path=path)
        handle.migrated = migrate(db.connection(), version)
        _current = handle
        if daily_backup and not handle.created:
            ensure_daily_backup()
    except (sqlite3.Error, pw.PeeweeException) as exc:
        _abandon(db_lock)
        raise errors.from_sqlite(exc, path) from exc
    except BaseException:
        _abandon(db_lock)
        raise
    return handle


def _abandon(db_lock: DatabaseLock | None) -> None:
    global _current
    _current = None
    if not db.is_closed():
        db.close()
    if db_lock:
        db_lock.release()


def close_database() -> None:
    global _current
    handle, _current = _current, None
    if not db.is_closed():
        with contextlib.suppress(sqlite3.Error):
            db.execute_sql("PRAGMA optimize")
        db.close()
    if handle and handle.lock:
        handle.lock.release()


@contextlib.contextmanager
def opened(path: Path | str, **kwargs):
    handle = open_database(path, **kwargs)
    try:
        yield handle
    finally:
        close_database()


# ---------------------------------------------------------------- backup


def _backup_name(db_path: Path, reason: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now()
    return f"{Path(db_path).stem}-{when:%Y%m%d-%H%M%S-%f}-{reason}.db"


def _backup_connection(conn: sqlite3.Connection, backups: Path, *, reason: str, db_path: Path) -> Path:
    target = backups / _backup_name(db_path, reason)
    copy_connection_to(conn, target)
    rotate_backups(backups, reason)
    return target


def copy_connection_to(conn: sqlite3.Connection, target: Path) -> Path:
    """Write a consistent single-file copy of `conn`'s database to `target`."""
    target = Path(target)
    tmp = target.with_name(target.name + ".part")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            result = dest.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dest.close()
        if result != "ok":
            raise errors.DamagedDatabaseError("备份文件校验失败，备份没有完成。请检查磁盘后重试。")
        os.replace(tmp, target)
    except PermissionError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise errors.DatabaseRefused(f"无法写入「{target}」。请检查是否有写入权限，或换一个位置（如 U 盘）。") from exc
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        problem = errors.from_sqlite(exc, target) if isinstance(exc, sqlite3.Error) else None
        if isinstance(problem, errors.DiskFullError) or getattr(exc, "errno", None) == errno.ENOSPC:
            raise errors.DiskFullError(
                f"磁盘空间已满，备份没有完成（「{target.parent}」）。请清理磁盘或换一个位置（如 U 盘）后重试；数据库本身没有改动。"
            ) from exc
        if isinstance(problem, (errors.DatabaseBusyError, errors.DamagedDatabaseError)):
            raise problem from exc  # about the database being copied
        # the target cannot be created or written: a read-only folder or stick, a lost drive
        raise errors.DatabaseRefused(
            f"备份没有完成：无法写入「{target}」。请检查是否有写入权限，或换一个位置（如 U 盘）后重试。"
        ) from exc
    return target


def backup_to(target: Path | str) -> Path:
    """Back up the open database to a chosen file (e.g. on a USB stick)."""
    return copy_connection_to(db.connection(), Path(target))


def auto_backup(reason: str) -> Path:
    """An automatic backup into the backups folder, rotated per reason."""
    handle = current()
    return _backup_connection(db.connection(), handle.backups_dir, reason=reason, db_path=handle.path)


def list_backups(backups: Path | None = None, reason: str | None = None) -> list[Path]:
    """Automatic backups, newest first."""
    folder = backups or current().backups_dir
    if not folder.exists():
        return []
    pattern = f"*-{reason}.db" if reason else "*.db"
    return sorted(folder.glob(pattern), key=lambda p: p.name.split("-", 1)[-1], reverse=True)


#: What each automatic backup was taken for, as the backups list shows it.
BACKUP_REASONS = {
    "daily": "每日自动备份",
    "manual": "手动备份",
    "before-import": "导入前自动备份",
    "before-restore": "恢复前自动备份",
    "before-migration": "升级前自动备份",
}
_BACKUP_NAME = re.compile(r"-(\d{8}-\d{6})-(\d{6})-([a-z-]+)\.db$")


@dataclass(frozen=True)
class BackupEntry:
    """One automatic backup file as the 备份与恢复 dialog lists it."""

    path: Path
    taken_at: dt.datetime
    reason: str
    size: int

    @property
    def id(self) -> str:
        return str(self.path)

    @property
    def reason_label(self) -> str:
        return BACKUP_REASONS.get(self.reason, "自动备份")

    @property
    def label(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M} 的{self.reason_label}"


def backup_entries(backups: Path | None = None) -> list[BackupEntry]:
    """The automatic backups in `backups` (default: the open database's), newest first.
    Files whose name is not a backup's (copied in by hand) are left out; a file that
    vanishes while the folder is read is skipped."""
    folder = backups or current().backups_dir
    entries = []
    try:
        candidates = list(folder.glob("*.db"))
    except OSError:
        return []
    for path in candidates:
        match = _BACKUP_NAME.search(path.name)
        if not match:
            continue
        try:
            taken = dt.datetime.strptime(match[1] + match[2], "%Y%m%d-%H%M%S%f")
            size = path.stat().st_size
        except (ValueError, OSError):
            continue
        entries.append(BackupEntry(path=path, taken_at=taken, reason=match[3], size=size))
    entries.sort(key=lambda e: e.taken_at, reverse=True)
    return entries


@dataclass(frozen=True)
class ContentSummary:
    """What a database holds, in the few figures a clerk recognises."""

    members: int
    branches: int
    ledger_entries: int
    last_change: str | None

    def describe(self) -> str:
        text = f"党员 {self.members:,} 名，党组织 {self.branches:,} 个，经费台账 {self.ledger_entries:,} 笔"
        if self.last_change:
            text += f"，最后修改于 {self.last_change[:16].replace('T', ' ')}"
        return text


def summarize(source: Path | str | None = None) -> ContentSummary:
    """The figures of the open database (`source` None) or of a database file, read-only."""
    conn = db.connection() if source is None else _ro_connect(Path(source))
    try:
        def one(sql: str) -> object:
            try:
                return conn.execute(sql).fetchone()[0]
            except sqlite3.Error:
                return None  # a table an older version did not have

        return ContentSummary(
            members=int(one("SELECT count(*) FROM member") or 0),
            branches=int(one("SELECT count(*) FROM branch") or 0),
            ledger_entries=int(one("SELECT count(*) FROM ledger_entry") or 0),
            last_change=one("SELECT max(at) FROM audit_event"),
        )
    finally:
        if source is not None:
            conn.close()


def rotate_backups(backups: Path, reason: str, keep: int = BACKUP_KEEP) -> list[Path]:
    removed = []
    for old in list_backups(backups, reason)[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()
            removed.append(old)
    return removed


def ensure_daily_backup(today: dt.date | None = None) -> Path | None:
    """Take today's start-up backup unless one exists; keep the last 30."""
    handle = current()
    stamp = f"{(today or dt.date.today()):%Y%m%d}"
    for existing in list_backups(handle.backups_dir, "daily"):
        if f"-{stamp}-" in existing.name:
            return None
    return auto_backup("daily")


# ---------------------------------------------------------------- restore / check


def verify_restorable(source: Path | str) -> FileInfo:
    """Check that `source` is a healthy wanghu-desk database we can use."""
    source = Path(source)
    if not source.exists():
        raise errors.UsageError(f"找不到备份文件「{source}」。")
    info = inspect_file(source, full_check=True)
    if not info.is_sqlite or info.is_empty or (info.exists and source.stat().st_size == 0):
        raise errors.NotOurDatabaseError(f"「{source.name}」不是本程序的数据库备份，未做任何改动。")
    refuse_unusable(info)
    if info.user_version < 1:
        raise errors.NotOurDatabaseError(f"「{source.name}」不是本程序的数据库备份，未做任何改动。")
    return info


def restore_from(source: Path | str) -> Path:
    """Replace the open database's content with `source`, after checking it and after
    backing up the current content. Returns the path of that safety backup.
    Administrators only (`PermissionDenied` before anything is touched)."""
    require("admin")
    source = Path(source)
    info = verify_restorable(source)
    safety = auto_backup("before-restore")
    live = db.connection()
    src = _ro_connect(source)
    try:
        src.backup(live)
    except sqlite3.Error as exc:
        raise errors.from_sqlite(exc, source) from exc
    finally:
        src.close()
    migrate(live, info.user_version)
    problems = integrity_problems()
    if problems:  # pragma: no cover - the source passed integrity_check a moment ago
        raise errors.DamagedDatabaseError("恢复后的数据库校验失败。原数据已备份在：" + str(safety))
    return safety


def integrity_problems(full: bool = True) -> list[str]:
    """[] when the open database is healthy; otherwise SQLite's findings."""
    check = "integrity_check" if full else "quick_check"
    rows = [r[0] for r in db.execute_sql(f"PRAGMA {check}").fetchall()]
    problems = [] if rows == ["ok"] else list(rows)
    problems += [
        f"外键错误：表 {row[0]} 第 {row[1]} 行引用了不存在的 {row[2]}"
        for row in db.execute_sql("PRAGMA foreign_key_check").fetchall()
    ]
    return problems


def schema_version() -> int:
    return db.execute_sql("PRAGMA user_version").fetchone()[0]
