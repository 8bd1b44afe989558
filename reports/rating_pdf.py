"""星级评定结果公示: the public notice of a year's star rating, as a PDF in the look of
Chinese official documents (SPEC §4, §8), on `reports.pdf.document.OfficialDocument`:

    标题          望湖街道2025年度星级党支部评定结果公示
    正文          依据的标准、评定程序（只写本年度实际进行的阶段）、结果概况，
                  公示时间与反映意见的方式
    一、评定结果概况   distribution table and bar chart
    二、星级党支部名单  one table per star level (党支部, 所属社区, 得分), then the
                      recorded tie decisions at a cap boundary (同分裁定), if any
    落款          the working committee's name and the date, right-aligned

Vetoed branches and branches below one star are counted, not listed (a notice names
those rated). Entry points: `write_rating_pdf(out, year) -> Path` (CLI, GUI worker) and
`build_rating_document(result, …) -> OfficialDocument` (layout only, tests).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from models import Organization
from reports.fonts import FontSet, resolve_fonts
from reports.pdf.document import OfficialDocument, escape
from reports.pdf.formatting import count, date_cn
from reports.pdf.styles import BODY_LEADING
from wanghu_desk.errors import UsageError
from wanghu_desk.rating_rules import STAR_NAMES, format_points
from wanghu_desk.services import rating, stats

__all__ = ["build_rating_document", "default_filename", "notice_title", "write_rating_pdf"]


#: How the notice names each stage that took place (rating_rules.STAGES).
STAGE_STEPS = {"self": "党支部自评", "community": "社区党组织初评", "street": "街道党工委审定"}


def notice_title(area: str, year: int) -> str:
    """Two lines, split where a reader pauses."""
    return f"{area}{year}年度星级党支部\n评定结果公示"


def default_filename(area: str, year: int) -> str:
    return f"{area}{year}年度星级党支部评定结果公示.pdf"


def _committee() -> tuple[str | None, str | None]:
    top = Organization.get_or_none(Organization.kind == "working_committee")
    if top is None:
        return None, None
    return top.name, top.phone


def _closing(doc: OfficialDocument, issuer: str, date_text: str) -> None:
    """The 落款 (GB/T 9704 §7.3.5): the date right-aligned four characters in from the
    right edge, the issuing body centred over it; kept together, below the text."""
    body = doc.styles.body_flush
    size = body.fontSize
    date_indent = 4 * size
    date_w = stringWidth(date_text, body.fontName, size)
    issuer_w = stringWidth(issuer, body.fontName, size)
    issuer_indent = max(0.0, date_indent + (date_w - issuer_w) / 2)
    date_style = ParagraphStyle("closing_date", parent=body, alignment=TA_RIGHT, rightIndent=date_indent)
    issuer_style = ParagraphStyle("closing_issuer", parent=body, alignment=TA_RIGHT, rightIndent=issuer_indent)
    doc.story.append(KeepTogether([Spacer(1, BODY_LEADING * 1.5), Paragraph(escape(issuer), issuer_style),
                                   Paragraph(escape(date_text), date_style)]))


def _points_column(values: list[int | None]) -> list[str]:
    """Scores of one table column with the same number of decimals (97.5 / 95.0)."""
    places = 2 if any(v is not None and v % 10 for v in values) else 1
    out = []
    for v in values:
        if v is None:
            out.append("—")
        else:
            whole, frac = divmod(v, 100)
            out.append(f"{whole}.{frac:02d}" if places == 2 else f"{whole}.{frac // 10}")
    return out


def build_rating_document(
    result: rating.YearResult,
    *,
    area: str,
    committee: str | None = None,
    phone: str | None = None,
    today: dt.date | None = None,
    fonts: FontSet | None = None,
) -> OfficialDocument:
    rnd, scheme, dist = result.round, result.scheme, result.distribution
    year = rnd.year
    committee_name = committee or f"{area}党工委"
    subtitle = None if rnd.status != "open" else "（评定中，尚未公示）"
    doc = OfficialDocument(notice_title(area, year), subtitle=subtitle, fonts=fonts,
                           author=committee_name, subject=f"{year}年度星级党支部评定结果公示")

    by = dist.by_stars
    parts = "、".join(f"{STAR_NAMES[s]}{count(by.get(s, 0))}个" for s in range(5, 0, -1) if by.get(s, 0))
    # Only the stages that took place this year (a year scored by the street alone does
    # not claim a 自评 or 社区初评), from the rating service.
    held = [STAGE_STEPS[stage] for stage in rating.stages_held(result)]
    procedure = f"经{'、'.join(held)}，" if held else ""
    doc.paragraph(
        f"根据《{scheme.name}》，{procedure}{area}{year}年度共有"
        f"{count(dist.rated)}个党支部参加星级评定，其中一星以上{count(dist.at_least_one_star)}个"
        + (f"（{parts}）" if parts else "") + "。现将评定结果予以公示。"
    )
    if rnd.publicity_start and rnd.publicity_end:
        when = f"公示时间为{date_cn(rnd.publicity_start)}至{date_cn(rnd.publicity_end)}。"
    else:
        when = "公示时间另行通知。"
    contact = f"联系电话：{phone}。" if phone else ""
    doc.paragraph(f"{when}公示期间，如对评定结果有异议，可通过来信、来电或来访等方式向{committee_name}反映。"
                  f"反映问题应实事求是，并提供具体线索。{contact}")

    doc.heading("评定结果概况")
    rows = [(STAR_NAMES[s], count(by.get(s, 0)), _share(by.get(s, 0), dist.rated)) for s in range(5, -1, -1)]
    rows.append(("合计", count(dist.rated), "100.0%" if dist.rated else "—"))
    thresholds = "，".join(f"{STAR_NAMES[s]}{format_points(scheme.thresholds[s])}分以上"
                          for s in sorted(scheme.thresholds, reverse=True))
    cap = "；".join(f"{STAR_NAMES[s]}党支部不超过{p}%" for s, p in sorted(scheme.caps.items(), reverse=True))
    doc.table(["星级", "党支部数（个）", "占比"], rows, col_widths=[2, 2, 2], numeric_columns={1, 2},
              centered_columns={0}, emphasis_rows={len(rows) - 1}, caption=f"表1  {year}年度星级党支部分布",
              note=f"评定标准：{thresholds}" + (f"；{cap}" if cap else "") + "。“未定星”含一票否决"
                   f"{count(dist.vetoed)}个。")
    doc.chart_bar([STAR_NAMES[s] for s in range(5, -1, -1)], [by.get(s, 0) for s in range(5, -1, -1)],
                  title=f"{year}年度星级党支部分布（个）", height_mm=62)

    doc.heading("星级党支部名单")
    listed = 0
    for star in range(5, 0, -1):
        members = [r for r in result.results if r.stars == star]
        if not members:
            continue
        members.sort(key=lambda r: (-(r.total_cp or 0), r.row.name))
        doc.heading(f"{STAR_NAMES[star]}党支部（{count(len(members))}个）", level=2)
        scores = _points_column([r.total_cp for r in members])
        doc.table(["序号", "党支部名称", "所属社区", "得分"],
                  [(i, r.name, r.row.community or "—", score) for i, (r, score) in enumerate(zip(members, scores), 1)],
                  col_widths=[0.8, 5.2, 2, 1.2], numeric_columns={0, 3})
        listed += len(members)
    decisions = rating.tie_decisions(result)
    if decisions:
        doc.heading("同分裁定", level=2)
        for decision in decisions:
            doc.paragraph(decision.text)
    for tie in result.pending_ties:
        doc.note(f"注：{tie.message.rstrip('。')}（{'、'.join(tie.names)}），名单暂按同分列入，以裁定结果为准。")
    unstarred = dist.rated - listed
    if not listed:
        doc.paragraph("本年度没有评为一星以上的党支部。")
    if unstarred:
        doc.paragraph(f"另有{count(unstarred)}个党支部未达到一星标准或被一票否决，不评定星级。")

    day = rnd.publicity_start or today or dt.date.today()
    _closing(doc, committee_name, date_cn(day))
    return doc


def _share(n: int, total: int) -> str:
    if not total:
        return "—"
    tenths = (n * 1000 + total // 2) // total
    return f"{tenths // 10}.{tenths % 10}%"


def write_rating_pdf(out: Path | str, year: int, *, fonts: FontSet | None = None) -> Path:
    """Write the 公示 of `year` to `out` (.pdf); returns the path. A file held open by a
    PDF viewer gives a `UserError` that says to close it."""
    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"报表文件应以 .pdf 结尾：{out.name}")
    result = rating.year_result(year)
    committee, phone = _committee()
    doc = build_rating_document(result, area=stats.organization_name(), committee=committee, phone=phone,
                                fonts=fonts or resolve_fonts())
    return doc.build(out)
