"""The 星级评定 tab with pytest-qt: the demo's previous year (66 at one star or more, 7
five-star) in the grid and the results; typing scores (a value above the maximum is
refused, valid ones change the star live), the veto, finalizing (the grid becomes
read-only), reopening, ties at the five-star cap, filters, the stage selector, the
scheme editor, exports from the tab; every item model through `qtmodeltester`.

No test waits on a modal dialog: `ui.dialogs` and the question functions of
`ui.rating_tab` are monkeypatched."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QStyleOptionViewItem

from models import AuditEvent, Branch, Community, RatingScore
from ui import dialogs
from ui import rating_tab as tab_module
from ui.rating_grid_model import (
    BRANCH_ID_ROLE,
    COL_SELF,
    COL_SOURCE,
    COL_STARS,
    COL_TOTAL,
    COL_VETO,
    FIXED_COLUMNS,
    STARS_ROLE,
    PointsValidator,
    RatingGridModel,
    ScoreDelegate,
)
from ui.rating_results import EMPTY_HISTORY, RatingResultsPage, StarLine
from ui.rating_scheme_dialog import CriteriaTableModel, Line, RatingSchemeDialog
from ui.rating_tab import RatingTab
from ui.record_table_model import ID_ROLE, OBJECT_ROLE, SORT_ROLE, RecordTableModel
from wanghu_desk.rating_rules import format_points
from wanghu_desk.services import rating
from wanghu_desk.services.base import Actor, acting_as

YEAR = 2026
TODAY = dt.date.today()


class Questions:
    """Stands in for `ui.dialogs` and the tab's question functions."""

    def __init__(self):
        self.calls: list[tuple[str, str]] = []
        self.answer: bool | None = None
        self.text: str | None = None
        self.veto_reason: str | None = "三年未发展党员"
        self.save_path: str | None = None
        self.new_round: tuple[int, str] | None = None
        self.cap_decision: tuple[str | None, str] | None = None

    def ask(self, parent, title, text, *args, **kwargs):
        self.calls.append(("ask", text))
        if self.answer is None:
            raise AssertionError(f"unexpected question: {text}")
        return self.answer

    def notice(self, kind):
        return lambda parent, title, text, *a, **k: self.calls.append((kind, text))

    def kinds(self) -> list[str]:
        return [k for k, _ in self.calls]


@pytest.fixture(autouse=True)
def questions(monkeypatch) -> Questions:
    q = Questions()
    monkeypatch.setattr(dialogs, "ask", q.ask)
    for kind in ("inform", "warn", "error"):
        monkeypatch.setattr(dialogs, kind, q.notice(kind))
    monkeypatch.setattr(dialogs, "crash", lambda *a, **k: q.calls.append(("crash", "")))
    monkeypatch.setattr(tab_module, "ask_text", lambda *a, **k: q.text)
    monkeypatch.setattr(tab_module, "ask_veto_reason", lambda *a, **k: q.veto_reason)
    monkeypatch.setattr(tab_module, "choose_save_path", lambda *a, **k: q.save_path)
    monkeypatch.setattr(tab_module, "ask_new_round", lambda *a, **k: q.new_round)
    monkeypatch.setattr(tab_module, "ask_cap_decision", lambda *a, **k: q.cap_decision)
    monkeypatch.setattr(tab_module, "ask_publicity", lambda parent, start, days: pytest.fail("unexpected dialog"))
    monkeypatch.setattr(tab_module, "open_scheme_dialog", lambda *a, **k: pytest.fail("unexpected dialog"))
    return q


def make_branches(n: int) -> list[int]:
    communities = [Community.get_or_create(name=name)[0] for name in ("望湖社区", "南湖社区")]
    ids = []
    for i in range(n):
        b = Branch.create(name=f"测试{i + 1:02d}小区党支部", category="estate" if i % 3 else "grid",
                          community=communities[i % 2], sort_order=i + 1)
        ids.append(b.id)
    return ids


def spread(total_cp: int, scheme: rating.SchemeInfo) -> dict[int, int]:
    out, left = {}, total_cp
    for c in scheme.score_items:
        out[c.id] = min(c.max_cp, left)
        left -= out[c.id]
    return out


