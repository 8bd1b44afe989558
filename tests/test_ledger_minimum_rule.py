"""The ¥10,000 rule counts the special fund only, and every place that shows it reads the
same figure from one service (`ledger.minimum_checks`): an estate branch with ¥6,000 of
special funds and ¥5,000 of another fund reads ¥6,000 against ¥10,000 in the compliance
view (service and table) and in the quarterly report's funds table; the compliance view
paints only that failure red; the dashboard's reminder opens the view on those branches."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from ledger_helpers import TODAY, allocate, make_branches, reverse, spend
from pypdf import PdfReader
from PySide6.QtCore import Qt

from reports.quarterly_report import write_quarterly_report
from ui.ledger_tab import LedgerTab
from ui.record_table_model import ALERT, SOON
from wanghu_desk.services import ledger, quarterly

SHORT = "乙小区党支部"


@pytest.fixture
def funds(fresh_db):
    """甲: ¥10,000 special; 乙: ¥6,000 special + ¥5,000 party-work funds; 丙: ¥12,000
    special with a ¥2,000 allocation reversed (¥10,000 left), spending slowly."""
    ids = make_branches()
    special = ledger.create_fund("服务群众专项经费", minimum_fen=1_000_000)
    other = ledger.create_fund("党建工作经费")
    allocate(ids["甲小区党支部"], 1_000_000, fund=special.id)
    allocate(ids[SHORT], 600_000, fund=special.id)
    allocate(ids[SHORT], 500_000, fund=other.id)
    allocate(ids["丙小区党支部"], 1_000_000, fund=special.id)
    extra = allocate(ids["丙小区党支部"], 200_000, fund=special.id, day=dt.date(2026, 2, 1))
    reverse(extra.id, day=dt.date(2026, 3, 1))
    spend(ids["甲小区党支部"], 900_000, day=dt.date(2026, 8, 1), fund=special.id)
    return ids


def test_the_rule_counts_the_special_fund_only(funds):
    checks = ledger.minimum_checks(2026, dt.date(2026, 12, 31), funds.values())
    assert checks[funds[SHORT]] == ledger.MinimumCheck(600_000, 1_000_000, True)
    assert checks[funds["甲小区党支部"]] == ledger.MinimumCheck(1_000_000, 1_000_000, False)
    assert checks[funds["丙小区党支部"]].allocated_fen == 1_000_000  # the reversal subtracts
    assert not checks[funds["丙小区党支部"]].below


def test_compliance_and_the_quarterly_report_read_the_same_figure(funds, tmp_path):
    report = ledger.compliance(2026, 4, today=TODAY)
    row = next(r for r in report.rows if r.branch_name == SHORT)
    assert row.below_minimum
    assert row.figures.ytd_allocated_fen == 1_100_000  # all funds
    assert row.figures.minimum_allocated_fen == 600_000  # what the rule counts
    assert row.issues[0] == "专项经费本年拨付 ¥6,000.00，低于 ¥10,000.00"
    assert [r.branch_name for r in report.below_minimum] == [SHORT]

    figures = quarterly.fund_figures(quarterly.Quarter(2026, 4))
    branch = next(b for b in figures.branches if b.name == SHORT)
    assert (branch.allocated_fen, branch.special_allocated_fen, branch.below_minimum) == (1_100_000, 600_000, True)
    assert [b.name for b in figures.below_minimum] == [SHORT]

    path = write_quarterly_report(tmp_path / "q4.pdf", 2026, 4, report_date=TODAY)
    text = "".join(re.sub(r"\s+", "", page.extract_text() or "") for page in PdfReader(str(path)).pages)
    assert "其中专项" in text
    # the branch's line: 拨付 ¥11,000.00, 其中专项 ¥6,000.00 … 不足
    assert re.search(r"乙小区党支部¥11,000\.00¥6,000\.00.*?不足", text)
    assert "乙小区党支部¥6,000.00" in text  # named with its special-fund figure in the sentence


def test_the_compliance_view_shows_the_figure_and_paints_only_the_failure_red(funds, qtbot):
    tab = LedgerTab(today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.refresh()
    tab.show_compliance(2026, 4)
    model = tab.compliance_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    special_col, name_col, issue_col = headers.index("专项经费拨付"), headers.index("党支部"), headers.index("问题")
    rows = {model.index(r, name_col).data(): r for r in range(model.rowCount())}
    short = rows[SHORT]
    assert model.index(short, special_col).data() == "¥6,000.00"
    assert model.index(short, headers.index("本年拨付")).data() == "¥11,000.00"
    assert model.index(short, name_col).data(Qt.ItemDataRole.ForegroundRole).color() == ALERT
    # 丙 spends nothing: a notice in amber, not the red of a broken rule
    slow = rows["丙小区党支部"]
    assert "本季度没有支出" in model.index(slow, issue_col).data()
    assert model.index(slow, name_col).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(slow, issue_col).data(Qt.ItemDataRole.ForegroundRole).color() == SOON


def test_the_reminder_opens_the_view_on_the_branches_short_of_funds(funds, qtbot):
    tab = LedgerTab(today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.refresh()
    tab.show_compliance(2026, below_minimum=True)
    model = tab.compliance_model
    assert tab.only_below.isChecked()
    assert [model.row_at(r).branch_name for r in range(model.rowCount())] == [SHORT]
    tab.only_below.setChecked(False)
    assert model.rowCount() > 1  # the other flagged branches are back
