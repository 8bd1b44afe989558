"""Small builders for the member and organisation tests (imported by the other
test_members_* / test_org_edit* / test_ui_* modules), and a check that they build what
they say."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from wanghu_desk.services import members, org_edit
from wanghu_desk.services.base import Actor
from wanghu_desk.validation import id_check_char, validate_id_number

TODAY = dt.date(2026, 11, 22)
CLERK = Actor(username="clerk1", display_name="录入员", role="clerk")
VIEWER = Actor(username="viewer1", display_name="查看员", role="viewer")

_serial = itertools.count(101)


def make_id(birth: str = "19850701", *, area: str = "340104", male: bool = True, seq: int | None = None) -> str:
    """A valid 18-character ID number (GB 11643) for the given birth date."""
    n = next(_serial) if seq is None else seq
    body = f"{n % 100:02d}"
    sex = ((n // 100) % 5) * 2 + (1 if male else 0)  # unique for 500 numbers per birth date
    first17 = f"{area}{birth}{body}{sex}"
    number = first17 + id_check_char(first17)
    assert validate_id_number(number, today=TODAY).ok
    return number


@dataclass
class Org:
    community: int
    committee: int
    other_committee: int
    estate: int
    buildings: list[int]
    branch: int
    other_branch: int
    group: int
    other_group: int


def make_org() -> Org:
    """One working committee, two community committees, an estate with six buildings,
    two branches (the first serving the estate) and two groups in the first branch."""
    from models import Organization

    top = Organization.create(name="中共测试街道工作委员会", area_name="测试街道", kind="working_committee")
    community = org_edit.create_community({"name": "望湖社区", "address": "望湖路88号", "phone": "0551-65179666"})
    other_community = org_edit.create_community({"name": "南湖社区"})
    committee = org_edit.create_organization({"name": "中共望湖社区委员会", "community_id": community})
    other = org_edit.create_organization({"name": "中共南湖社区委员会", "community_id": other_community})
    assert Organization.get_by_id(committee).parent_id == top.id
    estate = org_edit.create_estate(
        {
            "name": "望湖城北苑",
            "community_id": community,
            "kind": "commercial",
            "households": "1200",
            "property_company": "合肥望湖物业服务有限公司",
        }
    )
    buildings = org_edit.add_buildings(estate, "1-6")
    branch = org_edit.create_branch(
        {
            "name": "望湖城北苑小区党支部",
            "category": "estate",
            "organization_id": committee,
            "community_id": community,
            "estate_ids": [estate],
            "secretary": "王建国",
            "founded_on": "2020-05-04",
        },
        today=TODAY,
    )
    other_branch = org_edit.create_branch(
        {
            "name": "南湖社区离退休党员党支部",
            "category": "functional",
            "organization_id": other,
            "community_id": other_community,
        },
        today=TODAY,
    )
    group = org_edit.create_group(branch, {"name": "1-2栋党小组", "building_ids": buildings[:2]})
    other_group = org_edit.create_group(branch, {"name": "3栋党小组", "building_ids": buildings[2:3]})
    return Org(community, committee, other, estate, buildings, branch, other_branch, group, other_group)


def member_form(branch: int, **overrides) -> dict:
    form = {
        "name": "张三",
        "id_number": make_id(),
        "ethnicity": "汉族",
        "education": "大学本科",
        "category": "full",
        "joined_on": "2010-07-01",
        "confirmed_on": "2011-07-01",
        "branch_id": branch,
        "phone": "13855110000",
        "address": "望湖城北苑1栋1单元101室",
    }
    form.update(overrides)
    return form


def add_member(branch: int, **overrides) -> int:
    return members.create_member(member_form(branch, **overrides), today=TODAY)


# ---------------------------------------------------------------- UI helpers


class DialogLog:
    """Stands in for `ui.dialogs`: records every message; `answer` is what `ask` returns
    (None: a question is a test failure). No test ever waits on a modal box."""

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

    def texts(self, kind: str) -> list[str]:
        return [text for k, _title, text in self.calls if k == kind]


def record_dialogs(monkeypatch) -> DialogLog:
    """Replace `ui.dialogs` for one test (each UI test module makes a fixture of it)."""
    from ui import dialogs

    log = DialogLog()
    monkeypatch.setattr(dialogs, "ask", log.ask)
    for kind in ("inform", "warn", "error"):
        monkeypatch.setattr(dialogs, kind, log.notice(kind))
    monkeypatch.setattr(dialogs, "crash", lambda parent=None, log_path=None: log.calls.append(("crash", "", "")))
    return log


def type_text(qtbot, widget, text: str) -> None:
    """Type into a line edit as a clerk does: Latin keys one by one, Chinese words
    committed by the input method (QTest only knows Latin-1 keys)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for part in _runs(text):
        if part.isascii():
            qtbot.keyClicks(widget, part)
        else:
            event = QInputMethodEvent()
            event.setCommitString(part)
            QApplication.sendEvent(widget, event)


def _runs(text: str) -> list[str]:
    out: list[str] = []
    for ch in text:
        if out and out[-1][-1].isascii() == ch.isascii():
            out[-1] += ch
        else:
            out.append(ch)
    return out


def themed(qtbot, widget):
    """Track `widget` for closing (and deleting: a test leaves no widgets behind) and give
    the application the program's look once (re-applying a stylesheet re-polishes every
    widget alive, which grows slow over a long test session)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from ui import theme

    app = QApplication.instance()
    if theme.ACCENT not in app.styleSheet():
        theme.apply_theme(app)
    widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    qtbot.addWidget(widget)
    return widget


def choose(combo, data) -> None:
    """Pick the item whose data is `data`, as a click in the drop-down does."""
    index = combo.findData(data)
    assert index >= 0, (combo.objectName(), data)
    combo.setCurrentIndex(index)


def test_the_builders_build_a_consistent_little_organisation(fresh_db):
    org = make_org()
    mid = add_member(org.branch, group_id=org.group)
    row = members.roster_row(mid)
    assert row[members.R_BRANCH] == org.branch and row[members.R_GROUP] == org.group
    assert len(org.buildings) == 6
    assert make_id("20000229").startswith("340104" + "20000229")
