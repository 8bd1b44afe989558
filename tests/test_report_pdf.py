"""The PDF document layer (reports.pdf): page geometry, long tables split page by page
with the header repeated, headings never left at a page bottom, the signature never on a
page of its own, page numbers, charts, and writing files safely. PDFs are read back with
pypdf. Every layout check runs with the built-in STSong-Light CID font (as on CI) and with
an embedded TrueType font where this machine has one (`report_fonts`, tests/conftest.py);
ASCII markers in the content keep the checks independent of the font's text extraction."""

from __future__ import annotations

import os
import re

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from reports import fonts as font_resolver
from reports.pdf import styles
from reports.pdf.document import OfficialDocument, chinese_number, save_atomically
from reports.pdf.formatting import count, date_cn, money, permille
from wanghu_desk.errors import UserError


@pytest.fixture
def fonts(report_fonts):
    """STSong-Light, and an embedded TrueType font where this machine has one."""
    return report_fonts


def _pages(path) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in PdfReader(str(path)).pages]


def _doc(fonts, **kw) -> OfficialDocument:
    return OfficialDocument("测试报表 Test Report", unit="填报单位：测试街道", fonts=fonts, **kw)


def test_geometry_is_gb_t_9704():
    assert round(styles.PAGE_WIDTH / mm) == 210 and round(styles.PAGE_HEIGHT / mm) == 297
    assert round(styles.TOP_MARGIN / mm) == 37 and round(styles.LEFT_MARGIN / mm) == 28
    assert round(styles.TEXT_WIDTH / mm) == 156 and round(styles.TEXT_HEIGHT / mm) == 225
    assert round(styles.RIGHT_MARGIN / mm) == 26 and round(styles.BOTTOM_MARGIN / mm) == 35
    assert 28 < styles.BODY_LEADING < 29.5  # 22 lines to the text block


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (23, "二十三")])
def test_chinese_numbers(n, text):
    assert chinese_number(n) == text


def test_formatting():
    assert money(1_000_000) == "¥10,000.00" and money(5) == "¥0.05" and money(-150) == "-¥1.50"
    assert count(12345) == "12,345" and permille(346) == "34.6%" and permille(None) == "—"
    import datetime as dt

    assert date_cn(dt.date(2026, 9, 30)) == "2026年9月30日"


def test_a_long_table_repeats_its_header_on_every_page(fonts, tmp_path):
    doc = _doc(fonts)
    doc.heading("长表")
    rows = [[str(i), f"ROW{i:04d} 第{i}行", money(i * 12_345)] for i in range(1, 301)]
    doc.table(["序号 No", "名称 Name", "金额 Amount"], rows, col_widths=[1, 4, 2], numeric_columns={2},
              caption="表1 CAPTION", note="NOTE-UNDER-TABLE")
    path = doc.build(tmp_path / "long.pdf")
    pages = _pages(path)
    assert len(pages) == doc.pages >= 5
    for i, text in enumerate(pages):
        assert "NoNameAmount" in text.replace("序号", "").replace("名称", "").replace("金额", ""), i
        assert f"—{i + 1}—" in text  # the page number
    everything = "".join(pages)
    for i in range(1, 301):
        assert everything.count(f"ROW{i:04d}") == 1, i  # every row once, none lost at a split
    assert "NOTE-UNDER-TABLE" in pages[-1] and "ROW0300" in pages[-1]


def test_page_x_of_y(fonts, tmp_path):
    doc = _doc(fonts, page_numbers="x_of_y")
    doc.table(["A"], [[f"R{i}"] for i in range(120)])
    pages = _pages(doc.build(tmp_path / "xy.pdf"))
    n = len(pages)
    assert n >= 2
    for i, text in enumerate(pages, start=1):
        assert f"第{i}页共{n}页" in text


def test_a_heading_is_never_the_last_thing_on_a_page(fonts, tmp_path):
    filler = "这是一段用于填充版面的正文文字，" * 3
    for extra in range(0, 24, 2):  # move the heading down the page step by step
        doc = _doc(fonts)
        for k in range(extra):
            doc.paragraph(f"P{k}{filler[: 10 + k]}")
        doc.heading("HEADING")
        doc.paragraph("BODY-START" + filler * 2)
        pages = _pages(doc.build(tmp_path / f"h{extra}.pdf"))
        (where,) = [i for i, t in enumerate(pages) if "HEADING" in t]
        assert "BODY-START" in pages[where], extra


def test_a_short_table_is_kept_on_one_page_with_its_caption(fonts, tmp_path):
    for extra in range(8, 20, 2):
        doc = _doc(fonts)
        for k in range(extra):
            doc.paragraph(f"P{k}")
        doc.table(["A", "B"], [[f"T{i}", str(i)] for i in range(8)], caption="CAP-SHORT")
        pages = _pages(doc.build(tmp_path / f"s{extra}.pdf"))
        holding = [i for i, t in enumerate(pages) if "T0" in t or "T7" in t or "CAP-SHORT" in t]
        assert len(set(holding)) == 1, extra


