"""Every dialog and tab of the program, opened on the demo database, and the checks that
they fit a small screen: the list that `test_ui_geometry.py` and `make screenshots` share.

`ENTRIES` names each dialog (and some of its states) with the class it opens and a
factory; `TABS` are the main window's tabs and the pages inside them. A QDialog subclass
of the `ui` package that no entry opens makes the coverage test fail, so a new dialog gets
checked as soon as it exists.

Run as a program (one process per screen, because the scale factor has to be set before
the QApplication starts) it opens everything and prints one JSON object: the problems
found, and with `--shots FOLDER` writes a PNG of each. The screen is a virtual one given to
Qt's offscreen platform: what Windows leaves for windows on a 1366×768 laptop (taskbar
excluded) and on a 1920×1080 screen at 150 %.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import inspect
import json
import os
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Screens as (physical width, physical height without the 40 px taskbar, scale factor).
SCREENS: dict[str, tuple[int, int, float]] = {
    "1366x768": (1366, 768 - 40, 1.0),
    "1920x1080@150": (1920, 1080 - 60, 1.5),
}
#: Logical pixels a Windows title bar and frame take above a window.
TITLE_BAR = 40
#: The demo database is pinned to this day (as the tests' DEMO_TODAY).
TODAY = dt.date(2026, 11, 22)


@dataclass(frozen=True)
class Entry:
    name: str  # file name of the screenshot and the key of problems
    cls: str  # "module.Class" the factory opens
    make: Callable[[Any], Any]  # ctx -> the dialog, not yet shown
    then: Callable[[Any], None] | None = None  # done to the shown dialog before the look (typing …)


def _first(model, *where):
    query = model.select()
    for w in where:
        query = query.where(w)
    return query.order_by(model.id).first()


# ---------------------------------------------------------------- the factories
# Each gets the context (`ctx.window`, the MainWindow on the demo database) and returns a dialog.


def _member_dialog(ctx, edit: bool):
    from models import Member
    from ui.member_dialog import MemberDialog

    member = _first(Member, Member.status == "active")
    return MemberDialog(ctx.window, member_id=member.id if edit else None, today=TODAY)


def _member_detail():
    from models import Member
    from wanghu_desk.services import members

    member = _first(Member, Member.status == "active")
    return members.member_detail(member.id)


def _member_action(cls_name: str, **kwargs):
    def make(ctx):
        from ui import member_dialog

        return getattr(member_dialog, cls_name)(ctx.window, _member_detail(), today=TODAY, **kwargs)

    return make


def _restore_dialog(ctx):
    from models import Member
    from ui.member_dialog import RestoreDialog
    from wanghu_desk.services import members

    gone = _first(Member, Member.status != "active")
    return RestoreDialog(ctx.window, members.member_detail(gone.id), today=TODAY)


def _confirm_dialog(ctx):
    from models import Member
    from ui.member_dialog import ConfirmDialog
    from wanghu_desk.services import members

    probationary = _first(Member, Member.status == "active", Member.category == "probationary")
    return ConfirmDialog(ctx.window, members.member_detail(probationary.id), today=TODAY)


def _org(cls_name: str, build: Callable[[], dict]):
    def make(ctx):
        from ui import org_edit_dialogs

        return getattr(org_edit_dialogs, cls_name)(ctx.window, **build())

    return make


def _community():
    from wanghu_desk.services import org_edit

    return {"community": org_edit.communities_tree()[0]}


def _organization():
    from models import Organization
    from wanghu_desk.services import org_edit

    org = _first(Organization, Organization.kind == "community_committee")
    return {"detail": org_edit.organization_detail(org.id)}


def _estate():
    from wanghu_desk.services import org_edit

    community = org_edit.communities_tree()[0]
    return {"estate": community.estates[0]}


def _building():
    from wanghu_desk.services import org_edit

    estate = org_edit.communities_tree()[0].estates[0]
    return {"estate_id": estate.id, "estate_name": estate.name, "building": estate.buildings[0]}


def _branch(edit: bool):
    def build():
        from models import Branch, Organization
        from wanghu_desk.services import org_edit

        if edit:
            branch = _first(Branch, Branch.category == "estate")
            return {"detail": org_edit.branch_detail(branch.id), "today": TODAY}
        org = _first(Organization, Organization.kind == "community_committee")
        return {"organization_id": org.id, "today": TODAY}

    return build


def _move_branch():
    from models import Branch
    from wanghu_desk.services import org_edit

    return {"detail": org_edit.branch_detail(_first(Branch, Branch.category == "estate").id)}


def _group(edit: bool):
    def build():
        from models import BuildingGroup
        from wanghu_desk.services import org_edit

        group = _first(BuildingGroup)
        detail = org_edit.group_detail(group.id)
        return {"branch_id": detail.branch_id, "detail": detail if edit else None}

    return build


def _move_group():
    from models import BuildingGroup
    from wanghu_desk.services import org_edit

    return {"detail": org_edit.group_detail(_first(BuildingGroup).id), "today": TODAY}


def _estate_role():
    from wanghu_desk.services import org_edit

    estate = org_edit.communities_tree()[0].estates[0]
    seats = org_edit.estate_roles(estate.id)
    return {"estate_id": estate.id, "estate_name": estate.name, "seat": seats[0] if seats else None, "today": TODAY}


def _volunteer(cls_name: str, build: Callable[[], dict] = dict):
    def make(ctx):
        from ui import volunteer_dialogs

        return getattr(volunteer_dialogs, cls_name)(ctx.window, today=TODAY, **build())

    return make


def _first_id(model_name: str) -> Callable[[], int]:
    def get() -> int:
        import models

        model = getattr(models, model_name)
        return _first(model).id

    return get


def _record_for_24h(ctx):
    from models import ServiceRecord
    from ui.volunteer_dialogs import RecordDialog

    record = _first(ServiceRecord)
    dialog = RecordDialog(ctx.window, volunteer_id=record.volunteer_id, today=TODAY)
    dialog.fields["served_on"].setDate(record.served_on)
    return dialog


def _type_24h(dialog) -> None:
    """Typed once the dialog is open: the message line appears under a shown form."""
    dialog.fields["activity"].setText("为独居老人送餐")
    dialog.fields["hours"].setText("24")


def _type_large_expense(dialog) -> None:
    dialog.amount.setText("2500")
    dialog.summary.setText("宴请")
    dialog.save()


def _leave_team(ctx):
    from models import TeamMembership
    from ui.volunteer_dialogs import LeaveTeamDialog

    link = _first(TeamMembership)
    return LeaveTeamDialog(ctx.window, team_id=link.team_id, volunteer_ids=[link.volunteer_id],
                           names=[link.volunteer.name], today=TODAY)


def _certificate(ctx):
    from ui.volunteer_dialogs import CertificateDialog

    return CertificateDialog(ctx.window, "张三", today=TODAY)


def _ledger_branch():
    from wanghu_desk.services import ledger

    return next(c for c in ledger.branch_choices() if c.category == "estate")


def _entry_dialog(kind: str):
    def make(ctx):
        from ui.ledger_dialogs import EntryDialog
        from wanghu_desk.services import ledger

        return EntryDialog(getattr(ledger, kind), _ledger_branch(), TODAY.year, today=TODAY, parent=ctx.window)

    return make


def _reversal(ctx):
    from ui.ledger_dialogs import ReversalDialog

    return ReversalDialog(_ledger_branch(), TODAY.year, today=TODAY, parent=ctx.window)


def _entry_detail(ctx):
    from ui.ledger_dialogs import EntryDetailDialog
    from wanghu_desk.services import ledger

    branch = _ledger_branch()
    row = ledger.ledger(branch.id, TODAY.year).rows[0]
    return EntryDetailDialog(row, branch.name, parent=ctx.window)


def _bulk_allocation(by_stars: bool, previewed: bool):
    def make(ctx):
        from ui.ledger_dialogs import BulkAllocationDialog

        dialog = BulkAllocationDialog(TODAY.year, today=TODAY, parent=ctx.window)
        if by_stars:
            dialog.star_radio.setChecked(True)
        if previewed:
            dialog.handler.setText("王芳")
            dialog.approver.setText("李明")
            dialog.top_up.setChecked(False)
            dialog.preview()
        return dialog

    return make


def _funds(ctx):
    from ui.ledger_dialogs import FundsDialog

    return FundsDialog(parent=ctx.window)


def _scheme(ctx):
    from ui.rating_scheme_dialog import RatingSchemeDialog
    from wanghu_desk.services import rating

    return RatingSchemeDialog(ctx.window, rating.scheme_for_year(TODAY.year - 1).id, year=TODAY.year - 1)


def _publicity(ctx):
    from ui.rating_tab import PublicityDialog

    return PublicityDialog(ctx.window, TODAY, 5)


def _new_round(ctx):
    from ui.rating_tab import NewRoundDialog

    return NewRoundDialog(ctx.window, TODAY.year, True)


def _import(kind: str | None):
    def make(ctx):
        from ui.import_dialog import ImportDialog

        return ImportDialog(ctx.window, kind)

    return make


def _export(kind: str):
    def make(ctx):
        from ui.export_actions import ExportOptionsDialog
        from wanghu_desk.services import ledger

        return ExportOptionsDialog(ctx.window, kind, [c.name for c in ledger.branch_choices()])

    return make


def _progress(ctx):
    from ui.workers import ProgressDialog

    return ProgressDialog("正在导入花名册…", ctx.window, True)


def _login(cls_name: str, **kwargs):
    def make(ctx):
        from ui import login_dialog

        return getattr(login_dialog, cls_name)(ctx.window, **kwargs)

    return make


def _backup(ctx):
    from ui.backup_dialog import BackupDialog

    return BackupDialog(ctx.window, restore_file=lambda *_a: None, restore_other=lambda: None,
                        run=lambda *_a, **_k: None)


def _reporting(cls_name: str, state: str | None = None):
    """A dialog of the 双报到 tab; the step forms open on an order in `state`."""

    def make(ctx):
        from models.reporting import ReportingOrder
        from ui import reporting_dialogs

        cls = getattr(reporting_dialogs, cls_name)
        if state is None:
            return cls(ctx.window, today=TODAY) if cls_name == "OrderDialog" else cls(ctx.window)
        order = ReportingOrder.select().where(ReportingOrder.state == state).order_by(ReportingOrder.id).first()
        return cls(ctx.window, order_id=order.id, today=TODAY)

    return make


def _matter(cls_name: str, pick=None):
    """A dialog of the 事项 tab; `pick` finds the matter (the step forms need one)."""

    def make(ctx):
        from models import Matter
        from ui import matter_dialogs

        cls = getattr(matter_dialogs, cls_name)
        if pick is None:
            return cls(ctx.window, today=TODAY)
        return cls(ctx.window, matter_id=pick(Matter).id, today=TODAY)

    return make


def _deliberation_at(state: str):
    return lambda Matter: _first(Matter, Matter.kind == "deliberation", Matter.state == state)


def _account(ctx):
    from ui.system_tab import AccountDialog

    return AccountDialog(ctx.window)


V = "ui.volunteer_dialogs."
ORG = "ui.org_edit_dialogs."
L = "ui.ledger_dialogs."
M = "ui.member_dialog."

ENTRIES: list[Entry] = [
    Entry("member_new", M + "MemberDialog", lambda ctx: _member_dialog(ctx, edit=False)),
    Entry("member_edit", M + "MemberDialog", lambda ctx: _member_dialog(ctx, edit=True)),
    Entry("member_leave", M + "LeaveDialog", _member_action("LeaveDialog")),
    Entry("member_transfer", M + "TransferDialog", _member_action("TransferDialog")),
    Entry("member_confirm", M + "ConfirmDialog", _confirm_dialog),
    Entry("member_restore", M + "RestoreDialog", _restore_dialog),
    Entry("org_community", ORG + "CommunityDialog", _org("CommunityDialog", _community)),
    Entry("org_organization", ORG + "OrganizationDialog", _org("OrganizationDialog", _organization)),
    Entry("org_estate", ORG + "EstateDialog", _org("EstateDialog", _estate)),
    Entry("org_building", ORG + "BuildingDialog", _org("BuildingDialog", _building)),
    Entry("org_branch_new", ORG + "BranchDialog", _org("BranchDialog", _branch(edit=False))),
    Entry("org_branch_edit", ORG + "BranchDialog", _org("BranchDialog", _branch(edit=True))),
    Entry("org_move_branch", ORG + "MoveBranchDialog", _org("MoveBranchDialog", _move_branch)),
    Entry("org_group_new", ORG + "GroupDialog", _org("GroupDialog", _group(edit=False))),
    Entry("org_group_edit", ORG + "GroupDialog", _org("GroupDialog", _group(edit=True))),
    Entry("org_move_group", ORG + "MoveGroupDialog", _org("MoveGroupDialog", _move_group)),
    Entry("org_estate_role", ORG + "EstateRoleDialog", _org("EstateRoleDialog", _estate_role)),
    Entry("volunteer_team", V + "TeamDialog", _volunteer("TeamDialog")),
    Entry("volunteer_team_edit", V + "TeamDialog",
          _volunteer("TeamDialog", lambda: {"team_id": _first_id("VolunteerTeam")()})),
    Entry("volunteer_new", V + "VolunteerDialog", _volunteer("VolunteerDialog")),
    Entry("volunteer_edit", V + "VolunteerDialog",
          _volunteer("VolunteerDialog", lambda: {"volunteer_id": _first_id("Volunteer")()})),
    Entry("volunteer_project", V + "ProjectDialog", _volunteer("ProjectDialog")),
    Entry("volunteer_record", V + "RecordDialog", _volunteer("RecordDialog")),
    Entry("volunteer_record_24h", V + "RecordDialog", _record_for_24h, then=_type_24h),
    Entry("volunteer_bulk_record", V + "BulkRecordDialog", _volunteer("BulkRecordDialog")),
    Entry("volunteer_join_team", V + "JoinTeamDialog",
          _volunteer("JoinTeamDialog", lambda: {"team_id": _first_id("VolunteerTeam")()})),
    Entry("volunteer_leave_team", V + "LeaveTeamDialog", _leave_team),
    Entry("volunteer_certificate", V + "CertificateDialog", _certificate),
    Entry("ledger_allocation", L + "EntryDialog", _entry_dialog("ALLOCATION")),
    Entry("ledger_expense", L + "EntryDialog", _entry_dialog("EXPENSE")),
    Entry("ledger_expense_messages", L + "EntryDialog", _entry_dialog("EXPENSE"), then=_type_large_expense),
    Entry("ledger_reversal", L + "ReversalDialog", _reversal),
    Entry("ledger_entry_detail", L + "EntryDetailDialog", _entry_detail),
    Entry("ledger_bulk_flat", L + "BulkAllocationDialog", _bulk_allocation(by_stars=False, previewed=True)),
    Entry("ledger_bulk_stars", L + "BulkAllocationDialog", _bulk_allocation(by_stars=True, previewed=False)),
    Entry("ledger_bulk_stars_preview", L + "BulkAllocationDialog", _bulk_allocation(by_stars=True, previewed=True)),
    Entry("ledger_funds", L + "FundsDialog", _funds),
    Entry("rating_scheme", "ui.rating_scheme_dialog.RatingSchemeDialog", _scheme),
    Entry("rating_publicity", "ui.rating_tab.PublicityDialog", _publicity),
    Entry("rating_new_round", "ui.rating_tab.NewRoundDialog", _new_round),
    Entry("import_members", "ui.import_dialog.ImportDialog", _import("members")),
    Entry("import_any", "ui.import_dialog.ImportDialog", _import(None)),
    Entry("export_members", "ui.export_actions.ExportOptionsDialog", _export("members")),
    Entry("progress", "ui.workers.ProgressDialog", _progress),
    Entry("login_setup", "ui.login_dialog.SetupDialog", _login("SetupDialog")),
    Entry("login", "ui.login_dialog.LoginDialog", _login("LoginDialog", username="admin")),
    Entry("login_password", "ui.login_dialog.PasswordDialog", _login("PasswordDialog")),
    Entry("backup", "ui.backup_dialog.BackupDialog", _backup),
    Entry("system_account", "ui.system_tab.AccountDialog", _account),
    Entry("matter_new", "ui.matter_dialogs.MatterDialog", _matter("MatterDialog")),
    Entry("reporting_register", "ui.reporting_dialogs.RegisterDialog", _reporting("RegisterDialog")),
    Entry("reporting_order", "ui.reporting_dialogs.OrderDialog", _reporting("OrderDialog")),
    Entry("reporting_assign", "ui.reporting_dialogs.AssignDialog", _reporting("AssignDialog", "ordered")),
    Entry("reporting_accept", "ui.reporting_dialogs.AcceptDialog", _reporting("AcceptDialog", "assigned")),
    Entry("reporting_complete", "ui.reporting_dialogs.CompleteDialog", _reporting("CompleteDialog", "accepted")),
    Entry("reporting_cancel", "ui.reporting_dialogs.CancelDialog", _reporting("CancelDialog", "ordered")),
    Entry("matter_step_decide", "ui.matter_dialogs.StepDialog", _matter("StepDialog", _deliberation_at("deliberate"))),
    Entry("matter_step_act", "ui.matter_dialogs.StepDialog", _matter("StepDialog", _deliberation_at("decide"))),
    Entry("matter_escalate", "ui.matter_dialogs.EscalateDialog", _matter(
        "EscalateDialog", lambda Matter: _first(Matter, Matter.closed_on.is_null(), Matter.level == "estate",
                                                Matter.kind == "opinion"))),
    Entry("matter_reopen", "ui.matter_dialogs.ReopenDialog", _matter(
        "ReopenDialog", lambda Matter: _first(Matter, Matter.kind == "qr_report", Matter.closed_on.is_null(False)))),
]


def dialog_classes() -> set[str]:
    """Every concrete QDialog subclass defined in the `ui` package ("module.Class"); a
    class that other dialogs of the package derive from is a base, not a dialog."""
    from PySide6.QtWidgets import QDialog

    import ui

    for info in pkgutil.iter_modules(ui.__path__):
        importlib.import_module(f"ui.{info.name}")
    found: dict[str, type] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("ui."):
                found[f"{sub.__module__}.{sub.__qualname__}"] = sub
            walk(sub)

    walk(QDialog)
    bases = {name for name, cls in found.items()
             if any(other is not cls and issubclass(other, cls) for other in found.values())}
    return {name for name, cls in found.items() if name not in bases and not inspect.isabstract(cls)}


# ---------------------------------------------------------------- the checks


def _path(widget) -> str:
    parts = []
    while widget is not None and not widget.isWindow():
        parts.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(parts))


def _in_scroll_area(widget, top) -> bool:
    from PySide6.QtWidgets import QAbstractScrollArea

    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _inside(widget, kind, top) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, kind):
            return True
        parent = parent.parentWidget()
    return False


def _visible_rect(widget, top):
    """The part of `widget` its ancestors leave visible, in `top`'s coordinates."""
    from PySide6.QtCore import QPoint, QRect

    rect = QRect(widget.mapTo(top, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        rect = rect.intersected(QRect(parent.mapTo(top, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.intersected(top.rect())


def problems_of(top, screen_rect) -> list[str]:
    """What does not fit: the window beyond the screen (a title bar's height kept free),
    a button out of sight, a text cut off."""
    from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel, QPushButton, QRadioButton, QStatusBar

    found = []
    if top.width() > screen_rect.width() or top.height() + TITLE_BAR > screen_rect.height():
        found.append(f"窗口 {top.width()}×{top.height()} 超出屏幕可用区域 "
                     f"{screen_rect.width()}×{screen_rect.height() - TITLE_BAR}")
    for button in top.findChildren(QAbstractButton):
        if not button.isVisibleTo(top) or _in_scroll_area(button, top):
            continue
        if type(button).__name__ in ("QToolButton",) and not button.text():
            continue  # the arrows of spin boxes, tab scrollers
        seen = _visible_rect(button, top)
        if seen.width() < button.width() or seen.height() < button.height():
            found.append(f"按钮「{button.text()}」（{_path(button)}）不完全可见")
    for widget in top.findChildren(QLabel) + top.findChildren(QPushButton) + top.findChildren(QCheckBox) \
            + top.findChildren(QRadioButton):
        if not widget.isVisibleTo(top) or not widget.text() or widget.width() <= 0:
            continue
        if _inside(widget, QStatusBar, top):
            continue  # the status bar's texts give way to each other by design
        if isinstance(widget, QLabel):
            if widget.pixmap() is not None and not widget.pixmap().isNull():
                continue
            if widget.wordWrap():
                need_h = widget.heightForWidth(widget.width())
                if need_h > widget.height() + 1:
                    found.append(f"文字「{widget.text()[:30]}」（{_path(widget)}）被截断：高 {widget.height()}，需要 {need_h}")
                continue
            hint = widget.minimumSizeHint()
        else:
            hint = widget.minimumSizeHint()
        if widget.width() + 1 < hint.width() or widget.height() + 1 < min(hint.height(), widget.fontMetrics().height()):
            found.append(f"文字「{widget.text()[:30]}」（{_path(widget)}）被截断："
                         f"{widget.width()}×{widget.height()}，需要 {hint.width()}×{hint.height()}")
    return found


# ---------------------------------------------------------------- running


class Context:
    def __init__(self, window):
        self.window = window


def _settle(app) -> None:
    for _ in range(3):
        app.processEvents()


def _tabs(window) -> list[tuple[str, Callable[[], None]]]:
    """(name, show) for each main tab and each page of a tab widget inside it."""
    from PySide6.QtWidgets import QTabWidget

    out = []
    for i, (key, page, _title) in enumerate(window.pages):
        out.append((f"tab_{key}", lambda i=i: window.tabs.setCurrentIndex(i)))
        for inner in page.findChildren(QTabWidget):
            for j in range(1, inner.count()):
                out.append((f"tab_{key}_{inner.objectName() or 'tabs'}_{j}",
                            lambda i=i, inner=inner, j=j: (window.tabs.setCurrentIndex(i), inner.setCurrentIndex(j))))
    return out


def run(db_path: Path, shots: Path | None) -> dict[str, list[str]]:
    """Open everything on the database at `db_path`; {name: problems}."""
    from PySide6.QtWidgets import QApplication, QDialog

    from ui import dialogs, theme
    from wanghu_desk import database

    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply_theme(app)
    for name in ("ask", "inform", "warn", "error", "crash"):  # nothing may wait on a click
        setattr(dialogs, name, lambda *a, **k: False)
    handle = database.open_database(db_path, backups_dir=db_path.parent / "backups")
    from ui.main_window import MainWindow

    screen = app.primaryScreen().availableGeometry()
    window = MainWindow(handle, demo_builder=None, today=lambda: TODAY)
    window.show()
    _settle(app)
    result: dict[str, list[str]] = {}

    def look(name: str, top) -> None:
        _settle(app)
        result[name] = problems_of(top, screen)
        if os.environ.get("UI_CATALOGUE_SIZES"):
            result[name].append(f"size {top.width()}x{top.height()} screen {screen.width()}x{screen.height()}")
        if shots is not None:
            top.grab().save(str(shots / f"{name}.png"))

    for name, show in _tabs(window):
        show()
        look(name, window)
    ctx = Context(window)
    for entry in ENTRIES:
        try:
            dialog = entry.make(ctx)
        except Exception as exc:  # noqa: BLE001 - reported as a problem of this entry
            result[entry.name] = [f"打不开：{type(exc).__name__}: {exc}"]
            continue
        opened = f"{type(dialog).__module__}.{type(dialog).__qualname__}"
        dialog.show()
        if entry.then is not None:
            _settle(app)
            entry.then(dialog)
        look(entry.name, dialog)
        if opened != entry.cls:
            result[entry.name].append(f"打开的是 {opened}，不是 {entry.cls}")
        if isinstance(dialog, QDialog):
            dialog.reject()
        dialog.close()
        dialog.deleteLater()
    window.close()
    database.close_database()
    return result


def screen_environment(name: str, folder: Path) -> dict[str, str]:
    """The environment of a child process on the virtual screen `name`."""
    width, height, scale = SCREENS[name]
    config = folder / f"screen-{name}.json"
    config.write_text(json.dumps({"screens": [{"name": name, "x": 0, "y": 0, "width": width, "height": height,
                                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    env["QT_SCALE_FACTOR"] = str(scale)
    env.pop("QT_SCREEN_SCALE_FACTORS", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--shots", type=Path)
    args = parser.parse_args(argv)
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(args.db, args.shots), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
