"""A member import of 50,000 rows killed with SIGKILL at random moments: while the
workbook is read, while the rows are checked, while they are written and around the
commit. Each time the database file passes `integrity_check` and holds either all of the
new members or none of them, and the program opens it again normally.

The workbook is made once per session. One run to completion measures how long each
phase takes on this machine; the kill moments are then drawn at random (a fixed seed per
phase) over those measured phases, so the test follows the machine's speed instead of
assuming it.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from models import db
from wanghu_desk import database
from wanghu_desk.validation import id_check_char

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only"),
]

ROOT = Path(__file__).resolve().parents[1]
ROWS = 50_000
BRANCHES = [f"望湖第{i + 1}小区党支部" for i in range(74)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
KILLS_WHILE_READING_AND_CHECKING = 5
KILLS_WHILE_WRITING = 6

#: Imports the workbook into the database; prints a line at each phase boundary and, as
#: the commit yields its progress, "writing" once the rows start going in.
IMPORTER = textwrap.dedent(
    """
    import datetime as dt, sys
    from reports import importing
    from wanghu_desk import database
    database.open_database(sys.argv[1])
    print("ready", flush=True)
    result = importing.preview(sys.argv[2], "members", today=dt.date(2026, 11, 22))
    assert result.clean and len(result.valid_rows) == int(sys.argv[3]), result.errors[:3]
    print("checked", flush=True)
    said = False
    steps = importing.commit_steps(result)
    try:
        while True:
            next(steps)
            if not said:
                print("writing", flush=True)
                said = True
    except StopIteration as stop:
        outcome = stop.value
    print("committed", outcome.inserted, flush=True)
    """
)


@pytest.fixture(scope="session")
def roster_50k(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sigkill") / "党员花名册 五万人.xlsx"
    rng = random.Random(12)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(["姓名", "性别", "公民身份号码", "入党日期", "转正日期", "人员类别", "所在党支部", "联系电话"])
    for i in range(ROWS):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=i % 18000)
        first17 = f"34{i // 1000 % 100:02d}{i % 10:02d}{birth:%Y%m%d}{i // 10 % 100:02d}{rng.randrange(10)}"
        joined = dt.date(birth.year + 20, birth.month, min(birth.day, 28))
        gender = "男" if int(first17[16]) % 2 else "女"
        sheet.append([
            SURNAMES[i % 20] + GIVEN[i // 20 % 20] + GIVEN[i // 400 % 20], gender, first17 + id_check_char(first17), joined,
            dt.date(joined.year + 1, joined.month, joined.day), "正式党员", BRANCHES[i % 74], f"139{i:08d}",
        ])
    book.save(str(path))
    return path


@pytest.fixture(scope="session")
def branches_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sigkill-db") / "template.db"
    with database.opened(path, lock=False):
        with db.atomic():
            db.execute_sql("INSERT INTO community (name, sort_order) VALUES ('望湖社区', 1)")
            db.connection().executemany(
                "INSERT INTO branch (name, category, community_id, status, sort_order) VALUES (?, 'estate', 1, 'active', ?)",
                [(name, i) for i, name in enumerate(BRANCHES)],
            )
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def start_import(db_path: Path, roster: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", IMPORTER, str(db_path), str(roster), str(ROWS)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT,
    )


def read_line(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=60)
        pytest.fail(f"the importer ended early: {proc.stderr.read()[-2000:]}")
    return line.split()[0]


def members_in(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT count(*) FROM member").fetchone()[0]
    finally:
        conn.close()


def measure_phases(tmp_path: Path, template: Path, roster: Path) -> dict[str, float]:
    """Seconds after "ready" at which each phase ended, in one uninterrupted run."""
    path = tmp_path / "measure.db"
    shutil.copyfile(template, path)
    proc = start_import(path, roster)
    try:
        assert read_line(proc) == "ready"
        start = time.monotonic()
        ends = {}
        for expected in ("checked", "writing", "committed"):
            assert read_line(proc) == expected
            ends[expected] = time.monotonic() - start
        assert proc.wait(timeout=120) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert members_in(path) == ROWS
    return ends


def test_an_import_killed_at_random_moments_is_all_or_nothing(tmp_path, branches_db, roster_50k):
    phases = measure_phases(tmp_path, branches_db, roster_50k)
    rng = random.Random(2026)
    moments = [("reading and checking", rng.uniform(0.0, phases["checked"]))
               for _ in range(KILLS_WHILE_READING_AND_CHECKING)]
    # from the end of the checks to a little after the measured commit, so that some
    # kills land in the commit itself and some after it
    moments += [("writing", rng.uniform(phases["checked"], phases["committed"] * 1.1))
                for _ in range(KILLS_WHILE_WRITING)]
    outcomes = []
    for number, (phase, after) in enumerate(moments):
        path = tmp_path / f"killed-{number}.db"
        shutil.copyfile(branches_db, path)
        proc = start_import(path, roster_50k)
        try:
            assert read_line(proc) == "ready"
            time.sleep(after)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        count = members_in(path)
        assert count in (0, ROWS), f"kill {number} ({phase}, {after:.2f} s): {count} members"
        outcomes.append((phase, round(after, 2), proc.returncode, count))
        with database.opened(path):  # the lock died with the process; the file opens as usual
            assert database.integrity_problems() == []
    assert len(outcomes) >= 10
    # the kills really interrupted imports (not every one came after the end)
    assert sum(1 for *_rest, code, count in outcomes if code == -signal.SIGKILL and count == 0) >= 5, outcomes