def fill(year: int, branch_ids, total_cp: int = 7500, stage: str = "street") -> None:
    scheme = rating.scheme_for_year(year)
    rating.set_scores(year, stage, [(b, cid, cp) for b in branch_ids for cid, cp in spread(total_cp, scheme).items()])


@pytest.fixture
def ten(fresh_db):
    ids = make_branches(10)
    rating.create_round(YEAR, source="default")
    return ids


@pytest.fixture
def tab(qtbot) -> RatingTab:
    widget = RatingTab()
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.refresh()  # the tab reads its data when first shown (or refreshed), not when built
    return widget


def star_text(tab: RatingTab, row: int) -> str:
    return tab.model.index(row, COL_STARS).data()


def item_col(tab: RatingTab, k: int = 0) -> int:
    return FIXED_COLUMNS + k


def open_editor(qtbot, tab: RatingTab, row: int, col: int) -> QLineEdit:
    index = tab.model.index(row, col)
    tab.view.setCurrentIndex(index)
    tab.view.edit(index)
    # A closed editor waits for deletion, hidden: take the open one.
    editors = [e for e in tab.view.findChildren(QLineEdit, "pointsEditor") if not e.isHidden()]
    assert len(editors) == 1
    return editors[0]


# ---------------------------------------------------------------- the demo


def test_the_demo_previous_year_in_the_tab(qtbot, demo_db, tab):
    tab.show_year(2025)
    model = tab.model
    stars = [model.index(r, COL_STARS).data(STARS_ROLE) for r in range(model.rowCount())]
    assert len(stars) == 74
    assert sum(1 for s in stars if s >= 1) == 66
    assert sum(1 for s in stars if s == 5) == 7
    assert sum(1 for r in range(74) if model.index(r, COL_STARS).data() == "一票否决") == 2
    assert tab.progress_label.text() == "已审定 74/74"
    assert tab.results.summary_label.text() == "2025 年度：74 个支部中一星以上 66 个，五星 7 个"
    dist = tab.results.distribution_model
    assert [dist.index(r, 1).data() for r in range(dist.rowCount())] == ["7", "24", "19", "10", "6", "8", "74"]
    assert tab.results.chart.counts == {0: 8, 1: 6, 2: 10, 3: 19, 4: 24, 5: 7}
    assert "已定级" in tab.status_label.text() and "公示 2026-03-14 至 2026-03-19" in tab.status_label.text()
    assert tab.status_text() == "2025 年度 · 已定级 · 已审定 74/74 · 共 74 个支部"
    # Finalized: read-only, the banner says so, no edit button but 重新开放.
    assert model.read_only
    assert not model.flags(model.index(0, item_col(tab))) & Qt.ItemFlag.ItemIsEditable
    assert "只能查看" in tab.banner.text() and tab.banner.isVisibleTo(tab)
    assert tab.reopen_button.isVisibleTo(tab) and not tab.finalize_button.isVisibleTo(tab)
    # The self-declared star is shown beside the computed one, differences highlighted.
    differs = [r for r in range(74) if model.index(r, COL_SELF).data(Qt.ItemDataRole.BackgroundRole) is not None]
    assert differs
    row = differs[0]
    assert model.index(row, COL_STARS).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "自评" in model.index(row, COL_SELF).data(Qt.ItemDataRole.ToolTipRole)


def test_the_grid_model_passes_the_model_tester(qtmodeltester, demo_db, questions):
    model = RatingGridModel(ask_veto_reason=lambda *a: None)
    model.load(2025)
    qtmodeltester.check(model, force_py=True)
    rating.create_round(2026)
    model.load(2026)
    model.set_stage("self")
    model.set_filter(community="望湖社区")
    model.sort(COL_TOTAL, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=True)


def test_the_results_models_pass_the_model_tester(qtbot, qtmodeltester, demo_db):
    page = RatingResultsPage()
    qtbot.addWidget(page)
    dist, history = page.distribution_model, page.history_model
    assert isinstance(dist, RecordTableModel) and isinstance(history, RecordTableModel)
    qtmodeltester.check(dist, force_py=True)  # stays connected: checks every change below
    qtmodeltester.check(history, force_py=True)
    page.show_year(2025)
    assert dist.rowCount() == 7 and history.rowCount() == 74
    rating.create_round(2026)
    page.show_year(2026)  # one more year column: the columns are set again
    assert history.columnCount() == 3 + 2 + 1
    page.search.setText("社区")
    page.community_combo.setCurrentIndex(1)
    history.sort(4, Qt.SortOrder.DescendingOrder)
    page.only_dropped.setChecked(True)
    page.filter_bar.clear()
    page.show_year(None)
    qtmodeltester.check(dist, force_py=True)
    qtmodeltester.check(history, force_py=True)
    lines = [Line(c.kind, c.dimension, c.item, c.max_cp, c.id) for c in rating.scheme_for_year(2026).criteria]
    criteria = CriteriaTableModel(lines)
    qtmodeltester.check(criteria, force_py=True)
    criteria.add("score")
    criteria.move(0, 1)
    criteria.remove(3)
    qtmodeltester.check(criteria, force_py=True)


