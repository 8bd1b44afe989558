"""Benchmark of the Excel import and export at district scale, each compared in the
same run with its floor:

- member import: a 50,000-row roster (.xlsx), preview + commit; floor: a plain
  python-calamine read of the same file plus a bare SQLite `executemany` insert of its
  rows in one transaction (goal: the pipeline within 3×);
- ledger import: a 10,000-entry ledger (.xlsx) of 74 branches with allocations,
  expenses (some needing a second approver) and reversals, preview (the ledger's rules)
  + commit; the same kind of floor (goal: 10,000 entries within 5 s);
- export of 50,000 members; floor: a plain openpyxl write-only write of the same rows
  (goal: within 1.2×, issue 18).

Each figure is the median of `REPEATS` runs, and a floor and its pipeline run
alternately (floor, pipeline, floor, pipeline …) so that load from other processes on a
shared machine falls on both alike; the ratio printed is that of the medians, with the
ratio of each pair beside it. Peak memory (tracemalloc) is measured in a separate pass
so that tracing does not slow the timed runs. Asserts nothing.
Run: `.venv/bin/python bench/bench_import_export.py [ROWS] [--only members|ledger|export] [--ledger-rows N]`.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from models import db  # noqa: E402
from reports import exports, importing  # noqa: E402
from wanghu_desk import database  # noqa: E402
from wanghu_desk.services import exports as export_rows  # noqa: E402
from wanghu_desk.validation import id_check_char  # noqa: E402

HEADERS = ["序号", "姓名", "性别", "民族", "出生日期", "公民身份号码", "学历", "人员类别", "入党日期", "转正日期",
           "所在党支部", "工作单位及职务", "联系电话", "家庭住址", "备注"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢汪"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅兰玉春晓文斌浩宇欣怡子涵雨婷俊博鑫鹏飞亮"
EDUCATION = ["大学本科", "大学专科", "高中", "初中", "研究生", "中专", "小学"]
EMPLOYERS = ["退休", "社区网格员", "包河区税务局 干部", "安徽信达科技有限公司 工程师", "自由职业", "合肥市第四十六中学 教师"]
ROADS = ["宁国路", "徽州大道", "马鞍山路", "洞庭湖路", "太湖路", "黄山路"]


REPEATS = 3  # median of: other processes on a 2-core machine add noise


def _run(fn, args, kwargs) -> tuple[Any, float]:
    gc.collect()
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def timed(label: str, fn, *args, rows: int | None = None, fresh=None, **kwargs):
    """Median of `REPEATS` runs; `fresh()` gives new arguments for each run (a new database)."""
    times, result = [], None
    for _ in range(REPEATS):
        result, seconds = _run(fn, fresh() if fresh else args, kwargs)
        times.append(seconds)
    report(label, times, rows)
    return result, statistics.median(times)


def paired(floor_label: str, floor_fn, floor_fresh, label: str, fn, fresh, *, rows: int):
    """The floor and the pipeline run alternately, `REPEATS` times each; returns the
    pipeline's last result and the two lists of seconds."""
    floor_times, times, result = [], [], None
    for _ in range(REPEATS):
        _, seconds = _run(floor_fn, floor_fresh(), {})
        floor_times.append(seconds)
        result, seconds = _run(fn, fresh(), {})
        times.append(seconds)
    report(floor_label, floor_times, rows)
    report(label, times, rows)
    return result, floor_times, times


def report(label: str, times: list[float], rows: int | None) -> None:
    median = statistics.median(times)
    rate = f"{rows / median:10,.0f} rows/s" if rows else " " * 17
    runs = " ".join(f"{t:.2f}" for t in times)
    print(f"  {label:<50} {median:8.2f} s {rate}   (runs: {runs})")


def ratio_line(what: str, floor_times: list[float], times: list[float], goal: str) -> None:
    pairs = " ".join(f"{t / f:.2f}" for f, t in zip(floor_times, times))
    print(f"  {what} = {statistics.median(times):.2f} s / floor {statistics.median(floor_times):.2f} s = "
          f"{statistics.median(times) / statistics.median(floor_times):.2f}× the floor ({goal}; pairs: {pairs})")


