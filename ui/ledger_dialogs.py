"""The dialogs of the 经费台账 tab.

- `AmountEdit`: the amount field. It accepts what clerks type (10000, 10,000.50,
  ¥10000, 1万, 1.5万元, 全角 digits, 壹万元整 — `wanghu_desk.money.parse_amount`) and shows,
  as they type, the amount it read and its 大写, or in red why it cannot read it.
- `EntryDialog`: 拨付 or 支出 for one branch; `ReversalDialog`: 冲销 of an earlier entry;
  `EntryDetailDialog`: one saved entry, read only (entries are never edited);
  `BulkAllocationDialog`: ¥10,000 to every estate branch, or an amount per star level,
  previewed in a table before anything is written, confirmed through `ui.dialogs.ask`;
  `FundsDialog`: the funds, whether each carries its balance over, its yearly minimum.

Every check runs as the clerk types: a field with an error says why under it, 保存 stays
disabled until the form is valid, and a refusal of the service (overdraw, a stale
preview …) is shown in the dialog, which stays open. Dialogs are opened with `open()`
(never `exec()`); callers connect `saved` / `committed`, and tests fill the real widgets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui import dialogs, formatting, screen_fit
from ui.record_table_model import Column, RecordTableModel
from ui.table_view import make_table
from wanghu_desk import vocab
from wanghu_desk.errors import UserError
from wanghu_desk.money import format_fen, to_chinese_capital, try_parse_amount
from wanghu_desk.services import ledger
from wanghu_desk.services.ledger import BranchChoice, BulkPlan, FundInfo, LedgerRow

ERROR_STYLE = "color: #C8161D;"
WARNING_STYLE = "color: #9A5B00;"
MUTED_STYLE = "color: #6B6B6B;"
INVALID_FIELD = "border: 1px solid #C8161D; background: #FFF5F5;"
AMOUNT_HINT = "如 10000、10,000.50、¥10000、1.5万"
STAR_TEXT = {5: "★★★★★", 4: "★★★★☆", 3: "★★★☆☆", 2: "★★☆☆☆", 1: "★☆☆☆☆", 0: "☆☆☆☆☆"}


def _primary(button: QPushButton) -> QPushButton:
    button.setProperty("primary", True)
    button.style().unpolish(button)
    button.style().polish(button)
    return button


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def capital_text(fen: int) -> str:
    return to_chinese_capital(fen) if fen >= 0 else "负" + to_chinese_capital(-fen)


# ---------------------------------------------------------------- fields


class AmountEdit(QWidget):
    """A line edit for an amount with a live read-back: "¥15,000.00　壹万伍仟元整"."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, allow_empty: bool = False, name: str = "amount",
                 empty_text: str = "不拨付"):
        super().__init__(parent)
        self.allow_empty = allow_empty
        self.empty_text = empty_text
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{name}Edit")
        self.edit.setPlaceholderText(AMOUNT_HINT)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumHeight(self.edit.sizeHint().height())
        self.preview = QLabel(self)
        self.preview.setObjectName(f"{name}Preview")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.edit)
        column.addWidget(self.preview)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._value: int | None = None
        self._error: str | None = None
        self.edit.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        text = self.edit.text()
        if not text.strip():
            self._value = 0 if self.allow_empty else None
            self._error = None if self.allow_empty else "请填写金额。"
            self.preview.setText(self.empty_text if self.allow_empty else "")
            self.preview.setStyleSheet(MUTED_STYLE)
            self.edit.setStyleSheet("")
        else:
            value, error = try_parse_amount(text, allow_zero=self.allow_empty)
            self._value, self._error = value, error
            if error:
                self.preview.setText(error)
                self.preview.setStyleSheet(ERROR_STYLE)
                self.edit.setStyleSheet(f"QLineEdit {{ {INVALID_FIELD} }}")
            else:
                self.preview.setText(f"{format_fen(value)}　{capital_text(value)}" if value else self.empty_text)
                self.preview.setStyleSheet(MUTED_STYLE)
                self.edit.setStyleSheet("")
        self.changed.emit()

    def value(self) -> int | None:
        """The amount in fen, or None while the text is not a valid amount."""
        return self._value if self._error is None else None

    def error(self) -> str | None:
        return self._error

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self.edit.setText(text)


