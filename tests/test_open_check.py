"""The check on open stays bounded for large files: up to `QUICK_CHECK_LIMIT` SQLite's
`quick_check` runs before the file is opened; above it the header's own checks catch a
truncated file at once, and the full `quick_check` runs on a worker after the window is up,
warning the clerk with what to do when it finds damage. (The limit is patched to 0 here so
that small files stand in for large ones.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_members_factory import record_dialogs

from ui import workers
from wanghu_desk import database, errors, gui


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr(database, "QUICK_CHECK_LIMIT", 0)


def scribble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[8192:8392] = b"\xa5" * 200  # over a b-tree page, the header intact
    path.write_bytes(bytes(data))


@pytest.fixture
def copy(tmp_path, demo_template) -> Path:
    path = tmp_path / "大 文件.db"
    shutil.copyfile(demo_template, path)
    return path


def test_a_truncated_large_file_is_refused_from_its_header_alone(large, copy):
    with copy.open("r+b") as fh:
        fh.truncate(4096 * 10)
    info = database.inspect_file(copy)
    assert info.quick_check == "file is truncated" and not info.check_deferred
    with pytest.raises(errors.DamagedDatabaseError):
        database.refuse_unusable(info)


def test_a_healthy_large_file_opens_with_the_check_deferred_and_passes_it(large, copy):
    with database.opened(copy, lock=False) as handle:
        assert handle.check_deferred
        assert database.check_in_background(copy) == []


def test_a_small_file_is_still_checked_before_it_opens(copy):
    scribble(copy)
    with pytest.raises(errors.DamagedDatabaseError):
        database.open_database(copy)


def test_damage_inside_a_large_file_is_found_after_the_window_shows(large, copy, qtbot, monkeypatch):
    scribble(copy)
    dialog_log = record_dialogs(monkeypatch)
    with database.opened(copy, lock=False) as handle:
        assert handle.check_deferred  # opened: the header is sound
        worker = gui.start_deferred_check(None, handle.path)
        with qtbot.waitSignal(worker.signals.finished, timeout=20_000):
            pass
    qtbot.waitUntil(lambda: workers.running_count() == 0)
    assert [c[0] for c in dialog_log.calls] == ["warn"]
    assert "「大 文件.db」有损坏的迹象" in dialog_log.calls[0][2] and "备份与恢复" in dialog_log.calls[0][2]


def test_a_healthy_large_file_is_checked_in_the_background_without_a_word(large, copy, qtbot, monkeypatch):
    dialog_log = record_dialogs(monkeypatch)
    worker = gui.start_deferred_check(None, copy)
    with qtbot.waitSignal(worker.signals.finished, timeout=20_000):
        pass
    assert dialog_log.calls == []


def test_header_checks():
    good = bytearray(database.SQLITE_MAGIC + bytes(84))
    good[16:18] = (4096).to_bytes(2, "big")
    good[28:32] = (10).to_bytes(4, "big")
    assert database._header_problem(bytes(good), 4096 * 10) is None
    assert database._header_problem(bytes(good), 4096 * 9) == "file is truncated"
    assert database._header_problem(bytes(good), 4096 * 9 + 5) == "file size is not a whole number of pages"
    bad = bytearray(good)
    bad[16:18] = (1000).to_bytes(2, "big")
    assert database._header_problem(bytes(bad), 4096 * 10) == "invalid page size"
