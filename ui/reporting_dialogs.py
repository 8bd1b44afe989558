"""The dialogs of the 双报到 tab: 登记报到 / 修改报到 (`RegisterDialog`), 居民点单
(`OrderDialog`), 支部下单 (`AssignDialog`), 党员接单 (`AcceptDialog`), 完成 (`CompleteDialog`)
and 取消 (`CancelDialog`).

The registration and the 点单 form are checked by the service's own check on every
change; the step forms check what they ask for and leave the order's rules (dates after
the previous step, members registered …) to the service, whose message shows in the
form if it refuses. `saved(int)` follows a successful save with the record's id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QListWidgetItem, QSpinBox, QWidget

from ui.matter_dialogs import _combo, _date, _line, _text_box
from ui.volunteer_dialogs import FormDialog
from wanghu_desk.errors import ValidationError
from wanghu_desk.services import reporting
from wanghu_desk.services.reporting import vocab
from wanghu_desk.services.volunteers import FormCheck


def _check_list(name: str, items: list[tuple[str, Any]], checked: set[Any] = frozenset(), rows: int = 6) -> QListWidget:
    box = QListWidget()
    box.setObjectName(name)
    for text, data in items:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, data)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if data in checked else Qt.CheckState.Unchecked)
        box.addItem(item)
    box.setMinimumHeight(box.fontMetrics().height() * rows + 12)
    return box


def checked_data(box: QListWidget) -> list[Any]:
    return [box.item(i).data(Qt.ItemDataRole.UserRole) for i in range(box.count())
            if box.item(i).checkState() == Qt.CheckState.Checked]


def set_checked(box: QListWidget, values: list[Any]) -> None:
    """Check exactly the items whose data is in `values` (for tests and for filling)."""
    for i in range(box.count()):
        item = box.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in values
                           else Qt.CheckState.Unchecked)


def _check(call) -> FormCheck:
    try:
        values = call()
    except ValidationError as exc:
        return FormCheck(errors={exc.field or "": exc.message})
    return FormCheck(values=values)


class _PlaceFields:
    """A community combo and an estate combo that lists that community's estates."""

    def _add_place(self: Any, community_required: bool) -> None:
        self._communities, self._estates = reporting.place_choices()
        first = [] if community_required else [("（不指定）", None)]
        self.add_field("community_id", "社区", _combo("community_id", first + [(n, i) for i, n in self._communities]),
                       required=community_required)
        self.add_field("estate_id", "小区", _combo("estate_id", [("（不指定）", None)]))
        self.fields["community_id"].currentIndexChanged.connect(lambda _i: self._community_changed())
        self._community_changed()

    def _community_changed(self: Any, keep: Any = None) -> None:
        combo: QComboBox = self.fields["estate_id"]
        community = self.fields["community_id"].currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("（不指定）", None)
        for estate_id, community_id, name in self._estates:
            if community is None or community_id == community:
                combo.addItem(name, estate_id)
        if keep is not None:
            combo.setCurrentIndex(max(0, combo.findData(keep)))
        combo.blockSignals(False)


class RegisterDialog(_PlaceFields, FormDialog):
    """登记报到 (a new registration) or 修改报到 (`registration_id`)."""

    def __init__(self, parent: QWidget | None = None, *, registration_id: int | None = None,
                 today: dt.date | None = None):
        self.registration_id = registration_id
        values = reporting.registration_values(registration_id) if registration_id else None
        super().__init__(parent, "修改报到登记" if values else "在职党员登记报到", today=today)
        self.setObjectName("registerDialog")
        members = reporting.member_choices(unregistered_only=values is None)
        self.add_field("member_id", "党员", _combo("member_id", [("（请选择）", None)] + [(t, i) for i, t in members]),
                       required=True)
        self.fields["member_id"].setEditable(True)
        self.fields["member_id"].setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.add_field("work_unit", "工作单位", _line("work_unit", "如：包河区财政局", 60), required=True)
        self.add_field("unit_kind", "单位类型", _combo("unit_kind", [(label, code) for code, label in vocab.UNIT_KINDS.items()]))
        self.add_field("unit_party_org", "单位党组织", _line("unit_party_org", "如：包河区财政局机关党委", 60))
        self._add_place(community_required=True)
        self.add_field("reported_on", "报到日期", _date("reported_on", self.today, self.today), required=True)
        self.add_field("skills", "特长", _line("skills", "如：法律咨询、水电维修", 60))
        posts = list(vocab.POSTS) + [p for p in (values or {}).get("posts", []) if p not in vocab.POSTS]
        self.add_field("posts", "认领岗位", _check_list("posts", [(p, p) for p in posts],
                                                    set((values or {}).get("posts", [])), rows=5))
        self._layout()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 38)
        if values:
            self._fill(values)
        self.recheck()

    def _fill(self, values: dict[str, Any]) -> None:
        self._filling = True
        member = self.fields["member_id"]
        member.setCurrentIndex(max(0, member.findData(values["member_id"])))
        member.setEnabled(False)
        self.fields["work_unit"].setText(values["work_unit"])
        self.fields["unit_kind"].setCurrentIndex(max(0, self.fields["unit_kind"].findData(values["unit_kind"])))
        self.fields["unit_party_org"].setText(values["unit_party_org"])
        community = self.fields["community_id"]
        community.setCurrentIndex(max(0, community.findData(values["community_id"])))
        self._community_changed(keep=values["estate_id"])
        day = values["reported_on"]
        self.fields["reported_on"].setDate(QDate(day.year, day.month, day.day))
        self.fields["skills"].setText(values["skills"])
        self._filling = False

    def raw(self) -> dict[str, Any]:
        raw = {name: self.value(name) for name in ("member_id", "work_unit", "unit_kind", "unit_party_org",
                                                    "community_id", "estate_id", "reported_on", "skills")}
        raw["posts"] = checked_data(self.fields["posts"])
        return raw

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return _check(lambda: reporting.check_registration(raw, today=self.today,
                                                           existing_id=self.registration_id))

    def commit(self, raw: dict[str, Any]) -> int:
        if self.registration_id:
            reporting.update_registration(self.registration_id, raw, today=self.today)
            return self.registration_id
        return reporting.register_member(raw, today=self.today)


