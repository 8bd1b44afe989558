"""The member dialogs: add / edit a member (`MemberDialog`), and the register changes
that are not edits — leaving (`LeaveDialog`), transfer to another branch
(`TransferDialog`), 转正 (`ConfirmDialog`) and back into the register (`RestoreDialog`).

Every check is `services.members.check_member` (the same `wanghu_desk.validation` rules
as the importer), run on every keystroke: a field with an error turns red and says why
under it, a warning is shown in amber, and 保存 stays disabled until the form is valid.
Errors are shown for the fields the clerk has touched; untouched required fields only
keep 保存 disabled. Gender and birth date are filled from the ID number. The two fields
of 延长预备期 (until when, and why) are shown for a 预备党员, and for a 正式党员 whose
record keeps an extension as history.

The dialogs are opened with `open()` (never `exec()`): the caller connects `saved`, and
tests fill the fields and click the buttons of the real widgets.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs
from wanghu_desk import validation, vocab
from wanghu_desk.errors import UserError, ValidationError
from wanghu_desk.services import members

ERROR_STYLE = "color: #C8161D;"
WARNING_STYLE = "color: #9A5B00;"
INVALID_FIELD = "border: 1px solid #C8161D; background: #FFF5F5;"
FLAG_FIELDS = (
    ("is_center_household", "党员中心户"),
    ("reported_at_residence", "在职党员报到"),
    ("is_lost_contact", "失联党员"),
    ("is_floating", "流动党员"),
)


#: The stylesheet's primary (red) button has no disabled look: a disabled 保存 would
#: still look clickable. Dialog and tab buttons of this family carry their own.
PRIMARY_DISABLED = "QPushButton:disabled { background: #E9EAED; color: #A0A0A0; border: 1px solid #DDDDDD; }"


def _primary(button: QPushButton) -> QPushButton:
    button.setProperty("primary", True)
    button.setStyleSheet(PRIMARY_DISABLED)
    button.style().unpolish(button)
    button.style().polish(button)
    return button


#: The ID field of a member opened by an account that sees masked numbers.
ID_MASKED_TIP = ("完整身份证号只有管理员可以查看。不改动这一栏，保存时保留原号码；"
                 "要更正号码，请输入完整的新号码。")


class FieldMessages:
    """A field's widget and the line under it that says what is wrong."""

    def __init__(self, widget: QWidget, label: QLabel):
        self.widget = widget
        self.label = label
        self.tip = ""  # the field's own tooltip, shown again once a message is gone

    def set_tip(self, tip: str) -> None:
        self.tip = tip
        self.widget.setToolTip(tip)

    def show(self, error: str | None, warning: str | None) -> None:
        if error:
            self.label.setText(error)
            self.label.setStyleSheet(ERROR_STYLE)
            self.label.setVisible(True)
            self.widget.setStyleSheet(f"{type(self.widget).__name__} {{ {INVALID_FIELD} }}")
            self.widget.setToolTip(error)
        elif warning:
            self.label.setText(warning)
            self.label.setStyleSheet(WARNING_STYLE)
            self.label.setVisible(True)
            self.widget.setStyleSheet("")
            self.widget.setToolTip(warning)
        else:
            self.label.clear()
            self.label.setVisible(False)
            self.widget.setStyleSheet("")
            self.widget.setToolTip(self.tip)


