"""Round trip of every roster (SPEC §7): export the demo (full ID numbers), import into
an empty database in dependency order, export again — identical content, read back with
python-calamine and with openpyxl. Re-importing changes nothing; a masked export is
refused with a clear message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from models import Member
from reports import exports, importing
from wanghu_desk import database

KINDS = ["branches", "members", "groups", "volunteers", "services"]  # the order an empty database needs
TODAY = dt.date(2026, 11, 22)


def calamine_cells(path: Path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def openpyxl_cells(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}


@pytest.mark.slow
def test_every_roster_round_trips(demo_db, tmp_path):
    first: dict[str, Path] = {}
    for kind in KINDS:
        first[kind] = exports.export(kind, tmp_path / f"first-{kind}.xlsx", unmasked=True).path
    demo_members = Member.select().count()
    database.close_database()

    database.open_database(tmp_path / "empty.db", backups_dir=tmp_path / "backups")
    for kind in KINDS:
        outcome = importing.run(first[kind], kind, today=TODAY)
        assert outcome.committed, (kind, outcome.preview.errors[:3])
        assert outcome.preview.errors == []
    assert Member.select().count() == demo_members

    for kind in KINDS:
        second = exports.export(kind, tmp_path / f"second-{kind}.xlsx", unmasked=True).path
        a, b = calamine_cells(first[kind]), calamine_cells(second)
        assert a == b, kind
        assert sum(len(rows) for rows in a.values()) > 3, kind
        assert openpyxl_cells(first[kind]) == openpyxl_cells(second), kind

    for kind in KINDS:  # importing one's own export again changes nothing
        outcome = importing.run(first[kind], kind, today=TODAY)
        assert (outcome.inserted, outcome.updated) == (0, 0), kind
        assert outcome.unchanged == len(outcome.preview.rows), kind


def test_per_branch_members_workbook_imports_as_all_sheets(demo_db, tmp_path):
    path = exports.export("members", tmp_path / "per-branch.xlsx", per_branch=True, unmasked=True).path
    result = importing.preview(path, "members", today=TODAY)
    assert len(result.sheets) == 74
    assert result.errors == [] and len(result.rows) == Member.select().count()
    assert result.count("unchanged") == len(result.rows)


def test_a_masked_export_cannot_be_imported_and_says_why(demo_db, tmp_path):
    path = exports.export("members", tmp_path / "masked.xlsx").path
    result = importing.preview(path, "members", today=TODAY)
    assert len(result.errors) == len(result.rows) == Member.select().count()
    assert all(p.column == "公民身份号码" and "星号" in p.message and "校验码" not in p.message
               for p in result.errors)
