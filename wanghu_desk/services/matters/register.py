"""The register of matters (事项): the form check, creating a matter (its number, its
deadline and its first step), categories, the list and one matter's detail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import Branch, Building, Estate, Matter, MatterCategory, MatterEscalation, MatterStep
from wanghu_desk import pinyin, validation
from wanghu_desk.errors import ValidationError
from wanghu_desk.services.base import current_actor, snapshot, writing
from wanghu_desk.services.matters import vocab
from wanghu_desk.services.matters._common import (
    _CONTENT_LIMIT,
    _NAME_LIMIT,
    _TEXT_LIMIT,
    as_date,
    get_matter,
    shown_phone,
)
from wanghu_desk.services.matters.deadlines import deadline_after, deadline_rule
from wanghu_desk.services.volunteers._common import FormCheck

MATTER_LABELS = {
    "kind": "事项类型", "category_id": "类别", "source": "来源", "estate_id": "小区", "building_id": "楼栋",
    "grid": "网格", "raiser_name": "反映人", "raiser_phone": "联系电话", "content": "事项内容",
    "received_on": "受理日期", "level": "办理层级", "external_no": "工单编号", "note": "备注",
}  # fmt: skip


# ---------------------------------------------------------------- categories


@dataclass(frozen=True)
class CategoryChoice:
    id: int
    kind: str
    name: str
    domain: str
    deadline: tuple[int, str]


def category_choices(kind: str | None = None, *, include_inactive: bool = False) -> list[CategoryChoice]:
    query = MatterCategory.select().order_by(MatterCategory.kind, MatterCategory.sort_order, MatterCategory.id)
    if kind is not None:
        query = query.where(MatterCategory.kind == kind)
    if not include_inactive:
        query = query.where(MatterCategory.is_active == True)  # noqa: E712
    return [
        CategoryChoice(c.id, c.kind, c.name, c.domain or "", deadline_rule(c.kind, c.deadline_amount, c.deadline_unit))
        for c in query
    ]


def set_category_deadline(category_id: int, amount: int | None, unit: str | None) -> None:
    """A category's own deadline (None: the kind's setting)."""
    category = MatterCategory.get_or_none(MatterCategory.id == category_id)
    if category is None:
        raise ValidationError("找不到这个类别。请刷新后重试。")
    if amount is not None and (amount < 0 or unit not in vocab.DEADLINE_UNITS):
        raise ValidationError("办理时限请写成天数、工作日数或月数（不小于 0）。")
    with writing("matter_category.deadline") as tx:
        before = {"deadline_amount": category.deadline_amount, "deadline_unit": category.deadline_unit}
        category.deadline_amount, category.deadline_unit = amount, unit if amount is not None else None
        category.save()
        tx.audit("matter_category", category.id, "update", before=before,
                 after={"deadline_amount": amount, "deadline_unit": category.deadline_unit})


def deadline_for(kind: str, category_id: int | None, received: dt.date) -> dt.date:
    amount = unit = None
    if category_id is not None:
        category = MatterCategory.get_or_none(MatterCategory.id == category_id)
        if category is not None:
            amount, unit = category.deadline_amount, category.deadline_unit
    rule = deadline_rule(kind, amount, unit)
    return deadline_after(received, *rule)


# ---------------------------------------------------------------- the form


def _text(raw: object, limit: int, check: FormCheck, key: str) -> str | None:
    text = validation.clean_text(raw)
    if text is not None and len(text) > limit:
        check.errors[key] = f"{MATTER_LABELS.get(key, key)}太长（{len(text)} 个字），最多 {limit} 个字。"
        return None
    return text


def _int(raw: object) -> int | None:
    if raw in (None, "", False):
        return None
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def check_date(raw: object, label: str, today: dt.date, check: FormCheck, key: str) -> dt.date | None:
    if isinstance(raw, dt.date):
        value: dt.date | None = raw if not isinstance(raw, dt.datetime) else raw.date()
    else:
        checked = validation.parse_date(raw)
        if checked.errors:
            check.errors[key] = checked.errors[0].message
            return None
        value = checked.value
    if value is None:
        check.errors[key] = f"请填写{label}。"
        return None
    if value > today:
        check.errors[key] = f"{label}晚于今天（{value.isoformat()}），请核对。"
        return None
    return value


def check_matter(raw: Mapping[str, Any], *, today: dt.date | None = None) -> FormCheck:
    """Check a new matter's form: the same rules for the dialog, the service and the importer."""
    today = today or dt.date.today()
    check = FormCheck()
    v = check.values
    kind = raw.get("kind")
    if kind not in vocab.KINDS:
        check.errors["kind"] = "请选择事项类型（社情民意、议事协商、矛盾调解、扫码报事或微心愿）。"
    v["kind"] = kind
    category_id = _int(raw.get("category_id"))
    if category_id is not None:
        category = MatterCategory.get_or_none(MatterCategory.id == category_id)
        if category is None:
            check.errors["category_id"] = "找不到这个类别，请重新选择。"
        elif kind in vocab.KINDS and category.kind != kind:
            check.errors["category_id"] = f"「{category.name}」不是{vocab.KINDS[kind]}的类别，请重新选择。"
    v["category_id"] = category_id
    source = raw.get("source") or None
    if source is not None and source not in vocab.SOURCES:
        check.errors["source"] = "请从列表中选择来源。"
    v["source"] = source
    estate_id, building_id = _int(raw.get("estate_id")), _int(raw.get("building_id"))
    if estate_id is not None and Estate.get_or_none(Estate.id == estate_id) is None:
        check.errors["estate_id"] = "找不到这个小区，请重新选择。"
    if building_id is not None:
        building = Building.get_or_none(Building.id == building_id)
        if building is None:
            check.errors["building_id"] = "找不到这个楼栋，请重新选择。"
        elif estate_id is None:
            estate_id = building.estate_id
        elif building.estate_id != estate_id:
            check.errors["building_id"] = "这个楼栋不在所选小区，请重新选择。"
    v["estate_id"], v["building_id"] = estate_id, building_id
    v["grid"] = _text(raw.get("grid"), _NAME_LIMIT, check, "grid")
    v["raiser_name"] = _text(raw.get("raiser_name"), _NAME_LIMIT, check, "raiser_name")
    phone = validation.validate_phone(raw.get("raiser_phone"))
    if phone.errors:
        check.errors["raiser_phone"] = phone.errors[0].message
    elif phone.warnings:
        check.warnings["raiser_phone"] = phone.warnings[0].message
    v["raiser_phone"] = phone.value
    content = _text(raw.get("content"), _CONTENT_LIMIT, check, "content")
    if content is None and "content" not in check.errors:
        check.errors["content"] = "请填写事项内容：居民反映了什么。"
    v["content"] = content
    v["received_on"] = check_date(raw.get("received_on"), "受理日期", today, check, "received_on")
    level = raw.get("level") or "estate"
    if level not in vocab.LEVELS:
        check.errors["level"] = "办理层级只能是小区、社区或街道。"
    v["level"] = level
    external = _text(raw.get("external_no"), _NAME_LIMIT, check, "external_no")
    if external is not None and Matter.select().where(Matter.external_no == external).exists():
        check.errors["external_no"] = f"工单编号 {external} 已经登记过，不要重复登记。"
    v["external_no"] = external
    v["note"] = _text(raw.get("note"), _TEXT_LIMIT, check, "note")
    if v["received_on"] is not None and kind in vocab.KINDS and "category_id" not in check.errors:
        v["deadline_on"] = deadline_for(kind, category_id, v["received_on"])
    return check


