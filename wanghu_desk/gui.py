"""The window's entry point and composition root: checks for a display, sets up the log
file, `faulthandler` and the crash dialog, builds the `QApplication` with the program's
look, opens the database (offering a good backup when the file is damaged, the demo data
when it is new), asks who is using it (`ui.login_dialog.sign_in`: the administrator's
password on the first start, a login after that), shows `ui.main_window.MainWindow` acting
as that account and closes the database on exit."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import faulthandler
import logging
import os
import shutil
import sys
import threading
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, QThreadPool
from PySide6.QtWidgets import QApplication

from ui import dialogs, login_dialog, main_window, theme
from wanghu_desk import APP_NAME, APP_TITLE, __version__, database, errors, logs, paths, pinyin
from wanghu_desk.services import base

log = logging.getLogger(__name__)

NO_DISPLAY_MESSAGE = (
    "没有可用的图形界面（No display available）。可以使用命令行："
    "python main.py --db 数据库.db stats|demo|backup|check … 详见 README。"
)

_fault_file = None  # kept open for the life of the process: faulthandler writes to it


def display_available(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """False where Qt would abort for want of a display (an X11/Wayland system without
    either, and no QT_QPA_PLATFORM such as ``offscreen``). Windows and macOS always have
    their native platform."""
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    if platform.startswith(("win", "darwin")):
        return True
    return any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _setup_crash_logging() -> Path:
    """The log file for tracebacks, and `faulthandler` for crashes Python cannot catch."""
    global _fault_file
    logs.setup_logging()
    folder = paths.log_dir()
    log_path = folder / "wanghu-desk.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if _fault_file is None:
            _fault_file = open(folder / "faulthandler.log", "a", encoding="utf-8")  # noqa: SIM115
            faulthandler.enable(file=_fault_file, all_threads=True)
    except OSError:
        log.warning("日志文件夹不可写：%s", folder)
    dialogs.LOG_PATH = log_path
    return log_path


_in_hook = False


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Unexpected exceptions (e.g. in a slot): log them, show the crash dialog, go on."""
    global _in_hook
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    # masked here as well as by the log file's filter: the report never holds a full ID number or phone
    log.critical("未处理的异常：\n%s", logs.scrub("".join(traceback.format_exception(exc_type, exc, tb))))
    if _in_hook or QApplication.instance() is None:
        return
    _in_hook = True
    try:
        known = errors.translate(exc)  # a locked database, a full disk … has a message of its own
        if known is not None:
            dialogs.error(QApplication.activeWindow(), APP_TITLE, known.message)
        else:
            dialogs.crash(QApplication.activeWindow())
    except Exception:  # noqa: BLE001 - the hook must never raise
        log.exception("崩溃对话框失败")
    finally:
        _in_hook = False


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    """An exception that ends a Python thread: logged (no dialog off the GUI thread)."""
    if args.exc_type is SystemExit:
        return
    log.critical(
        "线程 %s 未处理的异常：\n%s",
        getattr(args.thread, "name", "?"),
        logs.scrub("".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))),
    )


def install_excepthook() -> None:
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    theme.apply_theme(app)
    return app


# ---------------------------------------------------------------- opening the database


def _good_backup(path: Path) -> Path | None:
    """The newest automatic backup of `path` that passes a full check, or None."""
    for candidate in database.list_backups(paths.backups_dir_for(path)):
        try:
            database.verify_restorable(candidate)
        except errors.UserError:
            continue
        return candidate
    return None


