"""志愿服务时长证明: a PDF certificate of one volunteer's service hours.

Page one is the certificate in the look of an official document (`reports.pdf`): the
title, the statement (name, gender, masked ID number, 志愿者编号, teams, the period, the
number of services and the hours, the cumulative hours and star level), 特此证明, and the
issuing organisation with the date. An attachment (附件) lists every record of the
period with a 合计 line. ID numbers are always masked (340104********1234): the
certificate is handed to the volunteer. No Qt here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reports.fonts import FontSet
from reports.pdf.document import OfficialDocument
from reports.pdf.formatting import count, date_cn
from wanghu_desk.services import volunteers
from wanghu_desk.services.volunteers import VolunteerCertificate, hours_text

__all__ = ["TITLE", "certificate_document", "suggested_file_name", "write_certificate"]

TITLE = "志愿服务时长证明"


def _period_text(data: VolunteerCertificate) -> str:
    start = data.start or data.first_served_on
    if start is None:
        return f"截至{date_cn(data.end)}"
    if start == data.end:
        return date_cn(start)
    return f"{date_cn(start)}至{date_cn(data.end)}"


def _statement(data: VolunteerCertificate) -> str:
    who = [f"性别{data.gender}"] if data.gender else []
    if data.masked_id:
        who.append(f"公民身份号码 {data.masked_id}")
    if data.registration_no:
        who.append(f"志愿者编号 {data.registration_no}")
    person = f"{data.name}同志" + (f"（{'，'.join(who)}）" if who else "")
    teams = f"，系{'、'.join(data.teams)}志愿者" if data.teams else "，系本辖区志愿者"
    period = _period_text(data)
    if data.records:
        service = (f"{period}，参加志愿服务活动 {count(len(data.records))} 次，"
                   f"累计服务时长 {hours_text(data.minutes)} 小时")
    else:
        service = f"{period}，没有志愿服务记录"
    return f"兹证明{person}{teams}。{service}。"


def _cumulative(data: VolunteerCertificate) -> str | None:
    if data.start is None and data.minutes == data.cumulative_minutes:
        text = f"该同志在本系统登记的志愿服务时长合计 {hours_text(data.cumulative_minutes)} 小时"
    else:
        text = f"截至{date_cn(data.end)}，该同志在本系统登记的志愿服务时长累计 {hours_text(data.cumulative_minutes)} 小时"
    level = volunteers.star_level(data.cumulative_minutes)
    if level:
        text += f"，达到{volunteers.star_label(level)}标准（累计 {volunteers.STAR_HOURS[level]} 小时以上）"
    return text + "。"


def certificate_document(data: VolunteerCertificate, *, today: dt.date | None = None,
                         fonts: FontSet | None = None) -> OfficialDocument:
    """The certificate as an `OfficialDocument` (not yet written)."""
    today = today or dt.date.today()
    doc = OfficialDocument(TITLE, fonts=fonts, author=data.issuer or None, subject=f"{TITLE}：{data.name}")
    doc.spacer(0.5)
    doc.paragraph(_statement(data))
    cumulative = _cumulative(data)
    if cumulative:
        doc.paragraph(cumulative)
    if data.records:
        doc.paragraph("服务记录明细见附件。")
    doc.paragraph("特此证明。")
    doc.signature_block([
        ("出具单位", f"{data.issuer}（盖章）" if data.issuer else "（盖章）"),
        ("经办人", ""),
        ("出具日期", date_cn(today)),
    ], columns=2)
    if data.records:
        doc.page_break()
        doc.heading("附件：志愿服务记录明细", numbered=False)
        rows = [
            [str(i), r.served_on.isoformat(), r.team or "—", r.project or "—", r.activity, hours_text(r.minutes)]
            for i, r in enumerate(data.records, 1)
        ]
        rows.append(["", "合计", "", "", f"{count(len(data.records))} 次", hours_text(data.minutes)])
        doc.table(
            ["序号", "服务日期", "服务队", "服务项目", "服务内容", "服务时长"], rows,
            col_widths=[0.8, 1.8, 2.9, 2.6, 2.9, 1.4], numeric_columns={5}, centered_columns={0, 1},
            emphasis_rows={len(rows) - 1},
            caption=f"{data.name}志愿服务记录（{_period_text(data)}，时长单位：小时）",
        )
    return doc


def suggested_file_name(data: VolunteerCertificate) -> str:
    return f"{data.name}{TITLE}-{data.end:%Y%m%d}.pdf"


def write_certificate(volunteer_id: int, path: Path | str, *, start: dt.date | None = None,
                      end: dt.date | None = None, today: dt.date | None = None,
                      fonts: FontSet | None = None) -> Path:
    """Write the certificate of one volunteer over [start, end] (None: all records up to
    today) to `path`, atomically; returns the path."""
    today = today or dt.date.today()
    data = volunteers.certificate_data(volunteer_id, start=start, end=end, today=today)
    return certificate_document(data, today=today, fonts=fonts).build(path)