def peak_mb(fn, *args, **kwargs) -> float:
    gc.collect()
    tracemalloc.start()
    fn(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def branch_names(n: int = 74) -> list[str]:
    return [f"望湖第{i + 1}小区党支部" for i in range(n)]


def _anniversary(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February → 1 March): a full year of probation, an 18th birthday."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def make_roster(path: Path, rows: int, seed: int = 4) -> None:
    """A district-style roster: title and note rows, header on row 3, real Excel dates,
    ID and phone as text."""
    rng = random.Random(seed)
    branches = branch_names()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["望湖街道党员花名册"])
    ws.append(["填报单位：望湖街道党工委"])
    ws.append(HEADERS)
    used: set[str] = set()
    for i in range(rows):
        first17 = ""
        while not first17 or first17 in used:
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 60 * 365))
            area = rng.choice(["340104", "340111", "340122", "340102", "342401"])
            first17 = f"{area}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        used.add(first17)
        gender = "男" if int(first17[16]) % 2 else "女"
        joined = _anniversary(birth, 18) + dt.timedelta(days=rng.randrange(0, 22 * 365))
        joined = min(joined, dt.date(2025, 6, 1))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        ws.append([
            i + 1, name, gender, "汉族", birth, first17 + id_check_char(first17), rng.choice(EDUCATION), "正式党员",
            joined, _anniversary(joined, 1), rng.choice(branches), rng.choice(EMPLOYERS),
            f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            f"合肥市包河区{rng.choice(ROADS)}{rng.randrange(1, 999)}号{rng.randrange(1, 40)}栋{rng.randrange(1, 4)}单元"
            f"{rng.randrange(1, 30)}0{rng.randrange(1, 5)}室",
            None,
        ])
    wb.save(str(path))


def fresh_database(path: Path) -> None:
    with database.opened(path, lock=False):
        with db.atomic():
            db.execute_sql("INSERT INTO community (name, sort_order) VALUES ('望湖社区', 1)")
            db.connection().executemany(
                "INSERT INTO branch (name, category, community_id, status, sort_order) VALUES (?, 'estate', 1, 'active', ?)",
                [(name, i) for i, name in enumerate(branch_names())],
            )
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


LEDGER_HEADERS = ["所在党支部", "日期", "凭证号", "类型", "科目", "摘要", "金额", "经办人", "审批人", "第二审批人",
                  "冲销凭证号"]
LEDGER_YEAR = 2025
LEDGER_TODAY = dt.date(2025, 12, 31)
SUBJECTS = ["活动经费", "服务群众", "阵地建设", "慰问", "办公", "其他"]
PURPOSES = ["主题党日活动资料", "为独居老人购买米面油", "更换党群服务站桌椅", "七一走访慰问困难党员", "购买打印纸",
            "党员冬训教材", "小区环境整治工具", "志愿服务队马甲"]