def test_history_arrows_and_the_branches_that_dropped(qtbot, demo_db, tab):
    rating.create_round(2026)
    before = rating.year_result(2025).by_branch()
    five = next(b for b, r in before.items() if r.stars == 5)
    fill(2026, [five], 8500)
    tab.refresh()
    tab.show_year(2026)
    page = tab.results
    history = page.history_model
    assert history.headerData(4, Qt.Orientation.Horizontal) == "2026年度（评定中）"
    row = next(r for r in range(history.rowCount()) if history.index(r, 0).data(ID_ROLE) == five)
    assert history.index(row, 4).data() == "★★★★☆ ↓1"
    assert history.index(row, 5).data() == "↓1"
    page.only_dropped.setChecked(True)
    assert [history.index(r, 0).data(ID_ROLE) for r in range(history.rowCount())] == [five]
    assert page.only_dropped.text() == "只看较上年下降的支部（1 个）"
    # Colours: a drop in the accent red, unchanged in grey; the star text and its tooltip.
    red = history.index(0, 4).data(Qt.ItemDataRole.ForegroundRole).color().name().upper()
    assert red == "#C8161D" and history.index(0, 5).data(Qt.ItemDataRole.ForegroundRole).color().name().upper() == red
    assert history.index(0, 4).data(Qt.ItemDataRole.ToolTipRole) == "2026 年度：四星（较上年降 1 星）"
    assert history.index(0, 3).data() == "★★★★★" and history.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) is None
    assert history.index(0, 4).data(SORT_ROLE) == 4 and history.index(0, 5).data(SORT_ROLE) == -1
    page.only_dropped.setChecked(False)
    others = [r for r in range(history.rowCount()) if history.index(r, 0).data(ID_ROLE) != five]
    unscored = history.index(others[0], 4)
    assert unscored.data() == "—" and unscored.data(SORT_ROLE) is None
    assert unscored.data(Qt.ItemDataRole.ForegroundRole).color().name().upper() == "#8A8A8A"
    assert history.index(others[0], 5).data() == "—"


def test_history_filter_bar_sorting_and_empty_states(qtbot, demo_db, tab):
    tab.show_year(2025)
    page = tab.results
    history = page.history_model
    tab.show()
    qtbot.waitExposed(tab)
    tab.pages.setCurrentWidget(page)
    count = page.filter_bar.count_label
    assert count.text() == "共 74 个支部，显示 74 个" and not page.history_empty.isVisible()
    assert history.index(0, 4).data() == "—"  # the first year: nothing to compare with
    assert history.index(0, 4).data(Qt.ItemDataRole.ToolTipRole) == "2025 年度是第一个评定年度，没有上一年度可比"
    # Sorting by a year: five stars first, 一票否决 below 未定星.
    page.history_view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    keys = [history.index(r, 3).data(SORT_ROLE) for r in range(history.rowCount())]
    assert keys == sorted(keys, reverse=True) and keys[-2:] == [-1, -1]
    assert history.index(0, 3).data().startswith("★★★★★")
    assert [history.index(r, 3).data() for r in range(72, 74)] == ["否决", "否决"]
    # The search and the community filter; nothing left: the empty state offers 清除筛选.
    community = page.community_combo.itemData(1)
    page.community_combo.setCurrentIndex(1)
    assert {history.index(r, 1).data() for r in range(history.rowCount())} == {community}
    page.search.setText("没有这个支部")
    assert history.rowCount() == 0 and count.text() == "共 74 个支部，显示 0 个"
    assert page.history_empty.isVisible() and page.history_empty.showing_no_match
    assert "没有符合条件的支部" in page.history_empty.label.text()
    page.only_dropped.setChecked(True)
    qtbot.mouseClick(page.history_empty.clear_button, Qt.MouseButton.LeftButton)
    assert history.rowCount() == 74 and page.search.text() == "" and page.community_combo.currentIndex() == 0
    assert not page.only_dropped.isChecked() and not page.history_empty.isVisible()
    # The distribution: the 合计 line in bold (the view's delegate), five stars first.
    dist = page.distribution_model
    assert dist.index(0, 0).data().startswith("★★★★★") and dist.index(6, 0).data() == "合计"
    assert isinstance(dist.index(6, 0).data(OBJECT_ROLE), StarLine)
    delegate = page.distribution_view.itemDelegate()
    total, five = QStyleOptionViewItem(), QStyleOptionViewItem()
    delegate.initStyleOption(total, dist.index(6, 1))
    delegate.initStyleOption(five, dist.index(0, 1))
    assert total.font.bold() and not five.font.bold()
    assert dist.index(5, 0).data(Qt.ItemDataRole.ToolTipRole) == "含一票否决 2 个"


