"""在职党员到社区报到服务情况反馈单: a PDF letter from the residence community to the
member's work unit (or its party organisation) with what the member did this year.

Page one is the letter in the look of an official document (`reports.pdf`): addressed
to the unit's party organisation, the member's registration (date, community, estate,
skills, posts), this year's completed 三单制 orders, the minutes served and the residents'
evaluation, 特此反馈, and the issuing community with the date. An attachment lists every
completed order with a 合计 line. No Qt here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reports.fonts import FontSet
from reports.pdf.document import OfficialDocument
from reports.pdf.formatting import count, date_cn
from wanghu_desk.services import reporting
from wanghu_desk.services.reporting import LetterData

__all__ = ["TITLE", "default_filename", "letter_document", "write_letter"]

TITLE = "在职党员到社区报到服务情况反馈单"


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}" if not rest else f"{minutes / 60:.1f}"


def letter_document(data: LetterData, *, today: dt.date | None = None, fonts: FontSet | None = None) -> OfficialDocument:
    today = today or dt.date.today()
    doc = OfficialDocument(TITLE, fonts=fonts, author=data.issuer or None, subject=f"{TITLE}：{data.name}",
                           subtitle=f"（{data.year}年度）")
    addressee = data.unit_party_org or data.work_unit
    doc.paragraph(f"{addressee}：", indent=False)
    place = data.community + (f"{data.estate}" if data.estate else "")
    posts = f"，认领{data.posts}" if data.posts else ""
    skills = f"，特长为{data.skills}" if data.skills else ""
    doc.paragraph(f"贵单位{data.name}同志（组织关系在{data.branch}）于{date_cn(data.reported_on)}到居住地{place}"
                  f"报到{skills}{posts}。")
    if data.orders:
        n = len(data.orders)
        tenths = (data.satisfied * 2000 + n) // (2 * n)
        rate = f"{tenths // 10}.{tenths % 10}%"
        doc.paragraph(f"{data.year}年，该同志按照“居民点单、支部下单、党员接单”的三单制服务机制，接单并完成服务 "
                      f"{count(len(data.orders))} 次，累计服务时长 {_hours(data.minutes)} 小时，居民评价满意"
                      f"（含基本满意）{count(data.satisfied)} 次，满意率 {rate}。服务明细见附件。")
    else:
        doc.paragraph(f"{data.year}年截至{date_cn(today)}，该同志尚无完成的三单制服务记录。")
    doc.paragraph("感谢贵单位对社区工作的支持。特此反馈。")
    doc.signature_block([
        ("反馈单位", f"{data.issuer}（盖章）" if data.issuer else "（盖章）"),
        ("经办人", ""),
        ("反馈日期", date_cn(today)),
    ], columns=2)
    if data.orders:
        doc.page_break()
        doc.heading("附件：三单制服务明细", numbered=False)
        rows = [[str(i), r.done_on.isoformat() if r.done_on else "", r.number, r.category or "—", r.content,
                 _hours(r.minutes or 0), r.evaluation_label or "—"] for i, r in enumerate(data.orders, 1)]
        rows.append(["", "合计", "", "", f"{count(len(data.orders))} 次", _hours(data.minutes), ""])
        doc.table(["序号", "完成日期", "编号", "类别", "服务内容", "时长", "评价"], rows,
                  col_widths=[0.8, 1.9, 2.5, 1.6, 4.2, 1.0, 1.3], numeric_columns={5}, centered_columns={0, 1, 6},
                  emphasis_rows={len(rows) - 1}, caption=f"{data.name}{data.year}年三单制服务明细（时长单位：小时）")
    return doc


def default_filename(name: str, year: int) -> str:
    return f"{name}{year}年报到服务反馈单.pdf"


def write_letter(path: Path | str, member_id: int, year: int, *, today: dt.date | None = None,
                 fonts: FontSet | None = None) -> Path:
    """Write the 反馈单 of one member for `year` to `path`, atomically; returns the path."""
    today = today or dt.date.today()
    data = reporting.letter_data(member_id, year)
    return letter_document(data, today=today, fonts=fonts).build(path)
