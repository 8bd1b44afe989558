"""Benchmark of hostile and broken import files: for each, the seconds and the peak memory
(of the whole process, RSS) until the import ends, and how it ended.

Each file is imported (`import members FILE --dry-run`) in its own process through the
command line, so a file that took the process down would show as a crash, and the peak
memory is that file's alone. Prints figures; asserts nothing.
Run: `make bench` or `.venv/bin/python bench/bench_hostile_files.py`.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_import_hostile import HEADER_ROW, member_row, text_cell, write_book  # noqa: E402

MEASURE = """
import resource, sys, time
sys.path.insert(0, {root!r})
from wanghu_desk import cli
start = time.perf_counter()
code = cli.main(["--db", {db!r}, "import", "members", {path!r}, "--dry-run"])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"@@ {{seconds:.2f}} {{peak:.0f}} {{code}}")
"""


def files(folder: Path) -> list[tuple[str, Path]]:
    made = []

    def add(label: str, path: Path) -> None:
        made.append((label, path))

    path = folder / "random.xlsx"
    path.write_bytes(random.Random(1).randbytes(1_000_000))
    add("1 MB of random bytes", path)
    path = folder / "notbook.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    add("a zip that is not a workbook", path)
    empty = ("".join(f'<row r="{r}"><c r="A{r}" s="0"/><c r="B{r}" s="0"/></row>' for r in range(k, k + 1000))
             for k in range(3, 1_000_003, 1000))
    add("1,000,000 formatted empty rows", write_book(folder / "empty_rows.xlsx", HEADER_ROW, member_row(2), *empty))
    wide = (f'<row r="{r}">{text_cell(f"A{r}", "张三")}<c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 2002))
    add("16,384 columns × 2,000 rows", write_book(folder / "wide.xlsx", HEADER_ROW, *wide))
    add("A1 and XFD1048576 (a 512 GB grid)",
        write_book(folder / "corner.xlsx", HEADER_ROW, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    add("a 10 MB cell", write_book(folder / "bigcell.xlsx", HEADER_ROW, member_row(2, name="张" * (10 * 1024 * 1024 // 3))))
    padding = b" " * (1024 * 1024)
    add("a zip bomb (2 GB from 2 MB)", write_book(folder / "bomb.xlsx", HEADER_ROW, '<row r="2"><c r="A2" t="inlineStr"><is><t>',
                                                   *([padding] * 2048), "</t></is></c></row>"))
    add("an .xls that aborts calamine", ROOT / "tests" / "data" / "calamine_abort.xls")
    path = folder / "utf16.csv"
    path.write_bytes(("姓名,公民身份号码\n" + "张三,110101199003077777\n" * 50_000).encode("utf-16-le"))
    add("UTF-16 CSV without BOM, 50,000 rows", path)
    path = folder / "nul.csv"
    path.write_bytes(b"\xe5\xa7\x93\xe5\x90\x8d,id\n" + b"ab\x00c,1\n" * 1000)
    add("NUL bytes in a CSV", path)
    return made


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "bench.db"
        subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), "init"], check=True, capture_output=True)
        print(f"{'file':40} {'size':>10} {'seconds':>8} {'peak MB':>8}  ended")
        for label, path in files(folder):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", MEASURE.format(root=str(ROOT), db=str(db), path=str(path))],
                                  capture_output=True, text=True)
            wall = time.perf_counter() - start
            line = next((x for x in done.stdout.splitlines() if x.startswith("@@ ")), None)
            if line is None:
                print(f"{label:40} {path.stat().st_size:>10,} {wall:>8.2f} {'—':>8}  CRASHED (exit {done.returncode})")
                continue
            _, seconds, peak, code = line.split()
            message = (done.stderr.strip().splitlines() or [""])[-1][:70]
            print(f"{label:40} {path.stat().st_size:>10,} {float(seconds):>8.2f} {peak:>8}  exit {code}: {message}")


if __name__ == "__main__":
    main()
