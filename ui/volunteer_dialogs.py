"""The dialogs of the 志愿服务 tab: a team (`TeamDialog`), a volunteer
(`VolunteerDialog`), a service project (`ProjectDialog`), one service record
(`RecordDialog`), bulk entry of one activity for many volunteers (`BulkRecordDialog`),
adding volunteers to a team (`JoinTeamDialog`), leaving a team (`LeaveTeamDialog`) and
the period of a 志愿服务时长证明 (`CertificateDialog`).

Every form is checked by the service's `check_*` function on each keystroke (the same
rules as saving): a field with an error turns red and says why under it, a warning is
amber, and 保存 stays disabled until the form is valid. Errors are shown for the fields
the clerk has touched. Dialogs are opened with `open()`; `saved(int)` is emitted after a
successful save (the new or edited id; for bulk entry the number of records).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, screen_fit
from ui.filter_bar import EmptyState, FilterBar
from ui.table_view import make_table
from ui.volunteer_table_models import VolunteerPickModel
from wanghu_desk import vocab
from wanghu_desk.errors import UserError
from wanghu_desk.services import volunteers
from wanghu_desk.services.volunteers import FormCheck, hours_text

ERROR_STYLE = "color: #C8161D;"
WARNING_STYLE = "color: #9A5B00;"
INFO_STYLE = "color: #2E6B30;"
INVALID_FIELD = "border: 1px solid #C8161D; background: #FFF5F5;"
DATE_HINT = "如：2026-09-30"
#: The ID field of a volunteer opened by an account that sees masked numbers.
ID_MASKED_TIP = ("完整身份证号只有管理员可以查看。不改动这一栏，保存时保留原号码；"
                 "要更正号码，请输入完整的新号码。")


def _primary(button: QPushButton) -> QPushButton:
    button.setProperty("primary", True)
    button.style().unpolish(button)
    button.style().polish(button)
    return button


def _line(name: str, placeholder: str = "", max_length: int = 0) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if max_length:
        edit.setMaxLength(max_length)
    return edit


def _combo(name: str, items: list[tuple[str, Any]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def _date_edit(name: str, day: dt.date, today: dt.date) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(QDate(1990, 1, 1))
    edit.setMaximumDate(QDate(today.year, today.month, today.day))
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def qdate_to_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def owner_items() -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = [("（不指定）", None)]
    for choice in volunteers.owner_choices():
        prefix = "社区：" if choice.kind == "community" else ""
        items.append((prefix + choice.name, choice.key))
    return items


class _Field:
    """A field's widget and the line under it that says what is wrong."""

    def __init__(self, widget: QWidget, message: QLabel):
        self.widget = widget
        self.message = message

    def show(self, error: str | None, warning: str | None) -> None:
        style_target = type(self.widget).__name__
        if error:
            self.message.setText(error)
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setVisible(True)
            if not isinstance(self.widget, (QTableView, QListWidget)):
                self.widget.setStyleSheet(f"{style_target} {{ {INVALID_FIELD} }}")
        elif warning:
            self.message.setText(warning)
            self.message.setStyleSheet(WARNING_STYLE)
            self.message.setVisible(True)
            self.widget.setStyleSheet("")
        else:
            self.message.clear()
            self.message.setVisible(False)
            self.widget.setStyleSheet("")


class _FormGrid(QGridLayout):
    """Label | field rows, with a message line under each field."""

    def __init__(self) -> None:
        super().__init__()
        self.setHorizontalSpacing(10)
        self.setVerticalSpacing(2)
        self.setColumnStretch(1, 1)
        self._row = 0

    def add(self, title: str, widget: QWidget, *, required: bool = False) -> QLabel:
        label = QLabel(("<span style='color:#C8161D'>*</span> " if required else "") + title)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        message = QLabel()
        message.setWordWrap(True)
        message.setVisible(False)
        message.setObjectName(f"message_{widget.objectName()}")
        self.addWidget(label, self._row, 0)
        self.addWidget(widget, self._row, 1)
        self.addWidget(message, self._row + 1, 1)
        self.setRowMinimumHeight(self._row + 1, 4)
        self._row += 2
        return message


