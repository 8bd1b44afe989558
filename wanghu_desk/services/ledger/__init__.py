"""经费台账 (SPEC §5): per-branch funding ledgers that an auditor would accept.

What this module owns:

- **Writes**: `record_allocation` (拨付), `record_expense` (支出), `record_reversal`
  (冲销 of an earlier entry), `commit_bulk_allocation` (after a `preview_*_allocation`),
  `create_fund` / `set_fund_carries_over` / `set_fund_minimum`, and
  `commit_normalized_rows` for an import. Every write runs in
  `services.base.writing()` (one ``BEGIN IMMEDIATE`` transaction, with its audit events).
- **Immutability**: there is no way to change or remove an entry here. `update_entry` and
  `delete_entry` exist only to refuse, with the message a clerk needs; the database
  triggers refuse any other writer too. A mistake is corrected by a reversal entry.
- **Voucher numbers** (凭证号) are one sequence per branch and year, across funds:
  ``MAX + 1`` read inside the same ``BEGIN IMMEDIATE`` transaction as the insert, so two
  writers can never take the same number, and a rolled-back transaction leaves no gap.
- **Rules**: amounts in integer fen, > 0; subjects from `vocab.LEDGER_SUBJECTS`, never one
  of `vocab.FORBIDDEN_SUBJECTS`; an expense at or above the setting
  ``ledger.second_approver_threshold_fen`` (¥2,000) needs a second approver; no entry may
  make the balance of its fund negative at any point in date order (an expense, or the
  reversal of an allocation); dates not after today, reversals in the original's year.
- **Balances**: per fund, entries in order of (date, voucher number). A reversal counts
  against its original's kind (the reversal of an expense is a negative expense), so the
  收入 and 支出 columns add up to what was really allocated and spent. A fund with
  `carries_over` opens each year with the previous year's closing balance (上年结转);
  otherwise each year opens at zero.
- **Reads**: `ledger` (one branch and year, with running balance and quarter totals),
  `balance`, `quarter_totals`, `funds_summary` (all branches, a year or a quarter),
  `compliance` (estate branches allocated less than the minimum, spend rate under N %
  by the quarter's end, no expense this quarter), `normalize_ledger_row` (one imported
  row, pure).

No Qt here; every result is a plain dataclass.

The package, by concern (every name is importable from `wanghu_desk.services.ledger`
as before):

- `rules` — kinds, settings, checks of single values (subject, amount, date, people);
- `results` — the result dataclasses;
- `choices` — branches, years and names the forms offer;
- `funds` — funds, the default fund, carry-over and minimum;
- `reading` — one branch's ledger, balances, one entry;
- `entries` — writing 拨付 / 支出 / 冲销 one at a time, immutability;
- `bulk` — bulk allocation (flat or by stars);
- `summary` — the all-branches summary and compliance;
- `importing` — a ledger kept in Excel: row normalisation and the import's write;
- `batch` — the forms' rules over many new rows in memory, written at once.
"""

from __future__ import annotations

from wanghu_desk.services.ledger.batch import LedgerBatch, PlannedEntry  # noqa: F401
from wanghu_desk.services.ledger.bulk import (  # noqa: F401
    _allocated_this_year,
    _bulk_common,
    _line,
    _replan,
    commit_bulk_allocation,
    preview_flat_allocation,
    preview_star_allocation,
)
from wanghu_desk.services.ledger.choices import (  # noqa: F401
    _branch,
    _community_names,
    branch_choices,
    finalized_rating_years,
    ledger_years,
    people_names,
)
from wanghu_desk.services.ledger.entries import (  # noqa: F401
    _check_not_overdrawn,
    _insert,
    _lowest_balance,
    _next_voucher_no,
    _record,
    delete_entry,
    record_allocation,
    record_expense,
    record_reversal,
    reversal_summary,
    update_entry,
)
from wanghu_desk.services.ledger.funds import (  # noqa: F401
    _default_fund,
    _fund,
    _fund_info,
    _update_fund,
    create_fund,
    fund_choices,
    funds,
    set_fund_carries_over,
    set_fund_minimum,
)
from wanghu_desk.services.ledger.importing import (  # noqa: F401
    _KIND_WORDS,
    _NAME_SPLIT,
    _REVERSES_IN_SUMMARY,
    _TOTALS_ROW,
    LEDGER_IMPORT_FIELDS,
    _kind_from_text,
    _voucher,
    commit_normalized_rows,
    normalize_ledger_row,
)
from wanghu_desk.services.ledger.reading import (  # noqa: F401
    _as_date,
    _entry_query,
    _opening_by_fund,
    _quarters,
    _rows,
    balance,
    entry,
    ledger,
    quarter_totals,
    reversible_entries,
)
from wanghu_desk.services.ledger.results import (  # noqa: F401
    BranchChoice,
    BulkLine,
    BulkPlan,
    ComplianceReport,
    ComplianceRow,
    FundInfo,
    FundsSummary,
    FundsSummaryRow,
    LedgerRow,
    LedgerView,
    QuarterTotal,
    RowProblem,
)
from wanghu_desk.services.ledger.rules import (  # noqa: F401
    ALLOCATION,
    DEFAULT_FUND_NAME,
    DEFAULT_SPEND_PERCENT,
    EXPENSE,
    IMMUTABLE_MESSAGE,
    REVERSAL,
    SUMMARY_MAX,
    ImmutableEntryError,
    _amount,
    _date,
    _delta,
    _person,
    _signed,
    _summary,
    check_subject,
    default_spend_percent,
    estate_minimum,
    forbidden_terms,
    quarter_of,
    quarter_period,
    second_approver_threshold,
)
from wanghu_desk.services.ledger.summary import (  # noqa: F401
    MinimumCheck,
    _minimum_funds,
    compliance,
    funds_summary,
    minimum_checks,
)

__all__ = [
    "ALLOCATION",
    "DEFAULT_FUND_NAME",
    "EXPENSE",
    "IMMUTABLE_MESSAGE",
    "LEDGER_IMPORT_FIELDS",
    "REVERSAL",
    "BranchChoice",
    "BulkLine",
    "BulkPlan",
    "ComplianceReport",
    "ComplianceRow",
    "FundInfo",
    "FundsSummary",
    "FundsSummaryRow",
    "ImmutableEntryError",
    "LedgerBatch",
    "LedgerRow",
    "LedgerView",
    "PlannedEntry",
    "QuarterTotal",
    "RowProblem",
    "balance",
    "branch_choices",
    "check_subject",
    "commit_bulk_allocation",
    "commit_normalized_rows",
    "compliance",
    "create_fund",
    "default_spend_percent",
    "delete_entry",
    "estate_minimum",
    "entry",
    "finalized_rating_years",
    "forbidden_terms",
    "fund_choices",
    "funds",
    "funds_summary",
    "minimum_checks",
    "MinimumCheck",
    "ledger",
    "ledger_years",
    "normalize_ledger_row",
    "people_names",
    "preview_flat_allocation",
    "preview_star_allocation",
    "quarter_of",
    "quarter_period",
    "quarter_totals",
    "record_allocation",
    "record_expense",
    "record_reversal",
    "reversal_summary",
    "reversible_entries",
    "second_approver_threshold",
    "set_fund_carries_over",
    "set_fund_minimum",
    "update_entry",
]
