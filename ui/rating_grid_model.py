"""`RatingGridModel`: the score-entry grid of one year's star rating — branches × items —
and `ScoreDelegate`, its editors.

Rows are branches (the vertical header shows the branch's name, so it stays in view
while the items scroll); the columns are the results first (星级, 自评星级, 合计, 得分来源,
this stage's subtotal, 一票否决) and then one column per item of the scheme (score items,
then 减分项). The item cells show the scores of the chosen stage (自评 / 社区初评 /
街道审定); where that stage is empty and an earlier one has a score, the earlier score is
shown in grey italics, because that is what the total uses.

Every edit goes to `services.rating` (which checks it again and refuses a finalized
year); the model then re-reads the year, so totals, stars, caps and ties are always the
service's. The delegate's editor refuses keystrokes that would leave 0 … max, and the
model refuses such values too (signal `refused(message)`).

Roles: `SORT_ROLE` native values, `BRANCH_ID_ROLE` the branch id, `RESULT_ROLE` the
`services.rating.BranchResult`, `STARS_ROLE` the computed star (int).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QValidator
from PySide6.QtWidgets import QComboBox, QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QToolTip, QWidget

from ui import formatting
from wanghu_desk.errors import UserError
from wanghu_desk.rating_rules import STAGE_LABELS, STAGES, STAR_NAMES, format_points, parse_points, points_problem
from wanghu_desk.services import rating
from wanghu_desk.services.base import current_actor

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
BRANCH_ID_ROLE = Qt.ItemDataRole.UserRole + 2
RESULT_ROLE = Qt.ItemDataRole.UserRole + 3
STARS_ROLE = Qt.ItemDataRole.UserRole + 4

Index = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()

COL_STARS, COL_SELF, COL_TOTAL, COL_SOURCE, COL_STAGE, COL_VETO = range(6)
FIXED_COLUMNS = 6

ALERT = QColor("#C8161D")
MUTED = QColor("#8A8A8A")
PENDING = QColor("#A35F00")
DIFFERS_FILL = QColor("#FFF3CD")
PENDING_FILL = QColor("#FDEBD3")
VETO_FILL = QColor("#FBE4E4")

#: Self-declared stars for the editor: (text, value).
SELF_STAR_CHOICES: list[tuple[str, int | None]] = [("未填", None)] + [
    (f"{formatting.stars(s)}  {STAR_NAMES[s]}" if s else "☆☆☆☆☆  未定星", s) for s in range(5, -1, -1)
]

AskVetoReason = Callable[[str, Sequence[str]], "str | None"]


@dataclass(frozen=True)
class GridColumn:
    kind: str  # stars | self | total | source | stage | veto | item
    title: str
    criterion: rating.CriterionInfo | None = None

    @property
    def is_item(self) -> bool:
        return self.criterion is not None


def _fixed_columns(stage: str) -> list[GridColumn]:
    return [
        GridColumn("stars", "评定星级"),
        GridColumn("self", "自评星级"),
        GridColumn("total", "合计"),
        GridColumn("source", "得分来源"),
        GridColumn("stage", f"{STAGE_LABELS[stage]}\n小计"),
        GridColumn("veto", "一票否决"),
    ]


def item_header(c: rating.CriterionInfo) -> str:
    """Two lines: the dimension and "1.1（6分）" / "减1（扣5分）"."""
    if c.kind == "deduction":
        return f"减分项\n{c.code}（扣{c.max_text}分）"
    return f"{c.dimension}\n{c.code}（{c.max_text}分）"


def item_tooltip(c: rating.CriterionInfo) -> str:
    if c.kind == "deduction":
        return f"{c.code} 减分项：{c.item}\n填扣除的分数，0 至 {c.max_text} 分"
    return f"{c.code} {c.dimension}：{c.item}\n满分 {c.max_text} 分，可填 0 至 {c.max_text}"


class RatingGridModel(QAbstractTableModel):
    """See the module docstring."""

    refused = Signal(str)  # an edit was refused: the message for the clerk
    written = Signal()  # an edit was saved (the tab refreshes other views)

    def __init__(self, parent=None, *, ask_veto_reason: AskVetoReason | None = None):
        super().__init__(parent)
        self.ask_veto_reason = ask_veto_reason
        self.year: int | None = None
        self.result: rating.YearResult | None = None
        self._stage = "street"
        self._columns: list[GridColumn] = _fixed_columns(self._stage)
        self._all: list[rating.BranchResult] = []
        self._shown: list[rating.BranchResult] = []
        self._community: str | None = None
        self._category: str | None = None
        self._text = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._read_only = True
        self._alert, self._muted, self._pending = QBrush(ALERT), QBrush(MUTED), QBrush(PENDING)
        self._differs, self._pending_fill, self._veto_fill = QBrush(DIFFERS_FILL), QBrush(PENDING_FILL), QBrush(VETO_FILL)
        self._italic = QFont()
        self._italic.setItalic(True)
        self._right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._center = int(Qt.AlignmentFlag.AlignCenter)
        self._left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    # ------------------------------------------------------------ loading
    def load(self, year: int | None) -> None:
        """Show `year` (None: nothing)."""
        self.beginResetModel()
        self.year = year
        self.result = rating.year_result(year) if year is not None else None
        self._rebuild_columns()
        self._all = list(self.result.results) if self.result else []
        self._apply_filter()
        self.endResetModel()

    def reload(self) -> None:
        """Re-read the year after a change; rows and columns stay, every cell may change."""
        if self.year is None:
            return
        fresh = rating.year_result(self.year)
        same_shape = (self.result is not None and [r.branch_id for r in fresh.results] == [r.branch_id for r in self._all]
                      and [c.id for c in fresh.scheme.entry_items] == [c.id for c in self.result.scheme.entry_items])
        if not same_shape:
            self.load(self.year)
            return
        self.result = fresh
        by_id = fresh.by_branch()
        self._all = [by_id[r.branch_id] for r in self._all]
        self._shown = [by_id[r.branch_id] for r in self._shown]
        self._read_only = self._compute_read_only()
        if self._shown and self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shown) - 1, len(self._columns) - 1))

    def _rebuild_columns(self) -> None:
        self._columns = _fixed_columns(self._stage)
        if self.result is not None:
            self._columns += [GridColumn("item", item_header(c), c) for c in self.result.scheme.entry_items]
        self._read_only = self._compute_read_only()

    def _compute_read_only(self) -> bool:
        return self.result is None or self.result.round.is_finalized or not current_actor().can_write

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def stage(self) -> str:
        return self._stage

    def set_stage(self, stage: str) -> None:
        if stage not in STAGES or stage == self._stage:
            return
        self._stage = stage
        self._columns[COL_STAGE] = GridColumn("stage", f"{STAGE_LABELS[stage]}\n小计")
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_STAGE, COL_STAGE)
        if self._shown and self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shown) - 1, len(self._columns) - 1))

    # ------------------------------------------------------------ filter and sort
    def set_filter(self, *, community: str | None = None, category: str | None = None, text: str = "") -> None:
        self.beginResetModel()
        self._community, self._category, self._text = community, category, (text or "").strip()
        self._apply_filter()
        self.endResetModel()

    def _apply_filter(self) -> None:
        rows = self._all
        if self._community is not None:
            rows = [r for r in rows if r.row.community == self._community]
        if self._category is not None:
            rows = [r for r in rows if r.row.category == self._category]
        if self._text:
            rows = [r for r in rows if self._text in r.name]
        if self._sort is not None:
            column, order = self._sort
            if 0 <= column < len(self._columns):
                rows = sorted(rows, key=lambda r: self._sort_key(r, column),
                              reverse=order == Qt.SortOrder.DescendingOrder)
        self._shown = list(rows)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.beginResetModel()
        self._sort = (column, order) if column >= 0 else None
        self._apply_filter()
        self.endResetModel()

    def _sort_key(self, r: rating.BranchResult, column: int) -> tuple:
        value = self._sort_value(r, column)
        return (value is None, value if value is not None else 0)

    @property
    def shown(self) -> list[rating.BranchResult]:
        return list(self._shown)

    @property
    def total_rows(self) -> int:
        return len(self._all)

    def row_of(self, branch_id: int) -> int | None:
        for i, r in enumerate(self._shown):
            if r.branch_id == branch_id:
                return i
        return None

    def column_of(self, criterion_id: int) -> int | None:
        for i, c in enumerate(self._columns):
            if c.criterion is not None and c.criterion.id == criterion_id:
                return i
        return None

    def column(self, section: int) -> GridColumn:
        return self._columns[section]

    # ------------------------------------------------------------ Qt model API
    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._columns):
                return None
            col = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return col.title
            if role == Qt.ItemDataRole.ToolTipRole:
                if col.criterion is not None:
                    return item_tooltip(col.criterion)
                return {
                    "stars": "按街道审定得分计算的星级（空项沿用社区初评、自评），已计入一票否决和五星名额限制",
                    "self": "支部自评时申报的星级；与评定星级不同时以黄色标出",
                    "total": "街道审定得分，空项沿用社区初评、自评的分数",
                    "source": "合计来自哪个评分阶段；带＊表示有分项沿用前一阶段",
                    "stage": f"{STAGE_LABELS[self._stage]}阶段本身的得分（计分项减去减分项）",
                    "veto": "一票否决：勾选并写明原因，该支部不评定星级",
                }.get(col.kind)
            return None
        if not 0 <= section < len(self._shown):
            return None
        r = self._shown[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return r.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{r.name}\n{r.row.community or '未归属社区'} · {r.row.category_label}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._left
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._read_only:
            return base
        kind = self._columns[index.column()].kind
        if kind in ("item", "self"):
            return base | Qt.ItemFlag.ItemIsEditable
        if kind == "veto":
            return base | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        r = self._shown[index.row()]
        col = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_value(r, col)
        if role == SORT_ROLE:
            return self._sort_value(r, index.column())
        if role == BRANCH_ID_ROLE:
            return r.branch_id
        if role == RESULT_ROLE:
            return r
        if role == STARS_ROLE:
            return r.stars
        if role == Qt.ItemDataRole.CheckStateRole and col.kind == "veto":
            return Qt.CheckState.Checked if r.vetoed else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._right if col.kind in ("total", "stage", "item") else self._left
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(r, col)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(r, col)
        if role == Qt.ItemDataRole.FontRole and col.is_item and self._fallback(r, col) is not None:
            return self._italic
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        return None

    # ------------------------------------------------------------ cell contents
    def _own(self, r: rating.BranchResult, col: GridColumn) -> int | None:
        return r.row.scores[self._stage].get(col.criterion.id)

    def _fallback(self, r: rating.BranchResult, col: GridColumn) -> tuple[int, str] | None:
        """The score of an earlier stage shown where this stage is empty."""
        if self._own(r, col) is not None:
            return None
        for stage in reversed(STAGES[: STAGES.index(self._stage)]):
            cp = r.row.scores[stage].get(col.criterion.id)
            if cp is not None:
                return cp, stage
        return None

    @staticmethod
    def _points_text(cp: int, kind: str) -> str:
        return f"−{format_points(cp)}" if kind == "deduction" and cp else format_points(cp)

    def _display(self, r: rating.BranchResult, col: GridColumn) -> str:
        kind = col.kind
        if kind == "stars":
            if r.vetoed:
                return "一票否决"
            if r.total_cp is None:
                return "未评分"
            return formatting.stars(r.stars) + ("  待裁定" if r.cap_pending else "")
        if kind == "self":
            return formatting.stars(r.self_stars) if r.self_stars is not None else "未填"
        if kind == "total":
            return format_points(r.total_cp)
        if kind == "source":
            if r.source_stage is None:
                return "—"
            return STAGE_LABELS[r.source_stage] + ("＊" if r.fallback_items else "")
        if kind == "stage":
            return format_points(r.stage_totals.get(self._stage))
        if kind == "veto":
            return (r.row.veto_reason or "") if r.vetoed else ""
        own = self._own(r, col)
        if own is not None:
            return self._points_text(own, col.criterion.kind)
        fb = self._fallback(r, col)
        return self._points_text(fb[0], col.criterion.kind) if fb else ""

    def _edit_value(self, r: rating.BranchResult, col: GridColumn) -> Any:
        if col.kind == "item":
            own = self._own(r, col)
            return format_points(own) if own is not None else ""
        if col.kind == "self":
            return r.self_stars
        if col.kind == "veto":
            return r.row.veto_reason or ""
        return self._display(r, col)

    def _sort_value(self, r: rating.BranchResult, column: int) -> Any:
        col = self._columns[column]
        kind = col.kind
        if kind == "stars":
            return -1 if r.vetoed else r.stars
        if kind == "self":
            return r.self_stars
        if kind == "total":
            return r.total_cp
        if kind == "source":
            return STAGES.index(r.source_stage) if r.source_stage else None
        if kind == "stage":
            return r.stage_totals.get(self._stage)
        if kind == "veto":
            return int(r.vetoed)
        own = self._own(r, col)
        if own is not None:
            return own
        fb = self._fallback(r, col)
        return fb[0] if fb else None

    def _foreground(self, r: rating.BranchResult, col: GridColumn) -> QBrush | None:
        if col.kind == "stars":
            if r.vetoed:
                return self._alert
            if r.cap_pending:
                return self._pending
            if r.total_cp is None:
                return self._muted
        if col.kind == "self" and r.self_stars is None:
            return self._muted
        if col.kind == "veto" and r.vetoed:
            return self._alert
        if col.kind == "source" and r.source_stage != "street":
            return self._muted
        if col.is_item and self._fallback(r, col) is not None:
            return self._muted
        return None

    def _background(self, r: rating.BranchResult, col: GridColumn) -> QBrush | None:
        if col.kind in ("stars", "self") and r.self_differs and not r.vetoed:
            return self._differs
        if col.kind == "stars" and r.cap_pending:
            return self._pending_fill
        if col.kind in ("stars", "veto") and r.vetoed:
            return self._veto_fill
        return None

    def _tooltip(self, r: rating.BranchResult, col: GridColumn) -> str | None:
        kind = col.kind
        if kind == "stars":
            lines = [f"{r.name}：{r.result_label}"]
            if r.vetoed:
                lines.append(f"一票否决：{r.row.veto_reason or ''}")
            if r.capped_from:
                lines.append(f"得分达到{STAR_NAMES[r.capped_from]}标准，因{STAR_NAMES[r.capped_from]}名额限制评为"
                             f"{STAR_NAMES[r.stars]}")
            if r.cap_pending:
                lines.append("与其他支部同分处在名额边界，请右键「记录同分裁定」")
            if r.self_differs:
                lines.append(f"自评{STAR_NAMES[r.self_stars or 0]}，评定{STAR_NAMES[r.stars]}")
            return "\n".join(lines)
        if kind == "self":
            if r.self_differs:
                return f"自评{STAR_NAMES[r.self_stars or 0]}，评定{STAR_NAMES[r.stars]}，两者不同"
            return "支部自评申报的星级"
        if kind in ("total", "source"):
            return f"合计 {format_points(r.total_cp) or '—'} 分，来自{r.source_label}"
        if kind == "veto":
            return f"一票否决：{r.row.veto_reason}" if r.vetoed else "勾选后需写明否决原因"
        if col.is_item:
            tip = item_tooltip(col.criterion)
            fb = self._fallback(r, col)
            if fb is not None:
                tip += f"\n{STAGE_LABELS[self._stage]}未填，沿用{STAGE_LABELS[fb[1]]}：{format_points(fb[0])} 分"
            return tip
        return None

    # ------------------------------------------------------------ editing
    def refuse(self, message: str) -> bool:
        self.refused.emit(message)
        return False

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.year is None or not 0 <= index.row() < len(self._shown):
            return False
        if not self.flags(index) & (Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable):
            if self.result is not None and self.result.round.is_finalized:
                return self.refuse(f"{self.year} 年度已定级，只能查看。")
            return False
        r = self._shown[index.row()]
        col = self._columns[index.column()]
        try:
            if col.kind == "item" and role == Qt.ItemDataRole.EditRole:
                return self._set_points(r, col, value)
            if col.kind == "self" and role == Qt.ItemDataRole.EditRole:
                stars = None if value in (None, "") else int(value)
                if stars == r.self_stars:
                    return True
                rating.set_self_stars(self.year, r.branch_id, stars)
            elif col.kind == "veto" and role == Qt.ItemDataRole.CheckStateRole:
                if _checked(value) == r.vetoed:
                    return True
                if _checked(value):
                    if self.ask_veto_reason is None:
                        return False
                    reason = self.ask_veto_reason(r.name, [c.item for c in self.result.scheme.vetoes])
                    if not reason:
                        return False
                    rating.set_veto(self.year, r.branch_id, True, reason)
                else:
                    rating.set_veto(self.year, r.branch_id, False)
            elif col.kind == "veto" and role == Qt.ItemDataRole.EditRole:
                text = str(value or "").strip()
                if text == (r.row.veto_reason or "") and r.vetoed == bool(text):
                    return True
                rating.set_veto(self.year, r.branch_id, bool(text), text or None)
            else:
                return False
        except UserError as exc:
            return self.refuse(exc.message)
        self._after_write()
        return True

    def _set_points(self, r: rating.BranchResult, col: GridColumn, value: Any) -> bool:
        crit = col.criterion
        checked = parse_points(value)
        if not checked.ok:
            return self.refuse(checked.errors[0].message)
        cp = checked.value
        if cp is not None and crit.kind == "deduction" and cp < 0:
            cp = -cp
        if cp is not None:
            problem = points_problem(cp, crit.kind, crit.max_cp)
            if problem:
                return self.refuse(problem)
        if cp == self._own(r, col):
            return True
        rating.set_score(self.year, r.branch_id, crit.id, self._stage, cp)
        self._after_write()
        return True

    def clear_points(self, index: Index) -> bool:
        """Clear this stage's score of the cell (the earlier stage shows through again)."""
        return self.setData(index, "", Qt.ItemDataRole.EditRole)

    def _after_write(self) -> None:
        self.reload()
        self.written.emit()