class Form(QGridLayout):
    """Label | field rows with a message line under each field."""

    def __init__(self):
        super().__init__()
        self.setHorizontalSpacing(10)
        self.setVerticalSpacing(2)
        self.setColumnStretch(1, 1)
        self._row = 0
        self.messages: dict[str, QLabel] = {}
        self.widgets: dict[str, QWidget] = {}

    def add(self, key: str, title: str, widget: QWidget, *, required: bool = False) -> QLabel:
        label = QLabel(("<span style='color:#C8161D'>*</span> " if required else "") + title)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        message = QLabel()
        message.setObjectName(f"message_{key}")
        message.setWordWrap(True)
        message.setVisible(False)
        self.addWidget(label, self._row, 0, Qt.AlignmentFlag.AlignTop if isinstance(widget, AmountEdit) else
                       Qt.AlignmentFlag.AlignVCenter)
        self.addWidget(widget, self._row, 1)
        self.addWidget(message, self._row + 1, 1)
        self._row += 2
        self.messages[key] = message
        self.widgets[key] = widget
        return label

    def finish(self) -> Form:
        """Keep the rows at the top when the form is given more height than it needs."""
        self.setRowStretch(self._row, 1)
        return self

    def show(self, key: str, error: str | None, warning: str | None = None) -> None:
        label = self.messages[key]
        widget = self.widgets[key]
        target = widget.edit if isinstance(widget, AmountEdit) else widget
        if error:
            label.setText(error)
            label.setStyleSheet(ERROR_STYLE)
            label.setVisible(True)
            if not isinstance(widget, AmountEdit):
                target.setStyleSheet(f"{type(target).__name__} {{ {INVALID_FIELD} }}")
        elif warning:
            label.setText(warning)
            label.setStyleSheet(WARNING_STYLE)
            label.setVisible(True)
            if not isinstance(widget, AmountEdit):
                target.setStyleSheet("")
        else:
            label.clear()
            label.setVisible(False)
            if not isinstance(widget, AmountEdit):
                target.setStyleSheet("")


def _line(name: str, placeholder: str = "", names: list[str] | None = None) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    if names:
        completer = QCompleter(names, edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        edit.setCompleter(completer)
    return edit


def _date_edit(name: str, low: dt.date, high: dt.date, value: dt.date) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDateRange(to_qdate(low), to_qdate(high))
    edit.setDate(to_qdate(min(max(value, low), high)))
    return edit


def _fund_combo(selected: int | None = None) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("fundCombo")
    for f in ledger.fund_choices():
        combo.addItem(f.name, f.id)
    if selected is not None:
        index = combo.findData(selected)
        if index >= 0:
            combo.setCurrentIndex(index)
    return combo


def _buttons(dialog: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox()
    ok = _primary(box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole))
    ok.setObjectName("saveButton")
    ok.setDefault(True)
    box.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
    box.rejected.connect(dialog.reject)
    return box, ok


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet("color: #E1E3E6;")
    return line


def _banner() -> QLabel:
    banner = QLabel()
    banner.setObjectName("formBanner")
    banner.setWordWrap(True)
    banner.setStyleSheet(ERROR_STYLE)
    banner.setVisible(False)
    return banner


def grow_to_fit(dialog: QDialog) -> None:
    """Grow (never shrink) a shown dialog when message lines appear, up to the screen."""
    screen_fit.grow_to_layout(dialog)


def year_date_range(year: int, today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """(first, last, default) day a clerk may choose for an entry of `year`."""
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), today)
    return first, last, last


# ---------------------------------------------------------------- 拨付 / 支出


