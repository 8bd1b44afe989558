"""季度报表: the quarterly report for upward submission (SPEC §8), as a PDF.

The figures come from `wanghu_desk.services.quarterly.quarter_figures` (dataclasses);
this module only lays them out with `reports.pdf.document.OfficialDocument`:

    标题、报告期、填报单位
    一、总体情况      a generated paragraph with the key figures
    二、组织建设      branches by category, building groups
    三、党员队伍      members by category (pie), new members and departures, 转正 due
    四、志愿服务      teams, volunteers, service records and hours of the quarter
    五、居民事项      matters received and settled, 按时办结率, 满意率, where they were
                      settled (小区/社区/街道), overdue open matters; a table by kind
                      (微心愿 claimed and fulfilled) — every figure from
                      `services.matters.figures`, never recounted here
    六、在职党员双报到  reporting members, the 三单制 orders of the quarter (placed, done,
                     open), 服务人次, hours, 满意率 (`services.reporting.figures`)
    七、星级评定      the last finalized rating: distribution (bar chart and table)
    八、经费保障      funds of year Y up to the quarter's end, per branch; estate
                      branches under ¥10,000 flagged
    签字栏            填报单位, 负责人, 填报人, 联系电话, 日期

Entry points:
- `quarterly_report_steps(out_path, year, quarter, …)`: a generator for the GUI worker
  (`ui.workers.Worker`); it yields ``(done, total, text)`` and returns the written path.
- `write_quarterly_report(out_path, year, quarter, *, progress=None, …) -> Path`: the
  same, driven to the end (for the CLI); `progress(done, total, text)` if given.
- `build_quarterly_document(figures, …) -> OfficialDocument`: layout only (tests).

The database must be open. A file held open by a PDF viewer gives a `UserError`
("文件正被其他程序打开，请关闭后重试：…"); the file is written to a temporary file first
and renamed, so a failed run never leaves half a PDF.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

from reports.fonts import FontSet, resolve_fonts
from reports.pdf.document import OfficialDocument
from reports.pdf.formatting import count, date_cn, date_iso, money, permille
from wanghu_desk.services.matters import MatterFigures, Tally
from wanghu_desk.services.matters import vocab as matter_vocab
from wanghu_desk.services.quarterly import (
    FundFigures,
    MemberFigures,
    OrganizationFigures,
    Quarter,
    QuarterFigures,
    RatingFigures,
    VolunteerFigures,
    as_of_date,
    fund_figures,
    hours_text,
    matter_figures,
    matters_reported,
    member_figures,
    organization_figures,
    rating_figures,
    reporting_figures,
    reporting_reported,
    share_permille,
    unit_info,
    volunteer_figures,
)
from wanghu_desk.services.reporting import ReportingFigures

__all__ = [
    "build_quarterly_document",
    "default_filename",
    "quarterly_report_steps",
    "report_title",
    "write_quarterly_report",
]

Progress = Callable[[int, int, str], None]

STAR_NAMES = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星", 0: "未定星"}
#: The overdue 转正 list names at most this many members (a district-scale register can
#: have thousands; the per-branch table above counts them all).
OVERDUE_LIST_LIMIT = 100


def report_title(area: str, period: Quarter) -> str:
    """Two lines, split where a reader would pause."""
    return f"{area}{period.label}\n党建引领社区治理工作报表"


def default_filename(area: str, year: int, quarter: int) -> str:
    return f"{area}{Quarter(year, quarter).label}党建工作报表.pdf"


# ------------------------------------------------------------------ sections


def _overview(doc: OfficialDocument, f: QuarterFigures) -> None:
    org, mem, vol, rating, funds = f.organization, f.members, f.volunteers, f.rating, f.funds
    doc.heading("总体情况")
    if f.is_empty:
        doc.paragraph(f"截至{f.as_of_label}，系统中没有党组织、党员、志愿服务、星级评定或经费数据，"
                      f"本季度无可报送的统计数字。请先录入或导入相关台账后重新生成本报表。")
        return
    parts = [f"截至{f.as_of_label}，{f.unit.area_name}共有党支部{count(org.branches_total)}个"
             f"（其中小区（片区）党支部{count(org.estate_branches)}个）、楼栋党小组{count(org.building_groups)}个，"
             f"在册党员{count(mem.total)}名（正式党员{count(mem.full)}名、预备党员{count(mem.probationary)}名）。"]
    due = len(mem.probation_due)
    parts.append(f"本季度新发展党员{count(mem.joined)}名"
                 + (f"，{count(due)}名预备党员已到期或将在30天内到期转正。" if due else "。"))
    if vol.records:
        parts.append(f"本季度共开展志愿服务{count(vol.records)}次，累计{vol.hours_text}小时，"
                     f"参与志愿者{count(vol.active_volunteers)}名。")
    else:
        parts.append("本季度无志愿服务记录。")
    if matters_reported(f.matters):
        t = f.matters.total
        parts.append(f"本季度受理居民事项{count(t.received)}件，办结{count(t.settled)}件，"
                     f"按时办结率{t.on_time_rate}，满意率{t.satisfaction_rate}。")
    if rating:
        parts.append(f"{rating.year}年度星级评定{count(rating.rated)}个支部中一星以上{count(rating.at_least_one_star)}个，"
                     f"五星{count(rating.five_star)}个。")
    if funds.entries:
        parts.append(f"{funds.year}年度截至{f.as_of.month}月{f.as_of.day}日共拨付经费{money(funds.allocated_fen)}，"
                     f"支出{money(funds.spent_fen)}，执行率{permille(funds.spend_rate_permille)}。")
    doc.paragraph("".join(parts))


def _organization(doc: OfficialDocument, f: QuarterFigures, org: OrganizationFigures, tables: Iterator[int]) -> None:
    doc.heading("组织建设")
    if not org.branches_total:
        doc.paragraph(f"截至{f.as_of_label}，本季度无党支部数据（系统中尚未录入党支部）。")
        return
    text = (f"截至{f.as_of_label}，全{_area_kind(f.unit.area_name)}共有社区{count(org.communities)}个、"
            f"小区（片区）{count(org.estates)}个，党支部{count(org.branches_total)}个，"
            f"其中小区（片区）党支部{count(org.estate_branches)}个；楼栋党小组{count(org.building_groups)}个")
    text += f"，其中{count(org.groups_without_leader)}个尚未设党小组长。" if org.groups_without_leader else "，均已设党小组长。"
    changes = [f"新成立党支部{count(org.branches_founded)}个" if org.branches_founded else "",
               f"撤销党支部{count(org.branches_dissolved)}个" if org.branches_dissolved else ""]
    if any(changes):
        text += "本季度" + "，".join(c for c in changes if c) + "。"
    doc.paragraph(text)
    rows = [[r.label, count(r.count), permille(share_permille(r.count, org.branches_total))]
            for r in org.branches_by_category]
    rows.append(["合计", count(org.branches_total), "100.0%"])
    doc.table(["党支部类别", "数量（个）", "占比"], rows, col_widths=[3, 1.5, 1.5], numeric_columns={1, 2},
              emphasis_rows={len(rows) - 1}, caption=f"表{next(tables)}  党支部分类情况（截至{f.as_of_label}）")


def _members(doc: OfficialDocument, f: QuarterFigures, mem: MemberFigures, tables: Iterator[int]) -> None:
    p = f.period
    doc.heading("党员队伍")
    if not mem.total and not mem.joined and not mem.left:
        doc.paragraph(f"截至{f.as_of_label}，党员名册中没有在册党员，本季度无党员发展和变动记录。")
        return
    doc.heading("党员构成", level=2)
    doc.paragraph(f"截至{f.as_of_label}，在册党员{count(mem.total)}名，其中正式党员{count(mem.full)}名、"
                  f"预备党员{count(mem.probationary)}名；党员中心户{count(mem.center_households)}户，"
                  f"在职党员到居住地报到{count(mem.reported_at_residence)}名。")
    if mem.total:
        doc.chart_pie([r.label for r in mem.by_category], [r.count for r in mem.by_category],
                      title="党员构成（名）", height_mm=50)

    doc.heading("党员发展与变动", level=2)
    text = f"本季度（{p.span_label}）新发展党员{count(mem.joined)}名"
    if mem.left:
        detail = "、".join(f"{r.label}{count(r.count)}名" for r in mem.left_by_status)
        text += f"；减少党员{count(mem.left)}名，其中{detail}。"
    else:
        text += "；本季度无党员转出、去世等减少情况。"
    doc.paragraph(text)

    doc.heading("预备党员转正", level=2)
    due = mem.probation_due
    if not due:
        doc.paragraph(f"截至{f.as_of_label}，无已到期或30天内到期的预备党员，本季度无到期转正事项。")
        return
    doc.paragraph(f"截至{f.as_of_label}，预备党员中已到期未办理转正的{count(mem.overdue)}名，"
                  f"30天内（{f.as_of.month}月{f.as_of.day}日后30天）到期的{count(mem.due_soon)}名，请各党支部按期讨论转正。")
    by_branch: dict[str, list[int]] = {}
    for d in sorted(due, key=lambda d: d.branch_order):
        by_branch.setdefault(d.branch, [0, 0])[0 if d.overdue else 1] += 1
    rows = [[str(i), name, count(o), count(s), count(o + s)]
            for i, (name, (o, s)) in enumerate(by_branch.items(), start=1)]
    rows.append(["", "合计", count(mem.overdue), count(mem.due_soon), count(len(due))])
    doc.table(["序号", "党支部", "已到期", "30天内到期", "合计"], rows, col_widths=[1.2, 7, 2, 2.4, 1.8],
              numeric_columns={2, 3, 4}, centered_columns={0}, emphasis_rows={len(rows) - 1},
              caption=f"表{next(tables)}  预备党员到期转正情况（按党支部）")
    overdue = [d for d in due if d.overdue]
    if overdue:
        shown = overdue[:OVERDUE_LIST_LIMIT]
        rows = [[str(i), d.name, d.branch, date_iso(d.joined_on), date_iso(d.due_on)]
                for i, d in enumerate(shown, start=1)]
        rest = len(overdue) - len(shown)
        doc.table(["序号", "姓名", "党支部", "入党日期", "应转正日期"], rows, col_widths=[1.2, 2.4, 6.2, 2.6, 2.6],
                  centered_columns={0, 3, 4},
                  caption=f"表{next(tables)}  已到期未转正的预备党员" + (f"（到期最早的{len(shown)}名）" if rest else ""),
                  note=f"注：另有{count(rest)}名已到期未转正的预备党员未列出，名单见党员名册的转正提醒。" if rest else None)


def _volunteers(doc: OfficialDocument, f: QuarterFigures, vol: VolunteerFigures, tables: Iterator[int]) -> None:
    p = f.period
    doc.heading("志愿服务")
    base = f"截至{f.as_of_label}，共有志愿服务队{count(vol.teams)}支、注册志愿者{count(vol.volunteers)}名。"
    if not vol.records:
        doc.paragraph(base + f"本季度（{p.span_label}）无志愿服务记录。")
        return
    months = "；".join(f"{m}月{count(n)}次、{hours_text(mins)}小时" for m, n, mins in vol.by_month)
    doc.paragraph(base + f"本季度共开展志愿服务{count(vol.records)}次，累计{vol.hours_text}小时，"
                  f"参与志愿者{count(vol.active_volunteers)}名。分月情况：{months}。")
    rows = [[str(i), t.team, count(t.records), count(t.volunteers), hours_text(t.minutes)]
            for i, t in enumerate(vol.by_team, start=1)]
    rows.append(["", "合计", count(vol.records), count(vol.active_volunteers), vol.hours_text])
    doc.table(["序号", "志愿服务队", "服务次数", "参与人数", "服务时长（小时）"], rows,
              col_widths=[1.2, 6.8, 2.2, 2.2, 3.0], numeric_columns={2, 3, 4}, centered_columns={0},
              emphasis_rows={len(rows) - 1}, caption=f"表{next(tables)}  本季度志愿服务情况（按服务队）",
              note="注：参与人数按志愿者去重计算，同一志愿者参加多支服务队时合计行只计一次。")


def _level_cell(t: Tally, level: str) -> str:
    """71（75.5%）: matters settled at `level` and their share of the settled ones."""
    return f"{count(t.settled_at.get(level, 0))}（{t.level_share(level)}）" if t.settled else "—"


def _matters(doc: OfficialDocument, f: QuarterFigures, m: MatterFigures | None, tables: Iterator[int]) -> None:
    """居民事项: the quarter's figures as `services.matters.figures` gives them (the tab's and
    the dashboard's source); nothing is counted or divided here."""
    p = f.period
    doc.heading("居民事项")
    if not matters_reported(m):
        doc.paragraph(f"本季度（{p.span_label}）无社情民意、议事协商、矛盾调解、扫码报事和微心愿记录，"
                      f"截至{f.as_of_label}无超期未办结事项。")
        return
    t = m.total
    levels = "、".join(f"{label}{count(t.settled_at.get(code, 0))}件（{t.level_share(code)}）"
                       for code, label in matter_vocab.LEVELS.items())
    text = (f"本季度（{p.span_label}）共受理居民事项{count(t.received)}件，办结{count(t.settled)}件，"
            f"其中按期办结{count(t.on_time)}件，按时办结率{t.on_time_rate}；")
    if t.evaluated:
        text += (f"已评价{count(t.evaluated)}件，其中满意和基本满意{count(t.satisfied)}件，"
                 f"满意率{t.satisfaction_rate}。")
    else:
        text += "办结事项均未评价，满意率无从计算。"
    if t.settled:
        text += f"按办结层级：{levels}。"
    escalated = [f"{matter_vocab.LEVELS[code]}{count(n)}件" for code, n in m.escalated_to.items() if n]
    if escalated:
        text += f"本季度上报{'、'.join(escalated)}。"
    text += (f"截至{f.as_of_label}，超期未办结{count(t.overdue_open)}件，请相关责任单位加快办理。" if t.overdue_open
             else f"截至{f.as_of_label}，无超期未办结事项。")
    wish = m.by_kind.get("wish")
    if wish is not None and (wish.received or wish.settled):
        text += (f"微心愿本季度收集{count(wish.received)}个，其中已认领{count(m.wishes_claimed)}个；"
                 f"本季度完成{count(wish.settled)}个。")
    doc.paragraph(text)

    kinds = list(m.by_kind.values())
    rows = [[k.label, count(k.received), count(k.settled), count(k.on_time), k.on_time_rate, count(k.evaluated),
             k.satisfaction_rate, count(k.overdue_open)] for k in kinds]
    rows.append(["合计", count(t.received), count(t.settled), count(t.on_time), t.on_time_rate, count(t.evaluated),
                 t.satisfaction_rate, count(t.overdue_open)])
    doc.table(["事项类别", "受理", "办结", "按期办结", "按时办结率", "已评价", "满意率", "超期未办结"], rows,
              col_widths=[2.2, 1.5, 1.5, 1.8, 1.9, 1.6, 1.6, 2.0], numeric_columns=set(range(1, 8)),
              emphasis_rows={len(rows) - 1}, caption=f"表{next(tables)}  本季度居民事项办理情况（按类别，单位：件）",
              note="注：按时办结率＝按期办结÷办结；满意率＝（满意＋基本满意）÷已评价；"
                   "超期未办结为截至统计日已过办理期限仍未办结的事项；微心愿的“办结”指心愿已完成。")
    level_rows = [[k.label, count(k.settled)] + [_level_cell(k, code) for code in matter_vocab.LEVEL_ORDER]
                  for k in kinds]
    level_rows.append(["合计", count(t.settled)] + [_level_cell(t, code) for code in matter_vocab.LEVEL_ORDER])
    doc.table(["事项类别", "办结"] + [f"{matter_vocab.LEVELS[code]}办结" for code in matter_vocab.LEVEL_ORDER],
              level_rows, col_widths=[2.2, 1.5, 2.3, 2.3, 2.3], numeric_columns={1, 2, 3, 4},
              emphasis_rows={len(level_rows) - 1}, caption=f"表{next(tables)}  本季度居民事项办结层级（按类别，单位：件）",
              note="注：括号内为占本类别办结事项的比例（“小事不出小区、大事不出社区、难事不出街道”）。")
    if wish is not None and (wish.received or wish.settled):
        doc.table(["微心愿", "收集", "已认领", "已完成"],
                  [["本季度", count(wish.received), count(m.wishes_claimed), count(wish.settled)]],
                  col_widths=[2.2, 2.3, 2.3, 2.3], numeric_columns={1, 2, 3},
                  caption=f"表{next(tables)}  本季度微心愿认领和完成情况（单位：个）",
                  note="注：已认领指本季度收集的微心愿中已被党员、共建单位或志愿服务队认领（含已完成）的个数；"
                       "已完成为本季度完成的微心愿个数。")