class OrderDialog(_PlaceFields, FormDialog):
    """居民点单: what the resident needs, where, who asked, and the 微心愿 or matter it comes from."""

    def __init__(self, parent: QWidget | None = None, *, today: dt.date | None = None):
        super().__init__(parent, "居民点单", today=today)
        self.setObjectName("orderDialog")
        self.add_field("content", "需求内容", _text_box("content", "居民需要什么帮助"), required=True)
        category = _combo("category", [("", None)] + [(c, c) for c in vocab.NEED_CATEGORIES])
        category.setEditable(True)
        self.add_field("category", "需求类别", category)
        self._add_place(community_required=False)
        self.add_field("resident_name", "点单居民", _line("resident_name", "如：赵奶奶", 40))
        self.add_field("resident_phone", "联系电话", _line("resident_phone", "手机或座机", 20))
        self.add_field("matter_id", "来自事项", _combo("matter_id", [("（无）", None)] + [
            (t, i) for i, t in reporting.wish_choices()]))
        self.add_field("ordered_on", "点单日期", _date("ordered_on", self.today, self.today), required=True)
        self._layout()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 38)
        self.recheck()

    def raw(self) -> dict[str, Any]:
        raw = {name: self.value(name) for name in ("content", "community_id", "estate_id", "resident_name",
                                                    "resident_phone", "matter_id", "ordered_on")}
        raw["category"] = self.fields["category"].currentText()
        return raw

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return _check(lambda: reporting.check_order(raw, today=self.today))

    def commit(self, raw: dict[str, Any]) -> int:
        return reporting.place_order(raw, today=self.today)


class _StepDialog(FormDialog):
    """A step on one order: its number and need on top, the step's fields below."""

    def __init__(self, parent: QWidget | None, title: str, order_id: int, today: dt.date | None):
        super().__init__(parent, title, today=today)
        self.order_id = order_id
        self.order = reporting.order_row(order_id)
        self.header = QLabel(f"{self.order.number}　{self.order.content}", self)
        self.header.setObjectName("orderHeader")
        self.header.setWordWrap(True)
        self.grid.add("服务单", self.header)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 36)

    def commit(self, raw: dict[str, Any]) -> int:
        self.apply(raw)
        return self.order_id

    def apply(self, raw: dict[str, Any]) -> None:
        raise NotImplementedError