class EntryDialog(QDialog):
    """录入拨付 or 录入支出 for one branch and year."""

    saved = Signal(object)  # the saved LedgerRow

    def __init__(self, kind: str, branch: BranchChoice, year: int, *, today: dt.date, fund_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.branch = branch
        self.year = year
        self.today = today
        self.threshold = ledger.second_approver_threshold()
        self.touched: set[str] = set()
        self.setObjectName("entryDialog")
        self.setWindowTitle(f"录入{vocab.label(vocab.LEDGER_KINDS, kind)} — {branch.name}")
        names = ledger.people_names(branch.id)

        self.form = Form()
        branch_label = QLabel(f"{branch.name}　{year}年")
        branch_label.setObjectName("branchLabel")
        self.form.add("branch", "党支部", branch_label)
        self.fund = _fund_combo(fund_id)
        self.form.add("fund", "经费类别", self.fund, required=True)
        first, last, default = year_date_range(year, today)
        self.date = _date_edit("dateEdit", first, last, default)
        self.form.add("entry_date", "日期", self.date, required=True)
        self.subject = QComboBox()
        self.subject.setObjectName("subjectCombo")
        for code, text in vocab.LEDGER_SUBJECTS.items():
            self.subject.addItem(text, code)
        self.subject.setCurrentIndex(self.subject.findData("service" if kind == ledger.ALLOCATION else "activity"))
        self.form.add("subject", "科目", self.subject, required=True)
        self.summary = _line("summaryEdit", "这笔钱做什么用，如：重阳节慰问困难党员"
                             if kind == ledger.EXPENSE else f"如：{year}年服务群众专项经费拨付")
        self.form.add("summary", "摘要", self.summary, required=True)
        self.amount = AmountEdit(self)
        self.form.add("amount", "金额", self.amount, required=True)
        self.handler = _line("handlerEdit", "经手的人", names.get("handler"))
        self.form.add("handler", "经办人", self.handler, required=True)
        self.approver = _line("approverEdit", "批准的人", names.get("approver"))
        self.form.add("approver", "审批人", self.approver, required=True)
        self.second = _line("secondApproverEdit", f"金额达到 {format_fen(self.threshold)} 时必填",
                            names.get("second_approver"))
        second_label = self.form.add("second_approver", "第二审批人", self.second)
        if kind != ledger.EXPENSE:  # only an expense needs a second approver
            second_label.setVisible(False)
            self.second.setVisible(False)

        self.balance_label = QLabel()
        self.balance_label.setObjectName("balanceLabel")
        self.balance_label.setStyleSheet(MUTED_STYLE)
        rules = QLabel(("不得列支：" + "、".join(vocab.FORBIDDEN_SUBJECTS) + "。" if kind == ledger.EXPENSE else "")
                       + "凭证保存后不能修改，错了只能冲销。")
        rules.setObjectName("rulesLabel")
        rules.setWordWrap(True)
        rules.setStyleSheet(MUTED_STYLE)
        self.banner = _banner()
        box, self.save_button = _buttons(self, "保存")
        box.accepted.connect(self.save)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows as messages appear
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        layout.addLayout(self.form)
        layout.addWidget(self.balance_label)
        layout.addWidget(rules)
        layout.addWidget(self.banner)
        layout.addWidget(_separator())
        layout.addWidget(box)
        screen_fit.fit(self, max(self.fontMetrics().horizontalAdvance("中") * 34, self.sizeHint().width()))

        for key, widget in (("summary", self.summary), ("handler", self.handler), ("approver", self.approver),
                            ("second_approver", self.second)):
            widget.textChanged.connect(lambda _t, key=key: self._changed(key))
        self.amount.changed.connect(lambda: self._changed("amount"))
        self.fund.currentIndexChanged.connect(lambda _i: self._changed("fund"))
        self.date.dateChanged.connect(lambda _d: self._changed("entry_date"))
        self.subject.currentIndexChanged.connect(lambda _i: self._changed("subject"))
        self._changed(None)

    # ------------------------------------------------------------ checks
    def _fund_balance(self) -> int | None:
        fund_id = self.fund.currentData()
        if fund_id is None:
            return 0
        return ledger.balance(self.branch.id, self.year, fund_id)

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        amount = self.amount.value()
        if amount is None:
            out["amount"] = self.amount.error() or "请填写金额。"
        if not self.summary.text().strip():
            out["summary"] = "请填写摘要（这笔钱做什么用）。"
        if not self.handler.text().strip():
            out["handler"] = "请填写经办人。"
        if not self.approver.text().strip():
            out["approver"] = "请填写审批人。"
        second = self.second.text().strip()
        if self.kind == ledger.EXPENSE and amount is not None:
            if self.threshold and amount >= self.threshold and not second:
                out["second_approver"] = f"支出达到 {format_fen(self.threshold)}（含）须两人审批，请填写第二审批人。"
            balance = self._fund_balance()
            if balance is not None and amount > balance:
                out["amount"] = f"余额不足：「{self.fund.currentText()}」可用余额只有 {format_fen(max(balance, 0))}。"
        if second and second == self.approver.text().strip():
            out["second_approver"] = "第二审批人不能与审批人是同一人。"
        return out

    def _changed(self, key: str | None) -> None:
        if key is not None:
            self.touched.add(key)
        self.banner.setVisible(False)
        problems = self.problems()
        for name in ("summary", "handler", "approver", "second_approver", "amount"):
            error = problems.get(name) if (name in self.touched or name == "second_approver") else None
            if name == "amount":
                # The field shows its own parse errors under it; this line adds the balance rule.
                error = problems.get("amount")
                error = error if error and error != self.amount.error() else None
            warning = None
            if name == "summary":
                terms = ledger.forbidden_terms(self.summary.text())
                if terms and self.kind == ledger.EXPENSE:
                    warning = f"摘要提到「{terms[0]}」，这是禁止列支的事项，请核实。"
            self.form.show(name, error, warning)
        balance = self._fund_balance()
        fund = self.fund.currentText()
        text = f"「{fund}」当前余额 {format_fen(balance or 0)}"
        if self.kind == ledger.EXPENSE and self.amount.value() and self.amount.value() <= (balance or 0):
            text += f"，支出后 {format_fen((balance or 0) - self.amount.value())}"
        elif self.kind == ledger.ALLOCATION and self.amount.value():
            text += f"，拨付后 {format_fen((balance or 0) + self.amount.value())}"
        self.balance_label.setText(text + "。")
        self.save_button.setEnabled(not problems)
        grow_to_fit(self)

    # ------------------------------------------------------------ saving
    def values(self) -> dict:
        return dict(
            entry_date=from_qdate(self.date.date()),
            subject=self.subject.currentData(),
            summary=self.summary.text(),
            handler=self.handler.text(),
            approver=self.approver.text(),
            second_approver=self.second.text() or None,
            fund=self.fund.currentData() if self.fund.currentData() is not None else None,
        )

    def save(self) -> None:
        if self.problems():
            self.touched.update({"summary", "handler", "approver", "amount"})
            self._changed(None)
            return
        record = ledger.record_allocation if self.kind == ledger.ALLOCATION else ledger.record_expense
        try:
            row = record(self.branch.id, self.amount.value(), today=self.today, **self.values())
        except UserError as exc:
            self.banner.setText(exc.message)
            self.banner.setVisible(True)
            grow_to_fit(self)
            return
        self.saved.emit(row)
        self.accept()


# ---------------------------------------------------------------- 冲销


def entry_choice_text(r: LedgerRow) -> str:
    return (f"第{r.voucher_no}号　{formatting.date(r.entry_date)}　{r.kind_label}　{format_fen(r.amount_fen)}　"
            f"{r.summary}")


class ReversalDialog(QDialog):
    """冲销 one earlier entry of a branch and year (in full, with a new voucher)."""

    saved = Signal(object)

    def __init__(self, branch: BranchChoice, year: int, *, today: dt.date, selected_id: int | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.branch = branch
        self.year = year
        self.today = today
        self.setObjectName("reversalDialog")
        self.setWindowTitle(f"冲销凭证 — {branch.name}")
        self.entries = ledger.reversible_entries(branch.id, year)
        names = ledger.people_names(branch.id)

        self.form = Form()
        self.original = QComboBox()
        self.original.setObjectName("originalCombo")
        self.original.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.original.setMinimumContentsLength(30)
        for r in self.entries:
            self.original.addItem(entry_choice_text(r), r.id)
        if selected_id is not None and self.original.findData(selected_id) >= 0:
            self.original.setCurrentIndex(self.original.findData(selected_id))
        elif self.entries:
            self.original.setCurrentIndex(len(self.entries) - 1)  # the latest is the likeliest mistake
        self.form.add("original", "冲销的凭证", self.original, required=True)
        self.detail = QLabel()
        self.detail.setObjectName("originalDetail")
        self.detail.setStyleSheet(MUTED_STYLE)
        self.form.add("detail", "", self.detail)
        first, last, default = year_date_range(year, today)
        self.date = _date_edit("dateEdit", first, last, default)
        self.form.add("entry_date", "冲销日期", self.date, required=True)
        self.reason = _line("reasonEdit", "如：重复录入、金额录错、记错支部")
        self.form.add("reason", "冲销原因", self.reason, required=True)
        self.handler = _line("handlerEdit", "经手的人", names.get("handler"))
        self.form.add("handler", "经办人", self.handler, required=True)
        self.approver = _line("approverEdit", "批准的人", names.get("approver"))
        self.form.add("approver", "审批人", self.approver, required=True)
        self.effect = QLabel()
        self.effect.setObjectName("effectLabel")
        self.banner = _banner()
        box, self.save_button = _buttons(self, "冲销")
        box.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows as messages appear
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        if not self.entries:
            empty = QLabel(f"{branch.name} {year} 年没有可以冲销的凭证。")
            empty.setObjectName("emptyLabel")
            layout.addWidget(empty)
        layout.addLayout(self.form)
        layout.addWidget(self.effect)
        layout.addWidget(self.banner)
        layout.addWidget(_separator())
        layout.addWidget(box)
        screen_fit.fit(self, max(self.fontMetrics().horizontalAdvance("中") * 40, self.sizeHint().width()))
        self.original.currentIndexChanged.connect(lambda _i: self._changed())
        self.date.dateChanged.connect(lambda _d: self._changed())
        for w in (self.reason, self.handler, self.approver):
            w.textChanged.connect(lambda _t: self._changed())
        self._changed()

    def current(self) -> LedgerRow | None:
        entry_id = self.original.currentData()
        return next((r for r in self.entries if r.id == entry_id), None)

    def problems(self) -> list[str]:
        out = []
        r = self.current()
        if r is None:
            out.append("请选择要冲销的凭证。")
        elif from_qdate(self.date.date()) < r.entry_date:
            out.append(f"冲销日期不能早于原凭证的日期（{formatting.date(r.entry_date)}）。")
        if not self.reason.text().strip():
            out.append("请填写冲销原因。")
        if not self.handler.text().strip():
            out.append("请填写经办人。")
        if not self.approver.text().strip():
            out.append("请填写审批人。")
        return out

    def _changed(self) -> None:
        self.banner.setVisible(False)
        r = self.current()
        if r is not None:
            self.detail.setText(f"{r.kind_label}　{r.fund_name}　科目：{r.subject_label}\n"
                                f"经办人：{r.handler or ''}　审批人：{r.approvers}\n"
                                f"金额 {format_fen(r.amount_fen)}（{capital_text(r.amount_fen)}）")
            balance = ledger.balance(self.branch.id, self.year, r.fund_id)
            after = balance - r.delta_fen
            self.effect.setText(f"冲销后「{r.fund_name}」余额：{format_fen(balance)} → {format_fen(after)}")
            self.effect.setStyleSheet(ERROR_STYLE if after < 0 else MUTED_STYLE)
            if after < 0:
                self.effect.setText(self.effect.text() + "\n这笔拨付的钱已经用了，请先冲销用它支付的支出。")
        else:
            self.detail.clear()
            self.effect.clear()
        grow_to_fit(self)
        problems = self.problems()
        self.save_button.setEnabled(not problems and not (r is not None and
                                                          ledger.balance(self.branch.id, self.year, r.fund_id)
                                                          - r.delta_fen < 0))

    def save(self) -> None:
        r = self.current()
        if r is None or self.problems():
            return
        try:
            row = ledger.record_reversal(r.id, entry_date=from_qdate(self.date.date()), reason=self.reason.text(),
                                         handler=self.handler.text(), approver=self.approver.text(), today=self.today)
        except UserError as exc:
            self.banner.setText(exc.message)
            self.banner.setVisible(True)
            grow_to_fit(self)
            return
        self.saved.emit(row)
        self.accept()


# ---------------------------------------------------------------- one entry, read only


class EntryDetailDialog(QDialog):
    """One saved entry (read only) with its amount in 大写; 冲销 from here."""

    reverseRequested = Signal(int)

    def __init__(self, row: LedgerRow, branch_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.row = row
        self.setObjectName("entryDetailDialog")
        self.setWindowTitle(f"凭证 第{row.voucher_no}号 — {branch_name}")
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        if row.kind == ledger.REVERSAL:
            state = f"冲销第{row.reverses_voucher_no}号凭证"
        elif row.is_reversed:
            state = f"已由第{row.reversed_by_voucher_no}号凭证冲销"
        else:
            state = "有效"
        fields = [
            ("党支部", branch_name), ("年度", f"{row.year}年"), ("凭证号", f"第{row.voucher_no}号"),
            ("日期", formatting.date(row.entry_date)), ("类型", row.kind_label), ("状态", state),
            ("经费类别", row.fund_name), ("科目", row.subject_label), ("摘要", row.summary),
            ("金额", format_fen(row.amount_fen)), ("金额（大写）", capital_text(row.amount_fen)),
            ("本笔后余额", format_fen(row.balance_fen)), ("经办人", row.handler or ""),
            ("审批人", row.approvers), ("录入", f"{row.created_at.replace('T', ' ')}　{row.created_by or ''}"),
        ]
        for i, (label, value) in enumerate(fields):
            key = QLabel(label)
            key.setStyleSheet(MUTED_STYLE)
            key.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            shown = QLabel(value)
            shown.setWordWrap(label == "摘要")
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(key, i, 0)
            grid.addWidget(shown, i, 1)
        note = QLabel("台账凭证保存后不能修改或删除；如有错误，请冲销后重新录入。")
        note.setStyleSheet(MUTED_STYLE)
        note.setWordWrap(True)
        box = QDialogButtonBox()
        self.reverse_button = box.addButton("冲销这张凭证…", QDialogButtonBox.ButtonRole.ActionRole)
        self.reverse_button.setObjectName("reverseButton")
        self.reverse_button.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.reverse_button.text()) + 40)
        self.reverse_button.setEnabled(row.kind != ledger.REVERSAL and not row.is_reversed)
        self.reverse_button.clicked.connect(self._reverse)
        close = _primary(box.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole))
        close.setDefault(True)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows as messages appear
        layout.setContentsMargins(20, 16, 20, 14)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addWidget(_separator())
        layout.addWidget(box)
        screen_fit.fit(self, max(self.fontMetrics().horizontalAdvance("中") * 36, self.sizeHint().width()))

    def _reverse(self) -> None:
        self.reverseRequested.emit(self.row.id)
        self.accept()