def _refuse(check: FormCheck) -> None:
    first = check.first_error()
    if first:
        key, message = first
        raise ValidationError(f"{MATTER_LABELS.get(key, key)}：{message}", field=key)


def next_number(kind: str, year: int) -> tuple[int, str]:
    last = Matter.select(pw.fn.MAX(Matter.seq)).where((Matter.year == year) & (Matter.kind == kind)).scalar() or 0
    seq = int(last) + 1
    return seq, f"{vocab.KIND_PREFIX[kind]}{year}-{seq:04d}"


def create_matter(raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    """Register a matter: numbered per kind and year, its deadline from the settings, and its
    first step (受理 / 居民提事 / 收集) on the received date."""
    check = check_matter(raw, today=today)
    _refuse(check)
    v = check.values
    with writing("matter.create") as tx:
        seq, number = next_number(v["kind"], v["received_on"].year)
        first = vocab.steps_of(v["kind"])[0]
        matter = Matter.create(
            year=v["received_on"].year, seq=seq, number=number, state=first.code, **{
                k: v[k] for k in ("kind", "category_id", "source", "estate_id", "building_id", "grid", "raiser_name",
                                  "raiser_phone", "content", "received_on", "deadline_on", "level", "external_no",
                                  "note")
            },
        )
        step = MatterStep.create(matter=matter, step=first.code, step_on=v["received_on"],
                                 created_by=tx.actor.username)
        tx.audit("matter", matter.id, "create", after=snapshot(matter))
        tx.audit("matter_step", step.id, "create", after=snapshot(step))
    return matter.id


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class MatterRow:
    id: int
    number: str
    external_no: str
    kind: str
    kind_label: str
    category: str
    source_label: str
    estate_id: int | None
    estate: str
    building: str
    grid: str
    raiser_name: str
    raiser_phone: str  # masked for non-admins
    content: str
    received_on: dt.date
    deadline_on: dt.date | None
    level: str
    level_label: str
    state: str
    state_label: str
    closed: bool
    closed_on: dt.date | None
    overdue: bool  # open past its deadline
    late: bool  # settled after its deadline
    evaluation_label: str
    handler: str
    claimant: str
    result: str
    escalated: bool
    search_text: str


def _names() -> tuple[dict[int, str], dict[int, str], dict[int, tuple[int, str]], dict[int, str]]:
    categories = dict(MatterCategory.select(MatterCategory.id, MatterCategory.name).tuples())
    estates = dict(Estate.select(Estate.id, Estate.name).tuples())
    buildings = {b: (e, n) for b, e, n in Building.select(Building.id, Building.estate, Building.number).tuples()}
    branches = dict(Branch.select(Branch.id, Branch.name).tuples())
    return categories, estates, buildings, branches


def handler_text(branch: str, members: str | None, unit: str | None) -> str:
    return "、".join(p for p in (branch, members or "", unit or "") if p)


def claimant_text(kind: str | None, name: str | None) -> str:
    if not name:
        return ""
    return f"{name}（{vocab.label(vocab.CLAIMANT_KINDS, kind)}）" if kind else name


def _row(m: Matter, names, escalated: set[int], today: dt.date) -> MatterRow:
    categories, estates, buildings, branches = names
    received = as_date(m.received_on)
    deadline = as_date(m.deadline_on)
    closed_on = as_date(m.closed_on)
    closed = closed_on is not None
    estate = estates.get(m.estate_id, "") if m.estate_id else ""
    building = buildings.get(m.building_id, (None, ""))[1] if m.building_id else ""
    raiser = m.raiser_name or ""
    category = categories.get(m.category_id, "") if m.category_id else ""
    handler = handler_text(branches.get(m.handler_branch_id, "") if m.handler_branch_id else "",
                           m.handler_members, m.handler_unit)
    hay = " ".join(p for p in (m.number, m.external_no or "", m.content, raiser, pinyin.initials(raiser), estate,
                               pinyin.initials(estate), building, category, m.grid or "", m.claimant_name or "") if p)
    return MatterRow(
        id=m.id, number=m.number, external_no=m.external_no or "", kind=m.kind,
        kind_label=vocab.label(vocab.KINDS, m.kind), category=category,
        source_label=vocab.label(vocab.SOURCES, m.source), estate_id=m.estate_id, estate=estate, building=building,
        grid=m.grid or "", raiser_name=raiser, raiser_phone=shown_phone(m.raiser_phone), content=m.content,
        received_on=received, deadline_on=deadline, level=m.level, level_label=vocab.label(vocab.LEVELS, m.level),
        state=m.state, state_label=vocab.state_label(m.kind, m.state), closed=closed, closed_on=closed_on,
        overdue=not closed and deadline is not None and deadline < today,
        late=closed and deadline is not None and closed_on > deadline,
        evaluation_label=vocab.label(vocab.EVALUATIONS, m.evaluation), handler=handler,
        claimant=claimant_text(m.claimant_kind, m.claimant_name), result=m.result or "",
        escalated=m.id in escalated, search_text=hay,
    )


def list_matters(*, today: dt.date | None = None, kind: str | None = None) -> list[MatterRow]:
    """Every matter (newest first), with its state, deadline and whether it is overdue."""
    today = today or dt.date.today()
    names = _names()
    escalated = set(MatterEscalation.select(MatterEscalation.matter).distinct().tuples().iterator())
    escalated = {e[0] if isinstance(e, tuple) else e for e in escalated}
    query = Matter.select().order_by(Matter.received_on.desc(), Matter.id.desc())
    if kind is not None:
        query = query.where(Matter.kind == kind)
    return [_row(m, names, escalated, today) for m in query]


def matter_row(matter_id: int, *, today: dt.date | None = None) -> MatterRow:
    m = get_matter(matter_id)
    escalated = set(MatterEscalation.select(MatterEscalation.matter).where(MatterEscalation.matter == m.id)
                    .tuples().iterator())
    return _row(m, _names(), {m.id} if escalated else set(), today or dt.date.today())


# ---------------------------------------------------------------- one matter


@dataclass(frozen=True)
class TimelineEntry:
    on: dt.date
    title: str  # 受理, 民主定事, 上报至社区 …
    text: str  # participants, decision, result … in one line each
    undone: bool
    undone_reason: str
    kind: str  # step | escalation | reopen


@dataclass(frozen=True)
class MatterDetail:
    row: MatterRow
    note: str
    handler_branch_id: int | None
    next_step: vocab.StepSpec | None
    timeline: list[TimelineEntry]
    steps_done: list[str]  # codes of the steps in force, in order


def _step_text(step: MatterStep) -> str:
    parts = []
    if step.participants:
        parts.append(f"参加：{step.participants}")
    if step.decision:
        parts.append(f"决定：{step.decision}")
    if step.votes_for is not None or step.votes_against is not None or step.votes_abstain is not None:
        parts.append(f"表决：同意 {step.votes_for or 0}，反对 {step.votes_against or 0}，弃权 {step.votes_abstain or 0}")
    if step.note:
        parts.append(step.note)
    return "\n".join(parts)


def matter_detail(matter_id: int, *, today: dt.date | None = None) -> MatterDetail:
    m = get_matter(matter_id)
    row = matter_row(matter_id, today=today)
    entries: list[tuple[tuple, TimelineEntry]] = []
    done: list[str] = []
    for step in MatterStep.select().where(MatterStep.matter == m.id).order_by(MatterStep.id):
        try:
            spec = vocab.step_spec(m.kind, step.step)
            title = spec.label
        except KeyError:
            title = step.step
        undone = step.undone_at is not None
        if not undone:
            done.append(step.step)
        extra = _step_extra(m, step.step) if not undone else ""
        text = "\n".join(p for p in (_step_text(step), extra) if p)
        entries.append(((as_date(step.step_on), 0, step.id), TimelineEntry(
            as_date(step.step_on), title, text, undone, step.undone_reason or "", "step")))
    for esc in MatterEscalation.select().where(MatterEscalation.matter == m.id).order_by(MatterEscalation.id):
        entries.append(((as_date(esc.escalated_on), 1, esc.id), TimelineEntry(
            as_date(esc.escalated_on),
            f"由{vocab.label(vocab.LEVELS, esc.from_level)}上报至{vocab.label(vocab.LEVELS, esc.to_level)}",
            f"原因：{esc.reason}", False, "", "escalation")))
    entries.sort(key=lambda e: e[0])
    return MatterDetail(
        row=row, note=m.note or "", handler_branch_id=m.handler_branch_id,
        next_step=vocab.next_step(m.kind, m.state), timeline=[e for _k, e in entries], steps_done=done,
    )


def _step_extra(m: Matter, code: str) -> str:
    """What the matter holds from a step (the handler of 分派, the result of 办理 …)."""
    if code in ("assign", "act"):
        branch = Branch.get_or_none(Branch.id == m.handler_branch_id) if m.handler_branch_id else None
        who = handler_text(branch.name if branch else "", m.handler_members, m.handler_unit)
        text = f"承办：{who}" if who else ""
        if code == "act" and m.result:
            text += ("\n" if text else "") + f"结果：{m.result}"
        return text
    if code in ("handle", "fulfil") and m.result:
        return f"结果：{m.result}"
    if code in ("evaluate", "review") and m.evaluation:
        return f"评价：{vocab.label(vocab.EVALUATIONS, m.evaluation)}"
    if code == "claim" and m.claimant_name:
        return f"认领：{claimant_text(m.claimant_kind, m.claimant_name)}"
    return ""


def current_actor_is_admin() -> bool:
    return current_actor().is_admin


# ---------------------------------------------------------------- choices for the forms


@dataclass(frozen=True)
class PlaceChoice:
    id: int
    name: str
    buildings: tuple[tuple[int, str], ...]


def place_choices() -> list[PlaceChoice]:
    """Estates (in the organisation's order) with their buildings, for the matter form."""
    buildings: dict[int, list[tuple[int, str]]] = {}
    for b_id, e_id, number in Building.select(Building.id, Building.estate, Building.number).order_by(
            Building.estate, Building.id).tuples():
        buildings.setdefault(e_id, []).append((b_id, number))
    return [PlaceChoice(e_id, name, tuple(buildings.get(e_id, ())))
            for e_id, name in Estate.select(Estate.id, Estate.name).order_by(Estate.sort_order, Estate.id).tuples()]


def branch_choices() -> list[tuple[int, str]]:
    """Standing branches, for 承办党支部."""
    return list(Branch.select(Branch.id, Branch.name).where(Branch.status == "active")
                .order_by(Branch.sort_order, Branch.id).tuples())