def test_history_empty_state_before_any_rating(qtbot, fresh_db):
    page = RatingResultsPage()
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.show_year(None)
    assert page.history_model.rowCount() == 0 and page.history_empty.isVisible()
    assert page.history_empty.label.text() == EMPTY_HISTORY and not page.history_empty.clear_button.isVisible()
    assert page.distribution_empty.isVisible() and page.summary_label.text() == "还没有星级评定结果。"


# ---------------------------------------------------------------- entering scores


def test_a_score_above_the_maximum_is_refused(qtbot, ten, tab, questions):
    col = item_col(tab)  # 1.1, 满分 6 分
    editor = open_editor(qtbot, tab, 0, col)
    qtbot.keyClicks(editor, "9")
    assert editor.text() == ""  # the keystroke is refused
    qtbot.keyClicks(editor, "6.5")
    assert editor.text() == "6."  # the "5" would leave 0 … 6
    qtbot.keyClick(editor, Qt.Key.Key_Escape)  # closes the editor without saving
    with qtbot.waitSignal(tab.model.refused) as refused:
        assert tab.model.setData(tab.model.index(0, col), "9") is False
    assert refused.args == ["该项满分 6 分，不能填 9。"]
    assert tab.detail_label.text() == "该项满分 6 分，不能填 9。"
    assert tab.model.setData(tab.model.index(0, col), "-1") is False
    assert RatingScore.select().count() == 0
    validator = PointsValidator(600)
    assert validator.validate("7", 1)[0] == validator.State.Invalid
    assert validator.validate("5.", 2)[0] == validator.State.Intermediate
    assert validator.validate("６", 1)[:2] == (validator.State.Acceptable, "6")
    assert PointsValidator(500, "deduction").validate("-3", 2)[0] == validator.State.Acceptable



def test_a_refused_keystroke_and_a_trailing_point_are_not_dropped_silently(qtbot, ten, tab):
    col = next(c for c in range(tab.model.columnCount()) if tab.model.column(c).kind == "item")
    max_cp = tab.model.column(col).criterion.max_cp
    delegate = ScoreDelegate()
    editor = delegate.createEditor(tab.view.viewport(), QStyleOptionViewItem(), tab.model.index(0, col))
    qtbot.addWidget(editor)
    limit = format_points(max_cp)
    with qtbot.waitSignal(tab.model.refused, timeout=1000) as refused:
        qtbot.keyClicks(editor, "7")  # above the item's maximum: the keystroke is refused and says why
    assert refused.args == [f"这一项最多 {limit} 分，7 超出了，请改填 0 至 {limit}。"]
    assert tab.detail_label.text() == refused.args[0]
    assert editor.validator().fixup("5.") == "5"  # "5." is taken as 5 when the editor closes
    editor.setText("5.")
    delegate.setModelData(editor, tab.model, tab.model.index(0, col))
    assert tab.model.index(0, col).data(Qt.ItemDataRole.EditRole) in ("5", "5.00", 5, "5.0")