class FormGrid(QGridLayout):
    """Label | field rows in two columns, with a message line under each field."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHorizontalSpacing(10)
        self.setVerticalSpacing(2)
        self.setColumnStretch(1, 1)  # the right-hand column stretches once it is used
        self._rows = [0, 0]
        self.titles: dict[QWidget, QLabel] = {}  # field widget -> its title on the left

    def add(self, side: int, title: str, widget: QWidget, *, required: bool = False, span: bool = False) -> QLabel:
        row = max(self._rows) if span else self._rows[side]
        col = 0 if span else side * 3
        if side == 1:
            self.setColumnMinimumWidth(2, 24)
            self.setColumnStretch(4, 1)
        label = QLabel(("<span style='color:#C8161D'>*</span> " if required else "") + title)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        message = QLabel()
        message.setWordWrap(True)
        message.setVisible(False)
        message.setObjectName(f"message_{widget.objectName()}")
        self.titles[widget] = label
        self.addWidget(label, row, col)
        self.addWidget(widget, row, col + 1, 1, 4 if span else 1)
        self.addWidget(message, row + 1, col + 1, 1, 4 if span else 1)
        self.setRowMinimumHeight(row + 1, 4)
        if span:
            self._rows = [row + 2, row + 2]
        else:
            self._rows[side] = row + 2
        return message


def _combo(items: list[tuple[str, Any]], name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def _line(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


class MemberDialog(QDialog):
    """新增党员 / 编辑党员. `saved(member_id)` is emitted after a successful save."""

    saved = Signal(int)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        member_id: int | None = None,
        branch_id: int | None = None,
        today: dt.date | None = None,
    ):
        super().__init__(parent)
        self.member_id = member_id
        self.today = today or dt.date.today()
        self.touched: set[str] = set()
        self.check: members.FormCheck = members.FormCheck()
        self._filling = False
        self._auto_gender = ""
        self._auto_birth = ""
        self.detail = members.member_detail(member_id, today=self.today) if member_id else None
        self.setWindowTitle(f"编辑党员：{self.detail.name}" if self.detail else "新增党员")
        self.setObjectName("memberDialog")
        self.setModal(True)

        self.fields: dict[str, QWidget] = {}
        self.messages: dict[str, FieldMessages] = {}
        self._build()
        self._fill(branch_id)
        self._recheck()

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        f = self.fields
        f["name"] = _line("name", "如：张三")
        f["id_number"] = _line("id_number", "18 位，末位可以是 X")
        f["id_number"].setMaxLength(24)
        f["gender"] = _combo([("", ""), ("男", "男"), ("女", "女")], "gender")
        f["birth_date"] = _line("birth_date", "按身份证号自动填写")
        f["ethnicity"] = _combo([("", "")] + [(e, e) for e in vocab.ETHNICITIES], "ethnicity")
        f["education"] = _combo([("", "")] + [(e, e) for e in vocab.EDUCATION_LEVELS], "education")
        f["phone"] = _line("phone", "手机 11 位，或 0551-65179666")
        f["category"] = _combo([(label, code) for code, label in vocab.MEMBER_CATEGORIES.items()], "category")
        f["joined_on"] = _line("joined_on", "如：2010-07-01")
        f["confirmed_on"] = _line("confirmed_on", "如：2011-07-01")
        f["probation_extended_to"] = _line("probation_extended_to", "预备期满后最多一年，如：2027-01-01")
        f["probation_extension_reason"] = _line("probation_extension_reason", "支部大会决议延长的原因")
        branches = members.branch_choices(include_dissolved=self.detail is not None)
        f["branch_id"] = _combo([("请选择党支部", None)] + [(b.name, b.id) for b in branches], "branch_id")
        f["group_id"] = _combo([("（不编入党小组）", None)], "group_id")
        f["employer"] = _line("employer", "如：合肥市第一人民医院护士")
        f["address"] = _line("address", "如：望湖城北苑3栋2单元502室")
        f["note"] = QPlainTextEdit()
        f["note"].setObjectName("note")
        f["note"].setFixedHeight(54)
        f["note"].setTabChangesFocus(True)

        grid = FormGrid()
        left = (
            ("name", "姓名", True),
            ("id_number", "公民身份号码", True),
            ("gender", "性别", False),
            ("birth_date", "出生日期", False),
            ("ethnicity", "民族", False),
            ("education", "学历", False),
            ("phone", "联系电话", False),
        )
        right = (
            ("category", "人员类别", True),
            ("joined_on", "入党日期", True),
            ("confirmed_on", "转正日期", False),
            ("probation_extended_to", "延长预备期至", False),
            ("probation_extension_reason", "延长预备期原因", False),
            ("branch_id", "所在党支部", True),
            ("group_id", "楼栋党小组", False),
            ("employer", "工作单位及职务", False),
        )
        for key, title, required in left:
            self.messages[key] = FieldMessages(f[key], grid.add(0, title, f[key], required=required))
        for key, title, required in right:
            self.messages[key] = FieldMessages(f[key], grid.add(1, title, f[key], required=required))
        self._grid = grid
        self.messages["address"] = FieldMessages(f["address"], grid.add(0, "家庭住址", f["address"], span=True))

        flags = QHBoxLayout()
        flags.setSpacing(18)
        self.flag_boxes: dict[str, QCheckBox] = {}
        for key, title in FLAG_FIELDS:
            box = QCheckBox(title)
            box.setObjectName(key)
            self.flag_boxes[key] = box
            flags.addWidget(box)
        flags.addStretch(1)
        flag_holder = QWidget()
        flag_holder.setObjectName("flags")
        flag_holder.setLayout(flags)
        flags.setContentsMargins(0, 2, 0, 2)
        grid.add(0, "标记", flag_holder, span=True)
        self.messages["note"] = FieldMessages(f["note"], grid.add(0, "备注", f["note"], span=True))

        self.origin = _line("origin", "从街道外转入时填写原党组织，如：庐阳区亳州路街道党工委")
        if self.detail is None:
            self.messages["origin"] = FieldMessages(self.origin, grid.add(0, "转入来源", self.origin, span=True))
        else:
            self.origin.setVisible(False)

        self.banner = QLabel()
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setVisible(False)
        self.hint = QLabel()
        self.hint.setObjectName("formHint")
        self.hint.setProperty("role", "detail")

        buttons = QDialogButtonBox()
        self.save_button = _primary(buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole))
        self.save_button.setObjectName("saveButton")
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(buttons)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #E1E3E6;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addLayout(grid)
        layout.addWidget(self.banner)
        layout.addWidget(line)
        layout.addLayout(bottom)

        width = self.fontMetrics().horizontalAdvance("望湖城北苑小区党支部（小区党支部）") + 40
        for key in ("branch_id", "group_id", "id_number", "name", "joined_on"):
            f[key].setMinimumWidth(width)

        for key, widget in f.items():
            self._watch(key, widget)
        for key, box in self.flag_boxes.items():
            box.toggled.connect(lambda _on, key=key: self._changed(key))
        self.origin.textEdited.connect(lambda _t: self._changed("origin"))
        f["branch_id"].currentIndexChanged.connect(lambda _i: self._load_groups())

    def _watch(self, key: str, widget: QWidget) -> None:
        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(lambda _t, key=key: self._changed(key))
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _i, key=key: self._changed(key))
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(lambda key=key: self._changed(key))

    def _load_groups(self, selected: int | None = None) -> None:
        combo: QComboBox = self.fields["group_id"]
        branch_id = self.fields["branch_id"].currentData()
        keep = selected if selected is not None else combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("（不编入党小组）", None)
        if branch_id:
            for g in members.group_choices(branch_id):
                combo.addItem(g.name, g.id)
        index = combo.findData(keep) if keep else 0
        combo.setCurrentIndex(max(0, index))
        combo.setEnabled(combo.count() > 1)
        combo.blockSignals(False)

    def _fill(self, branch_id: int | None) -> None:
        self._filling = True
        try:
            if self.detail is None:
                self._set_combo("branch_id", branch_id)
                self._load_groups()
                return
            v = self.detail.values
            for key in (
                "name", "id_number", "birth_date", "joined_on", "confirmed_on", "probation_extended_to",
                "probation_extension_reason", "phone", "employer", "address",
            ):  # fmt: skip
                self.fields[key].setText(v[key])
            self._set_combo("gender", v["gender"])
            self._set_combo("category", v["category"])
            self._set_combo("branch_id", v["branch_id"])
            self._set_combo("ethnicity", v["ethnicity"], add_missing=True)
            self._set_combo("education", v["education"], add_missing=True)
            self._load_groups(v["group_id"])
            self.fields["note"].setPlainText(v["note"])
            for key, box in self.flag_boxes.items():
                box.setChecked(bool(v[key]))
            self.fields["branch_id"].setEnabled(False)
            self._tip("branch_id", "调整所在党支部请用「转接组织关系」，这样会保留转接记录。")
            if v["status"] != "active":
                self.fields["group_id"].setEnabled(False)
            if not self.detail.id_visible:
                self._tip("id_number", ID_MASKED_TIP)
        finally:
            self._filling = False
            self._show_extension()

    def _tip(self, key: str, tip: str) -> None:
        if key in self.messages:
            self.messages[key].set_tip(tip)
        else:
            self.fields[key].setToolTip(tip)

    EXTENSION_FIELDS = ("probation_extended_to", "probation_extension_reason")

    def extension_shown(self) -> bool:
        """Whether the 延长预备期 fields are on the form (for tests and accessibility)."""
        return not self.fields["probation_extended_to"].isHidden()

    def _show_extension(self) -> None:
        """The 延长预备期 fields belong to a 预备党员; a 正式党员 sees them only when they
        hold something (an extension kept as history, or a value to correct)."""
        shown = self.fields["category"].currentData() == "probationary" or any(
            self.fields[key].text().strip() for key in self.EXTENSION_FIELDS
        )
        for key in self.EXTENSION_FIELDS:
            widget = self.fields[key]
            widget.setVisible(shown)
            self._grid.titles[widget].setVisible(shown)
            if not shown:
                self.messages[key].label.setVisible(False)

    def _set_combo(self, key: str, value: Any, *, add_missing: bool = False) -> None:
        combo: QComboBox = self.fields[key]
        index = combo.findData(value)
        if index < 0 and add_missing and value:
            combo.addItem(str(value), value)
            index = combo.count() - 1
        combo.setCurrentIndex(max(0, index))

    # ------------------------------------------------------------ checking
    def raw_values(self) -> dict[str, Any]:
        f = self.fields
        values: dict[str, Any] = {}
        for key, widget in f.items():
            if isinstance(widget, QLineEdit):
                values[key] = widget.text()
            elif isinstance(widget, QComboBox):
                values[key] = widget.currentData()
            elif isinstance(widget, QPlainTextEdit):
                values[key] = widget.toPlainText()
        for key, box in self.flag_boxes.items():
            values[key] = box.isChecked()
        return values

    def _changed(self, key: str) -> None:
        if self._filling:
            return
        self.touched.add(key)
        if key == "id_number":
            self._fill_from_id()
        if key == "category":
            self.touched.add("confirmed_on")
            self._show_extension()
        self._recheck()

    def _fill_from_id(self) -> None:
        """Gender and birth date follow a valid ID number (unless the clerk typed others)."""
        checked = validation.validate_id_number(self.fields["id_number"].text(), today=self.today)
        if not checked.ok or checked.value is None:
            return
        gender = validation.gender_from_id(checked.value)
        birth = validation.birth_date_from_id(checked.value).isoformat()
        gender_combo: QComboBox = self.fields["gender"]
        birth_edit: QLineEdit = self.fields["birth_date"]
        self._filling = True
        try:
            if gender_combo.currentData() in ("", self._auto_gender) or "gender" not in self.touched:
                self._set_combo("gender", gender)
            if birth_edit.text() in ("", self._auto_birth) or "birth_date" not in self.touched:
                birth_edit.setText(birth)
        finally:
            self._filling = False
        self._auto_gender, self._auto_birth = gender, birth

    def _recheck(self) -> None:
        self.check = members.check_member(self.raw_values(), member_id=self.member_id, today=self.today)
        show_all = self.detail is not None
        for key, messages in self.messages.items():
            if key == "origin":
                continue
            visible = (show_all or key in self.touched) and not messages.widget.isHidden()
            messages.show(
                self.check.errors.get(key) if visible else None, self.check.warnings.get(key) if visible else None
            )
        missing = [key for key in self.check.errors if key not in self.touched and not show_all]
        if missing:
            labels = "、".join(members.FIELD_LABELS[k] for k in missing[:4])
            self.hint.setText(f"还需填写：{labels}")
        elif not self.check.ok:
            self.hint.setText("请按红字提示修改后再保存。")
        else:
            self.hint.setText("")
        self.save_button.setEnabled(self.check.ok)

    def error_text(self, key: str) -> str:
        """The message shown under a field ("" when none) — for tests and accessibility."""
        label = self.messages[key].label
        return label.text() if not label.isHidden() else ""

    # ------------------------------------------------------------ saving
    def save(self) -> None:
        self.touched.update(self.fields)
        self._recheck()
        if not self.check.ok:
            return
        try:
            if self.member_id is None:
                member_id = members.create_member(
                    self.raw_values(), today=self.today, transferred_in_from=self.origin.text()
                )
            else:
                members.update_member(self.member_id, self.raw_values(), today=self.today)
                member_id = self.member_id
        except UserError as exc:
            self.banner.setText(exc.message)
            self.banner.setVisible(True)
            field = getattr(exc, "field", None)
            if field in self.messages:
                self.messages[field].show(exc.message, None)
            return
        self.saved.emit(member_id)
        self.accept()


# ---------------------------------------------------------------- small dialogs


class _ActionDialog(QDialog):
    """A short form (a few fields) whose 确定 calls a service; errors are shown inline."""

    saved = Signal(int)

    def __init__(self, parent: QWidget | None, title: str, intro: str, ok_text: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.grid = FormGrid()
        self.banner = QLabel()
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(ERROR_STYLE)
        self.banner.setVisible(False)
        buttons = QDialogButtonBox()
        self.ok_button = _primary(buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole))
        self.ok_button.setObjectName("okButton")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addLayout(self.grid)
        layout.addWidget(self.banner)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 34)

    def run(self) -> int | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def confirm(self) -> bool:
        """A last question before an irreversible step; True to go on."""
        return True

    def _ok(self) -> None:
        if not self.confirm():
            return
        try:
            member_id = self.run()
        except UserError as exc:
            self.banner.setText(exc.message)
            self.banner.setVisible(True)
            return
        if member_id is not None:
            self.saved.emit(member_id)
        self.accept()


class LeaveDialog(_ActionDialog):
    """A member leaves the register: 转出 / 停止党籍 / 出党 / 去世 (nothing is deleted)."""

    def __init__(
        self, parent: QWidget | None, detail: members.MemberDetail, *, today: dt.date, status: str = "transferred_out"
    ):
        super().__init__(
            parent,
            f"{detail.name}：离开党员名册",
            f"{detail.name}（{detail.branch_name}）将不再列为在册党员，记录保留，可随时查看。",
            "确定",
        )
        self.detail = detail
        self.today = today
        self.status = _combo([(vocab.MEMBER_STATUSES[s], s) for s in members.LEAVING_STATUSES], "status")
        self.status.setCurrentIndex(max(0, self.status.findData(status)))
        self.on = _line("on")
        self.on.setText(today.isoformat())
        self.note = _line("note")
        self.grid.add(0, "方式", self.status, required=True)
        self.grid.add(0, "日期", self.on, required=True)
        self.grid.add(0, "去向 / 原因", self.note)
        self.status.currentIndexChanged.connect(self._placeholder)
        self._placeholder()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 40)

    def _placeholder(self) -> None:
        if self.status.currentData() == "transferred_out":
            self.note.setPlaceholderText("必填，如：转至蜀山区稻香村街道党工委")
        else:
            self.note.setPlaceholderText("可不填：原因或说明")

    def confirm(self) -> bool:
        label = vocab.MEMBER_STATUSES[self.status.currentData()]
        return dialogs.ask(
            self,
            "离开党员名册",
            f"将把「{self.detail.name}」标记为「{label}」，从在册党员中移出。",
            ok_text=f"确定{label}",
            informative="记录会保留；弄错了可以用「恢复在册」改回。",
            default_ok=False,
        )

    def run(self) -> int:
        members.record_leaving(
            self.detail.id, self.status.currentData(), self.on.text(), self.note.text(), today=self.today
        )
        return self.detail.id


class TransferDialog(_ActionDialog):
    """转接组织关系 to another branch of the sub-district (history is kept)."""

    def __init__(
        self, parent: QWidget | None, detail: members.MemberDetail, *, today: dt.date, branch_id: int | None = None
    ):
        super().__init__(
            parent,
            f"{detail.name}：转接组织关系",
            f"从「{detail.branch_name}」转到本街道的另一个党支部。转出街道外请用「离开 → 转出」。",
            "转接",
        )
        self.detail = detail
        self.today = today
        choices = [b for b in members.branch_choices() if b.id != detail.values["branch_id"]]
        self.branch = _combo([("请选择党支部", None)] + [(b.name, b.id) for b in choices], "branch")
        self.branch.setEditable(True)
        self.branch.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.branch.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(completer.CompletionMode.PopupCompletion)
        if branch_id is not None:
            self.branch.setCurrentIndex(max(0, self.branch.findData(branch_id)))
        self.on = _line("on")
        self.on.setText(today.isoformat())
        self.note = _line("note", "可不填：如「工作调动」")
        self.grid.add(0, "转入党支部", self.branch, required=True)
        self.grid.add(0, "转接日期", self.on, required=True)
        self.grid.add(0, "说明", self.note)

    def run(self) -> int | None:
        index = self.branch.findText(self.branch.currentText())
        target = self.branch.itemData(index) if index >= 0 else None
        if target is None:
            raise ValidationError("请选择要转入的党支部。")
        members.transfer_member(self.detail.id, target, self.on.text(), self.note.text(), today=self.today)
        return self.detail.id


class ConfirmDialog(_ActionDialog):
    """转正: the date (not before the probation's end) and the category change."""

    def __init__(self, parent: QWidget | None, detail: members.MemberDetail, *, today: dt.date):
        due = detail.due_on or ""
        super().__init__(
            parent,
            f"{detail.name}：办理转正",
            f"入党日期 {detail.values['joined_on']}，"
            + ("延长后的" if detail.values.get("probation_extended_to") else "")
            + f"预备期满 {due}。转正后人员类别改为「正式党员」。",
            "转正",
        )
        self.detail = detail
        self.today = today
        self.on = _line("on")
        default = due if due and due <= today.isoformat() else today.isoformat()
        self.on.setText(default)
        self.grid.add(0, "转正日期", self.on, required=True)

    def run(self) -> int:
        members.confirm_full(self.detail.id, self.on.text(), today=self.today)
        return self.detail.id


class RestoreDialog(_ActionDialog):
    """Back into the register (转回, 恢复党籍, or a mistake corrected)."""

    def __init__(self, parent: QWidget | None, detail: members.MemberDetail, *, today: dt.date):
        super().__init__(
            parent,
            f"{detail.name}：恢复在册",
            f"{detail.name}现为「{detail.status_label}」。恢复后重新列为「{detail.branch_name}」的在册党员。",
            "恢复在册",
        )
        self.detail = detail
        self.today = today
        self.on = _line("on")
        self.on.setText(today.isoformat())
        self.note = _line("note", "可不填：如「转回本街道」「恢复党籍」")
        self.grid.add(0, "日期", self.on, required=True)
        self.grid.add(0, "说明", self.note)

    def run(self) -> int:
        members.restore_membership(self.detail.id, self.on.text(), self.note.text(), today=self.today)
        return self.detail.id
