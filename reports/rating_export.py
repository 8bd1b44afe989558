"""星级评定结果 to Excel (SPEC §4, §8): one row per branch, in the office look of
`reports.xlsx_style` (title row, frozen header, A4 landscape, page numbers).

Sheets:
- 评定结果: 序号, 党支部, 所属社区, 类别, 自评 / 社区初评 / 街道审定 得分, 合计, 得分来源,
  星级 (0–5), 评定结果, 自评星级, 一票否决原因, 备注 (a level lost to the five-star cap,
  a recorded tie decision, a self-declared star that differs);
- 分项得分: the points per item that make each total (after the stage fallback);
- 评定标准: the scheme (codes used as headers of 分项得分, items, maxima, thresholds);
- 星级分布: branches per star level and their share.

Points are written as exact numbers (Decimal from integer hundredths), stars as integers.
`rating_workbook_steps` yields progress ``(done, total, text)`` for a worker;
`write_rating_workbook(out, year, progress=None)` runs it to the end (CLI, tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator
from pathlib import Path

from reports.xlsx_style import SheetColumn, iter_write_table_sheet, new_workbook, save_workbook
from wanghu_desk.errors import UsageError
from wanghu_desk.rating_rules import STAGE_LABELS, STAGES, STAR_NAMES, format_points, points_decimal
from wanghu_desk.services import rating, stats

__all__ = ["RESULT_COLUMNS", "default_filename", "rating_workbook_steps", "write_rating_workbook"]

Progress = Callable[[int, int, str], None]

RESULT_COLUMNS: tuple[SheetColumn, ...] = (
    SheetColumn("序号", "int"),
    SheetColumn("党支部", "code"),
    SheetColumn("所属社区", "code"),
    SheetColumn("类别", "code"),
    *(SheetColumn(f"{STAGE_LABELS[s]}得分", "number", 12) for s in STAGES),
    SheetColumn("合计", "number", 9),
    SheetColumn("得分来源", "code"),
    SheetColumn("星级", "int", 7),
    SheetColumn("评定结果", "code", 10),
    SheetColumn("自评星级", "int", 10),
    SheetColumn("一票否决原因", "text"),
    SheetColumn("备注", "text"),
)
COL_RESULT = 11
COL_SELF_STARS = 12


def default_filename(area: str, year: int) -> str:
    return f"{area}{year}年度星级党支部评定结果.xlsx"


def _note(r: rating.BranchResult) -> str:
    notes = []
    if r.capped_from:
        notes.append(f"达到{STAR_NAMES[r.capped_from]}标准，因{STAR_NAMES[r.capped_from]}名额限制评为{STAR_NAMES[r.stars]}")
    decision = r.row.cap_decision
    if decision and decision.get("decision") in ("keep", "demote"):
        verb = "保留" if decision["decision"] == "keep" else "降级"
        notes.append(f"同分并列裁定：{verb}（{decision.get('reason') or ''}）")
    if r.cap_pending:
        notes.append("名额边界同分并列，待裁定")
    if r.self_differs:
        notes.append(f"自评{STAR_NAMES[r.self_stars or 0]}，评定{STAR_NAMES[r.stars]}")
    return "；".join(notes)


def _subtitle(result: rating.YearResult) -> str:
    rnd = result.round
    parts = [result.distribution.summary, f"状态：{rnd.status_label}"]
    if rnd.publicity_start:
        parts.append(f"公示：{rnd.publicity_text}")
    parts.append(f"导出日期：{dt.date.today().isoformat()}")
    return "　".join(parts)


def rating_workbook_steps(out: Path | str, year: int) -> Generator[tuple[int, int, str], None, Path]:
    """Write the year's results to `out` (.xlsx), yielding progress; returns the path."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"导出文件应以 .xlsx 结尾：{out.name}")
    yield 0, 0, "正在计算评定结果…"
    result = rating.year_result(year)
    scheme = result.scheme
    area = stats.organization_name()
    total = len(result.results)
    workbook = new_workbook()
    used: set[str] = set()

    rows = []
    highlights: dict[tuple[int, int], str] = {}
    for i, r in enumerate(result.results):
        row = r.row
        rows.append((
            i + 1, row.name, row.community, row.category_label,
            *(points_decimal(r.stage_totals.get(s)) for s in STAGES),
            points_decimal(r.total_cp), r.source_label, r.stars, r.result_label,
            row.self_stars, row.veto_reason, _note(r),
        ))
        if r.vetoed:
            highlights[(i, COL_RESULT)] = "error"
        elif r.cap_pending:
            highlights[(i, COL_RESULT)] = "warning"
        if r.self_differs:
            highlights[(i, COL_SELF_STARS)] = "warning"
    title = f"{area}{year}年度星级党支部评定结果"
    for written in iter_write_table_sheet(workbook, "评定结果", title, RESULT_COLUMNS, rows,
                                          subtitle=_subtitle(result), highlights=highlights, used_titles=used):
        yield written, total, f"正在写入 {written} / {total} 个支部…"

    items = scheme.entry_items
    item_columns = [SheetColumn("序号", "int"), SheetColumn("党支部", "code")]
    item_columns += [SheetColumn(f"{c.code}（{'扣' if c.kind == 'deduction' else ''}{c.max_text}分）", "number", 10)
                     for c in items]
    item_columns += [SheetColumn("合计", "number", 9), SheetColumn("得分来源", "code")]
    item_rows = []
    for i, r in enumerate(result.results):
        values = []
        for c in items:
            got = r.effective.get(c.id)
            if got is None:
                values.append(None)
            else:
                values.append(points_decimal(-got[0] if c.kind == "deduction" else got[0]))
        item_rows.append((i + 1, r.name, *values, points_decimal(r.total_cp), r.source_label))
    yield total, total, "正在写入分项得分…"
    for _ in iter_write_table_sheet(workbook, "分项得分", f"{area}{year}年度星级党支部评定分项得分", item_columns,
                                    item_rows, subtitle="减分项以负数表示；空白表示各评分阶段都没有填写。",
                                    used_titles=used):
        pass

    thresholds = "，".join(f"{STAR_NAMES[s]} {format_points(scheme.thresholds[s])} 分以上"
                          for s in sorted(scheme.thresholds, reverse=True))
    caps = "；".join(f"{STAR_NAMES[s]}不超过 {p}%（{year} 年度最多 {result.limits.get(s, 0)} 个）"
                    for s, p in sorted(scheme.caps.items(), reverse=True))
    scheme_rows = [(c.code, c.kind_label, c.dimension, c.item,
                    points_decimal(c.max_cp) if c.kind != "veto" else None) for c in scheme.criteria]
    for _ in iter_write_table_sheet(
        workbook, "评定标准", scheme.name,
        [SheetColumn("编号", "code", 8), SheetColumn("类型", "code", 10), SheetColumn("评定维度", "code"),
         SheetColumn("评定内容", "text"), SheetColumn("分值", "number", 8)],
        scheme_rows, subtitle=f"{thresholds}。{caps}。" if caps else f"{thresholds}。", used_titles=used,
    ):
        pass

    dist = result.distribution
    dist_rows = [(STAR_NAMES[s], dist.by_stars.get(s, 0),
                  f"{dist.by_stars.get(s, 0) * 100 / dist.rated:.1f}%" if dist.rated else "—") for s in range(5, -1, -1)]
    dist_rows.append(("合计", dist.rated, "100.0%" if dist.rated else "—"))
    for _ in iter_write_table_sheet(
        workbook, "星级分布", f"{area}{year}年度星级党支部分布",
        [SheetColumn("星级", "code", 10), SheetColumn("支部数", "int", 10), SheetColumn("占比", "code", 10)],
        dist_rows, subtitle=f"{dist.summary}；其中一票否决 {dist.vetoed} 个。", used_titles=used,
    ):
        pass

    yield total, total, "正在保存文件…"
    save_workbook(workbook, out)
    return out


def write_rating_workbook(out: Path | str, year: int, progress: Progress | None = None) -> Path:
    """`rating_workbook_steps` run to the end; `progress(done, total, text)` if given."""
    gen = rating_workbook_steps(out, year)
    while True:
        try:
            step = next(gen)
        except StopIteration as stop:
            return stop.value
        if progress is not None:
            progress(*step)
