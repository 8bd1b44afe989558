"""The dialogs of the 事项 tab: a new matter (`MatterDialog`), the step due next
(`StepDialog`, its fields chosen by the step: participants, decision and votes for
民主定事, the handler for 分派 / 协同办事, the evaluation for 评价 / 群众评事, the claimant
for 认领 …), passing a matter up a level (`EscalateDialog`) and an administrator's reopen
(`ReopenDialog`).

Each form is checked by the service's own check on every change (the same rules as
saving); 保存 stays disabled until it passes. `saved(int)` follows a successful save.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QLineEdit, QPlainTextEdit, QWidget

from ui.volunteer_dialogs import DATE_HINT, FormDialog
from wanghu_desk.services import matters
from wanghu_desk.services.matters import vocab
from wanghu_desk.services.volunteers import FormCheck


def _line(name: str, placeholder: str = "", max_length: int = 0) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    if max_length:
        edit.setMaxLength(max_length)
    return edit


def _combo(name: str, items: list[tuple[str, Any]]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setMaxVisibleItems(20)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def _date(name: str, day: dt.date, today: dt.date) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMaximumDate(QDate(today.year, today.month, today.day))
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def _text_box(name: str, placeholder: str, lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setMinimumHeight(box.fontMetrics().height() * lines + 12)
    box.setMaximumHeight(box.fontMetrics().height() * (lines + 2) + 12)
    return box


class MatterDialog(FormDialog):
    """登记事项: kind, category, source, place, who raised it, what, when, level."""

    def __init__(self, parent: QWidget | None = None, *, kind: str | None = None, today: dt.date | None = None):
        super().__init__(parent, "登记事项", today=today)
        self.setObjectName("matterDialog")
        self.add_field("kind", "事项类型", _combo("kind", [(label, code) for code, label in vocab.KINDS.items()]),
                       required=True)
        self.add_field("category_id", "类别", _combo("category_id", []))
        self.add_field("source", "来源", _combo("source", [("（不指定）", None)] +
                                               [(label, code) for code, label in vocab.SOURCES.items()]))
        self._places = matters.place_choices()
        self.add_field("estate_id", "小区", _combo("estate_id", [("（不指定）", None)] +
                                                 [(p.name, p.id) for p in self._places]))
        self.add_field("building_id", "楼栋", _combo("building_id", [("（不指定）", None)]))
        self.add_field("grid", "网格", _line("grid", "如：第3网格", 40))
        self.add_field("raiser_name", "反映人", _line("raiser_name", "姓名，或「3栋居民」", 40))
        self.add_field("raiser_phone", "联系电话", _line("raiser_phone", "手机或座机", 20))
        self.add_field("content", "事项内容", _text_box("content", "居民反映了什么、希望怎么解决"), required=True)
        self.add_field("received_on", "受理日期", _date("received_on", self.today, self.today), required=True)
        self.add_field("level", "办理层级", _combo("level", [(label, code) for code, label in vocab.LEVELS.items()]))
        self.add_field("external_no", "工单编号", _line("external_no", "扫码平台或 12345 的工单号（没有可不填）", 40))
        self.deadline_label = QLabel(self)
        self.deadline_label.setObjectName("deadlineHint")
        self.deadline_label.setProperty("role", "detail")
        self._layout(self.deadline_label)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 40)
        self.fields["kind"].currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.fields["estate_id"].currentIndexChanged.connect(lambda _i: self._estate_changed())
        self._filling = True
        if kind is not None:
            self.fields["kind"].setCurrentIndex(max(0, self.fields["kind"].findData(kind)))
        self._kind_changed()
        self._filling = False
        self.recheck()

    def _kind_changed(self) -> None:
        combo: QComboBox = self.fields["category_id"]
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("（不指定）", None)
        for c in matters.category_choices(self.fields["kind"].currentData()):
            combo.addItem(f"{c.domain}·{c.name}" if c.domain else c.name, c.id)
        combo.blockSignals(False)
        if not self._filling:
            self.recheck()

    def _estate_changed(self) -> None:
        combo: QComboBox = self.fields["building_id"]
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("（不指定）", None)
        estate = self.fields["estate_id"].currentData()
        for place in self._places:
            if place.id == estate:
                for b_id, number in place.buildings:
                    combo.addItem(number, b_id)
        combo.blockSignals(False)

    def raw(self) -> dict[str, Any]:
        return {name: self.value(name) for name in ("kind", "category_id", "source", "estate_id", "building_id",
                                                     "grid", "raiser_name", "raiser_phone", "content", "received_on",
                                                     "level", "external_no")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return matters.check_matter(raw, today=self.today)

    def after_check(self) -> None:
        deadline = self.check.values.get("deadline_on")
        self.deadline_label.setText(f"办结时限：{deadline.isoformat()}（按设置自动计算）" if deadline else "")

    def commit(self, raw: dict[str, Any]) -> int:
        return matters.create_matter(raw, today=self.today)


class StepDialog(FormDialog):
    """The step due next on one matter; only the fields that step asks for."""

    def __init__(self, parent: QWidget | None = None, *, matter_id: int, today: dt.date | None = None):
        self.matter_id = matter_id
        detail = matters.matter_detail(matter_id, today=today)
        self.detail = detail
        spec = detail.next_step
        self.spec = spec
        title = f"{spec.label}：{detail.row.number}" if spec else f"事项 {detail.row.number}"
        super().__init__(parent, title, today=today)
        self.setObjectName("stepDialog")
        intro = QLabel(f"{detail.row.kind_label} · {detail.row.content}", self)
        intro.setObjectName("stepIntro")
        intro.setWordWrap(True)
        intro.setProperty("role", "detail")
        if spec is None:
            self.show_banner("这个事项已经办结，不能再办理。")
            self._layout(intro)
            self.save_button.setEnabled(False)
            return
        wanted = set(spec.needs) | set(spec.offers)
        need = set(spec.needs)
        last = max([e.on for e in detail.timeline if not e.undone] or [self.today])
        self.add_field("step_on", f"{spec.label}日期", _date("step_on", max(last, min(self.today, self.today)),
                                                          self.today), required=True)
        if "participants" in wanted:
            default = vocab.THREE_PARTIES if spec.code in ("deliberate", "decide") else ""
            edit = self.add_field("participants", "参加人员", _line("participants", "如：" + vocab.THREE_PARTIES, 200),
                                  required="participants" in need)
            edit.setText(default)
        if "decision" in wanted:
            self.add_field("decision", "决定事项", _text_box("decision", "表决结果或达成的协议"),
                           required="decision" in need)
        if "votes" in wanted:
            for key, label in (("votes_for", "同意票"), ("votes_against", "反对票"), ("votes_abstain", "弃权票")):
                self.add_field(key, label, _line(key, "票数（没有表决可不填）", 6))
        if "handler" in wanted:
            self.add_field("handler_branch_id", "承办党支部", _combo("handler_branch_id", [("（不指定）", None)] + [
                (name, b_id) for b_id, name in matters.branch_choices()]))
            self.add_field("handler_members", "承办党员", _line("handler_members", "姓名，多人用顿号分开", 120))
            self.add_field("handler_unit", "共建单位", _line("handler_unit", "物业、共建单位或职能部门", 80))
            self.handler_message = QLabel(self)
            self.handler_message.setObjectName("message_handler")
            self.handler_message.setWordWrap(True)
            self.add_message("handler", self.fields["handler_unit"], self.handler_message)
            for name in ("handler_branch_id", "handler_members", "handler_unit"):
                self._watch("handler", self.fields[name])  # any of the three answers 承办
        if "result" in wanted:
            self.add_field("result", "办理结果", _text_box("result", "做了什么、解决到什么程度"), required="result" in need)
        if "evaluation" in wanted:
            self.add_field("evaluation", "居民评价", _combo("evaluation", [("（请选择）", None)] + [
                (label, code) for code, label in vocab.EVALUATIONS.items()]), required=True)
        if "claimant" in wanted:
            self.add_field("claimant_kind", "认领方", _combo("claimant_kind", [("（请选择）", None)] + [
                (label, code) for code, label in vocab.CLAIMANT_KINDS.items()]), required=True)
            self.add_field("claimant_name", "认领人或单位", _line("claimant_name", "党员姓名、单位或服务队名称", 80),
                           required=True)
        if "note" in wanted:
            self.add_field("note", "说明", _text_box("note", "可不填", 2))
        self._layout(*([self.handler_message] if "handler" in wanted else []))
        self.layout().insertWidget(0, intro)  # what the matter is, above its step's fields
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 40)
        self.recheck()

    def raw(self) -> dict[str, Any]:
        raw = {name: self.value(name) for name in self.fields}
        raw["step"] = self.spec.code if self.spec else None
        return raw

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        return matters.check_step(self.matter_id, raw, today=self.today)

    def commit(self, raw: dict[str, Any]) -> int:
        matters.record_step(self.matter_id, raw, today=self.today)
        return self.matter_id


class EscalateDialog(FormDialog):
    """上报: pass an open matter up to 社区 or 街道, with the date and the reason."""

    def __init__(self, parent: QWidget | None = None, *, matter_id: int, today: dt.date | None = None):
        self.matter_id = matter_id
        row = matters.matter_row(matter_id, today=today)
        super().__init__(parent, f"上报事项：{row.number}", today=today)
        self.setObjectName("escalateDialog")
        higher = vocab.LEVEL_ORDER[vocab.LEVEL_ORDER.index(row.level) + 1:]
        self.add_field("to_level", "上报至", _combo("to_level", [(vocab.LEVELS[lv], lv) for lv in higher]),
                       required=True)
        self.add_field("escalated_on", "上报日期", _date("escalated_on", self.today, self.today), required=True)
        self.add_field("reason", "上报原因", _line("reason", "如：涉及多个小区，需要社区协调", 200), required=True)
        note = QLabel(f"现在在{row.level_label}办理。小事不出小区、大事不出社区、难事不出街道。", self)
        note.setProperty("role", "detail")
        note.setWordWrap(True)
        self._layout(note)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 34)
        self.recheck()

    def raw(self) -> dict[str, Any]:
        return {name: self.value(name) for name in ("to_level", "escalated_on", "reason")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        check = FormCheck(values=dict(raw))
        if raw.get("to_level") is None:
            check.errors["to_level"] = "这个事项已经在街道办理，不能再上报。"
        if not (raw.get("reason") or "").strip():
            check.errors["reason"] = "请写明上报的原因。"
        return check

    def commit(self, raw: dict[str, Any]) -> int:
        matters.escalate(self.matter_id, raw["to_level"], raw["escalated_on"], raw["reason"], today=self.today)
        return self.matter_id


class ReopenDialog(FormDialog):
    """重新打开 (管理员): undo the last step, with the reason; the step stays in the timeline."""

    def __init__(self, parent: QWidget | None = None, *, matter_id: int, today: dt.date | None = None):
        self.matter_id = matter_id
        detail = matters.matter_detail(matter_id, today=today)
        super().__init__(parent, f"重新打开：{detail.row.number}", today=today)
        self.setObjectName("reopenDialog")
        last = next((e for e in reversed(detail.timeline) if e.kind == "step" and not e.undone), None)
        self.add_field("reason", "原因", _line("reason", "如：居民评价登记错了", 200), required=True)
        note = QLabel(f"将撤回最后一步「{last.title if last else ''}」。撤回的步骤保留在办理记录里，并记入操作日志。", self)
        note.setObjectName("reopenNote")
        note.setWordWrap(True)
        self._layout(note)
        self.save_button.setText("重新打开")
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中") * 34)
        self.recheck()

    def raw(self) -> dict[str, Any]:
        return {"reason": self.value("reason")}

    def run_check(self, raw: dict[str, Any]) -> FormCheck:
        check = FormCheck(values=dict(raw))
        if not (raw.get("reason") or "").strip():
            check.errors["reason"] = "请写明重新打开的原因。"
        return check

    def commit(self, raw: dict[str, Any]) -> int:
        matters.reopen(self.matter_id, raw["reason"])
        return self.matter_id


__all__ = ["DATE_HINT", "EscalateDialog", "MatterDialog", "ReopenDialog", "StepDialog"]