class FormDialog(QDialog):
    """The common frame of the form dialogs: fields, inline checks, 保存 / 取消."""

    saved = Signal(int)
    #: field name → title, in form order; required ones are starred.
    REQUIRED: tuple[str, ...] = ()

    def __init__(self, parent: QWidget | None, title: str, *, today: dt.date | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.today = today or dt.date.today()
        self.fields: dict[str, QWidget] = {}
        self._messages: dict[str, _Field] = {}
        self.touched: set[str] = set()
        self.check: FormCheck = FormCheck()
        self._filling = False
        self.grid = _FormGrid()
        self.banner = QLabel(self)
        self.banner.setObjectName("formBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.buttons = QDialogButtonBox(self)
        self.save_button = _primary(self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole))
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def _layout(self, *extra: QWidget, grow: QWidget | None = None) -> None:
        """The grid, then `extra` widgets, the banner and the buttons; `grow` (one of
        `extra`) takes the spare height, else the space goes above the buttons."""
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 16, 20, 12)
        column.setSpacing(8)
        column.addLayout(self.grid)
        for widget in extra:
            column.addWidget(widget, 1 if widget is grow else 0)
        column.addWidget(self.banner)
        if grow is None:
            column.addStretch(1)
        column.addWidget(self.buttons)

    def add_field(self, name: str, title: str, widget: QWidget, *, required: bool = False) -> QWidget:
        widget.setObjectName(widget.objectName() or name)
        self.fields[name] = widget
        message = self.grid.add(title, widget, required=required)
        self._messages[name] = _Field(widget, message)
        self._watch(name, widget)
        return widget

    def add_message(self, name: str, widget: QWidget, message: QLabel) -> None:
        """A field laid out by the subclass itself."""
        self.fields.setdefault(name, widget)
        self._messages[name] = _Field(widget, message)

    def _watch(self, name: str, widget: QWidget) -> None:
        def changed(*_args: Any) -> None:
            if not self._filling:
                self.touched.add(name)
                self.recheck()

        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(changed)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(changed)
            if widget.isEditable():
                widget.editTextChanged.connect(changed)
        elif isinstance(widget, QDateEdit):
            widget.dateChanged.connect(changed)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(changed)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(changed)
        elif isinstance(widget, QListWidget):
            widget.itemChanged.connect(changed)

    # ------------------------------------------------------------ subclass API
    def raw(self) -> dict[str, Any]:
        raise NotImplementedError

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        raise NotImplementedError

    def commit(self, raw: dict[str, Any]) -> int:
        raise NotImplementedError

    def after_check(self) -> None:
        """Hook: update derived displays (gender from the ID …)."""

    # ------------------------------------------------------------ checking and saving
    def value(self, name: str) -> Any:
        widget = self.fields[name]
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QDateEdit):
            return qdate_to_date(widget.date())
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        raise TypeError(name)

    def recheck(self) -> FormCheck:
        try:
            self.check = self.run_check(self.raw())
        except UserError as exc:  # the record was removed meanwhile
            self.check = FormCheck(errors={"": exc.message})
        self.show_banner(self.check.errors.get("", ""))
        for name, item in self._messages.items():
            shown = name in self.touched
            error = self.check.errors.get(name) if shown else None
            item.show(error, self.check.warnings.get(name))
        self.save_button.setEnabled(self.check.ok)
        self.after_check()
        screen_fit.grow_to_layout(self)  # a message line that appeared is not cut off
        return self.check

    def error_text(self, name: str) -> str:
        item = self._messages.get(name)
        return item.message.text() if item is not None and item.message.isVisible() else ""

    def show_banner(self, text: str, style: str = ERROR_STYLE) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(style)
        self.banner.setVisible(bool(text))

    def save(self) -> None:
        self.touched.update(self.fields)
        check = self.recheck()
        if not check.ok:
            return
        try:
            saved = self.commit(self.raw())
        except UserError as exc:
            self.show_banner(exc.message)
            dialogs.error(self, self.windowTitle(), exc.message)
            return
        self.saved.emit(saved)
        self.accept()


# ================================================================ team


