"""Errors a clerk can act on. Every message is short Chinese that says what to do next.

`UserError` and its subclasses carry `message` (shown as is) and `exit_code` (for the CLI:
1 rejected data, 2 bad usage / unreadable file / refused database). Raw `sqlite3` errors
are translated in one place, `from_sqlite`, following qutebrowser's habit of naming the
few errors people can do something about.
"""

from __future__ import annotations

import sqlite3


class UserError(Exception):
    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(UserError):
    exit_code = 2


class ValidationError(UserError):
    """Data was refused by a rule; nothing was written."""

    exit_code = 1

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFoundError(UserError):
    exit_code = 1


class PermissionDenied(UserError):
    exit_code = 1


class DatabaseRefused(UserError):
    """The database file cannot be used (newer, damaged, not ours, in use, read-only…)."""

    exit_code = 2


class NewerDatabaseError(DatabaseRefused):
    pass


class NotOurDatabaseError(DatabaseRefused):
    pass


class DamagedDatabaseError(DatabaseRefused):
    pass


class DatabaseInUseError(DatabaseRefused):
    pass


class DatabaseBusyError(DatabaseRefused):
    pass


class ReadOnlyDatabaseError(DatabaseRefused):
    pass


class DiskFullError(DatabaseRefused):
    pass


def _sqlite_cause(exc: BaseException) -> BaseException:
    """peewee wraps sqlite3 errors; find the original for its error name. When SQLite has
    already rolled back by itself (a full disk, an I/O error) the rollback that follows
    fails with "no transaction is active": the error that caused it is the one to report."""
    found: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(found) < 20:
        if isinstance(seen, sqlite3.Error):
            found.append(seen)
        seen = seen.__cause__ or seen.__context__
    for error in found:
        if "no transaction is active" not in str(error):
            return error
    return found[0] if found else exc


def from_sqlite(exc: BaseException, path: object = None) -> UserError:
    """Translate a sqlite3 (or peewee-wrapped) error into a message a clerk can act on."""
    exc = _sqlite_cause(exc)
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    where = f"（{path}）" if path else ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return DatabaseBusyError("数据库被占用，请稍后再试；如果另一个窗口正在导入或备份，请等它完成。")
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return ReadOnlyDatabaseError(f"数据库文件是只读的{where}，无法保存。请检查文件属性或换一个可写的位置。")
    if name.startswith("SQLITE_FULL") or "disk is full" in text or "database or disk is full" in text:
        return DiskFullError("磁盘空间已满，本次修改没有保存。请清理磁盘后重试。")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return DamagedDatabaseError(f"数据库文件已损坏{where}。请从「文件 → 恢复」选择最近的备份。")
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")) or "unable to open" in text:
        return DatabaseRefused(f"无法打开数据库文件{where}。请确认文件夹存在并且有写入权限。")
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return DatabaseRefused(f"读写数据库文件出错{where}。如果文件在 U 盘或网络盘上，请复制到本机后再打开。")
    return DatabaseRefused(f"数据库出错{where}，本次修改没有保存。请先备份数据库文件，再联系技术支持。")


def from_os_error(exc: OSError, path: object = None) -> UserError | None:
    """A message for the file-system faults a clerk can fix (disk full, read-only folder
    or file, a file held open by another program); None for anything else."""
    import errno

    where = f"「{path or exc.filename}」" if (path or exc.filename) else "文件"
    if exc.errno == errno.ENOSPC or getattr(exc, "winerror", None) == 112:
        return DiskFullError("磁盘空间已满，刚才的操作没有完成。请清理磁盘或换一个位置后重试。")
    if exc.errno == errno.EROFS:
        return ReadOnlyDatabaseError(f"{where}所在的磁盘是只读的。请换一个可以写入的位置。")
    if isinstance(exc, PermissionError):
        return UserError(f"无法写入{where}：没有权限，或文件正被 Excel 等程序打开。请关闭它或换一个位置后重试。")
    return None


def translate(exc: BaseException) -> UserError | None:
    """The `UserError` to show for `exc`: itself, a translated database or file-system
    fault, or None when it is a bug (for the crash dialog and the log)."""
    if isinstance(exc, UserError):
        return exc
    if isinstance(_sqlite_cause(exc), sqlite3.Error):
        return from_sqlite(exc)
    if isinstance(exc, OSError):
        return from_os_error(exc)
    return None
