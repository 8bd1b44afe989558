"""Long work off the GUI thread (ARCHITECTURE: "long work as a generator").

A `Worker` runs a callable on the global `QThreadPool`. If the callable returns a
generator, the generator is driven step by step: each value it yields is progress
``(done, total)`` or ``(done, total, text)``, the cancel flag is checked between steps,
and the generator's ``return`` value is the result. Progress signals are throttled (at
most one per `progress_interval`, ~20 per second, plus the final one) so a fast loop
cannot flood the GUI thread.

Everything comes back to the GUI thread by queued signals: `result`, `error` (the
Chinese message of a `UserError`), `crashed` (an unexpected exception, already logged),
`cancelled`, and always last `finished`.

`run_with_progress` pairs a worker with a window-modal `QProgressDialog` (Chinese labels,
a 取消 button) and never calls `exec()`, so tests drive it with `qtbot.waitSignal`.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import logging
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from ui import dialogs
from wanghu_desk.errors import UserError, translate

log = logging.getLogger(__name__)

_CANCELLED = object()

#: Workers that have been started and have not reported `finished` yet; holding them
#: here keeps their signal objects alive until the GUI thread has heard the end.
_running: set[Worker] = set()


class WorkerSignals(QObject):
    progress = Signal(int, int, str)
    result = Signal(object)
    error = Signal(str)
    crashed = Signal(str)
    cancelled = Signal()
    finished = Signal()


def release_thread_connection() -> None:
    """Close the database connection peewee opened for this pool thread.

    peewee keeps one connection per thread; a pool thread must not keep one open after
    its job (it would outlive `close_database()` and keep the file open on Windows).
    """
    from wanghu_desk import database

    with contextlib.suppress(Exception):
        if not database.db.is_closed():
            database.db.close()


class Worker(QRunnable):
    """Runs `fn(*args, **kwargs)` off the GUI thread. See the module docstring."""

    progress_interval = 0.05  # seconds between progress signals (~20 per second)

    def __init__(
        self,
        fn: Callable[..., Any],
        *args: Any,
        cleanup: Callable[[], None] | None = release_thread_connection,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ):
        super().__init__()
        self.signals = WorkerSignals()
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._cleanup = cleanup
        self._clock = clock
        self._cancel = threading.Event()

    # -- called from the GUI thread
    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- runs on a pool thread
    def run(self) -> None:
        try:
            if self._cancel.is_set():
                self.signals.cancelled.emit()
                return
            outcome = self._fn(*self._args, **self._kwargs)
            if inspect.isgenerator(outcome):
                outcome = self._drive(outcome)
            if outcome is _CANCELLED:
                self.signals.cancelled.emit()
            else:
                self.signals.result.emit(outcome)
        except UserError as exc:
            self.signals.error.emit(exc.message)
        except Exception as exc:  # noqa: BLE001 - anything else is a bug: log it, tell the clerk
            known = translate(exc)  # a locked database, a full disk, a read-only folder …
            if known is not None:
                log.warning("后台任务未完成：%r: %s", self._fn, exc)
                self.signals.error.emit(known.message)
            else:
                log.exception("后台任务意外失败：%r", self._fn)
                self.signals.crashed.emit(f"{type(exc).__name__}: {exc}")
        finally:
            if self._cleanup is not None:
                try:
                    self._cleanup()
                except Exception:  # noqa: BLE001
                    log.exception("后台任务清理失败")
            self.signals.finished.emit()

    def _drive(self, gen: Generator) -> Any:
        last_emit: float | None = None
        pending: tuple[int, int, str] | None = None
        while True:
            if self._cancel.is_set():
                gen.close()  # runs the generator's finally blocks (rolls back its transaction)
                return _CANCELLED
            try:
                step = next(gen)
            except StopIteration as stop:
                if pending is not None:
                    self.signals.progress.emit(*pending)
                return stop.value
            progress = _as_progress(step)
            if progress is None:
                continue
            now = self._clock()
            done, total, _ = progress
            final = total > 0 and done >= total
            if last_emit is None or final or now - last_emit >= self.progress_interval:
                self.signals.progress.emit(*progress)
                last_emit, pending = now, None
            else:
                pending = progress


def _as_progress(step: Any) -> tuple[int, int, str] | None:
    if isinstance(step, tuple) and len(step) in (2, 3):
        done, total = int(step[0]), int(step[1])
        text = str(step[2]) if len(step) == 3 and step[2] is not None else ""
        return done, total, text
    if isinstance(step, int):
        return step, 0, ""
    return None


def start(worker: Worker, pool: QThreadPool | None = None) -> Worker:
    """Start `worker` on the pool (global by default) and keep it alive until it ends."""
    _running.add(worker)
    worker.signals.finished.connect(lambda: _running.discard(worker))
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker


def running_count() -> int:
    return len(_running)


class ProgressDialog(QProgressDialog):
    """A progress dialog that cannot be closed by Esc or the title bar when the work
    cannot be cancelled, and that hides (rather than resets) only when told to."""

    def __init__(self, label: str, parent: QWidget | None, cancellable: bool):
        super().__init__(label, "取消", 0, 0, parent)
        self.cancellable = cancellable
        if not cancellable:
            self.setCancelButton(None)
        self.setAutoReset(False)
        self.setAutoClose(False)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(360)

    def reject(self) -> None:  # Esc
        if self.cancellable:
            self.canceled.emit()

    def closeEvent(self, event) -> None:  # the title bar's close button
        if self.cancellable:
            super().closeEvent(event)  # emits `canceled`
        else:
            event.ignore()

    def finish(self) -> None:
        """Hide for good: `reset` also stops the timer that would show the dialog later."""
        self.reset()
        self.hide()


@dataclass
class Task:
    """A started worker and its dialog; tests wait on `worker.signals.finished`."""

    worker: Worker
    dialog: ProgressDialog

    def cancel(self) -> None:
        """What the 取消 button does."""
        self.dialog.canceled.emit()


def run_with_progress(
    parent: QWidget | None,
    worker: Worker,
    *,
    title: str,
    label: str,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    cancellable: bool = True,
    minimum_duration_ms: int = 400,
    pool: QThreadPool | None = None,
) -> Task:
    """Start `worker` with a progress dialog that appears if the work takes longer than
    `minimum_duration_ms`. A `UserError` is shown with `dialogs.error`, anything
    unexpected with `dialogs.crash`, unless `on_error` is given. `on_finished` runs last,
    whatever the outcome. Every callback is connected before the worker starts, so even
    work that ends at once reports."""
    dialog = ProgressDialog(label, parent, cancellable)
    dialog.setWindowTitle(title)
    dialog.setMinimumDuration(minimum_duration_ms)

    def on_progress(done: int, total: int, text: str) -> None:
        if total > 0:
            if dialog.maximum() != total:
                dialog.setRange(0, total)
            dialog.setValue(min(done, total))
        if text:
            dialog.setLabelText(text)

    def on_value(value: Any) -> None:
        dialog.finish()  # before any follow-up message box, so none stacks under it
        if on_result is not None:
            on_result(value)

    def on_failed(message: str) -> None:
        dialog.finish()
        if on_error is not None:
            on_error(message)
        else:
            dialogs.error(parent, title, message)

    def on_crashed(_summary: str) -> None:
        dialog.finish()
        dialogs.crash(parent)

    def on_stopped() -> None:
        dialog.finish()
        if on_cancelled is not None:
            on_cancelled()

    def on_end() -> None:
        dialog.finish()
        dialog.deleteLater()
        if on_finished is not None:
            on_finished()

    dialog.canceled.connect(worker.cancel)
    sig = worker.signals
    sig.progress.connect(on_progress)
    sig.result.connect(on_value)
    sig.error.connect(on_failed)
    sig.crashed.connect(on_crashed)
    sig.cancelled.connect(on_stopped)
    sig.finished.connect(on_end)
    start(worker, pool)
    return Task(worker=worker, dialog=dialog)


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, callback: Callable[[], Any]):
        super().__init__(window)
        self._window = window
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) and watched.window() is self._window:
            QApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, self._callback)  # once this paint is done and the loop is idle
        return False


def after_first_paint(window: QWidget, callback: Callable[[], Any]) -> QObject:
    """Call `callback` once, when `window` has been painted the first time and the event
    loop is idle again: work that would hold the GIL (a worker's imports and queries, the
    pinyin dictionary) then never delays the first paint of the window."""
    watcher = _FirstPaint(window, callback)
    QApplication.instance().installEventFilter(watcher)
    return watcher


_RELEASE_CHUNK = 2000
_RELEASE_SLICE_SECONDS = 0.004


def _dismantle(obj: Any, depth: int = 0) -> Iterator[None]:
    """Drop what `obj` holds a slice at a time (yielding after each), so freeing a large
    structure never holds the thread for long. A container is emptied only when nothing
    but this release holds it (its reference count says so): a list or dict still in use
    elsewhere is left whole, to be freed when its last user lets go."""
    if depth > 3:
        return
    if isinstance(obj, list):
        if sys.getrefcount(obj) > 3:  # the caller's name, this argument, getrefcount's own
            return
        while obj:
            tail = obj[-_RELEASE_CHUNK:]
            del obj[-_RELEASE_CHUNK:]
            for item in tail:
                if isinstance(item, (list, dict)):
                    yield from _dismantle(item, depth + 1)
            del tail
            yield
    elif isinstance(obj, dict):
        if sys.getrefcount(obj) > 3:
            return
        while obj:
            _key, value = obj.popitem()
            if isinstance(value, (list, dict)) or hasattr(value, "__dict__"):
                yield from _dismantle(value, depth + 1)
            del value
            yield
    elif hasattr(obj, "__dict__") and not isinstance(obj, (type, QObject)) and sys.getrefcount(obj) <= 3:
        yield from _dismantle(vars(obj), depth + 1)


def _releasing(objects: list[Any]) -> Iterator[None]:
    while objects:
        item = objects.pop()
        yield from _dismantle(item)
        del item
        yield


class _Release(QObject):
    """Runs one release a few milliseconds per turn of the event loop, then deletes itself."""

    def __init__(self, objects: list[Any]):
        super().__init__(QApplication.instance())
        self._steps = _releasing(objects)
        self._done = False
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)
        self._timer.start()

    @property
    def active(self) -> bool:
        return not self._done

    def _step(self) -> None:
        until = time.perf_counter() + _RELEASE_SLICE_SECONDS
        for _ in self._steps:
            if time.perf_counter() >= until:
                return
        self._done = True
        self._timer.stop()
        self.deleteLater()


def release_later(objects: list[Any]) -> _Release:
    """Free `objects` (the caller's last references: a replaced roster, its index and its
    lists) on the GUI thread in slices of a few milliseconds between events. Dropping
    100,000 rows at once pauses the window for a tenth of a second; a background thread
    would be worse: every Qt call of the GUI thread then waits its turn for the GIL."""
    return _Release(objects)


_collection_lock = threading.Lock()
_collection_pauses = 0


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Run a worker's bulk build (100,000 roster rows and their index) without Python's
    cyclic garbage collector: each of the hundreds of collections it would trigger holds
    the GIL for up to 30 ms and so pauses the window. Afterwards everything alive is
    moved to the collector's permanent generation (`gc.freeze`): the rows are long-lived,
    and refcounting still frees them when they are replaced. Nested and concurrent uses
    are counted; the collector runs again once the last one ends."""
    global _collection_pauses
    with _collection_lock:
        _collection_pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _collection_lock:
            _collection_pauses -= 1
            if _collection_pauses == 0:
                gc.freeze()
                gc.enable()
