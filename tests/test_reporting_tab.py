"""The 双报到 tab driven through its real widgets (offscreen): a member registered, one
order from 居民点单 to 完成 through the dialogs, the buttons following the workflow, a
viewer's disabled buttons, the 反馈单 and the exports written. `ui.dialogs` is a recorder."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QApplication
from test_volunteers_factory import choose, install_dialog_log, type_text

from models import Branch, Community, Estate, Member
from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from ui import reporting_tab as tab_module
from ui import theme
from ui.reporting_dialogs import AcceptDialog, AssignDialog, CompleteDialog, OrderDialog, RegisterDialog, set_checked
from ui.reporting_tab import ReportingTab
from wanghu_desk.services import reporting
from wanghu_desk.services.base import Actor, acting_as

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def log(monkeypatch):
    return install_dialog_log(monkeypatch)


@pytest.fixture
def place(fresh_db):
    community = Community.create(name="望湖社区", sort_order=1)
    estate = Estate.create(name="望湖城北苑", community=community)
    branch = Branch.create(name="望湖城北苑小区党支部", category="estate", community=community)
    member = Member.create(name="张三", name_initials="zs", id_number="11010519491231002X", branch=branch,
                           joined_on=dt.date(2000, 7, 1))
    return {"community": community.id, "estate": estate.id, "branch": branch.id, "member": member.id}


def make_tab(qtbot) -> ReportingTab:
    theme.apply_theme(QApplication.instance())
    tab = ReportingTab(today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.resize(1300, 720)
    tab.show()
    tab.refresh()
    return tab


def save(dialog) -> None:
    assert dialog.save_button.isEnabled(), dialog.check.errors
    dialog.save_button.click()


def test_one_order_from_ordered_to_done_through_the_tab(qtbot, place, log, tmp_path, monkeypatch):
    tab = make_tab(qtbot)
    assert tab.status_text() == "本年还没有服务单" and tab.order_empty.isVisible()

    # 登记报到
    dialog = tab.register()
    assert isinstance(dialog, RegisterDialog) and not dialog.save_button.isEnabled()
    choose(dialog.fields["member_id"], place["member"])
    type_text(qtbot, dialog.fields["work_unit"], "包河区财政局")
    choose(dialog.fields["estate_id"], place["estate"])
    set_checked(dialog.fields["posts"], ["政策宣讲岗", "关爱帮扶岗"])
    save(dialog)
    registration = ReportingMember.get()
    assert (registration.work_unit, registration.posts) == ("包河区财政局", "政策宣讲岗、关爱帮扶岗")
    assert Member.get_by_id(place["member"]).reported_at_residence
    assert tab.pages.currentWidget() is tab.members_page and tab.current_member().name == "张三"

    # 居民点单
    dialog = tab.place_order()
    assert isinstance(dialog, OrderDialog) and not dialog.save_button.isEnabled()
    dialog.fields["content"].setPlainText("独居老人家中水管漏水")
    choose(dialog.fields["estate_id"], place["estate"])
    type_text(qtbot, dialog.fields["resident_name"], "赵奶奶")
    save(dialog)
    order = ReportingOrder.get()
    assert (order.number, order.state) == ("DD2026-0001", "ordered")
    assert tab.current_order().id == order.id
    assert tab.assign_button.isEnabled() and not tab.accept_button.isEnabled()
    assert not tab.complete_button.isEnabled() and tab.cancel_button.isEnabled()
    assert tab.step("accept") is None  # the workflow allows only 下单 or 取消 now

    # 支部下单
    dialog = tab.step("assign")
    assert isinstance(dialog, AssignDialog) and not dialog.save_button.isEnabled()
    choose(dialog.fields["branch_id"], place["branch"])
    set_checked(dialog.fields["member_ids"], [place["member"]])
    assert dialog.fields["member_ids"].item(0).text().startswith("★")  # lives in the order's community
    save(dialog)
    assert ReportingOrder.get().state == "assigned" and tab.current_order().members == "张三"
    assert tab.accept_button.isEnabled() and tab.assign_button.isEnabled()  # more members may be added

    # 党员接单
    dialog = tab.step("accept")
    assert isinstance(dialog, AcceptDialog)
    save(dialog)  # the assigned member is checked already
    assert ReportingOrderMember.get().accepted_on == TODAY and tab.complete_button.isEnabled()

    # 完成
    dialog = tab.step("complete")
    assert isinstance(dialog, CompleteDialog) and not dialog.save_button.isEnabled()  # no evaluation yet
    dialog.fields["minutes"].setValue(90)
    choose(dialog.fields["evaluation"], "satisfied")
    dialog.fields["result"].setPlainText("更换了水管")
    save(dialog)
    order = ReportingOrder.get()
    assert (order.state, order.minutes, order.evaluation, order.done_on) == ("done", 90, "satisfied", TODAY)
    row = tab.current_order()
    assert (row.state_label, row.evaluation_label) == ("已完成", "满意")
    for button in (tab.assign_button, tab.accept_button, tab.complete_button, tab.cancel_button):
        assert not button.isEnabled()
    assert "完成 <b>1</b> 件" in tab.summary.text() and "服务 <b>1</b> 人次" in tab.summary.text()
    assert reporting.orders_done_by_member(dt.date(2026, 1, 1), TODAY) == {place["member"]: 1}
    tab.pages.setCurrentWidget(tab.members_page)
    assert tab.member_model.row_at(0).orders_done == 1

    # 反馈单 and the exports, on the worker pool
    letter = tmp_path / "反馈单.pdf"
    log.answer = False  # 关闭, not 打开文件
    monkeypatch.setattr(tab_module, "ask_save_path", lambda *_a: letter)
    tab.select_member(registration.id)
    task = tab.letter()
    qtbot.waitUntil(lambda: letter.exists() and bool(log.calls), timeout=20000)
    assert task is not None and letter.read_bytes().startswith(b"%PDF")
    for what, call in (("members", tab.export_members), ("orders", tab.export_orders)):
        target = tmp_path / f"{what}.xlsx"
        monkeypatch.setattr(tab_module, "ask_save_path", lambda *_a, t=target: t)
        before = len(log.calls)
        call()
        qtbot.waitUntil(lambda b=before: len(log.calls) > b, timeout=20000)
        sheet = load_workbook(target).worksheets[0]
        cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert ("张三" if what == "members" else "DD2026-0001") in cells
    assert [c[2].split("：")[0] for c in log.calls] == ["已生成反馈单", "已导出 1 条在职党员报到名册", "已导出 1 条三单制服务单"]


def test_a_viewer_sees_the_lists_but_no_action(qtbot, place, log):
    reporting.register_member({"member_id": place["member"], "work_unit": "区财政局", "community_id": place["community"],
                               "reported_on": TODAY}, today=TODAY)
    reporting.place_order({"content": "楼道灯坏了", "ordered_on": TODAY}, today=TODAY)
    with acting_as(Actor("viewer", "查看", "viewer")):
        tab = make_tab(qtbot)
        tab.select_order(ReportingOrder.get().id)
        for button in (tab.order_button, tab.assign_button, tab.cancel_button, tab.register_button):
            assert not button.isEnabled()
        assert tab.step("assign") is None and tab.place_order() is None and tab.register() is None
        tab.select_member(ReportingMember.get().id)
        assert tab.letter_button.isEnabled() and not tab.edit_button.isEnabled()


def test_the_filters_and_a_refused_step_shown_in_the_form(qtbot, place, log):
    reporting.register_member({"member_id": place["member"], "work_unit": "区财政局", "community_id": place["community"],
                               "reported_on": TODAY}, today=TODAY)
    first = reporting.place_order({"content": "楼道灯坏了", "ordered_on": TODAY}, today=TODAY)
    reporting.place_order({"content": "帮老人买菜", "ordered_on": TODAY}, today=TODAY)
    reporting.cancel_order(first, TODAY, "居民已自行解决", today=TODAY)
    tab = make_tab(qtbot)
    choose(tab.order_state_filter, "open")
    assert [r.content for r in tab.order_model.shown_rows()] == ["帮老人买菜"]
    choose(tab.order_state_filter, "cancelled")
    assert [r.content for r in tab.order_model.shown_rows()] == ["楼道灯坏了"]
    tab.order_bar.clear()
    assert tab.order_model.shown_count == 2
    tab.select_order(ReportingOrder.get(ReportingOrder.content == "帮老人买菜").id)
    dialog = tab.step("assign")
    choose(dialog.fields["branch_id"], place["branch"])
    set_checked(dialog.fields["member_ids"], [place["member"]])
    Branch.update(status="dissolved").where(Branch.id == place["branch"]).execute()  # meanwhile
    save(dialog)
    assert "已撤销，不能下单" in dialog.banner.text() and log.calls[-1][0] == "error"
    assert ReportingOrder.get(ReportingOrder.content == "帮老人买菜").state == "ordered"