def _reporting(doc: OfficialDocument, f: QuarterFigures, r: ReportingFigures | None, tables: Iterator[int]) -> None:
    """在职党员双报到 and the 三单制: the quarter's figures as `services.reporting.figures` gives
    them (also behind the tab and `stats --json`); nothing is counted here."""
    p = f.period
    doc.heading("在职党员双报到")
    if not reporting_reported(r):
        doc.paragraph(f"截至{f.as_of_label}，尚无在职党员到居住地社区报到的记录，本季度无三单制服务。")
        return
    text = (f"截至{f.as_of_label}，到居住地社区报到的在职党员{count(r.reporting_members)}名"
            f"（本季度新报到{count(r.newly_reported)}名）。本季度（{p.span_label}）居民点单{count(r.orders_placed)}件，"
            f"完成{count(r.orders_done)}件，党员服务{count(r.services)}人次（{count(r.members_served)}名党员），"
            f"服务时长{r.hours_text}；")
    text += (f"已评价{count(r.evaluated)}件，满意和基本满意{count(r.satisfied)}件，满意率{r.satisfaction_rate}。"
             if r.evaluated else "完成的服务单均未评价。")
    text += (f"截至{f.as_of_label}，尚未完成的服务单{count(r.open_orders)}件。" if r.open_orders
             else f"截至{f.as_of_label}，无未完成的服务单。")
    doc.paragraph(text)
    doc.table(["报到党员", "新报到", "居民点单", "完成", "取消", "服务人次", "服务时长", "满意率", "未完成"],
              [[count(r.reporting_members), count(r.newly_reported), count(r.orders_placed), count(r.orders_done),
                count(r.orders_cancelled), count(r.services), r.hours_text, r.satisfaction_rate,
                count(r.open_orders)]],
              col_widths=[1.7, 1.5, 1.7, 1.4, 1.4, 1.7, 2.2, 1.6, 1.6], numeric_columns=set(range(9)),
              caption=f"表{next(tables)}  本季度在职党员双报到和三单制服务情况",
              note="注：三单制指居民点单、支部下单、党员接单；服务人次为完成的服务单×接单党员数；"
                   "满意率＝（满意＋基本满意）÷已评价；未完成为截至统计日已点单但未完成、未取消的服务单。")