# ---------------------------------------------------------------- 批量拨付


def _preview_columns() -> list[Column]:
    return [
        Column("党支部", "党支部", lambda x: x.branch_name, sample="望湖城北苑小区党支部"),
        Column("所属社区", "所属社区", lambda x: x.community, sample="望湖社区"),
        Column("星级", "星级", lambda x: x.stars, lambda x: "" if x.stars is None else STAR_TEXT.get(x.stars, ""),
               align="center", sample="★★★★★"),
        Column("应拨付", "应拨付", lambda x: x.target_fen, lambda x: formatting.money(x.target_fen), align="right",
               sample="¥10,000.00"),
        Column("已拨付", "已拨付", lambda x: x.already_fen, lambda x: formatting.money(x.already_fen) if x.already_fen else "",
               align="right", sample="¥10,000.00"),
        Column("本次拨付", "本次拨付", lambda x: x.amount_fen, lambda x: formatting.money(x.amount_fen) if x.amount_fen else "不拨付",
               align="right", sample="¥10,000.00", alert=lambda x: x.amount_fen <= 0),
        Column("说明", "说明", lambda x: x.note, sample="已拨付 ¥10,000.00，补足差额"),
    ]


class BulkAllocationDialog(QDialog):
    """批量拨付: a flat amount to every estate branch, or an amount per star level.
    预览 shows every branch and what it gets; 确认拨付 asks once, then writes all or nothing."""

    committed = Signal(list)  # the saved LedgerRows

    def __init__(self, year: int, *, today: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.today = today
        self.plan: BulkPlan | None = None
        self.setObjectName("bulkAllocationDialog")
        self.setWindowTitle("批量拨付")
        names = ledger.people_names()

        self.flat_radio = QRadioButton("统一金额：每个小区（片区）党支部")
        self.flat_radio.setObjectName("flatRadio")
        self.star_radio = QRadioButton("按星级：依据已审定的星级评定结果")
        self.star_radio.setObjectName("starRadio")
        self.flat_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.flat_radio)
        group.addButton(self.star_radio)
        modes = QVBoxLayout()
        modes.setSpacing(4)
        modes.addWidget(self.flat_radio)
        modes.addWidget(self.star_radio)

        self.form = Form()
        self.year = QSpinBox()
        self.year.setObjectName("yearSpin")
        self.year.setRange(2000, today.year)
        self.year.setValue(min(year, today.year))
        self.year.setSuffix(" 年")
        self.form.add("year", "年度", self.year, required=True)
        self.fund = _fund_combo()
        self.form.add("fund", "经费类别", self.fund, required=True)
        self.date = _date_edit("dateEdit", dt.date(2000, 1, 1), today, today)
        self._fit_date_to_year()
        self.form.add("entry_date", "拨付日期", self.date, required=True)

        # flat page
        self.flat_amount = AmountEdit(self, name="flatAmount")
        self.flat_amount.setText(format_fen(ledger.estate_minimum() or 1_000_000).lstrip("¥"))
        flat_page = QWidget()
        flat_form = Form()
        flat_form.add("amount", "每个支部", self.flat_amount, required=True)
        flat_page.setLayout(flat_form.finish())
        # stars page
        star_page = QWidget()
        star_form = Form()
        self.rating_year = QComboBox()
        self.rating_year.setObjectName("ratingYearCombo")
        star_form.add("rating_year", "评定年度", self.rating_year, required=True)
        self.star_amounts: dict[int, AmountEdit] = {}
        defaults = {5: "5000", 4: "3000", 3: "2000", 2: "1000", 1: "500", 0: ""}
        for stars in (5, 4, 3, 2, 1, 0):
            edit = AmountEdit(self, allow_empty=True, name=f"star{stars}Amount")
            edit.setText(defaults[stars])
            self.star_amounts[stars] = edit
            star_form.add(f"star{stars}", STAR_TEXT[stars] if stars else "无星级", edit)
        star_page.setLayout(star_form.finish())
        self.pages = QStackedWidget()
        self.pages.addWidget(flat_page)
        self.pages.addWidget(star_page)

        self.summary = _line("bulkSummaryEdit", "留空则自动生成，如：2026年小区党组织服务群众专项经费拨付")
        self.handler = _line("handlerEdit", "经手的人", names.get("handler"))
        self.approver = _line("approverEdit", "批准的人", names.get("approver"))
        people = Form()
        self.summary_label = people.add("summary", "摘要", self.summary)
        people.add("handler", "经办人", self.handler, required=True)
        people.add("approver", "审批人", self.approver, required=True)
        self.top_up = QCheckBox("只补足差额（本年已拨付的支部不重复拨付）")
        self.top_up.setObjectName("topUpCheck")
        self.top_up.setChecked(True)

        self.preview_button = QPushButton("预览")
        self.preview_button.setObjectName("previewButton")
        self.preview_button.clicked.connect(self.preview)
        self.model = RecordTableModel(_preview_columns(), self)
        self.table = make_table("previewTable", self.model, self, stretch_first=False)
        self.plan_label = QLabel("填好后点「预览」，确认无误再拨付。预览不会写入任何数据。")
        self.plan_label.setObjectName("planLabel")
        self.plan_label.setWordWrap(True)
        self.banner = _banner()
        box, self.commit_button = _buttons(self, "确认拨付")
        self.commit_button.setObjectName("commitButton")
        self.commit_button.setEnabled(False)
        self.commit_button.setDefault(False)
        self.commit_button.setAutoDefault(False)  # Enter previews; writing takes a click and a confirmation
        self.preview_button.setDefault(True)
        box.accepted.connect(self.commit)

        left = QVBoxLayout()
        left.addLayout(modes)
        left.addLayout(self.form)
        left.addWidget(self.pages)
        left.addLayout(people)
        left.addWidget(self.top_up)
        left.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignRight)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.table, 1)
        right.addWidget(self.plan_label)
        right.addWidget(self.banner)
        left_box = QWidget()
        left_box.setObjectName("bulkOptions")
        left_box.setLayout(left)
        left.setContentsMargins(0, 0, 6, 0)
        self.options_scroll = screen_fit.scrolling(left_box, self, name="bulkOptionsScroll")
        body = QHBoxLayout()
        body.addWidget(self.options_scroll, 0)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows as messages appear
        layout.setContentsMargins(20, 16, 20, 14)
        layout.addLayout(body, 1)
        layout.addWidget(_separator())
        layout.addWidget(box)
        screen_fit.fit(self, self.fontMetrics().horizontalAdvance("中") * 86, self.fontMetrics().height() * 36)

        self.flat_radio.toggled.connect(self._mode_changed)
        self.year.valueChanged.connect(lambda _v: (self._fit_date_to_year(), self._load_rating_years(),
                                                   self._invalidate()))
        for w in (self.fund,):
            w.currentIndexChanged.connect(lambda _i: self._invalidate())
        self.rating_year.currentIndexChanged.connect(lambda _i: self._invalidate())
        self.date.dateChanged.connect(lambda _d: self._invalidate())
        for w in (self.summary, self.handler, self.approver):
            w.textChanged.connect(lambda _t: self._invalidate())
        self.flat_amount.changed.connect(self._invalidate)
        for edit in self.star_amounts.values():
            edit.changed.connect(self._invalidate)
        self.top_up.toggled.connect(lambda _on: self._invalidate())
        self._load_rating_years()
        self._select_fund_for_mode()
        self._show_page()
        self.table.setColumnHidden(2, True)

    # ------------------------------------------------------------ state
    def _fit_date_to_year(self) -> None:
        year = self.year.value()
        first, last, default = year_date_range(year, self.today)
        self.date.setDateRange(to_qdate(first), to_qdate(last))
        self.date.setDate(to_qdate(default))

    def _load_rating_years(self) -> None:
        self.rating_year.blockSignals(True)
        self.rating_year.clear()
        for y in reversed([y for y in ledger.finalized_rating_years() if y <= self.year.value()]):
            self.rating_year.addItem(f"{y} 年度", y)
        self.rating_year.blockSignals(False)

    def _select_fund_for_mode(self) -> None:
        """统一金额 goes with the fund that has a yearly minimum; 按星级 with another one."""
        funds: list[FundInfo] = ledger.fund_choices()
        want = None
        if self.star_radio.isChecked():
            others = [f for f in funds if f.minimum_fen == 0 and f.id is not None]
            want = others[0].id if others else None
        else:
            with_minimum = [f for f in funds if f.minimum_fen > 0]
            want = with_minimum[0].id if with_minimum else None
        if want is not None and self.fund.findData(want) >= 0:
            self.fund.setCurrentIndex(self.fund.findData(want))

    def _show_page(self) -> None:
        """Only the shown page counts for the size (a stack is as tall as its tallest page)."""
        current = 0 if self.flat_radio.isChecked() else 1
        for i in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if i == current else QSizePolicy.Policy.Ignored
            self.pages.widget(i).setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(current)
        self.pages.updateGeometry()
        # By star level, each line's 摘要 names its star level ("2025年度5星级党支部…").
        self.summary.setVisible(current == 0)
        self.summary_label.setVisible(current == 0)

    def _mode_changed(self) -> None:
        self._show_page()
        self.table.setColumnHidden(2, self.flat_radio.isChecked())  # 星级
        self._select_fund_for_mode()
        self._invalidate()

    def _invalidate(self) -> None:
        """Any change makes the preview stale: 确认拨付 waits for a new one."""
        if self.plan is not None:
            self.plan = None
            self.model.set_rows([])
            self.plan_label.setText("条件已改变，请重新预览。")
        self.commit_button.setEnabled(False)
        self.banner.setVisible(False)

    def _error(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.setVisible(True)

    # ------------------------------------------------------------ actions
    def preview(self) -> BulkPlan | None:
        self._invalidate()
        common = dict(handler=self.handler.text(), approver=self.approver.text(), fund=self.fund.currentData(),
                      entry_date=from_qdate(self.date.date()), top_up=self.top_up.isChecked(), today=self.today)
        try:
            if self.flat_radio.isChecked():
                amount = self.flat_amount.value()
                if amount is None:
                    self._error(self.flat_amount.error() or "请填写金额。")
                    return None
                plan = ledger.preview_flat_allocation(self.year.value(), amount, summary=self.summary.text() or None,
                                                      **common)
            else:
                amounts = {}
                for stars, edit in self.star_amounts.items():
                    if edit.value() is None:
                        self._error(f"{STAR_TEXT[stars]}：{edit.error()}")
                        return None
                    amounts[stars] = edit.value()
                if self.rating_year.currentData() is None:
                    self._error(f"{self.year.value()} 年及以前没有审定（定级）的星级评定，不能按星级拨付。")
                    return None
                plan = ledger.preview_star_allocation(self.year.value(), amounts,
                                                      rating_year=self.rating_year.currentData(), **common)
        except UserError as exc:
            self._error(exc.message)
            return None
        self.plan = plan
        self.model.set_rows(list(plan.lines))
        n, skipped = len(plan.to_write), len(plan.skipped)
        if n:
            self.plan_label.setText(
                f"将向 {n} 个支部各记一笔拨付，共 {format_fen(plan.total_fen)}（{capital_text(plan.total_fen)}）"
                + (f"；{skipped} 个支部不拨付（见「说明」）。" if skipped else "。")
            )
        else:
            self.plan_label.setText("没有需要拨付的支部" + (f"：{skipped} 个支部都已拨付或不在拨付范围内。" if skipped else "。"))
        self.commit_button.setEnabled(n > 0)
        return plan

    def commit(self) -> None:
        plan = self.plan
        if plan is None or not plan.to_write:
            return
        if not dialogs.ask(
            self,
            "批量拨付",
            f"将向 {len(plan.to_write)} 个支部各记一笔拨付，共 {format_fen(plan.total_fen)}。",
            ok_text="确认拨付",
            informative="凭证保存后不能修改或删除，如有错误只能逐笔冲销。",
            default_ok=False,
        ):
            return
        try:
            rows = ledger.commit_bulk_allocation(plan, today=self.today)
        except UserError as exc:
            self._error(exc.message)
            self.commit_button.setEnabled(False)
            return
        self.committed.emit(rows)
        self.accept()
        total = sum(r.amount_fen for r in rows)
        dialogs.inform(self.parentWidget(), "批量拨付",
                       f"已向 {len(rows)} 个支部各记一笔拨付，共 {format_fen(total)}（{capital_text(total)}）。",
                       "每笔都有自己的凭证号，可在各支部的台账中查看；如有错误，请逐笔冲销。")


# ---------------------------------------------------------------- 经费类别


class FundsDialog(QDialog):
    """The funds: name, whether the year's balance carries over, the yearly minimum per
    estate branch; a new fund. Only administrators may change them."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("fundsDialog")
        self.setWindowTitle("经费类别")
        self.rows: dict[int, tuple[QCheckBox, AmountEdit, FundInfo]] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        for c, title in enumerate(("经费类别", "年末余额结转下年", "每个小区党支部每年不少于")):
            head = QLabel(title)
            head.setStyleSheet(MUTED_STYLE)
            grid.addWidget(head, 0, c)
        funds = ledger.funds()
        for i, f in enumerate(funds, 1):
            carry = QCheckBox("结转")
            carry.setObjectName(f"carry{f.id}")
            carry.setChecked(f.carries_over)
            minimum = AmountEdit(self, allow_empty=True, name=f"minimum{f.id}", empty_text="不设最低标准")
            minimum.setText(format_fen(f.minimum_fen).lstrip("¥") if f.minimum_fen else "")
            grid.addWidget(QLabel(f.name), i, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(carry, i, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(minimum, i, 2)
            self.rows[f.id] = (carry, minimum, f)
            minimum.changed.connect(self._check)
        if not funds:
            empty = QLabel(f"还没有经费类别。录入第一笔拨付时会自动建立「{ledger.DEFAULT_FUND_NAME}」，也可以在下面新增。")
            empty.setWordWrap(True)
            grid.addWidget(empty, 1, 0, 1, 3)
        self.new_name = _line("newFundEdit", "新经费类别的名称，如：党建工作经费")
        self.add_button = QPushButton("新增")
        self.add_button.setObjectName("addFundButton")
        self.add_button.clicked.connect(self.add_fund)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(self.add_button)
        note = QLabel("不结转：每年年初余额从零开始（许多地方要求经费当年用完）。结转：上年期末余额记入本年「上年结转」。")
        note.setWordWrap(True)
        note.setStyleSheet(MUTED_STYLE)
        self.banner = _banner()
        box, self.save_button = _buttons(self, "保存")
        box.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows as messages appear
        layout.setContentsMargins(20, 16, 20, 14)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addLayout(add_row)
        layout.addWidget(self.banner)
        layout.addWidget(_separator())
        layout.addWidget(box)
        screen_fit.fit(self, max(self.fontMetrics().horizontalAdvance("中") * 40, self.sizeHint().width()))
        self._check()

    def _check(self) -> None:
        ok = all(minimum.value() is not None for _c, minimum, _f in self.rows.values())
        self.save_button.setEnabled(ok)

    def _run(self, fn: Callable[[], object]) -> bool:
        try:
            fn()
        except UserError as exc:
            self.banner.setText(exc.message)
            self.banner.setVisible(True)
            return False
        return True

    def add_fund(self) -> None:
        name = self.new_name.text().strip()
        if not name:
            self.banner.setText("请填写新经费类别的名称。")
            self.banner.setVisible(True)
            return
        if self._run(lambda: ledger.create_fund(name)):
            self.changed.emit()
            self.accept()

    def save(self) -> None:
        for fund_id, (carry, minimum, info) in self.rows.items():
            on = carry.isChecked()
            if on != info.carries_over and not self._run(
                    lambda fund_id=fund_id, on=on: ledger.set_fund_carries_over(fund_id, on)):
                return
            value = minimum.value() or 0
            if value != info.minimum_fen and not self._run(
                    lambda fund_id=fund_id, value=value: ledger.set_fund_minimum(fund_id, value)):
                return
        self.changed.emit()
        self.accept()
