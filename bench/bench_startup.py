"""Benchmark of start-up: whole processes, from launch to the first shown and painted
window with an idle event loop (usable), beside a bare PySide6 window's (the floor).

The program runs its real entry point (`wanghu_desk.gui.main`) on a demo database in a
temporary folder; only the login is answered for it (as the administrator), since a
person typing a password is not start-up time. Each run is a fresh interpreter; the
program and the floor alternate, and the medians are printed with the ratio, for the
wall clock and for the CPU time of the child process (user + system: less disturbed
when other work shares the machine). The dashboard's figures are read on a worker
after the window has been painted: the time until they are on screen is printed too.
The program's modules are compiled to bytecode first (`compileall`), as an installed or
frozen program ships them: with `PYTHONDONTWRITEBYTECODE` set no run would write them, and
every launch would compile about 60 modules from source (≈ 0.17 s).

Prints figures; asserts nothing. Run:
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The child reports once the first paint of the window has happened and the event loop
# has come back idle (a zero timer after that paint), and (with `wait_for`) once that
# has happened too, then quits.
_READY = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

def when_painted(app, window_type, stamps, wait_for=None):
    class Watch(QObject):
        done = False
        def eventFilter(self, obj, event):
            if not self.done and event.type() == QEvent.Type.Paint and isinstance(obj, QObject):
                win = obj.window() if hasattr(obj, "window") else None
                if isinstance(win, window_type):
                    self.done = True
                    QTimer.singleShot(0, finish)
            return False
    def finish():
        stamps.append(time.perf_counter())
        if wait_for is None:
            report()
        else:
            wait_for(report)
    def report():
        print("ready", " ".join(f"{t:.6f}" for t in stamps), flush=True)
        app.quit()
    watch = Watch(app)
    app.installEventFilter(watch)
    return watch
"""

FLOOR = _READY + """
stamps = [time.perf_counter()]
from PySide6.QtWidgets import QMainWindow
app = QApplication(sys.argv[:1])
stamps.append(time.perf_counter())
watch = when_painted(app, QMainWindow, stamps)
window = QMainWindow()
window.resize(1280, 800)
window.show()
stamps.append(time.perf_counter())
app.exec()
"""

PROGRAM = _READY + """
stamps = [time.perf_counter()]
sys.path.insert(0, ROOT_PATH)
from ui import dashboard, login_dialog, main_window
from wanghu_desk import gui
from wanghu_desk.services.base import Actor
stamps.append(time.perf_counter())
login_dialog.sign_in = lambda *a, **k: Actor("admin", "管理员", "admin")
state = {"filled": None, "then": None}
real_show_data = dashboard.Dashboard.show_data
def show_data(self, *args):
    real_show_data(self, *args)
    if state["filled"] is None:
        state["filled"] = time.perf_counter()
        if state["then"] is not None:
            QTimer.singleShot(0, state["then"])
dashboard.Dashboard.show_data = show_data
def dashboard_filled(then):
    def done():
        stamps.append(state["filled"])
        then()
    if state["filled"] is not None:
        done()
    else:
        state["then"] = done
real_create = gui.create_application
def create_application(argv=None):
    app = real_create(argv)
    app._watch = when_painted(app, main_window.MainWindow, stamps, wait_for=dashboard_filled)
    return app
gui.create_application = create_application
real_show = main_window.MainWindow.show
def show(self):
    stamps.append(time.perf_counter())
    real_show(self)
main_window.MainWindow.show = show
gui.main(DB_PATH)
"""


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(code: str) -> tuple[float, list[float], float]:
    """Seconds from launch to the ready line, the child's own stamps and its CPU seconds."""
    env = dict(os.environ)
    cpu = _child_cpu()
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("ready"):
            # the child's perf_counter is the same monotonic clock: stamps from the launch
            stamps = [float(x) - start for x in line.split()[1:]]
            elapsed = stamps[3 if len(stamps) > 4 else -1]  # usable: first paint + idle
            child.wait(timeout=60)
            return elapsed, stamps, _child_cpu() - cpu
    child.wait(timeout=60)
    raise SystemExit(f"the child process ended without a window (exit code {child.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for package in ("ui", "wanghu_desk", "models", "reports", "resources"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "startup.db")
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        subprocess.run([sys.executable, "main.py", "--db", db, "demo"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        program_code = f"ROOT_PATH = {str(ROOT)!r}\nDB_PATH = {db!r}\n" + PROGRAM
        run(FLOOR), run(program_code)  # warm the file cache
        floors, programs, parts, floor_cpu, program_cpu = [], [], [], [], []
        for _ in range(args.runs):
            elapsed, _stamps, cpu = run(FLOOR)
            floors.append(elapsed)
            floor_cpu.append(cpu)
            elapsed, stamps, cpu = run(program_code)
            programs.append(elapsed)
            program_cpu.append(cpu)
            # stamps: start, imports done, window built (show called), ready, dashboard figures shown
            parts.append((stamps[1] - stamps[0], stamps[2] - stamps[1], stamps[3] - stamps[2], stamps[4]))
    floor, program = statistics.median(floors), statistics.median(programs)
    print(f"start-up to a usable window, median of {args.runs} whole-process runs")
    print(f"  bare PySide6 window (floor)   {floor * 1000:8.1f} ms   runs: "
          + " ".join(f"{t * 1000:.0f}" for t in floors))
    print(f"  wanghu-desk (demo database)   {program * 1000:8.1f} ms   runs: "
          + " ".join(f"{t * 1000:.0f}" for t in programs))
    print(f"  ratio                         {program / floor:8.2f} ×")
    cpu_floor, cpu_program = statistics.median(floor_cpu), statistics.median(program_cpu)
    print(f"  CPU time of the whole child (to exit): floor {cpu_floor * 1000:.0f} ms, wanghu-desk "
          f"{cpu_program * 1000:.0f} ms, ratio {cpu_program / cpu_floor:.2f} ×")
    imports, build, paint, filled = (statistics.median(p[i] for p in parts) for i in range(4))
    print(f"  inside the program: imports {imports * 1000:.0f} ms, application + database + window "
          f"{build * 1000:.0f} ms, show to first paint and idle {paint * 1000:.0f} ms")
    print(f"  dashboard figures on screen (read on a worker) {filled * 1000:.0f} ms after the launch")


if __name__ == "__main__":
    main()