class TeamDialog(FormDialog):
    """新增服务队 / 编辑服务队."""

    def __init__(self, parent: QWidget | None = None, *, team_id: int | None = None, today: dt.date | None = None):
        self.team_id = team_id
        values = volunteers.team_values(team_id) if team_id else None
        super().__init__(parent, f"编辑服务队：{values['name']}" if values else "新增服务队", today=today)
        self.setObjectName("teamDialog")
        self.add_field("name", "服务队名称", _line("name", "如：护花志愿服务队", 40), required=True)
        self.add_field("kind", "类型", _combo("kind", [(label, code) for code, label in vocab.TEAM_KINDS.items()]))
        owner = self.add_field("owner", "所属党组织或社区", _combo("owner", owner_items()))
        owner.setMaxVisibleItems(20)
        self.add_field("leader_name", "负责人", _line("leader_name", "如：张三"))
        self.add_field("leader_phone", "负责人电话", _line("leader_phone", "手机 11 位，或 0551-65179666"))
        self.add_field("founded_on", "成立日期", _line("founded_on", DATE_HINT))
        note = QPlainTextEdit()
        note.setObjectName("note")
        note.setFixedHeight(54)
        note.setTabChangesFocus(True)
        self.add_field("note", "备注", note)
        self.active_check = QCheckBox("服务队正常开展活动（取消勾选即停用）")
        self.active_check.setObjectName("is_active")
        self.active_check.setChecked(True)
        self.active_check.setVisible(team_id is not None)
        self._watch("is_active", self.active_check)
        self.fields["is_active"] = self.active_check
        self._layout(self.active_check)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 36)
        if values:
            self._fill(values)
        self.recheck()

    def _fill(self, v: dict[str, Any]) -> None:
        self._filling = True
        f = self.fields
        f["name"].setText(v["name"])
        f["kind"].setCurrentIndex(max(0, f["kind"].findData(v["kind"])))
        f["owner"].setCurrentIndex(max(0, f["owner"].findData(v["owner"])))
        f["leader_name"].setText(v["leader_name"])
        f["leader_phone"].setText(v["leader_phone"])
        f["founded_on"].setText(v["founded_on"].isoformat() if v["founded_on"] else "")
        f["note"].setPlainText(v["note"])
        self.active_check.setChecked(v["is_active"])
        self._filling = False

    def raw(self) -> dict[str, Any]:
        return {name: self.value(name) for name in
                ("name", "kind", "owner", "leader_name", "leader_phone", "founded_on", "note", "is_active")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return volunteers.check_team(raw, team_id=self.team_id, today=self.today)

    def commit(self, raw: dict[str, Any]) -> int:
        if self.team_id is None:
            return volunteers.create_team(raw, today=self.today)
        volunteers.update_team(self.team_id, raw, today=self.today)
        return self.team_id


# ================================================================ volunteer


class VolunteerDialog(FormDialog):
    """新增志愿者 / 编辑志愿者. Gender and birth date come from the ID number; a member with
    that ID is linked (shown in green)."""

    def __init__(self, parent: QWidget | None = None, *, volunteer_id: int | None = None,
                 team_id: int | None = None, today: dt.date | None = None):
        self.volunteer_id = volunteer_id
        values = volunteers.volunteer_values(volunteer_id) if volunteer_id else None
        super().__init__(parent, f"编辑志愿者：{values['name']}" if values else "新增志愿者", today=today)
        self.setObjectName("volunteerDialog")
        self.add_field("name", "姓名", _line("name", "如：张三", 30), required=True)
        self.add_field("id_number", "公民身份号码", _line("id_number", "18 位，末位可以是 X（可不填）", 24))
        self.add_field("phone", "联系电话", _line("phone", "手机 11 位，或 0551-65179666"))
        self.add_field("gender", "性别", _combo("gender", [("", ""), ("男", "男"), ("女", "女")]))
        self.birth_label = QLabel()
        self.birth_label.setObjectName("birthLabel")
        self.birth_label.setProperty("role", "detail")
        self.grid.add("出生日期", self.birth_label)
        self.add_field("skills", "技能特长", _line("skills", "如：理发、法律咨询", 100))
        self.add_field("registration_no", "志愿者编号", _line("registration_no", "如：WH00001（可不填）", 30))
        self.team_list = QListWidget()
        self.team_list.setObjectName("team_ids")
        for choice in volunteers.team_choices(include_inactive=True):
            item = QListWidgetItem(choice.name + ("" if choice.active else "（已停用）"))
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.team_list.addItem(item)
        rows = min(max(self.team_list.count(), 3), 7)
        self.team_list.setFixedHeight(rows * (self.fontMetrics().height() + 8) + 6)
        self.add_field("team_ids", "所属服务队", self.team_list)
        note = QPlainTextEdit()
        note.setObjectName("note")
        note.setFixedHeight(54)
        note.setTabChangesFocus(True)
        self.add_field("note", "备注", note)
        self.member_label = QLabel(self)
        self.member_label.setObjectName("memberLink")
        self.member_label.setWordWrap(True)
        self._layout(self.member_label)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 38)
        if values:
            self._fill(values)
        elif team_id is not None:
            self._check_teams([team_id])
        self.recheck()

    def _check_teams(self, ids: list[int]) -> None:
        first = None
        for i in range(self.team_list.count()):
            item = self.team_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            if on and first is None:
                first = item
        if first is not None:  # the volunteer's team is in sight, not hidden below the fold
            self.team_list.scrollToItem(first, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _fill(self, v: dict[str, Any]) -> None:
        self._filling = True
        f = self.fields
        f["name"].setText(v["name"])
        f["id_number"].setText(v["id_number"])
        if not volunteers._see_ids() and v["id_number"]:
            f["id_number"].setToolTip(ID_MASKED_TIP)
        f["phone"].setText(v["phone"])
        f["gender"].setCurrentIndex(max(0, f["gender"].findData(v["gender"])))
        f["skills"].setText(v["skills"])
        f["registration_no"].setText(v["registration_no"])
        f["note"].setPlainText(v["note"])
        self._check_teams(v["team_ids"])
        self._filling = False

    def team_ids(self) -> list[int]:
        out = []
        for i in range(self.team_list.count()):
            item = self.team_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_teams(self, ids: list[int]) -> None:
        self._check_teams(ids)

    def raw(self) -> dict[str, Any]:
        raw = {name: self.value(name) for name in
               ("name", "id_number", "phone", "gender", "skills", "registration_no", "note")}
        raw["team_ids"] = self.team_ids()
        return raw

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return volunteers.check_volunteer(raw, volunteer_id=self.volunteer_id, today=self.today)

    def after_check(self) -> None:
        v = self.check.values
        birth = v.get("birth_date")
        if birth:
            age = volunteers.age_on(birth, self.today)
            self.birth_label.setText(f"{birth.isoformat()}（{age} 岁，按身份证号）")
        else:
            self.birth_label.setText("填写身份证号后自动得出")
        gender = self.fields["gender"]
        if v.get("id_number") and v.get("gender") and gender.currentData() != v["gender"]:
            self._filling = True
            gender.setCurrentIndex(gender.findData(v["gender"]))
            self._filling = False
        gender.setEnabled(not v.get("id_number"))
        member = v.get("member")
        if member:
            match = volunteers.member_match(v.get("id_number"))
            text = f"✓ 与党员「{match.name}」（{match.branch}）是同一人，保存时自动关联。" if match else ""
            self.member_label.setText(text)
            self.member_label.setStyleSheet(INFO_STYLE)
            self.member_label.setVisible(bool(text))
        else:
            self.member_label.setVisible(False)

    def commit(self, raw: dict[str, Any]) -> int:
        if self.volunteer_id is None:
            return volunteers.create_volunteer(raw, today=self.today)
        volunteers.update_volunteer(self.volunteer_id, raw, today=self.today)
        return self.volunteer_id


# ================================================================ project


class ProjectDialog(FormDialog):
    """新增服务项目 / 编辑服务项目 (为民服务项目, such as 乐夕阳, 朝阳护学)."""

    def __init__(self, parent: QWidget | None = None, *, project_id: int | None = None,
                 team_id: int | None = None, today: dt.date | None = None):
        self.project_id = project_id
        values = volunteers.project_values(project_id) if project_id else None
        super().__init__(parent, f"编辑服务项目：{values['name']}" if values else "新增服务项目", today=today)
        self.setObjectName("projectDialog")
        self.add_field("name", "项目名称", _line("name", "如：乐夕阳", 40), required=True)
        teams = [("（不指定）", None)] + [(c.name, c.id) for c in volunteers.team_choices(include_inactive=True)]
        self.add_field("team_id", "服务队", _combo("team_id", teams))
        self.add_field("owner", "所属党组织或社区", _combo("owner", owner_items()))
        self.add_field("description", "服务内容", _line("description", "如：为独居老人送餐、陪老人聊天", 200))
        self.add_field("started_on", "开始日期", _line("started_on", DATE_HINT))
        self.active_check = QCheckBox("项目正在开展（取消勾选即停用）")
        self.active_check.setObjectName("is_active")
        self.active_check.setChecked(True)
        self.active_check.setVisible(project_id is not None)
        self.fields["is_active"] = self.active_check
        self._watch("is_active", self.active_check)
        self._layout(self.active_check)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 36)
        if values:
            self._filling = True
            f = self.fields
            f["name"].setText(values["name"])
            f["team_id"].setCurrentIndex(max(0, f["team_id"].findData(values["team_id"])))
            f["owner"].setCurrentIndex(max(0, f["owner"].findData(values["owner"])))
            f["description"].setText(values["description"])
            f["started_on"].setText(values["started_on"].isoformat() if values["started_on"] else "")
            self.active_check.setChecked(values["is_active"])
            self._filling = False
        elif team_id is not None:
            self.fields["team_id"].setCurrentIndex(max(0, self.fields["team_id"].findData(team_id)))
        self.recheck()

    def raw(self) -> dict[str, Any]:
        return {name: self.value(name) for name in
                ("name", "team_id", "owner", "description", "started_on", "is_active")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return volunteers.check_project(raw, project_id=self.project_id, today=self.today)

    def commit(self, raw: dict[str, Any]) -> int:
        if self.project_id is None:
            return volunteers.create_project(raw, today=self.today)
        volunteers.update_project(self.project_id, raw, today=self.today)
        return self.project_id


# ================================================================ records


class _ActivityFields:
    """Date, team, project, activity and hours: shared by the single and bulk record forms."""

    def _add_activity_fields(self: Any, day: dt.date) -> None:
        self.add_field("served_on", "服务日期", _date_edit("served_on", day, self.today), required=True)
        teams = [("（不指定）", None)] + [(c.name, c.id) for c in volunteers.team_choices()]
        self.add_field("team_id", "服务队", _combo("team_id", teams))
        self.fields["team_id"].setMaxVisibleItems(20)
        projects = [("（不指定）", None)] + [(c.name, c.id) for c in volunteers.project_choices()]
        self.add_field("project_id", "服务项目", _combo("project_id", projects))
        self.fields["project_id"].setMaxVisibleItems(20)
        self.add_field("activity", "服务内容", _line("activity", "如：为独居老人送餐", 100), required=True)
        hours = self.add_field("hours", "服务时长（小时）", _line("hours", "按 0.5 小时计，如 2 或 1.5", 6), required=True)
        hours.setMaximumWidth(self.fontMetrics().horizontalAdvance("按 0.5 小时计，如 2 或 1.5") + 40)
        self.fields["team_id"].currentIndexChanged.connect(lambda _i: self._team_picked())

    def _team_picked(self: Any) -> None:
        """A project of the chosen team is offered first when none is chosen yet."""
        team_id = self.fields["team_id"].currentData()
        combo = self.fields["project_id"]
        if team_id is None or combo.currentData() is not None:
            return
        own = volunteers.project_choices(team_id=team_id)
        if len(own) == 1:
            combo.setCurrentIndex(max(0, combo.findData(own[0].id)))

    def _select(self: Any, name: str, data: Any, label: str | None = None) -> None:
        combo = self.fields[name]
        index = combo.findData(data)
        if index < 0 and data is not None and label:  # a stopped team or project of an old record
            combo.addItem(label, data)
            index = combo.count() - 1
        combo.setCurrentIndex(max(0, index))

    def activity_raw(self: Any) -> dict[str, Any]:
        return {name: self.value(name) for name in ("served_on", "team_id", "project_id", "activity", "hours")}


class VolunteerPickerFilter(QSortFilterProxyModel):
    """The items of the volunteer picker (a combo box's model) that match the typed text
    the way the volunteer search does: part of the name, pinyin from the surname on by
    initials or full spelling ("zs", "zhangsan", "zhs" find 张三), phone, 志愿者编号.
    The empty first item never matches. Pinyin is read only once letters are typed."""

    def __init__(self, combo: QComboBox, rows: dict[int, volunteers.VolunteerRow]):
        super().__init__(combo)
        self._combo = combo
        self._rows = rows
        self._text = ""
        self.setSourceModel(combo.model())

    def set_text(self, text: str) -> None:
        text = text.strip()
        if text == self._text:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self._text = text
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._text = text
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        row = self._rows.get(self._combo.itemData(source_row))
        if row is None:
            return False
        if not self._text:
            return True
        # the picked item's own text (name, phone or 编号) finds it too
        return self._text in self._combo.itemText(source_row) or volunteers.volunteer_matches(row, self._text)


def _pinyin_completer(combo: QComboBox, rows: list[volunteers.VolunteerRow]) -> VolunteerPickerFilter:
    """A popup under the editable combo box listing the volunteers that match what is
    typed (`VolunteerPickerFilter`); picking one selects it in the combo box."""
    picker = VolunteerPickerFilter(combo, {r.id: r for r in rows})
    completer = QCompleter(combo)
    completer.setModel(picker)
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setMaxVisibleItems(12)
    combo.setCompleter(completer)

    def typed(text: str) -> None:
        picker.set_text(text)
        if text.strip() and picker.rowCount():
            completer.complete()
        else:
            completer.popup().hide()

    combo.lineEdit().textEdited.connect(typed)
    return picker


class RecordDialog(_ActivityFields, FormDialog):
    """登记服务记录 / 编辑服务记录 for one volunteer."""

    def __init__(self, parent: QWidget | None = None, *, record_id: int | None = None,
                 volunteer_id: int | None = None, team_id: int | None = None, today: dt.date | None = None):
        self.record_id = record_id
        values = volunteers.record_values(record_id) if record_id else None
        super().__init__(parent, "编辑服务记录" if values else "登记服务记录", today=today)
        self.setObjectName("recordDialog")
        volunteer = QComboBox()
        volunteer.setObjectName("volunteer_id")
        volunteer.setEditable(True)
        volunteer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        volunteer.addItem("", None)
        self._volunteer_rows = volunteers.list_volunteers(today=self.today)
        for row in self._volunteer_rows:
            # a bare name cannot be told from a namesake: say that the phone is missing
            detail = row.phone or (f"编号 {row.registration_no}" if row.registration_no else "未登记电话")
            volunteer.addItem(f"{row.name}　{detail}", row.id)
        self.picker = _pinyin_completer(volunteer, self._volunteer_rows)
        volunteer.lineEdit().setPlaceholderText("输入姓名、拼音（如 zs、zhangsan）或电话选择")
        self.add_field("volunteer_id", "志愿者", volunteer, required=True)
        self._add_activity_fields(values["served_on"] if values else self.today)
        self._layout()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 36)
        self._filling = True
        if values:
            self._select("volunteer_id", values["volunteer_id"])
            self._select("team_id", values["team_id"], _record_team_name(values))
            self._select("project_id", values["project_id"], _record_project_name(values))
            self.fields["activity"].setText(values["activity"])
            self.fields["hours"].setText(values["hours"])
        else:
            if volunteer_id is not None:
                self._select("volunteer_id", volunteer_id)
            if team_id is not None:
                self._select("team_id", team_id)
            else:
                self._prefill_team()
            self.fields["volunteer_id"].currentIndexChanged.connect(lambda _i: self._prefill_team())
        self._filling = False
        self.recheck()

    def _prefill_team(self) -> None:
        """A volunteer in exactly one active team: that team, so the record is not left
        without one (the quarterly report counts hours per team). Only while no team is chosen."""
        if self.fields["team_id"].currentData() is not None:
            return
        chosen = self.value("volunteer_id")
        row = next((r for r in self._volunteer_rows if r.id == chosen), None)
        if row is None:
            return
        active = {c.id for c in volunteers.team_choices()}
        teams = [t for t in row.team_ids if t in active]
        if len(teams) == 1:
            self._select("team_id", teams[0])

    def value(self, name: str) -> Any:
        if name == "volunteer_id":
            combo = self.fields[name]
            # A name typed and not picked from the list counts only when it is an item's text.
            if combo.currentIndex() > 0 and combo.currentText() == combo.itemText(combo.currentIndex()):
                return combo.currentData()
            found = combo.findText(combo.currentText())
            return combo.itemData(found) if found > 0 else None
        return super().value(name)

    def raw(self) -> dict[str, Any]:
        raw = self.activity_raw()
        raw["volunteer_id"] = self.value("volunteer_id")
        return raw

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return volunteers.check_record(raw, record_id=self.record_id, today=self.today)

    def commit(self, raw: dict[str, Any]) -> int:
        if self.record_id is None:
            return volunteers.create_record(raw, today=self.today)
        volunteers.update_record(self.record_id, raw, today=self.today)
        return self.record_id


