"""经费台账 exports: the per-branch Excel workbook (one sheet per branch) and the funds
summary, re-opened with python-calamine and openpyxl; the ledger PDF, checked as a valid
PDF and by its text (pypdf), both in the built-in STSong-Light CID font (as on CI) and in
an embedded TrueType font where this machine has one (`report_fonts`, tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from conftest import DEMO_TODAY
from ledger_helpers import TODAY, allocate, make_branches, reverse, spend
from openpyxl import load_workbook
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from reports import ledger_export, ledger_pdf
from reports.fonts import resolve_fonts
from wanghu_desk.errors import NotFoundError, UsageError, UserError
from wanghu_desk.money import to_chinese_capital
from wanghu_desk.services import ledger

BRANCH = "望湖城北苑小区党支部"


def rows_of(path, sheet=0):
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_index(sheet).to_python() if isinstance(sheet, int) else \
        book.get_sheet_by_name(sheet).to_python()


# ---------------------------------------------------------------- Excel


def test_one_branch_workbook_values_text_cells_and_totals(demo_db, tmp_path):
    out = ledger_export.write_ledger_workbook(tmp_path / "台账.xlsx", 2026, BRANCH)
    view = ledger.ledger(BRANCH, 2026)
    rows = rows_of(out)
    assert rows[0][0] == f"{BRANCH}2026年度经费台账"
    assert rows[1][0].startswith("经费类别：")
    assert rows[2] == list(ledger_export.LEDGER_HEADERS)
    body = rows[3:]
    entries = [r for r in body if r[1] != ""]
    assert [int(r[1]) for r in entries] == [r.voucher_no for r in view.rows]
    first = entries[0]
    assert first[0] == view.rows[0].entry_date.isoformat()
    assert first[5] == view.rows[0].income_fen / 100 and first[7] == view.rows[0].balance_fen / 100
    reversal = next(r for r in entries if str(r[3]).startswith("冲销第"))
    assert reversal[6] < 0  # a reversal of an expense is a negative expense
    year_total = next(r for r in body if r[3] == "本年合计")
    assert (year_total[5], year_total[6], year_total[7]) == (
        view.allocated_fen / 100, view.spent_fen / 100, view.closing_fen / 100)
    assert sum(float(r[6] or 0) for r in entries) == pytest.approx(view.spent_fen / 100)
    quarter_totals = [r for r in body if str(r[3]).endswith("季度合计")]
    assert [q[7] for q in quarter_totals] == [q.closing_fen / 100 for q in view.quarters if any(
        ledger.quarter_of(r.entry_date) == q.quarter for r in view.rows)]
    assert body[-1][3] == f"期末余额（大写）：{to_chinese_capital(view.closing_fen)}"

    ws = load_workbook(out)[BRANCH]
    date_cell = ws.cell(row=4, column=1)
    assert date_cell.data_type == "s" and date_cell.number_format == "@"
    money = ws.cell(row=4, column=8)
    assert money.number_format == ledger_export.MONEY_FORMAT and money.value == Decimal(view.rows[0].balance_fen) / 100
    assert ws.cell(row=4, column=2).value == 1
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert "第 &P 页" in ws.oddFooter.center.text
    total_row = next(r for r in ws.iter_rows(min_row=4) if r[3].value == "本年合计")
    assert total_row[3].font.b and total_row[5].font.b


def test_all_branches_workbook_has_a_summary_and_one_sheet_per_branch(demo_db, tmp_path):
    steps = []
    out = ledger_export.write_ledger_workbook(tmp_path / "all.xlsx", 2026, progress=lambda *s: steps.append(s))
    book = CalamineWorkbook.from_path(str(out))
    summary = ledger.funds_summary(2026)
    assert book.sheet_names[0] == "经费汇总"
    assert len(book.sheet_names) == 1 + len(summary.rows) == 67
    assert BRANCH in book.sheet_names
    assert steps[-1][2] == "正在保存文件…" and steps[-2][:2] == (66, 66)
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[2] == list(ledger_export.SUMMARY_HEADERS)
    total = rows[-1]
    assert total[1] == "合计"
    assert total[5] == summary.total.allocated_fen / 100 and total[7] == summary.total.closing_fen / 100
    estate = [r for r in rows[3:-1] if r[2] == "小区(片区)党支部"]
    assert len(estate) == 29 and all(r[5] >= 10_000 for r in estate) and all(r[9] == "" for r in estate)
    assert 0 < rows[3][8] <= 1  # the spend rate as a fraction, shown as a percentage


def test_funds_summary_of_a_quarter_flags_estate_branches_under_the_minimum(fresh_db, tmp_path):
    ids = make_branches()
    allocate(ids["甲小区党支部"], 1_000_000, day=dt.date(2026, 1, 5))
    allocate(ids["乙小区党支部"], 400_000, day=dt.date(2026, 1, 5))
    spend(ids["甲小区党支部"], 10_000, day=dt.date(2026, 8, 1))
    out = ledger_export.write_funds_summary_workbook(tmp_path / "q3.xlsx", 2026, 3)
    rows = rows_of(out)
    assert rows[0][0] == "望湖街道2026年第三季度经费汇总表"
    by_name = {r[1]: r for r in rows[3:]}
    assert by_name["甲小区党支部"][4:8] == [10_000.0, 0.0, 100.0, 9_900.0]
    assert by_name["乙小区党支部"][9] == "拨付低于 ¥10,000.00"
    assert by_name["丙小区党支部"][9] == "拨付低于 ¥10,000.00"
    assert by_name["合计"][9] == "低于最低拨付标准 2 个"
    ws = load_workbook(out).active
    flagged = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "乙小区党支部")
    assert flagged[1].fill.fgColor.rgb.endswith("F8D7DA")


def test_carried_over_balance_opens_the_sheet(fresh_db, tmp_path):
    ids = make_branches()
    a = ids["甲小区党支部"]
    allocate(a, 1_000_000, day=dt.date(2025, 1, 5))
    ledger.set_fund_carries_over(ledger.DEFAULT_FUND_NAME, True)
    e = spend(a, 20_000, day=dt.date(2026, 2, 1))
    reverse(e.id, day=dt.date(2026, 2, 3))
    rows = rows_of(ledger_export.write_ledger_workbook(tmp_path / "a.xlsx", 2026, "甲小区党支部"))
    assert rows[3][:8] == ["2026-01-01", "", "", "上年结转", "", "", "", 10_000.0]
    assert "上年结转：¥10,000.00" in rows[1][0]


def test_workbook_errors_are_clear(demo_db, tmp_path, monkeypatch):
    with pytest.raises(UsageError, match=r"\.xlsx"):
        ledger_export.write_ledger_workbook(tmp_path / "a.xls", 2026)
    with pytest.raises(NotFoundError, match="是不是"):
        ledger_export.write_ledger_workbook(tmp_path / "a.xlsx", 2026, "望湖城北苑小区党之部")

    def locked(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(UserError) as caught:
        ledger_export.write_ledger_workbook(tmp_path / "open.xlsx", 2026, BRANCH)
    assert caught.value.message == "无法保存「open.xlsx」：文件正被 Excel 等程序打开，请关闭后重试。"
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".*tmp*"))


# ---------------------------------------------------------------- PDF


def test_ledger_pdf_is_always_a_valid_pdf(demo_db, tmp_path):
    fallback = resolve_fonts([tmp_path / "no-fonts"])  # reportlab's STSong-Light, never embedded
    assert not fallback.embedded
    gen = ledger_pdf.ledger_pdf_steps(tmp_path / "one.pdf", 2026, BRANCH, as_of=DEMO_TODAY, fonts=fallback)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            path = stop.value
            break
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    assert len(PdfReader(str(path)).pages) >= 1


def test_ledger_pdf_text_has_the_entries_and_totals_in_capitals(demo_db, tmp_path, report_fonts):
    # write_ledger_pdf resolves its own fonts: report_fonts has pointed discovery at them
    path = ledger_pdf.write_ledger_pdf(tmp_path / "one.pdf", 2026, BRANCH)
    reader = PdfReader(str(path))
    assert report_fonts.note in reader.metadata["/Keywords"]
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    view = ledger.ledger(BRANCH, 2026)
    assert BRANCH in text and "2026年度经费台账" in text
    assert to_chinese_capital(view.closing_fen) in text
    assert to_chinese_capital(view.allocated_fen) in text
    special = ledger.ledger(BRANCH, 2026, ledger.DEFAULT_FUND_NAME)
    assert f"本年拨付合计（大写）：{to_chinese_capital(special.allocated_fen)}" in text
    assert "合计" in text and "经办人" in text and "审批人" in text
    for row in view.rows:
        assert row.summary.replace(" ", "")[:6] in text
    assert "冲销第6号凭证" in text


def test_all_branches_pdf_starts_with_the_summary(demo_db, tmp_path, report_fonts):
    steps = []
    path = ledger_pdf.write_ledger_pdf(tmp_path / "all.pdf", 2026, progress=lambda *s: steps.append(s))
    reader = PdfReader(str(path))
    assert report_fonts.note in reader.metadata["/Keywords"]
    first = reader.pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert "经费汇总" in first and "各小区（片区）党支部拨付均不低于¥10,000.00" in first
    assert len(reader.pages) > 66  # every branch on its own page(s)
    assert steps[-1][:2] == (67, 67)


def test_ledger_pdf_errors(demo_db, tmp_path, monkeypatch):
    with pytest.raises(UsageError, match=r"\.pdf"):
        ledger_pdf.write_ledger_pdf(tmp_path / "a.xlsx", 2026)

    def locked(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(UserError, match="文件正被其他程序打开"):
        ledger_pdf.write_ledger_pdf(tmp_path / "open.pdf", 2026, BRANCH)


def test_empty_branch_pdf_says_so(fresh_db, tmp_path):
    make_branches()
    path = ledger_pdf.write_ledger_pdf(tmp_path / "empty.pdf", 2026, "丙小区党支部")
    assert PdfReader(str(path)).pages
    assert TODAY.year == 2026


def test_exported_ledger_reads_back_through_the_row_normaliser(demo_db, tmp_path):
    """What the import pipeline will see: every entry of the exported sheet normalises
    without a problem to the same kind, amount and voucher; the totals rows are skipped."""
    out = ledger_export.write_ledger_workbook(tmp_path / "rt.xlsx", 2026, BRANCH)
    rows = rows_of(out)
    headers = rows[2]
    field_of = {names[0]: f for f, names in ledger.LEDGER_IMPORT_FIELDS.items()}
    records, skipped = [], 0
    for row in rows[3:]:
        cells = {field_of[h]: v for h, v in zip(headers, row) if h in field_of}
        rec, problems = ledger.normalize_ledger_row(cells, today=DEMO_TODAY, default_branch=BRANCH)
        if rec.get("skip"):
            skipped += 1
            continue
        assert problems == [], (row, problems)
        records.append(rec)
    view = ledger.ledger(BRANCH, 2026)
    assert [(r["kind"], r["amount_fen"], r["source_voucher_no"], r["branch_name"]) for r in records] == [
        (e.kind, e.amount_fen, e.voucher_no, BRANCH) for e in view.rows]
    assert next(r for r in records if r["kind"] == "reversal")["reverses_voucher_no"] == 6
    with_two = next(r for r in records if r["second_approver"])
    assert with_two["approver"] == "赵红梅" and with_two["second_approver"] == "陈海燕"
    assert skipped == 5  # three quarter totals, the year total, the balance in 大写