def test_typing_valid_scores_changes_the_star_live(qtbot, ten, tab):
    scheme = rating.scheme_for_year(YEAR)
    assert star_text(tab, 0) == "未评分"
    # Type the first item in the editor and press Enter.
    editor = open_editor(qtbot, tab, 0, item_col(tab))
    qtbot.keyClicks(editor, "5.5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event loop turn
    qtbot.waitUntil(lambda: tab.model.index(0, item_col(tab)).data() == "5.5")
    assert tab.model.index(0, COL_TOTAL).data() == "5.5"
    assert star_text(tab, 0) == "☆☆☆☆☆"
    # The other items through the model, to a total of 89: four stars.
    rest, left = {}, 8900 - 550
    for c in scheme.score_items[1:]:
        rest[c.id] = min(c.max_cp, left)
        left -= rest[c.id]
    for k, c in enumerate(scheme.score_items[1:], 1):
        assert tab.model.setData(tab.model.index(0, item_col(tab, k)), format_points(rest[c.id]))
    assert tab.model.index(0, COL_TOTAL).data() == "89"
    assert star_text(tab, 0) == "★★★★☆"
    # 1.1 typed up to 6: 89.5, still four stars (89.99 would be too).
    editor = open_editor(qtbot, tab, 0, item_col(tab))
    editor.selectAll()
    qtbot.keyClicks(editor, "6")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.model.index(0, COL_TOTAL).data() == "89.5")
    assert star_text(tab, 0) == "★★★★☆"
    # Half a point more on an item that has room: exactly 90, five stars.
    k, c = next((k, c) for k, c in enumerate(scheme.score_items[1:], 1) if rest[c.id] < c.max_cp)
    assert tab.model.setData(tab.model.index(0, item_col(tab, k)), format_points(rest[c.id] + 50))
    assert tab.model.index(0, COL_TOTAL).data() == "90"
    assert star_text(tab, 0) == "★★★★★"
    assert tab.progress_label.text() == "已审定 1/10"
    # A deduction brings it back under 90; Delete clears it again.
    deduction = FIXED_COLUMNS + len(scheme.score_items)
    assert tab.model.setData(tab.model.index(0, deduction), "-1")  # "-1" in a deduction column = 1 off
    assert tab.model.index(0, deduction).data() == "−1"
    assert star_text(tab, 0) == "★★★★☆"
    tab.view.setCurrentIndex(tab.model.index(0, deduction))
    tab.clear_current()
    assert star_text(tab, 0) == "★★★★★"


