"""ID numbers are masked for every account but an administrator, on every surface that
shows one (issue 12, point 2): the 党员 roster, its detail pane and history, the member
dialog, the volunteers list, detail line and dialog, the import preview, the 志愿服务时长证明
PDF, and the messages about a number already registered. A clerk who saves a form without
touching the masked number keeps the stored one; typing a whole new number is allowed
and checked. The import itself stores the whole number whoever runs it."""

from __future__ import annotations

import re
import sqlite3

import pytest
from conftest import DEMO_TODAY
from messy_roster import make_messy_roster
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_volunteers_factory import CLERK, VIEWER, install_dialog_log, make_id, type_text

from models import Member, Volunteer
from ui import theme
from ui.import_table_model import ImportTableModel
from ui.member_dialog import MemberDialog
from ui.members_tab import _detail_html
from ui.volunteer_dialogs import VolunteerDialog
from ui.volunteers_tab import VolunteersTab
from wanghu_desk import validation
from wanghu_desk.services import audit_log, members
from wanghu_desk.services import volunteers as vs
from wanghu_desk.services.base import SYSTEM_ADMIN, acting_as

FULL_ID = re.compile(r"(?<![0-9*])[0-9]{17}[0-9X](?![0-9])")
ROLES = {"clerk": CLERK, "viewer": VIEWER, "admin": SYSTEM_ADMIN}
NON_ADMINS = ["clerk", "viewer"]


def _shown(full: str, role: str) -> str:
    return full if role == "admin" else validation.mask_id_number(full)


def _member() -> Member:
    return Member.select().where(Member.status == "active").order_by(Member.id).first()


# ---------------------------------------------------------------- 党员


@pytest.mark.parametrize("role", [*NON_ADMINS, "admin"])
def test_the_roster_detail_pane_and_history_show_the_number_by_role(demo_db, role):
    someone = _member()
    old = someone.id_number
    new = old[:14] + ("123" if old[14:17] != "123" else "124")
    new += validation.id_check_char(new)
    members.update_member(someone.id, {**members.member_detail(someone.id).values, "id_number": new},
                          today=DEMO_TODAY)  # an administrator corrects the number: history holds both
    with acting_as(ROLES[role]):
        roster = members.load_roster()
        assert roster.ids_visible == (role == "admin")
        shown = {r[members.R_ID]: r[members.R_ID_NUMBER] for r in roster.rows}
        assert shown[someone.id] == _shown(new, role)
        if role != "admin":
            assert not [n for n in shown.values() if FULL_ID.search(n)]
        (row,) = members.roster_rows([someone.id])
        assert row[members.R_ID_NUMBER] == _shown(new, role)

        detail = members.member_detail(someone.id, today=DEMO_TODAY)
        history = audit_log.history("member", someone.id)
        pane = _detail_html(detail, history)
        assert detail.values["id_number"] == _shown(new, role)
        changed = [c for entry in history for c in entry.changes if c.field == "id_number"]
        assert changed and (changed[0].before, changed[0].after) == (_shown(old, role), _shown(new, role))
        assert _shown(new, role) in pane
        assert (new in pane) == (role == "admin")
        if role != "admin":
            assert not FULL_ID.search(pane) and not FULL_ID.search(str([e.changes for e in history]))


def test_a_clerk_editing_a_member_sees_the_masked_number_and_saving_keeps_the_stored_one(qtbot, demo_db):
    someone = _member()
    stored = someone.id_number
    with acting_as(CLERK):
        dialog = MemberDialog(None, member_id=someone.id, today=DEMO_TODAY)
        qtbot.addWidget(dialog)
        id_edit = dialog.fields["id_number"]
        assert id_edit.text() == validation.mask_id_number(stored) and stored not in id_edit.text()
        assert "只有管理员" in id_edit.toolTip()
        dialog.fields["phone"].setText("13955160000")  # another field changed, the number untouched
        assert dialog.check.ok, dialog.check.errors
        dialog.save()
        assert dialog.result() == MemberDialog.DialogCode.Accepted
    fresh = Member.get_by_id(someone.id)
    assert fresh.id_number == stored and fresh.phone == "13955160000"


