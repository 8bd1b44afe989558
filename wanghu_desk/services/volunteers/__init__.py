"""志愿服务 (SPEC §6): volunteer teams and their members, volunteers, service projects,
service records, and the totals of service hours.

Rules kept here (the dialogs, the tab and the reports only call these functions):

- **Teams** (志愿服务队, 小区治理团队, 党员先锋队 …) have a kind, an owning branch *or*
  community, a leader, a founding date and an active flag. A team with service records
  is never deleted, only stopped (停用). Membership has join and leave dates; a
  volunteer is in a team at most once at a time.
- **Volunteers** have a name and an ID number (validated, GB 11643) or a phone, at least
  one of the two so that people of the same name can be told apart. Gender and birth
  date come from the ID. A volunteer whose ID number is a member's is linked to that
  `Member` (the same person: a member is one volunteer, never two). A volunteer with
  service records is never deleted.
- **Service records**: date (not in the future), volunteer, optional team and project,
  activity, and hours in steps of 0.5 h (stored as whole minutes, a multiple of 30),
  more than 0; one person's records of one day add up to at most 24 h — a record that
  would go beyond is refused. `bulk_record` writes one activity for many volunteers in
  one transaction: all of them or none.
- **Star volunteers** by cumulative hours (`vocab.VOLUNTEER_STAR_LEVELS`: 100 / 300 /
  600 / 1000 / 1500 h): 99.5 h is no star, 100 h is one star. Compared in whole minutes,
  never in floats.

Every write runs in `services.base.writing()` and leaves audit events. Reads return
dataclasses; ID numbers are masked unless the acting account may see them.

The package is split by concern; this module re-exports every name, so
``from wanghu_desk.services import volunteers`` and ``volunteers.create_team(...)`` work as
before:

- `_common` — the form check (`FormCheck`), field parsers, text limits, the audit diff;
- `hours` — hours in 0.5 h steps, the 24 h limit, star levels, periods, `minutes_between`;
- `choices` — the owning branch or community, the team / project choices of the forms;
- `teams` — teams and their members (join, leave);
- `people` — volunteers: the roster, search, the form, links to members;
- `projects` — service projects;
- `records` — service records, bulk entry, the day limit;
- `totals` — minutes per team and quarter, the tab's overview;
- `certificate` — the figures of a 志愿服务时长证明.
"""

from __future__ import annotations

from wanghu_desk.services.volunteers._common import (  # noqa: F401 - re-exported
    _ACTIVITY_LIMIT,
    _NAME_LIMIT,
    _NOTE_LIMIT,
    _NUMBER_LIMIT,
    _SKILLS_LIMIT,
    FormCheck,
    _as_date,
    _changes,
    _date_field,
    _int_or_none,
    _name_key,
    _refuse,
    _see_ids,
    _shown_id,
    _text,
    _today,
    _tokens,
    age_on,
)
from wanghu_desk.services.volunteers.certificate import (  # noqa: F401 - re-exported
    CertificateRecord,
    VolunteerCertificate,
    certificate_data,
)
from wanghu_desk.services.volunteers.choices import (  # noqa: F401 - re-exported
    Choice,
    OwnerChoice,
    _owner,
    _owner_names,
    owner_choices,
    project_choices,
    team_choices,
)
from wanghu_desk.services.volunteers.hours import (  # noqa: F401 - re-exported
    DAY_LIMIT_MINUTES,
    HOUR_STEP_MINUTES,
    STAR_HOURS,
    STAR_NAMES,
    Period,
    _minutes_checked,
    _period_where,
    hours_text,
    hours_value,
    minutes_between,
    next_star,
    parse_hours,
    quarter_of,
    quarter_span,
    star_label,
    star_level,
    this_quarter,
    this_year,
)
from wanghu_desk.services.volunteers.people import (  # noqa: F401 - re-exported
    _VOLUNTEER_SQL,
    VOLUNTEER_LABELS,
    MemberMatch,
    VolunteerRow,
    _get_volunteer,
    _sync_teams,
    _volunteer_columns,
    _volunteer_matches,
    _volunteer_rows,
    check_volunteer,
    create_volunteer,
    delete_volunteer,
    link_members_by_id_number,
    list_volunteers,
    member_match,
    name_syllables,
    search_volunteers,
    spelling_matches,
    update_volunteer,
    volunteer_from_member,
    volunteer_matches,
    volunteer_rows,
    volunteer_values,
)
from wanghu_desk.services.volunteers.projects import (  # noqa: F401 - re-exported
    PROJECT_LABELS,
    ProjectRow,
    _get_project,
    check_project,
    create_project,
    delete_project,
    list_projects,
    project_count,
    project_values,
    set_project_active,
    update_project,
)
from wanghu_desk.services.volunteers.records import (  # noqa: F401 - re-exported
    RECORD_LABELS,
    RecordFilter,
    RecordRow,
    _check_record_common,
    _day_limit_message,
    _get_record,
    _record_matches,
    bulk_record,
    check_bulk,
    check_record,
    create_record,
    day_minutes,
    delete_records,
    list_records,
    over_day_limit,
    record_count,
    record_values,
    search_records,
    update_record,
)
from wanghu_desk.services.volunteers.teams import (  # noqa: F401 - re-exported
    TEAM_LABELS,
    TeamMemberRow,
    TeamRow,
    _get_team,
    _join,
    _open_memberships,
    add_team_members,
    check_team,
    create_team,
    delete_team,
    leave_team,
    list_teams,
    set_team_active,
    team_members,
    team_values,
    update_team,
)
from wanghu_desk.services.volunteers.totals import (  # noqa: F401 - re-exported
    ServiceOverview,
    hours_by_team,
    overview,
    volunteer_hours_by_quarter,
)

__all__ = [
    "DAY_LIMIT_MINUTES",
    "HOUR_STEP_MINUTES",
    "STAR_HOURS",
    "FormCheck",
    "MemberMatch",
    "OwnerChoice",
    "Period",
    "ProjectRow",
    "RecordFilter",
    "RecordRow",
    "ServiceOverview",
    "TeamMemberRow",
    "TeamRow",
    "VolunteerCertificate",
    "VolunteerRow",
    "add_team_members",
    "bulk_record",
    "certificate_data",
    "check_bulk",
    "check_project",
    "check_record",
    "check_team",
    "check_volunteer",
    "create_project",
    "create_record",
    "create_team",
    "create_volunteer",
    "day_minutes",
    "delete_project",
    "delete_records",
    "delete_team",
    "delete_volunteer",
    "hours_by_team",
    "hours_text",
    "hours_value",
    "leave_team",
    "link_members_by_id_number",
    "list_projects",
    "list_records",
    "list_teams",
    "list_volunteers",
    "member_match",
    "minutes_between",
    "over_day_limit",
    "overview",
    "owner_choices",
    "parse_hours",
    "project_choices",
    "project_count",
    "record_count",
    "project_values",
    "quarter_of",
    "quarter_span",
    "this_quarter",
    "this_year",
    "next_star",
    "age_on",
    "record_values",
    "search_records",
    "name_syllables",
    "search_volunteers",
    "spelling_matches",
    "volunteer_matches",
    "set_project_active",
    "set_team_active",
    "star_label",
    "star_level",
    "team_choices",
    "team_members",
    "team_values",
    "update_project",
    "update_record",
    "update_team",
    "update_volunteer",
    "volunteer_from_member",
    "volunteer_hours_by_quarter",
    "volunteer_rows",
    "volunteer_values",
]
