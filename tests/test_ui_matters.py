"""The 事项 tab driven through its real widgets (offscreen): a 议事协商 created and walked
through the six 六事 steps, a 微心愿 claimed and done on the board, a refused step shown
in the form, the filters and the detail pane, a viewer's disabled buttons, the record
sheet, and the dashboard reminder that opens the overdue filter. The dialogs are opened
with `open()` and filled and saved by the test; `ui.dialogs` is a recorder."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_volunteers_factory import choose, install_dialog_log, type_text

from models import Branch, Community, Estate, Matter, MatterStep
from ui import matters_tab as tab_module
from ui import theme
from ui.main_window import MainWindow
from ui.matter_dialogs import EscalateDialog, MatterDialog, ReopenDialog, StepDialog
from ui.matters_tab import MattersTab
from wanghu_desk.services import matters
from wanghu_desk.services.base import Actor, acting_as

TODAY = dt.date(2026, 11, 22)
VIEWER = Actor("viewer", "查看", "viewer")


@pytest.fixture
def log(monkeypatch):
    return install_dialog_log(monkeypatch)


@pytest.fixture
def place(fresh_db):
    community = Community.create(name="望湖社区", sort_order=1)
    estate = Estate.create(name="望湖城北苑", community=community)
    branch = Branch.create(name="望湖城北苑小区党支部", category="estate", community=community)
    return {"estate": estate.id, "branch": branch.id}


def make_tab(qtbot) -> MattersTab:
    theme.apply_theme(QApplication.instance())
    tab = MattersTab(today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.resize(1300, 720)
    tab.show()
    tab.refresh()
    return tab


def save(dialog) -> None:
    assert dialog.save_button.isEnabled(), dialog.check.errors
    dialog.save_button.click()


def test_a_deliberation_is_created_and_walked_through_the_six_steps(qtbot, place, log):
    tab = make_tab(qtbot)
    assert tab.empty.isVisible() and tab.status_text() == "还没有居民事项"
    dialog = tab.new_matter()
    assert isinstance(dialog, MatterDialog)
    choose(dialog.fields["kind"], "deliberation")
    elevator = next(c for c in matters.category_choices("deliberation") if c.name == "加装电梯")
    choose(dialog.fields["category_id"], elevator.id)
    assert dialog.fields["category_id"].count() == 56  # (不指定) + the 55-category directory
    choose(dialog.fields["estate_id"], place["estate"])
    choose(dialog.fields["source"], "meeting")
    type_text(qtbot, dialog.fields["raiser_name"], "3栋居民代表")
    dialog.fields["content"].setPlainText("3栋2单元加装电梯")
    assert dialog.deadline_label.text() == "办结时限：2027-02-22（按设置自动计算）"
    save(dialog)
    matter = Matter.get()
    assert (matter.number, matter.kind, matter.state) == ("YS2026-0001", "deliberation", "raise")
    assert tab.current_row().id == matter.id and "下一步：<b>网格听事</b>" in tab.detail.text()
    assert tab.step_button.text() == "办理下一步：网格听事"

    fills = {
        "listen": {"participants": "网格员李四"},
        "deliberate": {},  # the 3+X parties are filled in already
        "decide": {"decision": "11 户中 10 户同意加装，费用按楼层分摊", "votes_for": "10", "votes_against": "1",
                   "votes_abstain": "0"},
        "act": {"handler_branch_id": place["branch"], "handler_unit": "电梯公司", "result": "电梯安装完成并通过验收"},
        "review": {"evaluation": "satisfied"},
    }
    for code, values in fills.items():
        dialog = tab.next_step()
        assert isinstance(dialog, StepDialog) and dialog.spec.code == code
        for name, value in values.items():
            widget = dialog.fields[name]
            if hasattr(widget, "setPlainText"):
                widget.setPlainText(value)
            elif hasattr(widget, "findData") and not hasattr(widget, "setText"):
                choose(widget, value)
            else:
                widget.setText(value)
        save(dialog)
        assert Matter.get_by_id(matter.id).state == code
    assert tab.next_step() is None  # settled: nothing more to do
    assert not tab.step_button.isEnabled()
    steps = [s.step for s in MatterStep.select().where(MatterStep.matter == matter.id).order_by(MatterStep.id)]
    assert steps == ["raise", "listen", "deliberate", "decide", "act", "review"]
    text = tab.detail.text()
    for title in ("居民提事", "网格听事", "社区议事", "民主定事", "协同办事", "群众评事"):
        assert title in text
    assert "表决：同意 10，反对 1，弃权 0" in text and "已办结" in text
    assert tab.model.row_at(0).state_label == "已评事"
    assert "按时办结率 <b>100.0%</b>" in tab.summary.text()
    assert log.calls == []


def test_a_required_field_keeps_save_disabled_and_says_why(qtbot, place, log):
    tab = make_tab(qtbot)
    matter_id = matters.create_matter({"kind": "qr_report", "content": "楼道灯不亮", "received_on": TODAY,
                                       "estate_id": place["estate"]}, today=TODAY)
    tab.reload()
    tab.select_matter(matter_id)
    dialog = tab.next_step()
    assert dialog.spec.label == "分派"
    assert not dialog.save_button.isEnabled()  # nothing chosen yet
    dialog.fields["handler_members"].setText("李")
    dialog.fields["handler_members"].clear()
    assert not dialog.save_button.isEnabled()
    assert dialog.handler_message.text() == "请至少填写一个承办方：党支部、党员或共建单位。"
    dialog.fields["handler_unit"].setText("物业公司")
    save(dialog)
    assert Matter.get_by_id(matter_id).state == "assign"


def test_a_wish_is_claimed_and_done_on_the_board(qtbot, place, log):
    tab = make_tab(qtbot)
    tab.pages.setCurrentWidget(tab.board_page)
    dialog = tab.new_matter(kind="wish")
    assert dialog.fields["kind"].currentData() == "wish"
    dialog.fields["content"].setPlainText("独居老人想要一台收音机")
    choose(dialog.fields["estate_id"], place["estate"])
    save(dialog)
    wish = Matter.get()
    assert tab.board_models["collect"].total_count == 1 and tab.board_titles["collect"].text() == "待认领（1）"
    assert not tab.fulfil_button.isEnabled()
    tab.board_views["collect"].selectRow(0)
    assert tab.claim_button.isEnabled()
    tab.claim_button.click()
    dialog = tab.current_dialog
    assert isinstance(dialog, StepDialog) and dialog.spec.code == "claim"
    choose(dialog.fields["claimant_kind"], "team")
    dialog.fields["claimant_name"].setText("护花志愿服务队")
    save(dialog)
    assert tab.board_models["collect"].total_count == 0
    claimed = tab.board_models["claim"].row_at(0)
    assert claimed.id == wish.id and claimed.claimant == "护花志愿服务队（志愿服务队）"
    assert tab.board_titles["claim"].text() == "已认领（1）"
    tab.board_views["claim"].selectRow(0)
    tab.fulfil_button.click()
    dialog = tab.current_dialog
    assert dialog.spec.code == "fulfil"
    dialog.fields["result"].setPlainText("收音机已送到老人家中")
    save(dialog)
    done = tab.board_models["fulfil"].row_at(0)
    assert done.id == wish.id and done.closed_on == TODAY and done.claimant.startswith("护花")
    assert tab.count_text() == "微心愿：待认领 0 个，已认领 0 个，已完成 1 个"


def test_filters_search_escalation_and_reopen(qtbot, place, log):
    a = matters.create_matter({"kind": "opinion", "content": "反映路灯不亮", "received_on": dt.date(2026, 10, 1),
                               "raiser_name": "张三", "estate_id": place["estate"]}, today=TODAY)
    b = matters.create_matter({"kind": "qr_report", "content": "楼道堆放杂物", "received_on": TODAY,
                               "estate_id": place["estate"]}, today=TODAY)
    tab = make_tab(qtbot)
    assert tab.model.total_count == 2
    tab.filter_bar.set_search("zs")  # pinyin initials of 张三
    assert [r.id for r in tab.model.shown_rows()] == [a]
    tab.filter_bar.clear()
    choose(tab.overdue_filter, "overdue")
    assert [r.id for r in tab.model.shown_rows()] == [a]
    assert tab.model.data(tab.model.index(0, tab.model.column_index("deadline_on")),
                          Qt.ItemDataRole.ForegroundRole) is not None
    tab.filter_bar.clear()
    choose(tab.kind_filter, "qr_report")
    assert [r.id for r in tab.model.shown_rows()] == [b]
    choose(tab.period_filter, "30")
    assert tab.model.shown_count == 1
    tab.filter_bar.clear()
    choose(tab.state_filter, "closed")
    assert tab.model.shown_count == 0 and tab.empty.showing_no_match
    tab.filter_bar.clear()

    tab.select_matter(a)
    dialog = tab.escalate()
    assert isinstance(dialog, EscalateDialog)
    dialog.fields["reason"].setText("涉及两个小区，需要社区协调")
    save(dialog)
    assert Matter.get_by_id(a).level == "community"
    assert "由小区上报至社区" in tab.detail.text()
    choose(tab.level_filter, "community")
    assert [r.id for r in tab.model.shown_rows()] == [a]
    tab.filter_bar.clear()

    tab.select_matter(b)
    dialog = tab.next_step()
    dialog.fields["handler_unit"].setText("物业")
    save(dialog)
    dialog = tab.reopen()
    assert isinstance(dialog, ReopenDialog) and "「分派」" in dialog.findChild(type(tab.summary), "reopenNote").text()
    dialog.fields["reason"].setText("分派错了")
    save(dialog)
    assert Matter.get_by_id(b).state == "accept"
    assert "<s>分派</s>" in tab.detail.text() and "已撤回：分派错了" in tab.detail.text()


def test_a_viewer_sees_but_cannot_change(qtbot, place, log):
    matters.create_matter({"kind": "opinion", "content": "反映路灯不亮", "received_on": TODAY}, today=TODAY)
    with acting_as(VIEWER):
        tab = make_tab(qtbot)
        tab.view.selectRow(0)
        assert not tab.new_button.isEnabled() and not tab.step_button.isEnabled()
        assert not tab.escalate_button.isEnabled() and not tab.reopen_button.isVisible()
        assert tab.new_matter() is None and tab.next_step() is None
        assert tab.current_row().raiser_phone == ""


def test_the_record_sheet_is_written_for_a_deliberation(qtbot, place, log, monkeypatch, tmp_path):
    matter_id = matters.create_matter({"kind": "deliberation", "content": "修建非机动车停车棚",
                                       "received_on": TODAY, "estate_id": place["estate"]}, today=TODAY)
    tab = make_tab(qtbot)
    tab.select_matter(matter_id)
    assert tab.sheet_button.isEnabled()
    target = tmp_path / "记录单.pdf"
    monkeypatch.setattr(tab_module, "ask_save_path", lambda *a: target)
    log.answer = False
    task = tab.record_sheet()
    qtbot.waitUntil(lambda: target.exists() and any(c[0] == "ask" for c in log.calls), timeout=20_000)
    assert task is not None
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "议事协商记录单" in text and "居民提事" in text and "群众评事" in text


def test_the_model_passes_the_model_tester(qtmodeltester, demo_db, qtbot):
    tab = make_tab(qtbot)
    qtmodeltester.check(tab.model, force_py=True)
    for model in tab.board_models.values():
        qtmodeltester.check(model, force_py=True)


def test_the_reminder_opens_the_overdue_filter(qtbot, demo_db, log):
    theme.apply_theme(QApplication.instance())
    window = MainWindow(demo_db, demo_builder=None, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    overdue = matters.overdue_reminder(today=TODAY).count
    assert overdue > 0
    row = window.dashboard.alerts_panel.row("matters")
    assert row is not None and row.property("level") == "alert"
    alert = next(a for a in window.dashboard.alerts() if a.key == "matters")
    assert alert.text == f"逾期未办结的居民事项：{overdue} 件"
    qtbot.mouseClick(row.link, Qt.MouseButton.LeftButton)
    tab = window.matters_tab
    assert window.tabs.currentWidget() is tab
    assert tab.overdue_filter.currentData() == "overdue"
    shown = tab.model.shown_rows()
    assert len(shown) == overdue and all(r.overdue for r in shown)
    assert window.counts_label.text().endswith(f"其中逾期未办结 {overdue:,} 件")
