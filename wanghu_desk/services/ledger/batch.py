"""Many new entries through the forms' rules at once (an import of thousands of rows):
`LedgerBatch` reads the ledgers of the branches concerned once, then checks each row
in memory exactly as `record_allocation`, `record_expense` and `record_reversal` would
if the rows were written one after another — the same checks in the same order, the
same messages — and writes the accepted rows in one `executemany`, with one audit
event per entry as the forms write them.

What each row is checked against, in memory:

- **overdraw**: per branch and fund, the entries (stored and accepted so far) in order
  of (year, date, voucher number); a new entry goes after the entries of its day, and
  the balance from there on must stay ≥ 0 (a fund that carries over counts every
  year, others only the entry's year);
- **voucher numbers**: one counter per branch and year from one ``MAX`` per pair, so
  the numbers stay gapless and in the order the rows were accepted;
- **reversals**: the original by voucher number (stored or accepted in this batch),
  never a reversal, never reversed twice, in its year and not before its date;
- the second approver from the threshold, a dissolved branch, funds (the default
  fund or one named, created for an allocation as the forms create them).

Must be used inside one `writing()` transaction from reading to writing (the counters
are only valid while nobody else can write).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from models import db
from models.tables import _now
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.money import format_fen
from wanghu_desk.services.base import require, to_json
from wanghu_desk.services.ledger.choices import _branch
from wanghu_desk.services.ledger.entries import _overdrawn, reversal_summary
from wanghu_desk.services.ledger.reading import _as_date
from wanghu_desk.services.ledger.rules import (
    _REVERSES_IN_SUMMARY,
    ALLOCATION,
    DEFAULT_FUND_NAME,
    EXPENSE,
    REVERSAL,
    SUMMARY_MAX,
    _amount,
    _date,
    _delta,
    _person,
    _summary,
    check_subject,
    estate_minimum,
    second_approver_threshold,
)
from wanghu_desk.validation import clean_text

_CHUNK = 900  # parameters per IN (...) list


@dataclass
class _Fund:
    id: int
    name: str
    carries_over: bool
    minimum_fen: int
    new: bool = False


@dataclass
class PlannedEntry:
    """An entry as it will be stored (`id` and `voucher_no` allocated in memory)."""

    id: int
    branch_id: int
    fund_id: int
    year: int
    voucher_no: int
    entry_date: dt.date
    kind: str
    subject: str
    summary: str
    amount_fen: int
    handler: str | None
    approver: str | None
    second_approver: str | None
    reverses_id: int | None
    new: bool = True


_COLUMNS = ("id", "branch_id", "fund_id", "year", "voucher_no", "entry_date", "kind", "subject", "summary",
            "amount_fen", "handler", "approver", "second_approver", "reverses_id", "created_at", "created_by")


class LedgerBatch:
    """The ledgers of `branch_ids` (every branch when None) in memory, to accept new
    entries one by one (`add`, `add_reversal`, or `add_row` for a row of
    `normalize_ledger_row`) and write them (`write`)."""

    def __init__(self, branch_ids: Iterable[int] | None = None, *, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()
        self.threshold = second_approver_threshold()
        self.funds: dict[int, _Fund] = {
            fid: _Fund(fid, name, bool(carry), int(minimum))
            for fid, name, carry, minimum in db.execute_sql(
                "SELECT id, name, carries_over, minimum_fen FROM fund ORDER BY id").fetchall()
        }
        self.fund_ids = {f.name: f.id for f in self.funds.values()}
        self.branches: dict[int, tuple[str, str]] = {
            bid: (name, status) for bid, name, status in db.execute_sql("SELECT id, name, status FROM branch")
        }
        self.next_id = (db.execute_sql("SELECT max(id) FROM ledger_entry").fetchone()[0] or 0) + 1
        self.by_id: dict[int, PlannedEntry] = {}
        self.by_voucher: dict[tuple[int, int, int], PlannedEntry] = {}
        self.reversed_by: dict[int, PlannedEntry] = {}
        self.last_voucher: dict[tuple[int, int], int] = {}
        #: per (branch, fund): (year, date, voucher, delta), sorted; their sum, of all years and per year
        self.facts: dict[tuple[int, int], list[tuple[int, dt.date, int, int]]] = {}
        self.total: dict[tuple[int, int], int] = {}
        self.year_total: dict[tuple[int, int, int], int] = {}
        self.added: list[PlannedEntry] = []
        self.by_source: dict[tuple[int, int, int], int] = {}
        self._load(None if branch_ids is None else sorted(set(branch_ids)))

    # ------------------------------------------------------------ reading

    def _load(self, branch_ids: list[int] | None) -> None:
        sql = ("SELECT e.id, e.branch_id, e.fund_id, e.year, e.voucher_no, e.entry_date, e.kind, e.subject, "
               "e.summary, e.amount_fen, e.handler, e.approver, e.second_approver, e.reverses_id, o.kind "
               "FROM ledger_entry e LEFT JOIN ledger_entry o ON o.id = e.reverses_id")
        rows: list[tuple] = []
        if branch_ids is None:
            rows = db.execute_sql(sql).fetchall()
        else:
            for i in range(0, len(branch_ids), _CHUNK):
                chunk = branch_ids[i : i + _CHUNK]
                rows.extend(db.execute_sql(f"{sql} WHERE e.branch_id IN ({','.join('?' * len(chunk))})",
                                           chunk).fetchall())
        facts: dict[tuple[int, int], list] = {}
        for (eid, branch_id, fund_id, year, voucher, day, kind, subject, summary, amount, handler, approver,
             second, reverses_id, reversed_kind) in rows:
            day = _as_date(day)
            e = PlannedEntry(eid, branch_id, fund_id, year, voucher, day, kind, subject, summary, amount, handler,
                             approver, second, reverses_id, new=False)
            self._remember(e)
            delta = _delta(kind, reversed_kind, amount)
            facts.setdefault((branch_id, fund_id), []).append((year, day, voucher, delta))
            self._count(branch_id, fund_id, year, delta)
        for key, items in facts.items():
            items.sort()
            self.facts[key] = items

    def _count(self, branch_id: int, fund_id: int, year: int, delta: int) -> None:
        self.total[(branch_id, fund_id)] = self.total.get((branch_id, fund_id), 0) + delta
        key = (branch_id, fund_id, year)
        self.year_total[key] = self.year_total.get(key, 0) + delta

    def _remember(self, e: PlannedEntry) -> None:
        self.by_id[e.id] = e
        self.by_voucher[(e.branch_id, e.year, e.voucher_no)] = e
        if e.reverses_id is not None:
            self.reversed_by[e.reverses_id] = e
        key = (e.branch_id, e.year)
        if e.voucher_no > self.last_voucher.get(key, 0):
            self.last_voucher[key] = e.voucher_no

    # ------------------------------------------------------------ the rules, as the forms apply them

    def _lowest(self, branch_id: int, fund: _Fund, year: int, day: dt.date, delta: int) -> int:
        """`entries._lowest_balance` over the entries in memory."""
        facts = self.facts.get((branch_id, fund.id), [])
        at = bisect.bisect_right(facts, (year, day, math.inf))
        if fund.carries_over:  # the opening balance is the net of the earlier years
            end = len(facts)
            before = self.total.get((branch_id, fund.id), 0)
        else:
            end = bisect.bisect_left(facts, (year + 1,))
            before = self.year_total.get((branch_id, fund.id, year), 0)
        later = facts[at:end]  # usually none: rows come in date order
        for f in later:
            before -= f[3]
        running = before + delta
        lowest = running
        for f in later:
            running += f[3]
            if running < lowest:
                lowest = running
        return lowest

    def _check_not_overdrawn(self, branch_id: int, fund: _Fund, year: int, day: dt.date, delta: int,
                             what: str) -> None:
        if delta >= 0:
            return
        lowest = self._lowest(branch_id, fund, year, day, delta)
        if lowest < 0:
            raise _overdrawn(fund.name, day, delta, lowest, what)

    def _default_fund(self) -> _Fund | None:
        with_minimum = [f for f in self.funds.values() if f.minimum_fen > 0]
        pool = with_minimum or list(self.funds.values())
        return min(pool, key=lambda f: f.id) if pool else None

    def _create_fund(self, name: str, minimum_fen: int) -> _Fund:
        fid = max(self.funds, default=0) + 1
        fund = _Fund(fid, name, False, minimum_fen, new=True)
        self.funds[fid] = fund
        self.fund_ids[name] = fid
        return fund

    def _fund(self, fund: int | str | None, *, create: bool) -> _Fund:
        """`funds._fund` over the funds in memory."""
        if fund is None:
            found = self._default_fund()
            if found is None:
                if not create:
                    raise NotFoundError("还没有经费类别。录入第一笔拨付时会自动建立「小区党组织服务群众专项经费」。")
                found = self._create_fund(DEFAULT_FUND_NAME, estate_minimum())
            return found
        if isinstance(fund, int):
            found = self.funds.get(fund)
        else:
            name = clean_text(fund) or ""
            fid = self.fund_ids.get(name)
            found = self.funds[fid] if fid is not None else None
            if found is None and create and name:
                found = self._create_fund(name, 0)
        if found is None:
            raise NotFoundError(f"找不到经费类别「{fund}」。请在「经费类别」中先添加。")
        return found

    def _branch(self, branch: int | str) -> tuple[int, str, str]:
        if isinstance(branch, int) and not isinstance(branch, bool):
            found = self.branches.get(branch)
            if found is None:
                raise NotFoundError("找不到这个党支部，可能已被删除。请刷新后重试。")
            return branch, found[0], found[1]
        b = _branch(branch)
        return b.id, b.name, b.status

    def _accept(self, **values: Any) -> PlannedEntry:
        key = (values["branch_id"], values["year"])
        voucher = self.last_voucher.get(key, 0) + 1
        e = PlannedEntry(self.next_id, voucher_no=voucher, **values)
        self.next_id += 1
        self._remember(e)
        fund = self.funds[e.fund_id]
        delta = _delta(e.kind, self.by_id[e.reverses_id].kind if e.reverses_id else None, e.amount_fen)
        bisect.insort(self.facts.setdefault((e.branch_id, fund.id), []), (e.year, e.entry_date, voucher, delta))
        self._count(e.branch_id, fund.id, e.year, delta)
        self.added.append(e)
        return e

    def add(self, kind: str, branch: int | str, amount_fen: int, *, entry_date: dt.date | str, summary: str,
            handler: str, approver: str, second_approver: str | None, subject: str,
            fund: int | str | None) -> PlannedEntry:
        """An allocation or an expense: the checks of `entries._record`, in its order."""
        amount = _amount(amount_fen)
        day = _date(entry_date, self.today)
        code = check_subject(subject)
        text = _summary(summary)
        who = _person(handler, "经办人", "handler")
        boss = _person(approver, "审批人", "approver")
        second = _person(second_approver, "第二审批人", "second_approver", required=False)
        if kind == EXPENSE:
            threshold = self.threshold
            if threshold and amount >= threshold and second is None:
                raise ValidationError(
                    f"支出金额达到 {format_fen(threshold)}（含）须两人审批，请填写第二审批人。", field="second_approver"
                )
        if second is not None and second == boss:
            raise ValidationError("第二审批人不能与审批人是同一人。", field="second_approver")
        branch_id, branch_name, status = self._branch(branch)
        if status != "active":
            raise ValidationError(f"党支部「{branch_name}」已撤销，不能再记拨付或支出。", field="branch")
        if fund is None and kind == EXPENSE and self._default_fund() is None:
            raise ValidationError("余额不足：还没有拨付过任何经费，不能记支出。请先录入拨付。", field="amount")
        f = self._fund(fund, create=(kind == ALLOCATION))
        delta = amount if kind == ALLOCATION else -amount
        self._check_not_overdrawn(branch_id, f, day.year, day, delta, kind)
        return self._accept(branch_id=branch_id, fund_id=f.id, year=day.year, entry_date=day, kind=kind,
                            subject=code, summary=text, amount_fen=amount, handler=who, approver=boss,
                            second_approver=second, reverses_id=None)

    def add_reversal(self, original_id: int, *, entry_date: dt.date | str, reason: str, handler: str,
                     approver: str) -> PlannedEntry:
        """A reversal: the checks of `entries.record_reversal`, in its order."""
        day = _date(entry_date, self.today)
        why = clean_text(reason)
        if why is None:
            raise ValidationError("请填写冲销原因（如：重复录入、金额录错）。", field="summary")
        who = _person(handler, "经办人", "handler")
        boss = _person(approver, "审批人", "approver")
        original = self.by_id.get(original_id)
        if original is None:
            raise NotFoundError("找不到要冲销的凭证。请刷新后重试。")
        if original.kind == REVERSAL:
            raise ValidationError("冲销凭证不能再冲销。如果冲销错了，请重新录入一笔正确的凭证。", field="reverses")
        done = self.reversed_by.get(original.id)
        if done is not None:
            raise ValidationError(
                f"第{original.voucher_no}号凭证已在 {done.entry_date.isoformat()} 由第{done.voucher_no}号凭证冲销，"
                "不能重复冲销。",
                field="reverses",
            )
        original_day = original.entry_date
        if day.year != original.year:
            raise ValidationError(
                f"冲销凭证应与原凭证在同一年度（{original.year}年）。请把日期改在 {original.year} 年内。", field="entry_date"
            )
        if day < original_day:
            raise ValidationError(
                f"冲销日期不能早于原凭证的日期（{original_day.isoformat()}）。", field="entry_date"
            )
        f = self.funds[original.fund_id]
        delta = -_delta(original.kind, None, original.amount_fen)
        self._check_not_overdrawn(original.branch_id, f, original.year, day, delta, REVERSAL)
        summary = reversal_summary(original.voucher_no, why)
        if len(summary) > SUMMARY_MAX:
            raise ValidationError(f"冲销原因太长了，请控制在 {SUMMARY_MAX - 12} 字以内。", field="summary")
        return self._accept(branch_id=original.branch_id, fund_id=f.id, year=original.year, entry_date=day,
                            kind=REVERSAL, subject=original.subject, summary=summary,
                            amount_fen=original.amount_fen, handler=who, approver=boss, second_approver=None,
                            reverses_id=original.id)

    def add_row(self, rec: Mapping[str, Any]) -> PlannedEntry:
        """One row of `normalize_ledger_row` (``branch_id`` resolved), as
        `commit_normalized_rows` writes it: a reversal names its original by the source
        voucher number of a row accepted earlier in this batch, else by a voucher number
        of that branch and year."""
        branch_id = rec["branch_id"]
        kind = rec["kind"]
        if kind == REVERSAL:
            key = (branch_id, rec["year"], rec["reverses_voucher_no"])
            original_id = self.by_source.get(key)
            if original_id is None:
                found = self.by_voucher.get(key)
                if found is None:
                    raise ValidationError(f"找不到要冲销的第{rec['reverses_voucher_no']}号凭证。")
                original_id = found.id
            reason = rec["summary"]
            match = _REVERSES_IN_SUMMARY.match(reason)
            if match:
                reason = reason[match.end():].lstrip("凭证：:，, ").strip("（）() ") or "更正错账"
            e = self.add_reversal(original_id, entry_date=rec["entry_date"], reason=reason,
                                  handler=rec["handler"], approver=rec["approver"])
        else:
            e = self.add(ALLOCATION if kind == ALLOCATION else EXPENSE, branch_id, rec["amount_fen"],
                         entry_date=rec["entry_date"], subject=rec.get("subject") or "service",
                         summary=rec["summary"], handler=rec["handler"], approver=rec["approver"],
                         second_approver=rec.get("second_approver"), fund=rec.get("fund_name"))
        if rec.get("source_voucher_no"):
            self.by_source[(branch_id, e.year, rec["source_voucher_no"])] = e.id
        return e

    # ------------------------------------------------------------ writing

    def write(self) -> list[int]:
        """Insert the funds created and the entries accepted, each entry with the audit
        event the forms write (`entries._insert`). Returns the new entry ids. Refused
        (`PermissionDenied`) unless the acting account may write, like every service write."""
        actor = require("write")
        now = _now()
        conn = db.connection()
        new_funds = [(f.id, f.name, 0, f.minimum_fen) for f in self.funds.values() if f.new]
        if new_funds:
            conn.executemany("INSERT INTO fund (id, name, carries_over, minimum_fen) VALUES (?, ?, ?, ?)", new_funds)
        rows, events = [], []
        for e in self.added:
            day = e.entry_date.isoformat()
            values = (e.id, e.branch_id, e.fund_id, e.year, e.voucher_no, day, e.kind, e.subject, e.summary,
                      e.amount_fen, e.handler, e.approver, e.second_approver, e.reverses_id, now, actor.username)
            rows.append(values)
            after = dict(zip(_COLUMNS, values))
            events.append((now, actor.account_id, actor.username, "ledger_entry", e.id, "create", None,
                           to_json(after), f"{self.branches[e.branch_id][0]} {e.year}年第{e.voucher_no}号凭证"))
        if rows:
            conn.executemany(f"INSERT INTO ledger_entry ({', '.join(_COLUMNS)}) "
                             f"VALUES ({', '.join('?' * len(_COLUMNS))})", rows)
            conn.executemany(
                "INSERT INTO audit_event (at, account_id, account_name, entity, entity_id, action, before_json, "
                "after_json, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        ids = [e.id for e in self.added]
        self.added = []
        for f in self.funds.values():
            f.new = False
        return ids