def _set_damaged_file_aside(path: Path) -> Path:
    """Rename the damaged file (and its -wal/-shm) so nothing of it mixes with the backup."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.stem}.损坏-{stamp}{path.suffix}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        companion = Path(str(path) + suffix)
        if companion.exists():
            os.replace(companion, Path(str(aside) + suffix))
    return aside


def _copy_into_place(backup: Path, path: Path) -> None:
    """Copy `backup` to `path` through a temporary file in the same folder, so that a full
    disk or a failure half-way leaves no half-written database under the real name."""
    tmp = path.with_name(f".{path.name}.restoring")
    try:
        shutil.copyfile(backup, tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def restore_damaged(path: Path, problem: errors.DatabaseRefused) -> bool:
    """Offer the newest good backup for a damaged database, or for a file at the
    database's place that is not a database at all; True when the backup was put in place."""
    backup = _good_backup(path)
    if backup is None and isinstance(problem, errors.NotOurDatabaseError):
        dialogs.error(None, "无法打开数据库", problem.message)
        return False
    if backup is None:
        dialogs.error(
            None,
            "数据库已损坏",
            problem.message,
            informative="没有找到可用的自动备份。如有 U 盘上的备份，请复制到本机后用「文件 → 恢复」。",
        )
        return False
    if not dialogs.ask(
        None,
        "数据库已损坏",
        f"数据库文件「{path.name}」{'已损坏' if isinstance(problem, errors.DamagedDatabaseError) else '不是本程序的数据库'}。"
        f"要用最近的完好备份「{backup.name}」恢复吗？",
        ok_text="用备份恢复",
        informative="损坏的文件会改名保留在原文件夹，不会被删除。备份之后录入的数据需要重新录入。",
        default_ok=False,
    ):
        return False
    lock = database.DatabaseLock(path)
    try:
        lock.acquire()
        _copy_into_place(backup, Path(str(path) + ".restored"))  # a full disk fails here, before anything moves
        aside = _set_damaged_file_aside(path)
        os.replace(Path(str(path) + ".restored"), path)
    except errors.UserError as exc:
        dialogs.error(None, "数据库已损坏", exc.message)
        return False
    except OSError as exc:
        log.exception("恢复损坏的数据库失败")
        with contextlib.suppress(OSError):
            Path(str(path) + ".restored").unlink()
        if exc.errno == errno.ENOSPC:
            dialogs.error(None, "数据库已损坏", "磁盘空间已满，没有恢复。请清理磁盘后重新打开程序，原文件没有改动。")
        else:
            dialogs.error(None, "数据库已损坏", f"无法替换「{path.name}」。请确认没有其他程序在使用它，并检查文件夹权限。")
        return False
    finally:
        lock.release()
    log.warning("损坏的数据库已改名为 %s，并从 %s 恢复", aside, backup)
    return True


def open_for_window(path: Path) -> database.OpenDatabase | None:
    """Open the database, explaining any refusal in Chinese; None when it cannot be used."""
    for attempt in range(2):
        try:
            return database.open_database(path, daily_backup=True)
        except (errors.DamagedDatabaseError, errors.NotOurDatabaseError) as exc:
            if attempt:  # the backup we just put in place is damaged too
                dialogs.error(None, "数据库已损坏", exc.message)
                return None
            if not restore_damaged(path, exc):
                return None
        except errors.UserError as exc:  # in use, newer, not ours, read-only …
            dialogs.error(None, "无法打开数据库", exc.message)
            return None
    return None


DEFERRED_DAMAGE_TEXT = (
    "检查发现数据库文件「{name}」有损坏的迹象。请先不要继续录入，用「文件 → 备份与恢复」选择最近的备份恢复。"
)


def warm_up_after_first_paint(window) -> QObject:
    """Load the pinyin data (`pinyin.warm_up`, on its own thread) once the window has been
    painted the first time, so reading the 2.5 MB dictionary (which holds the GIL for a
    while) never delays the first paint; a search before it is done simply waits for it
    (`pinyin.load` is guarded by a lock)."""
    from ui import workers

    return workers.after_first_paint(window, pinyin.warm_up)


def start_deferred_check(window, path: Path):
    """The `quick_check` a large file did not get on open, on a worker once the window is
    up; a problem found is shown as a warning with what to do (and logged)."""
    from ui import workers

    def report(problems: list[str]) -> None:
        if problems:
            log.error("数据库检查发现问题：%s", "; ".join(problems[:20]))
            dialogs.warn(window, "数据库可能已损坏", DEFERRED_DAMAGE_TEXT.format(name=Path(path).name))

    worker = workers.Worker(database.check_in_background, path)
    worker.signals.result.connect(report)
    return workers.start(worker)


# ---------------------------------------------------------------- main


def main(db_path: Path | str | None = None) -> int:
    """Open the window on `db_path` (default: the data folder's database). Exit code:
    0 normal exit, 2 no display or the database cannot be used."""
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    _setup_crash_logging()
    install_excepthook()
    app = create_application()
    path = Path(db_path) if db_path else paths.default_db_path()
    base.set_session_actor(base.NOBODY)  # nothing is readable or writable before the login
    handle = open_for_window(path)
    if handle is None:
        return 2
    try:
        actor = login_dialog.sign_in()
        if actor is None:  # 退出 on the login window
            return 0
        base.set_session_actor(actor)
        # a new database is empty (nothing to wait for): its dashboard is read at once
        window = main_window.MainWindow(handle, dashboard_in_background=not handle.created)
        warm_up_after_first_paint(window)
        window.show()
        if handle.check_deferred:
            start_deferred_check(window, handle.path)
        if handle.created:
            window.offer_demo()
        return app.exec()
    finally:
        QThreadPool.globalInstance().waitForDone(10_000)  # a read still under way ends first
        database.close_database()