def test_the_signature_never_stands_alone(fonts, tmp_path):
    for rows in range(20, 40, 3):
        doc = _doc(fonts)
        doc.table(["A"], [[f"ROW{i}"] for i in range(rows)])
        doc.signature_block([("填报单位", "UNIT"), ("负责人", "BOSS"), ("填报人", ""), ("日期", "2026年11月22日")])
        pages = _pages(doc.build(tmp_path / f"sig{rows}.pdf"))
        assert "UNIT" in pages[-1] and "BOSS" in pages[-1]
        assert "ROW" in pages[-1], rows  # some of the table went along with it


def test_an_empty_table_says_so(fonts, tmp_path):
    doc = _doc(fonts)
    doc.table(["A", "B"], [], empty_text="NOTHING-THIS-QUARTER")
    (page,) = _pages(doc.build(tmp_path / "empty.pdf"))
    assert "NOTHING-THIS-QUARTER" in page


def test_a_number_too_wide_for_its_column_is_set_smaller_not_wrapped(fonts, tmp_path):
    doc = _doc(fonts)
    doc.table(["Name", "Amount"], [["x", "¥123,456,789.00"]], col_widths=[10, 1], numeric_columns={1})
    (page,) = _pages(doc.build(tmp_path / "shrink.pdf"))
    assert "123,456,789.00" in page


def test_charts_carry_their_labels(fonts, tmp_path):
    doc = _doc(fonts)
    doc.chart_bar(["S5", "S4", "S0"], [7, 24, 8], title="BARS")
    doc.chart_pie(["FULL", "PROB"], [2700, 300], title="PIE")
    (page,) = _pages(doc.build(tmp_path / "charts.pdf"))
    for label in ("BARS", "S5", "24", "PIE", "FULL", "2,700", "90.0%", "10.0%"):
        assert label in page, label


def test_metadata_names_the_fonts(fonts, tmp_path):
    doc = _doc(fonts, subject="SUBJECT")
    meta = PdfReader(str(doc.build(tmp_path / "meta.pdf"))).metadata
    assert meta["/Title"] == "测试报表 Test Report" and meta["/Subject"] == "SUBJECT"
    assert fonts.note in meta["/Keywords"]


def test_save_atomically_when_the_file_is_open_elsewhere(tmp_path, monkeypatch):
    target = tmp_path / "报表.pdf"
    target.write_bytes(b"old")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(UserError, match="文件正被其他程序打开，请关闭后重试"):
        save_atomically(target, lambda tmp: tmp.write_bytes(b"new"))
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["报表.pdf"]  # no temporary file left


def test_save_atomically_never_leaves_half_a_file(tmp_path):
    target = tmp_path / "out.pdf"

    def broken(tmp):
        tmp.write_bytes(b"half")
        raise PermissionError(13, "Permission denied")

    with pytest.raises(UserError, match="无法在这个文件夹中保存文件"):
        save_atomically(target, broken)
    assert list(tmp_path.iterdir()) == []


def test_save_into_a_missing_folder(tmp_path):
    with pytest.raises(UserError, match="文件夹不存在"):
        save_atomically(tmp_path / "no" / "x.pdf", lambda tmp: tmp.write_bytes(b"x"))


def test_the_cid_fallback_builds_a_valid_pdf(tmp_path):
    cid = font_resolver.resolve_fonts([tmp_path / "no-fonts"])
    doc = _doc(cid)
    doc.heading("标题")
    doc.paragraph("正文 ABC 123")
    doc.table(["A"], [["R1"]])
    path = doc.build(tmp_path / "cid.pdf")
    reader = PdfReader(str(path))
    assert len(reader.pages) == 1
    assert "123" in reader.pages[0].extract_text()
    raw = path.read_bytes()
    assert b"STSong-Light" in raw and b"FontFile2" not in raw  # named, not embedded


def test_heading_short_table_and_signature_stay_together(fonts, tmp_path):
    for extra in range(6, 22, 2):
        doc = _doc(fonts)
        for k in range(extra):
            doc.paragraph(f"P{k}")
        doc.heading("LAST-HEADING")
        doc.table(["A", "B"], [[f"T{i}", str(i)] for i in range(5)], caption="CAP-LAST")
        doc.signature_block([("填报单位", "UNIT"), ("负责人", "BOSS")])
        pages = _pages(doc.build(tmp_path / f"t{extra}.pdf"))
        last = pages[-1]
        for marker in ("LAST-HEADING", "CAP-LAST", "T0", "T4", "UNIT", "BOSS"):
            assert marker in last, (extra, marker)
