"""The quarterly report PDF (reports.quarterly_report, SPEC §8): generated for the 望湖街道
demo and read back with pypdf, its figures must equal the services' figures for that
quarter (stats.collect_quarter) and stats.collect() where they overlap; a quarter with no
data says so; the 74-branch funds table runs over pages with its header repeated; the
report is produced with the CID fallback font too; the GUI generator reports progress.
Every text check runs with STSong-Light (as on CI) and with an embedded TrueType font
where this machine has one (`report_fonts`, tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from conftest import DEMO_TODAY
from pypdf import PdfReader

from reports import fonts as font_resolver
from reports.pdf.formatting import count, money, permille
from reports.quarterly_report import default_filename, quarterly_report_steps, write_quarterly_report
from wanghu_desk.errors import UsageError, UserError
from wanghu_desk.services import quarterly, stats


@pytest.fixture(scope="module")
def cid_fonts(tmp_path_factory):
    """What a machine without any Chinese font gets: STSong-Light, not embedded."""
    return font_resolver.resolve_fonts([tmp_path_factory.mktemp("no-fonts")])


def _pages(path) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in PdfReader(str(path)).pages]


def test_demo_report_figures_equal_the_services(demo_db, tmp_path, report_fonts):
    path = write_quarterly_report(tmp_path / "q3.pdf", 2026, 3, fonts=report_fonts, report_date=DEMO_TODAY)
    pages = _pages(path)
    text = "".join(pages)
    q = stats.collect_quarter(2026, 3, today=DEMO_TODAY)
    whole = stats.collect()
    m, s, r, ledger = q["members"], q["service"], q["rating"], q["ledger"]

    assert pages[0].startswith("望湖街道2026年第三季度党建引领社区治理工作报表")
    assert "填报单位：中共合肥市包河区望湖街道工作委员会" in pages[0]
    assert "（2026年7月1日—9月30日）" in pages[0]
    # Organisation (and where it overlaps stats.collect()).
    assert q["branches"]["total"] == whole["branches"]["total"] == 74
    assert q["building_groups"] == whole["building_groups"] == 233
    assert "共有党支部74个（其中小区（片区）党支部29个）、楼栋党小组233个" in text
    for code, label in (("estate", "小区(片区)党支部"), ("grid", "网格党支部"), ("agency", "机关党支部")):
        n = q["branches"]["by_category"][code]
        assert f"{label}{n}{permille(quarterly.share_permille(n, 74))}" in text
    # Members.
    full, prob = m["by_category"]["full"], m["by_category"]["probationary"]
    assert f"在册党员{count(m['total'])}名（正式党员{count(full)}名、预备党员{count(prob)}名）" in text
    assert f"新发展党员{count(m['joined'])}名" in text
    due = m["probation_overdue"] + m["probation_due_30_days"]
    assert f"已到期未办理转正的{m['probation_overdue']}名，30天内" in text
    assert f"到期的{count(m['probation_due_30_days'])}名" in text
    assert f"合计{m['probation_overdue']}{m['probation_due_30_days']}{due}" in text
    # Volunteers: only this quarter's service.
    assert f"本季度共开展志愿服务{count(s['records'])}次，累计{s['hours']}小时，参与志愿者{count(s['volunteers'])}名" in text
    assert f"共有志愿服务队{q['volunteer_teams']}支、注册志愿者{count(q['volunteers'])}名" in text
    # Rating: the finalized 2025 round, as in stats.collect().
    assert (r["rated"], r["at_least_one_star"], r["by_stars"]["5"]) == (74, 66, 7)
    assert r["by_stars"] == whole["ratings"]["2025"]["by_stars"]
    assert "74个支部中一星以上66个，五星7个" in text
    assert "2025年度星级评定结果分布" in text  # the chart
    # Funds up to 30 September.
    assert (f"共拨付经费{money(ledger['allocated_fen'])}，支出{money(ledger['spent_fen'])}，"
            f"结余{money(ledger['balance_fen'])}") in text
    assert f"其中本季度支出{money(ledger['spent_in_quarter_fen'])}" in text
    special = sum(b.special_allocated_fen for b in quarterly.fund_figures(quarterly.Quarter(2026, 3)).branches
                  if b.category == "estate")
    assert special == 29 * 1_000_000  # the demo's ¥10,000 to each estate branch
    assert (f"合计{money(ledger['allocated_fen'])}{money(special)}{money(ledger['spent_fen'])}"
            f"{money(ledger['balance_fen'])}") in text
    assert "29个小区（片区）党支部专项经费均已拨付" in text
    # Signature block on the last page.
    for label in ("填报单位：", "负责人：", "填报人：", "联系电话：0551-63517010", "日期：2026年11月22日"):
        assert label in pages[-1], label


def test_current_quarter_report_agrees_with_stats_collect(demo_db, tmp_path, report_fonts):
    whole = stats.collect()
    path = write_quarterly_report(tmp_path / "q4.pdf", 2026, 4, fonts=report_fonts, report_date=DEMO_TODAY)
    text = "".join(_pages(path))
    members = whole["members"]
    assert "（2026年10月1日—12月31日，数据截至2026年11月22日）" in text
    assert (f"在册党员{count(members['total'])}名（正式党员{count(members['by_category']['full'])}名、"
            f"预备党员{count(members['by_category']['probationary'])}名）") in text
    ledger = whole["ledger"]["2026"]
    assert f"共拨付经费{money(ledger['allocated_fen'])}，支出{money(ledger['spent_fen'])}" in text
    assert "已到期未转正的预备党员" in text  # the overdue list of the running quarter


def test_funds_table_spans_pages_with_the_header_repeated(demo_db, tmp_path, report_fonts):
    path = write_quarterly_report(tmp_path / "q3.pdf", 2026, 3, fonts=report_fonts, report_date=DEMO_TODAY)
    pages = _pages(path)
    funds = quarterly.fund_figures(quarterly.Quarter(2026, 3))
    assert len(funds.branches) == 74
    first = next(i for i, t in enumerate(pages) if "党支部经费执行情况" in t)
    last = next(i for i, t in enumerate(pages) if "注：执行率" in t)
    assert last > first  # more than one page
    header = "序号党支部拨付其中专项支出结余执行率"
    for i in range(first, last + 1):
        assert header in pages[i], f"page {i + 1} lacks the header"
    table = "".join(pages[first:last + 1])
    for b in funds.branches:  # every branch listed once with its figures
        special = money(b.special_allocated_fen) if b.category == "estate" else ""
        row = f"{b.name}{money(b.allocated_fen)}{special}{money(b.spent_fen)}{money(b.balance_fen)}"
        assert table.count(row) == 1, b.name


def test_a_quarter_before_any_data_says_so(demo_db, tmp_path, report_fonts):
    path = write_quarterly_report(tmp_path / "q.pdf", 2020, 1, fonts=report_fonts, report_date=DEMO_TODAY)
    reader = PdfReader(str(path))
    assert len(reader.pages) >= 1
    text = "".join(_pages(path))
    assert "本季度（2020年1月1日—3月31日）无志愿服务记录" in text
    assert "尚无已审定的星级党支部评定结果，本季度无星级评定数据" in text
    assert "2020年度截至3月31日无经费拨付和支出记录" in text
    assert "服务群众专项经费尚未拨付" in text
    assert "志愿服务队服务次数" not in text and "党支部经费执行情况" not in text  # no empty tables


def test_an_empty_database_gives_a_valid_report_saying_so(fresh_db, tmp_path, report_fonts):
    path = write_quarterly_report(tmp_path / "empty.pdf", 2026, 3, fonts=report_fonts, report_date=DEMO_TODAY)
    pages = _pages(path)
    text = "".join(pages)
    assert 1 <= len(pages) <= 2
    assert "本季度无可报送的统计数字" in text
    assert "本季度无党支部数据" in text and "无志愿服务记录" in text
    assert "表1" not in text  # no empty tables


def test_the_report_generates_with_only_the_cid_fallback(demo_db, tmp_path, cid_fonts):
    assert not cid_fonts.embedded
    path = write_quarterly_report(tmp_path / "cid.pdf", 2026, 3, fonts=cid_fonts, report_date=DEMO_TODAY)
    reader = PdfReader(str(path))
    assert len(reader.pages) >= 5
    assert "STSong-Light" in reader.metadata["/Keywords"]
    raw = path.read_bytes()
    assert b"FontFile2" not in raw  # nothing embedded
    first = reader.pages[0].extract_text()
    assert "2026" in first and "74" in first and "233" in first
    last = reader.pages[-1].extract_text()
    assert "0551-63517010" in last


def test_the_gui_generator_reports_progress_and_returns_the_path(demo_db, tmp_path):
    steps = quarterly_report_steps(tmp_path / "g.pdf", 2026, 3, report_date=DEMO_TODAY)
    seen = []
    while True:
        try:
            seen.append(next(steps))
        except StopIteration as stop:
            result = stop.value
            break
    assert result == tmp_path / "g.pdf" and result.stat().st_size > 10_000
    done = [d for d, _, _ in seen]
    assert done == sorted(done) and done[0] == 0 and done[-1] == seen[-1][1]
    assert all(isinstance(text, str) and text for _, _, text in seen)
    assert "页" in seen[-1][2]


def test_progress_callback_and_a_chinese_path(demo_db, tmp_path):
    folder = tmp_path / "季度报表"
    folder.mkdir()
    calls = []
    path = write_quarterly_report(folder / default_filename("望湖街道", 2026, 3), 2026, 3,
                                  progress=lambda *a: calls.append(a), report_date=DEMO_TODAY)
    assert path.name == "望湖街道2026年第三季度党建工作报表.pdf" and path.exists()
    assert calls[-1][0] == calls[-1][1]


def test_a_bad_quarter_is_refused_before_any_work(demo_db, tmp_path):
    with pytest.raises(UsageError, match="季度必须是 1 到 4"):
        write_quarterly_report(tmp_path / "x.pdf", 2026, 5)
    assert not (tmp_path / "x.pdf").exists()


def test_a_report_open_in_a_pdf_viewer(demo_db, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "q3.pdf"
    target.write_bytes(b"%PDF old")

    def locked(src, dst):
        raise PermissionError(13, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(UserError, match="文件正被其他程序打开，请关闭后重试"):
        write_quarterly_report(target, 2026, 3, report_date=DEMO_TODAY)
    assert target.read_bytes() == b"%PDF old"
    assert [p.name for p in folder.iterdir()] == ["q3.pdf"]  # no temporary file left


def test_the_report_never_queries_the_database_itself(demo_db, tmp_path, monkeypatch):
    from reports import quarterly_report
    from wanghu_desk.services.quarterly import quarter_figures

    figures = quarter_figures(2026, 3, today=DEMO_TODAY)
    from wanghu_desk import database

    database.close_database()  # layout from the dataclasses alone
    doc = quarterly_report.build_quarterly_document(figures, report_date=dt.date(2026, 10, 8))
    path = doc.build(tmp_path / "offline.pdf")
    assert len(PdfReader(str(path)).pages) == doc.pages >= 5
