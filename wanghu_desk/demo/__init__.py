"""The 望湖街道 demo (SPEC §11): a deterministic, realistic sub-district in one transaction.

`build_demo(today, seed)` fills an empty database with 5 communities, 29 estates, 74
branches (29 estate branches), 233 building groups, about 3,000 members, the 1+X estate
governance teams (29 党建指导员, 52 红色小管家, 28 大学生社区小管家), volunteer teams and
their service records, a finalized star rating of the previous year (66 branches at one
star or more, 7 at five stars) and this year's ledgers (¥10,000 to every estate branch).

The same `today` and `seed` always give the same data: everything is drawn from one
`random.Random(seed)`, and the only date used is `today`. Rows are generated in memory
first and then written with `executemany`, all in one transaction with one audit event.

The package is split by concern; this module re-exports every name, so
``from wanghu_desk import demo`` and ``demo.build_demo(...)`` work as before. The builder is
one class assembled from a part per area, called in this order by `_Builder.generate`:

- `data` — the fixed figures and the names and places the demo draws from;
- `_common` — bulk inserts, ids, branch names, the `Person` and `BranchPlan` records;
- `_base` — the builder's state and its small generators (days, phones, ID numbers, names);
- `organisation` — communities, committees, estates, buildings, and the plan of the branches;
- `members` — members, the branches' rows and building groups, the 1+X estate teams;
- `volunteers` — teams, volunteers, projects, service records;
- `ratings` — the previous year's finalized star rating;
- `ledgers` — this year's ledgers;
- `build` — `_Builder`, the insert order and `build_demo`.
"""

from __future__ import annotations

from wanghu_desk.demo._base import (  # noqa: F401 - re-exported
    _BuilderBase,
)
from wanghu_desk.demo._common import (  # noqa: F401 - re-exported
    BranchPlan,
    Person,
    _bulk,
    _estate_branch_name,
    _full_name,
    _iso,
    _next_id,
    add_years,
)
from wanghu_desk.demo.build import (  # noqa: F401 - re-exported
    INSERT_ORDER,
    _Builder,
    _counts,
    _ensure_empty,
    _summary,
    build_demo,
)
from wanghu_desk.demo.data import (  # noqa: F401 - re-exported
    _AREA_LIST,
    _AREA_WEIGHTS,
    _SURNAME_LIST,
    _SURNAME_WEIGHTS,
    AGENCY_POSTS,
    AREA_CODES,
    COMMUNITIES,
    DEFAULT_SEED,
    EMPLOYERS,
    ENTERPRISES,
    ESTATE_ALLOCATION_FEN,
    ESTATES,
    EXPENSE_TEMPLATES,
    FORMER_EMPLOYERS,
    GIVEN_CHARS,
    GIVEN_NAMES,
    HOUSEHOLDS,
    MINORITY_NAMES,
    MOBILE_PREFIXES,
    ORGANIZATION_NAME,
    OTHER_ETHNICITIES,
    PARTY_FUND,
    PROJECTS,
    PROPERTY_COMPANIES,
    REGISTER_START,
    SCHOOLS,
    SEASONAL,
    SECOND_APPROVER_FEN,
    SKILLS,
    SOCIAL_ORGS,
    SPECIAL_FUND,
    STAR_COUNTS,
    SUBJECT_WEIGHTS,
    SURNAMES,
    TEAMS,
    VETOES,
    XINJIANG_AREAS,
)
from wanghu_desk.demo.ledgers import (  # noqa: F401 - re-exported
    _Ledgers,
)
from wanghu_desk.demo.members import (  # noqa: F401 - re-exported
    _Members,
)
from wanghu_desk.demo.organisation import (  # noqa: F401 - re-exported
    _OrganisationPlan,
)
from wanghu_desk.demo.ratings import (  # noqa: F401 - re-exported
    _Rating,
)
from wanghu_desk.demo.volunteers import (  # noqa: F401 - re-exported
    _Volunteers,
)
