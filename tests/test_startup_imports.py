"""Start-up stays light: importing the window's entry point pulls in none of the heavy
libraries (they load when first needed), and tabs read their data when first shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("reportlab", "openpyxl", "pypinyin", "pypdfium2", "python_calamine", "xlsxwriter")


def _loaded_after_import(module: str) -> dict[str, bool]:
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["wanghu_desk.gui", "ui.main_window"])
def test_the_window_imports_no_heavy_library(module):
    loaded = _loaded_after_import(module)
    assert [name for name, present in loaded.items() if present] == []


def test_pinyin_loads_on_first_use_and_on_the_warm_up_thread():
    code = (
        "import sys\n"
        "from wanghu_desk import pinyin\n"
        "assert 'pypinyin' not in sys.modules\n"
        "pinyin.warm_up().join(60)\n"
        "assert 'pypinyin' in sys.modules and pinyin.PHRASES_DICT\n"
        "print(pinyin.initials('张三'), pinyin.initials('长江'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["zs", "cj"]


def test_the_rating_tab_reads_its_data_when_first_shown(qtbot, demo_db, monkeypatch):
    from ui.rating_tab import RatingTab
    from wanghu_desk.services import rating

    calls: list[int] = []
    real_years = rating.years
    monkeypatch.setattr(rating, "years", lambda: calls.append(1) or real_years())
    tab = RatingTab()
    qtbot.addWidget(tab)
    assert calls == [] and tab.year is None
    tab.show()
    qtbot.waitExposed(tab)
    assert calls == [1]
    assert tab.year is not None  # the demo has rating rounds: the newest one is shown