def _record_team_name(values: dict[str, Any]) -> str | None:
    choice = next((c for c in volunteers.team_choices(include_inactive=True) if c.id == values["team_id"]), None)
    return f"{choice.name}（已停用）" if choice else None


def _record_project_name(values: dict[str, Any]) -> str | None:
    choice = next((c for c in volunteers.project_choices(include_inactive=True) if c.id == values["project_id"]),
                  None)
    return f"{choice.name}（已停用）" if choice else None


class _PickTable(QWidget):
    """A searchable volunteer list with check boxes: search box, 只看本队, 全选 / 全不选,
    and the number picked."""

    SEARCH_HINT = "搜索姓名、拼音首字母或电话"

    def __init__(self, parent: QWidget, rows: list[volunteers.VolunteerRow], *, exclude: set[int] = frozenset()):
        super().__init__(parent)
        self.model = VolunteerPickModel(self)
        self._rows = [r for r in rows if r.id not in exclude]
        self._team_id: int | None = None
        self.filter_bar = FilterBar("pick", self.SEARCH_HINT, self, delay_ms=0, search_name="pickSearch")
        self.search = self.filter_bar.search
        self.filter_bar.searchChanged.connect(self.model.set_search)
        self.filter_bar.count_label.setVisible(False)  # the count of checked volunteers is under the table
        self.team_only = QCheckBox("只看本队志愿者", self)
        self.team_only.setObjectName("teamOnly")
        self.team_only.setChecked(True)
        self.team_only.toggled.connect(lambda _on: self._apply_team())
        self.all_button = QPushButton("全选", self)
        self.all_button.setObjectName("checkAllButton")
        self.all_button.setToolTip("勾选列表中显示的全部志愿者")
        self.all_button.clicked.connect(lambda: self.model.check_shown(True))
        self.none_button = QPushButton("全不选", self)
        self.none_button.setObjectName("checkNoneButton")
        self.none_button.clicked.connect(self.model.clear_checks)
        for w in (self.team_only, self.all_button, self.none_button):
            self.filter_bar.add_widget(w)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("pickCount")
        self.model.checkedChanged.connect(lambda _n: self._show_count())
        self.model.modelReset.connect(self._show_count)

        self.view = make_table("pickTable", self.model, self, stretch_first=False)
        self.view.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
        self.view.clicked.connect(self._toggle_row)
        self.view.setColumnWidth(0, 36)
        self.empty_state = EmptyState(self.view, what="志愿者", on_clear=self.filter_bar.clear)
        self.filter_bar.cleared.connect(lambda: self.model.set_search(""))

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.filter_bar)
        column.addWidget(self.view, 1)
        column.addWidget(self.count_label)
        self._apply_team()

    def _toggle_row(self, index) -> None:
        if index.column() == 0:
            return  # the check box handles its own click
        row = self.model.row_at(index.row())
        if row is not None:
            self.model.set_checked([row.id], not self.model.is_checked(row.id))

    def set_team(self, team_id: int | None) -> None:
        self._team_id = team_id
        self.team_only.setEnabled(team_id is not None)
        self._apply_team()

    def _apply_team(self) -> None:
        if self._team_id is not None and self.team_only.isChecked():
            rows = [r for r in self._rows if self._team_id in r.team_ids]
        else:
            rows = self._rows
        self.model.set_rows(rows)

    def _show_count(self) -> None:
        n = len(self.model.checked_ids())
        shown = self.model.shown_count
        self.count_label.setText(f"已勾选 {n:,} 人　列表中 {shown:,} 人" if shown else
                                 "没有可选的志愿者。请取消「只看本队志愿者」或清空搜索，或先在「志愿者」中新增。")