def test_a_clerk_may_type_a_whole_new_number_which_is_checked(qtbot, demo_db):
    someone = _member()
    with acting_as(CLERK):
        dialog = MemberDialog(None, member_id=someone.id, today=DEMO_TODAY)
        qtbot.addWidget(dialog)
        id_edit = dialog.fields["id_number"]
        wrong = someone.id_number[:17] + ("0" if someone.id_number[17] != "0" else "1")  # a bad check digit
        id_edit.clear()
        type_text(qtbot, id_edit, wrong)
        assert not dialog.check.ok and "校验" in dialog.error_text("id_number")
        dialog.save()
        assert Member.get_by_id(someone.id).id_number == someone.id_number

        other = Member.select().where(Member.id != someone.id).first()
        id_edit.clear()
        type_text(qtbot, id_edit, validation.mask_id_number(other.id_number))  # someone else's mask: no
        assert not dialog.check.ok and dialog.error_text("id_number")

        new = make_id(someone.birth_date.strftime("%Y%m%d"), male=someone.gender == "男")
        id_edit.clear()
        type_text(qtbot, id_edit, new)
        assert dialog.check.ok, dialog.check.errors
        dialog.save()
        assert dialog.result() == MemberDialog.DialogCode.Accepted
    assert Member.get_by_id(someone.id).id_number == new


def test_an_administrator_sees_and_keeps_the_whole_number_in_the_dialog(qtbot, demo_db):
    someone = _member()
    dialog = MemberDialog(None, member_id=someone.id, today=DEMO_TODAY)
    qtbot.addWidget(dialog)
    assert dialog.fields["id_number"].text() == someone.id_number


def test_the_message_about_a_number_already_registered_does_not_quote_it(demo_db):
    first, second = Member.select().order_by(Member.id).limit(2)
    for actor in (CLERK, SYSTEM_ADMIN):
        with acting_as(actor):
            raw = {**members.member_detail(second.id).values, "id_number": first.id_number}
            check = members.check_member(raw, member_id=second.id, today=DEMO_TODAY)
            assert "已经登记过" in check.errors["id_number"] and not FULL_ID.search(check.errors["id_number"])


# ---------------------------------------------------------------- 志愿者


@pytest.fixture
def volunteer_with_id(demo_db) -> Volunteer:
    return Volunteer.select().where(Volunteer.id_number.is_null(False)).order_by(Volunteer.id).first()


@pytest.mark.parametrize("role", [*NON_ADMINS, "admin"])
def test_the_volunteers_list_and_form_values_show_the_number_by_role(volunteer_with_id, role):
    full = volunteer_with_id.id_number
    with acting_as(ROLES[role]):
        rows = vs.list_volunteers(today=DEMO_TODAY)
        (row,) = [r for r in rows if r.id == volunteer_with_id.id]
        assert row.id_number == _shown(full, role)
        assert vs.volunteer_values(volunteer_with_id.id)["id_number"] == _shown(full, role)
        if role != "admin":
            assert not [r for r in rows if FULL_ID.search(r.id_number)]
            # a clerk still finds the person by typing the digits shown …
            assert row in vs.search_volunteers(rows, full[-4:])
            # … but not by the hidden ones
            assert row not in vs.search_volunteers(rows, full[6:14])


@pytest.mark.parametrize("role", NON_ADMINS)
def test_the_volunteers_page_detail_line_is_masked(qtbot, volunteer_with_id, monkeypatch, role):
    install_dialog_log(monkeypatch)
    theme.apply_theme(QApplication.instance())
    with acting_as(ROLES[role]):
        tab = VolunteersTab(today=lambda: DEMO_TODAY)
        qtbot.addWidget(tab)
        tab.refresh()
        page = tab.volunteers_page
        page.load()
        assert page.select_id(volunteer_with_id.id)
        page.selection_changed()
        text = page.detail.text()
    assert validation.mask_id_number(volunteer_with_id.id_number) in text
    assert volunteer_with_id.id_number not in text and not FULL_ID.search(text)


def test_the_message_about_a_volunteer_number_already_registered_does_not_quote_it(volunteer_with_id):
    with acting_as(CLERK):
        check = vs.check_volunteer({"name": "另一个人", "id_number": volunteer_with_id.id_number}, today=DEMO_TODAY)
    message = check.errors["id_number"]
    assert volunteer_with_id.name in message and not FULL_ID.search(message)