def _rating(doc: OfficialDocument, f: QuarterFigures, rating: RatingFigures | None, tables: Iterator[int]) -> None:
    doc.heading("星级评定")
    if rating is None:
        doc.paragraph(f"截至{f.as_of_label}，尚无已审定的星级党支部评定结果，本季度无星级评定数据。")
        return
    when = f"已于{date_cn(rating.finalized_on)}审定" if rating.finalized_on else "已审定"
    text = (f"{rating.year}年度星级党支部评定{when}：{count(rating.rated)}个支部中一星以上"
            f"{count(rating.at_least_one_star)}个，五星{count(rating.five_star)}个")
    if rating.five_star_branches:
        text += f"（{'、'.join(rating.five_star_branches)}）"
    text += f"；一票否决{count(rating.vetoed)}个。" if rating.vetoed else "。"
    doc.paragraph(text)
    order = [5, 4, 3, 2, 1, 0]
    doc.chart_bar([STAR_NAMES[s] for s in order], [rating.by_stars.get(s, 0) for s in order],
                  title=f"{rating.year}年度星级评定结果分布（个）", height_mm=62)
    rows = [
        ["支部数（个）"] + [count(rating.by_stars.get(s, 0)) for s in order] + [count(rating.rated)],
        ["占比"] + [permille(share_permille(rating.by_stars.get(s, 0), rating.rated)) for s in order] + ["100.0%"],
    ]
    doc.table(["星级"] + [STAR_NAMES[s] for s in order] + ["合计"], rows, col_widths=[2.4] + [1.6] * 7,
              numeric_columns=set(range(1, 8)), caption=f"表{next(tables)}  {rating.year}年度星级评定结果")


