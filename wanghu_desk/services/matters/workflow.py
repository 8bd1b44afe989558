"""The workflow: one step at a time in the order `vocab.WORKFLOWS` gives, never skipped,
never undone except by an administrator's audited reopen; escalations up the levels.

Every refusal is a `ValidationError` with a Chinese message naming the step that is due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from models import Branch, Matter, MatterEscalation, MatterStep
from wanghu_desk import validation
from wanghu_desk.errors import ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.matters import vocab
from wanghu_desk.services.matters._common import _NAME_LIMIT, _TEXT_LIMIT, as_date, get_matter, now_text
from wanghu_desk.services.matters.register import check_date
from wanghu_desk.services.volunteers._common import FormCheck

STEP_LABELS = {
    "step": "步骤", "step_on": "日期", "participants": "参加人员", "decision": "决定事项", "votes": "表决",
    "handler": "承办", "handler_branch_id": "承办党支部", "handler_members": "承办党员", "handler_unit": "共建单位",
    "result": "办理结果", "evaluation": "居民评价", "claimant_kind": "认领方", "claimant_name": "认领人",
    "note": "说明",
}  # fmt: skip

_LONG_LIMIT = 1000


def _text(raw: object, limit: int, check: FormCheck, key: str) -> str | None:
    text = validation.clean_text(raw)
    if text is not None and len(text) > limit:
        check.errors[key] = f"{STEP_LABELS.get(key, key)}太长（{len(text)} 个字），最多 {limit} 个字。"
        return None
    return text


def _votes(raw: object, check: FormCheck, key: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        check.errors["votes"] = "票数请写整数，如 23。"
        return None
    if value < 0:
        check.errors["votes"] = "票数不能是负数。"
        return None
    return value


def _last_date(matter: Matter) -> dt.date:
    last = (MatterStep.select(MatterStep.step_on).where((MatterStep.matter == matter.id)
            & MatterStep.undone_at.is_null()).order_by(MatterStep.step_on.desc()).scalar())
    return as_date(last) or as_date(matter.received_on)


def check_step(matter_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> FormCheck:
    """Check the form of the step due next on a matter. `raw["step"]`, when given, must be it."""
    today = today or dt.date.today()
    matter = get_matter(matter_id)
    check = FormCheck()
    v = check.values
    due = vocab.next_step(matter.kind, matter.state)
    if due is None:
        done = vocab.steps_of(matter.kind)[-1].label
        check.errors["step"] = f"这个事项已经{done}，不能再办理。如需更正，请管理员「重新打开」。"
        return check
    asked = raw.get("step") or due.code
    if asked != due.code:
        try:
            asked_label = vocab.step_spec(matter.kind, asked).label
        except KeyError:
            asked_label = str(asked)
        codes = [s.code for s in vocab.steps_of(matter.kind)]
        if asked in codes and codes.index(asked) < codes.index(matter.state) + 1:
            check.errors["step"] = f"「{asked_label}」已经办过，不能重复或撤回；如需更正，请管理员「重新打开」。"
        else:
            check.errors["step"] = f"不能跳过步骤：现在应当先「{due.label}」，再「{asked_label}」。"
        return check
    v["step"] = due.code
    day = check_date(raw.get("step_on"), f"{due.label}日期", today, check, "step_on")
    if day is not None:
        last = _last_date(matter)
        if day < last:
            check.errors["step_on"] = f"{due.label}日期不能早于上一步的日期（{last.isoformat()}）。"
    v["step_on"] = day
    wanted = set(due.needs) | set(due.offers)
    if "participants" in wanted:
        v["participants"] = _text(raw.get("participants"), _TEXT_LIMIT, check, "participants")
        if "participants" in due.needs and v["participants"] is None and "participants" not in check.errors:
            check.errors["participants"] = "请填写参加人员，如：小区党支部、业委会、物业、居民代表。"
    if "decision" in wanted:
        v["decision"] = _text(raw.get("decision"), _LONG_LIMIT, check, "decision")
        if "decision" in due.needs and v["decision"] is None and "decision" not in check.errors:
            check.errors["decision"] = "请写明民主定事的结果：表决票数或达成的协议。"
    if "votes" in wanted:
        v["votes_for"] = _votes(raw.get("votes_for"), check, "votes_for")
        v["votes_against"] = _votes(raw.get("votes_against"), check, "votes_against")
        v["votes_abstain"] = _votes(raw.get("votes_abstain"), check, "votes_abstain")
    if "handler" in wanted:
        branch_id = raw.get("handler_branch_id") or None
        if branch_id is not None and Branch.get_or_none(Branch.id == int(branch_id)) is None:
            check.errors["handler_branch_id"] = "找不到这个党支部，请重新选择。"
        v["handler_branch_id"] = int(branch_id) if branch_id else None
        v["handler_members"] = _text(raw.get("handler_members"), _NAME_LIMIT * 3, check, "handler_members")
        v["handler_unit"] = _text(raw.get("handler_unit"), _NAME_LIMIT * 2, check, "handler_unit")
        if "handler" in due.needs and not (v["handler_branch_id"] or v["handler_members"] or v["handler_unit"]):
            check.errors.setdefault("handler", "请至少填写一个承办方：党支部、党员或共建单位。")
    if "result" in wanted:
        v["result"] = _text(raw.get("result"), _LONG_LIMIT, check, "result")
        if "result" in due.needs and v["result"] is None and "result" not in check.errors:
            check.errors["result"] = "请填写办理结果：做了什么、解决到什么程度。"
    if "evaluation" in wanted:
        evaluation = vocab.code_for(vocab.EVALUATIONS, raw.get("evaluation"), vocab.EVALUATION_SYNONYMS)
        if evaluation is None:
            check.errors["evaluation"] = "请选择居民评价：满意、基本满意或不满意。"
        v["evaluation"] = evaluation
    if "claimant" in wanted:
        kind = raw.get("claimant_kind") or None
        if kind not in vocab.CLAIMANT_KINDS:
            check.errors["claimant_kind"] = "请选择认领方：党员、共建单位或志愿服务队。"
        v["claimant_kind"] = kind
        v["claimant_name"] = _text(raw.get("claimant_name"), _NAME_LIMIT * 2, check, "claimant_name")
        if v["claimant_name"] is None and "claimant_name" not in check.errors:
            check.errors["claimant_name"] = "请填写认领的党员、单位或服务队的名称。"
    v["note"] = _text(raw.get("note"), _LONG_LIMIT, check, "note") if "note" in wanted else None
    return check


def _refuse(check: FormCheck) -> None:
    first = check.first_error()
    if first:
        key, message = first
        if key in ("step", "handler"):
            raise ValidationError(message, field=key)
        raise ValidationError(f"{STEP_LABELS.get(key, key)}：{message}", field=key)


def record_step(matter_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    """Record the step due next (checked by `check_step`); the last step settles the matter."""
    check = check_step(matter_id, raw, today=today)
    _refuse(check)
    v = check.values
    with writing("matter.step") as tx:
        matter = get_matter(matter_id)
        before = snapshot(matter)
        spec = vocab.step_spec(matter.kind, v["step"])
        step = MatterStep.create(
            matter=matter, step=spec.code, step_on=v["step_on"], participants=v.get("participants"),
            decision=v.get("decision"), votes_for=v.get("votes_for"), votes_against=v.get("votes_against"),
            votes_abstain=v.get("votes_abstain"), note=v.get("note"), created_by=tx.actor.username,
        )
        if "handler" in spec.needs or "handler" in spec.offers:
            matter.handler_branch = v["handler_branch_id"]
            matter.handler_members, matter.handler_unit = v["handler_members"], v["handler_unit"]
        if "result" in v and v["result"] is not None:
            matter.result = v["result"]
        if v.get("evaluation"):
            matter.evaluation = v["evaluation"]
        if v.get("claimant_kind"):
            matter.claimant_kind, matter.claimant_name = v["claimant_kind"], v["claimant_name"]
        matter.state = spec.code
        if vocab.is_closed_state(matter.kind, spec.code):
            matter.closed_on = v["step_on"]
        matter.updated_at = now_text()
        matter.save()
        tx.audit("matter_step", step.id, "create", after=snapshot(step))
        after = snapshot(matter)
        tx.audit("matter", matter.id, "step", before={k: before[k] for k in after if before[k] != after[k]},
                 after={k: after[k] for k in after if before[k] != after[k]}, note=spec.label)
    return step.id


def escalate(matter_id: int, to_level: str, on: Any, reason: object, *, today: dt.date | None = None) -> int:
    """Pass an open matter up to a higher level (小区 → 社区 → 街道), with the date and reason."""
    today = today or dt.date.today()
    matter = get_matter(matter_id)
    if matter.closed_on is not None:
        raise ValidationError("这个事项已经办结，不能再上报。如需更正，请管理员「重新打开」。")
    if to_level not in vocab.LEVELS:
        raise ValidationError("请选择上报到社区或街道。")
    current = vocab.LEVEL_ORDER.index(matter.level)
    if vocab.LEVEL_ORDER.index(to_level) <= current:
        if matter.level == "street":
            raise ValidationError("这个事项已经在街道办理，不能再上报。")
        raise ValidationError(f"事项现在在{vocab.LEVELS[matter.level]}办理，只能上报到更高一级。")
    check = FormCheck()
    day = check_date(on, "上报日期", today, check, "escalated_on")
    if day is None:
        raise ValidationError(check.errors["escalated_on"], field="escalated_on")
    if day < _last_date(matter):
        raise ValidationError(f"上报日期不能早于上一步的日期（{_last_date(matter).isoformat()}）。", field="escalated_on")
    text = validation.clean_text(reason)
    if not text:
        raise ValidationError("请写明上报的原因，如：涉及多个小区，需要社区协调。", field="reason")
    if len(text) > _TEXT_LIMIT:
        raise ValidationError(f"上报原因太长（{len(text)} 个字），最多 {_TEXT_LIMIT} 个字。", field="reason")
    with writing("matter.escalate") as tx:
        esc = MatterEscalation.create(matter=matter, from_level=matter.level, to_level=to_level,
                                      escalated_on=day, reason=text)
        before = matter.level
        matter.level = to_level
        matter.updated_at = now_text()
        matter.save()
        tx.audit("matter_escalation", esc.id, "create", after=snapshot(esc))
        tx.audit("matter", matter.id, "escalate", before={"level": before}, after={"level": to_level}, note=text)
    return esc.id


def reopen(matter_id: int, reason: object) -> str:
    """管理员重新打开: undo the last step (kept in the timeline, marked undone, audited).
    Returns the state the matter is back in."""
    text = validation.clean_text(reason)
    with writing("matter.reopen", permission="admin") as tx:
        matter = get_matter(matter_id)
        if not text:
            raise ValidationError("请写明重新打开的原因，如：居民评价登记错了。", field="reason")
        if len(text) > _TEXT_LIMIT:
            raise ValidationError(f"原因太长（{len(text)} 个字），最多 {_TEXT_LIMIT} 个字。", field="reason")
        steps = list(MatterStep.select().where((MatterStep.matter == matter.id) & MatterStep.undone_at.is_null())
                     .order_by(MatterStep.id))
        if len(steps) <= 1:
            raise ValidationError("这个事项刚刚登记，没有可以撤回的步骤。")
        last = steps[-1]
        spec = vocab.step_spec(matter.kind, last.step)
        before = snapshot(matter)
        last.undone_at, last.undone_reason = now_text(), text
        last.save()
        for name in spec.sets:
            setattr(matter, name, None)
        matter.state = steps[-2].step
        matter.updated_at = now_text()
        matter.save()
        after = snapshot(matter)
        tx.audit("matter_step", last.id, "undo", before={"undone_at": None}, after={"undone_at": last.undone_at},
                 note=text)
        tx.audit("matter", matter.id, "reopen", before={k: before[k] for k in after if before[k] != after[k]},
                 after={k: after[k] for k in after if before[k] != after[k]}, note=text)
    return matter.state
