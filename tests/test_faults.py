"""Faults of the environment, each ending in a Chinese message that says what to do and
with nothing half-written left behind: a full disk for import, export, backup, report and
the startup recovery; a read-only folder and a workbook held open by Excel; the database
locked by another process; a path with Chinese characters and spaces; the startup
recovery for a file that is not a database; the global exception hook.

A full disk is made for real where SQLite allows it (`PRAGMA max_page_count` gives
SQLITE_FULL) and by a patched write raising `OSError(ENOSPC)` elsewhere (no tmpfs without
root)."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from test_members_factory import record_dialogs

from models import Branch, Community, Member, db
from reports import exports, importing, xlsx_style
from reports.pdf import document
from ui import workers
from wanghu_desk import database, errors, gui
from wanghu_desk.validation import id_check_char

ROOT = Path(__file__).resolve().parents[1]


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text) and "Traceback" not in text and "Error" not in text


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def roster(path: Path, rows: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "公民身份号码", "所在党支部", "入党日期", "人员类别"])
    for i in range(rows):
        first17 = f"340104{1960 + i % 40}0101{i % 1000:03d}"
        sheet.append(["张" + "伟芳娜敏静丽强磊军洋"[i % 10] + "明超秀霞平刚"[i // 10 % 6], first17 + id_check_char(first17),
                      "银杏苑小区党支部", f"{1960 + i % 40 + 25}-07-01", "正式党员"])
    book.save(path)
    return path


@pytest.fixture
def branch_db(fresh_db):
    community = Community.create(name="望湖社区")
    Branch.create(name="银杏苑小区党支部", category="estate", community=community, sort_order=1)
    return fresh_db


def leftovers(folder: Path, *names: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in names)


# ---------------------------------------------------------------- disk full


def test_import_on_a_full_disk_writes_nothing_and_says_so(branch_db, tmp_path):
    source = roster(tmp_path / "花名册.xlsx", 400)
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages + 3}")  # SQLite's own SQLITE_FULL
    with pytest.raises(errors.DiskFullError) as caught:
        outcome = importing.run(source, "members")
        assert outcome.preview.errors == []  # (only reached if nothing was refused)
    assert "磁盘空间已满" in caught.value.message and has_chinese(caught.value.message)
    db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert Member.select().count() == 0
    assert database.integrity_problems() == []


def full_disk_connect(real=sqlite3.connect):
    """sqlite3.connect whose new files can hold two pages: a backup into one runs out of room."""

    def connect(target, *args, **kwargs):
        conn = real(target, *args, **kwargs)
        conn.execute("PRAGMA max_page_count = 2")
        return conn

    return connect


def test_backup_on_a_full_disk_leaves_no_part_file(fresh_db, tmp_path, monkeypatch):
    Community.create(name="望湖社区")
    folder = tmp_path / "U 盘 备份"
    folder.mkdir()
    monkeypatch.setattr(database.sqlite3, "connect", full_disk_connect())
    with pytest.raises(errors.DiskFullError) as caught:
        database.backup_to(folder / "望湖.db")
    assert "磁盘空间已满，备份没有完成" in caught.value.message
    assert list(folder.iterdir()) == []


def test_automatic_backup_when_the_rename_fails_with_enospc(fresh_db, monkeypatch):
    def no_room(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(database.os, "replace", no_room)
    with pytest.raises(errors.DiskFullError):
        database.auto_backup("manual")
    assert [p for p in fresh_db.backups_dir.iterdir()] == []


def test_export_on_a_full_disk_keeps_the_old_file_and_no_temporary(demo_db, tmp_path, monkeypatch):
    target = tmp_path / "党员 花名册.xlsx"
    target.write_bytes(b"old export")
    real_save = openpyxl.Workbook.save

    def save_half(self, filename):
        real_save(self, io.BytesIO())  # the writer runs to its end, as a real full disk lets it
        Path(filename).write_bytes(b"PK\x03\x04 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", save_half)
    with pytest.raises(errors.UserError) as caught:
        for _ in exports.export_steps("branches", target):
            pass
    monkeypatch.setattr(openpyxl.Workbook, "save", real_save)
    assert "磁盘空间已满" in caught.value.message
    assert target.read_bytes() == b"old export"
    assert leftovers(tmp_path, target.name, "wanghu.db", "wanghu.db-wal", "wanghu.db-shm", "wanghu.db.lock",
                     "backups") == []


def test_report_on_a_full_disk_keeps_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "季度 报表.pdf"
    target.write_bytes(b"old report")

    def write_half(tmp: Path) -> None:
        tmp.write_bytes(b"%PDF-1.4 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(errors.UserError, match="磁盘空间已满"):
        document.save_atomically(target, write_half)
    assert target.read_bytes() == b"old report"
    assert leftovers(tmp_path, target.name) == []


# ---------------------------------------------------------------- read-only, open in Excel


def test_export_into_a_read_only_folder_says_to_choose_another(tmp_path, monkeypatch):
    book = openpyxl.Workbook()

    def refuse(self, filename):
        raise PermissionError(errno.EACCES, "Permission denied", filename)

    monkeypatch.setattr(openpyxl.Workbook, "save", refuse)
    with pytest.raises(errors.UserError) as caught:
        xlsx_style.save_workbook(book, tmp_path / "只读 文件夹" / "名册.xlsx")
    assert "没有写入权限" in caught.value.message and "换一个位置" in caught.value.message


def test_a_workbook_open_in_excel_says_to_close_it(tmp_path, monkeypatch):
    target = tmp_path / "党员 花名册.xlsx"
    target.write_bytes(b"held by Excel")

    def held(src, dst):  # what Windows does when Excel holds the file
        raise PermissionError(errno.EACCES, "The process cannot access the file", str(dst))

    monkeypatch.setattr(xlsx_style.os, "replace", held)
    with pytest.raises(errors.UserError) as caught:
        xlsx_style.save_workbook(openpyxl.Workbook(), target)
    assert xlsx_style.LOCKED_MESSAGE in caught.value.message
    assert target.read_bytes() == b"held by Excel"
    assert leftovers(tmp_path, target.name) == []


def test_file_system_faults_translate_to_actions():
    full = errors.translate(OSError(errno.ENOSPC, "No space left on device"))
    assert isinstance(full, errors.DiskFullError) and "清理磁盘" in full.message
    read_only = errors.translate(OSError(errno.EROFS, "Read-only file system", "x.xlsx"))
    assert "只读" in read_only.message
    assert "关闭" in errors.translate(PermissionError(errno.EACCES, "denied", "名册.xlsx")).message
    assert errors.translate(KeyError("bug")) is None
    assert isinstance(errors.translate(sqlite3.OperationalError("database is locked")), errors.DatabaseBusyError)


# ---------------------------------------------------------------- locked by another process

HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    print("held", flush=True)
    sys.stdin.readline()
    """
)


