"""`make screenshots`: every dialog and tab of the program as a PNG, on the demo database,
for a 1366×768 laptop and a 1920×1080 screen at 150 % — to look at, after UI work.

    python scripts/screenshots.py [--out build/screenshots]

The list of what is opened, and the checks it prints (a window beyond the screen, a
button out of sight, text cut off), are those of the geometry test
(`tests/ui_catalogue.py`); one child process per screen, on Qt's offscreen platform.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import ui_catalogue  # noqa: E402


def build_demo(path: Path) -> None:
    from wanghu_desk import database, demo

    with database.opened(path, lock=False):
        demo.build_demo(today=ui_catalogue.TODAY)
        database.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="每个对话框和页签的截图（1366×768 与 1920×1080 150%）")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots", help="截图保存到的文件夹")
    args = parser.parse_args(argv)
    failed = 0
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        demo_db = work_dir / "demo.db"
        build_demo(demo_db)
        for screen in ui_catalogue.SCREENS:
            folder = args.out / screen
            folder.mkdir(parents=True, exist_ok=True)
            db = work_dir / f"{screen}.db"
            db.write_bytes(demo_db.read_bytes())
            proc = subprocess.run(
                [sys.executable, str(ROOT / "tests" / "ui_catalogue.py"), "--db", str(db), "--shots", str(folder)],
                env=ui_catalogue.screen_environment(screen, work_dir), capture_output=True, text=True,
            )
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 1
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            problems = {name: found for name, found in result.items() if found}
            failed += len(problems)
            print(f"{screen}: {len(result)} 张截图 → {folder}")
            for name, found in problems.items():
                for line in found:
                    print(f"  {name}: {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
