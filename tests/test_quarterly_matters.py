"""The quarterly report's 居民事项 section (issue 13): every figure in the PDF, read back with
pypdf, equals the one service the 居民事项 tab and the dashboard use
(`services.matters.figures`) — received, settled, 按时办结率, 满意率, the share settled at
each level, overdue open matters, the table by kind and the 微心愿 claimed / fulfilled —
on the 望湖街道 demo, with STSong-Light (no installed font needed) and with an embedded
TrueType font where this machine has one (`report_fonts`); and the layout takes the
figures as given (hand-made figures come out unchanged), never recounting them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from conftest import DEMO_TODAY
from pypdf import PdfReader

from reports import quarterly_report
from reports.pdf.formatting import count
from wanghu_desk.services import matters, quarterly
from wanghu_desk.services.matters import Tally, vocab


def _text(path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages))


def _section(text: str) -> str:
    """From the 居民事项 heading to the next section (星级评定)."""
    start = text.index("、居民事项")
    return text[start:text.index("、星级评定", start)]


def _level_cell(t: Tally, level: str) -> str:
    return f"{count(t.settled_at[level])}（{t.level_share(level)}）" if t.settled else "—"


def _check_section(section: str, m: matters.MatterFigures, as_of: str) -> None:
    t = m.total
    assert (f"共受理居民事项{count(t.received)}件，办结{count(t.settled)}件，其中按期办结{count(t.on_time)}件，"
            f"按时办结率{t.on_time_rate}；") in section
    assert (f"已评价{count(t.evaluated)}件，其中满意和基本满意{count(t.satisfied)}件，"
            f"满意率{t.satisfaction_rate}。") in section
    levels = "、".join(f"{label}{count(t.settled_at[code])}件（{t.level_share(code)}）"
                       for code, label in vocab.LEVELS.items())
    assert f"按办结层级：{levels}。" in section
    if t.overdue_open:
        assert f"截至{as_of}，超期未办结{count(t.overdue_open)}件" in section
    else:
        assert f"截至{as_of}，无超期未办结事项" in section
    for code, n in m.escalated_to.items():
        if n:
            assert f"{vocab.LEVELS[code]}{count(n)}件" in section.split("本季度上报")[1]
    # 表: by kind, then the 合计 row
    assert "事项类别受理办结按期办结按时办结率已评价满意率超期未办结" in section
    for k in [*m.by_kind.values(), t]:
        row = (f"{k.label}{count(k.received)}{count(k.settled)}{count(k.on_time)}{k.on_time_rate}"
               f"{count(k.evaluated)}{k.satisfaction_rate}{count(k.overdue_open)}")
        assert row in section, row
    # 表: where they were settled, by kind
    for k in [*m.by_kind.values(), t]:
        row = k.label + count(k.settled) + "".join(_level_cell(k, code) for code in vocab.LEVEL_ORDER)
        assert row in section, row
    # 微心愿: collected, claimed, fulfilled
    wish = m.by_kind["wish"]
    assert (f"微心愿本季度收集{count(wish.received)}个，其中已认领{count(m.wishes_claimed)}个；"
            f"本季度完成{count(wish.settled)}个。") in section
    assert f"本季度{count(wish.received)}{count(m.wishes_claimed)}{count(wish.settled)}" in section


def test_the_quarter_matters_section_equals_the_service(demo_db, tmp_path, report_fonts):
    path = quarterly_report.write_quarterly_report(tmp_path / "q3.pdf", 2026, 3, fonts=report_fonts,
                                                   report_date=DEMO_TODAY)
    text = _text(path)
    m = matters.quarter_figures(2026, 3, today=DEMO_TODAY)  # what the tab and the dashboard call
    assert m.as_dict() == quarterly.matter_figures(quarterly.Quarter(2026, 3), dt.date(2026, 9, 30)).as_dict()
    t = m.total
    assert t.received > 200 and t.settled > 100 and t.evaluated > 100  # the demo's year of matters
    assert m.by_kind["wish"].received and m.wishes_claimed
    _check_section(_section(text), m, "2026年9月30日")
    assert (f"本季度受理居民事项{count(t.received)}件，办结{count(t.settled)}件，按时办结率{t.on_time_rate}，"
            f"满意率{t.satisfaction_rate}。") in text.split("、组织建设")[0]  # 总体情况


def test_the_running_quarter_counts_overdue_matters_as_of_today(demo_db, tmp_path, no_font_dir, monkeypatch):
    from reports import fonts as font_resolver

    monkeypatch.setenv(font_resolver.FONT_DIRS_ENV, str(no_font_dir))  # the CID fallback alone
    path = quarterly_report.write_quarterly_report(tmp_path / "q4.pdf", 2026, 4, report_date=DEMO_TODAY)
    m = matters.figures(dt.date(2026, 10, 1), dt.date(2026, 12, 31), today=DEMO_TODAY)
    assert m.total.overdue_open == matters.overdue_reminder(today=DEMO_TODAY).count > 0  # the dashboard's count
    _check_section(_section(_text(path)), m, "2026年11月22日")


def test_a_quarter_without_matters_says_so_without_tables(demo_db, tmp_path):
    figures = quarterly.quarter_figures(2020, 1, today=DEMO_TODAY)
    assert not quarterly.matters_reported(figures.matters)
    doc = quarterly_report.build_quarterly_document(figures, report_date=DEMO_TODAY)
    section = _section(_text(doc.build(tmp_path / "q.pdf")))
    assert "本季度（2020年1月1日—3月31日）无社情民意、议事协商、矛盾调解、扫码报事和微心愿记录" in section
    assert "表" not in section


def test_the_layout_prints_the_service_figures_as_given(demo_db, tmp_path):
    """Hand-made figures (no database behind them) come out unchanged: the report divides
    and counts nothing itself."""
    start, end = dt.date(2026, 7, 1), dt.date(2026, 9, 30)

    def tally(label, **kw):
        return Tally(label, **kw)

    by_kind = {code: tally(label) for code, label in vocab.KINDS.items()}
    by_kind["qr_report"] = tally("扫码报事", received=7, settled=3, on_time=2, evaluated=3, satisfied=1,
                                 overdue_open=5, settled_at={"estate": 1, "community": 1, "street": 1})
    by_kind["wish"] = tally("微心愿", received=4, settled=2, on_time=2,
                            settled_at={"estate": 2, "community": 0, "street": 0})
    total = tally("合计", received=11, settled=5, on_time=4, evaluated=3, satisfied=1, overdue_open=5,
                  settled_at={"estate": 3, "community": 1, "street": 1})
    made = matters.MatterFigures(start=start, end=end, as_of=end, total=total,
                                 escalated_to={"community": 2, "street": 1}, by_kind=by_kind, by_category={},
                                 by_estate={}, by_quarter={}, wishes_claimed=3)
    figures = dataclasses.replace(quarterly.quarter_figures(2026, 3, today=DEMO_TODAY), matters=made)
    from wanghu_desk import database

    database.close_database()  # layout from the dataclasses alone
    doc = quarterly_report.build_quarterly_document(figures, report_date=DEMO_TODAY)
    section = _section(_text(doc.build(tmp_path / "made.pdf")))
    _check_section(section, made, "2026年9月30日")
    assert "按时办结率80.0%" in section and "满意率33.3%" in section and "超期未办结5件" in section
    assert "扫码报事73266.7%333.3%5" in section
    assert "扫码报事31（33.3%）1（33.3%）1（33.3%）" in section
    assert "本季度上报社区2件、街道1件" in section
