"""The command line of SPEC §9: commands, output, exit codes, no tracebacks."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO_TODAY

from wanghu_desk import cli, database

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> int:
    return cli.main(list(args))


def test_init_creates_then_reports_up_to_date(tmp_path, capsys):
    db = tmp_path / "数据" / "w.db"
    assert run("--db", str(db), "init") == 0
    assert "已创建" in capsys.readouterr().out
    assert run("--db", str(db), "init") == 0
    assert "已是最新" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["frobnicate"], ["stats", "--bogus"], ["restore"], ["--db"]],
)
def test_bad_usage_exits_2_with_a_chinese_message(argv, capsys):
    assert run(*argv) == 2
    err = capsys.readouterr().err
    assert "用法" in err and "Traceback" not in err


def test_stats_json_has_the_contract_shape_on_an_empty_database(tmp_path, capsys):
    db = tmp_path / "w.db"
    run("--db", str(db), "init")
    capsys.readouterr()
    assert run("--db", str(db), "stats", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) >= {
        "organization", "communities", "estates", "branches", "building_groups", "members",
        "volunteer_teams", "volunteers", "ratings", "ledger",
    }
    assert figures["organization"] == "望湖街道"
    assert set(figures["branches"]) >= {"total", "by_category"}
    assert set(figures["branches"]["by_category"]) == {
        "estate", "functional", "grid", "agency", "enterprise", "social_org", "other",
    }
    assert set(figures["members"]) >= {"total", "by_category", "by_status"}
    assert set(figures["members"]["by_category"]) == {"full", "probationary"}
    assert "active" in figures["members"]["by_status"]


def test_stats_on_a_missing_database_is_refused(tmp_path, capsys):
    assert run("--db", str(tmp_path / "nope.db"), "stats") == 2
    assert "找不到" in capsys.readouterr().err
    assert not (tmp_path / "nope.db").exists()


def test_backup_restore_check_round_trip(tmp_path, capsys):
    db = tmp_path / "w.db"
    run("--db", str(db), "init")
    out = tmp_path / "U盘" / "备份.db"
    assert run("--db", str(db), "backup", "--out", str(out)) == 0
    assert out.exists() and database.inspect_file(out).is_ours
    assert run("--db", str(db), "backup") == 0
    assert list((tmp_path / "backups").glob("w-*-manual.db"))
    assert run("--db", str(db), "restore", str(out)) == 0
    assert run("--db", str(db), "check") == 0
    assert "完好" in capsys.readouterr().out


def test_restore_of_a_non_database_is_refused_and_changes_nothing(tmp_path, capsys):
    db = tmp_path / "w.db"
    run("--db", str(db), "init")
    before = db.read_bytes()
    junk = tmp_path / "junk.db"
    junk.write_text("hello", encoding="utf-8")
    assert run("--db", str(db), "restore", str(junk)) == 2
    assert "不是本程序" in capsys.readouterr().err
    assert db.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_check_reports_a_damaged_file(tmp_path, template_db, capsys):
    bad = tmp_path / "bad.db"
    data = bytearray(template_db.read_bytes())
    data[8192:8392] = b"\xff" * 200
    bad.write_bytes(bytes(data))
    assert run("--db", str(bad), "check") == 1
    assert "损坏" in capsys.readouterr().err


def test_demo_refuses_a_database_that_has_data(tmp_path, demo_template, capsys):
    db = tmp_path / "w.db"
    shutil.copyfile(demo_template, db)
    assert run("--db", str(db), "demo") in (1, 2)
    assert capsys.readouterr().err.strip()


def test_demo_then_stats_json_shows_the_wanghu_figures(tmp_path, capsys):
    db = tmp_path / "w.db"
    assert run("--db", str(db), "demo") == 0
    capsys.readouterr()
    assert run("--db", str(db), "stats", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    last_year = str(dt.date.today().year - 1)
    this_year = str(dt.date.today().year)
    assert figures["organization"] == "望湖街道"
    assert figures["communities"] == 5
    assert figures["branches"]["total"] == 74
    assert figures["branches"]["by_category"]["estate"] == 29
    assert figures["building_groups"] == 233
    rating = figures["ratings"][last_year]
    assert rating["finalized"] is True
    assert rating["rated"] == 74 and rating["at_least_one_star"] == 66 and rating["by_stars"]["5"] == 7
    assert figures["ledger"][this_year]["allocated_fen"] >= 29 * 1_000_000
    assert run("--db", str(db), "stats") == 0
    assert "一星以上 66 个" in capsys.readouterr().out


def test_the_real_entry_point_runs_headless(tmp_path):
    db = tmp_path / "w.db"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), "stats", "--json"],
        capture_output=True, text=True, encoding="utf-8", timeout=60, cwd=tmp_path,
    )
    assert result.returncode == 2 and "找不到" in result.stderr
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), "init"],
        capture_output=True, text=True, encoding="utf-8", timeout=60, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr


def _demo_copy(tmp_path, demo_template) -> Path:
    db = tmp_path / "w.db"
    shutil.copyfile(demo_template, db)
    return db


def test_export_and_report_commands_write_their_files(tmp_path, demo_template, capsys):
    from pypdf import PdfReader
    from python_calamine import CalamineWorkbook

    db = str(_demo_copy(tmp_path, demo_template))
    last, this = str(DEMO_TODAY.year - 1), str(DEMO_TODAY.year)
    assert run("--db", db, "export", "rating", "--year", last, "--out", str(tmp_path / "评定.xlsx")) == 0
    assert run("--db", db, "export", "ledger", "--year", this, "--out", str(tmp_path / "台账.xlsx")) == 0
    assert len(CalamineWorkbook.from_path(str(tmp_path / "台账.xlsx")).sheet_names) >= 30  # summary + 29 estate branches
    for argv in (
        ["report", "quarterly", "--year", this, "--quarter", "3", "--out", str(tmp_path / "季度.pdf")],
        ["report", "rating", "--year", last, "--out", str(tmp_path / "公示.pdf")],
        ["report", "ledger", "--year", this, "--out", str(tmp_path / "台账.pdf")],
    ):
        assert run("--db", db, *argv) == 0, argv
        assert len(PdfReader(argv[-1]).pages) >= 1
    out = capsys.readouterr().out
    assert "季度报表" in out and "公示" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "rating", "--out", "x.xlsx"],  # no --year
        ["export", "rating", "--year", "2001", "--out", "x.xlsx"],  # no rating that year
        ["export", "ledger", "--year", "2026", "--branch", "没有这个支部", "--out", "x.xlsx"],
        ["report", "quarterly", "--year", "2026", "--out", "x.pdf"],  # no --quarter
        ["report", "quarterly", "--year", "2026", "--quarter", "5", "--out", "x.pdf"],
    ],
)
def test_export_and_report_usage_errors_exit_2(tmp_path, demo_template, capsys, argv):
    db = str(_demo_copy(tmp_path, demo_template))
    argv = [a if not a.startswith("x.") else str(tmp_path / a) for a in argv]
    assert run("--db", db, *argv) == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err


def test_stats_json_has_volunteer_hours_per_quarter(tmp_path, demo_template, capsys):
    db = str(_demo_copy(tmp_path, demo_template))
    assert run("--db", db, "stats", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    hours = figures["volunteer_hours"]
    assert set(hours["quarters"]) == {"1", "2", "3", "4"}
    assert sum(q["records"] for q in hours["quarters"].values()) == hours["total"]["records"]
    if hours["year"] == DEMO_TODAY.year:  # the figures are for the current year
        assert hours["total"]["records"] > 0
    assert sum(q["minutes"] for q in hours["quarters"].values()) == hours["total"]["minutes"]
    assert figures["volunteer_teams"] >= 2 and figures["volunteers"] > 0
    assert figures["service_projects"] >= 50
