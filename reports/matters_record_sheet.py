"""议事协商记录单: one deliberation on paper for the file box, with its six 六事 steps
(居民提事、网格听事、社区议事、民主定事、协同办事、群众评事), each with its date,
participants and what was decided or done, the vote of 民主定事, escalations and the
residents' verdict; steps not yet taken are printed as blank lines to fill in by hand.

Entry points: `write_record_sheet(out, matter_id) -> Path` (GUI worker, CLI) and
`build_record_sheet(detail, …) -> OfficialDocument` (layout only, tests).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reports.fonts import FontSet, resolve_fonts
from reports.pdf.document import OfficialDocument
from reports.pdf.formatting import date_cn
from wanghu_desk.errors import UsageError, ValidationError
from wanghu_desk.services import matters, stats
from wanghu_desk.services.matters import vocab

__all__ = ["build_record_sheet", "default_filename", "write_record_sheet"]


def default_filename(number: str) -> str:
    return f"议事协商记录单-{number}.pdf"


def build_record_sheet(detail: matters.MatterDetail, *, area: str, fonts: FontSet | None = None,
                       today: dt.date | None = None) -> OfficialDocument:
    row = detail.row
    doc = OfficialDocument(f"{area}议事协商记录单", fonts=fonts, page_numbers="x_of_y", author=area,
                           subject=f"议事协商记录单 {row.number}")
    place = row.estate + (f" {row.building}" if row.building else "")
    doc.table(
        ["项目", "内容", "项目", "内容"],
        [
            ("编号", row.number, "类别", row.category or "—"),
            ("小区", place or "—", "提出人", row.raiser_name or "—"),
            ("受理日期", date_cn(row.received_on), "办结时限", date_cn(row.deadline_on) if row.deadline_on else "—"),
            ("办理层级", row.level_label, "当前状态", row.state_label),
        ],
        col_widths=[1.3, 3, 1.3, 3], centered_columns={0, 2},
    )
    doc.heading("议事事项")
    doc.paragraph(row.content)
    doc.heading("议事过程（六事）")
    done = {e.title: e for e in detail.timeline if e.kind == "step" and not e.undone}
    rows = []
    for spec in vocab.steps_of("deliberation"):
        entry = done.get(spec.label)
        if entry is None:
            # room to write by hand: three lines, as on the paper form
            rows.append((spec.label, "　年　月　日", "", "（尚未进行）\n　\n　"))
            continue
        people, lines = [], []
        for line in entry.text.splitlines():
            (people if line.startswith("参加：") else lines).append(line.removeprefix("参加："))
        if spec.code == "raise":
            people.append(row.raiser_name or "")
            lines.append(f"来源：{row.source_label or '—'}")
        rows.append((spec.label, date_cn(entry.on), "；".join(p for p in people if p), "\n".join(lines)))
    doc.table(["步骤", "日期", "参加人员", "情况、决定与结果"], rows, col_widths=[1.3, 1.9, 2.6, 4.2],
              centered_columns={0})
    escalations = [e for e in detail.timeline if e.kind == "escalation"]
    if escalations:
        doc.heading("上报情况")
        for e in escalations:
            doc.paragraph(f"{date_cn(e.on)}　{e.title}。{e.text}", indent=False)
    undone = [e for e in detail.timeline if e.undone]
    if undone:
        doc.note("；".join(f"{e.title}（{date_cn(e.on)}）已由管理员撤回：{e.undone_reason}" for e in undone))
    doc.signature_block([("记录人", ""), ("审核人", ""), ("盖章", ""),
                         ("日期", date_cn(today or dt.date.today()))])
    return doc


def write_record_sheet(out: Path | str, matter_id: int, *, fonts: FontSet | None = None,
                       today: dt.date | None = None) -> Path:
    """Write the record sheet of one deliberation to `out` (.pdf); returns the path."""
    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"记录单文件应以 .pdf 结尾：{out.name}")
    detail = matters.matter_detail(matter_id, today=today)
    if detail.row.kind != "deliberation":
        raise ValidationError("只有议事协商事项有记录单。请选择一个议事协商事项。")
    doc = build_record_sheet(detail, area=stats.organization_name(), fonts=fonts or resolve_fonts(), today=today)
    return doc.build(out)
