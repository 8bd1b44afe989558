"""The residents' matters 台账 in Excel (issue 13 point 5): per kind from the command line
(`export matters --kind 扫码报事`) and from the 事项 tab's 导出台账, print-ready, phones
masked unless an administrator asks (and then audited); and the audit event of every
export with full ID numbers (issue 13/18: `services.exports._show_ids`)."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest
from conftest import DEMO_TODAY
from python_calamine import CalamineWorkbook
from test_volunteers_factory import install_dialog_log

from models import AuditEvent, Matter
from reports import exports
from reports.matters_export import write_matters_workbook
from ui import matters_tab as tab_module
from ui.matters_tab import MattersTab
from wanghu_desk import cli
from wanghu_desk.errors import PermissionDenied, UsageError
from wanghu_desk.services import matters
from wanghu_desk.services.base import Actor, acting_as

CLERK = Actor("clerk", "录入员", "clerk")


def _sheet(path, index=0):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(index).to_python()


def _table(rows):
    header = next(r for r in rows if "工单编号" in r)
    return header, rows[rows.index(header) + 1:]


def test_cli_exports_the_qr_reports_register_with_masked_phones(tmp_path, demo_template, capsys):
    db = tmp_path / "wanghu.db"
    shutil.copyfile(demo_template, db)
    out = tmp_path / "扫码报事台账.xlsx"
    assert cli.main(["--db", str(db), "export", "matters", "--kind", "扫码报事", "--out", str(out)]) == 0
    assert "件居民事项到" in capsys.readouterr().out
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["扫码报事"]
    rows = _sheet(out)
    assert "扫码报事台账" in rows[0][0] and "按时办结率" in rows[1][0]
    header, data = _table(rows)
    assert header[:4] == ["序号", "登记编号", "工单编号", "事项类型"]
    assert len(data) > 100 and {r[header.index("事项类型")] for r in data} == {"扫码报事"}
    phones = [r[header.index("联系电话")] for r in data if r[header.index("联系电话")]]
    assert phones and all("*" in p for p in phones)
    # print-ready: landscape A4, the header row repeated on every page
    ws = openpyxl.load_workbook(out)["扫码报事"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3"
    assert ws.column_dimensions["L"].width >= 30  # 反映内容 is wide enough to read


def test_every_kind_gets_its_sheet_and_admins_may_ask_for_full_phones(demo_db, tmp_path):
    result = write_matters_workbook(tmp_path / "全部.xlsx", today=DEMO_TODAY)
    assert set(result.sheets) == {"扫码报事", "社情民意", "议事协商", "矛盾调解", "微心愿"}
    assert result.rows == Matter.select().count() and result.masked
    before = AuditEvent.select().where(AuditEvent.action == "export").count()
    full = write_matters_workbook(tmp_path / "完整.xlsx", matter_kind="qr_report", unmasked=True, today=DEMO_TODAY)
    header, data = _table(_sheet(full.path))
    stored = {m.number: m.raiser_phone for m in Matter.select().where(Matter.kind == "qr_report")}
    assert all(r[header.index("联系电话")] == stored[r[header.index("登记编号")]] for r in data
               if r[header.index("联系电话")])
    event = AuditEvent.select().where(AuditEvent.action == "export").order_by(AuditEvent.id.desc()).get()
    assert AuditEvent.select().where(AuditEvent.action == "export").count() == before + 1
    assert (event.entity, event.note) == ("matters", f"导出完整电话号码：{full.rows} 行")
    with acting_as(CLERK), pytest.raises(PermissionDenied):
        write_matters_workbook(tmp_path / "不行.xlsx", unmasked=True)
    with pytest.raises(UsageError, match="不认识的事项类型"):
        write_matters_workbook(tmp_path / "x.xlsx", matter_kind="买菜")


def test_an_unmasked_roster_export_is_audited_with_the_kind_and_the_row_count(demo_db, tmp_path):
    plain = exports.export("volunteers", tmp_path / "志愿者.xlsx")
    assert not AuditEvent.select().where(AuditEvent.action == "export").exists()
    assert plain.masked
    result = exports.export("volunteers", tmp_path / "志愿者完整.xlsx", unmasked=True)
    event = AuditEvent.get(AuditEvent.action == "export")
    assert (event.entity, event.note) == ("volunteers", f"导出完整身份证号：{result.rows} 行")
    assert result.rows == plain.rows > 0
    assert json.loads(event.after_json) == {"rows": result.rows, "unmasked": True}
    with acting_as(CLERK), pytest.raises(PermissionDenied):
        exports.export("services", tmp_path / "服务.xlsx", unmasked=True)
    assert AuditEvent.select().where(AuditEvent.action == "export").count() == 1


def test_the_matters_tab_exports_the_filtered_kind(qtbot, demo_db, monkeypatch, tmp_path):
    log = install_dialog_log(monkeypatch)
    log.answer = False
    tab = MattersTab(today=lambda: DEMO_TODAY)
    qtbot.addWidget(tab)
    tab.refresh()
    assert tab.export_button.isEnabled() and tab.export_button.menu() is not None
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData("wish"))
    target = tmp_path / "心愿"
    monkeypatch.setattr(tab_module, "ask_save_path", lambda *a: target)
    task = tab.export_register()
    assert task is not None
    done = target.with_name("心愿.xlsx")
    qtbot.waitUntil(lambda: done.exists() and any(c[0] == "ask" for c in log.calls), timeout=20_000)
    assert CalamineWorkbook.from_path(str(done)).sheet_names == ["微心愿"]
    header = next(r for r in _sheet(done) if "认领" in r)
    wishes = len(matters.list_matters(kind="wish", today=DEMO_TODAY))
    assert len(_sheet(done)) - _sheet(done).index(header) - 1 == wishes
