"""评定标准 editor: one year's `RatingScheme` — its name, the minimum total of each star
level, the cap on the share of five-star branches, and the criteria (计分项, 减分项,
一票否决) in a table that can be edited, added to, removed from and reordered.

Saving goes through `services.rating.save_scheme`, which checks everything again and
refuses a scheme used by a finalized year; its message is shown in the dialog's banner.
A locked scheme opens read-only with the reason on top.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import screen_fit
from ui.rating_grid_model import PointsValidator
from wanghu_desk import vocab
from wanghu_desk.errors import UserError
from wanghu_desk.rating_rules import STAR_LEVELS, STAR_NAMES, format_points, parse_points
from wanghu_desk.services import rating

Index = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()

COL_KIND, COL_DIMENSION, COL_ITEM, COL_MAX, COL_SCORED = range(5)
HEADERS = ("类型", "评定维度", "评定内容", "分值", "已有评分")
KIND_CHOICES = list(vocab.CRITERION_KINDS.items())
MAX_POINTS_CP = 100 * 100
BANNER_STYLE = "background: #FBE4E4; color: #8A1116; border: 1px solid #F0C2C4; border-radius: 4px; padding: 6px 10px;"
LOCKED_STYLE = "background: #FFF3CD; color: #6B4E00; border: 1px solid #F0DFA8; border-radius: 4px; padding: 6px 10px;"


@dataclass(frozen=True)
class Line:
    kind: str
    dimension: str
    item: str
    max_cp: int
    id: int | None = None
    scored: int = 0


class CriteriaTableModel(QAbstractTableModel):
    """The criteria of a scheme as editable lines (nothing is saved until 保存)."""

    changed = Signal()

    def __init__(self, lines: list[Line] | None = None, parent=None, *, read_only: bool = False):
        super().__init__(parent)
        self.lines: list[Line] = list(lines or [])
        self.read_only = read_only
        self._muted = QBrush(QColor("#8A8A8A"))
        self._right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def rowCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = _TOP) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return str(section + 1) if 0 <= section < len(self.lines) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.read_only or index.column() == COL_SCORED:
            return base
        line = self.lines[index.row()]
        if index.column() == COL_MAX and line.kind == "veto":
            return base
        if index.column() == COL_KIND and line.scored:
            return base  # the service refuses changing the kind of a scored item
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line = self.lines[index.row()]
        c = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if c == COL_KIND:
                return line.kind if role == Qt.ItemDataRole.EditRole else vocab.label(vocab.CRITERION_KINDS, line.kind)
            if c == COL_DIMENSION:
                return line.dimension
            if c == COL_ITEM:
                return line.item
            if c == COL_MAX:
                if line.kind == "veto":
                    return "" if role == Qt.ItemDataRole.EditRole else "—"
                text = format_points(line.max_cp)
                return text if role == Qt.ItemDataRole.EditRole or line.kind == "score" else f"扣 {text}"
            if c == COL_SCORED:
                return f"{line.scored} 条" if line.scored else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and c in (COL_MAX, COL_SCORED):
            return self._right
        if role == Qt.ItemDataRole.ForegroundRole and (c == COL_SCORED or (c == COL_MAX and line.kind == "veto")):
            return self._muted
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == COL_SCORED and line.scored:
                return "已有评分的项目不能删除，也不能改变类型"
            if c == COL_ITEM:
                return line.item
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        line = self.lines[index.row()]
        c = index.column()
        if c == COL_KIND:
            if value not in vocab.CRITERION_KINDS:
                return False
            new = replace(line, kind=value, max_cp=0 if value == "veto" else (line.max_cp or 100),
                          dimension=line.dimension or {"deduction": "减分项", "veto": "一票否决"}.get(value, ""))
        elif c == COL_DIMENSION:
            new = replace(line, dimension=str(value or "").strip())
        elif c == COL_ITEM:
            new = replace(line, item=str(value or "").strip())
        elif c == COL_MAX:
            cp = parse_points(value).value
            if cp is None or not 0 < cp <= MAX_POINTS_CP:
                return False
            new = replace(line, max_cp=cp)
        else:
            return False
        self.lines[index.row()] = new
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(HEADERS) - 1))
        self.changed.emit()
        return True

    def add(self, kind: str) -> int:
        defaults = {"score": ("", 500), "deduction": ("减分项", 300), "veto": ("一票否决", 0)}
        dimension, max_cp = defaults[kind]
        if kind == "score":
            scores = [line for line in self.lines if line.kind == "score"]
            dimension = scores[-1].dimension if scores else "组织建设"
            row = max((i for i, line in enumerate(self.lines) if line.kind == "score"), default=-1) + 1
        elif kind == "deduction":
            row = max((i for i, line in enumerate(self.lines) if line.kind in ("score", "deduction")), default=-1) + 1
        else:
            row = len(self.lines)
        self.beginInsertRows(_TOP, row, row)
        self.lines.insert(row, Line(kind, dimension, "", max_cp))
        self.endInsertRows()
        self.changed.emit()
        return row

    def remove(self, row: int) -> str | None:
        """Remove a line; returns why not (a scored line) or None."""
        if not 0 <= row < len(self.lines):
            return None
        line = self.lines[row]
        if line.scored:
            return f"「{line.item}」已有 {line.scored} 条评分，不能删除。"
        self.beginRemoveRows(_TOP, row, row)
        del self.lines[row]
        self.endRemoveRows()
        self.changed.emit()
        return None

    def move(self, row: int, delta: int) -> int:
        target = row + delta
        if not (0 <= row < len(self.lines) and 0 <= target < len(self.lines)):
            return row
        dest = target + 1 if delta > 0 else target
        self.beginMoveRows(_TOP, row, row, _TOP, dest)
        self.lines.insert(target, self.lines.pop(row))
        self.endMoveRows()
        self.changed.emit()
        return target

    def inputs(self) -> list[rating.CriterionInput]:
        return [rating.CriterionInput(line.kind, line.dimension, line.item, line.max_cp, line.id) for line in self.lines]


class CriteriaDelegate(QStyledItemDelegate):
    """A list of kinds for 类型, points (0 … 100) for 分值, text elsewhere."""

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget | None:
        if index.column() == COL_KIND:
            combo = QComboBox(parent)
            for code, label in KIND_CHOICES:
                combo.addItem(label, code)
            return combo
        editor = super().createEditor(parent, option, index)
        if index.column() == COL_MAX and isinstance(editor, QLineEdit):
            editor.setValidator(PointsValidator(MAX_POINTS_CP, "score", editor))
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        if isinstance(editor, QComboBox):
            i = editor.findData(index.data(Qt.ItemDataRole.EditRole))
            editor.setCurrentIndex(max(0, i))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class RatingSchemeDialog(QDialog):
    """Edit the scheme `scheme_id` (read-only when it is locked). `saved` after a save."""

    saved = Signal(int)

    def __init__(self, parent: QWidget | None, scheme_id: int, *, year: int | None = None):
        super().__init__(parent)
        self.scheme = rating.scheme_detail(scheme_id)
        self.read_only = self.scheme.locked
        self.setWindowTitle(f"{year} 年度评定标准" if year else "评定标准")
        self.setModal(True)
        screen_fit.fit(self, self.fontMetrics().horizontalAdvance("中") * 66, self.fontMetrics().height() * 33)

        self.locked_label = QLabel(self.scheme.locked_reason or "")
        self.locked_label.setObjectName("lockedBanner")
        self.locked_label.setWordWrap(True)
        self.locked_label.setStyleSheet(LOCKED_STYLE)
        self.locked_label.setVisible(self.read_only)
        self.banner = QLabel()
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setVisible(False)

        self.name_edit = QLineEdit(self.scheme.name)
        self.name_edit.setObjectName("schemeName")
        self.note_edit = QLineEdit(self.scheme.note or "")
        self.note_edit.setObjectName("schemeNote")
        self.note_edit.setPlaceholderText("说明（可选），如：百分制，五星党支部不超过 10%")

        self.threshold_edits: dict[int, QLineEdit] = {}
        thresholds = QHBoxLayout()
        thresholds.setSpacing(6)
        for star in STAR_LEVELS:
            edit = QLineEdit(format_points(self.scheme.thresholds.get(star)))
            edit.setObjectName(f"threshold{star}")
            edit.setValidator(PointsValidator(MAX_POINTS_CP, "score", edit))
            edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            edit.setFixedWidth(self.fontMetrics().horizontalAdvance("100.00") + 22)
            self.threshold_edits[star] = edit
            thresholds.addWidget(QLabel(f"{STAR_NAMES[star]} ≥"))
            thresholds.addWidget(edit)
            thresholds.addWidget(QLabel("分"))
            thresholds.addSpacing(10)
        thresholds.addStretch(1)

        self.cap_check = QCheckBox("五星党支部不超过参评支部的")
        self.cap_check.setObjectName("capCheck")
        self.cap_spin = QSpinBox()
        self.cap_spin.setObjectName("capPercent")
        self.cap_spin.setRange(1, 100)
        self.cap_spin.setSuffix(" %")
        five = self.scheme.caps.get(5)
        self.cap_check.setChecked(five is not None)
        self.cap_spin.setValue(five if five else 10)
        self.cap_spin.setEnabled(five is not None)
        self.cap_check.toggled.connect(self.cap_spin.setEnabled)
        caps = QHBoxLayout()
        caps.addWidget(self.cap_check)
        caps.addWidget(self.cap_spin)
        caps.addWidget(QLabel("（按总分排序，同分时需记录裁定）"))
        caps.addStretch(1)

        lines = [Line(c.kind, c.dimension, c.item, c.max_cp, c.id, self.scheme.scored.get(c.id, 0))
                 for c in self.scheme.criteria]
        self.criteria_model = CriteriaTableModel(lines, self, read_only=self.read_only)
        self.criteria_view = QTableView()
        self.criteria_view.setObjectName("criteriaView")
        self.criteria_view.setModel(self.criteria_model)
        self.criteria_view.setItemDelegate(CriteriaDelegate(self.criteria_view))
        self.criteria_view.setAlternatingRowColors(True)
        self.criteria_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.criteria_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.criteria_view.setWordWrap(False)
        header = self.criteria_view.horizontalHeader()
        header.setSectionResizeMode(COL_KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_DIMENSION, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ITEM, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_MAX, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SCORED, QHeaderView.ResizeMode.ResizeToContents)
        self.criteria_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)

        self.add_score = QPushButton("新增计分项")
        self.add_deduction = QPushButton("新增减分项")
        self.add_veto = QPushButton("新增否决项")
        self.remove_button = QPushButton("删除")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        tools = QHBoxLayout()
        for button in (self.add_score, self.add_deduction, self.add_veto):
            tools.addWidget(button)
        tools.addSpacing(12)
        for button in (self.remove_button, self.up_button, self.down_button):
            tools.addWidget(button)
        tools.addStretch(1)
        self.totals_label = QLabel()
        self.totals_label.setObjectName("schemeTotals")
        self.totals_label.setProperty("role", "detail")
        caption = QHBoxLayout()
        caption.addWidget(QLabel("评定内容（计分项之和为满分；减分项填最多扣除的分数；一票否决项不计分）"))
        caption.addStretch(1)
        caption.addWidget(self.totals_label)
        self.tools = QWidget()
        self.tools.setLayout(tools)
        tools.setContentsMargins(0, 0, 0, 0)

        form = QGridLayout()
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(8)
        form.addWidget(QLabel("标准名称"), 0, 0)
        form.addWidget(self.name_edit, 0, 1)
        form.addWidget(QLabel("说明"), 1, 0)
        form.addWidget(self.note_edit, 1, 1)
        form.addWidget(QLabel("星级分数线"), 2, 0)
        form.addLayout(thresholds, 2, 1)
        form.addWidget(QLabel("名额限制"), 3, 0)
        form.addLayout(caps, 3, 1)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("okButton")
        self.save_button.setProperty("primary", True)
        self.save_button.style().unpolish(self.save_button)
        self.save_button.style().polish(self.save_button)
        self.save_button.setDefault(True)
        buttons.addButton("关闭" if self.read_only else "取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(self.locked_label)
        layout.addLayout(form)
        layout.addLayout(caption)
        layout.addWidget(self.criteria_view, 1)
        layout.addWidget(self.tools)
        layout.addWidget(self.banner)
        layout.addWidget(buttons)

        self.add_score.clicked.connect(lambda: self._add("score"))
        self.add_deduction.clicked.connect(lambda: self._add("deduction"))
        self.add_veto.clicked.connect(lambda: self._add("veto"))
        self.remove_button.clicked.connect(self._remove)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.criteria_model.changed.connect(self._update_totals)
        self.criteria_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        for widget in (self.name_edit, self.note_edit, *self.threshold_edits.values()):
            widget.setReadOnly(self.read_only)
        for widget in (self.cap_check, self.cap_spin, self.add_score, self.add_deduction, self.add_veto,
                       self.save_button):
            widget.setEnabled(not self.read_only and (widget is not self.cap_spin or self.cap_check.isChecked()))
        if self.read_only:
            self.save_button.hide()
            self.tools.hide()
        self._update_totals()
        self._update_buttons()

    # ------------------------------------------------------------ actions
    def _selected_row(self) -> int | None:
        rows = self.criteria_view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _update_buttons(self) -> None:
        row = self._selected_row()
        has = row is not None and not self.read_only
        self.remove_button.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < self.criteria_model.rowCount() - 1)

    def _update_totals(self) -> None:
        lines = self.criteria_model.lines
        total = sum(line.max_cp for line in lines if line.kind == "score")
        deductions = sum(1 for line in lines if line.kind == "deduction")
        vetoes = sum(1 for line in lines if line.kind == "veto")
        self.totals_label.setText(f"计分项满分 {format_points(total)} 分 · 减分项 {deductions} 项 · 一票否决 {vetoes} 项")

    def _add(self, kind: str) -> None:
        row = self.criteria_model.add(kind)
        index = self.criteria_model.index(row, COL_ITEM)
        self.criteria_view.setCurrentIndex(index)
        self.criteria_view.scrollTo(index)
        self.criteria_view.edit(index)

    def _remove(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        problem = self.criteria_model.remove(row)
        if problem:
            self.show_error(problem)
        self._update_buttons()

    def _move(self, delta: int) -> None:
        row = self._selected_row()
        if row is None:
            return
        target = self.criteria_model.move(row, delta)
        self.criteria_view.selectRow(target)
        self._update_buttons()

    def show_error(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.setVisible(True)

    def error_text(self) -> str:
        return self.banner.text() if not self.banner.isHidden() else ""

    def thresholds(self) -> dict[int, int] | None:
        out = {}
        for star, edit in self.threshold_edits.items():
            cp = parse_points(edit.text()).value
            if cp is None:
                self.show_error(f"请填写{STAR_NAMES[star]}的最低分。")
                edit.setFocus()
                return None
            out[star] = cp
        return out

    def save(self) -> None:
        if self.read_only:
            self.reject()
            return
        thresholds = self.thresholds()
        if thresholds is None:
            return
        caps = {k: v for k, v in self.scheme.caps.items() if k != 5}
        if self.cap_check.isChecked():
            caps[5] = self.cap_spin.value()
        try:
            saved = rating.save_scheme(self.scheme.id, name=self.name_edit.text(), note=self.note_edit.text(),
                                       thresholds=thresholds, caps=caps, criteria=self.criteria_model.inputs())
        except UserError as exc:
            self.show_error(exc.message)
            return
        self.scheme = saved
        self.saved.emit(saved.id)
        self.accept()
