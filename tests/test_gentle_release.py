"""Work that must not pause the window: the roster's sort in runs (a worker's single long
C call would hold the GIL) and the release of a replaced roster in slices between events."""

from __future__ import annotations

import random

import pytest
from PySide6.QtWidgets import QApplication

from ui import workers
from wanghu_desk.services import members


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 50, 333])
def test_sorted_in_runs_is_sorted_and_stable(monkeypatch, n):
    monkeypatch.setattr(members, "SORT_RUN", 8)
    rng = random.Random(n)
    items = [(rng.randint(0, 5), i) for i in range(n)]  # many ties: stability shows
    keys = [item[0] for item in items]
    assert members.sorted_in_runs(items, keys) == sorted(items, key=lambda item: item[0])


def test_a_release_frees_only_what_nobody_else_holds(qtbot):
    shared = [("still", "used")] * 10
    kept_dict = {"a": [1, 2, 3]}
    owned = [tuple(str(i) for i in range(5)) for _ in range(5000)]
    nested = {"rows": [[i] for i in range(3000)], "shared": shared}

    class Holder:
        def __init__(self):
            self.rows = [1] * 4000
            self.elsewhere = kept_dict

    holder = Holder()
    probe = owned  # a second name: this list is still in use, so it is left whole
    release = workers.release_later([owned, nested, holder, shared])
    del owned, nested, holder
    assert release.active  # nothing freed before the event loop turns
    qtbot.waitUntil(lambda: not release.active, timeout=5_000)
    assert len(probe) == 5000  # referenced here: not emptied
    assert shared == [("still", "used")] * 10 and kept_dict == {"a": [1, 2, 3]}
    QApplication.processEvents()


def test_a_large_release_takes_several_turns_of_the_event_loop(qtbot, monkeypatch):
    monkeypatch.setattr(workers, "_RELEASE_SLICE_SECONDS", 0.0)  # one slice per turn
    release = workers.release_later([[(str(i),) for i in range(10 * workers._RELEASE_CHUNK)]])
    turns = 0
    while release.active:
        QApplication.processEvents()
        turns += 1
        assert turns < 1000
    assert turns >= 10


def test_the_collector_is_paused_while_a_roster_is_built_and_runs_again_after():
    import gc

    assert gc.isenabled()
    with workers.collection_paused():
        assert not gc.isenabled()
        with workers.collection_paused():  # nested (two workers at once)
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer one still runs
    assert gc.isenabled()
    with pytest.raises(ValueError), workers.collection_paused():
        raise ValueError("a failed read")
    assert gc.isenabled()  # re-enabled on failure too
