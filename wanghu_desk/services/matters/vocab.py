"""The words of the matters register as data: kinds, sources, levels, evaluations, the
steps of each workflow with what every step asks for, and the default deadlines.

The database stores the codes; the labels are what a clerk reads. A matter's `state` is
the code of the last step done, so "what may come next" is one lookup in `WORKFLOWS`.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = {
    "opinion": "社情民意",
    "deliberation": "议事协商",
    "dispute": "矛盾调解",
    "qr_report": "扫码报事",
    "wish": "微心愿",
}
KIND_PREFIX = {"opinion": "SQ", "deliberation": "YS", "dispute": "TJ", "qr_report": "SM", "wish": "XY"}
KIND_SYNONYMS = {
    "社情": "opinion", "民意": "opinion", "投诉": "opinion", "意见建议": "opinion", "12345": "opinion",
    "议事": "deliberation", "协商": "deliberation", "调解": "dispute", "纠纷": "dispute",
    "扫码": "qr_report", "报事": "qr_report", "心愿": "wish",
}

SOURCES = {
    "phone": "来电",
    "visit": "来访",
    "grid": "网格员",
    "qr": "扫码",
    "online": "线上",
    "meeting": "会议",
    "hotline": "12345热线",
    "other": "其他",
}
SOURCE_SYNONYMS = {
    "电话": "phone", "来电反映": "phone", "上门": "visit", "来访反映": "visit", "网格": "grid",
    "网格员上报": "grid", "二维码": "qr", "扫码报事": "qr", "小程序": "online", "微信": "online",
    "网上": "online", "议事会": "meeting", "12345": "hotline", "热线": "hotline", "市长热线": "hotline",
}

LEVELS = {"estate": "小区", "community": "社区", "street": "街道"}
LEVEL_ORDER = ("estate", "community", "street")
LEVEL_SYNONYMS = {"小区层面": "estate", "片区": "estate", "社区层面": "community", "街道层面": "street"}

EVALUATIONS = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
EVALUATION_SYNONYMS = {
    "非常满意": "satisfied", "很满意": "satisfied", "满意度高": "satisfied", "较满意": "basic",
    "比较满意": "basic", "一般": "basic", "基本满意": "basic", "不太满意": "unsatisfied",
    "很不满意": "unsatisfied", "非常不满意": "unsatisfied",
}
#: Evaluations that count as satisfied in 满意率.
SATISFIED = ("satisfied", "basic")

CLAIMANT_KINDS = {"member": "党员", "unit": "共建单位", "team": "志愿服务队"}

DEADLINE_UNITS = {"day": "天", "workday": "个工作日", "month": "个月"}

#: Days to settle a matter of each kind, unless its category says otherwise (the setting
#: `matters.deadlines` replaces these: {"qr_report": [7, "day"], …}).
DEFAULT_DEADLINES: dict[str, tuple[int, str]] = {
    "opinion": (15, "day"),
    "deliberation": (3, "month"),
    "dispute": (30, "day"),
    "qr_report": (7, "day"),
    "wish": (1, "month"),
}


@dataclass(frozen=True)
class StepSpec:
    """One step: its name, the state it leaves the matter in, and what it asks for.

    `needs` are the fields the step's form requires; `offers` the optional ones.
    Fields: participants, decision, votes, handler, result, evaluation, claimant, note."""

    code: str
    label: str
    state_label: str
    needs: tuple[str, ...] = ()
    offers: tuple[str, ...] = ("note",)
    #: matter fields the step sets, cleared again when an admin reopens it
    sets: tuple[str, ...] = ()


_DEFAULT_STEPS = (
    StepSpec("accept", "受理", "已受理"),
    StepSpec("assign", "分派", "已分派", needs=("handler",), offers=("note",),
             sets=("handler_branch", "handler_members", "handler_unit")),
    StepSpec("handle", "办理", "已办理", needs=("result",), offers=("note",), sets=("result",)),
    StepSpec("feedback", "反馈", "已反馈", offers=("note",)),
    StepSpec("evaluate", "评价", "已评价", needs=("evaluation",), offers=("note",), sets=("evaluation",)),
    StepSpec("close", "办结", "已办结", offers=("note",), sets=("closed_on",)),
)
_DELIBERATION_STEPS = (
    StepSpec("raise", "居民提事", "已提事"),
    StepSpec("listen", "网格听事", "已听事", needs=("participants",), offers=("note",)),
    StepSpec("deliberate", "社区议事", "已议事", needs=("participants",), offers=("note",)),
    StepSpec("decide", "民主定事", "已定事", needs=("participants", "decision"), offers=("votes", "note")),
    StepSpec("act", "协同办事", "已办事", needs=("handler", "result"), offers=("participants", "note"),
             sets=("handler_branch", "handler_members", "handler_unit", "result")),
    StepSpec("review", "群众评事", "已评事", needs=("evaluation",), offers=("participants", "note"),
             sets=("evaluation", "closed_on")),
)
_WISH_STEPS = (
    StepSpec("collect", "收集", "待认领"),
    StepSpec("claim", "认领", "已认领", needs=("claimant",), offers=("note",), sets=("claimant_kind", "claimant_name")),
    StepSpec("fulfil", "完成", "已完成", offers=("result", "note"), sets=("result", "closed_on")),
)

WORKFLOWS: dict[str, tuple[StepSpec, ...]] = {
    "opinion": _DEFAULT_STEPS,
    "dispute": _DEFAULT_STEPS,
    "qr_report": _DEFAULT_STEPS,
    "deliberation": _DELIBERATION_STEPS,
    "wish": _WISH_STEPS,
}

#: 民主定事 suggests the 3+X parties (支部、业委会、物业 and residents' representatives).
THREE_PARTIES = "小区党支部、业委会、物业、居民代表"

#: The 微心愿 board's three columns, by state.
BOARD_COLUMNS = (("collect", "待认领"), ("claim", "已认领"), ("fulfil", "已完成"))


def steps_of(kind: str) -> tuple[StepSpec, ...]:
    return WORKFLOWS[kind]


def step_spec(kind: str, code: str) -> StepSpec:
    for spec in WORKFLOWS[kind]:
        if spec.code == code:
            return spec
    raise KeyError(code)


def next_step(kind: str, state: str) -> StepSpec | None:
    """The one step allowed after `state`, None when the matter is settled."""
    steps = WORKFLOWS[kind]
    codes = [s.code for s in steps]
    at = codes.index(state)
    return steps[at + 1] if at + 1 < len(steps) else None


def is_closed_state(kind: str, state: str) -> bool:
    return WORKFLOWS[kind][-1].code == state


def state_label(kind: str, state: str) -> str:
    try:
        return step_spec(kind, state).state_label
    except KeyError:
        return state


def label(vocab: dict[str, str], code: str | None) -> str:
    return "" if code is None else vocab.get(code, code)


def code_for(vocab: dict[str, str], text: object, synonyms: dict[str, str] | None = None) -> str | None:
    """The code for a code, a label or a synonym (spaces ignored); None when unknown."""
    if text is None:
        return None
    key = "".join(str(text).split())
    if not key:
        return None
    if key in vocab:
        return key
    for code, name in vocab.items():
        if name == key:
            return code
    if synonyms:
        return synonyms.get(key)
    return None