class AssignDialog(_StepDialog):
    """支部下单: the branch and the reporting members (those living in the order's community first)."""

    def __init__(self, parent: QWidget | None = None, *, order_id: int, today: dt.date | None = None):
        super().__init__(parent, "支部下单", order_id, today)
        self.setObjectName("assignDialog")
        self.add_field("branch_id", "下单支部", _combo("branch_id", [("（请选择）", None)] + [
            (n, i) for i, n in reporting.branch_choices()]), required=True)
        already = set(self.order.member_ids)
        near = {r.member_id for r in reporting.list_members(self.today.year, include_withdrawn=False)
                if self.order.community and r.community == self.order.community}
        choices = [(t, i) for i, t in reporting.reporting_member_choices() if i not in already]
        choices.sort(key=lambda c: c[1] not in near)
        self.add_field("member_ids", "接单党员", _check_list("member_ids", [
            (("★ " if i in near else "") + t, i) for t, i in choices], rows=8))
        self.add_field("on", "下单日期", _date("on", self.today, self.today), required=True)
        hint = QLabel("★ 表示在本社区报到的党员", self)
        hint.setProperty("role", "detail")
        self._layout(hint)
        self.recheck()

    def raw(self) -> dict[str, Any]:
        return {"branch_id": self.value("branch_id"), "member_ids": checked_data(self.fields["member_ids"]),
                "on": self.value("on")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        errors = {}
        if raw["branch_id"] is None:
            errors["branch_id"] = "请选择下单的党支部。"
        if not raw["member_ids"]:
            errors["member_ids"] = "请至少选择一名接单的报到党员。"
        return FormCheck(values=raw, errors=errors)

    def apply(self, raw: dict[str, Any]) -> None:
        reporting.assign_order(self.order_id, raw["branch_id"], raw["member_ids"], raw["on"], today=self.today)


class AcceptDialog(_StepDialog):
    """党员接单: which of the assigned members accepted."""

    def __init__(self, parent: QWidget | None = None, *, order_id: int, today: dt.date | None = None):
        super().__init__(parent, "党员接单", order_id, today)
        self.setObjectName("acceptDialog")
        names = dict(reporting.reporting_member_choices())
        waiting = [m for m in self.order.member_ids if m not in self.order.accepted_ids]
        self.add_field("member_ids", "接单党员", _check_list("member_ids", [
            (names.get(m, str(m)), m) for m in waiting], set(waiting), rows=4))
        self.add_field("on", "接单日期", _date("on", self.today, self.today), required=True)
        self._layout()
        self.recheck()

    def raw(self) -> dict[str, Any]:
        return {"member_ids": checked_data(self.fields["member_ids"]), "on": self.value("on")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return FormCheck(values=raw, errors={} if raw["member_ids"] else {"member_ids": "请选择接单的党员。"})

    def apply(self, raw: dict[str, Any]) -> None:
        reporting.accept_order(self.order_id, raw["member_ids"], raw["on"], today=self.today)


class CompleteDialog(_StepDialog):
    """完成: the day, the minutes each member served, the resident's evaluation, the result."""

    def __init__(self, parent: QWidget | None = None, *, order_id: int, today: dt.date | None = None):
        super().__init__(parent, "完成服务", order_id, today)
        self.setObjectName("completeDialog")
        self.add_field("on", "完成日期", _date("on", self.today, self.today), required=True)
        minutes = QSpinBox()
        minutes.setObjectName("minutes")
        minutes.setRange(0, 24 * 60)
        minutes.setSingleStep(30)
        minutes.setSuffix(" 分钟")
        minutes.setValue(60)
        minutes.valueChanged.connect(lambda _v: self._filling or (self.touched.add("minutes"), self.recheck()))
        self.add_field("minutes", "每人服务时长", minutes, required=True)
        self.add_field("evaluation", "居民评价", _combo("evaluation", [("（请选择）", None)] + [
            (label, code) for code, label in vocab.EVALUATIONS.items()]), required=True)
        self.add_field("result", "服务结果", _text_box("result", "做了什么，问题是否解决", lines=2))
        self._layout()
        self.recheck()

    def raw(self) -> dict[str, Any]:
        return {"on": self.value("on"), "minutes": self.fields["minutes"].value(),
                "evaluation": self.value("evaluation"), "result": self.value("result")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        errors = {}
        if raw["minutes"] <= 0:
            errors["minutes"] = "服务时长必须大于 0 分钟。"
        if raw["evaluation"] is None:
            errors["evaluation"] = "请选择居民评价。"
        return FormCheck(values=raw, errors=errors)

    def apply(self, raw: dict[str, Any]) -> None:
        reporting.complete_order(self.order_id, raw["on"], raw["minutes"], raw["evaluation"], raw["result"],
                                 today=self.today)


class CancelDialog(_StepDialog):
    """取消: the need went away."""

    def __init__(self, parent: QWidget | None = None, *, order_id: int, today: dt.date | None = None):
        super().__init__(parent, "取消服务单", order_id, today)
        self.setObjectName("cancelDialog")
        self.add_field("on", "取消日期", _date("on", self.today, self.today), required=True)
        self.add_field("reason", "取消原因", _line("reason", "如：居民已自行解决", 60), required=True)
        self._layout()
        self.recheck()

    def raw(self) -> dict[str, Any]:
        return {"on": self.value("on"), "reason": self.value("reason")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return FormCheck(values=raw, errors={} if raw["reason"].strip() else {"reason": "请写明取消的原因。"})

    def apply(self, raw: dict[str, Any]) -> None:
        reporting.cancel_order(self.order_id, raw["on"], raw["reason"], today=self.today)


__all__ = ["AcceptDialog", "AssignDialog", "CancelDialog", "CompleteDialog", "OrderDialog", "RegisterDialog",
           "checked_data", "set_checked"]
