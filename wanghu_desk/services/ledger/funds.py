"""Funds (经费类别): the default fund, lookup and creation, the carry-over rule and
the yearly minimum per estate branch."""

from __future__ import annotations

from typing import Any

from models import Fund
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.ledger.results import FundInfo
from wanghu_desk.services.ledger.rules import DEFAULT_FUND_NAME, estate_minimum
from wanghu_desk.validation import clean_text


def _default_fund() -> Fund | None:
    with_minimum = Fund.select().where(Fund.minimum_fen > 0).order_by(Fund.id).first()
    return with_minimum or Fund.select().order_by(Fund.id).first()


def _fund(fund: int | str | Fund | None, *, create: bool = False) -> Fund:
    if isinstance(fund, Fund):
        return fund
    if fund is None:
        found = _default_fund()
        if found is None:
            if not create:
                raise NotFoundError("还没有经费类别。录入第一笔拨付时会自动建立「小区党组织服务群众专项经费」。")
            found = Fund.create(name=DEFAULT_FUND_NAME, carries_over=False, minimum_fen=estate_minimum())
        return found
    if isinstance(fund, int):
        found = Fund.get_or_none(Fund.id == fund)
    else:
        name = clean_text(fund) or ""
        found = Fund.get_or_none(Fund.name == name)
        if found is None and create and name:
            found = Fund.create(name=name, carries_over=False, minimum_fen=0)
    if found is None:
        raise NotFoundError(f"找不到经费类别「{fund}」。请在「经费类别」中先添加。")
    return found


# ---------------------------------------------------------------- funds


def _fund_info(f: Fund) -> FundInfo:
    return FundInfo(f.id, f.name, bool(f.carries_over), int(f.minimum_fen))


def funds() -> list[FundInfo]:
    return [_fund_info(f) for f in Fund.select().order_by(Fund.id)]


def fund_choices() -> list[FundInfo]:
    """The funds a clerk can pick; before any exists, the default fund (id None)."""
    found = funds()
    if found:
        default = _default_fund()
        return sorted(found, key=lambda f: (f.id != (default.id if default else None), f.id or 0))
    return [FundInfo(None, DEFAULT_FUND_NAME, False, estate_minimum())]


def create_fund(name: str, *, carries_over: bool = False, minimum_fen: int = 0) -> FundInfo:
    shown = clean_text(name)
    if shown is None:
        raise ValidationError("请填写经费类别名称。", field="name")
    if minimum_fen < 0:
        raise ValidationError("每年最低拨付额不能为负数。", field="minimum_fen")
    with writing("ledger.fund.create", permission="admin") as tx:
        if Fund.select().where(Fund.name == shown).exists():
            raise ValidationError(f"经费类别「{shown}」已经有了。", field="name")
        row = Fund.create(name=shown, carries_over=bool(carries_over), minimum_fen=int(minimum_fen))
        tx.audit("fund", row.id, "create", after=snapshot(row))
    return _fund_info(row)


def _update_fund(fund: int | str, op: str, **values: Any) -> FundInfo:
    with writing(op, permission="admin") as tx:
        row = _fund(fund)
        before = snapshot(row)
        Fund.update(**values).where(Fund.id == row.id).execute()
        row = Fund.get_by_id(row.id)
        tx.audit("fund", row.id, "update", before={k: before[k] for k in values}, after={k: values[k] for k in values})
    return _fund_info(row)


def set_fund_carries_over(fund: int | str, carries_over: bool) -> FundInfo:
    """Whether a year's closing balance of `fund` opens the next year (上年结转)."""
    return _update_fund(fund, "ledger.fund.carry_over", carries_over=bool(carries_over))


def set_fund_minimum(fund: int | str, minimum_fen: int) -> FundInfo:
    """The yearly minimum each estate branch must receive from `fund` (0: none)."""
    if minimum_fen < 0:
        raise ValidationError("每年最低拨付额不能为负数。", field="minimum_fen")
    return _update_fund(fund, "ledger.fund.minimum", minimum_fen=int(minimum_fen))
