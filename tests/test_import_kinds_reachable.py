"""Every import kind of the registry (`wanghu_desk.kinds`) is reachable everywhere
(issue 18 point 4): the command line's `import` (and `export` where it exports), the
import dialog's kind list and option rows, the window's export actions; and a preview
classifies its rows once — not again when a filter changes or the clerk goes back to a
sheet already checked."""

from __future__ import annotations

import pytest
from conftest import DEMO_TODAY, SAMPLES
from PySide6.QtWidgets import QApplication

from reports import exports, importing
from ui import dialogs, export_actions, theme
from ui.import_dialog import ImportDialog
from ui.main_window import MainWindow
from wanghu_desk import cli, kinds
from wanghu_desk.services import imports as import_service


def _resolve_path(target: str):
    module, _, attr = target.partition(":")
    obj = kinds.resolve(f"{module}:{attr.split('.')[0]}")
    for part in attr.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("name", kinds.names())
def test_every_kind_is_a_cli_import_kind_with_its_options(name):
    spec = kinds.get(name)
    parser = cli.build_parser()
    argv = ["import", name, "x.xlsx"]
    for option in spec.options:
        value = option.values[0][0] if option.values else 2026
        argv += [option.flag, str(value)]
    args = parser.parse_args(argv)
    assert args.kind == name and name in cli.IMPORT_KINDS and name in importing.IMPORT_KINDS
    assert f"{name}（" in parser._subparsers._group_actions[0].choices["import"].format_help()
    for option in spec.options:
        assert getattr(args, option.name) is not None
    assert importing.resolve_options(name, {}) == {o.name: o.default for o in spec.options}
    assert spec.columns and any(c.required for c in spec.columns)
    # the code it names exists
    for target in (spec.normaliser, spec.classify, spec.commit):
        assert callable(kinds.resolve(target))


def test_an_option_the_kind_does_not_take_is_refused_naming_the_kinds_that_do():
    from wanghu_desk.errors import UsageError

    with pytest.raises(UsageError, match=r"年度（--year）只用于导入星级评定得分（ratings）和经费台账（ledger）"):
        importing.resolve_options("members", {"year": 2026})
    with pytest.raises(UsageError, match=r"事项类型（--matter-kind）只用于导入居民事项（matters）"):
        importing.resolve_options("ledger", {"matter_kind": "qr_report"})


def test_every_export_is_a_cli_export_and_reachable_from_the_window(qtbot, fresh_db, monkeypatch):
    commands = kinds.export_commands()
    assert list(commands) == cli.EXPORT_KINDS
    assert set(exports.EXPORT_KINDS) == set(kinds.roster_exports()) == set(export_actions.TITLES)
    parser = cli.build_parser()
    for command, spec in commands.items():
        argv = ["export", command, "--out", "x.xlsx"]
        if spec.export.arguments.get("year"):
            argv += ["--year", "2026"]
        assert parser.parse_args(argv).kind == command
        assert callable(_resolve_path(spec.export.window)), spec.export.window
        if spec.export.writer is not None:
            assert callable(kinds.resolve(spec.export.writer))

    # the window's 文件 → 导出 menu has one action per roster export, each exporting its kind
    started: list[str] = []
    monkeypatch.setattr(export_actions, "export_roster", lambda parent, kind, on_finished=None: started.append(kind))
    theme.apply_theme(QApplication.instance())
    window = MainWindow(fresh_db, today=lambda: DEMO_TODAY, demo_builder=None)
    qtbot.addWidget(window)
    texts = [a.text() for a in window.export_actions]
    for name, spec in kinds.roster_exports().items():
        assert f"{spec.export.title}…" in texts, name
    for action in window.export_actions:
        action.trigger()
    assert started == list(kinds.roster_exports())


def test_the_import_dialog_lists_every_kind_with_its_option_row(qtbot, fresh_db):
    dlg = ImportDialog(None)
    qtbot.addWidget(dlg)
    dlg.show()
    listed = [dlg.kind_combo.itemData(i) for i in range(dlg.kind_combo.count())]
    assert listed == list(kinds.names())
    for name in kinds.names():
        spec = kinds.get(name)
        dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData(name))
        shown = [o for o in spec.options if o.in_dialog]
        for kind, row in dlg.option_rows.items():
            assert dlg.form.isRowVisible(row) == (kind == name)
        if shown and not spec.no_choices:
            assert set(dlg.options) == {o.name for o in shown}
        if not spec.no_choices:  # the hint names the kind's required columns
            required = next(c.header for c in spec.columns if c.required)
            assert required in dlg.hint.text(), name
    dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData("matters"))
    assert dlg.options == {"matter_kind": "qr_report"}


def test_a_preview_classifies_once_per_file_kind_and_options(qtbot, fresh_db, monkeypatch):
    calls: list[tuple[str, int]] = []
    real = import_service._classify_branches

    def counting(records, options=None):
        calls.append(("branches", len(records)))
        return real(records, options)

    monkeypatch.setattr(import_service, "_classify_branches", counting)
    monkeypatch.setattr(dialogs, "inform", lambda *a, **k: None)
    dlg = ImportDialog(None, "branches")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.load_file(SAMPLES / "branches.xlsx")
    qtbot.waitUntil(lambda: dlg.task is None and dlg.preview is not None, timeout=20_000)
    assert calls == [("branches", 12)]
    dlg.only_problems.setChecked(True)
    dlg.only_problems.setChecked(False)
    dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData("members"))
    qtbot.waitUntil(lambda: dlg.task is None, timeout=20_000)
    dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData("branches"))
    qtbot.waitUntil(lambda: dlg.task is None and dlg.preview is not None, timeout=20_000)
    assert calls == [("branches", 12)]  # the same file, kind and options: the plan is reused
    assert dlg.preview.count(import_service.INSERT) == 12
    dlg.start_import(skip_invalid=False)
    qtbot.waitUntil(lambda: dlg.task is None and dlg.outcome is not None, timeout=20_000)
    assert dlg.outcome.inserted == 12 and calls == [("branches", 12)]  # the commit reads afresh, in its transaction
    assert dlg._previews == {}  # after an import every cached plan is dropped
