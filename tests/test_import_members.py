"""Importing members: every cell through the shared validation, problems reported with
the Excel row number and the header as written, and the commit (upsert by ID number,
all or nothing, valid rows only, backup, one audit event, rollback on cancel)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest

from models import (
    AuditEvent,
    Branch,
    BranchAlias,
    BuildingGroup,
    Community,
    Member,
    MemberTransfer,
    db,
)
from reports import importing
from wanghu_desk.errors import UsageError, ValidationError
from wanghu_desk.validation import id_check_char

TODAY = dt.date(2026, 11, 22)
HEADER = ["序号", "姓名", "性别", "公民身份号码", "出生日期", "入党日期", "人员类别", "所在党支部", "联系电话",
          "工作单位及职务", "备注"]


def make_id(birth: str, seq: str = "123", area: str = "340104") -> str:
    first17 = f"{area}{birth}{seq}"
    return first17 + id_check_char(first17)


ID_A = make_id("19850701", "123")  # 17th digit 3: 男
ID_B = make_id("19900315", "224")  # 4: 女
ID_C = make_id("19700101", "011")  # 1: 男
ID_D = make_id("19621231", "046")  # 6: 女


@pytest.fixture
def branches(fresh_db):
    c = Community.create(name="望湖社区")
    a = Branch.create(name="银杏苑小区党支部", full_name="中共合肥市包河区望湖街道望湖社区银杏苑小区支部委员会",
                      category="estate", community=c, sort_order=1)
    b = Branch.create(name="枫林湾小区党支部", category="estate", community=c, sort_order=2)
    BranchAlias.create(branch=a, alias="银杏苑党支部")
    BuildingGroup.create(branch=a, name="1栋党小组", sort_order=1)
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"a": a, "b": b, "handle": fresh_db}


def write_xlsx(path: Path, rows: list[list], *, title: str | None = None, sheet: str = "Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def member_row(i: int, name: str, id_number, branch="银杏苑小区党支部", **extra) -> list:
    values = {"性别": None, "出生日期": None, "入党日期": None, "人员类别": "正式党员", "联系电话": "13800000000",
              "工作单位及职务": None, "备注": None, **extra}
    return [i, name, values["性别"], id_number, values["出生日期"], values["入党日期"], values["人员类别"], branch,
            values["联系电话"], values["工作单位及职务"], values["备注"]]


def preview(path: Path, sheet=None):
    return importing.preview(path, "members", sheet, today=TODAY)


def problems(result, level="error") -> list[tuple]:
    items = result.errors if level == "error" else result.warnings
    return [(p.row, p.column, p.value) for p in items]


def db_fingerprint(path: Path) -> tuple[str, list[str]]:
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return digest, list(db.connection().iterdump())


# ---------------------------------------------------------------- cells


def test_every_date_format_of_the_spec(branches, tmp_path):
    formats = [
        dt.date(1985, 7, 1), "1985-07-01", "1985/7/1", "1985.07.01", "1985.07", "1985年7月", "1985年7月1日",
        "19850701", 1985.07,
    ]
    rows = [HEADER] + [member_row(i + 1, "张三", make_id("19600101", f"{i:02d}1"), 入党日期=value)
                       for i, value in enumerate(formats)]
    rows.append(member_row(99, "李四", make_id("19600101", "991"), 入党日期=1985.1))
    result = preview(write_xlsx(tmp_path / "dates.xlsx", rows))
    assert result.errors == []
    joined = [r.record["joined_on"] for r in result.rows]
    assert joined == [dt.date(1985, 7, 1)] * len(formats) + [dt.date(1985, 1, 1)]
    assert [(p.row, p.column) for p in result.warnings] == [(11, "入党日期")]
    assert "10 月" in result.warnings[0].message


def test_full_width_text_spaces_and_empty_markers(branches, tmp_path):
    full_width_id = ID_A[:-1].translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}) + ID_A[-1]
    rows = [HEADER, member_row(1, "张\u3000三", full_width_id, branch=" 银杏苑\u00a0小区党支部 ",
                               联系电话="１３８ ００００ ００００", 工作单位及职务="无", 备注="—")]
    result = preview(write_xlsx(tmp_path / "fw.xlsx", rows))
    assert result.errors == [] and result.warnings == []
    rec = result.rows[0].record
    assert rec["name"] == "张三" and rec["id_number"] == ID_A and rec["phone"] == "13800000000"
    assert rec["branch_id"] == branches["a"].id
    assert "employer" not in rec and "note" not in rec
    assert rec["gender"] == "男" and rec["birth_date"] == dt.date(1985, 7, 1)  # derived from the ID


def test_id_problems_each_reported_at_its_cell(branches, tmp_path):
    bad_checksum = ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")
    rows = [
        HEADER,
        member_row(1, "甲", ID_A),
        member_row(2, "乙", float(ID_B[:-1] + "0") if ID_B[-1] != "X" else 3.4e17),  # stored by Excel as a number
        member_row(3, "丙", bad_checksum),
        member_row(4, "丁", ID_A),  # duplicate of row 2
        member_row(5, "戊", "340104********1234"),
        member_row(6, "己", None),
        member_row(7, "庚", ID_C.lower().replace("x", "x")),
    ]
    result = preview(write_xlsx(tmp_path / "ids.xlsx", rows))
    errors = {p.row: p for p in result.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert all(p.column == "公民身份号码" for p in errors.values())
    assert "存成了数字" in errors[3].message and "文本" in errors[3].message
    assert "校验码错误" in errors[4].message
    assert errors[5].message.startswith("与第 2 行的公民身份号码重复") and errors[5].value == ID_A
    assert "星号" in errors[6].message and "校验码" not in errors[6].message
    assert errors[6].value == "340104********1234"
    assert errors[7].message == "公民身份号码为空，请填写。"
    assert [r.row for r in result.valid_rows] == [2, 8]


def test_fifteen_digit_id_is_upgraded_with_a_warning_and_lowercase_x(branches, tmp_path):
    first17 = "34010419850701123"
    check = id_check_char(first17)
    with_x = next(make_id("19850701", f"{n:03d}") for n in range(1000) if make_id("19850701", f"{n:03d}")[-1] == "X")
    rows = [HEADER, member_row(1, "甲", "340104850701123"), member_row(2, "乙", with_x.lower())]
    result = preview(write_xlsx(tmp_path / "old.xlsx", rows))
    assert result.errors == []
    assert result.rows[0].record["id_number"] == first17 + check
    assert problems(result, "warning") == [(2, "公民身份号码", "340104850701123")]
    assert result.rows[1].record["id_number"] == with_x


def test_gender_and_birth_contradictions_are_warnings_and_the_id_wins(branches, tmp_path):
    rows = [HEADER, member_row(1, "甲", ID_A, 性别="女", 出生日期="1985-07-02")]
    result = preview(write_xlsx(tmp_path / "g.xlsx", rows))
    assert result.errors == []
    assert sorted((p.row, p.column) for p in result.warnings) == [(2, "出生日期"), (2, "性别")]
    assert result.rows[0].record["gender"] == "男"
    assert result.rows[0].record["birth_date"] == dt.date(1985, 7, 1)


def test_branch_by_short_name_full_name_alias_and_unknown_with_a_suggestion(branches, tmp_path):
    rows = [
        HEADER,
        member_row(1, "甲", ID_A, branch="银杏苑小区党支部"),
        member_row(2, "乙", ID_B, branch="中共合肥市包河区望湖街道望湖社区银杏苑小区支部委员会"),
        member_row(3, "丙", ID_C, branch="银杏苑党支部"),
        member_row(4, "丁", ID_D, branch="枫林弯小区党支部"),
    ]
    result = preview(write_xlsx(tmp_path / "b.xlsx", rows))
    assert [r.record.get("branch_id") for r in result.rows[:3]] == [branches["a"].id] * 3
    assert problems(result) == [(5, "所在党支部", "枫林弯小区党支部")]
    assert "是不是「枫林湾小区党支部」" in result.errors[0].message


def test_names_phones_categories_and_flags(branches, tmp_path):
    header = ["姓名", "公民身份号码", "所在党支部", "联系电话", "人员类别", "党籍状态", "流动党员", "党员中心户", "民族", "学历"]
    rows = [
        header,
        ["张 三", ID_A, "银杏苑小区党支部", "0551-65179666", "预备", "在册", "是", "否", "汉", "本科"],
        [None, ID_B, "银杏苑小区党支部", "1385623479", "候补", "离开", "也许", None, "火星族", "博士后"],
    ]
    result = preview(write_xlsx(tmp_path / "n.xlsx", rows))
    first = result.rows[0].record
    assert first["name"] == "张三" and first["name_initials"] == "zs"
    assert (first["phone"], first["category"], first["status"]) == ("0551-65179666", "probationary", "active")
    assert (first["is_floating"], first["is_center_household"]) == (True, False)
    assert (first["ethnicity"], first["education"]) == ("汉族", "大学本科")
    assert sorted(problems(result), key=lambda p: header.index(p[1])) == [
        (3, "姓名", None), (3, "联系电话", "1385623479"), (3, "人员类别", "候补"), (3, "党籍状态", "离开"),
        (3, "流动党员", "也许"),
    ]
    assert problems(result, "warning") == [(3, "民族", "火星族"), (3, "学历", "博士后")]


def test_missing_required_column_blocks_the_whole_file(branches, tmp_path):
    rows = [["姓名", "所在党支部", "联系电话"], ["甲", "银杏苑小区党支部", "13800000000"]]
    result = preview(write_xlsx(tmp_path / "no-id.xlsx", rows))
    assert result.blocked and result.valid_rows == []
    assert [(p.row, p.column) for p in result.errors] == [(1, None)]
    assert "缺少「公民身份号码」列" in result.errors[0].message
    outcome = importing.run(tmp_path / "no-id.xlsx", "members", today=TODAY)
    assert not outcome.committed and Member.select().count() == 0


def test_unknown_and_duplicate_columns_are_warnings(branches, tmp_path):
    rows = [["姓名", "身份证号", "公民身份号码", "所在党支部", "籍贯"], ["甲", ID_A, ID_A, "银杏苑小区党支部", "合肥"]]
    result = preview(write_xlsx(tmp_path / "cols.xlsx", rows))
    assert result.errors == []
    assert [(p.row, p.column) for p in result.warnings] == [(1, "籍贯"), (1, "公民身份号码")]


# ---------------------------------------------------------------- sheets


def test_all_sheets_and_one_sheet(branches, tmp_path):
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "银杏苑"
    first.append(["姓名", "公民身份号码", "所在党支部"])
    first.append(["甲", ID_A, "银杏苑小区党支部"])
    second = wb.create_sheet("枫林湾")
    second.append(["枫林湾小区党员名单"])
    second.append(["姓名", "身份证号", "党支部"])
    second.append(["乙", ID_B, "枫林湾小区党支部"])
    second.append(["丙", ID_A, "枫林湾小区党支部"])
    notes = wb.create_sheet("填表说明")
    notes.append(["请用黑色字体填写"])
    wb.create_sheet("空表")
    wb.save(tmp_path / "multi.xlsx")

    everything = preview(tmp_path / "multi.xlsx")
    assert everything.sheets == ["银杏苑", "枫林湾"]
    assert [(r.sheet, r.row) for r in everything.rows] == [("银杏苑", 2), ("枫林湾", 3), ("枫林湾", 4)]
    assert [(p.sheet, p.row, p.column) for p in everything.errors] == [("枫林湾", 4, "身份证号")]
    assert "工作表「银杏苑」第 2 行" in everything.errors[0].message
    assert {p.message[:8] for p in everything.file_problems} == {"在工作表「填表说", "工作表「空表」是"}

    one = preview(tmp_path / "multi.xlsx", "枫林湾")
    assert one.sheets == ["枫林湾"] and one.header_row == 2 and one.errors == []
    with pytest.raises(UsageError, match="没有名为「三」的工作表"):
        preview(tmp_path / "multi.xlsx", "三")
    with pytest.raises(UsageError, match="找不到党员花名册的表头"):
        preview(tmp_path / "multi.xlsx", "填表说明")
    with pytest.raises(UsageError, match="是空的"):
        preview(tmp_path / "multi.xlsx", "空表")


# ---------------------------------------------------------------- commit


def test_upsert_insert_then_unchanged_then_updated(branches, tmp_path):
    rows = [HEADER, member_row(1, "甲", ID_A), member_row(2, "乙", ID_B, 备注="党员中心户候选")]
    path = write_xlsx(tmp_path / "m.xlsx", rows)
    first = importing.run(path, "members", today=TODAY)
    assert (first.committed, first.inserted, first.updated, first.unchanged) == (True, 2, 0, 0)
    stored = Member.get(Member.id_number == ID_B)
    assert (stored.name, stored.name_initials, stored.gender, stored.note) == ("乙", "y", "女", "党员中心户候选")
    assert stored.branch_id == branches["a"].id and stored.status == "active" and stored.category == "full"

    again = importing.run(path, "members", today=TODAY)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)

    rows[2] = member_row(2, "乙", ID_B, 联系电话="13900000000", 备注=None)  # an empty cell erases nothing
    third = importing.run(write_xlsx(tmp_path / "m2.xlsx", rows), "members", today=TODAY)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 1)
    stored = Member.get(Member.id_number == ID_B)
    assert stored.phone == "13900000000" and stored.note == "党员中心户候选"


def test_new_group_is_created_and_a_move_records_a_transfer(branches, tmp_path):
    rows = [["姓名", "公民身份号码", "所在党支部", "楼栋党小组"], ["甲", ID_A, "银杏苑小区党支部", "1栋党小组"],
            ["乙", ID_B, "银杏苑小区党支部", "2 栋党小组"]]
    result = preview(write_xlsx(tmp_path / "g.xlsx", rows))
    assert problems(result, "warning") == [(3, "楼栋党小组", "2 栋党小组")]
    outcome = importing.commit(result)
    assert outcome.created == {"groups": 1}
    assert [g.name for g in BuildingGroup.select().order_by(BuildingGroup.sort_order)] == ["1栋党小组", "2栋党小组"]
    moved = [["姓名", "公民身份号码", "所在党支部"], ["甲", ID_A, "枫林湾小区党支部"]]
    outcome = importing.run(write_xlsx(tmp_path / "move.xlsx", moved), "members", today=TODAY)
    assert outcome.updated == 1
    member = Member.get(Member.id_number == ID_A)
    assert member.branch_id == branches["b"].id and member.group_id is None  # the old branch's group no longer fits
    transfer = MemberTransfer.get(MemberTransfer.member == member)
    assert (transfer.from_branch_id, transfer.to_branch_id) == (branches["a"].id, branches["b"].id)


def test_rejected_import_leaves_the_database_byte_for_byte_unchanged(branches, tmp_path):
    rows = [HEADER, member_row(1, "甲", ID_A), member_row(2, "乙", ID_A)]
    path = write_xlsx(tmp_path / "dup.xlsx", rows)
    before = db_fingerprint(branches["handle"].path)
    outcome = importing.run(path, "members", today=TODAY)
    assert not outcome.committed and outcome.inserted == 0
    with pytest.raises(ValidationError, match="有 1 行有错误"):
        importing.commit(outcome.preview)
    assert db_fingerprint(branches["handle"].path) == before
    assert not list((tmp_path / "backups").glob("*before-import*"))


def test_valid_rows_only_backup_and_one_audit_event(branches, tmp_path):
    rows = [HEADER, member_row(1, "甲", ID_A), member_row(2, "乙", "12345"), member_row(3, "丙", ID_C)]
    path = write_xlsx(tmp_path / "花名册（社区报送）.xlsx", rows)
    events_before = AuditEvent.select().count()
    outcome = importing.run(path, "members", skip_invalid=True, today=TODAY)
    assert (outcome.committed, outcome.inserted, outcome.skipped) == (True, 2, 1)
    assert sorted(m.name for m in Member.select()) == ["丙", "甲"]
    assert outcome.backup is not None and outcome.backup.exists() and "before-import" in outcome.backup.name
    events = list(AuditEvent.select().where(AuditEvent.id > 0).order_by(AuditEvent.id))[events_before:]
    assert len(events) == 1
    assert events[0].entity == "import" and "花名册（社区报送）.xlsx" in events[0].note
    assert '"inserted": 2' in events[0].after_json and '"skipped_invalid": 1' in events[0].after_json


def test_cancelled_commit_rolls_everything_back(branches, tmp_path):
    rows = [HEADER] + [member_row(i, "甲", make_id("19800101", f"{i:03d}")) for i in range(1, 30)]
    result = preview(write_xlsx(tmp_path / "c.xlsx", rows))
    steps = importing.commit_steps(result)
    assert "备份" in next(steps)[2]  # before the transaction
    next(steps)  # inside it: the rows are written, not committed
    steps.close()  # what the worker does on 取消
    assert Member.select().count() == 0
    assert AuditEvent.select().where(AuditEvent.entity == "import").count() == 0


def test_viewer_cannot_import(branches, tmp_path):
    from wanghu_desk.errors import PermissionDenied
    from wanghu_desk.services.base import Actor, acting_as

    result = preview(write_xlsx(tmp_path / "v.xlsx", [HEADER, member_row(1, "甲", ID_A)]))
    with acting_as(Actor("guest", "访客", "viewer")), pytest.raises(PermissionDenied):
        importing.commit(result)
    assert Member.select().count() == 0


def test_old_xls_end_to_end(branches, tmp_path):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("党员")
    ws.write_merge(0, 0, 0, 4, "银杏苑小区党支部党员名单")
    for c, text in enumerate(["姓名", "身份证号", "出生年月", "入党时间", "所在党支部"]):
        ws.write(1, c, text)
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    ws.write(2, 0, "张三")
    ws.write(2, 1, ID_A)
    ws.write(2, 2, "1985.07")
    ws.write(2, 3, dt.date(2010, 7, 1), dates)
    ws.write(2, 4, "银杏苑小区党支部")
    ws.write(3, 0, "李四")
    ws.write(3, 1, float(ID_B[:15] + "000"))  # Excel kept 15 digits of a number
    ws.write(3, 4, "银杏苑小区党支部")
    ws.write(4, 0, "王五")
    ws.write(4, 1, ID_C)
    ws.write(4, 3, 2001.1)  # 2001.1 typed as a number: October or January?
    ws.write(4, 4, "银杏苑党支部")
    wb.save(str(tmp_path / "名单.xls"))
    outcome = importing.run(tmp_path / "名单.xls", "members", skip_invalid=True, today=TODAY)
    assert outcome.preview.header_row == 2 and len(outcome.preview.rows) == 3
    assert problems(outcome.preview) == [(4, "身份证号", ID_B[:15] + "000")]
    assert "存成了数字" in outcome.preview.errors[0].message
    assert problems(outcome.preview, "warning") == [(5, "入党时间", "2001.1")]
    assert (outcome.committed, outcome.inserted) == (True, 2)
    zhang = Member.get(Member.id_number == ID_A)
    assert (zhang.birth_date, zhang.joined_on) == (dt.date(1985, 7, 1), dt.date(2010, 7, 1))
    assert Member.get(Member.id_number == ID_C).joined_on == dt.date(2001, 1, 1)


def test_utf8_bom_csv_end_to_end(branches, tmp_path):
    # (joined at 22: ID_A's holder, born 1985-07-01, could not have joined in 1985)
    text = "姓名,公民身份号码,所在党支部,入党日期\r\n张三," + ID_A + ",银杏苑小区党支部,2007年7月1日\r\n"
    (tmp_path / "名单.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    outcome = importing.run(tmp_path / "名单.csv", "members", today=TODAY)
    assert (outcome.committed, outcome.inserted, outcome.preview.errors) == (True, 1, [])
    assert Member.get(Member.id_number == ID_A).joined_on == dt.date(2007, 7, 1)
