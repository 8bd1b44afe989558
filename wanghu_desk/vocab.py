"""Vocabularies: stable codes stored in the database and their Chinese labels.

One place for every list a clerk picks from. `label(VOCAB, code)` and `code_for(VOCAB,
text)` convert both ways; `code_for` also accepts the usual synonyms found in files.
"""

from __future__ import annotations

ORGANIZATION_KINDS = {
    "working_committee": "街道党工委",
    "community_committee": "社区党委",
    "general_branch": "党总支",
}

BRANCH_CATEGORIES = {
    "estate": "小区(片区)党支部",
    "functional": "功能型党支部",
    "grid": "网格党支部",
    "agency": "机关党支部",
    "enterprise": "非公企业党支部",
    "social_org": "社会组织党支部",
    "other": "其他党支部",
}
BRANCH_CATEGORY_SYNONYMS = {
    "小区党支部": "estate", "片区党支部": "estate", "小区": "estate", "片区": "estate",
    "小区（片区）党支部": "estate", "功能型": "functional", "网格": "grid", "机关": "agency",
    "非公企业": "enterprise", "企业": "enterprise", "社会组织": "social_org", "其他": "other",
}

BRANCH_STATUSES = {"active": "正常", "dissolved": "已撤销"}

ESTATE_KINDS = {
    "commercial": "商品房小区",
    "resettlement": "回迁安置小区",
    "work_unit": "单位宿舍小区",
    "old": "老旧小区",
}

MEMBER_CATEGORIES = {"full": "正式党员", "probationary": "预备党员"}
MEMBER_CATEGORY_SYNONYMS = {"正式": "full", "预备": "probationary"}

MEMBER_STATUSES = {
    "active": "在册",
    "transferred_out": "转出",
    "stopped": "停止党籍",
    "expelled": "出党",
    "deceased": "去世",
}

EDUCATION_LEVELS = [
    "研究生", "大学本科", "大学专科", "中等专科", "高中", "技工学校", "初中", "小学及以下",
]
EDUCATION_SYNONYMS = {
    "博士": "研究生", "硕士": "研究生", "博士研究生": "研究生", "硕士研究生": "研究生",
    "本科": "大学本科", "大学": "大学本科", "专科": "大学专科", "大专": "大学专科",
    "中专": "中等专科", "中技": "技工学校", "职高": "高中", "小学": "小学及以下",
}

ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族",
    "珞巴族", "基诺族",
]

ESTATE_ROLES = {
    "instructor": "党建指导员",
    "secretary": "党组织书记",
    "red_steward": "红色小管家",
    "student_steward": "大学生社区小管家",
    "building_head": "楼栋长",
    "owners_committee": "业委会联系人",
    "property": "物业联系人",
}

TEAM_KINDS = {
    "volunteer": "志愿服务队",
    "governance": "小区治理团队",
    "vanguard": "党员先锋队",
    "other": "其他",
}

RATING_STAGES = {"self": "自评", "community": "社区初评", "street": "街道审定"}
RATING_ROUND_STATUSES = {"open": "评定中", "publicity": "公示中", "finalized": "已定级"}
CRITERION_KINDS = {"score": "计分项", "deduction": "减分项", "veto": "一票否决"}

LEDGER_KINDS = {"allocation": "拨付", "expense": "支出", "reversal": "冲销"}
LEDGER_SUBJECTS = {
    "activity": "活动经费",
    "service": "服务群众",
    "venue": "阵地建设",
    "condolence": "慰问",
    "office": "办公",
    "other": "其他",
}
#: Spending the rules forbid; such subjects cannot be chosen or imported.
FORBIDDEN_SUBJECTS = ["宴请", "旅游", "购置固定资产", "发放个人补贴", "发放福利", "礼品礼金"]

ROLES = {"admin": "管理员", "clerk": "录入员", "viewer": "查看"}

VOLUNTEER_STAR_LEVELS = [(1500, 5), (1000, 4), (600, 3), (300, 2), (100, 1)]


def label(vocab: dict[str, str], code: str | None, default: str = "") -> str:
    if code is None:
        return default
    return vocab.get(code, code)


def code_for(vocab: dict[str, str], text: str | None, synonyms: dict[str, str] | None = None) -> str | None:
    """The code for a label, a code, or a synonym; None when unknown."""
    if text is None:
        return None
    text = text.strip()
    if text in vocab:
        return text
    for code, name in vocab.items():
        if name == text:
            return code
    if synonyms and text in synonyms:
        return synonyms[text]
    return None