def test_veto_a_branch_and_its_star_goes_to_none(qtbot, ten, tab, questions):
    fill(YEAR, ten[:1], 9200)
    tab.refresh()
    assert star_text(tab, 0) == "★★★★★"
    veto = tab.model.index(0, COL_VETO)
    questions.veto_reason = None  # the clerk cancels the reason: nothing happens
    assert tab.model.setData(veto, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole) is False
    assert star_text(tab, 0) == "★★★★★"
    questions.veto_reason = "三年未发展党员"
    with qtbot.waitSignal(tab.data_changed):
        assert tab.model.setData(veto, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert star_text(tab, 0) == "一票否决"
    assert tab.model.index(0, COL_STARS).data(STARS_ROLE) == 0
    assert tab.model.index(0, COL_VETO).data() == "三年未发展党员"
    assert tab.model.index(0, COL_VETO).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    tab.show()
    qtbot.waitExposed(tab)
    tab.pages.setCurrentWidget(tab.results)  # the results page catches up when shown
    assert "一票否决 1 个" in tab.results.detail_label.text()
    tab.pages.setCurrentIndex(0)
    assert tab.model.setData(veto, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert star_text(tab, 0) == "★★★★★"
    menu = tab.build_context_menu(tab.model.index(0, COL_STARS))
    assert "一票否决…" in [a.text() for a in menu.actions()]


def test_stage_selector_and_the_fallback_shown_as_such(qtbot, ten, tab):
    fill(YEAR, ten[:1], 8000, stage="self")
    tab.refresh()
    cell = tab.model.index(0, item_col(tab))
    assert tab.model.stage == "street"
    assert cell.data() == "6"  # from 自评, shown in grey italics
    font = cell.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    assert "沿用自评" in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert cell.data(Qt.ItemDataRole.EditRole) == ""  # the street stage itself is empty
    assert tab.model.index(0, COL_SOURCE).data() == "自评"
    assert tab.model.headerData(4, Qt.Orientation.Horizontal) == "街道审定\n小计"
    qtbot.mouseClick(tab.stage_buttons["self"], Qt.MouseButton.LeftButton)
    assert tab.model.stage == "self"
    assert tab.model.headerData(4, Qt.Orientation.Horizontal) == "自评\n小计"
    assert tab.model.index(0, 4).data() == "80"
    assert tab.model.index(0, item_col(tab)).data(Qt.ItemDataRole.FontRole) is None
    # A 社区初评 score overrides one item; the total says where it came from.
    tab.set_stage("community")
    assert tab.model.setData(tab.model.index(0, item_col(tab)), "3")
    assert tab.model.index(0, COL_SOURCE).data() == "社区初评＊"
    assert tab.model.index(0, COL_TOTAL).data() == "77"


def test_filters_by_community_and_category_and_search(qtbot, ten, tab):
    assert tab.model.rowCount() == 10
    tab.community_combo.setCurrentIndex(tab.community_combo.findData("南湖社区"))
    assert tab.model.rowCount() == 5
    assert {tab.model.index(r, 0).data(BRANCH_ID_ROLE) for r in range(5)} == set(ten[1::2])
    tab.category_combo.setCurrentIndex(tab.category_combo.findData("grid"))
    assert tab.model.rowCount() == 2  # 测试04, 测试10
    assert tab.status_text().endswith("显示 2 个")
    tab.search.setText("10")
    assert tab.model.rowCount() == 1
    tab.search.setText("没有这个")
    assert tab.model.rowCount() == 0 and tab.grid_stack.currentWidget() is tab.grid_empty
    tab.search.clear()
    tab.community_combo.setCurrentIndex(0)
    tab.category_combo.setCurrentIndex(0)
    assert tab.model.rowCount() == 10 and tab.grid_stack.currentWidget() is tab.view


# ---------------------------------------------------------------- 公示, finalize, reopen


def test_finalize_asks_first_and_makes_the_grid_read_only(qtbot, ten, tab, questions):
    fill(YEAR, ten, 7600)
    assert not tab.finalize_button.isEnabled()  # not publicized yet
    rating.start_publicity(YEAR, TODAY - dt.timedelta(days=10))
    tab.refresh()
    assert tab.finalize_button.isEnabled()
    questions.answer = False
    qtbot.mouseClick(tab.finalize_button, Qt.MouseButton.LeftButton)
    assert not tab.model.read_only
    questions.answer = True
    with qtbot.waitSignal(tab.data_changed):
        qtbot.mouseClick(tab.finalize_button, Qt.MouseButton.LeftButton)
    asked = [t for k, t in questions.calls if k == "ask"]
    assert asked[-1] == "将 2026 年度星级评定定级：10 个支部中一星以上 10 个，五星 0 个。"
    assert rating.round_info(YEAR).is_finalized
    model = tab.model
    assert model.read_only
    index = model.index(0, item_col(tab))
    assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, COL_VETO)) & Qt.ItemFlag.ItemIsUserCheckable
    tab.view.setCurrentIndex(index)
    assert not tab.view.edit(index, QAbstractItemView.EditTrigger.AllEditTriggers, None)
    assert not [e for e in tab.view.findChildren(QLineEdit, "pointsEditor") if not e.isHidden()]
    assert model.setData(index, "1") is False
    assert "已定级" in tab.detail_label.text()
    assert "只能查看" in tab.banner.text()
    assert tab.reopen_button.isVisibleTo(tab) and not tab.publicity_button.isVisibleTo(tab)
    tab.show()
    qtbot.waitExposed(tab)
    tab.pages.setCurrentWidget(tab.results)
    assert tab.results.summary_label.text() == "2026 年度：10 个支部中一星以上 10 个，五星 0 个"


def test_finalize_before_publicity_says_why(qtbot, ten, tab, questions):
    fill(YEAR, ten[:3], 7600)
    tab.finalize()
    assert questions.kinds() == ["warn"]
    text = questions.calls[0][1]
    assert "还没有公示" in text and "还没有任何评分" in text


