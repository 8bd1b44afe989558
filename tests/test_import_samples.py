"""The sample files of ../shared/samples import with exactly the results their README
states, through the command line of SPEC §9 (JSON shape, exit codes), and a rejected
import leaves the database file byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import SAMPLES

from wanghu_desk import cli

JSON_KEYS = {"file", "sheet", "header_row", "rows", "inserted", "updated", "unchanged", "committed", "errors",
             "warnings"}


def run_json(capsys, db: Path, *args: str) -> tuple[int, dict]:
    code = cli.main(["--db", str(db), "import", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT count(*) FROM branch").fetchone()[0],
                conn.execute("SELECT count(*) FROM member").fetchone()[0])
    finally:
        conn.close()


def test_the_three_samples_in_order(tmp_path, capsys):
    db = tmp_path / "samples.db"
    assert cli.main(["--db", str(db), "init"]) == 0
    capsys.readouterr()

    code, got = run_json(capsys, db, "branches", str(SAMPLES / "branches.xlsx"))
    assert code == 0
    assert set(got) >= JSON_KEYS
    assert (got["committed"], got["inserted"], got["updated"], got["unchanged"], got["errors"]) == (True, 12, 0, 0, [])
    assert (got["sheet"], got["header_row"], got["rows"]) == ("党组织", 1, 12)

    before = file_hash(db)
    code, got = run_json(capsys, db, "members", str(SAMPLES / "members_district_export.xlsx"))
    assert code == 1
    assert (got["committed"], got["header_row"], got["rows"], got["inserted"]) == (False, 3, 300, 0)
    assert [(e["row"], e["column"]) for e in got["errors"]] == [
        (41, "公民身份号码"), (92, "联系电话"), (145, "所在党支部"), (207, "公民身份号码"), (261, "姓名"),
    ]
    assert all(set(e) >= {"row", "column", "value", "message"} for e in got["errors"] + got["warnings"])
    messages = [e["message"] for e in got["errors"]]
    assert "校验码错误" in messages[0]
    assert "11 位" in messages[1] and "10 位" in messages[1] and got["errors"][1]["value"] == "1385623479"
    assert "不存在" in messages[2] and got["errors"][2]["value"] == "紫荆花园小区党支部"
    assert "第 16 行" in messages[3] and "重复" in messages[3]
    assert "姓名为空" in messages[4] and got["errors"][4]["value"] is None
    assert file_hash(db) == before, "a rejected import must not change a byte of the database"
    assert counts(db) == (12, 0)

    code, got = run_json(capsys, db, "members", str(SAMPLES / "members_district_export.xlsx"), "--skip-invalid")
    assert code == 0
    assert (got["committed"], got["inserted"], got["updated"], got["unchanged"]) == (True, 295, 0, 0)
    assert len(got["errors"]) == 5  # still reported, but not blocking

    code, got = run_json(capsys, db, "members", str(SAMPLES / "members_old_format.csv"))
    assert code == 0
    assert (got["committed"], got["inserted"], got["errors"], got["header_row"], got["rows"]) == (True, 50, [], 1, 50)
    assert counts(db) == (12, 345)

    conn = sqlite3.connect(db)
    # Month-only 入党时间 "1985.07" is stored as the 1st; 出生日期 comes from the ID number.
    joined, birth, id_number = conn.execute(
        "SELECT joined_on, birth_date, id_number FROM member WHERE name = '雷敏'").fetchone()
    conn.close()
    assert joined == "1991-05-01" and birth == "1960-06-19" and id_number == "340104196006191319"

    code, got = run_json(capsys, db, "members", str(SAMPLES / "members_old_format.csv"))
    assert (code, got["inserted"], got["unchanged"]) == (0, 0, 50)  # importing twice changes nothing


def test_dry_run_writes_nothing_and_says_what_would_happen(tmp_path, capsys):
    db = tmp_path / "dry.db"
    cli.main(["--db", str(db), "import", "branches", str(SAMPLES / "branches.xlsx")])
    capsys.readouterr()
    before = file_hash(db)
    code, got = run_json(capsys, db, "members", str(SAMPLES / "members_old_format.csv"), "--dry-run")
    assert (code, got["committed"], got["inserted"]) == (0, False, 50)
    code, got = run_json(capsys, db, "members", str(SAMPLES / "members_district_export.xlsx"), "--dry-run")
    assert (code, got["committed"], len(got["errors"])) == (1, False, 5)
    assert file_hash(db) == before
    assert counts(db) == (12, 0)


def test_human_output_lists_the_problems(tmp_path, capsys):
    db = tmp_path / "h.db"
    cli.main(["--db", str(db), "import", "branches", str(SAMPLES / "branches.xlsx")])
    assert "已导入党组织：新增 12" in capsys.readouterr().out
    assert cli.main(["--db", str(db), "import", "members", str(SAMPLES / "members_district_export.xlsx")]) == 1
    captured = capsys.readouterr()
    assert "第 41 行「公民身份号码」" in captured.out and "没有导入任何内容" in captured.err
    assert "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["members", "SAMPLE", "--sheet", "第二页"], "没有名为「第二页」的工作表"),
        (["members", "NOT_A_WORKBOOK"], "不是有效的 Excel 文件"),
        (["members", "MISSING"], "找不到文件"),
        (["ratings", "SAMPLE"], "请用 --year 指定年度"),
        (["ratings", "SAMPLE", "--year", "2031"], "还没有 2031 年度的星级评定"),
        (["ledger", "SAMPLE"], "找不到经费台账的表头"),
        (["members", "SAMPLE", "--stage", "street"], "评分阶段（--stage）只用于"),
        (["branches", "SAMPLE"], "找不到党组织的表头"),
    ],
)
def test_usage_errors_exit_2(tmp_path, capsys, args, expected):
    bad = tmp_path / "fake.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a zip archive")
    paths = {"SAMPLE": str(SAMPLES / "members_district_export.xlsx"), "NOT_A_WORKBOOK": str(bad),
             "MISSING": str(tmp_path / "nope.xlsx")}
    argv = [paths.get(a, a) for a in args]
    db = tmp_path / "u.db"
    assert cli.main(["--db", str(db), "import", *argv]) == 2
    assert expected in capsys.readouterr().err
    if args[0] == "members":
        code, got = run_json(capsys, db, *argv)
        assert code == 2 and got["committed"] is False and expected in got["errors"][0]["message"]


def test_unknown_kind_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["--db", str(tmp_path / "k.db"), "import", "cats", str(SAMPLES / "branches.xlsx")]) == 2
    assert "用法" in capsys.readouterr().err


def test_refused_database_is_exit_2_with_one_json_object(tmp_path, capsys):
    db = tmp_path / "not-ours.db"
    db.write_text("this is not a database", encoding="utf-8")
    code, got = run_json(capsys, db, "branches", str(SAMPLES / "branches.xlsx"))
    assert code == 2 and got["committed"] is False
    assert "不是本程序的数据库文件" in got["errors"][0]["message"]
    assert db.read_text(encoding="utf-8") == "this is not a database"
