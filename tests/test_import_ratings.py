"""Importing star-rating scores (issue 5 point 6): a community's 社区初评 sheet through the
shared import pipeline — header by item code or text, problems with exact rows and
columns, all or nothing, a finalized year refused, the program's own export round-trips,
the command line, and the import dialog's year and stage pickers."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO_TODAY
from PySide6.QtWidgets import QFileDialog

from models import RatingRound, db
from reports import importing
from reports.rating_export import write_rating_workbook
from ui import dialogs
from ui.import_dialog import ImportDialog
from wanghu_desk import cli, database
from wanghu_desk.errors import UsageError, ValidationError
from wanghu_desk.services import rating

TODAY = DEMO_TODAY
YEAR = 2026  # the demo has a finalized 2025; 2026 is opened by the tests


def dump() -> list[str]:
    return list(db.connection().iterdump())


def open_year(year: int = YEAR) -> rating.SchemeInfo:
    rating.create_round(year)
    return rating.scheme_for_year(year)


def crit(scheme: rating.SchemeInfo, code: str) -> rating.CriterionInfo:
    return next(c for c in scheme.criteria if c.code == code)


def branch_id(name: str) -> int:
    return next(r.branch_id for r in rating.load_sheet(YEAR).rows if r.name == name)


def stage_scores(stage: str, year: int = YEAR) -> dict[str, dict[str, int]]:
    """{branch name: {item code: points cp}} of one stage, branches with scores only."""
    sheet = rating.load_sheet(year)
    codes = {c.id: c.code for c in sheet.scheme.criteria}
    return {r.name: {codes[cid]: cp for cid, cp in r.scores[stage].items()} for r in sheet.rows if r.scores[stage]}


HEADER = ["序号", "党支部", "1.1（6分）", "发展党员程序规范、质量合格", "组织生活“三会一课”制度落实（8分）", "减1（扣5分）",
          "合计", "备注"]


def messy_sheet(path: Path) -> Path:
    """What a community sends: a title, a note, the header, problems, a footer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "望湖社区"
    ws.append(["望湖社区2026年度星级党支部社区初评得分表"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位：望湖社区党委（盖章）"])
    ws.append(HEADER)
    ws.append([1, "望湖城北苑小区党支部", 5.5, 5, 8, 0, 18.5, None])  # 4: fine
    ws.append([2, "望湖城南苑小区", "6", "4.5", "７", None, None, "简称"])  # 5: fine (name without 党支部)
    ws.append([3, "望湖新材小区党支部", 5, 5, 8, None, None, None])  # 6: unknown branch (typo)
    ws.append([4, "湖畔花园小区党支部", 7, "优", 8, None, None, None])  # 7: above max; not a number
    ws.append([5, "省建一公司宿舍小区党支部", 6, 5, 8, -5, 14, "扣分写成负数"])  # 8: fine, 5 points off
    ws.append([6, "望湖城北苑小区党支部", 5, 5, 8, 0, None, None])  # 9: the same branch again
    ws.append([7, "南湖春城小区党支部", "５.５分", "—", 6.5, None, None, None])  # 10: fine, "—" is empty
    ws.append(["填表人：张三　　审核人：李四"])
    wb.save(path)
    return path


@pytest.fixture
def year_open(demo_db):
    return open_year()


def problems(result) -> list[tuple]:
    return [(p.row, p.column) for p in result.errors]


# ---------------------------------------------------------------- a messy community sheet


def test_messy_sheet_problems_name_row_and_column(year_open, tmp_path):
    path = messy_sheet(tmp_path / "初评.xlsx")
    before = dump()
    result = importing.preview(path, "ratings", year=YEAR, today=TODAY)
    assert dump() == before  # a preview writes nothing
    assert (result.sheets, result.header_row, len(result.rows)) == (["望湖社区"], 3, 7)
    assert result.options == {"year": YEAR, "stage": "community"}
    assert problems(result) == [(6, "党支部"), (7, "1.1（6分）"), (7, "发展党员程序规范、质量合格"), (9, "党支部")]
    by_cell = {(p.row, p.column): p for p in result.errors}
    assert "是不是「望湖新村小区党支部」" in by_cell[(6, "党支部")].message
    assert by_cell[(6, "党支部")].value == "望湖新材小区党支部"
    assert "满分 6 分，不能填 7" in by_cell[(7, "1.1（6分）")].message
    assert by_cell[(7, "1.1（6分）")].value == "7"
    assert "看不懂的分数「优」" in by_cell[(7, "发展党员程序规范、质量合格")].message
    assert "与第 4 行重复" in by_cell[(9, "党支部")].message
    assert result.warnings == []  # 合计 and 备注 are known columns that carry nothing to import
    assert [a for a in result.actions] == ["insert", "insert", None, None, "insert", None, "insert"]


def test_rejected_import_writes_nothing_then_valid_rows_only(year_open, tmp_path):
    path = messy_sheet(tmp_path / "初评.xlsx")
    before = dump()
    outcome = importing.run(path, "ratings", year=YEAR, today=TODAY)
    assert not outcome.committed and outcome.inserted == 0
    assert dump() == before
    with pytest.raises(ValidationError, match="有 3 行有错误"):
        importing.commit(outcome.preview)
    assert dump() == before

    outcome = importing.run(path, "ratings", year=YEAR, skip_invalid=True, today=TODAY)
    assert outcome.committed
    assert (outcome.inserted, outcome.updated, outcome.unchanged, outcome.skipped) == (4, 0, 0, 3)
    assert stage_scores("community") == {
        "望湖城北苑小区党支部": {"1.1": 550, "2.1": 500, "3.1": 800, "减1": 0},
        "望湖城南苑小区党支部": {"1.1": 600, "2.1": 450, "3.1": 700},
        "省建一公司宿舍小区党支部": {"1.1": 600, "2.1": 500, "3.1": 800, "减1": 500},
        "南湖春城小区党支部": {"1.1": 550, "3.1": 650},
    }
    assert stage_scores("self") == {} and stage_scores("street") == {}

    again = importing.run(path, "ratings", year=YEAR, skip_invalid=True, today=TODAY)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_scores_go_to_the_chosen_stage_and_empty_cells_keep_stored_scores(year_open, tmp_path):
    scheme = year_open
    bid = branch_id("南湖春城小区党支部")
    rating.set_scores(YEAR, "street", [(bid, crit(scheme, "2.1").id, 300), (bid, crit(scheme, "1.1").id, 100)])
    path = messy_sheet(tmp_path / "初评.xlsx")
    outcome = importing.run(path, "ratings", year=YEAR, stage="street", skip_invalid=True, today=TODAY)
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (3, 1, 0)
    street = stage_scores("street")
    assert street["南湖春城小区党支部"] == {"1.1": 550, "2.1": 300, "3.1": 650}  # "—": 2.1 kept
    assert stage_scores("community") == {}


def test_finalized_year_is_refused_and_nothing_changes(demo_db, tmp_path):
    out = write_rating_workbook(tmp_path / "2025.xlsx", 2025)
    before = dump()
    result = importing.preview(out, "ratings", year=2025, today=TODAY)
    assert result.sheets == ["分项得分"] and result.blocked
    assert [(e.row, e.column) for e in result.errors] == [(None, None)]
    assert "2025 年度星级评定已定级，不能再导入得分" in result.errors[0].message
    assert "重新开放" in result.errors[0].message
    outcome = importing.run(out, "ratings", year=2025, skip_invalid=True, today=TODAY)
    assert not outcome.committed
    with pytest.raises(ValidationError, match="已定级"):
        importing.commit(result, skip_invalid=True)
    assert dump() == before


def test_a_year_finalized_after_the_preview_is_refused_by_the_service(year_open, tmp_path):
    path = messy_sheet(tmp_path / "初评.xlsx")
    result = importing.preview(path, "ratings", year=YEAR, today=TODAY)
    RatingRound.update(status="finalized").where(RatingRound.year == YEAR).execute()
    before = dump()
    with pytest.raises(rating.YearFinalizedError, match="已定级"):
        importing.commit(result, skip_invalid=True)
    assert dump() == before  # the import's own transaction rolled back too (no audit event)


def test_year_and_stage_are_checked(year_open, tmp_path):
    path = messy_sheet(tmp_path / "初评.xlsx")
    with pytest.raises(UsageError, match="请指定年度"):
        importing.preview(path, "ratings")
    with pytest.raises(UsageError, match="还没有 2031 年度的星级评定"):
        importing.preview(path, "ratings", year=2031)
    with pytest.raises(UsageError, match="评分阶段应为"):
        importing.preview(path, "ratings", year=YEAR, stage="district")
    with pytest.raises(UsageError, match="只用于导入星级评定得分"):
        importing.preview(path, "members", stage="street")


def test_a_sheet_without_item_columns_is_not_a_score_sheet(year_open, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "汇总"
    wb.active.append(["党支部", "所属社区", "合计"])
    wb.active.append(["望湖城北苑小区党支部", "望湖社区", 90])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(UsageError, match="没有 2026 年度评定标准中评分项的列"):
        importing.preview(tmp_path / "x.xlsx", "ratings", year=YEAR)


# ---------------------------------------------------------------- round trip of the own export


def test_export_then_import_restores_the_scores_of_an_open_year(year_open, tmp_path):
    scheme = year_open
    rows = rating.load_sheet(YEAR).rows[:12]
    entries = []
    for k, row in enumerate(rows):
        for j, c in enumerate(scheme.entry_items):
            if c.kind == "score":
                entries.append((row.branch_id, c.id, c.max_cp - (k * j % 5) * 50))
            elif k % 4 == 1:
                entries.append((row.branch_id, c.id, min(300, c.max_cp)))
    rating.set_scores(YEAR, "community", entries)
    wanted = stage_scores("community")
    path = write_rating_workbook(tmp_path / "export.xlsx", YEAR)

    same = importing.preview(path, "ratings", year=YEAR, today=TODAY)
    assert same.sheets == ["分项得分"]  # 评定结果, 评定标准, 星级分布 are left out without a word
    assert same.problems == [] and same.count("unchanged") == 74

    first, second = rows[0].branch_id, rows[1].branch_id
    rating.set_scores(YEAR, "community", [(first, crit(scheme, "1.1").id, None),
                                          (second, crit(scheme, "减1").id, 0),
                                          (second, crit(scheme, "5.1").id, 100)])
    assert stage_scores("community") != wanted
    outcome = importing.run(path, "ratings", year=YEAR, today=TODAY)
    assert outcome.committed and outcome.preview.problems == []
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 2, 72)
    assert stage_scores("community") == wanted


# ---------------------------------------------------------------- command line


def cli_json(capsys, db_path, *args) -> tuple[int, dict]:
    code = cli.main(["--db", str(db_path), "import", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_command_line_ratings(demo_db, year_open, tmp_path, capsys):
    path = messy_sheet(tmp_path / "初评.xlsx")
    db_path = demo_db.path
    database.close_database()  # the command line opens the file itself
    assert cli.main(["--db", str(db_path), "import", "ratings", str(path)]) == 2
    assert "请用 --year 指定年度" in capsys.readouterr().err

    code, got = cli_json(capsys, db_path, "ratings", str(path), "--year", str(YEAR), "--dry-run")
    assert code == 1 and got["committed"] is False
    assert {k: got[k] for k in ("sheet", "header_row", "rows", "inserted")} == {
        "sheet": "望湖社区", "header_row": 3, "rows": 7, "inserted": 0}
    assert [(e["row"], e["column"]) for e in got["errors"]] == [(6, "党支部"), (7, "1.1（6分）"),
                                                                 (7, "发展党员程序规范、质量合格"), (9, "党支部")]
    assert set(got["errors"][0]) >= {"row", "column", "value", "message"}

    code, got = cli_json(capsys, db_path, "ratings", str(path), "--year", str(YEAR), "--stage", "community",
                         "--skip-invalid")
    assert code == 0 and got["committed"] is True and (got["inserted"], got["skipped"]) == (4, 3)

    code, got = cli_json(capsys, db_path, "ratings", str(path), "--year", "2025", "--skip-invalid")
    assert code == 1 and got["committed"] is False and "已定级" in got["errors"][0]["message"]
    assert cli.main(["--db", str(db_path), "import", "ratings", str(path), "--year", str(YEAR),
                     "--stage", "boss"]) == 2
    database.open_database(db_path)  # for the fixture's teardown


# ---------------------------------------------------------------- the import dialog


@pytest.fixture
def no_modals(monkeypatch):
    shown: list[tuple] = []
    for name in ("inform", "warn", "error"):
        monkeypatch.setattr(dialogs, name,
                            lambda parent, title, text, *a, _n=name, **k: shown.append((_n, title, text)))
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: pytest.fail("unexpected question"))
    monkeypatch.setattr(dialogs, "crash", lambda *a, **k: pytest.fail("crash dialog"))
    return shown


def test_import_dialog_ratings_year_stage_and_valid_rows(qtbot, year_open, tmp_path, monkeypatch, no_modals):
    path = messy_sheet(tmp_path / "初评.xlsx")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dlg = ImportDialog(None, "ratings")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.rating_row.isVisible()
    assert [dlg.year_combo.itemData(i) for i in range(dlg.year_combo.count())] == [2026, 2025]
    assert dlg.year_combo.itemText(1) == "2025 年度（已定级）"
    assert (dlg.year, dlg.stage) == (2026, "community")  # the open year, 社区初评

    dlg.choose_button.click()
    qtbot.waitUntil(lambda: dlg.task is None and dlg.preview is not None, timeout=20_000)
    assert dlg.preview.options == {"year": 2026, "stage": "community"}
    summary = dlg.summary.text()
    assert "共 <b>7</b> 行" in summary and "有错误 3 行" in summary and "将新增 4" in summary
    assert not dlg.import_button.isEnabled() and dlg.valid_button.isEnabled()
    assert dlg.model.rowCount() == 3  # opens on the rows to fix

    dlg.select_year(2025)  # a finalized year: the preview says why nothing can be imported
    qtbot.waitUntil(lambda: dlg.task is None and dlg.preview is not None and dlg.preview.options["year"] == 2025,
                    timeout=20_000)
    assert "不能导入（原因见下方说明）" in dlg.summary.text()
    assert "已定级" in dlg.notes.text()
    assert not dlg.import_button.isEnabled() and not dlg.valid_button.isEnabled()

    dlg.select_year(2026, "street")
    qtbot.waitUntil(lambda: dlg.task is None and dlg.preview is not None and dlg.preview.options["year"] == 2026,
                    timeout=20_000)
    assert dlg.preview.options["stage"] == "street"
    with qtbot.waitSignal(dlg.imported, timeout=20_000) as blocker:
        dlg.valid_button.click()
    qtbot.waitUntil(lambda: dlg.task is None and not dlg.isVisible(), timeout=20_000)
    outcome = blocker.args[0]
    assert outcome.committed and (outcome.inserted, outcome.skipped) == (4, 3)
    assert no_modals == [("inform", "导入完成", "已导入 2026 年度街道审定得分：新增 4，更新 0，不变 0，跳过有错误的 3 行。")]
    assert set(stage_scores("street")) == {"望湖城北苑小区党支部", "望湖城南苑小区党支部", "省建一公司宿舍小区党支部",
                                           "南湖春城小区党支部"}
    assert stage_scores("community") == {}


def test_import_dialog_without_rating_years_explains(qtbot, fresh_db, no_modals):
    dlg = ImportDialog(None, "ratings")
    qtbot.addWidget(dlg)
    assert dlg.year_combo.count() == 0 and dlg.year is None
    assert "还没有星级评定年度" in dlg.hint.text()
    dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData("ledger"))
    assert not dlg.form.isRowVisible(dlg.rating_row)
    assert "「日期」「摘要」「经办人」「审批人」" in dlg.hint.text()
