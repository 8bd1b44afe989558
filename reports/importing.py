"""The one import pipeline (SPEC §7), shared by the window and the command line:

    read the file → pick the sheet(s) → find the header → map columns by synonyms →
    normalise and check every row → preview → commit in one transaction

`preview_steps(path, kind, sheet, **options)` is a generator that yields progress ``(done, total,
text)`` and returns an `ImportPreview`: every data row with its Excel row number, its
cells, its normalised record and its problems (errors and warnings, each naming the
column as written in the file), plus what a commit would do (insert / update /
unchanged). Nothing is written by a preview. The kinds, their columns, options and
code are those of the registry (`wanghu_desk.kinds`): members, branches, groups,
volunteers, services, ratings (a community's score sheet for one year and stage, default
社区初评; `year` is required), ledger (entries of a ledger kept in Excel; with `year`,
rows of other years are errors) and matters (the 扫码 platform's and 12345's 工单).

`commit_steps(preview, skip_invalid=...)` writes through `services.imports.commit`: all
or nothing, or only the valid rows when the clerk chooses so; a backup first; one audit
event naming the file. `write_problem_list` writes the rows with problems and a
「问题说明」 column to a new workbook the clerk can send back for correction.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reports.columns import HeaderIndex
from reports.import_rows import ImportProblem, Normaliser, SourceRow, normaliser_for
from reports.layout import SheetLayout, data_rows, detect_layout, display_value
from reports.readers import Workbook, open_workbook
from reports.xlsx_style import SheetColumn, iter_write_table_sheet, new_workbook, save_workbook
from wanghu_desk import kinds
from wanghu_desk.errors import UsageError, ValidationError
from wanghu_desk.services import imports as import_service
from wanghu_desk.validation import ERROR, WARNING

__all__ = [
    "ALL_SHEETS",
    "IMPORT_KINDS",
    "ImportOutcome",
    "ImportPreview",
    "commit",
    "commit_steps",
    "list_sheets",
    "preview",
    "preview_steps",
    "run",
    "write_problem_list",
]

IMPORT_KINDS = kinds.names()
ALL_SHEETS = None  # `sheet=None`: every sheet that has a header of this kind
_PROGRESS_EVERY = 500

Steps = Generator[tuple[int, int, str], None, Any]


@dataclass
class ImportPreview:
    kind: str
    path: Path
    sheets: list[str]
    layouts: list[SheetLayout]
    rows: list[SourceRow]
    file_problems: list[ImportProblem] = field(default_factory=list)
    actions: list[str | None] = field(default_factory=list)  # per row; None for rows with errors
    options: dict[str, Any] = field(default_factory=dict)  # year / stage (ratings, ledger)
    today: dt.date | None = None

    @property
    def label(self) -> str:
        return kinds.get(self.kind).label

    @property
    def header_row(self) -> int | None:
        return self.layouts[0].header_row if self.layouts else None

    @property
    def problems(self) -> list[ImportProblem]:
        return self.file_problems + [p for r in self.rows for p in r.problems]

    @property
    def errors(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def blocked(self) -> bool:
        """A problem with the whole file (e.g. a required column is missing)."""
        return any(p.level == ERROR for p in self.file_problems)

    @property
    def valid_rows(self) -> list[SourceRow]:
        return [] if self.blocked else [r for r in self.rows if not r.has_errors]

    @property
    def invalid_rows(self) -> list[SourceRow]:
        return [r for r in self.rows if r.has_errors]

    @property
    def clean(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for a in self.actions if a == action)

    def sheet_label(self) -> str:
        return self.sheets[0] if len(self.sheets) == 1 else "、".join(self.sheets)


@dataclass
class ImportOutcome:
    """The result of a commit (or of a refusal to commit)."""

    preview: ImportPreview
    committed: bool
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    created: dict[str, int] = field(default_factory=dict)
    backup: Path | None = None


# ---------------------------------------------------------------- reading


def list_sheets(path: Path | str) -> list[str]:
    """The sheet names of a workbook (one name, the file's, for a CSV)."""
    return open_workbook(path).sheet_names


def _layout_of(book: Workbook, name: str, index: HeaderIndex, kind: str, strict: bool,
               skipped: list[ImportProblem], normaliser: Normaliser) -> tuple[Any, SheetLayout] | None:
    if not strict and name in normaliser.companion_sheets:
        return None  # a summary sheet of the program's own export: nothing to import, nothing to say
    raw = book.sheet(name)
    if not any(any(v not in (None, "") for v in row) for row in raw.rows):
        if strict:
            raise UsageError(f"工作表「{name}」是空的，没有可导入的内容。")
        skipped.append(ImportProblem(WARNING, name, None, None, None, f"工作表「{name}」是空的，已跳过。"))
        return None
    layout = detect_layout(raw, index)
    if layout is None:
        example = "」「".join(c.header for c in kinds.get(kind).columns if c.required)
        message = (f"在工作表「{name}」中找不到{kinds.get(kind).label}的表头（应有「{example}」等列）。"
                   "请确认导入类型和工作表选对了。")
        if strict:
            raise UsageError(message)
        skipped.append(ImportProblem(WARNING, name, None, None, None, message.replace("请确认导入类型和工作表选对了。", "已跳过。")))
        return None
    reason = normaliser.unusable(layout)
    if reason is not None:
        if strict:
            raise UsageError(reason + "请确认工作表选对了。")
        skipped.append(ImportProblem(WARNING, name, None, None, None, reason + "已跳过。"))
        return None
    return raw, layout


def resolve_options(kind: str, given: dict[str, Any]) -> dict[str, Any]:
    """The options of one import of `kind`: every option the kind takes (its default when
    not given); an option given that the kind does not take is a usage error naming the
    kinds that take it ("年度（--year）只用于导入星级评定得分（ratings）和经费台账（ledger）。")."""
    spec = kinds.get(kind)
    for name, value in given.items():
        if value is None or spec.option(name) is not None:
            continue
        option = kinds.all_options().get(name)
        if option is None:
            raise UsageError(f"导入不认识选项「{name}」。")
        takers = "和".join(f"{k.label}（{k.name}）" for k in kinds.takers(name))
        raise UsageError(f"{option.label}（{option.flag}）只用于导入{takers}。")
    return {o.name: given[o.name] if given.get(o.name) is not None else o.default for o in spec.options}


def _without_cyclic_gc(steps: Steps) -> Steps:
    """Run `steps` with Python's cyclic garbage collector paused (and resumed when they
    end, fail or are closed). An import allocates a few hundred thousand small objects
    (cells, records, problems) that all live until it ends; the collector would walk them
    again and again as they pile up, ~10 % of a 50,000-row import. Reference counting
    still frees everything as usual; only cycles wait for the collector's next run."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return (yield from steps)
    finally:
        if was_enabled:
            gc.enable()


def preview_steps(path: Path | str, kind: str, sheet: str | None = ALL_SHEETS, *,
                  today: dt.date | None = None, **options: Any) -> Steps:
    """Read and check `path` as roster `kind`; yields progress, returns `ImportPreview`.

    `sheet=None` reads every sheet that has a header of this kind (one per branch, say);
    a named sheet that does not exist, a file that cannot be read, an empty sheet or one
    without a recognisable header raise `UsageError` (exit code 2), as do a missing
    `year` for ratings, a year without a rating, and options the kind does not take.
    `options` are the kind's import options (`wanghu_desk.kinds`: ``year``, ``stage``,
    ``matter_kind`` …).
    """
    return (yield from _without_cyclic_gc(_preview_steps(path, kind, sheet, today=today, options=options)))


def _preview_steps(path: Path | str, kind: str, sheet: str | None, *,
                   today: dt.date | None, options: dict[str, Any]) -> Steps:
    spec = kinds.get(kind)
    options = resolve_options(kind, options)
    path = Path(path)
    yield 0, 0, f"正在读取「{path.name}」…"
    book = open_workbook(path)
    names = [sheet] if sheet is not None else list(book.sheet_names)
    if sheet is not None:
        book.sheet(sheet)  # raises for a missing sheet before any work
    normaliser = normaliser_for(kind, today, **options)
    index = normaliser.header_index()
    strict = len(names) == 1
    file_problems: list[ImportProblem] = []
    found: list[tuple[Any, SheetLayout]] = []
    for name in names:
        got = _layout_of(book, name, index, kind, strict, file_problems, normaliser)
        if got is not None:
            found.append(got)
    if not found:
        raise UsageError(f"文件「{path.name}」的各个工作表中都找不到{spec.label}的表头。"
                         "请确认导入类型选对了，或表格第一行附近有「姓名」等列名。")

    layouts = [layout for _raw, layout in found]
    blocking = normaliser.file_problem()
    if blocking is not None:
        file_problems.append(ImportProblem(ERROR, layouts[0].sheet, None, None, None, blocking))
    for raw, layout in found:
        normaliser.prepare_sheet(raw, layout)
        file_problems.extend(_header_problems(layout, kind))
        for col in normaliser.missing_required(spec.columns, layout):
            file_problems.append(ImportProblem(
                ERROR, layout.sheet, layout.header_row, None, None,
                f"工作表「{layout.sheet}」缺少「{col.header}」列（第 {layout.header_row} 行是表头）。请补上这一列后再导入。",
            ))

    sheet_rows = [(layout, data_rows(raw, layout, index)) for raw, layout in found]
    total = sum(len(rows) for _layout, rows in sheet_rows)
    rows: list[SourceRow] = []
    done = 0
    for layout, data in sheet_rows:
        make = normaliser.row
        for item in data:
            checked = make(layout, item)
            if checked is not None:  # None: a totals row
                rows.append(checked)
            done += 1
            if done % _PROGRESS_EVERY == 0:
                yield done, total, f"正在检查第 {done:,} / {total:,} 行…"
    yield total, total, "正在与已有数据比对…"
    yield from normaliser.finish(rows)

    result = ImportPreview(kind, path, [layout.sheet for layout in layouts], layouts, rows, file_problems,
                           options=options, today=normaliser.today)
    valid = result.valid_rows
    records = [r.record for r in valid]
    actions = normaliser.planned_actions(records)
    if actions is None:
        actions = import_service.classify(kind, records, options)
    planned = iter(actions)
    valid_ids = {id(r) for r in valid}
    result.actions = [next(planned) if id(r) in valid_ids else None for r in rows]
    return result


def _header_problems(layout: SheetLayout, kind: str) -> list[ImportProblem]:
    out = []
    for c, text in layout.unknown:
        out.append(ImportProblem(WARNING, layout.sheet, layout.header_row, text, None,
                                 f"不认识的列「{text}」，这一列不会导入。", c))
    for c, text, col in layout.duplicates:
        first = layout.header_of(col.field)
        out.append(ImportProblem(WARNING, layout.sheet, layout.header_row, text, None,
                                 f"「{text}」与「{first}」是同一项，只导入「{first}」列。", c))
    return out


def preview(path: Path | str, kind: str, sheet: str | None = ALL_SHEETS, *, today: dt.date | None = None,
            **options: Any) -> ImportPreview:
    """`preview_steps` run to the end."""
    return _drain(preview_steps(path, kind, sheet, today=today, **options))


# ---------------------------------------------------------------- committing


def commit_steps(result: ImportPreview, *, skip_invalid: bool = False) -> Steps:
    """Write the preview's rows. Refuses (`ValidationError`, nothing written) when there
    are errors and `skip_invalid` is false, or when no row is valid."""
    if result.blocked:
        raise ValidationError(result.errors[0].message)
    if result.errors and not skip_invalid:
        raise ValidationError(
            f"有 {len(result.invalid_rows)} 行有错误，没有导入任何内容。请改正后重新导入，或选择「仅导入有效行」。"
        )
    valid = result.valid_rows
    if not valid:
        raise ValidationError("没有可以导入的行。")
    counts = yield from _without_cyclic_gc(import_service.commit(
        result.kind,
        [r.record for r in valid],
        source=result.path.name,
        sheets=result.sheets,
        skipped=len(result.rows) - len(valid),
        options=result.options,
        today=result.today,
    ))
    return ImportOutcome(
        result, True, counts.inserted, counts.updated, counts.unchanged, len(result.rows) - len(valid),
        {k: v for k, v in counts.created.items() if v}, counts.backup,
    )


def commit(result: ImportPreview, *, skip_invalid: bool = False) -> ImportOutcome:
    return _drain(commit_steps(result, skip_invalid=skip_invalid))


def run(path: Path | str, kind: str, sheet: str | None = ALL_SHEETS, *, dry_run: bool = False,
        skip_invalid: bool = False, today: dt.date | None = None, **options: Any) -> ImportOutcome:
    """Preview, then commit when allowed: what the command line does. Never raises for
    bad rows: a refused import is an outcome with ``committed=False``."""
    result = preview(path, kind, sheet, today=today, **options)
    importable = not result.blocked and bool(result.valid_rows) and (result.clean or skip_invalid)
    if dry_run or not importable:
        outcome = ImportOutcome(result, False)
        if dry_run and importable:
            outcome.inserted = result.count(import_service.INSERT)
            outcome.updated = result.count(import_service.UPDATE)
            outcome.unchanged = result.count(import_service.UNCHANGED)
            outcome.skipped = len(result.invalid_rows)
        return outcome
    return commit(result, skip_invalid=skip_invalid)


def outcome_json(outcome: ImportOutcome, *, dry_run: bool = False) -> dict[str, Any]:
    """The JSON object of `import --json` (SPEC §9)."""
    p = outcome.preview
    return {
        "file": str(p.path),
        "kind": p.kind,
        "sheet": p.sheet_label(),
        "sheets": p.sheets,
        "header_row": p.header_row,
        "rows": len(p.rows),
        "inserted": outcome.inserted,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "skipped": outcome.skipped,
        "committed": outcome.committed,
        "dry_run": dry_run,
        "errors": [e.to_json() for e in p.errors],
        "warnings": [w.to_json() for w in p.warnings],
    }


def _drain(gen: Steps) -> Any:
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


# ---------------------------------------------------------------- problem list


def problem_rows(result: ImportPreview) -> list[SourceRow]:
    return [r for r in result.rows if r.problems]


def problem_text(row: SourceRow) -> str:
    """「问题说明」 of one row: errors first, each naming its column."""
    parts = []
    for p in sorted(row.problems, key=lambda p: p.level != ERROR):
        where = f"{p.column}：" if p.column else ""
        tag = "【错误】" if p.level == ERROR else "【提醒】"
        parts.append(f"{tag}{where}{p.message}")
    return "\n".join(parts)


def write_problem_list(result: ImportPreview, path: Path | str) -> int:
    """Write the rows with problems — original columns as in the file, plus 「原行号」 and
    「问题说明」 — to a new .xlsx; cells with a problem are shaded. Returns the row count."""
    workbook = new_workbook()
    used: set[str] = set()
    written = 0
    for layout in result.layouts:
        rows = [r for r in problem_rows(result) if r.sheet == layout.sheet]
        if not rows and len(result.layouts) > 1:
            continue
        width = max([*layout.headers.keys(), -1]) + 1
        positions = list(range(width))
        sheet_cols = [SheetColumn("原行号", "int")]
        for c in positions:
            col = layout.columns.get(c)
            kind = {"id": "id", "phone": "phone", "date": "date"}.get(col.kind, "text") if col else "text"
            sheet_cols.append(SheetColumn(layout.headers.get(c, ""), kind))
        sheet_cols.append(SheetColumn("问题说明", "text", 60))
        values, highlights = [], {}
        for i, row in enumerate(rows):
            cells = [display_value(row.cells[c]) if c < len(row.cells) else None for c in positions]
            values.append((row.row, *cells, problem_text(row)))
            for p in row.problems:
                if p.col_index is not None and p.col_index < width:
                    key = (i, p.col_index + 1)
                    if highlights.get(key) != ERROR:
                        highlights[key] = p.level
        for _ in iter_write_table_sheet(
            workbook, layout.sheet, f"问题清单：{result.path.name}", sheet_cols, values,
            subtitle=f"工作表「{layout.sheet}」 共 {len(rows)} 行有问题，请按「问题说明」改正后重新报送。",
            highlights=highlights, used_titles=used,
        ):
            pass
        written += len(rows)
    save_workbook(workbook, path)
    return written