class BulkRecordDialog(_ActivityFields, FormDialog):
    """批量登记: one activity, one hours value, many volunteers, saved in one transaction."""

    def __init__(self, parent: QWidget | None = None, *, team_id: int | None = None,
                 volunteer_ids: list[int] | None = None, today: dt.date | None = None):
        super().__init__(parent, "批量登记服务记录", today=today)
        self.setObjectName("bulkRecordDialog")
        self._add_activity_fields(self.today)
        self.picker = _PickTable(self, volunteers.list_volunteers(today=self.today))
        title = QLabel("<b>参加活动的志愿者</b>（勾选后，每人登记一条同样的服务记录）", self)
        self.pick_message = QLabel(self)
        self.pick_message.setObjectName("message_volunteer_ids")
        self.pick_message.setWordWrap(True)
        self.pick_message.setVisible(False)
        self.add_message("volunteer_ids", self.picker.view, self.pick_message)
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 6, 0, 0)
        column.setSpacing(4)
        column.addWidget(title)
        column.addWidget(self.picker, 1)
        column.addWidget(self.pick_message)
        self._layout(box, grow=box)
        self.picker.model.checkedChanged.connect(lambda _n: self._picked())
        self.fields["team_id"].currentIndexChanged.connect(
            lambda _i: self.picker.set_team(self.fields["team_id"].currentData()))
        screen_fit.fit(self, self.fontMetrics().horizontalAdvance("中") * 64, self.fontMetrics().height() * 42)
        self._filling = True
        if team_id is not None:
            self._select("team_id", team_id)
        self.picker.set_team(self.fields["team_id"].currentData())
        if volunteer_ids:
            if any(not any(r.id == v for r in self.picker.model.all_rows()) for v in volunteer_ids):
                self.picker.team_only.setChecked(False)
            self.picker.model.set_checked(volunteer_ids)
        self._filling = False
        self.recheck()

    def _picked(self) -> None:
        if not self._filling:
            self.touched.add("volunteer_ids")
            self.recheck()

    def raw(self) -> dict[str, Any]:
        return self.activity_raw()

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return volunteers.check_bulk(raw, self.picker.model.checked_ids(), today=self.today)

    def after_check(self) -> None:
        n = len(self.picker.model.checked_ids())
        minutes = self.check.values.get("minutes") or 0
        if n:
            total = f"，共 {hours_text(minutes * n)} 小时" if minutes else ""
            self.save_button.setText(f"保存（{n} 人{total}）")
        else:
            self.save_button.setText("保存")

    def commit(self, raw: dict[str, Any]) -> int:
        return len(volunteers.bulk_record(raw, self.picker.model.checked_ids(), today=self.today))


