"""The one table model of every list (`ui.record_table_model`): the Qt model tester on
mixed data (empty cells, Chinese, numbers, dates), and each sort rule in both orders —
Chinese by pinyin, numbers numerically, dates by day, empty cells last."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from ui.filter_bar import EmptyState, FilterBar
from ui.record_table_model import ID_ROLE, OBJECT_ROLE, SORT_ROLE, Column, RecordTableModel, sort_key
from ui.table_view import make_table

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


@dataclass
class Row:
    id: int
    name: str | None
    count: int | None
    day: dt.date | dt.datetime | None


ROWS = [
    Row(1, "张三", 10, dt.date(2026, 3, 1)),
    Row(2, "阿依古丽·艾力", 2, None),
    Row(3, None, None, dt.datetime(2025, 12, 31, 23, 59)),
    Row(4, "陈爱民", 100, dt.date(2026, 1, 5)),
    Row(5, "", 0, dt.date(2024, 7, 1)),
    Row(6, "Anna", -5, dt.datetime(2026, 1, 5, 8, 0)),
    Row(7, "蔡斌", 2, dt.date(2026, 3, 1)),
]

COLUMNS = [
    Column("name", "姓名", lambda r: r.name, sample="阿依古丽·艾力"),
    Column("count", "次数", lambda r: r.count, align="right", sample="1,000"),
    Column("day", "日期", lambda r: r.day, sample="2026-09-30"),
]


def make_model() -> RecordTableModel:
    model = RecordTableModel(COLUMNS, search=lambda r: r.name or "")
    model.set_rows(ROWS)
    return model


def ids(model: RecordTableModel) -> list[int]:
    return [model.id_at(r) for r in range(model.rowCount())]


def test_the_model_tester_on_mixed_data(qtmodeltester):
    model = make_model()
    qtmodeltester.check(model, force_py=True)  # stays connected: checks every change below
    for column in range(3):
        for order in (ASC, DESC):
            model.sort(column, order)
    model.set_search("张")
    model.set_predicate(lambda r: r.count is not None)
    model.set_search("")
    model.update_rows([Row(4, "陈爱民", 7, None), Row(8, "储博", 1, dt.date(2026, 2, 2))], removed=[1])
    model.set_rows([])
    model.set_rows(ROWS, pinned=[Row(0, "上年结转", None, None)])
    qtmodeltester.check(model, force_py=True)


def test_roles_and_default_texts():
    model = make_model()
    index = model.index(0, 1)
    assert model.data(index, OBJECT_ROLE) is ROWS[0] and model.data(index, ID_ROLE) == 1
    assert model.data(index, SORT_ROLE) == 10 and model.data(model.index(0, 2), SORT_ROLE) == dt.date(2026, 3, 1)
    assert model.data(model.index(2, 0)) == "" and model.data(model.index(2, 1)) == ""
    assert model.data(model.index(2, 2)) == "2025-12-31 23:59"
    assert model.data(index, Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "次数"


def test_chinese_sorts_by_pinyin_and_empty_names_last_both_ways():
    model = make_model()
    model.sort(0, ASC)
    assert ids(model) == [2, 6, 7, 4, 1, 3, 5]  # 阿 < Anna < 蔡 < 陈 < 张, then None and ""
    model.sort(0, DESC)
    assert ids(model) == [1, 4, 7, 6, 2, 3, 5]  # still empty last, in their earlier order


def test_numbers_sort_numerically_and_empty_last_both_ways():
    model = make_model()
    model.sort(1, ASC)
    assert ids(model) == [6, 5, 2, 7, 1, 4, 3]  # -5 < 0 < 2 = 2 < 10 < 100 (not "10" < "2"), None last
    model.sort(1, DESC)
    assert ids(model) == [4, 1, 2, 7, 5, 6, 3]  # equal counts keep their order (stable)


def test_dates_sort_by_day_and_empty_last_both_ways():
    model = make_model()
    model.sort(2, ASC)
    # 2026-01-05 as a date (4) and as a datetime at 08:00 (6) are the same day: stable order.
    assert ids(model) == [5, 3, 4, 6, 1, 7, 2]
    model.sort(2, DESC)
    assert ids(model) == [1, 7, 4, 6, 3, 5, 2]


def test_sort_keys():
    assert sort_key(None) is None and sort_key("") is None
    assert sort_key(0) is not None and sort_key(False) is not None
    assert sort_key(dt.datetime(2026, 1, 5, 23, 0)) == sort_key(dt.date(2026, 1, 5))
    assert sort_key(2) < sort_key(10) < sort_key(dt.date(2020, 1, 1)) < sort_key("a")
    assert sort_key("蔡斌") < sort_key("陈爱民") < sort_key("储博") < sort_key("崔斌")
    assert sort_key("abc") < sort_key("ABD")
    assert sort_key((dt.date(2026, 1, 1), 2)) < sort_key((dt.date(2026, 1, 1), 10))


def test_a_ready_key_column_and_its_sort_role():
    order = {"甲": 2, "乙": 1}
    column = Column("branch", "支部", lambda r: r.name, sort=lambda r: order.get(r.name))
    model = RecordTableModel([column])
    model.set_rows([Row(1, "甲", 0, None), Row(2, "丙", 0, None), Row(3, "乙", 0, None)])
    model.sort(0, ASC)
    assert ids(model) == [3, 1, 2] and model.data(model.index(0, 0), SORT_ROLE) == 1
    model.sort(0, DESC)
    assert ids(model) == [1, 3, 2]


def test_keys_are_computed_once_per_load():
    calls = []
    column = Column("name", "姓名", lambda r: calls.append(r.id) or r.name)
    model = RecordTableModel([column])
    model.set_rows(ROWS)
    model.sort(0, ASC)
    model.sort(0, DESC)
    model.set_search("x")
    assert sorted(calls) == sorted(r.id for r in ROWS)
    calls.clear()
    model.set_rows([*ROWS, Row(9, "王五", 1, None)])  # rows kept keep their keys
    assert calls == [9]


def test_search_filters_then_resets_and_keeps_the_sort():
    model = make_model()
    model.sort(1, DESC)
    model.set_search("  阿  ")
    assert ids(model) == [2]
    model.set_search("")
    assert ids(model) == [4, 1, 2, 7, 5, 6, 3]


def test_pinned_rows_stay_on_top():
    model = RecordTableModel(COLUMNS, search=lambda r: r.name or "")
    opening = Row(0, "上年结转", None, None)
    model.set_rows(ROWS, pinned=[opening])
    model.sort(1, DESC)
    model.set_search("张")
    assert model.rowCount() == 2 and model.data(model.index(0, 0)) == "上年结转"
    assert model.data(model.index(0, 0), OBJECT_ROLE) is None and model.row_at(0) is None
    assert model.row_of(1) == 1


@pytest.mark.parametrize("delay", [0, 150])
def test_filter_bar_and_empty_state(qtbot, delay):
    model = make_model()
    bar = FilterBar("test", "搜索姓名", delay_ms=delay)
    combo = bar.add_combo("testKind", [("全部", None), ("有次数", "count")])
    view = make_table("testTable", model, None)
    qtbot.addWidget(bar)
    qtbot.addWidget(view)
    state = EmptyState(view, what="记录", empty_text="还没有记录。", on_clear=bar.clear)
    bar.searchChanged.connect(model.set_search)
    bar.cleared.connect(lambda: (model.set_search(""), model.set_predicate(None)))
    combo.currentIndexChanged.connect(lambda _i: model.set_predicate(lambda r: r.count) if combo.currentData() else None)
    view.show()
    qtbot.waitExposed(view)
    bar.search.setText("没有这个人")
    if delay:
        assert model.rowCount() == len(ROWS)  # not yet: the clerk is still typing
        qtbot.waitUntil(lambda: model.rowCount() == 0, timeout=2000)
    assert model.rowCount() == 0 and state.isVisible() and state.label.text() == "没有符合条件的记录。"
    assert state.clear_button.isVisible()
    qtbot.mouseClick(state.clear_button, Qt.MouseButton.LeftButton)
    assert bar.search.text() == "" and model.rowCount() == len(ROWS) and not state.isVisible()
    model.set_rows([])
    assert state.isVisible() and state.label.text() == "还没有记录。" and not state.clear_button.isVisible()


def test_a_chain_of_sorts_matches_a_plain_stable_sort_and_the_filter_keeps_the_order():
    import random

    rng = random.Random(7)
    names = ["张三", "阿依古丽·艾力", "陈爱民", "蔡斌", "储博", "Anna", "anna", "", None]
    days = [None, dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 8, 0), dt.date(2024, 7, 1), dt.date(2025, 12, 31)]
    rows = [Row(i, rng.choice(names), rng.choice([None, -5, 0, 2, 2, 10, 100]), rng.choice(days)) for i in range(400)]
    model = RecordTableModel(COLUMNS, search=lambda r: r.name or "")
    model.set_rows(rows)
    model.set_search("a")  # a filtered part of the list, kept in the order of the whole
    expected = list(rows)
    for column, order in [(1, ASC), (0, DESC), (2, ASC), (1, DESC), (0, ASC), (2, DESC), (2, DESC)]:
        model.sort(column, order)
        value = COLUMNS[column].value
        full = [r for r in expected if sort_key(value(r)) is not None]
        empty = [r for r in expected if sort_key(value(r)) is None]
        full.sort(key=lambda r: sort_key(value(r)), reverse=order == DESC)  # stable in both directions
        expected = full + empty
        assert [r.id for r in model.all_rows()] == [r.id for r in expected], (column, order)
        assert ids(model) == [r.id for r in expected if "a" in (r.name or "").casefold()]


def test_rows_followed_by_persistent_indexes_and_sorting_again_is_a_no_op():
    model = make_model()
    model.set_rows(ROWS, pinned=[Row(0, "上年结转", None, None)])
    model.sort(1, ASC)
    chen = model.row_of(4)
    kept = [model.index(chen, 2), model.index(0, 0)]  # the 陈爱民 row, the pinned row
    persistent = [QPersistentModelIndex(i) for i in kept]
    model.sort(0, ASC)
    assert model.id_at(persistent[0].row()) == 4 and persistent[0].column() == 2
    assert persistent[1].row() == 0
    layouts = []
    model.layoutChanged.connect(lambda *a: layouts.append(1))
    model.sort(0, ASC)  # what Qt's sortByColumn asks a second time
    assert layouts == []
    model.sort(0, DESC)
    assert layouts == [1] and model.id_at(persistent[0].row()) == 4


def test_reloading_the_same_rows_keeps_every_key_and_new_rows_get_theirs():
    calls = []
    column = Column("count", "次数", lambda r: calls.append(r.id) or r.count, align="right")
    model = RecordTableModel([column])
    model.set_rows(ROWS)
    model.sort(0, DESC)
    assert sorted(calls) == sorted(r.id for r in ROWS)
    calls.clear()
    model.set_rows(list(ROWS))  # the same records (an unchanged reload)
    model.set_rows([Row(9, "王五", 50, None), *reversed(ROWS)])
    assert calls == [9]
    assert ids(model) == [4, 9, 1, 7, 2, 5, 6, 3]  # sorted on load; 7 and 2 (both 2) in load order
