"""Benchmark of the foundation: demo build, open (quick_check + migrate), stats, org tree
and backup, on the demo database and on one grown to 100,000 members.

Prints figures; asserts nothing. Run: `make bench` or `.venv/bin/python bench/bench_database.py`.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import Branch, BuildingGroup, db  # noqa: E402
from wanghu_desk import database, demo  # noqa: E402
from wanghu_desk.services import organization, stats  # noqa: E402
from wanghu_desk.validation import id_check_char  # noqa: E402


def timed(label: str, fn, *args, **kwargs):
    tracemalloc.start()
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<44} {seconds:8.3f} s   peak {peak / 1e6:7.1f} MB")
    return result


def grow_members(target: int) -> int:
    """Add synthetic members until the register holds `target` (raw executemany)."""
    have = db.execute_sql("SELECT count(*) FROM member").fetchone()[0]
    branches = [b.id for b in Branch.select(Branch.id)]
    groups = {}
    for g in BuildingGroup.select(BuildingGroup.id, BuildingGroup.branch):
        groups.setdefault(g.branch_id, []).append(g.id)
    rng = random.Random(7)
    rows = []
    now = dt.datetime.now().isoformat(timespec="seconds")
    for i in range(have, target):
        first17 = f"{34 + (i // 1000) % 10:02d}0104{1950 + i % 50:04d}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        branch = rng.choice(branches)
        group = rng.choice(groups[branch]) if branch in groups else None
        rows.append((f"测试{i}", "cs", first17 + id_check_char(first17), branch, group, "active", "full", now, now))
    start = time.perf_counter()
    with db.atomic("IMMEDIATE"):
        db.connection().executemany(
            "INSERT OR IGNORE INTO member (name, name_initials, id_number, branch_id, group_id, status, category,"
            " is_lost_contact, is_floating, is_center_household, reported_at_residence, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?)",
            rows,
        )
    print(f"{'insert ' + str(len(rows)) + ' members (executemany)':<44} {time.perf_counter() - start:8.3f} s")
    return db.execute_sql("SELECT count(*) FROM member").fetchone()[0]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        with database.opened(path, lock=False):
            counts = timed("demo build (望湖街道)", demo.build_demo, today=dt.date(2026, 11, 22))
            print("   ", counts)
            timed("stats.collect (demo)", stats.collect)
            timed("organization.org_tree (demo)", organization.org_tree)
            timed("backup_to (demo)", database.backup_to, Path(tmp) / "b1.db")
            total = grow_members(100_000)
            print(f"    members now {total}")
            timed("stats.collect (100k members)", stats.collect)
            timed("organization.org_tree (100k members)", organization.org_tree)
            timed("backup_to (100k members)", database.backup_to, Path(tmp) / "b2.db")
            timed("integrity_check (100k members)", database.integrity_problems)
        timed("open_database incl. quick_check (100k)", database.open_database, path, lock=False)
        database.close_database()
        print(f"database size {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
