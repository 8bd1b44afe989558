"""ui.workers: results, Chinese errors, crashes, throttled progress, cancel between
steps, and the progress dialog helper (driven by signals, never by a modal exec)."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtWidgets import QPushButton

from ui import dialogs, workers
from wanghu_desk.errors import ValidationError


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    shown: list[tuple] = []
    for name in ("inform", "warn", "error"):
        monkeypatch.setattr(
            dialogs, name, lambda parent, title, text, *a, _n=name, **k: shown.append((_n, title, text))
        )
    monkeypatch.setattr(dialogs, "crash", lambda parent=None, log_path=None: shown.append(("crash",)))
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: pytest.fail("unexpected question"))
    return shown


def run(qtbot, worker: workers.Worker) -> dict:
    got: dict = {"progress": []}
    sig = worker.signals
    sig.progress.connect(lambda d, t, text: got["progress"].append((d, t, text)))
    sig.result.connect(lambda value: got.__setitem__("result", value))
    sig.error.connect(lambda message: got.__setitem__("error", message))
    sig.crashed.connect(lambda summary: got.__setitem__("crashed", summary))
    sig.cancelled.connect(lambda: got.__setitem__("cancelled", True))
    with qtbot.waitSignal(sig.finished, timeout=10_000):
        workers.start(worker)
    return got


def test_callable_result_comes_back_on_the_gui_thread(qtbot):
    main_thread = threading.get_ident()
    seen = {}

    def work(a, b, *, c):
        seen["thread"] = threading.get_ident()
        return a + b + c

    got = run(qtbot, workers.Worker(work, 1, 2, c=3, cleanup=None))
    assert got["result"] == 6
    assert seen["thread"] != main_thread
    qtbot.waitUntil(lambda: workers.running_count() == 0)  # forgotten once `finished` is handled


def test_user_error_becomes_its_chinese_message(qtbot):
    def work():
        raise ValidationError("身份证号校验位不对，请核对后重新输入。")

    got = run(qtbot, workers.Worker(work, cleanup=None))
    assert got["error"] == "身份证号校验位不对，请核对后重新输入。"
    assert "result" not in got and "crashed" not in got


def test_unexpected_exception_is_logged_and_reported(qtbot, caplog):
    def work():
        raise ZeroDivisionError("boom")

    with caplog.at_level(logging.ERROR, logger="ui.workers"):
        got = run(qtbot, workers.Worker(work, cleanup=None))
    assert got["crashed"].startswith("ZeroDivisionError")
    assert any("ZeroDivisionError" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_generator_progress_is_throttled_and_the_last_step_always_arrives(qtbot):
    def work():
        for i in range(1, 10_001):
            yield i, 10_000, f"第 {i} 项"
        return "完成"

    worker = workers.Worker(work, cleanup=None, clock=lambda: 0.0)  # time stands still
    got = run(qtbot, worker)
    assert got["result"] == "完成"
    assert got["progress"][0] == (1, 10_000, "第 1 项")
    assert got["progress"][-1] == (10_000, 10_000, "第 10000 项")
    assert len(got["progress"]) == 2


def test_progress_rate_follows_the_interval(qtbot):
    ticks = iter(i * 0.01 for i in range(100_000))  # 10 ms per step, 50 ms interval

    def work():
        for i in range(100):
            yield i, 0  # unknown total: no "final step" shortcut
        return None

    got = run(qtbot, workers.Worker(work, cleanup=None, clock=lambda: next(ticks)))
    assert 15 <= len(got["progress"]) <= 25  # every fifth step, plus the pending last one
    assert got["progress"][-1][0] == 99


def test_cancel_is_checked_between_steps_and_closes_the_generator(qtbot):
    produced, closed = [], []
    holder: dict = {}

    def work():
        try:
            for i in range(100):
                produced.append(i)
                if i == 3:
                    holder["worker"].cancel()  # as the 取消 button would, between two steps
                yield i, 100
        finally:
            closed.append(True)

    worker = workers.Worker(work, cleanup=None)
    holder["worker"] = worker
    got = run(qtbot, worker)
    assert got.get("cancelled") is True
    assert "result" not in got
    assert produced == [0, 1, 2, 3]
    assert closed == [True]


def test_progress_dialog_shows_labels_and_reports_errors(qtbot, no_modal_dialogs):
    release = threading.Event()

    def work():
        yield 3, 10, "正在处理第 3 个支部"
        release.wait(10)
        raise ValidationError("第 5 行：金额不能为负数。")

    task = workers.run_with_progress(
        None, workers.Worker(work, cleanup=None), title="导入", label="准备中…", minimum_duration_ms=0
    )
    assert task.dialog.labelText() == "准备中…"
    qtbot.waitUntil(lambda: task.dialog.labelText() == "正在处理第 3 个支部")
    assert (task.dialog.value(), task.dialog.maximum()) == (3, 10)
    with qtbot.waitSignal(task.worker.signals.finished, timeout=10_000):
        release.set()
    assert no_modal_dialogs == [("error", "导入", "第 5 行：金额不能为负数。")]


def test_progress_dialog_cancel_button_stops_the_work(qtbot):
    stopped = []

    def work():
        i = 0
        while True:
            i += 1
            yield i, 0
            threading.Event().wait(0.001)

    task = workers.run_with_progress(
        None,
        workers.Worker(work, cleanup=None),
        title="导出",
        label="正在导出…",
        on_cancelled=lambda: stopped.append(True),
    )
    assert [b.text() for b in task.dialog.findChildren(QPushButton)] == ["取消"]
    with qtbot.waitSignal(task.worker.signals.finished, timeout=10_000):
        task.cancel()
    assert stopped == [True]


def test_unexpected_failure_shows_the_crash_dialog(qtbot, no_modal_dialogs):
    def work():
        raise KeyError("x")

    worker = workers.Worker(work, cleanup=None)
    with qtbot.waitSignal(worker.signals.finished, timeout=10_000):
        task = workers.run_with_progress(None, worker, title="备份", label="…", cancellable=False)
    assert task.dialog.isHidden()
    assert task.dialog.findChildren(QPushButton) == []  # work that cannot stop offers no 取消
    assert no_modal_dialogs == [("crash",)]


def test_worker_closes_its_own_database_connection(qtbot, fresh_db):
    from wanghu_desk import database

    def work():
        return database.db.execute_sql("SELECT count(*) FROM community").fetchone()[0]

    got = run(qtbot, workers.Worker(work))
    assert got["result"] == 0
    assert not database.db.is_closed()  # the GUI thread's connection is untouched
