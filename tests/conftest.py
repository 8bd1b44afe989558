"""Shared fixtures: a fresh database per test, copied from a template file (as Anki's
tests do), and a demo database built once per session and copied per test; the fonts a
report is checked with (`report_fonts`); where the sample files live (`SAMPLES`)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def _isolated_data_home(tmp_path_factory):
    """Logs and default paths go to a temporary folder, never the developer's data."""
    home = tmp_path_factory.mktemp("data-home")
    old = os.environ.get("WANGHU_DESK_HOME")
    os.environ["WANGHU_DESK_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("WANGHU_DESK_HOME", None)
    else:
        os.environ["WANGHU_DESK_HOME"] = old



@pytest.fixture(autouse=True, scope="session")
def _one_application(qapp):
    """The QApplication exists before any test, whichever test a pytest-xdist worker runs
    first (a dialog built in a test without `qtbot` would otherwise abort the worker)."""
    return qapp


@pytest.fixture(autouse=True)
def _acting_as_the_administrator():
    """Each test starts acting as the built-in administrator (the window's login and the
    command line's --user set another account for the process; this puts it back)."""
    from wanghu_desk.services import base

    base.set_session_actor(base.SYSTEM_ADMIN)
    yield
    base.set_session_actor(base.SYSTEM_ADMIN)


from reports import fonts as font_resolver  # noqa: E402
from wanghu_desk import database  # noqa: E402

#: The sample spreadsheets (../shared/samples beside the repository), for the import tests.
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"

#: The fonts every report is read back with: always reportlab's built-in STSong-Light (what a
#: machine without a Chinese font gets, CI among them; pypdf extracts its text too), and an
#: embedded TrueType font when this machine has one. WANGHU_DESK_FONT_DIRS=<empty folder>
#: makes a machine with fonts run the tests as CI does.
FONT_KINDS = ["cid"] + (["ttf"] if font_resolver.available_fonts() else [])

#: Demo data is deterministic for a given date; tests pin it.
DEMO_TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="session")
def no_font_dir(tmp_path_factory) -> Path:
    """An empty font folder: font discovery pointed here finds no Chinese font."""
    return tmp_path_factory.mktemp("no-fonts")


@pytest.fixture(params=FONT_KINDS, ids=lambda kind: {"cid": "STSong-Light", "ttf": "TrueType"}[kind])
def report_fonts(request, monkeypatch, no_font_dir) -> font_resolver.FontSet:
    """The report fonts, once per kind this machine offers (see FONT_KINDS). For the CID
    case font discovery itself points at an empty folder, so a report that resolves its own
    fonts (no `fonts=` argument) gets STSong-Light as well."""
    if request.param == "cid":
        monkeypatch.setenv(font_resolver.FONT_DIRS_ENV, str(no_font_dir))
    found = font_resolver.resolve_fonts()
    assert found.embedded == (request.param == "ttf"), found.note
    return found


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    with database.opened(path, lock=False):
        pass
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    from wanghu_desk import demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with database.opened(path, lock=False):
        demo.build_demo(today=DEMO_TODAY)
        database.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _open_copy(src: Path, dest: Path):
    shutil.copyfile(src, dest)
    return database.open_database(dest, backups_dir=dest.parent / "backups")


@pytest.fixture
def fresh_db(template_db, tmp_path):
    """An empty, migrated database, open for the test."""
    handle = _open_copy(template_db, tmp_path / "wanghu.db")
    yield handle
    database.close_database()


@pytest.fixture
def demo_db(demo_template, tmp_path):
    """The 望湖街道 demo database (as of DEMO_TODAY), open for the test."""
    handle = _open_copy(demo_template, tmp_path / "wanghu.db")
    yield handle
    database.close_database()


def quick_hasher():
    """argon2 with small costs: the same code paths as the accounts service, a fraction of
    the time (the tests check roles and passwords, not argon2's cost)."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def quick_hashes(monkeypatch):
    """The accounts service hashes with `quick_hasher()` for one test."""
    from wanghu_desk.services import accounts

    monkeypatch.setattr(accounts, "_hasher", quick_hasher())
