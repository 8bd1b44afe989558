"""Every roster export is reachable from the command line as from the window, and
`export services` writes the service records (issue 18: it used to be refused)."""

from __future__ import annotations

import shutil

from python_calamine import CalamineWorkbook

from reports import exports
from ui import export_actions
from wanghu_desk import cli


def test_every_roster_export_kind_is_a_cli_export_kind_and_has_a_window_title():
    assert set(exports.EXPORT_KINDS) <= set(cli.EXPORT_KINDS)
    assert set(cli.EXPORT_KINDS) - set(exports.EXPORT_KINDS) == {"rating", "ledger", "matters", "reporting"}
    assert set(exports.EXPORT_KINDS) <= set(export_actions.TITLES)


def test_export_services_writes_the_service_records(tmp_path, demo_template, capsys):
    db = tmp_path / "wanghu.db"
    shutil.copyfile(demo_template, db)
    out = tmp_path / "服务记录.xlsx"
    assert cli.main(["--db", str(db), "export", "services", "--out", str(out)]) == 0
    assert "已导出" in capsys.readouterr().out
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header = next(r for r in rows if "服务内容" in r)
    data = rows[rows.index(header) + 1:]
    assert len(data) > 10
    ids = [r[header.index("公民身份号码")] for r in data if r[header.index("公民身份号码")]]
    assert ids and all("*" in v for v in ids)  # masked unless --unmasked
