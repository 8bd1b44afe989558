"""经费台账 tab, driven like a clerk drives it (pytest-qt, offscreen): record an expense
with a bad amount (refused) and a good one (balance updates), reverse it; bulk allocation
preview then commit; the compliance view on the demo before and after a reversal; the
exports on a worker, including a workbook that is open in Excel; the table models
checked with qtmodeltester.

No test waits on a modal dialog: `ui.dialogs` and the save dialog are replaced, ledger
dialogs are opened with `open()` and driven through their widgets."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from conftest import DEMO_TODAY
from ledger_helpers import TODAY, allocate, make_branches, make_rating, spend
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QLabel

from ui import dialogs, ledger_tab, theme
from ui.ledger_dialogs import AmountEdit, BulkAllocationDialog, EntryDetailDialog, EntryDialog, ReversalDialog
from ui.ledger_tab import PAGE_COMPLIANCE, LedgerTab
from ui.ledger_table_model import COL, LedgerTableModel
from ui.record_table_model import OBJECT_ROLE, SORT_ROLE, RecordTableModel
from wanghu_desk.services import ledger
from wanghu_desk.services.base import Actor, acting_as

BRANCH = "望湖城北苑小区党支部"


class DialogLog:
    def __init__(self):
        self.calls: list[tuple[str, str, str]] = []
        self.answer: bool | None = None

    def ask(self, parent, title, text, *args, **kwargs):
        self.calls.append(("ask", title, text))
        if self.answer is None:
            raise AssertionError(f"unexpected question: {text}")
        return self.answer

    def notice(self, kind):
        def show(parent, title, text, *args, **kwargs):
            self.calls.append((kind, title, text))

        return show


@pytest.fixture(autouse=True)
def dialog_log(monkeypatch) -> DialogLog:
    log = DialogLog()
    monkeypatch.setattr(dialogs, "ask", log.ask)
    for kind in ("inform", "warn", "error"):
        monkeypatch.setattr(dialogs, kind, log.notice(kind))
    monkeypatch.setattr(dialogs, "crash", lambda parent=None, log_path=None: log.calls.append(("crash", "", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("unexpected file dialog"))
    return log


def open_tab(qtbot, today=TODAY) -> LedgerTab:
    theme.apply_theme(QApplication.instance())
    tab = LedgerTab(today=lambda: today)
    qtbot.addWidget(tab)
    tab.resize(1280, 760)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


@pytest.fixture
def branches(fresh_db):
    return make_branches()


@pytest.fixture
def tab(qtbot, branches) -> LedgerTab:
    return open_tab(qtbot)


@pytest.fixture
def demo_tab(qtbot, demo_db) -> LedgerTab:
    return open_tab(qtbot, DEMO_TODAY)


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def fill(widget, text: str) -> None:
    widget.setFocus()
    (widget.edit if isinstance(widget, AmountEdit) else widget).setText(text)


def current_dialog(tab: LedgerTab, kind: type[QDialog]):
    dialog = tab.current_dialog
    assert isinstance(dialog, kind), dialog
    assert dialog.isVisible()
    return dialog


# ---------------------------------------------------------------- models


def test_table_models_pass_qtmodeltester(qtmodeltester, demo_db):
    view = ledger.ledger(BRANCH, 2026)
    model = LedgerTableModel()
    model.set_view(view)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == len(view.rows)
    model.sort(COL["expense"], Qt.SortOrder.DescendingOrder)
    assert model.index(0, COL["expense"]).data(SORT_ROLE) == max(r.expense_fen for r in view.rows)
    assert model.index(0, 0).data(OBJECT_ROLE).expense_fen == max(r.expense_fen for r in view.rows)
    model.set_search("冲销")
    assert model.rowCount() == 1 and model.index(0, COL["kind"]).data() == "冲销第6号"
    assert model.index(0, COL["expense"]).data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c8161d"
    qtmodeltester.check(model, force_py=True)

    report = ledger.compliance(2026, 4, today=DEMO_TODAY)
    records = RecordTableModel(ledger_tab._compliance_columns())
    records.set_rows(report.rows)
    qtmodeltester.check(records, force_py=True)
    records.sort(3, Qt.SortOrder.AscendingOrder)
    records.set_predicate(lambda r: r.flagged)
    qtmodeltester.check(records, force_py=True)


def test_the_opening_row_of_a_carried_over_balance(qtmodeltester, branches):
    a = branches["甲小区党支部"]
    allocate(a, 500_000, day=dt.date(2025, 3, 1))
    ledger.set_fund_carries_over(ledger.DEFAULT_FUND_NAME, True)
    spend(a, 100_000, day=dt.date(2026, 2, 1))
    model = LedgerTableModel()
    model.set_view(ledger.ledger(a, 2026))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2
    assert [model.index(0, c).data() for c in (COL["entry_date"], COL["summary"], COL["balance"])] == [
        "2026-01-01", "上年结转", "¥5,000.00"]
    assert model.index(0, 0).data(OBJECT_ROLE) is None and model.entry(0) is None
    assert model.index(1, COL["balance"]).data() == "¥4,000.00"
    model.sort(COL["balance"], Qt.SortOrder.AscendingOrder)
    assert model.index(0, COL["summary"]).data() == "上年结转"  # stays on top


# ---------------------------------------------------------------- the acceptance path


def test_expense_bad_amount_refused_good_one_updates_balance_then_reversed(tab, qtbot, branches):
    changes = []
    tab.data_changed.connect(lambda: changes.append(1))
    assert tab.select_branch("甲小区党支部")
    assert tab.table_stack.currentIndex() == 1 and "还没有台账记录" in tab.empty_label.text()

    # 拨付 ¥10,000 typed as "1万"
    click(qtbot, tab.allocate_button)
    d = current_dialog(tab, EntryDialog)
    assert not d.save_button.isEnabled()
    # an allocation asks for no second approver and does not list what an expense may not buy
    assert not d.second.isVisibleTo(d) and "不得列支" not in d.findChild(QLabel, "rulesLabel").text()
    fill(d.amount, "1万")
    assert d.amount.preview.text() == "¥10,000.00　壹万元整"
    fill(d.summary, "2026年服务群众专项经费拨付")
    fill(d.handler, "王会计")
    fill(d.approver, "李书记")
    click(qtbot, d.save_button)
    assert tab.current_dialog is None
    assert tab.balance_value.text() == "¥10,000.00" and tab.balance_words.text() == "壹万元整"
    assert changes == [1]

    # 支出 by its shortcut; bad amounts keep 保存 disabled and say why, in Chinese
    tab.activateWindow()
    qtbot.keyClick(tab, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    d = current_dialog(tab, EntryDialog)
    assert d.kind == "expense"
    fill(d.summary, "七一慰问老党员")
    fill(d.handler, "张三")
    fill(d.approver, "李书记")
    d.subject.setCurrentIndex(d.subject.findData("condolence"))
    for bad, words in (("12.345", "两位小数"), ("-50", "负数"), ("abc", "无法识别"), ("1,00", "千位分隔符")):
        fill(d.amount, bad)
        assert words in d.amount.preview.text()
        assert not d.save_button.isEnabled()
    fill(d.amount, "2万")  # more than the balance
    assert "余额不足" in d.form.messages["amount"].text() and not d.save_button.isEnabled()
    assert d.second.isVisibleTo(d) and "不得列支" in d.findChild(QLabel, "rulesLabel").text()
    fill(d.amount, "2,500")  # at or above ¥2,000: a second approver
    assert "两人审批" in d.form.messages["second_approver"].text() and not d.save_button.isEnabled()
    fill(d.second, "李书记")
    assert "同一人" in d.form.messages["second_approver"].text()
    fill(d.amount, "1,200.50")
    assert d.amount.preview.text() == "¥1,200.50　壹仟贰佰元伍角"
    assert not d.save_button.isEnabled()  # below the threshold a second approver is optional, but not the same one
    fill(d.second, "")
    click(qtbot, d.save_button)
    assert tab.model.rowCount() == 2
    assert tab.balance_value.text() == "¥8,799.50"
    assert tab.model.index(1, COL["expense"]).data() == "¥1,200.50"
    assert tab.model.index(1, COL["balance"]).data() == "¥8,799.50"
    assert tab.selected_entry().summary == "七一慰问老党员"
    assert "共 2 笔凭证，余额 ¥8,799.50" in tab.status_text()
    assert tab.quarter_model.shown_rows()[-1].spent_fen == 120_050

    # 冲销 the selected expense
    click(qtbot, tab.reverse_button)
    d = current_dialog(tab, ReversalDialog)
    assert d.current().summary == "七一慰问老党员"
    assert "¥8,799.50 → ¥10,000.00" in d.effect.text()
    assert not d.save_button.isEnabled()
    fill(d.reason, "金额录错")
    fill(d.handler, "张三")
    fill(d.approver, "李书记")
    click(qtbot, d.save_button)
    assert tab.balance_value.text() == "¥10,000.00"
    assert tab.model.rowCount() == 3
    assert tab.model.index(1, COL["kind"]).data() == "支出（已冲销）"
    assert tab.model.index(2, COL["summary"]).data() == "冲销第2号凭证：金额录错"
    assert tab.model.index(2, COL["expense"]).data() == "-¥1,200.50"
    assert len(changes) == 3


def test_a_refusal_of_the_service_is_shown_in_the_dialog(tab, qtbot, branches):
    a = branches["甲小区党支部"]
    allocate(a, 100_000, day=dt.date(2026, 1, 10))
    spend(a, 90_000, day=dt.date(2026, 3, 1))
    allocate(a, 100_000, day=dt.date(2026, 6, 1))
    tab.refresh()
    tab.select_branch(a)
    d = tab.new_expense()
    d.date.setDate(d.date.date().addDays(-300))  # 2026-01-26: only ¥100 left on 1 March then
    fill(d.amount, "500")
    fill(d.summary, "资料费")
    fill(d.handler, "张三")
    fill(d.approver, "李书记")
    click(qtbot, d.save_button)
    assert d.isVisible() and d.banner.isVisible() and "余额不足" in d.banner.text()
    assert len(ledger.ledger(a, 2026).rows) == 3


def test_entry_detail_is_read_only_and_offers_the_reversal(tab, qtbot, branches):
    a = branches["甲小区党支部"]
    allocate(a, 100_000)
    tab.refresh()
    tab.select_branch(a)
    d = tab.show_entry(tab.model.entry(0))
    assert isinstance(d, EntryDetailDialog) and "壹仟元整" in [w.text() for w in d.findChildren(type(tab.empty_label))]
    click(qtbot, d.reverse_button)
    r = current_dialog(tab, ReversalDialog)
    assert r.current().voucher_no == 1
    r.reject()


def test_bulk_allocation_preview_then_commit(tab, qtbot, branches, dialog_log):
    click(qtbot, tab.bulk_button)
    d = current_dialog(tab, BulkAllocationDialog)
    assert d.flat_amount.text() == "10,000.00"
    assert not d.commit_button.isEnabled()
    fill(d.handler, "王会计")
    fill(d.approver, "李书记")
    click(qtbot, d.preview_button)
    assert [r.branch_name for r in d.model.shown_rows()] == ["甲小区党支部", "乙小区党支部", "丙小区党支部"]
    assert "将向 3 个支部各记一笔拨付，共 ¥30,000.00（叁万元整）" in d.plan_label.text()
    assert d.commit_button.isEnabled()
    assert ledger.ledger_years() == []  # a preview writes nothing
    fill(d.flat_amount, "12000")  # a change makes the preview stale
    assert not d.commit_button.isEnabled() and d.model.rowCount() == 0
    click(qtbot, d.preview_button)
    dialog_log.answer = False
    click(qtbot, d.commit_button)
    assert dialog_log.calls[-1][0] == "ask" and ledger.ledger_years() == [] and d.isVisible()
    dialog_log.answer = True
    click(qtbot, d.commit_button)
    assert not d.isVisible()
    assert [c[0] for c in dialog_log.calls[-2:]] == ["ask", "inform"]  # and says what it wrote
    assert "共 ¥36,000.00" in dialog_log.calls[-2][2]
    assert dialog_log.calls[-1][2] == "已向 3 个支部各记一笔拨付，共 ¥36,000.00（叁万陆仟元整）。"
    for name in ("甲小区党支部", "乙小区党支部", "丙小区党支部"):
        assert ledger.balance(name, 2026) == 1_200_000
    assert tab.balance_value.text() == "¥12,000.00"


def test_bulk_allocation_by_star_level(tab, qtbot, branches, dialog_log):
    make_rating(2025, {branches["甲小区党支部"]: 5, branches["功能型党支部"]: 2})
    ledger.create_fund("党建工作经费")
    tab.refresh()
    d = tab.bulk_allocation()
    d.star_radio.setChecked(True)
    assert d.fund.currentText() == "党建工作经费" and d.rating_year.currentData() == 2025
    assert not d.summary.isVisible()
    fill(d.star_amounts[5], "5000")
    fill(d.star_amounts[2], "1千")
    fill(d.handler, "王会计")
    fill(d.approver, "李书记")
    click(qtbot, d.preview_button)
    writes = [(r.branch_name, r.stars, r.amount_fen) for r in d.model.shown_rows() if r.amount_fen]
    assert writes == [("甲小区党支部", 5, 500_000), ("功能型党支部", 2, 100_000)]
    dialog_log.answer = True
    click(qtbot, d.commit_button)
    assert ledger.balance("功能型党支部", 2026, "党建工作经费") == 100_000


# ---------------------------------------------------------------- demo: compliance


def test_demo_shows_every_estate_branch_at_the_minimum(demo_tab, qtbot):
    demo_tab.show_compliance()
    assert demo_tab.pages.currentIndex() == PAGE_COMPLIANCE
    report = demo_tab.compliance_report
    assert report.year == 2026 and report.quarter == 4
    estates = [r for r in report.rows if r.figures.category == "estate"]
    assert len(estates) == 29 and all(r.figures.minimum_allocated_fen >= 1_000_000 for r in estates)
    assert report.below_minimum == []
    assert "拨付不足" not in demo_tab.compliance_label.text()
    demo_tab.pages.setCurrentIndex(2)
    summary = demo_tab.funds_summary
    assert all(r.ytd_allocated_fen >= 1_000_000 for r in summary.rows if r.category == "estate")
    assert "66 个支部" in demo_tab.summary_label.text()


def test_compliance_flags_a_branch_after_its_allocation_is_reversed(demo_tab, qtbot):
    demo_tab.select_branch(BRANCH)
    view = ledger.ledger(BRANCH, 2026, ledger.DEFAULT_FUND_NAME)
    allocation = next(r for r in view.rows if r.kind == "allocation")
    # The money was spent: reversing the allocation is refused until the expenses are.
    d = demo_tab.reverse_entry(allocation.id)
    assert not d.save_button.isEnabled() and "请先冲销" in d.effect.text()
    d.reject()
    for row in view.rows:
        if row.kind == "expense" and not row.is_reversed:
            ledger.record_reversal(row.id, entry_date=DEMO_TODAY, reason="记错支部", handler="许悦丽",
                                   approver="朱海俊", today=DEMO_TODAY)
    demo_tab.refresh()
    d = demo_tab.reverse_entry(allocation.id)
    fill(d.reason, "记错支部")
    fill(d.handler, "许悦丽")
    fill(d.approver, "朱海俊")
    click(qtbot, d.save_button)
    demo_tab.show_compliance()
    flagged = {r.branch_name: r for r in demo_tab.compliance_model.shown_rows()}
    assert BRANCH in flagged and flagged[BRANCH].below_minimum
    assert "本年拨付 ¥0.00，低于 ¥10,000.00" in flagged[BRANCH].issues[0]
    assert "拨付不足 ¥10,000.00 的小区党支部 1 个" in demo_tab.compliance_label.text()
    assert demo_tab.status_text() == demo_tab.compliance_report.sentence()
    # Double-click goes to that branch's ledger.
    row = next(i for i, r in enumerate(demo_tab.compliance_model.shown_rows()) if r.branch_name == BRANCH)
    index = demo_tab.compliance_model.index(row, 0)
    rect = demo_tab.compliance_table.visualRect(index)
    qtbot.mouseClick(demo_tab.compliance_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(demo_tab.compliance_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert demo_tab.pages.currentIndex() == 0 and demo_tab.current_branch().name == BRANCH


def test_pickers_search_and_fund_filter(demo_tab, qtbot):
    demo_tab.select_branch(BRANCH)
    assert demo_tab.model.rowCount() == 8
    assert not demo_tab.table.isColumnHidden(COL["fund"])
    demo_tab.search.setText("垃圾分类")
    assert demo_tab.model.rowCount() == 2 and "显示 2 笔" in demo_tab.status_text()
    demo_tab.search.setText("没有这个词")
    assert demo_tab.no_match.isVisible()
    demo_tab.search.clear()
    demo_tab.fund_combo.setCurrentIndex(demo_tab.fund_combo.findText("党建工作经费"))
    assert demo_tab.model.rowCount() == 2 and demo_tab.table.isColumnHidden(COL["fund"])
    assert demo_tab.balance_value.text() == "¥872.00"
    assert [demo_tab.year_combo.itemData(i) for i in range(demo_tab.year_combo.count())] == [2026]
    assert demo_tab.branch_combo.count() >= 74


def test_viewers_cannot_write(qtbot, demo_db):
    with acting_as(Actor("guest", "查看者", "viewer")):
        tab = open_tab(qtbot, DEMO_TODAY)
        for button in (tab.allocate_button, tab.expense_button, tab.reverse_button, tab.bulk_button,
                       tab.funds_button):
            assert not button.isEnabled(), button.objectName()
        assert tab.new_expense() is None and tab.bulk_allocation() is None
        assert tab.export_button.isEnabled()


def test_no_branches_says_what_to_do(qtbot, fresh_db):
    tab = open_tab(qtbot)
    assert tab.table_stack.currentIndex() == 1
    assert "还没有党支部" in tab.empty_label.text()
    assert not tab.allocate_button.isEnabled()


def test_funds_dialog_sets_carry_over(tab, qtbot, branches):
    allocate(branches["甲小区党支部"], 100_000)
    tab.refresh()
    d = tab.edit_funds()
    fund_id = ledger.funds()[0].id
    carry, minimum, _info = d.rows[fund_id]
    carry.setChecked(True)
    fill(minimum, "8000")
    click(qtbot, d.save_button)
    info = ledger.funds()[0]
    assert info.carries_over and info.minimum_fen == 800_000


# ---------------------------------------------------------------- exports


def run_export(qtbot, tab, action, path, monkeypatch):
    monkeypatch.setattr(ledger_tab, "choose_save_path", lambda *a, **k: str(path))
    action.trigger()
    assert tab.export_task is not None
    qtbot.waitUntil(lambda: tab.export_task is None, timeout=60_000)


def test_exports_run_on_a_worker(demo_tab, qtbot, tmp_path, monkeypatch, dialog_log):
    demo_tab.select_branch(BRANCH)
    dialog_log.answer = False  # 关闭, not 打开文件
    run_export(qtbot, demo_tab, demo_tab.export_branch_xlsx, tmp_path / "北苑", monkeypatch)
    assert (tmp_path / "北苑.xlsx").exists()
    assert dialog_log.calls[-1][0] == "ask" and "北苑.xlsx" in dialog_log.calls[-1][2]  # offers 打开文件
    run_export(qtbot, demo_tab, demo_tab.export_branch_pdf, tmp_path / "北苑.pdf", monkeypatch)
    assert (tmp_path / "北苑.pdf").read_bytes().startswith(b"%PDF")
    run_export(qtbot, demo_tab, demo_tab.export_summary_xlsx, tmp_path / "汇总.xlsx", monkeypatch)
    assert (tmp_path / "汇总.xlsx").exists()
    assert demo_tab.export_button.isEnabled()


def test_export_to_a_workbook_open_in_excel_says_so(demo_tab, qtbot, tmp_path, monkeypatch, dialog_log):
    def locked(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", locked)
    run_export(qtbot, demo_tab, demo_tab.export_all_xlsx, tmp_path / "全部.xlsx", monkeypatch)
    kind, title, text = dialog_log.calls[-1]
    assert kind == "error" and title == "导出台账（Excel）"
    assert text == "无法保存「全部.xlsx」：文件正被 Excel 等程序打开，请关闭后重试。"


def test_cancelled_save_dialog_does_nothing(demo_tab, monkeypatch):
    monkeypatch.setattr(ledger_tab, "choose_save_path", lambda *a, **k: "")
    assert demo_tab.export_ledger("xlsx") is None and demo_tab.export_summary() is None


def test_double_click_shows_the_entry_and_the_context_menu_reverses(demo_tab, qtbot):
    demo_tab.select_branch(BRANCH)
    index = demo_tab.model.index(5, COL["summary"])  # voucher 6, reversed by voucher 7
    rect = demo_tab.table.visualRect(index)
    qtbot.mouseClick(demo_tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(demo_tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    d = current_dialog(demo_tab, EntryDetailDialog)
    assert d.row.voucher_no == 6 and not d.reverse_button.isEnabled()
    assert "已由第7号凭证冲销" in [w.text() for w in d.findChildren(type(demo_tab.empty_label))]
    d.reject()
    demo_tab._entry_menu(demo_tab.table.visualRect(demo_tab.model.index(1, 0)).center())
    actions = {a.text(): a for a in demo_tab.context_menu.actions()}
    assert set(actions) == {"查看凭证…", "冲销这张凭证…", "复制摘要"}
    demo_tab.context_menu.close()
    actions["冲销这张凭证…"].trigger()
    r = current_dialog(demo_tab, ReversalDialog)
    assert r.current().voucher_no == 2
    r.reject()


def test_show_compliance_for_a_year_and_quarter(demo_tab):
    demo_tab.show_compliance(year=2026, quarter=2)
    report = demo_tab.compliance_report
    assert (report.year, report.quarter, report.min_spend_percent) == (2026, 2, ledger.default_spend_percent(2))
    assert demo_tab.quarter_combo.currentData() == 2 and demo_tab.spend_spin.value() == 30
    assert report.sentence().startswith("2026年第二季度")