def _funds(doc: OfficialDocument, f: QuarterFigures, funds: FundFigures, tables: Iterator[int]) -> None:
    doc.heading("经费保障")
    minimum = money(funds.minimum_fen)
    if not funds.entries:
        text = f"{funds.year}年度截至{f.as_of.month}月{f.as_of.day}日无经费拨付和支出记录。"
        missing = funds.below_minimum
        if missing:
            text += f"{count(len(missing))}个小区（片区）党支部本年度服务群众专项经费尚未拨付（每个应不少于{minimum}）。"
        doc.paragraph(text)
        return
    text = (f"{funds.year}年度截至{f.as_of.month}月{f.as_of.day}日，共拨付经费{money(funds.allocated_fen)}，"
            f"支出{money(funds.spent_fen)}，结余{money(funds.balance_fen)}，执行率{permille(funds.spend_rate_permille)}；"
            f"其中本季度支出{money(funds.spent_in_quarter_fen)}。")
    estate = [b for b in funds.branches if b.category == "estate"]
    below = funds.below_minimum
    if below:
        text += (f"有{count(len(below))}个小区（片区）党支部专项经费拨付不足{minimum}"
                 f"（{'、'.join(f'{b.name}{money(b.special_allocated_fen)}' for b in below)}），已在表中标注，请及时补足。")
    elif estate:
        text += f"{count(len(estate))}个小区（片区）党支部专项经费均已拨付，每个不少于{minimum}。"
    doc.paragraph(text)
    flagged = {i for i, b in enumerate(funds.branches) if b.below_minimum}
    # 其中专项: what the ¥10,000 rule counts (ledger.minimum_checks), beside all funds allocated
    headers = ["序号", "党支部", "拨付", "其中专项", "支出", "结余", "执行率"]
    widths = [10.5, 45.5, 22.5, 20.0, 22.5, 22.5, 13.5]
    if flagged:  # a remark column only when there is something to remark (and for grey-scale printers)
        headers.append("备注")
        widths[1] -= 12
        widths.append(12)
    rows = []
    for i, b in enumerate(funds.branches, start=1):
        special = money(b.special_allocated_fen) if b.category == "estate" else ""
        row = [str(i), b.name, money(b.allocated_fen), special, money(b.spent_fen), money(b.balance_fen),
               permille(b.spend_rate_permille)]
        rows.append(row + (["不足"] if b.below_minimum else [""]) * bool(flagged))
    special_total = sum(b.special_allocated_fen for b in funds.branches if b.category == "estate")
    rows.append(["", "合计", money(funds.allocated_fen), money(special_total), money(funds.spent_fen),
                 money(funds.balance_fen), permille(funds.spend_rate_permille)] + [""] * bool(flagged))
    note = "注：执行率＝支出÷拨付；冲销凭证已与原凭证相抵；“其中专项”为小区（片区）党支部的专项经费拨付，最低拨付标准按此计算。"
    if flagged:
        note += f"备注“不足”指小区（片区）党支部本年度专项经费拨付少于{minimum}。"
    doc.table(headers, rows, col_widths=widths, numeric_columns={2, 3, 4, 5, 6}, centered_columns={0, 7},
              flagged_rows=flagged, emphasis_rows={len(rows) - 1},
              caption=f"表{next(tables)}  {funds.year}年度党支部经费执行情况（截至{f.as_of.month}月{f.as_of.day}日）",
              note=note)


