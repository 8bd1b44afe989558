"""Importing a ledger kept in Excel (issue 6 point 5) through the shared pipeline: the
ledger's own rules (forbidden subjects, a second approver from ¥2,000, no overdrawn
balance, amounts) as problems on exact rows and columns, totals rows left out, all or
nothing, vouchers renumbered in date order, rows already stored counted as unchanged,
and the program's own export imported into an empty ledger with the same balances."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import openpyxl
import pytest
from conftest import DEMO_TODAY
from ledger_helpers import allocate, make_branches, spend

from models import Branch, LedgerEntry, db
from reports import exports, importing
from reports.columns import LEDGER_COLUMNS, HeaderIndex
from reports.ledger_export import write_ledger_workbook
from wanghu_desk import cli, database
from wanghu_desk.errors import UsageError, ValidationError
from wanghu_desk.services import ledger

TODAY = DEMO_TODAY


def dump() -> list[str]:
    return list(db.connection().iterdump())


def run(path, **kwargs) -> importing.ImportOutcome:
    return importing.run(path, "ledger", today=TODAY, **kwargs)


def where(result) -> list[tuple]:
    return [(p.sheet, p.row, p.column) for p in result.errors]


def rows_of(branch: str, year: int = 2026) -> list[tuple]:
    view = ledger.ledger(branch, year)
    return [(r.entry_date.isoformat(), r.voucher_no, r.kind, r.summary, r.income_fen, r.expense_fen, r.balance_fen)
            for r in view.rows]


A_HEADER = ["日期", "凭证号", "类型", "科目", "摘要", "金额", "经办人", "审批人", "第二审批人", "余额"]
B_HEADER = ["所在党支部", "日期", "摘要", "收入", "支出", "科目", "经办人", "审批人"]


def messy_workbook(path):
    """Two ways offices keep a ledger: one sheet per branch (named after it) with 类型
    and 金额, and one list with a 所在党支部 column and 收入 / 支出 (both approvers in
    审批人, as this program exports them); plus a funds summary sheet."""
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "经费汇总"
    summary.append(["望湖街道2026年度经费汇总表"])
    summary.append(["序号", "党支部", "类别", "所属社区", "期初余额", "本期拨付", "本期支出", "期末余额", "执行率", "备注"])
    summary.append([1, "甲小区党支部", "小区党支部", "望湖社区", 0, 10000, 1200.5, 8799.5, 0.12, None])

    a = wb.create_sheet("甲小区党支部")
    a.append(["甲小区党支部2026年度经费台账"])
    a.merge_cells("A1:J1")
    a.append(["单位：元"])
    a.append(A_HEADER)
    a.append([dt.date(2026, 1, 10), 1, "拨付", None, "拨付2026年专项经费", 10000, "王会计", "李书记", None, 10000])  # 4
    a.append(["2026/2/1", 2, "支出", "活动经费", "主题党日活动资料", "1,200.50", "张三", "李书记", None, None])  # 5
    a.append(["2026.2.15", 3, "支出", "宴请", "慰问老党员聚餐", 800, "张三", "李书记", None, None])  # 6 forbidden
    a.append(["2026-03-01", 4, "支出", "服务群众", "为独居老人购买米面油", 2500, "张三", "李书记", None, None])  # 7 2nd approver
    a.append(["2026-03-05", 5, "支出", "阵地建设", "更换党群服务站桌椅", 9000, "张三", "李书记", "赵主任", None])  # 8 overdraw
    a.append(["2026-03-10", 6, "支出", "办公", "购买打印纸", "12.345", "张三", "李书记", None, None])  # 9 bad amount
    a.append([None, None, None, None, "第一季度合计", 10000, None, None, None, 8799.5])  # 10 totals: left out
    a.append(["2026-04-01", 7, "支出", "慰问", "七一走访慰问困难党员", 600, "张三", "李书记", None, None])  # 11
    a.append(["2026-04-02", 8, None, None, "冲销第7号凭证：重复录入", -600, "王会计", "李书记", None, None])  # 12
    a.append(["2026-04-05", 9, "支出", "活动经费", "党员冬训教材", "abc", "张三", "李书记", None, None])  # 13 garbage
    a.append([None, None, None, None, "本年合计", 10000, None, None, None, 8799.5])  # 14 totals: left out

    b = wb.create_sheet("其他支部")
    b.append(B_HEADER)
    b.append(["乙小区", "2026-02-01", "购买慰问品", None, 2000, "慰问", "张三", "李书记、赵主任"])  # 2 (before its allocation)
    b.append(["乙小区党支部", "2026-01-12", "拨付专项经费", "10000", None, None, "王会计", "李书记"])  # 3
    b.append(["乙小区党支部", "2026-02-02", "购置空调", None, 300, "购置固定资产", "张三", "李书记"])  # 4 forbidden
    b.append(["乙小区党支部", "2026-02-03", "活动资料", None, 2500, "活动经费", "张三", "李书记"])  # 5 2nd approver
    b.append(["丁小区党支部", "2026-02-04", "活动资料", None, 100, "活动经费", "张三", "李书记"])  # 6 unknown branch
    b.append([None, None, "合计", 10000, 2000, None, None, None])  # 7 totals
    wb.save(path)
    return path


EXPECTED_ERRORS = [
    ("甲小区党支部", 6, "科目"), ("甲小区党支部", 7, "第二审批人"), ("甲小区党支部", 8, "金额"),
    ("甲小区党支部", 9, "金额"), ("甲小区党支部", 13, "金额"),
    ("其他支部", 4, "科目"), ("其他支部", 5, "审批人"), ("其他支部", 6, "所在党支部"),
]


@pytest.fixture
def branches(fresh_db):
    return make_branches()


def test_the_column_table_knows_every_name_the_ledger_service_lists():
    index = HeaderIndex(LEDGER_COLUMNS)
    for name, headers in ledger.LEDGER_IMPORT_FIELDS.items():
        for header in headers:
            assert index.match(header).field == name, header
    assert {c.field for c in LEDGER_COLUMNS} == set(ledger.LEDGER_IMPORT_FIELDS)


def test_messy_ledger_problems_on_exact_rows_and_columns(branches, tmp_path):
    path = messy_workbook(tmp_path / "台账.xlsx")
    before = dump()
    result = importing.preview(path, "ledger", today=TODAY)
    assert dump() == before  # the rules were tried in a transaction that was rolled back
    assert result.sheets == ["甲小区党支部", "其他支部"]  # 经费汇总 left out without a word
    assert [r.row for r in result.rows if r.sheet == "甲小区党支部"] == [4, 5, 6, 7, 8, 9, 11, 12, 13]
    assert [r.row for r in result.rows if r.sheet == "其他支部"] == [2, 3, 4, 5, 6]  # totals rows left out
    assert where(result) == EXPECTED_ERRORS
    msg = {(p.sheet, p.row): p for p in result.errors}
    assert "「宴请」属于禁止列支的事项" in msg[("甲小区党支部", 6)].message
    assert "须两人审批，请填写第二审批人" in msg[("甲小区党支部", 7)].message
    over = msg[("甲小区党支部", 8)]
    assert "余额不足" in over.message and "¥8,799.50" in over.message and over.value == "9000"
    assert msg[("甲小区党支部", 9)].value == "12.345" and "两位小数" in msg[("甲小区党支部", 9)].message
    assert msg[("甲小区党支部", 13)].value == "abc"
    assert "「购置固定资产」属于禁止列支的事项" in msg[("其他支部", 4)].message
    assert "须两人审批" in msg[("其他支部", 5)].message
    assert "党支部「丁小区党支部」不存在。是不是「" in msg[("其他支部", 6)].message
    assert result.warnings == []
    assert result.count("insert") == 6 and result.count("unchanged") == 0


def test_rejected_import_leaves_the_database_unchanged(branches, tmp_path):
    path = messy_workbook(tmp_path / "台账.xlsx")
    before = dump()
    outcome = run(path)
    assert not outcome.committed and outcome.inserted == 0
    with pytest.raises(ValidationError, match="有 8 行有错误"):
        importing.commit(outcome.preview)
    dry = run(path, dry_run=True, skip_invalid=True)
    assert not dry.committed and (dry.inserted, dry.skipped) == (6, 8)
    assert dump() == before


def test_valid_rows_are_written_in_date_order_and_a_second_import_adds_nothing(branches, tmp_path):
    path = messy_workbook(tmp_path / "台账.xlsx")
    outcome = run(path, skip_invalid=True)
    assert outcome.committed
    assert (outcome.inserted, outcome.unchanged, outcome.skipped) == (6, 0, 8)
    assert rows_of("甲小区党支部") == [
        ("2026-01-10", 1, "allocation", "拨付2026年专项经费", 1_000_000, 0, 1_000_000),
        ("2026-02-01", 2, "expense", "主题党日活动资料", 0, 120_050, 879_950),
        ("2026-04-01", 3, "expense", "七一走访慰问困难党员", 0, 60_000, 819_950),
        ("2026-04-02", 4, "reversal", "冲销第3号凭证：重复录入", 0, -60_000, 879_950),  # renumbered original
    ]
    assert rows_of("乙小区党支部") == [
        ("2026-01-12", 1, "allocation", "拨付专项经费", 1_000_000, 0, 1_000_000),
        ("2026-02-01", 2, "expense", "购买慰问品", 0, 200_000, 800_000),
    ]
    second = LedgerEntry.get(LedgerEntry.voucher_no == 2, LedgerEntry.branch == branches["乙小区党支部"])
    assert (second.approver, second.second_approver, second.subject) == ("李书记", "赵主任", "condolence")

    before = dump()
    again = run(path, skip_invalid=True, dry_run=True)
    assert (again.inserted, again.unchanged) == (0, 6)
    assert dump() == before
    again = run(path, skip_invalid=True)
    assert again.committed and (again.inserted, again.unchanged) == (0, 6)
    assert LedgerEntry.select().count() == 6


def test_rows_already_entered_by_hand_are_unchanged_and_balances_count_them(branches, tmp_path):
    allocate(branches["甲小区党支部"], 1_000_000, day=dt.date(2026, 1, 10), summary="拨付2026年专项经费")
    spend(branches["甲小区党支部"], 500_000, day=dt.date(2026, 1, 20), summary="已在程序中记的支出")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "甲小区党支部"
    ws.append(A_HEADER)
    ws.append(["2026-01-10", 1, "拨付", None, "拨付2026年专项经费", 10000, "王会计", "李书记", None, None])
    ws.append(["2026-02-01", 2, "支出", "活动经费", "主题党日活动资料", 5000, "张三", "李书记", "赵主任", None])
    ws.append(["2026-02-02", 3, "支出", "活动经费", "再买一批资料", 100, "张三", "李书记", None, None])
    wb.save(tmp_path / "甲.xlsx")
    before = dump()
    outcome = run(tmp_path / "甲.xlsx")
    assert not outcome.committed
    # 10,000 allocated, 5,000 spent by hand: 5,000 is there for row 3 but not for row 3's 100 after row 2
    assert where(outcome.preview) == [("甲小区党支部", 4, "金额")]
    assert outcome.preview.actions == ["unchanged", "insert", None]
    assert dump() == before
    outcome = run(tmp_path / "甲.xlsx", skip_invalid=True)
    assert (outcome.inserted, outcome.unchanged, outcome.skipped) == (1, 1, 1)
    assert ledger.balance(branches["甲小区党支部"], 2026) == 0


def test_year_option_and_reversal_of_a_missing_voucher(branches, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "甲小区党支部"
    ws.append(A_HEADER)
    ws.append(["2025-12-30", 1, "拨付", None, "上年拨付", 10000, "王会计", "李书记", None, None])
    ws.append(["2026-01-10", 1, "拨付", None, "拨付", 10000, "王会计", "李书记", None, None])
    ws.append(["2026-01-11", 2, "冲销", None, "冲销第9号凭证：录错", 100, "王会计", "李书记", None, None])
    wb.save(tmp_path / "y.xlsx")
    result = importing.preview(tmp_path / "y.xlsx", "ledger", today=TODAY, year=2026)
    assert where(result) == [("甲小区党支部", 2, "日期"), ("甲小区党支部", 4, "摘要")]
    assert "不在 2026 年度" in result.errors[0].message
    assert "找不到要冲销的第9号凭证" in result.errors[1].message
    with pytest.raises(UsageError, match="只用于导入星级评定得分"):
        importing.preview(tmp_path / "y.xlsx", "ledger", stage="street")


def test_a_sheet_name_cut_at_31_characters_is_read_from_the_title(branches, tmp_path):
    long_name = "合肥市包河区望湖街道望湖社区某某物业服务有限公司与业主委员会联合党支部"
    assert len(long_name) > 31
    bid = Branch.create(name=long_name, category="enterprise").id
    allocate(bid, 300_000)
    out = write_ledger_workbook(tmp_path / "long.xlsx", 2026, long_name)
    assert openpyxl.load_workbook(out).sheetnames == [long_name[:31]]
    result = importing.preview(out, "ledger", today=TODAY)
    assert result.problems == [] and result.actions == ["unchanged"]


# ---------------------------------------------------------------- round trip of the own export


def snapshot_ledgers(year: int) -> dict[str, tuple]:
    """Every branch's ledger of `year` by name; the demo writes a reversal's reason in
    brackets, the service after a colon — the text is compared without that."""
    out = {}
    for b in ledger.branch_choices(include_dissolved=True):
        view = ledger.ledger(b.id, year)
        out[b.name] = (
            [(r.entry_date, r.voucher_no, r.kind, r.fund_name, re.sub(r"[：（）]", "", r.summary), r.subject_label,
              r.income_fen, r.expense_fen, r.balance_fen, r.handler, r.approvers) for r in view.rows],
            view.allocated_fen, view.spent_fen, view.closing_fen,
        )
    return out


def test_demo_export_imports_into_an_empty_ledger_with_the_same_balances(demo_db, template_db, tmp_path):
    workbook = write_ledger_workbook(tmp_path / "台账2026.xlsx", 2026)
    assert "经费汇总" in openpyxl.load_workbook(workbook, read_only=True).sheetnames
    wanted = snapshot_ledgers(2026)
    entries = LedgerEntry.select().where(LedgerEntry.year == 2026).count()
    assert entries > 300 and LedgerEntry.select().where(LedgerEntry.kind == "reversal").count() > 0

    same = importing.preview(workbook, "ledger", today=TODAY)  # into the demo itself: nothing new
    assert same.problems == [] and len(same.rows) == entries and same.count("unchanged") == entries

    branch_list = exports.export("branches", tmp_path / "branches.xlsx").path
    database.close_database()
    target = tmp_path / "target.db"
    shutil.copyfile(template_db, target)
    database.open_database(target, backups_dir=tmp_path / "backups")
    assert importing.run(branch_list, "branches", today=TODAY).inserted == 74

    outcome = importing.run(workbook, "ledger", today=TODAY)
    assert outcome.committed and outcome.preview.problems == []
    assert (outcome.inserted, outcome.unchanged) == (entries, 0)
    got = snapshot_ledgers(2026)
    assert {k: v for k, v in got.items() if v[0]} == {k: v for k, v in wanted.items() if v[0]}
    again = importing.run(workbook, "ledger", today=TODAY)
    assert (again.inserted, again.unchanged) == (0, entries)


# ---------------------------------------------------------------- command line


def test_command_line_ledger(branches, fresh_db, tmp_path, capsys):
    path = messy_workbook(tmp_path / "台账.xlsx")
    db_path = fresh_db.path
    database.close_database()
    code = cli.main(["--db", str(db_path), "import", "ledger", str(path), "--dry-run", "--json"])
    got = json.loads(capsys.readouterr().out)
    assert code == 1 and got["committed"] is False and got["rows"] == 14
    assert [(e["sheet"], e["row"], e["column"]) for e in got["errors"]] == EXPECTED_ERRORS
    assert got["errors"][2]["value"] == "9000" and "余额不足" in got["errors"][2]["message"]

    code = cli.main(["--db", str(db_path), "import", "ledger", str(path), "--skip-invalid"])
    out = capsys.readouterr().out
    assert code == 0 and "已导入经费台账：新增 6，更新 0，不变 0（跳过有错误的 8 行）" in out
    assert cli.main(["--db", str(db_path), "import", "ledger", str(path), "--stage", "street"]) == 2
    assert "只用于导入星级评定得分" in capsys.readouterr().err
    database.open_database(db_path)