# ================================================================ team membership


class JoinTeamDialog(FormDialog):
    """Add volunteers to a team (those already in it are not listed)."""

    def __init__(self, parent: QWidget | None = None, *, team_id: int, today: dt.date | None = None):
        self.team_id = team_id
        team = volunteers.team_values(team_id)
        super().__init__(parent, f"加入「{team['name']}」", today=today)
        self.setObjectName("joinTeamDialog")
        self.add_field("joined_on", "加入日期", _date_edit("joined_on", self.today, self.today), required=True)
        current = {m.volunteer_id for m in volunteers.team_members(team_id, today=self.today)}
        self.picker = _PickTable(self, volunteers.list_volunteers(today=self.today), exclude=current)
        self.picker.team_only.setVisible(False)
        self.picker.set_team(None)
        self.pick_message = QLabel(self)
        self.pick_message.setObjectName("message_volunteer_ids")
        self.pick_message.setWordWrap(True)
        self.pick_message.setVisible(False)
        self.add_message("volunteer_ids", self.picker.view, self.pick_message)
        self._layout(self.picker, self.pick_message, grow=self.picker)
        self.picker.model.checkedChanged.connect(lambda _n: self._picked())
        screen_fit.fit(self, self.fontMetrics().horizontalAdvance("中") * 50, self.fontMetrics().height() * 34)
        self.recheck()

    def _picked(self) -> None:
        self.touched.add("volunteer_ids")
        self.recheck()

    def raw(self) -> dict[str, Any]:
        return {"joined_on": self.value("joined_on"), "volunteer_ids": self.picker.model.checked_ids()}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        check = FormCheck(values=dict(raw))
        if not raw["volunteer_ids"]:
            check.errors["volunteer_ids"] = "请勾选要加入的志愿者。"
        n = len(raw["volunteer_ids"])
        self.save_button.setText(f"加入（{n} 人）" if n else "加入")
        return check

    def commit(self, raw: dict[str, Any]) -> int:
        return volunteers.add_team_members(self.team_id, raw["volunteer_ids"], raw["joined_on"], today=self.today)


