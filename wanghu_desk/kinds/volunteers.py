"""志愿者: volunteers, keyed by ID number, else 志愿者编号, else name and phone."""

from __future__ import annotations

from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind
from wanghu_desk.kinds._synonyms import ID_SYNONYMS, PHONE_SYNONYMS

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("志愿者姓名",), kind="name", required=True),
    Column("gender", "性别", kind="choice"),
    Column("id_number", "公民身份号码", ID_SYNONYMS, kind="id", width=21),
    Column("phone", "联系电话", PHONE_SYNONYMS, kind="phone", width=15),
    Column("teams", "所属服务队", ("志愿服务队", "服务队", "所在服务队", "服务队名称", "所属队伍")),
    Column("skills", "技能特长", ("特长", "技能", "专长")),
    Column("registration_no", "志愿者编号", ("编号", "注册编号", "志愿者注册编号")),
    Column("is_member", "是否党员", ("党员",), kind="bool"),
    Column("hours", "累计服务时长（小时）", ("累计服务时长", "累计时长", "服务总时长"), kind="number",
           export_only=True),
    Column("services", "服务次数", ("累计服务次数",), kind="number", export_only=True),
    Column("star", "星级", ("星级志愿者",), export_only=True),
    Column("note", "备注", ("说明",)),
)

KIND = ImportKind(
    name="volunteers",
    label="志愿者",
    columns=COLUMNS,
    normaliser="reports.import_rows:VolunteerNormaliser",
    classify="wanghu_desk.services.imports:_classify_volunteers",
    commit="wanghu_desk.services.imports:_commit_volunteers",
    help="志愿者",
    export=ExportSpec(title="志愿者名册", rows="wanghu_desk.services.exports:volunteers", has_id_numbers=True,
                      unit="人", window="ui.export_actions:export_volunteers"),
)