def _checked(value: Any) -> bool:
    if isinstance(value, Qt.CheckState):
        return value == Qt.CheckState.Checked
    return value in (2, True) or value == Qt.CheckState.Checked.value


# ---------------------------------------------------------------- the editors

_TYPING = re.compile(r"^-?\d*(?:\.\d{0,2})?$")


class PointsValidator(QValidator):
    """Lets through only what can become points within 0 … max (two decimals at most);
    a keystroke that would leave the range is refused. In a deduction cell a leading
    minus is allowed ("-3" means 3 points off). Full-width digits are made ASCII."""

    #: a keystroke was refused: why, in Chinese (shown beside the cell, not dropped silently)
    refused = Signal(str)

    def __init__(self, max_cp: int, kind: str = "score", parent=None):
        super().__init__(parent)
        self.max_cp = max_cp
        self.kind = kind

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        normal = unicodedata.normalize("NFKC", text).replace(" ", "")
        if not _TYPING.match(normal):
            return QValidator.State.Invalid, text, pos
        if normal.startswith("-") and self.kind != "deduction":
            return QValidator.State.Invalid, text, pos
        if normal in ("", "-"):
            state = QValidator.State.Acceptable if normal == "" else QValidator.State.Intermediate
            return state, normal, min(pos, len(normal))
        digits = normal.lstrip("-")
        if digits in ("", "."):
            return QValidator.State.Intermediate, normal, min(pos, len(normal))
        cp = parse_points(digits).value
        if cp is not None and cp > self.max_cp:
            limit = format_points(self.max_cp)
            what = "最多扣" if self.kind == "deduction" else "最多"
            self.refused.emit(f"这一项{what} {limit} 分，{digits} 超出了，请改填 0 至 {limit}。")
            return QValidator.State.Invalid, text, pos
        if cp is None:
            self.refused.emit("分数只能填数字，最多两位小数，如 6 或 5.5。")
            return QValidator.State.Invalid, text, pos
        state = QValidator.State.Intermediate if digits.endswith(".") else QValidator.State.Acceptable
        return state, normal, min(pos, len(normal))

    def fixup(self, text: str) -> str:
        """"6." (a decimal point typed, no digit after it) is 6: the cell takes it instead
        of dropping the edit when the editor closes."""
        normal = unicodedata.normalize("NFKC", text).replace(" ", "")
        return normal[:-1] if normal.endswith(".") else normal

    def problem(self, text: str) -> str | None:
        """Why `text` cannot be saved, or None."""
        checked = parse_points(text)
        if not checked.ok:
            return checked.errors[0].message
        if checked.value is None:
            return None
        cp = -checked.value if self.kind == "deduction" and checked.value < 0 else checked.value
        return points_problem(cp, self.kind, self.max_cp)


