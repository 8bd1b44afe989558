"""Shared fixtures: a fresh database per test, copied from a template file (as Anki's
tests do), and a demo database built once per session and copied per test."""

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

from wanghu_desk import database  # noqa: E402

#: Demo data is deterministic for a given date; tests pin it.
DEMO_TODAY = dt.date(2026, 11, 22)


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