class LeaveTeamDialog(FormDialog):
    """Volunteers leave a team on a date (their records stay)."""

    def __init__(self, parent: QWidget | None = None, *, team_id: int, volunteer_ids: list[int],
                 names: list[str], today: dt.date | None = None):
        self.team_id = team_id
        self.volunteer_ids = list(volunteer_ids)
        team = volunteers.team_values(team_id)
        super().__init__(parent, f"退出「{team['name']}」", today=today)
        self.setObjectName("leaveTeamDialog")
        shown = "、".join(names[:6]) + (f" 等 {len(names)} 人" if len(names) > 6 else "")
        intro = QLabel(f"{shown} 退出「{team['name']}」。已有的服务记录保留。", self)
        intro.setWordWrap(True)
        self.add_field("left_on", "退出日期", _date_edit("left_on", self.today, self.today), required=True)
        self.save_button.setText("退出服务队")
        self._layout(intro)
        self.recheck()

    def raw(self) -> dict[str, Any]:
        return {"left_on": self.value("left_on")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return FormCheck(values=dict(raw))

    def commit(self, raw: dict[str, Any]) -> int:
        return volunteers.leave_team(self.team_id, self.volunteer_ids, raw["left_on"], today=self.today)


# ================================================================ certificate


class CertificateDialog(QDialog):
    """The period of a 志愿服务时长证明: all records, this year, or from … to …."""

    def __init__(self, parent: QWidget | None, volunteer_name: str, *, today: dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("certificateDialog")
        self.setWindowTitle(f"志愿服务时长证明：{volunteer_name}")
        self.today = today or dt.date.today()
        self.choice = QButtonGroup(self)
        self.all_radio = QRadioButton("全部服务记录", self)
        self.year_radio = QRadioButton(f"{self.today.year} 年", self)
        self.range_radio = QRadioButton("指定期间：", self)
        for i, radio in enumerate((self.all_radio, self.year_radio, self.range_radio)):
            self.choice.addButton(radio, i)
        self.all_radio.setChecked(True)
        self.start_edit = _date_edit("certStart", dt.date(self.today.year, 1, 1), self.today)
        self.end_edit = _date_edit("certEnd", self.today, self.today)
        for edit in (self.start_edit, self.end_edit):
            edit.setEnabled(False)
            self.range_radio.toggled.connect(edit.setEnabled)
        span = QHBoxLayout()
        span.addWidget(self.range_radio)
        span.addWidget(self.start_edit)
        span.addWidget(QLabel("至", self))
        span.addWidget(self.end_edit)
        span.addStretch(1)
        note = QLabel("证明中身份证号只显示前 6 位和后 4 位。", self)
        note.setProperty("role", "detail")
        buttons = QDialogButtonBox(self)
        ok = _primary(buttons.addButton("生成 PDF…", QDialogButtonBox.ButtonRole.AcceptRole))
        ok.setDefault(True)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.message = QLabel(self)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setVisible(False)
        column = QVBoxLayout(self)
        column.setSpacing(8)
        column.addWidget(self.all_radio)
        column.addWidget(self.year_radio)
        column.addLayout(span)
        column.addWidget(self.message)
        column.addWidget(note)
        column.addWidget(buttons)

    def period(self) -> tuple[dt.date | None, dt.date | None]:
        if self.year_radio.isChecked():
            return dt.date(self.today.year, 1, 1), self.today
        if self.range_radio.isChecked():
            return qdate_to_date(self.start_edit.date()), qdate_to_date(self.end_edit.date())
        return None, None

    def _accept(self) -> None:
        start, end = self.period()
        if start and end and start > end:
            self.message.setText("开始日期晚于结束日期，请核对。")
            self.message.setVisible(True)
            return
        self.accept()


def delayed(widget: QWidget, ms: int, slot) -> QTimer:
    """A single-shot timer owned by `widget` (debounced search boxes)."""
    timer = QTimer(widget)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    return timer
