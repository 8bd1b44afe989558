"""No full ID number or phone number in the log files or crash reports (issue 12, point 2).

A realistic session (a messy member roster imported through the command line, an import
that fails with an exception quoting an ID number, log calls with personal numbers in their
arguments and tracebacks, an unexpected exception through the window's exception hook and
one ending a thread) writes into a fresh log folder; then every file there is searched."""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import threading
from types import SimpleNamespace

import pytest
from messy_roster import make_messy_roster
from openpyxl import load_workbook

from wanghu_desk import cli, gui, logs, paths
from wanghu_desk.validation import id_check_char, mask_id_number, mask_personal_numbers, mask_phone

FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")

PERSON_ID = "340104198507010017"[:17]
PERSON_ID += id_check_char(PERSON_ID)
PERSON_PHONE = "13955123456"


@pytest.fixture
def log_folder(tmp_path, monkeypatch):
    """A log folder of this test's own (the process's handler moves there and back)."""
    monkeypatch.setenv("WANGHU_DESK_HOME", str(tmp_path / "home"))
    logs.setup_logging()
    yield paths.log_dir()
    monkeypatch.undo()
    logs.setup_logging()


def _everything_logged(folder) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files, "the session wrote no log file"
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def _roster_numbers(path) -> tuple[set[str], set[str]]:
    """The full ID numbers and mobiles written in the generated roster."""
    ids, phones = set(), set()
    for row in load_workbook(path, read_only=True).active.iter_rows(values_only=True):
        for cell in row:
            text = str(cell or "").strip().upper()
            if FULL_ID.fullmatch(text):
                ids.add(text)
            elif MOBILE.fullmatch(text):
                phones.add(text)
    return ids, phones


def test_a_session_leaves_no_full_id_number_or_phone_in_the_logs(
    log_folder, tmp_path, demo_template, monkeypatch, qapp, capsys
):
    db = tmp_path / "w.db"
    shutil.copyfile(demo_template, db)
    with sqlite3.connect(db) as con:
        branches = [name for (name,) in con.execute("SELECT name FROM branch WHERE status = 'active' LIMIT 8")]
    roster = tmp_path / "花名册.xlsx"
    make_messy_roster(roster, 120, branches, seed=5)
    ids, phones = _roster_numbers(roster)
    assert len(ids) > 50 and len(phones) > 20

    # 1. The roster through the command line: the rows with problems skipped, the rest imported.
    assert cli.main(["--db", str(db), "import", "members", str(roster), "--skip-invalid"]) == 0
    assert "已导入" in capsys.readouterr().out

    # 2. An import that fails inside the services with a message quoting an ID number and a phone.
    def failing_commit(*_args, **_kwargs):
        raise sqlite3.IntegrityError(f"UNIQUE constraint failed: member.id_number = {PERSON_ID}（电话 {PERSON_PHONE}）")

    monkeypatch.setattr("reports.importing.import_service.commit", failing_commit)
    assert cli.main(["--db", str(db), "import", "members", str(roster), "--skip-invalid"]) != 0
    assert "程序出错" in capsys.readouterr().err
    monkeypatch.undo()

    # 3. Log calls as the program's modules make them: numbers in the arguments, in the
    # message itself, in an exception's text and in a stack.
    log = logging.getLogger("wanghu_desk.services.members")
    log.warning("身份证号 %s 重复（第 %d 行），电话 %s", PERSON_ID, 12, PERSON_PHONE)
    log.error(f"导入失败：{PERSON_ID.lower()[:-1]}x / +86{PERSON_PHONE}")
    try:
        raise ValueError(f"这个身份证号已经登记过：{PERSON_ID}")
    except ValueError:
        log.exception("保存党员失败")
    log.info("调用栈 %s", PERSON_PHONE, stack_info=True)

    # 4. An unexpected exception in a slot (the window's hook: log, then the crash dialog),
    # and one that ends a worker thread.
    shown = []
    monkeypatch.setattr("ui.dialogs.crash", lambda parent=None, log_path=None: shown.append(parent))
    try:
        raise RuntimeError(f"找不到 {PERSON_ID} 的联系电话 {PERSON_PHONE}")
    except RuntimeError as exc:
        gui._excepthook(type(exc), exc, exc.__traceback__)
    assert len(shown) == 1
    try:
        raise KeyError(PERSON_PHONE)
    except KeyError as exc:
        gui._thread_excepthook(SimpleNamespace(exc_type=KeyError, exc_value=exc, exc_traceback=exc.__traceback__,
                                               thread=threading.current_thread()))

    text = _everything_logged(log_folder)
    assert FULL_ID.findall(text) == [] and MOBILE.findall(text) == []
    assert not [n for n in ids | {PERSON_ID} if n in text]
    assert not [n for n in phones | {PERSON_PHONE} if n in text]
    # … and the records were written, masked: the test would see a leak.
    masked_id, masked_phone = mask_id_number(PERSON_ID), mask_phone(PERSON_PHONE)
    assert text.count(masked_id) >= 4 and text.count(masked_phone) >= 5
    assert "UNIQUE constraint failed" in text and "未处理的异常" in text and "Traceback" in text
    assert "线程" in text and "Stack (most recent call last)" in text


def test_the_filter_masks_a_record_whose_arguments_do_not_fit_its_message(log_folder):
    logging.getLogger("wanghu_desk").warning("两个占位 %s %s", PERSON_ID)  # a bad call must not leak either
    text = _everything_logged(log_folder)
    assert PERSON_ID not in text and mask_id_number(PERSON_ID) in text


@pytest.mark.parametrize(
    "raw, expected",
    [
        (f"号码 {PERSON_ID}。", f"号码 {PERSON_ID[:6]}********{PERSON_ID[-4:]}。"),
        ("11010519491231002X", "110105********002X"),
        ("110105491231002", "110105*****1002"),  # an old 15-digit number
        ("电话13912345678，", "电话139****5678，"),
        ("+86 13912345678", "+86 139****5678"),
        ("座机 0551-65179666", "座机 0551-****9666"),
        # no personal number: dates, times, counts, sizes and ids stay as they are
        ("2026-12-03 06:05:01,123 INFO 已导入 50000 行，2000000 字节，第 12 行", None),
        ("member_id=1234567890 0x7f3a2b1c9d", None),
    ],
)
def test_mask_personal_numbers(raw, expected):
    assert mask_personal_numbers(raw) == (raw if expected is None else expected)
