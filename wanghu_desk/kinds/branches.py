"""党组织: branches, keyed by short name."""

from __future__ import annotations

from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind
from wanghu_desk.kinds._synonyms import PHONE_SYNONYMS

COLUMNS: tuple[Column, ...] = (
    Column("name", "党组织名称", ("党支部名称", "支部名称", "党组织简称", "简称", "名称", "党支部"), required=True),
    Column("full_name", "党组织全称", ("全称", "党组织全名", "党支部全称")),
    Column("category", "类别", ("党组织类别", "党支部类别", "支部类别", "类型", "党组织类型", "党支部类型"),
           kind="choice"),
    Column("community", "所属社区", ("社区", "所在社区")),
    Column("secretary", "书记", ("党支部书记", "支部书记", "书记姓名"), kind="name"),
    Column("phone", "联系电话", ("书记联系电话", *PHONE_SYNONYMS), kind="phone", width=15),
    Column("founded_on", "成立日期", ("成立时间", "建立日期", "组建日期"), kind="date"),
    Column("status", "状态", ("党组织状态",), kind="choice"),
    Column("members", "党员人数", ("在册党员人数", "党员数"), kind="number", export_only=True),
    Column("groups", "楼栋党小组数", ("党小组数",), kind="number", export_only=True),
    Column("note", "备注", ("说明",)),
)

KIND = ImportKind(
    name="branches",
    label="党组织",
    columns=COLUMNS,
    normaliser="reports.import_rows:BranchNormaliser",
    classify="wanghu_desk.services.imports:_classify_branches",
    commit="wanghu_desk.services.imports:_commit_branches",
    help="党组织",
    export=ExportSpec(title="党组织名册", rows="wanghu_desk.services.exports:branches", unit="个",
                      window="ui.export_actions:export_branches"),
)
