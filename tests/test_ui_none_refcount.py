"""Regression guard: PySide6 6.12.0 on Python 3.11 lost a reference to None on every
void Qt call, so after a few thousand calls None's refcount fell to zero and the process
crashed (setup.cfg pins PySide6 below 6.12 on 3.11). On 3.12+ None is immortal and its
refcount never moves, so the test passes trivially there."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel

CALLS = 20_000


def test_void_qt_calls_keep_the_refcount_of_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    texts = [f"第 {i} 行" for i in range(100)]
    label.setText(texts[0])  # warm up caches before measuring
    before = sys.getrefcount(None)
    for i in range(CALLS):
        label.setText(texts[i % 100])  # returns void → None on the Python side
    after = sys.getrefcount(None)
    assert after >= before - 100, f"None lost {before - after} references in {CALLS} void Qt calls"