def make_ledger(path: Path, entries: int, seed: int = 7) -> None:
    """A district ledger of `LEDGER_YEAR` with a 所在党支部 column: per branch two
    allocations, expenses (from ¥2,000 with a second approver) that never overdraw the
    balance, and a reversal of about one expense in fifty; rows of each branch in date
    order with the branch's own voucher numbers, the branches one after another."""
    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("经费台账")
    ws.append([f"望湖街道{LEDGER_YEAR}年度经费台账"])
    ws.append(["单位：元"])
    ws.append(LEDGER_HEADERS)
    branches = branch_names()
    per_branch = [entries // len(branches) + (1 if i < entries % len(branches) else 0) for i in range(len(branches))]
    for name, count in zip(branches, per_branch):
        days = sorted(dt.date(LEDGER_YEAR, 1, 6) + dt.timedelta(days=rng.randrange(0, 355)) for _ in range(count))
        balance, expenses = 0, []
        rows = []
        for i, day in enumerate(days):
            voucher = i + 1
            if i in (0, count // 2) or balance < 300_000:
                amount = rng.choice((1_000_000, 2_000_000))
                balance += amount
                rows.append([name, day, voucher, "拨付", "服务群众", f"拨付{LEDGER_YEAR}年专项经费", amount / 100,
                             "王会计", "李书记", None, None])
            elif expenses and rng.random() < 0.02:
                number, amount = expenses.pop(rng.randrange(len(expenses)))
                balance += amount
                rows.append([name, day, voucher, "冲销", None, f"冲销第{number}号凭证：重复录入", -amount / 100,
                             "王会计", "李书记", None, number])
            else:
                amount = min(rng.choice((5_000, 12_000, 30_000, 80_000, 150_000, 250_000)), balance)
                balance -= amount
                expenses.append((voucher, amount))
                rows.append([name, day, voucher, "支出", rng.choice(SUBJECTS), rng.choice(PURPOSES), amount / 100,
                             "张三", "李书记", "赵主任" if amount >= 200_000 else None, None])
        for row in rows:
            ws.append(row)
    wb.save(str(path))


# ---------------------------------------------------------------- floors


def floor_import(xlsx: Path, target: Path) -> int:
    """Plain calamine read + bare executemany insert of the raw rows (below the header
    on row 3) into a table of as many columns, in one transaction."""
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python(skip_empty_area=False)[3:]
    width = max(len(r) for r in rows)
    conn = sqlite3.connect(str(target), isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = full")
    conn.execute(f"CREATE TABLE IF NOT EXISTS raw ({', '.join(f'c{i}' for i in range(width))})")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * width)})",
                     [tuple(str(v) if isinstance(v, dt.date) else v for v in r) for r in rows])
    conn.execute("COMMIT")
    conn.close()
    return len(rows)


def floor_export(rows: list[tuple], out: Path) -> None:
    """Plain openpyxl write-only write of the same rows (a header, then values)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员花名册")
    ws.append(["序号", *HEADERS[1:]])
    for i, row in enumerate(rows, 1):
        ws.append((i, *row))
    wb.save(str(out))


# ---------------------------------------------------------------- pipeline


def pipeline_import(xlsx: Path, db_path: Path, kind: str = "members", **options: Any) -> importing.ImportOutcome:
    with database.opened(db_path, lock=False):
        result = importing.preview(xlsx, kind, **options)
        assert not result.errors, [(e.row, e.column, e.message) for e in result.errors[:3]]
        return importing.commit(result)


def pipeline_preview(xlsx: Path, db_path: Path, kind: str = "members", **options: Any) -> importing.ImportPreview:
    with database.opened(db_path, lock=False):
        return importing.preview(xlsx, kind, **options)


def pipeline_commit(result: importing.ImportPreview, db_path: Path) -> importing.ImportOutcome:
    with database.opened(db_path, lock=False):
        return importing.commit(result)


def pipeline_export(db_path: Path, out: Path) -> exports.ExportResult:
    with database.opened(db_path, lock=False):
        return exports.export("members", out, unmasked=True)


def export_source_rows(db_path: Path) -> list[tuple]:
    with database.opened(db_path, lock=False):
        return export_rows.members(unmasked=True).rows


class Scratch:
    """Files of one benchmark run: a template database with 74 branches and copies of it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.template = tmp / "template.db"
        fresh_database(self.template)
        self.runs = iter(range(10_000))

    def name(self, stem: str, suffix: str = ".db") -> Path:
        return self.tmp / f"{stem}{next(self.runs)}{suffix}"

    def copy(self, stem: str = "p") -> Path:
        target = self.name(stem)
        src = sqlite3.connect(str(self.template))
        dest = sqlite3.connect(str(target))
        src.backup(dest)
        src.close()
        dest.close()
        return target


