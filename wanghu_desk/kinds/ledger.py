"""经费台账: entries of a ledger kept in Excel, one sheet per branch or a 党支部 column.

The names are those of `services.ledger.LEDGER_IMPORT_FIELDS` (the service's own list;
a test checks that the two agree). 余额 is computed, so it is recognised and ignored.
"""

from __future__ import annotations

from typing import Any

from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind, OptionSpec

COLUMNS: tuple[Column, ...] = (
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


def export_workbook(path: Any, *, year: int, branch: str | None = None) -> Any:
    from reports.ledger_export import write_ledger_workbook

    return write_ledger_workbook(path, year, branch)


KIND = ImportKind(
    name="ledger",
    label="经费台账",
    columns=COLUMNS,
    normaliser="reports.import_rows:LedgerNormaliser",
    classify="wanghu_desk.services.imports:_classify_ledger",
    commit="wanghu_desk.services.imports:_commit_ledger",
    help="经费台账",
    options=(
        OptionSpec("year", "年度", "--year", "年度：ratings 必填；ledger 可选（只接受该年度的凭证）", type=int,
                   in_dialog=False, metavar="Y"),
    ),
    export=ExportSpec(title="经费台账", writer="wanghu_desk.kinds.ledger:export_workbook",
                      arguments={"year": 2026, "branch": None}, done="已导出 {year} 年经费台账到：{path}",
                      window="ui.ledger_tab:LedgerTab.export_ledger"),
)
