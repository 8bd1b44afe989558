"""The 志愿服务 tab driven through its real widgets (offscreen): create a team, add
volunteers (one of them a party member, linked by ID number), bulk-record an activity and
see the hours and the star level update; search by pinyin initials; the 24-hour limit
in the bulk dialog; the records filters; keys, context menus, empty states, a viewer's
disabled buttons, the certificate and the exports; every table model under pytest-qt's
model tester.

No test waits on a modal dialog: the tab opens its dialogs with `open()`, the tests fill
and click them; `ui.dialogs` is replaced by a recorder and the save-file question is
patched."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DEMO_TODAY
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication
from test_volunteers_factory import VIEWER, DialogLog, choose, install_dialog_log, make_id, type_text

from models import Branch, Member, ServiceRecord, Volunteer, VolunteerTeam
from ui import theme
from ui import volunteers_tab as tab_module
from ui.record_table_model import ID_ROLE, OBJECT_ROLE
from ui.volunteer_dialogs import BulkRecordDialog, ProjectDialog, RecordDialog, TeamDialog, VolunteerDialog
from ui.volunteer_list_page import PROJECTS_EMPTY, RECORDS_EMPTY, TEAMS_EMPTY, VOLUNTEERS_EMPTY
from ui.volunteer_table_models import (
    ProjectTableModel,
    ServiceRecordTableModel,
    TeamMemberTableModel,
    TeamTableModel,
    VolunteerPickModel,
    VolunteerTableModel,
)
from ui.volunteers_tab import VolunteersTab
from wanghu_desk.services import volunteers as vs
from wanghu_desk.services.base import acting_as

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def dialog_log(monkeypatch) -> DialogLog:
    return install_dialog_log(monkeypatch)


def open_tab(qtbot, today: dt.date = TODAY) -> VolunteersTab:
    theme.apply_theme(QApplication.instance())
    tab = VolunteersTab(today=lambda: today)
    qtbot.addWidget(tab)
    tab.resize(1400, 900)
    tab.refresh()
    tab.show()
    qtbot.waitExposed(tab)
    with qtbot.waitActive(tab):
        tab.activateWindow()
    return tab


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def cell(view, row: int, key: str) -> str:
    model = view.model()
    return model.data(model.index(row, model.column_index(key)))


def row_for(view, name: str) -> int:
    model = view.model()
    for r in range(model.rowCount()):
        row = model.row_at(r)
        if getattr(row, "name", None) == name or getattr(row, "volunteer", None) == name:
            return r
    raise AssertionError(f"{name} not shown")


def double_click(qtbot, view, index) -> None:
    """A real double click: a press first (Qt checks that the double click is on the
    pressed item), then the double-click event."""
    pos = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def search_for(qtbot, page, text: str) -> None:
    page.search.clear()
    page.apply_search()
    type_text(qtbot, page.search, text)
    qtbot.waitUntil(lambda: page.model.search_text == text, timeout=2000)


def shown_names(page) -> list[str]:
    return [r.name for r in page.model.shown_rows()]


# ---------------------------------------------------------------- the whole flow


def test_create_a_team_add_volunteers_bulk_record_and_see_hours_and_stars(qtbot, fresh_db, dialog_log):
    branch = Branch.create(name="望湖城北苑小区党支部", category="estate")
    member_id = make_id("19800202", male=False)
    Member.create(name="李四", id_number=member_id, branch=branch, gender="女")
    tab = open_tab(qtbot)
    teams = tab.teams_page
    assert teams.stack.currentWidget() is teams.empty_page and teams.empty_label.text() == TEAMS_EMPTY
    assert tab.status_text() == "还没有服务队"

    # A team, through its dialog.
    click(qtbot, teams.new_button)
    dialog = tab.current_dialog
    assert isinstance(dialog, TeamDialog) and dialog.isVisible()
    assert not dialog.save_button.isEnabled()  # no name yet
    type_text(qtbot, dialog.fields["name"], "护花志愿服务队")
    choose(dialog.fields["owner"], f"branch:{branch.id}")
    type_text(qtbot, dialog.fields["founded_on"], "2018-03-01")
    with qtbot.waitSignal(tab.data_changed):
        click(qtbot, dialog.save_button)
    team = VolunteerTeam.get()
    assert (team.name, team.branch_id, team.founded_on) == ("护花志愿服务队", branch.id, dt.date(2018, 3, 1))
    assert teams.stack.currentWidget() is teams.content and teams.current_id() == team.id
    assert tab.status_text() == "共 1 支服务队，显示 1 支"

    # Volunteers, added from the team: the team is ticked in their form.
    for name, id_number, phone in (("张三", "", "13855110001"), ("李四", member_id, ""), ("王五", "", "13855110003")):
        click(qtbot, teams.new_member_button)
        dialog = tab.current_dialog
        assert isinstance(dialog, VolunteerDialog) and dialog.team_ids() == [team.id]
        type_text(qtbot, dialog.fields["name"], name)
        if id_number:
            type_text(qtbot, dialog.fields["id_number"], id_number)
            assert dialog.member_label.isVisible() and "与党员「李四」" in dialog.member_label.text()
            assert dialog.fields["gender"].currentText() == "女" and "1980-02-02" in dialog.birth_label.text()
        if phone:
            type_text(qtbot, dialog.fields["phone"], phone)
        with qtbot.waitSignal(tab.data_changed):
            click(qtbot, dialog.save_button)
    assert Volunteer.select().count() == 3
    assert Volunteer.get(Volunteer.name == "李四").member_id == Member.get().id  # linked by the ID number
    assert sorted(r.name for r in teams.member_model.all_rows()) == ["张三", "李四", "王五"]
    assert "在队志愿者 3 名" in teams.member_title.text()

    # Bulk entry of one activity for the team.
    tab.pages.setCurrentWidget(teams)
    teams.select_id(team.id)
    click(qtbot, teams.bulk_button)
    bulk = tab.current_dialog
    assert isinstance(bulk, BulkRecordDialog) and bulk.fields["team_id"].currentData() == team.id
    assert bulk.picker.model.shown_count == 3 and not bulk.save_button.isEnabled()
    type_text(qtbot, bulk.fields["activity"], "修剪绿化")
    type_text(qtbot, bulk.fields["hours"], "2")
    click(qtbot, bulk.picker.all_button)
    assert bulk.picker.count_label.text().startswith("已勾选 3 人")
    assert bulk.save_button.text() == "保存（3 人，共 6 小时）"
    with qtbot.waitSignal(tab.data_changed):
        click(qtbot, bulk.save_button)
    assert ServiceRecord.select().count() == 3
    assert not bulk.isVisible() and tab.current_dialog is None
    row = row_for(teams.view, "护花志愿服务队")
    assert cell(teams.view, row, "quarter") == "6" and cell(teams.view, row, "year") == "6"
    assert cell(teams.member_view, row_for(teams.member_view, "张三"), "quarter") == "2"

    people = tab.volunteers_page
    tab.pages.setCurrentWidget(people)
    zs = row_for(people.view, "张三")
    assert cell(people.view, zs, "hours") == "2" and cell(people.view, zs, "star") == ""
    assert cell(people.view, row_for(people.view, "李四"), "member") == "是"

    # 张三 reaches 98 h on other days, then one more 2-hour activity makes him a star volunteer.
    zs_id = Volunteer.get(Volunteer.name == "张三").id
    for day in range(4):
        vs.create_record({"volunteer_id": zs_id, "served_on": dt.date(2026, 10, 1) + dt.timedelta(days=day),
                          "activity": "夜间巡逻", "hours": "24"}, today=TODAY)
    tab.refresh()
    zs = row_for(people.view, "张三")
    assert cell(people.view, zs, "hours") == "98" and cell(people.view, zs, "star") == ""
    assert "星级志愿者 <b>0</b> 名" in tab.summary.text()
    people.select_id(zs_id)
    assert "再服务 2 小时可达一星志愿者" in people.detail.text()

    bulk = tab.bulk_entry(team_id=team.id)
    type_text(qtbot, bulk.fields["activity"], "清理绿化带垃圾")
    type_text(qtbot, bulk.fields["hours"], "2")
    bulk.picker.model.set_checked([zs_id])
    with qtbot.waitSignal(tab.data_changed):
        click(qtbot, bulk.save_button)
    zs = row_for(people.view, "张三")
    assert cell(people.view, zs, "hours") == "100" and cell(people.view, zs, "star") == "★☆☆☆☆"
    assert "一星志愿者" in people.model.data(people.model.index(zs, people.model.column_index("star")),
                                           Qt.ItemDataRole.ToolTipRole)
    assert "星级志愿者 <b>1</b> 名" in tab.summary.text()
    assert "其中星级志愿者 1 名" in tab.status_text()


def test_search_volunteers_by_pinyin_initials_name_and_phone(qtbot, fresh_db):
    for name, phone in (("张三", "13855110001"), ("李四", "13855110002"), ("张晓明", "0551-65179666"),
                        ("曾少锋", "13855110004")):
        vs.create_volunteer({"name": name, "phone": phone}, today=TODAY)
    tab = open_tab(qtbot)
    page = tab.volunteers_page
    tab.pages.setCurrentWidget(page)
    search_for(qtbot, page, "zs")
    assert sorted(shown_names(page)) == sorted(["张三", "曾少锋"])
    assert tab.status_text().startswith("共 4 名志愿者，显示 2 名")
    search_for(qtbot, page, "zxm")
    assert shown_names(page) == ["张晓明"]
    search_for(qtbot, page, "李")
    assert shown_names(page) == ["李四"]
    search_for(qtbot, page, "65179666")
    assert shown_names(page) == ["张晓明"]
    search_for(qtbot, page, "xyz")
    assert shown_names(page) == [] and page.no_match.isVisible()
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Escape)  # Esc clears the search
    qtbot.waitUntil(lambda: page.model.shown_count == 4, timeout=2000)
    assert not page.no_match.isVisible()


def test_search_in_the_demo_by_initials(qtbot, demo_db):
    tab = open_tab(qtbot, DEMO_TODAY)
    page = tab.volunteers_page
    tab.pages.setCurrentWidget(page)
    target = page.model.all_rows()[10]
    search_for(qtbot, page, target.initials)
    assert target.name in shown_names(page)
    assert all(r.initials.startswith(target.initials) or target.initials in r.name for r in page.model.shown_rows())


# ---------------------------------------------------------------- hour limits in the dialogs


def test_bulk_dialog_refuses_a_day_beyond_24_hours_and_saves_nothing(qtbot, fresh_db, dialog_log):
    tid = vs.create_team({"name": "护花志愿服务队"}, today=TODAY)
    ids = [vs.create_volunteer({"name": n, "phone": f"1385511000{i}", "team_ids": [tid]}, today=TODAY)
           for i, n in enumerate(("张三", "李四"))]
    vs.create_record({"volunteer_id": ids[1], "served_on": TODAY, "activity": "巡逻", "hours": "23"}, today=TODAY)
    tab = open_tab(qtbot)
    bulk = tab.bulk_entry(team_id=tid)
    type_text(qtbot, bulk.fields["activity"], "入户走访")
    type_text(qtbot, bulk.fields["hours"], "1.5")
    click(qtbot, bulk.picker.all_button)
    assert not bulk.save_button.isEnabled()
    assert "李四（已登记 23 小时）" in bulk.error_text("volunteer_ids")
    before = ServiceRecord.select().count()
    bulk.save()  # even forced: nothing is written
    assert ServiceRecord.select().count() == before and bulk.isVisible()
    bulk.fields["hours"].clear()
    type_text(qtbot, bulk.fields["hours"], "0.3")
    assert "0.5 小时" in bulk.error_text("hours")
    bulk.fields["hours"].clear()
    type_text(qtbot, bulk.fields["hours"], "1")
    assert bulk.save_button.isEnabled()
    with qtbot.waitSignal(tab.data_changed):
        click(qtbot, bulk.save_button)
    assert ServiceRecord.select().count() == before + 2


def test_record_dialog_checks_the_day_total_and_edits_a_record(qtbot, fresh_db, dialog_log):
    vid = vs.create_volunteer({"name": "张三", "phone": "13855110001"}, today=TODAY)
    rid = vs.create_record({"volunteer_id": vid, "served_on": TODAY, "activity": "巡逻", "hours": "20"}, today=TODAY)
    tab = open_tab(qtbot)
    records = tab.records_page
    tab.pages.setCurrentWidget(records)
    dialog = records.new(volunteer_id=vid)
    assert isinstance(dialog, RecordDialog) and dialog.value("volunteer_id") == vid
    type_text(qtbot, dialog.fields["activity"], "送餐")
    type_text(qtbot, dialog.fields["hours"], "4.5")
    assert "已登记 20 小时" in dialog.error_text("hours") and not dialog.save_button.isEnabled()
    dialog.fields["hours"].clear()
    type_text(qtbot, dialog.fields["hours"], "4")
    with qtbot.waitSignal(tab.data_changed):
        click(qtbot, dialog.save_button)
    assert vs.day_minutes([vid], TODAY) == {vid: 1440}

    # Double-click edits; the record's own hours do not count against it.
    records.select_id(rid)
    index = records.model.index(records.model.row_of(rid), 1)
    double_click(qtbot, records.view, index)
    edit = tab.current_dialog
    assert isinstance(edit, RecordDialog) and edit.record_id == rid
    assert edit.fields["hours"].text() == "20" and edit.save_button.isEnabled()
    edit.fields["hours"].clear()
    type_text(qtbot, edit.fields["hours"], "19.5")
    with qtbot.waitSignal(tab.data_changed):
        click(qtbot, edit.save_button)
    assert ServiceRecord.get_by_id(rid).minutes == 1170


# ---------------------------------------------------------------- records filters


def test_records_filters_by_team_project_and_dates(qtbot, demo_db):
    tab = open_tab(qtbot, DEMO_TODAY)
    page = tab.records_page
    tab.pages.setCurrentWidget(page)
    quarter = vs.this_quarter(DEMO_TODAY)
    assert page.period_filter.currentData() == "quarter"
    assert all(quarter.start <= r.served_on <= quarter.end for r in page.model.shown_rows())
    assert page.model.shown_count == len(vs.list_records(vs.RecordFilter(start=quarter.start, end=quarter.end)))

    choose(page.period_filter, "all")
    assert page.model.shown_count == vs.record_count()
    team = next(t for t in vs.list_teams(today=DEMO_TODAY) if t.name == "护花志愿服务队")
    choose(page.team_filter, team.id)
    assert page.model.shown_count > 0 and {r.team for r in page.model.shown_rows()} == {"护花志愿服务队"}
    page.start_edit.setDate(page.start_edit.date().fromString("2026-07-01", "yyyy-MM-dd"))
    page.end_edit.setDate(page.end_edit.date().fromString("2026-09-30", "yyyy-MM-dd"))
    assert page.period_filter.currentData() == "custom"
    rows = page.model.shown_rows()
    assert rows and all(dt.date(2026, 7, 1) <= r.served_on <= dt.date(2026, 9, 30) for r in rows)
    minutes = sum(r.minutes for r in rows)
    assert tab.status_text() == f"显示 {len(rows):,} 条服务记录，合计 {vs.hours_text(minutes)} 小时"
    project = next(r.project_id for r in rows if r.project_id)
    choose(page.project_filter, project)
    assert {r.project_id for r in page.model.shown_rows()} == {project}
    click(qtbot, page.clear_button)
    assert page.model.shown_count == vs.record_count() and page.team_filter.currentIndex() == 0


def test_show_records_of_a_team_and_of_a_volunteer(qtbot, demo_db):
    tab = open_tab(qtbot, DEMO_TODAY)
    team = tab.teams_page.model.row_at(0)
    tab.show_records(team_id=team.id)
    assert tab.current_page() is tab.records_page
    assert {r.team_id for r in tab.records_page.model.shown_rows()} == {team.id}
    person = tab.volunteers_page.model.row_at(0)
    tab.show_records(volunteer_id=person.id)
    assert tab.records_page.volunteer_chip.isVisible() and person.name in tab.records_page.volunteer_chip.text()
    assert {r.volunteer_id for r in tab.records_page.model.shown_rows()} == {person.id}
    assert tab.records_page.model.shown_count == person.records
    click(qtbot, tab.records_page.volunteer_chip)
    assert not tab.records_page.volunteer_chip.isVisible()


# ---------------------------------------------------------------- keys, menus, empty states, rights


def test_empty_states_say_what_to_do(qtbot, fresh_db):
    tab = open_tab(qtbot)
    for page, text, status in ((tab.teams_page, TEAMS_EMPTY, "还没有服务队"),
                               (tab.volunteers_page, VOLUNTEERS_EMPTY, "还没有志愿者"),
                               (tab.records_page, RECORDS_EMPTY, "还没有服务记录"),
                               (tab.projects_page, PROJECTS_EMPTY, "还没有服务项目")):
        tab.pages.setCurrentWidget(page)
        assert page.stack.currentWidget() is page.empty_page and page.empty_label.text() == text
        assert tab.status_text() == status


def test_keyboard_shortcuts(qtbot, fresh_db, dialog_log):
    vid = vs.create_volunteer({"name": "张三", "phone": "13855110001"}, today=TODAY)
    rid = vs.create_record({"volunteer_id": vid, "served_on": TODAY, "activity": "巡逻", "hours": "2"}, today=TODAY)
    tab = open_tab(qtbot)
    expected = {0: TeamDialog, 1: VolunteerDialog, 2: RecordDialog, 3: ProjectDialog}
    for i, kind in expected.items():
        qtbot.keyClick(tab, Qt.Key(Qt.Key.Key_1 + i), Qt.KeyboardModifier.AltModifier)
        assert tab.pages.currentIndex() == i
        qtbot.keyClick(tab, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        assert isinstance(tab.current_dialog, kind), i
        tab.current_dialog.reject()
    qtbot.keyClick(tab, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert isinstance(tab.current_dialog, BulkRecordDialog)
    tab.current_dialog.reject()

    qtbot.keyClick(tab, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    records = tab.records_page
    qtbot.keyClick(tab, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert records.search.hasFocus()
    records.select_id(rid)
    records.view.setFocus()
    qtbot.keyClick(records.view, Qt.Key.Key_Return)
    assert isinstance(tab.current_dialog, RecordDialog) and tab.current_dialog.record_id == rid
    tab.current_dialog.reject()
    dialog_log.answer = True
    records.view.setFocus()
    with qtbot.waitSignal(tab.data_changed):
        qtbot.keyClick(records.view, Qt.Key.Key_Delete)
    assert dialog_log.texts("ask") and "删除张三" in dialog_log.texts("ask")[0]
    assert ServiceRecord.select().count() == 0


def test_context_menus_offer_the_actions(qtbot, demo_db):
    tab = open_tab(qtbot, DEMO_TODAY)

    def texts(page, row: int = 0) -> list[str]:
        menu = page.build_context_menu(page.model.index(row, 0))
        found = [a.text() for a in menu.actions() if a.text()]
        menu.deleteLater()
        return found

    assert {"编辑…", "批量登记本队活动…", "加入志愿者…", "查看本队服务记录", "停用服务队…"} <= set(texts(tab.teams_page))
    assert {"编辑…", "登记服务记录…", "查看服务记录", "开具时长证明…", "复制姓名"} <= set(texts(tab.volunteers_page))
    assert {"编辑…", "删除这条记录…", "查看志愿者"} <= set(texts(tab.records_page))
    assert {"编辑…", "查看服务记录", "停用项目"} <= set(texts(tab.projects_page))
    empty = tab.volunteers_page.build_context_menu(QModelIndex())
    assert [a.text() for a in empty.actions()] == ["新增志愿者…"]


def test_double_click_edits_a_team(qtbot, demo_db):
    tab = open_tab(qtbot, DEMO_TODAY)
    view = tab.teams_page.view
    index = view.model().index(1, 0)
    double_click(qtbot, view, index)
    dialog = tab.current_dialog
    assert isinstance(dialog, TeamDialog) and dialog.team_id == view.model().id_at(1)
    assert dialog.fields["name"].text() == view.model().row_at(1).name
    dialog.reject()


def test_a_viewer_sees_but_cannot_change(qtbot, demo_db):
    with acting_as(VIEWER):
        tab = open_tab(qtbot, DEMO_TODAY)
        tab.volunteers_page.select_id(tab.volunteers_page.model.id_at(0))
        for button in (tab.teams_page.new_button, tab.teams_page.edit_button, tab.teams_page.bulk_button,
                       tab.volunteers_page.new_button, tab.volunteers_page.edit_button,
                       tab.volunteers_page.import_button, tab.records_page.bulk_button,
                       tab.projects_page.new_button):
            assert not button.isEnabled(), button.objectName()
        assert tab.volunteers_page.certificate_button.isEnabled()  # reading is allowed
        qtbot.keyClick(tab, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        assert tab.current_dialog is None
        assert tab.bulk_entry() is None


def test_team_membership_from_the_teams_page(qtbot, fresh_db, dialog_log):
    vs.create_team({"name": "护花志愿服务队"}, today=TODAY)
    ids = [vs.create_volunteer({"name": n, "phone": f"1385511000{i}"}, today=TODAY)
           for i, n in enumerate(("张三", "李四"))]
    tab = open_tab(qtbot)
    page = tab.teams_page
    assert page.members_stack.currentWidget() is page.members_empty
    click(qtbot, page.join_button)
    join = tab.current_dialog
    assert join.picker.model.shown_count == 2 and not join.save_button.isEnabled()
    join.picker.model.set_checked(ids)
    assert join.save_button.text() == "加入（2 人）"
    with qtbot.waitSignal(tab.data_changed):
        click(qtbot, join.save_button)
    assert sorted(r.name for r in page.member_model.all_rows()) == ["张三", "李四"]
    type_text(qtbot, page.member_search, "李")
    assert [r.name for r in page.member_model.shown_rows()] == ["李四"]
    page.member_search.clear()
    page.member_view.selectRow(page.member_model.row_of(ids[0]))
    click(qtbot, page.leave_button)
    leave = tab.current_dialog
    with qtbot.waitSignal(tab.data_changed):
        click(qtbot, leave.save_button)
    assert [r.name for r in page.member_model.all_rows()] == ["李四"]
    dialog_log.answer = True
    page.set_active(False)
    assert not page.current_row().is_active and not page.bulk_button.isEnabled()
    assert page.model.data(page.model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None  # greyed


# ---------------------------------------------------------------- files from the tab


def test_certificate_and_exports_from_the_tab(qtbot, demo_db, tmp_path, monkeypatch, dialog_log):
    saved = iter([tmp_path / "证明.pdf", tmp_path / "teams.xlsx", tmp_path / "records.xlsx"])
    monkeypatch.setattr(tab_module, "ask_save_path", lambda *a, **k: next(saved))
    dialog_log.answer = False  # "打开文件？" — no
    tab = open_tab(qtbot, DEMO_TODAY)
    page = tab.volunteers_page
    tab.pages.setCurrentWidget(page)
    page.select_id(page.model.id_at(0))
    qtbot.keyClick(tab, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = tab.current_dialog
    assert dialog is not None and page.model.row_at(0).name in dialog.windowTitle()
    dialog.year_radio.setChecked(True)
    with qtbot.waitSignal(dialog.accepted):
        dialog._accept()
    # Each file, once written on its worker, is offered to be opened: wait for that question.
    qtbot.waitUntil(lambda: len(dialog_log.texts("ask")) == 1, timeout=20_000)
    assert (tmp_path / "证明.pdf").read_bytes().startswith(b"%PDF")

    assert tab.export_teams() is not None
    qtbot.waitUntil(lambda: len(dialog_log.texts("ask")) == 2, timeout=20_000)
    assert (tmp_path / "teams.xlsx").exists()
    tab.show_records(team_id=tab.teams_page.model.id_at(0))
    assert tab.export_shown_records(unmasked=False) is not None
    qtbot.waitUntil(lambda: len(dialog_log.texts("ask")) == 3, timeout=20_000)
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "records.xlsx").active
    assert sheet.max_row - 3 == tab.records_page.model.shown_count
    assert "已生成时长证明" in dialog_log.texts("ask")[0] and "服务记录" in dialog_log.texts("ask")[2]


# ---------------------------------------------------------------- the table models


@pytest.mark.parametrize("model_class", [TeamTableModel, VolunteerTableModel, ServiceRecordTableModel, ProjectTableModel,
                                         VolunteerPickModel])
def test_table_models_pass_the_model_tester(qtmodeltester, demo_db, model_class):
    model = model_class()
    rows = {
        TeamTableModel: lambda: vs.list_teams(today=DEMO_TODAY),
        VolunteerTableModel: lambda: vs.list_volunteers(today=DEMO_TODAY),
        VolunteerPickModel: lambda: vs.list_volunteers(today=DEMO_TODAY),
        ServiceRecordTableModel: lambda: vs.list_records(vs.RecordFilter(start=dt.date(2026, 10, 1))),
        ProjectTableModel: lambda: vs.list_projects(today=DEMO_TODAY),
    }[model_class]()[:60]  # the tester re-reads every cell after each change: a sample is enough
    model.set_rows(rows)
    qtmodeltester.check(model, force_py=True)  # stays connected: checks every change below
    assert model.rowCount() == len(rows) and model.columnCount() == len(model.COLUMNS)
    first = model.index(0, 0)
    assert model.data(first, OBJECT_ROLE) is model.row_at(0)
    assert model.data(first, ID_ROLE) == model.id_at(0)
    for column in range(model.columnCount()):
        model.sort(column, Qt.SortOrder.DescendingOrder)
        keys = model.keys_of(column)
        present = [k for k in (keys[id(model.row_at(r))] for r in range(model.rowCount())) if k is not None]
        assert present == sorted(present, reverse=True), model.COLUMNS[column].key
        empty = [r for r in range(model.rowCount()) if keys[id(model.row_at(r))] is None]
        assert empty == list(range(len(present), model.rowCount()))  # empty cells last
    model.set_search("z")
    assert model.rowCount() <= len(rows)
    model.set_search("")
    model.update_rows(rows[:1], removed=[model.id_at(model.rowCount() - 1)])
    assert model.rowCount() == len(rows) - 1


def test_team_member_model_and_pick_checks(qtmodeltester, demo_db):
    team = vs.list_teams(today=DEMO_TODAY)[0]
    model = TeamMemberTableModel()
    model.set_rows(vs.team_members(team.id, today=DEMO_TODAY))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == team.volunteers

    pick = VolunteerPickModel()
    pick.set_rows(vs.list_volunteers(today=DEMO_TODAY)[:20])
    qtmodeltester.check(pick, force_py=True)
    index = pick.index(3, 0)
    assert pick.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    assert pick.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert pick.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    checked = [pick.id_at(3)]
    assert pick.checked_ids() == checked
    pick.set_search("zzzz")  # hidden rows stay checked
    assert pick.rowCount() == 0 and pick.checked_ids() == checked
    pick.set_search("")
    pick.check_shown(True)
    assert len(pick.checked_ids()) == 20
    pick.clear_checks()
    assert pick.checked_ids() == []


def test_record_dialog_prefills_the_only_team_of_the_volunteer(qtbot, demo_db):
    rows = vs.list_volunteers(today=TODAY)
    active = {c.id for c in vs.team_choices()}
    one = next(r for r in rows if len([t for t in r.team_ids if t in active]) == 1)
    several = next(r for r in rows if len([t for t in r.team_ids if t in active]) > 1)
    (team_id,) = [t for t in one.team_ids if t in active]

    dialog = RecordDialog(None, volunteer_id=one.id, today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.fields["team_id"].currentData() == team_id

    blank = RecordDialog(None, today=TODAY)
    qtbot.addWidget(blank)
    combo = blank.fields["volunteer_id"]
    combo.setCurrentIndex(combo.findData(several.id))
    assert blank.fields["team_id"].currentData() is None  # two teams: the clerk chooses
    combo.setCurrentIndex(combo.findData(one.id))
    assert blank.fields["team_id"].currentData() == team_id
    assert blank.raw()["team_id"] == team_id


def test_the_volunteer_picker_shows_a_phone_or_says_it_is_missing(qtbot, demo_db):
    rows = vs.list_volunteers(today=TODAY)
    with_phone = next(r for r in rows[1:] if r.phone)
    Volunteer.update(phone=None, registration_no=None).where(Volunteer.id == rows[0].id).execute()
    dialog = RecordDialog(None, today=TODAY)
    qtbot.addWidget(dialog)
    combo = dialog.fields["volunteer_id"]
    assert combo.itemText(combo.findData(with_phone.id)) == f"{with_phone.name}　{with_phone.phone}"
    assert combo.itemText(combo.findData(rows[0].id)) == f"{rows[0].name}　未登记电话"