def bench_members(scratch: Scratch, n: int) -> Path:
    xlsx = scratch.tmp / "roster.xlsx"
    print(f"Member import: a {n:,}-row roster ({len(HEADERS)} columns) into a database with 74 branches")
    make_roster(xlsx, n)
    print(f"  roster file: {xlsx.stat().st_size / 1e6:.1f} MB")
    timed("floor: calamine read alone", lambda: CalamineWorkbook.from_path(str(xlsx))
          .get_sheet_by_index(0).to_python(skip_empty_area=False), rows=n)
    result, _ = timed("pipeline: preview (read, detect, check, compare)", pipeline_preview, rows=n,
                      fresh=lambda: (xlsx, scratch.copy("preview")))
    timed("pipeline: commit (backup, upsert, audit)", pipeline_commit, rows=n,
          fresh=lambda: (result, scratch.copy("c")))
    last: list[Path] = []

    def fresh_pipeline():
        last.append(scratch.copy("p"))
        return xlsx, last[-1]

    outcome, floor_times, times = paired(
        "floor: calamine read + bare executemany insert", floor_import,
        lambda: (xlsx, scratch.name("floor")), "pipeline: preview + commit, end to end", pipeline_import,
        fresh_pipeline, rows=n)
    print(f"  inserted {outcome.inserted:,}")
    ratio_line("member import end to end", floor_times, times, "goal ≤ 3×")
    mem_floor = peak_mb(floor_import, xlsx, scratch.name("floor-mem"))
    mem_pipe = peak_mb(pipeline_import, xlsx, scratch.copy("mem"))
    print(f"  peak memory: floor {mem_floor:.0f} MB, pipeline {mem_pipe:.0f} MB")
    return last[-1]


def bench_ledger(scratch: Scratch, n: int) -> None:
    xlsx = scratch.tmp / "ledger.xlsx"
    print(f"\nLedger import: {n:,} entries of {LEDGER_YEAR} for 74 branches into an empty ledger")
    make_ledger(xlsx, n)
    options = {"today": LEDGER_TODAY, "year": LEDGER_YEAR}
    result, _ = timed("pipeline: preview (read, check, ledger rules)", pipeline_preview, rows=n,
                      fresh=lambda: (xlsx, scratch.copy("lp"), "ledger"), **options)
    print(f"  {result.count(importing.import_service.INSERT):,} new entries, {len(result.errors)} errors")
    timed("pipeline: commit (backup, vouchers, write, audit)", pipeline_commit, rows=n,
          fresh=lambda: (result, scratch.copy("lc")))
    _, floor_times, times = paired(
        "floor: calamine read + bare executemany insert", floor_import, lambda: (xlsx, scratch.name("lfloor")),
        "pipeline: preview + commit, end to end", lambda *a: pipeline_import(*a, "ledger", **options),
        lambda: (xlsx, scratch.copy("l")), rows=n)
    ratio_line("ledger import end to end", floor_times, times, f"goal: {n:,} entries ≤ 5 s")


def bench_export(final_db: Path, scratch: Scratch) -> None:
    rows = export_source_rows(final_db)
    print(f"\nExport ({len(rows):,} members → .xlsx)")
    _, floor_times, times = paired(
        "floor: openpyxl write-only, plain values", floor_export, lambda: (rows, scratch.name("floor", ".xlsx")),
        "pipeline: export members (query, style, write)", pipeline_export,
        lambda: (final_db, scratch.name("export", ".xlsx")), rows=len(rows))
    ratio_line("export", floor_times, times, "goal ≤ 1.2×")
    mem_floor_w = peak_mb(floor_export, rows, scratch.name("floor-mem", ".xlsx"))
    mem_export = peak_mb(pipeline_export, final_db, scratch.name("export-mem", ".xlsx"))
    print(f"  peak memory: floor {mem_floor_w:.0f} MB (its rows were already in memory), "
          f"pipeline {mem_export:.0f} MB (query included)")


def main(argv: list[str]) -> None:
    args = list(argv)
    only = None
    ledger_rows = 10_000
    if "--only" in args:
        at = args.index("--only")
        only = args[at + 1]
        del args[at : at + 2]
    if "--ledger-rows" in args:
        at = args.index("--ledger-rows")
        ledger_rows = int(args[at + 1])
        del args[at : at + 2]
    n = int(args[0]) if args else 50_000
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Scratch(Path(tmp))
        final_db = None
        if only in (None, "members"):
            final_db = bench_members(scratch, n)
        elif only == "export":  # the members to export, imported once without timing
            xlsx = scratch.tmp / "roster.xlsx"
            make_roster(xlsx, n)
            final_db = scratch.copy("p")
            pipeline_import(xlsx, final_db)
        if only in (None, "ledger"):
            bench_ledger(scratch, ledger_rows)
        if only in (None, "export"):
            bench_export(final_db, scratch)


if __name__ == "__main__":
    main(sys.argv[1:])