def test_reopen_by_an_administrator_with_a_reason(qtbot, ten, tab, questions):
    fill(YEAR, ten, 7600)
    rating.start_publicity(YEAR, TODAY - dt.timedelta(days=10))
    rating.finalize(YEAR)
    tab.refresh()
    questions.text = None
    tab.reopen()
    assert rating.round_info(YEAR).is_finalized  # no reason, nothing happens
    questions.text = "复核第三小区党支部的群众评价得分"
    qtbot.mouseClick(tab.reopen_button, Qt.MouseButton.LeftButton)
    assert rating.round_info(YEAR).status == "open"
    assert not tab.model.read_only
    event = AuditEvent.select().where(AuditEvent.action == "reopen").get()
    assert event.note == "复核第三小区党支部的群众评价得分"


def test_a_clerk_cannot_reopen_and_a_viewer_cannot_edit(qtbot, ten, questions):
    fill(YEAR, ten, 7600)
    rating.start_publicity(YEAR, TODAY - dt.timedelta(days=10))
    rating.finalize(YEAR)
    with acting_as(Actor("clerk1", "录入员", "clerk")):
        widget = RatingTab()
        qtbot.addWidget(widget)
        widget.refresh()
        assert not widget.reopen_button.isEnabled()
        assert "管理员" in widget.reopen_button.toolTip()
    rating.reopen(YEAR, "复核")
    with acting_as(Actor("viewer1", "查看", "viewer")):
        widget = RatingTab()
        qtbot.addWidget(widget)
        widget.refresh()
        assert widget.model.read_only
        assert "只能查看" in widget.banner.text()
        assert not widget.new_button.isEnabled()


# ---------------------------------------------------------------- rounds, ties, scheme