def test_a_write_while_another_process_locks_the_database_is_explained(qtbot, fresh_db):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(fresh_db.path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        db.execute_sql("PRAGMA busy_timeout = 50")

        def write():
            db.execute_sql("PRAGMA busy_timeout = 50")
            Community.create(name="另一个社区")

        worker = workers.Worker(write)
        messages: list[str] = []
        crashes: list[str] = []
        worker.signals.error.connect(messages.append)
        worker.signals.crashed.connect(crashes.append)
        with qtbot.waitSignal(worker.signals.finished, timeout=20_000):
            workers.start(worker)
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    assert crashes == []
    assert messages == ["数据库被占用，请稍后再试；如果另一个窗口正在导入或备份，请等它完成。"]
    db.execute_sql("PRAGMA busy_timeout = 5000")
    assert Community.select().count() == 0


# ---------------------------------------------------------------- Chinese path with spaces


def test_everything_works_in_a_folder_with_chinese_characters_and_spaces(template_db, tmp_path):
    folder = tmp_path / "党建 台账" / "望湖 街道 2026"
    folder.mkdir(parents=True)
    path = folder / "望湖 街道 数据.db"
    shutil.copyfile(template_db, path)
    with database.opened(path, daily_backup=True) as handle:
        assert handle.backups_dir.exists()
        community = Community.create(name="望湖社区")
        Branch.create(name="银杏苑小区党支部", category="estate", community=community, sort_order=1)
        outcome = importing.run(roster(folder / "花名册 第一批.xlsx", 20), "members")
        assert outcome.committed and outcome.inserted == 20
        exported = folder / "导出 结果" / "党员 花名册.xlsx"
        for _ in exports.export_steps("members", exported):
            pass
        assert openpyxl.load_workbook(exported).worksheets[0].max_row > 20
        copy = database.backup_to(folder / "U 盘" / "备份 一.db")
        Member.delete().execute()
        database.restore_from(copy)
        assert Member.select().count() == 20
        entries = database.backup_entries()
        assert {e.reason for e in entries} >= {"daily", "before-import", "before-restore"}
    assert database.inspect_file(path, full_check=True).quick_check == "ok"


# ---------------------------------------------------------------- startup recovery


@pytest.fixture
def dialog_log(monkeypatch):
    return record_dialogs(monkeypatch)


@pytest.fixture
def overwritten_with_backup(tmp_path, demo_template):
    """The database file replaced by something that is not a database (a workbook saved
    over it), with a good automatic backup beside it."""
    folder = tmp_path / "数据 文件夹"
    folder.mkdir()
    path = folder / "wanghu.db"
    shutil.copyfile(demo_template, path)
    with database.opened(path, lock=False):
        database.auto_backup("daily")
    path.write_bytes(b"PK\x03\x04" + os.urandom(4000))
    return path


def test_a_file_that_is_not_a_database_is_replaced_by_the_newest_good_backup(overwritten_with_backup, dialog_log):
    path = overwritten_with_backup
    garbage = path.read_bytes()
    dialog_log.answer = True
    handle = gui.open_for_window(path)
    try:
        assert handle is not None
        assert database.summarize().branches == 74
    finally:
        database.close_database()
    ((kind, _title, text),) = dialog_log.calls
    assert kind == "ask" and "不是本程序的数据库" in text and "最近的完好备份" in text
    kept = [p for p in path.parent.iterdir() if "损坏" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == garbage  # set aside, not deleted
    assert not [p for p in path.parent.iterdir() if p.name.endswith((".restored", ".restoring"))]


def test_a_file_that_is_not_a_database_without_a_backup_is_refused_untouched(tmp_path, dialog_log):
    path = tmp_path / "wanghu.db"
    path.write_text("这不是数据库", encoding="utf-8")
    assert gui.open_for_window(path) is None
    assert [c[0] for c in dialog_log.calls] == ["error"] and "不是本程序的数据库" in dialog_log.calls[0][2]
    assert path.read_text(encoding="utf-8") == "这不是数据库"


def test_recovery_on_a_full_disk_leaves_the_original_and_no_half_copy(overwritten_with_backup, dialog_log,
                                                                      monkeypatch):
    path = overwritten_with_backup
    before = sha(path)

    def copy_half(src, dst):
        Path(dst).write_bytes(b"SQLite format 3\x00half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(gui.shutil, "copyfile", copy_half)
    dialog_log.answer = True
    assert gui.open_for_window(path) is None
    assert [c[0] for c in dialog_log.calls] == ["ask", "error"]
    assert "磁盘空间已满" in dialog_log.calls[1][2] and "原文件没有改动" in dialog_log.calls[1][2]
    assert sha(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["backups", "wanghu.db", "wanghu.db.lock"]


# ---------------------------------------------------------------- the global exception hook


def test_the_exception_hook_gives_database_and_disk_faults_their_message(qapp, dialog_log, caplog):
    for exc in (sqlite3.OperationalError("database is locked"), OSError(errno.ENOSPC, "No space left on device"),
                RuntimeError("内部错误")):
        try:
            raise exc
        except Exception as caught:  # noqa: BLE001
            gui._excepthook(type(caught), caught, caught.__traceback__)
    assert [c[0] for c in dialog_log.calls] == ["error", "error", "crash"]
    assert "数据库被占用" in dialog_log.calls[0][2] and "磁盘空间已满" in dialog_log.calls[1][2]
    assert "RuntimeError" in caplog.text  # the log has the details, the clerk does not


@pytest.mark.parametrize("failure", [
    sqlite3.OperationalError("unable to open database file"),
    sqlite3.OperationalError("attempt to write a readonly database"),
    PermissionError(errno.EACCES, "Permission denied"),
    OSError(errno.EROFS, "Read-only file system"),
], ids=["cannot-open", "readonly", "permission", "read-only-drive"])
def test_backup_into_a_folder_that_cannot_be_written_says_where_and_what_to_do(fresh_db, tmp_path, monkeypatch,
                                                                                failure):
    folder = tmp_path / "只读 U 盘"
    folder.mkdir()
    real = sqlite3.connect

    def refuse(target, *args, **kwargs):
        if str(target).startswith(str(folder)):
            raise failure
        return real(target, *args, **kwargs)

    monkeypatch.setattr(database.sqlite3, "connect", refuse)
    with pytest.raises(errors.DatabaseRefused) as caught:
        database.backup_to(folder / "备份.db")
    assert "无法写入" in caught.value.message and "换一个位置" in caught.value.message
    assert str(folder) in caught.value.message
    assert list(folder.iterdir()) == []


def test_an_exception_ending_a_thread_is_logged(monkeypatch, caplog):
    import threading

    monkeypatch.setattr(threading, "excepthook", threading.excepthook)  # restored afterwards
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    gui.install_excepthook()
    assert sys.excepthook is gui._excepthook

    def fail():
        raise ValueError("线程里的错误")

    thread = threading.Thread(target=fail, name="后台线程")
    thread.start()
    thread.join()
    assert "线程 后台线程 未处理的异常" in caplog.text and "ValueError" in caplog.text
