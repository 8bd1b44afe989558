"""The 经费台账 entries as a `RecordTableModel` over `services.ledger.LedgerView`.

One branch's entries for a year with the running balance; an opening row (上年结转)
pinned on top when there is one; money ``¥10,000.00`` right-aligned, reversed amounts
(a reversal is a negative income or expense) in red, an entry that has been reversed
greyed with a tooltip naming the reversing voucher. Sorting keeps the opening row on
top; the 余额 column always shows the balance in date order. The other tables of the
tab (quarter totals, compliance, the funds summary) are plain `RecordTableModel`s.

Roles (`ui.record_table_model`): `SORT_ROLE` native values, `OBJECT_ROLE` the entry
(None for the opening row), `ID_ROLE` the entry id.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush

from ui import formatting
from ui.record_table_model import ALERT, MUTED, Column, RecordTableModel
from wanghu_desk.services.ledger import LedgerRow, LedgerView


class Opening:
    """The 上年结转 row."""

    def __init__(self, year: int, fen: int):
        self.year = year
        self.balance_fen = fen


def kind_text(row: LedgerRow) -> str:
    if row.kind == "reversal":
        return f"冲销第{row.reverses_voucher_no}号" if row.reverses_voucher_no else "冲销"
    return row.kind_label + ("（已冲销）" if row.is_reversed else "")



_RED = QBrush(ALERT)
_GREY = QBrush(MUTED)


def _entry(show, opening=""):
    """A column function for entries; the opening row shows `opening` (text or function)."""
    def read(r):
        if isinstance(r, Opening):
            return opening(r) if callable(opening) else opening
        return show(r)
    return read


def _money_or_blank(fen: int) -> str:
    return formatting.money(fen) if fen else ""


def _amount_colour(r) -> QBrush | None:
    if isinstance(r, Opening):
        return None
    if r.income_fen < 0 or r.expense_fen < 0:
        return _RED
    return _GREY if r.is_reversed or r.kind == "reversal" else None


def _balance_colour(r) -> QBrush | None:
    if isinstance(r, Opening):
        return None
    if r.balance_fen < 0:
        return _RED
    return _GREY if r.is_reversed or r.kind == "reversal" else None


def _row_colour(r) -> QBrush | None:
    if isinstance(r, Opening):
        return None
    return _GREY if r.is_reversed or r.kind == "reversal" else None


def _tip(column_tip=None):
    def tip(r):
        if isinstance(r, Opening):
            return "上一年度的期末余额，按经费类别的设置结转到本年。"
        if r.is_reversed:
            return f"这笔{r.kind_label}已由第{r.reversed_by_voucher_no}号凭证冲销。"
        if r.kind == "reversal":
            return f"冲销第{r.reverses_voucher_no}号凭证（红字）。"
        return column_tip(r) if column_tip else None
    return tip


LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("entry_date", "日期", _entry(lambda r: r.entry_date.toordinal() * 100_000 + r.voucher_no, -1),
           text=_entry(lambda r: formatting.date(r.entry_date), lambda o: f"{o.year}-01-01"),
           sample="2026-09-30", foreground=_row_colour, tooltip=_tip()),  # date order, then voucher order
    Column("voucher_no", "凭证号", _entry(lambda r: r.voucher_no, None), text=_entry(lambda r: str(r.voucher_no)),
           align="center", sample="凭证号", foreground=_row_colour, tooltip=_tip()),
    Column("kind", "类型", _entry(lambda r: r.kind_label, None), text=_entry(kind_text), sample="支出（已冲销）",
           foreground=_row_colour, tooltip=_tip()),
    Column("summary", "摘要", _entry(lambda r: r.summary, None), text=_entry(lambda r: r.summary, "上年结转"),
           sample="“乐夕阳”助老送餐食材费", foreground=_row_colour, tooltip=_tip(lambda r: r.summary)),
    Column("subject", "科目", _entry(lambda r: r.subject_label, None), text=_entry(lambda r: r.subject_label),
           sample="服务群众", foreground=_row_colour, tooltip=_tip()),
    Column("income", "收入", _entry(lambda r: r.income_fen, None), text=_entry(lambda r: _money_or_blank(r.income_fen)),
           align="right", sample="¥100,000.00", foreground=_amount_colour, tooltip=_tip()),
    Column("expense", "支出", _entry(lambda r: r.expense_fen, None),
           text=_entry(lambda r: _money_or_blank(r.expense_fen)), align="right", sample="¥100,000.00",
           foreground=_amount_colour, tooltip=_tip()),
    Column("balance", "余额", _entry(lambda r: r.balance_fen, None),
           text=lambda r: formatting.money(r.balance_fen), align="right", sample="¥100,000.00",
           foreground=_balance_colour, tooltip=_tip()),
    Column("handler", "经办人", _entry(lambda r: r.handler or "", None), text=_entry(lambda r: r.handler or ""),
           sample="欧阳明明", foreground=_row_colour, tooltip=_tip()),
    Column("approvers", "审批人", _entry(lambda r: r.approvers, None), text=_entry(lambda r: r.approvers),
           sample="赵红梅、陈海燕", foreground=_row_colour, tooltip=_tip()),
    Column("fund", "经费类别", _entry(lambda r: r.fund_name, None), text=_entry(lambda r: r.fund_name),
           sample="小区党组织服务群众专项经费", foreground=_row_colour, tooltip=_tip()),
)
COL = {c.key: i for i, c in enumerate(LEDGER_COLUMNS)}


def _haystack(r: LedgerRow) -> str:
    return " ".join([r.summary, r.handler or "", r.approvers, r.subject_label, r.kind_label, r.fund_name,
                     str(r.voucher_no), r.entry_date.isoformat()])


class LedgerTableModel(RecordTableModel):
    def __init__(self, parent=None):
        super().__init__(LEDGER_COLUMNS, parent, search=_haystack)
        self.view: LedgerView | None = None

    def set_view(self, view: LedgerView | None) -> None:
        self.view = view
        opening = [Opening(view.year, view.opening_fen)] if view and view.opening_fen else []
        self.set_rows(list(view.rows) if view else [], pinned=opening)

    def entry(self, row: int) -> LedgerRow | None:
        return self.row_at(row)
