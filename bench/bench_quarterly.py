"""Benchmark of the quarterly report (SPEC §8): the figures of a quarter and the whole PDF,
on the 望湖街道 demo and on a database grown to 100,000 members and 100,000 service
records (district scale, SPEC §1). Target: the report for 100,000 members in under 3 s.

Prints figures; asserts nothing. Run: `.venv/bin/python bench/bench_quarterly.py`.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models import Branch, BuildingGroup, Volunteer, VolunteerTeam, db  # noqa: E402
from reports import fonts  # noqa: E402
from reports.quarterly_report import write_quarterly_report  # noqa: E402
from wanghu_desk import database, demo  # noqa: E402
from wanghu_desk.services import quarterly  # noqa: E402
from wanghu_desk.validation import id_check_char  # noqa: E402

TODAY = dt.date(2026, 11, 22)


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"{label:<52} {time.perf_counter() - start:8.3f} s")
    return result


def grow_members(target: int) -> int:
    """Synthetic members with valid IDs until the register holds `target` (raw executemany):
    15 % 预备党员 who joined in the last 400 days, a few who left, the rest 正式党员."""
    have = db.execute_sql("SELECT count(*) FROM member").fetchone()[0]
    branches = [b.id for b in Branch.select(Branch.id)]
    groups: dict[int, list[int]] = {}
    for g in BuildingGroup.select(BuildingGroup.id, BuildingGroup.branch):
        groups.setdefault(g.branch_id, []).append(g.id)
    rng = random.Random(7)
    now = dt.datetime.now().isoformat(timespec="seconds")
    rows = []
    for i in range(have, target):
        first17 = f"{34 + (i // 1000) % 10:02d}0104{1950 + i % 50:04d}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        branch = rng.choice(branches)
        group = rng.choice(groups[branch]) if branch in groups else None
        roll = rng.random()
        if roll < 0.15:
            category, joined, confirmed = "probationary", TODAY - dt.timedelta(days=rng.randint(20, 400)), None
        else:
            joined = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randint(0, 20_000))
            category, confirmed = "full", joined.replace(year=joined.year + 1) if joined.month != 2 else joined
        status, changed = ("active", None)
        if roll > 0.99:
            status, changed = rng.choice(("transferred_out", "deceased")), TODAY - dt.timedelta(days=rng.randint(1, 700))
        rows.append((f"测试{i}", "cs", first17 + id_check_char(first17), branch, group, status,
                     changed and changed.isoformat(), category, joined.isoformat(),
                     confirmed and confirmed.isoformat(), now, now))
    with db.atomic("IMMEDIATE"):
        db.connection().executemany(
            "INSERT OR IGNORE INTO member (name, name_initials, id_number, branch_id, group_id, status,"
            " status_changed_on, category, joined_on, confirmed_on, is_lost_contact, is_floating,"
            " is_center_household, reported_at_residence, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?)",
            rows,
        )
    return db.execute_sql("SELECT count(*) FROM member").fetchone()[0]


def grow_service_records(target: int) -> int:
    have = db.execute_sql("SELECT count(*) FROM service_record").fetchone()[0]
    volunteers = [v.id for v in Volunteer.select(Volunteer.id)]
    teams = [t.id for t in VolunteerTeam.select(VolunteerTeam.id)]
    rng = random.Random(11)
    now = dt.datetime.now().isoformat(timespec="seconds")
    rows = []
    for _ in range(have, target):
        day = TODAY - dt.timedelta(days=rng.randint(0, 456))
        rows.append((rng.choice(volunteers), rng.choice(teams), day.isoformat(), "入户走访",
                     rng.choice((30, 60, 90, 120, 180, 240)), now))
    with db.atomic("IMMEDIATE"):
        db.connection().executemany(
            "INSERT INTO service_record (volunteer_id, team_id, served_on, activity, minutes, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    return db.execute_sql("SELECT count(*) FROM service_record").fetchone()[0]


def report(out: Path, label: str) -> None:
    path = timed(f"quarterly report 2026 Q3 ({label})", write_quarterly_report, out, 2026, 3, report_date=TODAY)
    print(f"    {path.stat().st_size / 1e3:.0f} kB")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with database.opened(folder / "bench.db", lock=False):
            timed("demo build (望湖街道)", demo.build_demo, today=TODAY)
            found = timed("resolve fonts (first time in the process)", fonts.resolve_fonts)
            print(f"    {found.note}")
            timed("quarter_figures 2026 Q3 (demo)", quarterly.quarter_figures, 2026, 3, today=TODAY)
            report(folder / "demo.pdf", "demo")
            members = timed("grow to 100,000 members (executemany)", grow_members, 100_000)
            records = timed("grow to 100,000 service records (executemany)", grow_service_records, 100_000)
            print(f"    members {members:,}, service records {records:,}")
            figures = timed("quarter_figures 2026 Q3 (100k)", quarterly.quarter_figures, 2026, 3, today=TODAY)
            print(f"    in register {figures.members.total:,}, 转正 due {len(figures.members.probation_due):,}, "
                  f"service records in Q3 {figures.volunteers.records:,}")
            report(folder / "big.pdf", "100k members, 100k records")
            report(folder / "big2.pdf", "100k, second run")
            path = timed("quarterly report 2026 Q4, as of 11-22 (100k)", write_quarterly_report, folder / "q4.pdf",
                         2026, 4, report_date=TODAY)
            print(f"    {path.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
