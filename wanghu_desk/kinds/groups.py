"""楼栋党小组: building groups, keyed by branch and name."""

from __future__ import annotations

from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind
from wanghu_desk.kinds._synonyms import BRANCH_SYNONYMS

COLUMNS: tuple[Column, ...] = (
    Column("branch", "所在党支部", BRANCH_SYNONYMS, required=True),
    Column("name", "党小组名称", ("楼栋党小组", "党小组", "楼栋党小组名称", "名称"), required=True),
    Column("leader", "组长", ("党小组长", "党小组组长", "组长姓名"), kind="name"),
    Column("leader_phone", "组长联系电话", ("组长电话", "组长手机", "联系电话"), kind="phone", width=15),
    Column("buildings", "覆盖楼栋", ("负责楼栋", "联系楼栋", "包含楼栋", "所辖楼栋", "楼栋")),
    Column("members", "党员人数", ("党员数",), kind="number", export_only=True),
    Column("status", "状态", ("党小组状态",), kind="choice"),
    Column("note", "备注", ("说明",)),
)

KIND = ImportKind(
    name="groups",
    label="楼栋党小组",
    columns=COLUMNS,
    normaliser="reports.import_rows:GroupNormaliser",
    classify="wanghu_desk.services.imports:_classify_groups",
    commit="wanghu_desk.services.imports:_commit_groups",
    help="楼栋党小组",
    export=ExportSpec(title="楼栋党小组名册", rows="wanghu_desk.services.exports:groups", unit="个",
                      window="ui.export_actions:export_groups"),
)
