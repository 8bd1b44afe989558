"""Small builders and UI helpers for the volunteer tests (imported by test_volunteers*.py
and test_ui_volunteers*.py), kept here so that those tests depend on no other area's
test helpers; and a check that they build what they say."""

from __future__ import annotations

import itertools

from wanghu_desk.services.base import Actor
from wanghu_desk.validation import id_check_char, validate_id_number

CLERK = Actor(username="clerk1", display_name="录入员", role="clerk")
VIEWER = Actor(username="viewer1", display_name="查看员", role="viewer")

_serial = itertools.count(301)


def make_id(birth: str = "19850701", *, area: str = "340104", male: bool = True) -> str:
    """A valid 18-character ID number (GB 11643) for the given birth date."""
    n = next(_serial)
    sex = ((n // 100) % 5) * 2 + (1 if male else 0)
    first17 = f"{area}{birth}{n % 100:02d}{sex}"
    return first17 + id_check_char(first17)


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


def install_dialog_log(monkeypatch) -> DialogLog:
    """Replace `ui.dialogs` by a `DialogLog` for one test (use in a fixture)."""
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
    runs: list[str] = []
    for ch in text:
        if runs and runs[-1][-1].isascii() == ch.isascii():
            runs[-1] += ch
        else:
            runs.append(ch)
    for part in runs:
        if part.isascii():
            qtbot.keyClicks(widget, part)
        else:
            event = QInputMethodEvent()
            event.setCommitString(part)
            QApplication.sendEvent(widget, event)


def choose(combo, data) -> None:
    """Pick the item whose data is `data`, as a click in the drop-down does."""
    index = combo.findData(data)
    assert index >= 0, (combo.objectName(), data)
    combo.setCurrentIndex(index)


def test_the_builders_make_valid_distinct_id_numbers():
    numbers = {make_id("19850701", male=i % 2 == 0) for i in range(300)}
    assert len(numbers) == 300
    assert all(validate_id_number(n).ok for n in numbers)
    assert make_id("20000229").startswith("34010420000229")