def _area_kind(area: str) -> str:
    """望湖街道 → 街道; 某某镇 → 镇."""
    for suffix in ("街道", "镇", "乡", "社区"):
        if area.endswith(suffix):
            return suffix
    return "辖区"


def build_quarterly_document(
    figures: QuarterFigures,
    *,
    fonts: FontSet | None = None,
    preparer: str = "",
    phone: str | None = None,
    report_date: dt.date | None = None,
    leader: str | None = None,
) -> OfficialDocument:
    """Lay out the report from its figures (no database access). `leader` (负责人) and
    `phone` default to the working committee's secretary and phone."""
    f = figures
    p = f.period
    doc = OfficialDocument(
        report_title(f.unit.area_name, p),
        unit=f"填报单位：{f.unit.full_name}" if f.unit.full_name else None,
        subtitle=f"（{p.span_label}，数据截至{f.as_of_label}）" if f.in_progress else f"（{p.span_label}）",
        fonts=fonts,
        author=f.unit.full_name,
        subject=f"{f.unit.area_name}{p.label}党建引领社区治理工作报表",
    )
    _overview(doc, f)
    tables = itertools.count(1)
    _organization(doc, f, f.organization, tables)
    _members(doc, f, f.members, tables)
    _volunteers(doc, f, f.volunteers, tables)
    _matters(doc, f, f.matters, tables)
    _reporting(doc, f, f.reporting, tables)
    _rating(doc, f, f.rating, tables)
    _funds(doc, f, f.funds, tables)
    doc.signature_block([
        ("填报单位", f"{f.unit.full_name}（盖章）" if f.unit.full_name else ""),
        ("负责人", f.unit.secretary if leader is None else leader),
        ("填报人", preparer),
        ("联系电话", f.unit.phone if phone is None else phone),
        ("日期", date_cn(report_date or f.generated_on)),
    ])
    return doc