def _say_beside(editor: QLineEdit, message: str, model: RatingGridModel) -> None:
    """The reason a keystroke was refused, in a tip under the cell and in the grid's hint line."""
    QToolTip.showText(editor.mapToGlobal(QPoint(0, editor.height())), message, editor)
    model.refuse(message)


class ScoreDelegate(QStyledItemDelegate):
    """Editors of the grid: a line edit with `PointsValidator` for item cells, a star
    list for 自评星级, an editable list of the scheme's veto items for the veto reason."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget | None:
        model = index.model()
        if not isinstance(model, RatingGridModel):
            return super().createEditor(parent, option, index)
        col = model.column(index.column())
        if col.kind == "item":
            editor = QLineEdit(parent)
            editor.setObjectName("pointsEditor")
            validator = PointsValidator(col.criterion.max_cp, col.criterion.kind, editor)
            validator.refused.connect(lambda message, editor=editor: _say_beside(editor, message, model))
            editor.setValidator(validator)
            editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            editor.setPlaceholderText(f"0–{col.criterion.max_text}")
            editor.setToolTip(item_tooltip(col.criterion))
            editor.setFrame(False)
            return editor
        if col.kind == "self":
            combo = QComboBox(parent)
            combo.setObjectName("selfStarsEditor")
            for text, value in SELF_STAR_CHOICES:
                combo.addItem(text, value)
            return combo
        if col.kind == "veto":
            combo = QComboBox(parent)
            combo.setObjectName("vetoReasonEditor")
            combo.setEditable(True)
            combo.addItem("")
            for c in model.result.scheme.vetoes if model.result else ():
                combo.addItem(c.item)
            combo.lineEdit().setPlaceholderText("否决原因；清空即取消否决")
            return combo
        return None

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))
            editor.selectAll()
        elif isinstance(editor, QComboBox) and editor.isEditable():
            editor.setCurrentText(str(value or ""))
        elif isinstance(editor, QComboBox):
            i = editor.findData(value)
            editor.setCurrentIndex(i if i >= 0 else 0)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        if isinstance(editor, QLineEdit):
            validator = editor.validator()
            text = editor.text().strip()
            if isinstance(validator, PointsValidator):
                problem = validator.problem(text)
                if problem and isinstance(model, RatingGridModel):
                    model.refuse(problem)
                    return
            model.setData(index, text, Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QComboBox) and editor.isEditable():
            model.setData(index, editor.currentText().strip(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        rect = option.rect
        if isinstance(editor, QComboBox):
            rect = rect.adjusted(0, 0, max(0, 180 - rect.width()), 0)
        editor.setGeometry(rect)
