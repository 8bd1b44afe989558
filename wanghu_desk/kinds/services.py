"""志愿服务记录: service records, matched as a multiset of identical records."""

from __future__ import annotations

from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind
from wanghu_desk.kinds._synonyms import ID_SYNONYMS, PHONE_SYNONYMS

COLUMNS: tuple[Column, ...] = (
    Column("served_on", "服务日期", ("日期", "服务时间", "活动日期", "活动时间"), kind="date", required=True),
    Column("name", "志愿者姓名", ("姓名", "志愿者"), kind="name", required=True),
    Column("id_number", "公民身份号码", ID_SYNONYMS, kind="id", width=21),
    Column("phone", "联系电话", PHONE_SYNONYMS, kind="phone", width=15),
    Column("registration_no", "志愿者编号", ("编号", "注册编号")),
    Column("team", "服务队", ("所属服务队", "志愿服务队", "服务队名称")),
    Column("project", "服务项目", ("为民服务项目", "项目", "项目名称")),
    Column("activity", "服务内容", ("活动内容", "活动名称", "服务事项", "内容", "活动"), required=True),
    Column("hours", "服务时长（小时）", ("服务时长", "时长", "时长（小时）", "小时数", "服务小时数", "时数"),
           kind="number", required=True),
)

KIND = ImportKind(
    name="services",
    label="志愿服务记录",
    columns=COLUMNS,
    normaliser="reports.import_rows:ServiceNormaliser",
    classify="wanghu_desk.services.imports:_classify_services",
    commit="wanghu_desk.services.imports:_commit_services",
    help="服务记录",
    export=ExportSpec(title="志愿服务记录", rows="wanghu_desk.services.exports:services", has_id_numbers=True,
                      unit="条", window="ui.export_actions:export_services"),
)
