"""居民事项: residents' matters from the 扫码 platform's and the 12345 hotline's exports.

Each row is one 工单: registered through the matters register's own checks and, when
it has an 办结时间, walked through the workflow's steps in order (受理 → 分派 → 办理 →
反馈 → 评价 → 办结) in the import's transaction. A 工单编号 already registered is a
duplicate: skipped ("unchanged"), never an error. The rows' code is
`reports.import_matters` (reading) and `services.matters.importing` (writing); the
台账 export is `reports.matters_export`.
"""

from __future__ import annotations

from typing import Any

from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind, OptionSpec
from wanghu_desk.kinds._synonyms import PHONE_SYNONYMS

COLUMNS: tuple[Column, ...] = (
    Column("external_no", "工单编号", ("工单号", "工单号码", "事项编号", "诉求编号", "编号", "单号", "报事编号"),
           required=True),
    Column("received_on", "反映时间", ("受理时间", "登记时间", "反映日期", "受理日期", "登记日期", "来电时间",
                                        "上报时间", "报事时间", "提交时间", "诉求时间"), kind="date", required=True),
    Column("content", "反映内容", ("诉求内容", "问题描述", "事项内容", "来电内容", "报事内容", "内容", "诉求",
                                     "反映问题"), required=True),
    Column("kind", "事项类型", ("事项种类", "工单类型"), kind="choice"),
    Column("category", "事项分类", ("分类", "问题分类", "诉求分类", "类别", "问题类型", "诉求类型")),
    Column("source", "来源", ("渠道", "来源渠道", "反映渠道", "诉求渠道", "工单来源"), kind="choice"),
    Column("estate", "所属小区", ("小区名称", "小区", "所在小区", "小区/片区")),
    Column("building", "楼栋", ("楼号", "所在楼栋", "楼栋号", "幢号")),
    Column("grid", "网格", ("所属网格", "网格名称")),
    Column("raiser_name", "反映人", ("诉求人", "来电人", "报事人", "反映人姓名", "居民姓名", "联系人"), kind="name"),
    Column("raiser_phone", "联系电话", (*PHONE_SYNONYMS, "来电号码", "反映人电话"), kind="phone", width=15),
    Column("handler_unit", "承办单位", ("承办部门", "处理部门", "办理单位", "责任单位", "处置单位")),
    Column("result", "办理结果", ("处理结果", "办理情况", "处置结果", "答复内容", "回复内容", "处理情况")),
    Column("closed_on", "办结时间", ("办结日期", "完成时间", "处理完成时间", "结案时间", "办结"), kind="date"),
    Column("evaluation", "满意度", ("回访结果", "评价", "居民评价", "满意度评价", "回访评价", "评价结果",
                                   "回访满意度"), kind="choice"),
    Column("deadline_on", "办理时限", ("截止时间", "办理期限", "应办结时间"), kind="date", export_only=True),
    Column("state", "状态", ("办理状态", "工单状态"), export_only=True),
    Column("level", "办理层级", ("层级",), export_only=True),
    Column("number", "登记编号", ("台账编号",), export_only=True),
    Column("on_time", "按时办结", ("是否按时办结",), export_only=True),
    Column("claimant", "认领", ("认领人", "认领方"), export_only=True),
    Column("note", "备注", ("说明",)),
)

#: The kinds a 工单 may be (those with the 受理 → … → 办结 workflow).
MATTER_KINDS = (("qr_report", "扫码报事"), ("opinion", "社情民意"), ("dispute", "矛盾调解"))


def export_workbook(path: Any, *, matter_kind: str | None = None, unmasked: bool = False) -> Any:
    from reports.matters_export import write_matters_workbook

    return write_matters_workbook(path, matter_kind=matter_kind, unmasked=unmasked)


KIND = ImportKind(
    name="matters",
    label="居民事项",
    columns=COLUMNS,
    normaliser="reports.import_matters:MatterNormaliser",
    classify="wanghu_desk.services.matters.importing:classify",
    commit="wanghu_desk.services.matters.importing:commit",
    help="居民事项：扫码平台、12345 热线导出的工单",
    options=(
        OptionSpec("matter_kind", "事项类型", "--matter-kind",
                   "matters 中没有「事项类型」列的行按这一类登记：qr_report（扫码报事，默认）| opinion（社情民意）"
                   "| dispute（矛盾调解）；也可写中文", values=MATTER_KINDS, default="qr_report", metavar="KIND", strict=False),
    ),
    export=ExportSpec(title="居民事项台账", writer="wanghu_desk.kinds.matters:export_workbook",
                      arguments={"matter_kind": None, "unmasked": False},
                      done="已导出 {rows} 件居民事项到：{path}", window="ui.matters_tab:MattersTab.export_register"),
)
