"""星级评定得分: a community's score sheet for one year and stage.

The item columns are not in `COLUMNS`: they are the year's criteria, matched by
`services.rating.match_score_header` ("1.1", "1.1（10分）", the item's text …) in
`reports.import_rows.RatingHeaderIndex`. The other columns are what the program's own
export (`reports.rating_export`) and the usual forms add around them: recognised and
ignored (computed figures).
"""

from __future__ import annotations

from typing import Any

from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind, OptionSpec
from wanghu_desk.kinds._synonyms import BRANCH_SYNONYMS

COLUMNS: tuple[Column, ...] = (
    Column("branch", "党支部", ("所在党支部", *(s for s in BRANCH_SYNONYMS if s != "党支部"), "党组织名称",
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

STAGES = (("self", "自评"), ("community", "社区初评"), ("street", "街道审定"))


def year_choices() -> list[tuple[int, str]]:
    """Every rating year, newest first, "（已定级）" after a finalized one."""
    from wanghu_desk.services import rating

    out = []
    for y in rating.years():
        state = "（已定级）" if rating.round_info(y).is_finalized else ""
        out.append((y, f"{y} 年度{state}"))
    return out


def pick_year(choices: list[tuple[int, str]]) -> int | None:
    """The newest open year, else the newest."""
    open_years = [y for y, text in choices if "已定级" not in text]
    if open_years:
        return open_years[0]
    return choices[0][0] if choices else None


def describe(options: dict[str, Any]) -> str:
    labels = dict(STAGES)
    return f"{options['year']} 年度{labels[options['stage']]}得分"


def export_workbook(path: Any, *, year: int) -> Any:
    from reports.rating_export import write_rating_workbook

    return write_rating_workbook(path, year)


KIND = ImportKind(
    name="ratings",
    label="星级评定得分",
    columns=COLUMNS,
    normaliser="reports.import_rows:RatingNormaliser",
    classify="wanghu_desk.services.imports:_classify_ratings",
    commit="wanghu_desk.services.imports:_commit_ratings",
    help="星级评定得分，需 --year",
    options=(
        OptionSpec("year", "年度", "--year", "年度：ratings 必填；ledger 可选（只接受该年度的凭证）", type=int,
                   choices="wanghu_desk.kinds.ratings:year_choices", pick="wanghu_desk.kinds.ratings:pick_year",
                   required=True, missing="导入星级评定得分时请用 --year 指定年度，例如 --year 2026。", metavar="Y",
                   dialog_label="评定年度"),
        OptionSpec("stage", "评分阶段", "--stage",
                   "ratings 的评分阶段：self（自评）| community（社区初评，默认）| street（街道审定）",
                   values=STAGES, default="community", metavar="STAGE"),
    ),
    export=ExportSpec(title="星级评定结果", command="rating", writer="wanghu_desk.kinds.ratings:export_workbook",
                      arguments={"year": 2025}, done="已导出 {year} 年度星级评定结果到：{path}",
                      window="ui.rating_tab:RatingTab.export_excel"),
    hint_extra="和各评分项（如「1.1」或评定内容）",
    no_choices="还没有星级评定年度。请先在「星级评定」中新建年度，再导入得分。",
    describe="wanghu_desk.kinds.ratings:describe",
)
