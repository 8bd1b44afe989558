"""`ImportTableModel`: the rows of an import preview as a flat Qt table.

Columns: 行号 (as Excel numbers it), 工作表 (only when several sheets are read), 结果
(错误 / 提醒 / 新增 / 更新 / 不变), 问题说明, then every column of the file under its
header as written. Cells with a problem are shaded (light red for an error, light yellow for a
warning) and carry the message as a tooltip. `set_only_problems(True)` keeps the rows
with problems ("只看有问题的行"); the filter is a list of row indices, so a 50,000-row
preview filters instantly.

An account that may not see full ID numbers (not an administrator) sees the cells of the
file's ID column masked (340104********1234), in the table only: the import itself reads
the file, not the table, and stores the whole number.

Roles: `SORT_ROLE` native values, `ROW_ROLE` the `SourceRow`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from reports.import_rows import SourceRow
from reports.importing import ImportPreview, problem_text
from reports.layout import display_value
from wanghu_desk.services.base import current_actor
from wanghu_desk.validation import ERROR, mask_id_number

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

ERROR_BRUSH = QBrush(QColor("#F8D7DA"))
WARNING_BRUSH = QBrush(QColor("#FFF3CD"))
ERROR_TEXT = QBrush(QColor("#A4161A"))
WARNING_TEXT = QBrush(QColor("#8A5A00"))
ACTION_LABELS = {"insert": "新增", "update": "更新", "unchanged": "不变"}

Index = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()


def short_problem_text(row: SourceRow) -> str:
    """问题说明 for one line of the table: errors first, each with its column; warnings
    marked 提醒 (the 结果 column already says 错误)."""
    parts = []
    for p in sorted(row.problems, key=lambda p: p.level != ERROR):
        where = f"{p.column}：" if p.column else ""
        parts.append(("" if p.level == ERROR else "提醒：") + where + p.message)
    return "；".join(parts)


class ImportTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._preview: ImportPreview | None = None
        self._rows: list[SourceRow] = []
        self._actions: list[str | None] = []
        self._visible: list[int] = []
        self._only_problems = False
        self._multi = False
        # File columns: (header text, {sheet: column index in that sheet})
        self._file_columns: list[tuple[str, dict[str, int]]] = []
        self._cell_problems: dict[int, dict[int, list]] = {}
        # sheet -> indices of its ID-number columns, shown masked (empty for an administrator)
        self._masked: dict[str, frozenset[int]] = {}

    # ------------------------------------------------------------ data in
    def set_preview(self, preview: ImportPreview | None) -> None:
        self.beginResetModel()
        self._preview = preview
        self._rows = list(preview.rows) if preview else []
        self._actions = list(preview.actions) if preview else []
        self._multi = bool(preview and len(preview.layouts) > 1)
        self._file_columns = []
        if preview:
            seen: dict[str, dict[str, int]] = {}
            for layout in preview.layouts:
                for c in sorted(layout.headers):
                    text = layout.headers[c]
                    seen.setdefault(text, {})[layout.sheet] = c
            self._file_columns = list(seen.items())
        self._masked = {}
        if preview and not current_actor().may_see_id_numbers:
            for layout in preview.layouts:
                ids = frozenset(c for c, col in layout.columns.items() if col.kind == "id")
                if ids:
                    self._masked[layout.sheet] = ids
        self._cell_problems = {}
        for i, row in enumerate(self._rows):
            for p in row.problems:
                self._cell_problems.setdefault(i, {}).setdefault(p.col_index if p.col_index is not None else -1,
                                                                 []).append(p)
        self._refilter()
        self.endResetModel()

    def set_only_problems(self, only: bool) -> None:
        if only == self._only_problems:
            return
        self.beginResetModel()
        self._only_problems = only
        self._refilter()
        self.endResetModel()

    def _refilter(self) -> None:
        if self._only_problems:
            self._visible = [i for i, r in enumerate(self._rows) if r.problems]
        else:
            self._visible = list(range(len(self._rows)))

    # ------------------------------------------------------------ shape
    @property
    def fixed_columns(self) -> list[str]:
        """行号, (工作表,) 结果, 问题说明 — the explanation comes before the file's columns so
        that the clerk reads why without scrolling sideways."""
        return ["行号", *(["工作表"] if self._multi else []), "结果", "问题说明"]

    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = _TOP) -> int:
        if parent.isValid() or self._preview is None:
            return 0
        return len(self.fixed_columns) + len(self._file_columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical or role != Qt.ItemDataRole.DisplayRole:
            return None
        fixed = self.fixed_columns
        if section < len(fixed):
            return fixed[section]
        section -= len(fixed)
        if 0 <= section < len(self._file_columns):
            return self._file_columns[section][0]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # ------------------------------------------------------------ data out
    def source_row(self, index: Index) -> SourceRow | None:
        if not index.isValid() or index.row() >= len(self._visible):
            return None
        return self._rows[self._visible[index.row()]]

    @property
    def visible_count(self) -> int:
        return len(self._visible)

    def _status(self, i: int) -> tuple[str, str | None]:
        row = self._rows[i]
        if row.has_errors:
            return "错误", ERROR
        if row.problems:
            action = ACTION_LABELS.get(self._actions[i] or "", "")
            return (f"提醒·{action}" if action else "提醒"), "warning"
        return ACTION_LABELS.get(self._actions[i] or "", ""), None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._visible):
            return None
        i = self._visible[index.row()]
        row = self._rows[i]
        col = index.column()
        fixed = self.fixed_columns
        if role == ROW_ROLE:
            return row
        if col < len(fixed):
            name = fixed[col]
            if name == "行号":
                if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                    return row.row
                if role == Qt.ItemDataRole.TextAlignmentRole:
                    return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                return None
            if name == "工作表":
                return row.sheet if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE) else None
            if name == "问题说明":
                if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                    return short_problem_text(row)
                if role == Qt.ItemDataRole.ToolTipRole and row.problems:
                    return problem_text(row)
                if role == Qt.ItemDataRole.ForegroundRole and row.problems:
                    return ERROR_TEXT if row.has_errors else WARNING_TEXT
                return None
            text, level = self._status(i)
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                return text
            if role == Qt.ItemDataRole.ForegroundRole and level:
                return ERROR_TEXT if level == ERROR else WARNING_TEXT
            if role == Qt.ItemDataRole.ToolTipRole:
                whole = self._cell_problems.get(i, {}).get(-1, [])
                return "\n".join(p.message for p in whole) or None
            return None
        col -= len(fixed)
        if col >= len(self._file_columns):
            return None
        _header, positions = self._file_columns[col]
        c = positions.get(row.sheet)
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            if c is None or c >= len(row.cells):
                return ""
            text = display_value(row.cells[c]) or ""
            if text and c in self._masked.get(row.sheet, ()):
                return mask_id_number(text.strip())
            return text
        problems = self._cell_problems.get(i, {}).get(c, []) if c is not None else []
        if not problems:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return ERROR_BRUSH if any(p.level == ERROR for p in problems) else WARNING_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(p.message for p in problems)
        return None
