"""报表中心 tab and the PDF preview: choosing a report and period, generating the
quarterly report on a worker (the file is written and its pages shown), signature fields
remembered, 保存为… (also onto a file held open), 打开, 打印 (to a PDF file through a
patched print dialog), cancel and Chinese errors.

No test waits on a modal dialog: `ui.dialogs`, `QFileDialog`, `QPrintDialog` and
`QDesktopServices.openUrl` are monkeypatched; workers are awaited with
`qtbot.waitUntil`."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from conftest import DEMO_TODAY
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from ui import dialogs, pdf_preview, report_center_tab, theme
from ui.report_center_tab import (
    QUARTERLY,
    REPORTS,
    ReportCenterTab,
    ReportKind,
    ReportListModel,
    ReportRequest,
    available_reports,
    last_completed_quarter,
    writer_steps,
)
from wanghu_desk.errors import UserError


class DialogLog:
    def __init__(self):
        self.calls: list[tuple[str, str, str, str | None]] = []

    def notice(self, kind):
        def show(parent, title, text, informative=None, *args, **kwargs):
            self.calls.append((kind, title, text, informative))

        return show

    def kinds(self) -> list[str]:
        return [c[0] for c in self.calls]


@pytest.fixture(autouse=True)
def dialog_log(monkeypatch) -> DialogLog:
    log = DialogLog()
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: pytest.fail("unexpected question"))
    for kind in ("inform", "warn", "error"):
        monkeypatch.setattr(dialogs, kind, log.notice(kind))
    monkeypatch.setattr(dialogs, "crash", lambda parent=None, log_path=None: log.calls.append(("crash", "", "", None)))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("unexpected file dialog"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: pytest.fail("unexpected file dialog"))
    monkeypatch.setattr(report_center_tab.QPrintDialog, "exec", lambda self: pytest.fail("unexpected print dialog"))
    return log


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def make_tab(qtbot, settings, **kwargs) -> ReportCenterTab:
    theme.apply_theme(QApplication.instance())
    kwargs.setdefault("today", lambda: DEMO_TODAY)
    tab = ReportCenterTab(settings=settings, **kwargs)
    qtbot.addWidget(tab)
    tab.resize(1300, 800)
    tab.refresh()
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def wait_idle(qtbot, tab: ReportCenterTab) -> None:
    qtbot.waitUntil(lambda: not tab.busy, timeout=60_000)


def generated(qtbot, tab: ReportCenterTab) -> Path:
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    assert tab.busy
    wait_idle(qtbot, tab)
    assert tab.current is not None
    return tab.current.path


@pytest.fixture
def tab(qtbot, demo_db, settings) -> ReportCenterTab:
    return make_tab(qtbot, settings)


def ink(image) -> int:
    """How many sampled pixels are not white: a blank page has none."""
    step = 7
    return sum(
        1
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
        if QColor(image.pixel(x, y)).lightness() < 200
    )


# ---------------------------------------------------------------- choices


def test_the_list_offers_the_quarterly_report_and_defaults_to_the_last_quarter(tab):
    titles = [tab.model.index(r, 0).data() for r in range(tab.model.rowCount())]
    assert titles == ["季度报表", "星级评定结果公示", "经费台账"]
    assert tab.current_kind() is QUARTERLY
    assert tab.year_spin.value() == 2026 and tab.quarter_combo.currentData() == 3  # 2026-11-22 → 第三季度
    assert tab.year_spin.maximum() == 2026
    assert tab.quarter_combo.isVisible() and not tab.branch_combo.isVisible()
    assert tab.leader_edit.isVisible() and tab.preparer_edit.isVisible() and tab.phone_edit.isVisible()
    assert tab.leader_edit.placeholderText().startswith("默认：")  # the committee's secretary
    assert tab.phone_edit.placeholderText() == "默认：0551-63517010"
    assert "报送上级" in tab.description.text()
    assert not tab.save_button.isEnabled() and not tab.print_button.isEnabled() and not tab.open_button.isEnabled()
    assert tab.stack.currentWidget() is tab.empty_label
    assert "生成报表" in tab.empty_label.text()


def test_quarters_that_have_not_started_cannot_be_chosen(qtbot, demo_db, settings):
    tab = make_tab(qtbot, settings, today=lambda: dt.date(2026, 5, 10))
    assert (tab.year_spin.value(), tab.quarter_combo.currentData()) == (2026, 1)
    model = tab.quarter_combo.model()
    assert [model.item(i).isEnabled() for i in range(4)] == [True, True, False, False]
    tab.year_spin.setValue(2025)
    assert all(model.item(i).isEnabled() for i in range(4))


@pytest.mark.parametrize(
    "today, expected",
    [(dt.date(2026, 11, 22), (2026, 3)), (dt.date(2026, 1, 1), (2025, 4)), (dt.date(2026, 4, 1), (2026, 1))],
)
def test_last_completed_quarter(today, expected):
    assert last_completed_quarter(today) == expected


def test_report_list_model_passes_the_model_tester(qtmodeltester):
    model = ReportListModel(list(REPORTS))
    qtmodeltester.check(model, force_py=True)
    assert model.index(0, 0).data(ReportListModel.KIND_ROLE) is QUARTERLY
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == QUARTERLY.description
    assert model.row_of("quarterly") == 0 and model.row_of("nothing") == -1
    qtmodeltester.check(ReportListModel([]), force_py=True)


def test_a_report_whose_module_is_missing_is_not_offered():
    missing = ReportKind("x", "不存在", "", "reports.no_such_module", steps=writer_steps, filename=lambda a, r: "x.pdf")
    assert not missing.available()
    assert QUARTERLY.available() and QUARTERLY in available_reports()


# ---------------------------------------------------------------- generate and preview


def test_generating_writes_the_report_and_shows_its_pages(qtbot, tab, settings):
    tab.set_period(2026, 3)
    tab.leader_edit.setText("李明")
    tab.preparer_edit.setText("王晓梅")
    tab.phone_edit.setText("")
    path = generated(qtbot, tab)
    assert path.is_file() and path.name == "望湖街道2026年第三季度党建工作报表.pdf"
    reader = PdfReader(str(path))
    pages = len(reader.pages)
    assert pages >= 3
    text = "".join(p.extract_text() for p in reader.pages)
    assert "2026年第三季度" in text
    for label in ("负责人：李明", "填报人：王晓梅", "联系电话：0551-63517010"):  # an empty phone: the default
        assert label in text.replace(" ", "").replace("\n", "")
    # the preview
    assert tab.stack.currentWidget() is tab.preview
    assert tab.preview.page_count() == pages
    assert tab.preview_title.text() == f"{path.name}（共 {pages} 页）"
    assert "共" in tab.status_text() and str(pages) in tab.status_text()
    assert tab.save_button.isEnabled() and tab.print_button.isEnabled() and tab.open_button.isEnabled()
    first = tab.preview.page_views[0]
    assert first.isVisible() and first.width() > 500  # A4 at 100 %: about 794 px wide
    qtbot.waitUntil(lambda: tab.preview.rendered > 0)  # visible pages are rendered when painted
    assert ink(first.grab().toImage()) > 50  # the title, the text: not a blank sheet
    assert ink(tab.preview.page_image(pages - 1, 40)) > 10
    # the signature fields are remembered for next time
    other = ReportCenterTab(settings=settings, today=lambda: DEMO_TODAY)
    qtbot.addWidget(other)
    assert (other.leader_edit.text(), other.preparer_edit.text(), other.phone_edit.text()) == ("李明", "王晓梅", "")


def test_a_quarter_of_an_empty_database_gives_a_report_that_says_so(qtbot, fresh_db, settings):
    tab = make_tab(qtbot, settings)
    path = generated(qtbot, tab)
    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert "无可报送的统计数字" in text.replace(" ", "").replace("\n", "")
    assert tab.preview.page_count() >= 1


def test_each_run_writes_its_own_file(qtbot, tab):
    first = generated(qtbot, tab)
    tab.set_period(2026, 2)
    second = generated(qtbot, tab)
    assert first != second and first.exists() and second.exists()
    assert "第二季度" in second.name
    assert tab.preview.page_count() == len(PdfReader(str(second)).pages)


def test_zoom_changes_the_page_size_and_is_remembered(qtbot, tab, settings):
    generated(qtbot, tab)
    page = tab.preview.page_views[0]
    width_100 = page.width()
    qtbot.mouseClick(tab.zoom_in_button, Qt.MouseButton.LeftButton)
    assert tab.preview.zoom() == 110 and tab.zoom_label.text() == "110%"
    assert page.width() == pytest.approx(width_100 * 1.1, abs=2)
    qtbot.mouseClick(tab.zoom_out_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.zoom_out_button, Qt.MouseButton.LeftButton)
    assert tab.preview.zoom() == 90
    qtbot.mouseClick(tab.fit_button, Qt.MouseButton.LeftButton)
    margins = tab.preview.column.contentsMargins()
    assert abs(page.width() - (tab.preview.viewport().width() - margins.left() - margins.right())) <= 4
    for _ in range(20):
        tab.preview.zoom_in()
    assert tab.preview.zoom() == pdf_preview.MAX_ZOOM
    assert int(settings.value("report_center/zoom")) == pdf_preview.MAX_ZOOM
    assert not page.grab().isNull()


def slow_kind(steps: int = 400) -> ReportKind:
    def work(out: Path, request: ReportRequest):
        for i in range(steps):
            time.sleep(0.01)
            yield i, steps, f"第 {i} 步"
        out.write_bytes(b"never")
        return out

    return ReportKind(
        "slow", "慢报表", "测试用", "reports.quarterly_report", steps=work, filename=lambda a, r: "慢.pdf"
    )


def test_cancelling_the_generation_leaves_the_preview_alone(qtbot, demo_db, settings):
    tab = make_tab(qtbot, settings, reports=[slow_kind()])
    task = tab.generate()
    assert task is not None and not tab.generate_button.isEnabled()
    assert tab.generate() is None  # one at a time
    qtbot.waitUntil(lambda: task.dialog.value() > 0, timeout=10_000)
    task.cancel()
    wait_idle(qtbot, tab)
    assert tab.current is None and tab.stack.currentWidget() is tab.empty_label
    assert tab.status_text() == "已取消生成"
    assert tab.generate_button.isEnabled()


def test_a_report_that_fails_says_why_in_chinese(qtbot, demo_db, settings, dialog_log):
    def failing(out: Path, request: ReportRequest):
        yield 0, 1, "开始"
        raise UserError("文件正被其他程序打开，请关闭后重试：慢.pdf")

    kind = ReportKind(
        "bad", "坏报表", "测试用", "reports.quarterly_report", steps=failing, filename=lambda a, r: "慢.pdf"
    )
    tab = make_tab(qtbot, settings, reports=[kind])
    tab.generate()
    wait_idle(qtbot, tab)
    assert dialog_log.calls == [("error", "坏报表", "文件正被其他程序打开，请关闭后重试：慢.pdf", None)]
    assert tab.current is None and not tab.save_button.isEnabled()


def test_a_writer_without_progress_runs_as_one_step(qtbot, demo_db, settings):
    def write(out: Path, year: int) -> Path:
        from reports.pdf.document import OfficialDocument

        doc = OfficialDocument(f"{year}年度测试", unit=None)
        doc.paragraph("测试内容。")
        return doc.build(out)

    kind = ReportKind(
        "plain",
        "年度报表",
        "测试用",
        "reports.pdf.document",
        steps=lambda out, req: writer_steps(write, out, req.year),
        filename=lambda area, req: f"{area}{req.year}年度测试.pdf",
    )
    tab = make_tab(qtbot, settings, reports=[kind])
    assert not tab.quarter_combo.isVisible() and not tab.leader_edit.isVisible()
    assert tab.year_spin.value() == 2026
    path = generated(qtbot, tab)
    assert path.name == "望湖街道2026年度测试.pdf"
    assert tab.preview.page_count() == 1


# ---------------------------------------------------------------- save, open, print


def test_save_as_copies_the_report_and_remembers_the_folder(qtbot, tab, monkeypatch, tmp_path, settings):
    path = generated(qtbot, tab)
    folder = tmp_path / "U盘"
    folder.mkdir()
    seen = {}

    def choose(parent, title, suggested, filters):
        seen["suggested"], seen["filters"] = suggested, filters
        return str(folder / "三季度报表"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: False)  # 打开文件 offered, 关闭 chosen
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    target = folder / "三季度报表.pdf"
    assert target.read_bytes() == path.read_bytes()
    assert seen["suggested"].endswith(path.name) and "*.pdf" in seen["filters"]
    assert tab.saved_path == target
    assert tab.status_text() == f"已保存到 {target}"
    assert settings.value("report_center/save_dir") == str(folder)
    assert not list(folder.glob(".*partial"))
    # next time the dialog opens in that folder
    tab.save_as()
    assert Path(seen["suggested"]).parent == folder


def test_save_as_onto_a_file_open_elsewhere_says_so_in_chinese(qtbot, tab, monkeypatch, tmp_path, dialog_log):
    generated(qtbot, tab)
    target = tmp_path / "报表.pdf"
    target.write_bytes(b"old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(report_center_tab.os, "replace", locked)
    assert tab.save_as() is None
    assert dialog_log.kinds() == ["error"]
    assert "正被其他程序打开" in dialog_log.calls[0][2] and "关闭" in dialog_log.calls[0][3]
    assert target.read_bytes() == b"old"  # untouched
    assert not list(tmp_path.glob(".*partial"))
    assert tab.saved_path is None


def test_save_as_into_a_missing_folder_says_what_to_check(qtbot, tab, monkeypatch, tmp_path, dialog_log):
    generated(qtbot, tab)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "没有" / "报表.pdf"), ""))
    assert tab.save_as() is None
    assert dialog_log.kinds() == ["error"] and "无法保存到" in dialog_log.calls[0][2]


def test_save_as_cancelled_does_nothing(qtbot, tab, monkeypatch, dialog_log):
    generated(qtbot, tab)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert tab.save_as() is None and dialog_log.calls == []


def test_open_uses_the_system_viewer_on_the_saved_copy(qtbot, tab, monkeypatch, tmp_path, dialog_log):
    path = generated(qtbot, tab)
    opened = []
    monkeypatch.setattr(
        report_center_tab.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert opened == [str(path)]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "存档.pdf"), ""))
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: False)
    tab.save_as()
    tab.open_in_viewer()
    assert opened[-1] == str(tmp_path / "存档.pdf")
    monkeypatch.setattr(report_center_tab.QDesktopServices, "openUrl", lambda url: False)
    assert not tab.open_in_viewer()
    assert dialog_log.kinds() == ["error"] and "PDF" in dialog_log.calls[0][2]


class FakePrintDialog:
    """Stands in for QPrintDialog: "prints" to a PDF file, optionally a page range."""

    out: Path
    page_range: tuple[int, int] | None = None
    accept = True
    seen: dict = {}

    def __init__(self, printer: QPrinter, parent=None):
        self.printer = printer
        FakePrintDialog.seen = {"parent": parent}

    def setWindowTitle(self, title):
        self.seen["title"] = title

    def setMinMax(self, lo, hi):
        self.seen["range"] = (lo, hi)

    def setOption(self, option, on=True):
        pass

    def exec(self):
        if not self.accept:
            return QDialog.DialogCode.Rejected
        self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer.setOutputFileName(str(self.out))
        if self.page_range:
            self.printer.setFromTo(*self.page_range)
        return QDialog.DialogCode.Accepted


@pytest.fixture
def fake_print(monkeypatch, tmp_path):
    FakePrintDialog.out = tmp_path / "printed.pdf"
    FakePrintDialog.page_range = None
    FakePrintDialog.accept = True
    monkeypatch.setattr(report_center_tab, "QPrintDialog", FakePrintDialog)
    return FakePrintDialog


def test_printing_paints_every_page_on_the_printer(qtbot, tab, fake_print):
    path = generated(qtbot, tab)
    pages = len(PdfReader(str(path)).pages)
    qtbot.mouseClick(tab.print_button, Qt.MouseButton.LeftButton)
    assert fake_print.seen["range"] == (1, pages) and fake_print.seen["title"] == "打印报表"
    wait_idle(qtbot, tab)
    printed = PdfReader(str(fake_print.out))
    assert len(printed.pages) == pages
    box = printed.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4, portrait
    assert tab.status_text() == f"已送往打印机：{pages} 页"
    assert tab.print_button.isEnabled()


def test_printing_a_page_range(qtbot, tab, fake_print):
    generated(qtbot, tab)
    fake_print.page_range = (2, 3)
    tab.print_report()
    wait_idle(qtbot, tab)
    assert len(PdfReader(str(fake_print.out)).pages) == 2
    assert tab.status_text() == "已送往打印机：2 页"


def test_printing_cancelled_in_the_dialog_prints_nothing(qtbot, tab, fake_print):
    generated(qtbot, tab)
    fake_print.accept = False
    assert tab.print_report() is None
    assert not tab.busy and not fake_print.out.exists()


def test_print_steps_render_at_the_printer_resolution(qtbot, tab, tmp_path):
    path = generated(qtbot, tab)
    pages = pdf_preview.PdfPages(path)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "direct.pdf"))
    pdf_preview.prepare_printer(printer, pages)
    steps = list(_drain(pdf_preview.print_steps(pages, printer)))
    assert steps[0][:2] == (0, len(pages)) and steps[-1][:2] == (len(pages), len(pages))
    assert len(PdfReader(str(tmp_path / "direct.pdf")).pages) == len(pages)
    pages.close()


def _drain(gen):
    while True:
        try:
            yield next(gen)
        except StopIteration:
            return


def test_a_file_that_is_not_a_pdf_cannot_be_previewed(tmp_path):
    bad = tmp_path / "坏.pdf"
    bad.write_text("不是 PDF", encoding="utf-8")
    with pytest.raises(UserError, match="不是有效的 PDF"):
        pdf_preview.PdfPages(bad)
    with pytest.raises(UserError, match="无法读取"):
        pdf_preview.PdfPages(tmp_path / "没有.pdf")


def test_the_preview_keeps_no_file_open(qtbot, tab, tmp_path):
    path = generated(qtbot, tab)
    moved = tmp_path / "moved.pdf"
    path.rename(moved)  # would fail on Windows if the preview held the file
    assert tab.preview.page_count() > 0
    assert not tab.preview.grab().isNull()


@pytest.mark.parametrize("key", ["quarterly", "rating", "ledger"])
def test_every_report_offers_to_open_the_saved_file(qtbot, tab, monkeypatch, tmp_path, key):
    """After 保存为… each report of the list asks 打开文件 / 关闭; 打开文件 opens the saved copy."""
    assert [k.key for k in tab.model.kinds] == ["quarterly", "rating", "ledger"]  # every report is checked
    assert tab.select_report(key)
    path = generated(qtbot, tab)
    target = tmp_path / key / path.name
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    asked, opened = [], []

    def ask(parent, title, text, *, ok_text="确定", cancel_text="取消", **kw):
        asked.append((title, text, ok_text, cancel_text))
        return len(asked) == 1  # the first time 打开文件, the second time 关闭

    monkeypatch.setattr(dialogs, "ask", ask)
    monkeypatch.setattr(dialogs.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    assert tab.save_as() == target and target.read_bytes() == path.read_bytes()
    title, text, ok_text, cancel_text = asked[0]
    assert (ok_text, cancel_text) == ("打开文件", "关闭")
    assert str(target) in text and tab.current.kind.title in text
    assert opened == [str(target)]
    assert tab.status_text() == f"已保存到 {target}，并已用 PDF 阅读器打开"
    assert tab.save_as() == target and len(asked) == 2 and opened == [str(target)]  # 关闭: nothing opened
    assert tab.status_text() == f"已保存到 {target}"


# ---------------------------------------------------------------- the other PDF reports


def test_the_rating_notice_is_generated_for_last_year(qtbot, tab):
    assert tab.select_report("rating")
    assert tab.current_kind() is report_center_tab.RATING
    assert tab.year_spin.value() == 2025  # last year's rating
    assert not tab.quarter_combo.isVisible() and not tab.branch_combo.isVisible()
    assert not tab.leader_edit.isVisible()
    path = generated(qtbot, tab)
    assert path.name == "望湖街道2025年度星级党支部评定结果公示.pdf"
    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages).replace(" ", "").replace("\n", "")
    assert "评定结果公示" in text
    assert tab.preview.page_count() == len(PdfReader(str(path)).pages)


def test_the_ledger_of_one_branch(qtbot, tab):
    assert tab.select_report("ledger")
    assert tab.year_spin.value() == 2026
    assert tab.branch_combo.isVisible() and tab.branch_combo.count() == 75  # 全部党支部 + 74
    assert tab.branch_combo.itemText(0) == "全部党支部" and tab.branch_combo.itemData(0) is None
    tab.branch_combo.setCurrentIndex(1)
    branch = tab.branch_combo.currentData()
    path = generated(qtbot, tab)
    assert path.name == f"{branch}2026年度经费台账.pdf"
    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages).replace(" ", "").replace("\n", "")
    assert branch in text
    assert tab.preview.page_count() >= 1
    assert tab.request().branch == branch and tab.request().quarter is None


def test_printing_can_be_cancelled_between_pages(qtbot, tab, fake_print, monkeypatch):
    generated(qtbot, tab)
    render = pdf_preview.PdfPages.render

    def slow_render(self, index, dpi):
        time.sleep(0.3)
        return render(self, index, dpi)

    monkeypatch.setattr(pdf_preview.PdfPages, "render", slow_render)
    task = tab.print_report()
    assert task is not None and not tab.print_button.isEnabled()
    assert tab.print_report() is None  # one print job at a time
    qtbot.waitUntil(lambda: task.dialog.maximum() > 0, timeout=10_000)
    task.cancel()
    wait_idle(qtbot, tab)
    assert tab.status_text() == "已取消打印"
    assert tab.print_button.isEnabled()
