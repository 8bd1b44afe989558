"""The columns of every roster: canonical header text, synonyms, cell type — one table.

Exports write `Column.header`; imports recognise the header and every synonym after
`normalize_header` (spaces, full-width characters, "*" marks and trailing colons do not
matter, and a note in brackets such as "（必填）" is ignored when the text without it is
known). To accept a new spelling that an office sends, add it to `synonyms` here and
nowhere else.

`export_only` columns are figures the program computes (党员人数, 累计服务时长 …): an
export writes them, an import recognises and ignores them, so that export → import
round-trips without "unknown column" noise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from wanghu_desk.validation import clean_text

__all__ = [
    "BRANCH_COLUMNS",
    "COMPANION_SHEETS",
    "GROUP_COLUMNS",
    "IGNORED_HEADERS",
    "KIND_COLUMNS",
    "KIND_LABELS",
    "LEDGER_COLUMNS",
    "MEMBER_COLUMNS",
    "RATING_COLUMNS",
    "SERVICE_COLUMNS",
    "VOLUNTEER_COLUMNS",
    "Column",
    "HeaderIndex",
    "normalize_header",
]


@dataclass(frozen=True)
class Column:
    """One column of a roster.

    `kind` says how the value is read and written: ``text``, ``name``, ``id`` (公民身份号码),
    ``phone``, ``date``, ``bool`` (是/否), ``number`` (a count or hours), ``choice``
    (a label from a vocabulary).
    """

    field: str
    header: str
    synonyms: tuple[str, ...] = ()
    kind: str = "text"
    required: bool = False
    export_only: bool = False
    width: int | None = None  # fixed export width in characters; None = fitted to content

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


_BRANCH_SYNONYMS = (
    "所在党组织", "党支部", "所属党支部", "所在支部", "所属支部", "支部", "所属党组织",
    "所在党组织名称", "所在党支部名称", "党支部名称", "支部名称",
)  # fmt: skip
_ID_SYNONYMS = (
    "身份证号", "身份证号码", "身份证", "居民身份证号码", "居民身份证号", "身份证件号码",
    "证件号码", "公民身份证号码", "公民身份证号", "身份号码",
)  # fmt: skip
_PHONE_SYNONYMS = ("联系方式", "手机号码", "手机号", "手机", "电话", "电话号码", "联系电话号码")

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("党员姓名", "名字"), kind="name", required=True),
    Column("gender", "性别", kind="choice"),
    Column("ethnicity", "民族", kind="choice"),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日", "出生时间", "生日"), kind="date"),
    Column("id_number", "公民身份号码", _ID_SYNONYMS, kind="id", required=True, width=21),
    Column("education", "学历", ("文化程度", "最高学历", "学历学位"), kind="choice"),
    Column("category", "人员类别", ("党员类别", "党员类型", "类别", "党员身份"), kind="choice"),
    Column("joined_on", "入党日期", ("入党时间", "入党年月", "加入党组织日期", "入党年月日"), kind="date"),
    Column("confirmed_on", "转正日期", ("转正时间", "转正年月", "转为正式党员日期"), kind="date"),
    Column("probation_extended_to", "延长预备期至", ("预备期延长至", "延长预备期到", "延长预备期截止日期",
                                                   "延长预备期满日期", "延长预备期时间"), kind="date"),
    Column("probation_extension_reason", "延长预备期原因", ("延长预备期理由", "预备期延长原因", "延长原因")),
    Column("branch", "所在党支部", _BRANCH_SYNONYMS, required=True),
    Column("group", "楼栋党小组", ("党小组", "所在党小组", "所属党小组", "所在楼栋党小组")),
    Column("employer", "工作单位及职务", ("工作单位", "单位及职务", "现工作单位及职务", "工作单位及职务职称",
                                           "单位职务")),
    Column("phone", "联系电话", _PHONE_SYNONYMS, kind="phone", width=15),
    Column("address", "家庭住址", ("家庭地址", "住址", "现居住地", "现住址", "居住地址", "居住地", "现居住地址")),
    Column("status", "党籍状态", ("党籍", "党员状态", "状态"), kind="choice"),
    Column("is_lost_contact", "失联党员", ("是否失联党员", "是否失联", "失联"), kind="bool"),
    Column("is_floating", "流动党员", ("是否流动党员", "是否流动"), kind="bool"),
    Column("is_center_household", "党员中心户", ("是否党员中心户", "中心户"), kind="bool"),
    Column("reported_at_residence", "在职党员报到",
           ("是否在职党员报到", "在职党员双报到", "双报到", "是否报到", "社区报到"), kind="bool"),
    Column("note", "备注", ("说明",)),
)

BRANCH_COLUMNS: tuple[Column, ...] = (
    Column("name", "党组织名称", ("党支部名称", "支部名称", "党组织简称", "简称", "名称", "党支部"), required=True),
    Column("full_name", "党组织全称", ("全称", "党组织全名", "党支部全称")),
    Column("category", "类别", ("党组织类别", "党支部类别", "支部类别", "类型", "党组织类型", "党支部类型"),
           kind="choice"),
    Column("community", "所属社区", ("社区", "所在社区")),
    Column("secretary", "书记", ("党支部书记", "支部书记", "书记姓名"), kind="name"),
    Column("phone", "联系电话", ("书记联系电话", *_PHONE_SYNONYMS), kind="phone", width=15),
    Column("founded_on", "成立日期", ("成立时间", "建立日期", "组建日期"), kind="date"),
    Column("status", "状态", ("党组织状态",), kind="choice"),
    Column("members", "党员人数", ("在册党员人数", "党员数"), kind="number", export_only=True),
    Column("groups", "楼栋党小组数", ("党小组数",), kind="number", export_only=True),
    Column("note", "备注", ("说明",)),
)

GROUP_COLUMNS: tuple[Column, ...] = (
    Column("branch", "所在党支部", _BRANCH_SYNONYMS, required=True),
    Column("name", "党小组名称", ("楼栋党小组", "党小组", "楼栋党小组名称", "名称"), required=True),
    Column("leader", "组长", ("党小组长", "党小组组长", "组长姓名"), kind="name"),
    Column("leader_phone", "组长联系电话", ("组长电话", "组长手机", "联系电话"), kind="phone", width=15),
    Column("buildings", "覆盖楼栋", ("负责楼栋", "联系楼栋", "包含楼栋", "所辖楼栋", "楼栋")),
    Column("members", "党员人数", ("党员数",), kind="number", export_only=True),
    Column("status", "状态", ("党小组状态",), kind="choice"),
    Column("note", "备注", ("说明",)),
)

VOLUNTEER_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("志愿者姓名",), kind="name", required=True),
    Column("gender", "性别", kind="choice"),
    Column("id_number", "公民身份号码", _ID_SYNONYMS, kind="id", width=21),
    Column("phone", "联系电话", _PHONE_SYNONYMS, kind="phone", width=15),
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

SERVICE_COLUMNS: tuple[Column, ...] = (
    Column("served_on", "服务日期", ("日期", "服务时间", "活动日期", "活动时间"), kind="date", required=True),
    Column("name", "志愿者姓名", ("姓名", "志愿者"), kind="name", required=True),
    Column("id_number", "公民身份号码", _ID_SYNONYMS, kind="id", width=21),
    Column("phone", "联系电话", _PHONE_SYNONYMS, kind="phone", width=15),
    Column("registration_no", "志愿者编号", ("编号", "注册编号")),
    Column("team", "服务队", ("所属服务队", "志愿服务队", "服务队名称")),
    Column("project", "服务项目", ("为民服务项目", "项目", "项目名称")),
    Column("activity", "服务内容", ("活动内容", "活动名称", "服务事项", "内容", "活动"), required=True),
    Column("hours", "服务时长（小时）", ("服务时长", "时长", "时长（小时）", "小时数", "服务小时数", "时数"),
           kind="number", required=True),
)

#: A community's score sheet (社区初评): the branch, then one column per scoring item of
#: the year's scheme. The item columns are not in this table: they are the year's
#: criteria, matched by `services.rating.match_score_header` ("1.1", "1.1（10分）", the
#: item's text …) in `reports.import_rows`. The other columns are what the program's own
#: export (`reports.rating_export`) and the usual forms add around them: recognised and
#: ignored (computed figures).
RATING_COLUMNS: tuple[Column, ...] = (
    Column("branch", "党支部", ("所在党支部", *(s for s in _BRANCH_SYNONYMS if s != "党支部"), "党组织名称",
                                 "参评党支部", "参评支部", "被评党支部"), required=True),
    Column("community", "所属社区", ("社区", "所在社区"), export_only=True),
    Column("category", "类别", ("党支部类别", "支部类别", "党组织类别", "类型"), export_only=True),
    Column("self_total", "自评得分", ("自评分",), kind="number", export_only=True),
    Column("community_total", "社区初评得分", ("社区初评分", "初评得分"), kind="number", export_only=True),
    Column("street_total", "街道审定得分", ("街道审定分", "审定得分"), kind="number", export_only=True),
    Column("total", "合计", ("总分", "合计得分", "得分合计", "总得分", "得分", "合计分"), kind="number",
           export_only=True),
    Column("source", "得分来源", export_only=True),
    Column("stars", "星级", ("评定星级",), export_only=True),
    Column("result", "评定结果", export_only=True),
    Column("self_stars", "自评星级", export_only=True),
    Column("veto_reason", "一票否决原因", ("否决原因",), export_only=True),
    Column("note", "备注", ("说明",), export_only=True),
)

#: A ledger kept in Excel (经费台账), one sheet per branch or a 党支部 column. The names
#: are those of `services.ledger.LEDGER_IMPORT_FIELDS` (the service's own list; a test
#: checks that the two agree). 余额 is computed, so it is recognised and ignored.
LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("branch", "所在党支部", ("党支部", "支部", "所属党支部", "支部名称", "党组织")),
    Column("fund", "经费类别", ("经费名称", "经费来源", "资金来源")),
    Column("entry_date", "日期", ("记账日期", "凭证日期", "发生日期", "时间"), kind="date", required=True),
    Column("voucher_no", "凭证号", ("凭证编号", "凭证号码", "编号")),
    Column("kind", "类型", ("收支类型", "业务类型", "收支"), kind="choice"),
    Column("subject", "科目", ("会计科目", "支出科目", "经费科目", "用途"), kind="choice"),
    Column("summary", "摘要", ("事由", "内容", "说明"), required=True),
    Column("amount", "金额", ("金额（元）", "金额(元)"), kind="number"),
    Column("income", "收入", ("收入金额", "拨付金额", "拨入", "借方"), kind="number"),
    Column("expense", "支出", ("支出金额", "付出", "贷方"), kind="number"),
    Column("balance", "余额", kind="number", export_only=True),
    Column("handler", "经办人", ("经手人", "报销人"), kind="name", required=True),
    Column("approver", "审批人", ("审核人", "批准人"), kind="name", required=True),
    Column("second_approver", "第二审批人", ("复核人", "会签人"), kind="name"),
    Column("reverses_voucher_no", "冲销凭证号", ("原凭证号", "冲销第几号")),
)

KIND_COLUMNS: dict[str, tuple[Column, ...]] = {
    "members": MEMBER_COLUMNS,
    "branches": BRANCH_COLUMNS,
    "groups": GROUP_COLUMNS,
    "volunteers": VOLUNTEER_COLUMNS,
    "services": SERVICE_COLUMNS,
    "ratings": RATING_COLUMNS,
    "ledger": LEDGER_COLUMNS,
}

KIND_LABELS: dict[str, str] = {
    "members": "党员花名册",
    "branches": "党组织",
    "groups": "楼栋党小组",
    "volunteers": "志愿者",
    "services": "志愿服务记录",
    "ratings": "星级评定得分",
    "ledger": "经费台账",
}

#: Sheets that the program's own exports put beside the data and that carry nothing to
#: import: skipped without a word when every sheet of a file is read.
COMPANION_SHEETS: dict[str, frozenset[str]] = {
    "ratings": frozenset({"评定结果", "评定标准", "星级分布"}),
    "ledger": frozenset({"经费汇总"}),
}

#: Headers that are recognised and carry nothing to import: running numbers, and the two
#: columns a problem list (导出问题清单) adds, so that a corrected list imports cleanly.
IGNORED_HEADERS: frozenset[str] = frozenset({"序号", "序", "NO", "NO.", "原行号", "问题说明"})

_MARKS = re.compile(r"[*＊※★☆]")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_TRAILING = re.compile(r"[:：;；,，.。、]+$")


def normalize_header(raw: object) -> str | None:
    """The comparison key of a header cell: cleaned, NFKC, no spaces, no "*" marks, no
    trailing colon; "出生日期\\n(格式:1985-07-01)" keeps its bracket here (see `HeaderIndex`)."""
    text = clean_text(raw)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", _MARKS.sub("", text))
    text = _TRAILING.sub("", text)
    return text.upper() or None


def _without_brackets(key: str) -> str:
    return _BRACKETED.sub("", key)


class HeaderIndex:
    """Header text → column, for one roster kind."""

    def __init__(self, columns: tuple[Column, ...]):
        self.columns = columns
        self._index: dict[str, Column] = {}
        for col in columns:
            for name in col.names:
                key = normalize_header(name)
                if key is None:  # pragma: no cover - table error
                    continue
                other = self._index.get(key)
                if other is not None and other is not col:
                    raise ValueError(f"header {name!r} maps to both {other.field} and {col.field}")
                self._index[key] = col
        self._loose: dict[str, Column] = {}
        for key, col in self._index.items():
            self._loose.setdefault(_without_brackets(key), col)

    def match(self, raw: object) -> Column | None:
        key = normalize_header(raw)
        if key is None:
            return None
        col = self._index.get(key)
        if col is None:
            col = self._loose.get(_without_brackets(key))
        return col

    @staticmethod
    def is_ignored(raw: object) -> bool:
        key = normalize_header(raw)
        return key is not None and _without_brackets(key) in IGNORED_HEADERS

    def by_field(self, field: str) -> Column:
        for col in self.columns:
            if col.field == field:
                return col
        raise KeyError(field)