def test_a_clerk_saving_the_volunteer_dialog_keeps_the_stored_number(qtbot, volunteer_with_id):
    stored = volunteer_with_id.id_number
    with acting_as(CLERK):
        dialog = VolunteerDialog(None, volunteer_id=volunteer_with_id.id, today=DEMO_TODAY)
        qtbot.addWidget(dialog)
        assert dialog.fields["id_number"].text() == validation.mask_id_number(stored)
        assert "只有管理员" in dialog.fields["id_number"].toolTip()
        dialog.fields["skills"].setText("理发、量血压")
        assert dialog.recheck().ok
        dialog.save()
    fresh = Volunteer.get_by_id(volunteer_with_id.id)
    assert fresh.id_number == stored and fresh.skills == "理发、量血压"


def test_the_certificate_pdf_prints_only_the_masked_number(volunteer_with_id, tmp_path):
    from pypdf import PdfReader

    from reports.volunteer_certificate import write_certificate

    for actor, name in ((SYSTEM_ADMIN, "admin.pdf"), (CLERK, "clerk.pdf")):
        with acting_as(actor):
            path = write_certificate(volunteer_with_id.id, tmp_path / name, today=DEMO_TODAY)
        text = "".join(page.extract_text() for page in PdfReader(path).pages)
        compact = re.sub(r"\s+", "", text)
        assert validation.mask_id_number(volunteer_with_id.id_number) in compact
        assert volunteer_with_id.id_number not in compact and not FULL_ID.search(compact)


# ---------------------------------------------------------------- 导入预览


@pytest.fixture
def roster_file(demo_db, tmp_path):
    with sqlite3.connect(demo_db.path) as con:
        branches = [n for (n,) in con.execute("SELECT name FROM branch WHERE status = 'active' LIMIT 6")]
    path = tmp_path / "花名册.xlsx"
    make_messy_roster(path, 60, branches, seed=3)
    book = load_workbook(path)
    sheet = book.active
    first = [c.value for c in sheet[3]]  # the first data row, below the title and the header
    sheet.append(first)  # the same person twice
    wrong = list(first)
    wrong[5] = str(first[5]).strip()[:17] + ("0" if str(first[5]).strip()[17:] != "0" else "1")
    sheet.append(wrong)  # a bad check digit
    book.save(path)
    return path


def _id_cells(model: ImportTableModel) -> list[str]:
    column = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "公民身份号码")
    return [model.index(r, column).data() for r in range(model.rowCount())]


@pytest.mark.parametrize("role", NON_ADMINS)
def test_the_import_preview_masks_id_cells_and_the_import_stores_whole_numbers(qtmodeltester, roster_file, role):
    from reports import importing

    with acting_as(CLERK):
        result = importing.preview(roster_file, "members", today=DEMO_TODAY)
    full = [r.record["id_number"] for r in result.valid_rows]
    assert len(full) >= 5

    with acting_as(ROLES[role]):
        model = ImportTableModel()
        model.set_preview(result)
        cells = _id_cells(model)
        qtmodeltester.check(model)
    assert not [c for c in cells if FULL_ID.search(c)]
    assert validation.mask_id_number(full[0]) in cells

    model = ImportTableModel()  # an administrator sees the file as it is
    model.set_preview(result)
    assert full[0] in _id_cells(model)

    # No problem message of the preview quotes a whole number (duplicates, bad check digits …)
    messages = [p.message for row in result.rows for p in row.problems]
    assert any("重复" in m for m in messages) and not [m for m in messages if FULL_ID.search(m)]

    if role == "clerk":
        with acting_as(CLERK):
            assert importing.commit(result, skip_invalid=True).committed
        stored = set(Member.select(Member.id_number).where(Member.id_number.in_(full)).tuples())
        assert {n for (n,) in stored} == set(full)


def test_a_clerk_may_still_find_a_member_by_typing_the_whole_number(demo_db):
    someone = _member()
    with acting_as(CLERK):
        roster = members.load_roster()
        found = members.search_rows(roster.rows, someone.id_number, roster=roster)
    assert [r[members.R_ID] for r in found] == [someone.id]
    assert found[0][members.R_ID_NUMBER] == validation.mask_id_number(someone.id_number)