# ------------------------------------------------------------------ entry points


def quarterly_report_steps(
    out_path: Path | str,
    year: int,
    quarter: int,
    *,
    fonts: FontSet | None = None,
    font_dirs: list[Path] | None = None,
    preparer: str = "",
    phone: str | None = None,
    report_date: dt.date | None = None,
    leader: str | None = None,
) -> Generator[tuple[int, int, str], None, Path]:
    """Write the report, yielding ``(done, total, text)`` between steps; returns the path."""
    period = Quarter(year, quarter)  # UsageError for a bad quarter, before any work
    today = report_date or dt.date.today()
    as_of = as_of_date(period, today)
    total = 11
    yield 0, total, "加载字体…"
    fonts = fonts or resolve_fonts(font_dirs)
    yield 1, total, "读取填报单位…"
    unit = unit_info()
    yield 2, total, "统计组织建设…"
    organization = organization_figures(period, as_of)
    yield 3, total, "统计党员队伍…"
    members = member_figures(period, as_of)
    yield 4, total, "统计志愿服务…"
    volunteers = volunteer_figures(period, as_of)
    yield 5, total, "统计星级评定…"
    rating = rating_figures(period, as_of)
    yield 6, total, "统计经费保障…"
    funds = fund_figures(period, as_of)
    yield 7, total, "统计居民事项…"
    matter_totals = matter_figures(period, as_of)
    yield 8, total, "统计在职党员双报到…"
    reporting_totals = reporting_figures(period, as_of)
    figures = QuarterFigures(period=period, unit=unit, organization=organization, members=members,
                             volunteers=volunteers, rating=rating, funds=funds, generated_on=today, as_of=as_of,
                             matters=matter_totals, reporting=reporting_totals)
    yield 9, total, "排版…"
    doc = build_quarterly_document(figures, fonts=fonts, preparer=preparer, phone=phone, report_date=report_date,
                                   leader=leader)
    yield 10, total, "生成 PDF 文件…"
    path = doc.build(out_path)
    yield total, total, f"已生成：{path.name}（{doc.pages} 页）"
    return path


def write_quarterly_report(
    out_path: Path | str,
    year: int,
    quarter: int,
    *,
    progress: Progress | None = None,
    **options,
) -> Path:
    """Write the quarterly report of `year` `quarter` to `out_path` and return the path.

    Options as for `quarterly_report_steps` (fonts, font_dirs, preparer, phone,
    report_date, leader). Raises `UsageError` for a bad quarter and `UserError` when the file
    cannot be written (open in a PDF viewer, folder missing or read-only).
    """
    steps = quarterly_report_steps(out_path, year, quarter, **options)
    while True:
        try:
            done, total, text = next(steps)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress(done, total, text)


