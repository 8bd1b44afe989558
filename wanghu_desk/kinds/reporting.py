"""在职党员报到: the roster of members who reported to the community where they live.

Each row is one member (found by 公民身份号码, or by name — with the branch when two
members share it): a member not registered yet is registered (登记报到), a registered one
whose unit, residence, skills or posts differ is updated, the same one is unchanged.
The rows' code is `reports.reporting_import` (reading) and
`services.reporting.importing` (writing); the export is `reports.reporting_export`, with
the same headers so that an exported roster imports back unchanged.
"""

from __future__ import annotations

from typing import Any

from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind
from wanghu_desk.kinds._synonyms import BRANCH_SYNONYMS, ID_SYNONYMS

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("党员姓名", "报到党员", "党员"), kind="name", required=True),
    Column("id_number", "公民身份号码", ID_SYNONYMS, kind="id"),
    Column("branch", "所在支部", BRANCH_SYNONYMS),
    Column("work_unit", "工作单位", ("单位", "工作单位名称", "单位名称", "所在单位"), required=True),
    Column("unit_kind", "单位类型", ("单位性质", "单位类别"), kind="choice"),
    Column("unit_party_org", "单位党组织", ("单位党组织名称", "所在单位党组织")),
    Column("community", "报到社区", ("居住地社区", "社区", "报到的社区", "居住社区"), required=True),
    Column("estate", "居住小区", ("小区", "所在小区", "居住地小区")),
    Column("reported_on", "报到日期", ("报到时间", "报到日"), kind="date", required=True),
    Column("skills", "特长", ("个人特长", "专业特长", "技能")),
    Column("posts", "认领岗位", ("岗位", "服务岗位", "认领服务岗位", "志愿服务岗位")),
    Column("status", "状态", ("报到状态",), export_only=True),
    Column("orders_done", "本年服务次数", ("服务次数",), kind="number", export_only=True),
    Column("hours", "本年服务时长（小时）", ("服务时长",), kind="number", export_only=True),
)


def export_workbook(path: Any, *, year: int | None = None) -> Any:
    from reports.reporting_export import write_members_workbook

    return write_members_workbook(path, year=year)


KIND = ImportKind(
    name="reporting",
    label="在职党员报到",
    columns=COLUMNS,
    normaliser="reports.reporting_import:ReportingNormaliser",
    classify="wanghu_desk.services.reporting.importing:classify",
    commit="wanghu_desk.services.reporting.importing:commit",
    help="在职党员报到：到居住地社区报到的党员（工作单位、报到社区、特长、认领岗位）",
    export=ExportSpec(title="在职党员报到名册", writer="wanghu_desk.kinds.reporting:export_workbook",
                      arguments={"year": None}, done="已导出 {rows} 名报到党员到：{path}",
                      window="ui.reporting_tab:ReportingTab.export_members"),
)