def test_new_round_from_the_empty_state(qtbot, fresh_db, tab, questions):
    make_branches(4)
    tab.refresh()
    assert tab.stack.currentIndex() == 1
    assert tab.status_text() == "还没有星级评定。点击「新建年度」开始评定。"
    questions.new_round = (YEAR, "default")
    with qtbot.waitSignal(tab.data_changed):
        qtbot.mouseClick(tab.empty_new_button, Qt.MouseButton.LeftButton)
    assert tab.stack.currentIndex() == 0 and tab.year == YEAR
    assert tab.model.rowCount() == 4
    assert tab.year_combo.currentText() == "2026 年度"
    assert tab.progress_label.text() == "已审定 0/4"
    # A branch founded later: the banner offers to add it.
    Branch.create(name="新成立党支部", category="estate", sort_order=99)
    tab.refresh()
    assert "有 1 个党支部不在本年度评定名单中：新成立党支部" in tab.banner.text()
    assert tab.add_missing_button.isVisibleTo(tab)
    qtbot.mouseClick(tab.add_missing_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 5 and not tab.add_missing_button.isVisibleTo(tab)


def test_a_tie_at_the_cap_is_shown_and_settled_from_the_tab(qtbot, fresh_db, tab, questions):
    ids = make_branches(20)  # two five-star places
    rating.create_round(YEAR, source="default")
    fill(YEAR, ids, 7500)
    fill(YEAR, ids[:3], 9500)
    tab.refresh()
    assert "3 个支部同为 95 分" in tab.banner.text()
    assert star_text(tab, 0) == "★★★★★  待裁定"
    menu = tab.build_context_menu(tab.model.index(0, COL_STARS))
    assert "记录同分裁定…" in [a.text() for a in menu.actions()]
    assert "「记录同分裁定…」" in tab.banner.text()  # the banner names the real menu item
    questions.cap_decision = ("keep", "经街道党工委会议研究")
    tab.decide_tie(ids[0])
    tab.decide_tie(ids[1])
    assert [star_text(tab, r) for r in range(3)] == ["★★★★★", "★★★★★", "★★★★☆"]
    assert "同为 95 分" not in tab.banner.text()
    assert "名额限制" in tab.model.index(2, COL_STARS).data(Qt.ItemDataRole.ToolTipRole)


def test_scheme_dialog_edits_and_refuses(qtbot, ten):
    scheme = rating.scheme_for_year(YEAR)
    dialog = RatingSchemeDialog(None, scheme.id, year=YEAR)
    qtbot.addWidget(dialog)
    assert not dialog.read_only and dialog.save_button.isVisibleTo(dialog)
    assert dialog.totals_label.text() == "计分项满分 100 分 · 减分项 3 项 · 一票否决 4 项"
    dialog.threshold_edits[5].setText("85")
    dialog.threshold_edits[4].setText("85")
    dialog.save()
    assert "高于四星" in dialog.error_text()
    dialog.threshold_edits[5].setText("92")
    row = dialog.criteria_model.add("veto")
    dialog.save()
    assert "请填写评定内容" in dialog.error_text()
    assert dialog.criteria_model.setData(dialog.criteria_model.index(row, 2), "拒不执行上级党组织决定")
    dialog.cap_spin.setValue(15)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    saved = rating.scheme_for_year(YEAR)
    assert saved.thresholds[5] == 9200 and saved.caps == {5: 15}
    assert saved.vetoes[-1].item == "拒不执行上级党组织决定"


def test_scheme_dialog_keeps_scored_items_and_opens_locked_schemes_read_only(qtbot, demo_db):
    locked = RatingSchemeDialog(None, rating.scheme_for_year(2025).id, year=2025)
    qtbot.addWidget(locked)
    assert locked.read_only and "已定级" in locked.locked_label.text()
    assert not locked.save_button.isVisibleTo(locked)
    assert not locked.criteria_model.flags(locked.criteria_model.index(0, 2)) & Qt.ItemFlag.ItemIsEditable
    rating.create_round(2026)
    scheme = rating.scheme_for_year(2026)
    first = scheme.score_items[0]
    rating.set_score(2026, Branch.select().first().id, first.id, "self", 300)
    dialog = RatingSchemeDialog(None, scheme.id, year=2026)
    qtbot.addWidget(dialog)
    assert dialog.criteria_model.index(0, 4).data() == "1 条"
    assert dialog.criteria_model.remove(0) == f"「{first.item}」已有 1 条评分，不能删除。"
    dialog.criteria_view.selectRow(1)
    dialog._move(1)
    assert dialog.criteria_model.lines[2].item == scheme.score_items[1].item


def test_the_scheme_button_opens_the_editor(qtbot, ten, tab, monkeypatch):
    opened = []
    monkeypatch.setattr(tab_module, "open_scheme_dialog", lambda parent, sid, year: opened.append((sid, year)) or True)
    with qtbot.waitSignal(tab.data_changed):
        qtbot.mouseClick(tab.scheme_button, Qt.MouseButton.LeftButton)
    assert opened == [(rating.scheme_for_year(YEAR).id, YEAR)]


def test_publicity_from_the_tab(qtbot, ten, tab, monkeypatch):
    monkeypatch.setattr(tab_module, "ask_publicity", lambda parent, start, days: (dt.date(2027, 3, 10), days))
    qtbot.mouseClick(tab.publicity_button, Qt.MouseButton.LeftButton)
    info = rating.round_info(YEAR)
    assert (info.status, info.publicity_end) == ("publicity", dt.date(2027, 3, 14))
    assert tab.status_label.text() == "公示中 · 公示 2027-03-10 至 2027-03-14"


# ---------------------------------------------------------------- exports from the tab


def test_export_excel_and_pdf_from_the_tab(qtbot, demo_db, tab, questions, tmp_path):
    tab.show_year(2025)
    questions.save_path = str(tmp_path / "评定结果")
    questions.answer = False  # 关闭, not 打开文件
    task = tab.export_excel()
    with qtbot.waitSignal(task.worker.signals.finished, timeout=20_000):
        pass
    out = tmp_path / "评定结果.xlsx"
    assert out.exists()
    assert questions.calls[-1][0] == "ask" and str(out) in questions.calls[-1][1]  # offers 打开文件
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("评定结果").to_python()
    header = rows[2]
    stars = [int(r[header.index("星级")]) for r in rows[3:]]
    assert len(stars) == 74 and sum(s >= 1 for s in stars) == 66 and stars.count(5) == 7

    questions.save_path = str(tmp_path / "公示.pdf")
    task = tab.export_pdf()
    with qtbot.waitSignal(task.worker.signals.finished, timeout=30_000):
        pass
    assert (tmp_path / "公示.pdf").read_bytes()[:5] == b"%PDF-"


def test_the_history_keeps_room_for_eight_rows_and_the_page_scrolls(qtbot, demo_db):
    from ui.rating_results import RatingResultsPage

    page = RatingResultsPage()
    qtbot.addWidget(page)
    view = page.history_view
    assert view.minimumHeight() >= 8 * view.verticalHeader().defaultSectionSize()
    assert page.scroll.widget().isAncestorOf(view)  # a short screen scrolls the page, not squeezes the list
