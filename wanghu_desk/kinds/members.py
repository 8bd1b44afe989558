"""党员花名册: members, keyed by 公民身份号码."""

from __future__ import annotations

from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind
from wanghu_desk.kinds._synonyms import BRANCH_SYNONYMS, ID_SYNONYMS, PHONE_SYNONYMS

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("党员姓名", "名字"), kind="name", required=True),
    Column("gender", "性别", kind="choice"),
    Column("ethnicity", "民族", kind="choice"),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日", "出生时间", "生日"), kind="date"),
    Column("id_number", "公民身份号码", ID_SYNONYMS, kind="id", required=True, width=21),
    Column("education", "学历", ("文化程度", "最高学历", "学历学位"), kind="choice"),
    Column("category", "人员类别", ("党员类别", "党员类型", "类别", "党员身份"), kind="choice"),
    Column("joined_on", "入党日期", ("入党时间", "入党年月", "加入党组织日期", "入党年月日"), kind="date"),
    Column("confirmed_on", "转正日期", ("转正时间", "转正年月", "转为正式党员日期"), kind="date"),
    Column("probation_extended_to", "延长预备期至", ("预备期延长至", "延长预备期到", "延长预备期截止日期",
                                                   "延长预备期满日期", "延长预备期时间"), kind="date"),
    Column("probation_extension_reason", "延长预备期原因", ("延长预备期理由", "预备期延长原因", "延长原因")),
    Column("branch", "所在党支部", BRANCH_SYNONYMS, required=True),
    Column("group", "楼栋党小组", ("党小组", "所在党小组", "所属党小组", "所在楼栋党小组")),
    Column("employer", "工作单位及职务", ("工作单位", "单位及职务", "现工作单位及职务", "工作单位及职务职称",
                                           "单位职务")),
    Column("phone", "联系电话", PHONE_SYNONYMS, kind="phone", width=15),
    Column("address", "家庭住址", ("家庭地址", "住址", "现居住地", "现住址", "居住地址", "居住地", "现居住地址")),
    Column("status", "党籍状态", ("党籍", "党员状态", "状态"), kind="choice"),
    Column("is_lost_contact", "失联党员", ("是否失联党员", "是否失联", "失联"), kind="bool"),
    Column("is_floating", "流动党员", ("是否流动党员", "是否流动"), kind="bool"),
    Column("is_center_household", "党员中心户", ("是否党员中心户", "中心户"), kind="bool"),
    Column("reported_at_residence", "在职党员报到",
           ("是否在职党员报到", "在职党员双报到", "双报到", "是否报到", "社区报到"), kind="bool"),
    Column("note", "备注", ("说明",)),
)  # fmt: skip

KIND = ImportKind(
    name="members",
    label="党员花名册",
    columns=COLUMNS,
    normaliser="reports.import_rows:MemberNormaliser",
    classify="wanghu_desk.services.imports:_classify_members",
    commit="wanghu_desk.services.imports:_commit_members",
    help="党员",
    export=ExportSpec(title="党员花名册", rows="wanghu_desk.services.exports:members", has_id_numbers=True,
                      unit="人", window="ui.export_actions:export_members"),
)
