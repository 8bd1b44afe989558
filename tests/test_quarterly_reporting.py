"""The quarterly report's 在职党员双报到 section: every figure in the PDF, read back with pypdf,
equals `services.reporting.figures` (the source of the tab and of `stats --json`), on the
望湖街道 demo; a quarter without any says so without a table; `stats --json` carries the
same figures for the year and `collect_quarter` for the quarter."""

from __future__ import annotations

import datetime as dt
import re

from conftest import DEMO_TODAY
from pypdf import PdfReader

from reports import quarterly_report
from reports.pdf.formatting import count
from wanghu_desk.services import quarterly, reporting, stats


def _text(path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages))


def _section(text: str) -> str:
    start = text.index("、在职党员双报到")
    return text[start:text.index("、星级评定", start)]


def test_the_quarter_reporting_section_equals_the_service(demo_db, tmp_path, report_fonts):
    path = quarterly_report.write_quarterly_report(tmp_path / "q3.pdf", 2026, 3, fonts=report_fonts,
                                                   report_date=DEMO_TODAY)
    r = reporting.quarter_figures(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert r.reporting_members > 0 and r.orders_done > 0 and r.services >= r.orders_done  # the demo's orders
    section = _section(_text(path))
    assert (f"到居住地社区报到的在职党员{count(r.reporting_members)}名（本季度新报到{count(r.newly_reported)}名）"
            in section)
    assert (f"居民点单{count(r.orders_placed)}件，完成{count(r.orders_done)}件，党员服务{count(r.services)}人次"
            f"（{count(r.members_served)}名党员），服务时长{r.hours_text}") in section
    if r.evaluated:
        assert f"满意率{r.satisfaction_rate}" in section
    row = (f"{count(r.reporting_members)}{count(r.newly_reported)}{count(r.orders_placed)}{count(r.orders_done)}"
           f"{count(r.orders_cancelled)}{count(r.services)}{r.hours_text}{r.satisfaction_rate}{count(r.open_orders)}")
    assert row in section
    # the chapters keep their order: 居民事项, then 双报到, then 星级评定
    text = _text(path)
    assert text.index("、居民事项") < text.index("、在职党员双报到") < text.index("、星级评定")


def test_a_quarter_without_reporting_says_so_without_a_table(demo_db, tmp_path):
    figures = quarterly.quarter_figures(2020, 1, today=DEMO_TODAY)
    assert not quarterly.reporting_reported(figures.reporting)
    doc = quarterly_report.build_quarterly_document(figures, report_date=DEMO_TODAY)
    section = _section(_text(doc.build(tmp_path / "q.pdf")))
    assert "尚无在职党员到居住地社区报到的记录，本季度无三单制服务" in section and "表" not in section


def test_stats_and_the_quarter_json_carry_the_same_reporting_figures(demo_db):
    year = stats.collect(DEMO_TODAY)["reporting"]
    assert year == reporting.stats_summary(DEMO_TODAY)
    assert year["year"] == 2026 and year["reporting_members"] > 0 and year["orders_done"] > 0
    q = stats.collect_quarter(2026, 3, today=DEMO_TODAY)["reporting"]
    assert q == reporting.quarter_figures(dt.date(2026, 7, 1), dt.date(2026, 9, 30)).as_dict()
