"""The figures of a 志愿服务时长证明 for one volunteer (the PDF is `reports.volunteer_certificate`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models import TeamMembership, VolunteerTeam
from wanghu_desk import validation
from wanghu_desk.errors import ValidationError
from wanghu_desk.services.volunteers._common import _today
from wanghu_desk.services.volunteers.hours import minutes_between, star_level
from wanghu_desk.services.volunteers.people import _get_volunteer
from wanghu_desk.services.volunteers.records import RecordFilter, list_records


@dataclass(frozen=True)
class CertificateRecord:
    served_on: dt.date
    team: str
    project: str
    activity: str
    minutes: int


@dataclass(frozen=True)
class VolunteerCertificate:
    """What a 志愿服务时长证明 states about one volunteer (ID always masked)."""

    volunteer_id: int
    name: str
    gender: str
    masked_id: str
    registration_no: str
    teams: list[str]
    start: dt.date | None  # the period asked for (None: from the first record)
    end: dt.date  # the period's end (today at most)
    first_served_on: dt.date | None
    last_served_on: dt.date | None
    records: list[CertificateRecord]
    minutes: int  # in the period
    cumulative_minutes: int  # ever
    issuer: str

    @property
    def star(self) -> int:
        return star_level(self.cumulative_minutes)


def certificate_data(volunteer_id: int, *, start: dt.date | None = None, end: dt.date | None = None,
                     today: dt.date | None = None) -> VolunteerCertificate:
    """The figures of a 志愿服务时长证明 for one volunteer over [start, end]."""
    from wanghu_desk.services import quarterly  # the issuing unit's name lives there

    today = _today(today)
    end = min(end or today, today)
    if start is not None and start > end:
        raise ValidationError(f"开始日期 {start.isoformat()} 晚于结束日期 {end.isoformat()}，请核对。")
    v = _get_volunteer(volunteer_id)
    rows = list_records(RecordFilter(volunteer_id=volunteer_id, start=start, end=end))
    rows.sort(key=lambda r: (r.served_on, r.id))
    records = [CertificateRecord(r.served_on, r.team, r.project, r.activity, r.minutes) for r in rows]
    teams = [t for (t,) in VolunteerTeam.select(VolunteerTeam.name).join(TeamMembership)
             .where(TeamMembership.volunteer == volunteer_id).distinct().order_by(VolunteerTeam.name).tuples()]
    unit = quarterly.unit_info()
    issuer = unit.full_name or unit.area_name or ""
    return VolunteerCertificate(
        volunteer_id=v.id, name=v.name, gender=v.gender or "", masked_id=validation.mask_id_number(v.id_number),
        registration_no=v.registration_no or "", teams=teams, start=start, end=end,
        first_served_on=records[0].served_on if records else None,
        last_served_on=records[-1].served_on if records else None, records=records,
        minutes=sum(r.minutes for r in records), cumulative_minutes=minutes_between(volunteer_id=volunteer_id),
        issuer=issuer,
    )
