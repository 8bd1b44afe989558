"""The rating's files: the Excel export (re-opened with python-calamine and openpyxl) and
the 公示 PDF, its Chinese text read back with pypdf both in the built-in STSong-Light CID
font (what a machine without a Chinese font, CI among them, gets) and in an embedded
TrueType font where this machine has one (`report_fonts`, tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from models import Organization
from reports import rating_export, rating_pdf
from reports.fonts import resolve_fonts
from wanghu_desk.errors import NotFoundError, UsageError
from wanghu_desk.services import rating


def test_the_demo_sheet_has_66_at_one_star_or_more_and_7_five_star(demo_db, tmp_path):
    out = tmp_path / "评定结果.xlsx"
    steps = []
    assert rating_export.write_rating_workbook(out, 2025, progress=lambda *a: steps.append(a)) == out
    assert steps[0] == (0, 0, "正在计算评定结果…") and steps[-1] == (74, 74, "正在保存文件…")

    # python-calamine
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["评定结果", "分项得分", "评定标准", "星级分布"]
    rows = book.get_sheet_by_name("评定结果").to_python()
    assert rows[0][0] == "望湖街道2025年度星级党支部评定结果"
    assert rows[1][0].startswith("74 个支部中一星以上 66 个，五星 7 个　状态：已定级　公示：2026-03-14 至 2026-03-19")
    header = rows[2]
    assert header == ["序号", "党支部", "所属社区", "类别", "自评得分", "社区初评得分", "街道审定得分", "合计",
                      "得分来源", "星级", "评定结果", "自评星级", "一票否决原因", "备注"]
    data = rows[3:]
    assert len(data) == 74
    stars = [int(r[header.index("星级")]) for r in data]
    assert sum(s >= 1 for s in stars) == 66 and stars.count(5) == 7
    vetoed = [r for r in data if r[header.index("评定结果")] == "一票否决"]
    assert len(vetoed) == 2 and {r[header.index("一票否决原因")] for r in vetoed} == {"三年未发展党员", "严重违法违纪"}

    # openpyxl: numbers are numbers, the page is set up for printing
    wb = openpyxl.load_workbook(out)
    ws = wb["评定结果"]
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape"
    first = [c.value for c in ws[4]]
    result = rating.year_result(2025).results[0]
    assert first[1] == result.name == "望湖城北苑小区党支部"
    assert Decimal(str(first[7])) == Decimal(result.total_cp) / 100
    assert first[9] == result.stars
    assert first[4] == pytest.approx(result.stage_totals["self"] / 100)
    dist = [[c.value for c in row] for row in wb["星级分布"].iter_rows(min_row=3)]
    assert dist[0] == ["星级", "支部数", "占比"]
    assert dist[1] == ["五星", 7, "9.5%"] and dist[-1] == ["合计", 74, "100.0%"]
    scheme_rows = [[c.value for c in row] for row in wb["评定标准"].iter_rows(min_row=4)]
    assert scheme_rows[0][:4] == ["1.1", "计分项", "组织建设", "支部班子健全，书记、委员分工明确"]
    items = [[c.value for c in row] for row in wb["分项得分"].iter_rows(min_row=3, max_row=4)]
    assert items[0][2] == "1.1（6分）" and items[0][-3] == "减3（扣5分）"
    assert sum(v for v in items[1][2:-2] if isinstance(v, (int, float))) == pytest.approx(result.total_cp / 100)


def test_an_open_year_exports_live_results_and_notes(fresh_db, tmp_path):
    from models import Branch

    ids = [Branch.create(name=f"测试{i}小区党支部", category="estate", sort_order=i).id for i in range(10)]
    rating.create_round(2026, source="default")
    scheme = rating.scheme_for_year(2026)
    first = scheme.score_items[0]
    rating.set_score(2026, ids[0], first.id, "self", 500)
    rating.set_self_stars(2026, ids[0], 3)
    rating.set_score(2026, ids[1], scheme.deductions[0].id, "street", 200)
    out = rating_export.write_rating_workbook(tmp_path / "open.xlsx", 2026)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("评定结果").to_python()
    header, data = rows[2], rows[3:]
    assert data[0][header.index("自评得分")] == 5
    assert data[0][header.index("得分来源")] == "自评"
    assert data[0][header.index("备注")] == "自评三星，评定未定星"
    assert data[2][header.index("评定结果")] == "未评分"
    assert "状态：评定中" in rows[1][0]
    items = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("分项得分").to_python()
    assert items[3][2] == 5 and -2 in items[4]


def test_export_refuses_a_wrong_suffix_and_an_unknown_year(demo_db, tmp_path):
    with pytest.raises(UsageError, match=".xlsx"):
        rating_export.write_rating_workbook(tmp_path / "a.xls", 2025)
    with pytest.raises(NotFoundError, match="2030"):
        rating_export.write_rating_workbook(tmp_path / "a.xlsx", 2030)
    with pytest.raises(UsageError, match=".pdf"):
        rating_pdf.write_rating_pdf(tmp_path / "a.docx", 2025)


def _text(path) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_the_publicity_pdf_renders_chinese_text(demo_db, tmp_path, report_fonts):
    out = rating_pdf.write_rating_pdf(tmp_path / "公示.pdf", 2025, fonts=report_fonts)
    data = out.read_bytes()
    assert data[:5] == b"%PDF-" and b"%%EOF" in data[-1024:]
    reader = PdfReader(str(out))
    assert len(reader.pages) >= 2
    assert reader.metadata.title == "望湖街道2025年度星级党支部评定结果公示"
    assert report_fonts.note in reader.metadata["/Keywords"]
    text = _text(out).replace(" ", "").replace("\n", "")
    assert "评定结果公示" in text
    assert "一星以上66个" in text and "五星7个" in text
    assert "公示时间为2026年3月14日至2026年3月19日" in text
    assert "五星党支部（7个）" in text
    top = max(rating.year_result(2025).results, key=lambda r: r.total_cp or 0)
    assert top.name in text
    assert "中共合肥市包河区望湖街道工作委员会" in text
    assert "另有8个党支部未达到一星标准或被一票否决" in text
    vetoed = [r.name for r in rating.year_result(2025).results if r.vetoed]
    assert not any(name in text for name in vetoed)  # the notice names those rated, not the vetoed


def test_the_pdf_with_the_builtin_cid_font_when_no_font_is_installed(demo_db, tmp_path):
    fonts = resolve_fonts([tmp_path / "no-fonts"])
    assert not fonts.embedded
    out = rating_pdf.write_rating_pdf(tmp_path / "cid.pdf", 2025, fonts=fonts)
    assert out.read_bytes()[:5] == b"%PDF-"
    assert len(PdfReader(str(out)).pages) >= 2


def test_the_document_of_an_open_year_says_it_is_not_publicized(fresh_db):
    from models import Branch

    Branch.create(name="测试小区党支部", category="estate")
    rating.create_round(2026, source="default")
    doc = rating_pdf.build_rating_document(rating.year_result(2026), area="测试街道", today=dt.date(2027, 3, 1))
    assert doc.title == "测试街道2026年度星级党支部评定结果公示"
    pdf = doc.to_bytes()
    assert pdf[:5] == b"%PDF-"
    assert Organization.select().count() == 0  # no committee: the notice signs with the area's name
