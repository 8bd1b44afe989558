"""The main window: a red header band with the organisation's name, the working tabs
(首页, 党组织, 党员, 楼栋党小组, 志愿服务, 居民事项, 星级评定, 经费台账, 报表中心), the 文件/视图/帮助
menus (import, export, backup, restore, open the backups folder) and a status bar with the
database path and the current tab's counts.

Pages are built when first shown (or first reached, e.g. `window.members_tab`): each tab
holds a bare `_PageSlot` until then, and only the dashboard is built with the window, so
start-up never waits for ten tabs (nor imports their modules). `LazyTabs` answers with the
real page (`currentWidget()`, `widget(i)`, `indexOf(page)`, `setCurrentWidget(page)`).
Pages refresh lazily: when one page changes data, the others are marked stale and reload
when they are next shown, so an edit never waits for eight tabs to reload.

Backup, restore and loading the demo run on a worker with a progress dialog, so the
window never freezes; a `UserError` from the core is shown in Chinese with
`dialogs.error`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import wanghu_desk
from ui import dialogs, workers
from ui.dashboard import Dashboard
from wanghu_desk import database
from wanghu_desk.services import stats
from wanghu_desk.services.accounts import role_label
from wanghu_desk.services.base import current_actor

DemoBuilder = Callable[[], Any]


def page_shortcut(number: int) -> str | None:
    """Ctrl+1 … Ctrl+9 for the first nine tabs, Ctrl+0 for the tenth, none after that."""
    if number <= 9:
        return f"Ctrl+{number}"
    return "Ctrl+0" if number == 10 else None


#: The tabs after the dashboard, in order: (key, tab title, module, class, window attribute).
#: Each page is built (and its module imported) when it is first shown or reached.
PAGE_SPECS: list[tuple[str, str, str, str, str]] = [
    ("org", "党组织", "ui.org_tab", "OrgTab", "org_page"),
    ("members", "党员", "ui.members_tab", "MembersTab", "members_tab"),
    ("groups", "楼栋党小组", "ui.groups_tab", "GroupsTab", "groups_tab"),
    ("volunteers", "志愿服务", "ui.volunteers_tab", "VolunteersTab", "volunteers_tab"),
    ("matters", "居民事项", "ui.matters_tab", "MattersTab", "matters_tab"),
    ("reporting", "双报到", "ui.reporting_tab", "ReportingTab", "reporting_tab"),
    ("rating", "星级评定", "ui.rating_tab", "RatingTab", "rating_tab"),
    ("ledger", "经费台账", "ui.ledger_tab", "LedgerTab", "ledger_tab"),
    ("reports", "报表中心", "ui.report_center_tab", "ReportCenterTab", "report_center"),
    ("system", "系统", "ui.system_tab", "SystemTab", "system_tab"),
]


class _PageSlot(QWidget):
    """A tab's place in the tab widget; its page is put in when first needed."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.page: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

    def put(self, page: QWidget) -> None:
        self.page = page
        self.layout().addWidget(page)
        page.show()  # at once (not on the next turn of the event loop): it shows with its slot


class LazyTabs(QTabWidget):
    """A QTabWidget whose tabs may be `_PageSlot`s: every lookup from Python answers with
    the page itself, built by `builder(key)` on first need."""

    def __init__(self, builder: Callable[[str], QWidget], parent: QWidget | None = None):
        super().__init__(parent)
        self._builder = builder

    def _page(self, holder: QWidget | None) -> QWidget | None:
        if isinstance(holder, _PageSlot):
            return holder.page if holder.page is not None else self._builder(holder.key)
        return holder

    def slot(self, index: int) -> QWidget | None:
        """The widget in the tab itself (a `_PageSlot` for a lazily built page)."""
        return super().widget(index)

    def is_built(self, index: int) -> bool:
        holder = super().widget(index)
        return not isinstance(holder, _PageSlot) or holder.page is not None

    def widget(self, index: int) -> QWidget | None:  # noqa: D102 - QTabWidget's
        return self._page(super().widget(index))

    def currentWidget(self) -> QWidget | None:  # noqa: N802 - Qt's name
        return self._page(super().currentWidget())

    def indexOf(self, page: QWidget) -> int:  # noqa: N802 - Qt's name
        for i in range(self.count()):
            holder = super().widget(i)
            if holder is page or (isinstance(holder, _PageSlot) and holder.page is page):
                return i
        return -1

    def setCurrentWidget(self, page: QWidget) -> None:  # noqa: N802 - Qt's name
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)


def _page_property(key: str, attribute: str) -> property:
    return property(lambda self: self.page(key), doc=f"The {key} page (`window.{attribute}`), built on first use.")


def _read_dashboard_as(actor: Any, dashboard: Dashboard) -> Any:
    """Run on a worker thread: the dashboard's figures, read as the signed-in account."""
    from wanghu_desk.services.base import acting_as

    with acting_as(actor):
        return dashboard.read_data()


def _default_demo_builder() -> Any:
    from wanghu_desk import demo  # imported late: the generator is large and rarely used

    return demo.build_demo()


class MainWindow(QMainWindow):
    """The window on one open database (`handle`). `demo_builder` fills an empty database
    (None hides the offer); `today` fixes the date for the dashboard's "this year".
    With `dashboard_in_background` (the program's start) the dashboard's figures are read
    on a worker, started once the window has been painted, and shown when they arrive, so
    the window shows without waiting for them."""

    def __init__(
        self,
        handle: database.OpenDatabase | None = None,
        *,
        demo_builder: DemoBuilder | None = _default_demo_builder,
        today: Callable[[], dt.date] = dt.date.today,
        dashboard_in_background: bool = False,
    ):
        super().__init__()
        self.handle = handle or database.current()
        self._demo_builder = demo_builder
        self._active: set[workers.Worker] = set()
        self.setObjectName("mainWindow")
        self.setMinimumSize(960, 600)
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen else None
        if room is not None and room.width() > 0:
            self.resize(min(1280, int(room.width() * 0.9)), min(800, int(room.height() * 0.9)))
        else:
            self.resize(1280, 800)

        self.header_title = QLabel(self)
        self.header_title.setObjectName("headerTitle")
        self.header_subtitle = QLabel(wanghu_desk.APP_TITLE, self)
        self.header_subtitle.setObjectName("headerSubtitle")
        header = QFrame(self)
        header.setObjectName("headerBand")
        band = QHBoxLayout(header)
        band.setContentsMargins(20, 10, 20, 10)
        band.setSpacing(14)
        band.addWidget(self.header_title)
        band.addWidget(self.header_subtitle, 0, Qt.AlignmentFlag.AlignBottom)
        band.addStretch(1)

        self._today = today
        self._stale: set[QWidget] = set()
        self._built: dict[str, QWidget] = {}
        self._slots: dict[str, _PageSlot] = {}
        self.dashboard = Dashboard(on_load_demo=self.load_demo if demo_builder else None, today=today)
        self.tabs = LazyTabs(self._build_page, self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        #: (key, tab title) in tab order; Ctrl+1 … Ctrl+9 follow this order.
        self.page_titles: list[tuple[str, str]] = [("dashboard", "首页")] + [(k, t) for k, t, *_ in PAGE_SPECS]
        self.tabs.addTab(self.dashboard, "首页")
        self._adopt("dashboard", self.dashboard)
        for key, title, *_rest in PAGE_SPECS:
            self._slots[key] = _PageSlot(key)
            self.tabs.addTab(self._slots[key], title)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.dashboard.navigate_requested.connect(self.navigate)

        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(header)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("statusCounts")
        self.path_label = QLabel(self)
        self.path_label.setObjectName("statusPath")
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(self.counts_label, 1)
        self.account_label = QLabel(self)
        self.account_label.setObjectName("statusAccount")
        self.statusBar().addPermanentWidget(self.account_label)
        self.statusBar().addPermanentWidget(self.path_label)

        self._build_actions()
        self.dashboard_reader: workers.Worker | None = None
        self.refresh_all(dashboard_in_background=dashboard_in_background)

    # ------------------------------------------------------------ pages
    org_page = _page_property("org", "org_page")
    members_tab = _page_property("members", "members_tab")
    groups_tab = _page_property("groups", "groups_tab")
    volunteers_tab = _page_property("volunteers", "volunteers_tab")
    matters_tab = _page_property("matters", "matters_tab")
    reporting_tab = _page_property("reporting", "reporting_tab")
    rating_tab = _page_property("rating", "rating_tab")
    ledger_tab = _page_property("ledger", "ledger_tab")
    report_center = _page_property("reports", "report_center")
    system_tab = _page_property("system", "system_tab")

    @property
    def pages(self) -> list[tuple[str, QWidget, str]]:
        """(key, page, tab title) in tab order, every page built."""
        return [(key, self.page(key), title) for key, title in self.page_titles]

    def is_built(self, key: str) -> bool:
        return key in self._built

    def built_pages(self) -> list[QWidget]:
        return list(self._built.values())

    def page(self, key: str) -> QWidget:
        """The page of a tab, built (module imported, signals connected) on first use."""
        found = self._built.get(key)
        return found if found is not None else self._build_page(key)

    def _build_page(self, key: str) -> QWidget:
        found = self._built.get(key)
        if found is not None:
            return found
        _key, _title, module, cls_name, _attribute = next(spec for spec in PAGE_SPECS if spec[0] == key)
        page = getattr(importlib.import_module(module), cls_name)(today=self._today)
        self._adopt(key, page)
        self._stale.add(page)  # never loaded: it loads when shown
        self._slots[key].put(page)
        return page

    def _adopt(self, key: str, page: QWidget) -> None:
        self._built[key] = page
        page.statusChanged.connect(lambda _text: self._show_tab_status())
        changed = getattr(page, "dataChanged", None) or getattr(page, "data_changed", None)
        if changed is not None:
            changed.connect(lambda page=page: self._data_changed(page))
        if key == "members":
            page.importRequested.connect(lambda: self.import_roster("members"))
        elif key == "org":
            page.showMembersRequested.connect(self._show_members_of)

    # ------------------------------------------------------------ menus
    def _action(self, text: str, slot: Callable[[], Any], shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work even while the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        self.import_action = self._action("导入…", self.import_roster, "Ctrl+I")
        # ui.export_actions (and the export services behind it) load with the first export
        self.export_actions = [
            self._action(text, lambda name=name: getattr(importlib.import_module("ui.export_actions"), name)(self), key)
            for text, name, key in (
                ("党员花名册…", "export_members", "Ctrl+E"),
                ("党组织名册…", "export_branches", None),
                ("楼栋党小组名册…", "export_groups", None),
                ("志愿者名册…", "export_volunteers", None),
                ("志愿服务记录…", "export_services", None),
            )
        ]
        self.backup_action = self._action("备份…", self.backup, "Ctrl+B")
        self.restore_action = self._action("恢复…", self.restore)
        self.backups_action = self._action("备份与恢复…", self.show_backups)
        self.open_backups_action = self._action("打开备份文件夹", self.open_backups_folder)
        self.quit_action = self._action("退出", self.close, "Ctrl+Q")
        self.page_actions = [
            self._action(title, lambda index=index: self.tabs.setCurrentIndex(index), page_shortcut(index + 1))
            for index, (_key, title) in enumerate(self.page_titles)
        ]
        self.dashboard_action, self.org_action = self.page_actions[0], self.page_actions[1]
        self.refresh_action = self._action("刷新", self.refresh_all, "F5")
        self.about_action = self._action("关于", self.show_about)

        bar = self.menuBar()
        file_menu = bar.addMenu("文件(&F)")
        file_menu.addAction(self.import_action)
        self.export_menu = file_menu.addMenu("导出")
        for action in self.export_actions:
            self.export_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.backups_action)
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addAction(self.open_backups_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu("视图(&V)")
        for action in self.page_actions:
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)
        help_menu = bar.addMenu("帮助(&H)")
        help_menu.addAction(self.about_action)

    # ------------------------------------------------------------ refresh
    def refresh_all(self, *, dashboard_in_background: bool = False) -> None:
        name = stats.organization_name()
        self.setWindowTitle(f"{name} · {wanghu_desk.APP_TITLE}")
        self.header_title.setText(name)
        self.path_label.setText(f"数据库：{self.handle.path}")
        actor = current_actor()
        self.account_label.setText(f"{actor.display_name}（{role_label(actor.role)}）")
        self.path_label.setToolTip(str(self.handle.path))
        # only the page on screen loads now; the others load when first shown
        current = self.tabs.currentWidget()
        self._stale = {page for page in self._built.values() if page is not current}
        background = dashboard_in_background and current is self.dashboard
        if background:  # started once the window is painted: the first paint never waits for it
            self._first_paint_watch = workers.after_first_paint(self, self._read_dashboard_in_background)
        else:
            current.refresh()
        self._show_tab_status()
        if background:
            self.counts_label.setText("正在读取统计数据…")

    def _read_dashboard_in_background(self) -> workers.Worker:
        worker = workers.Worker(_read_dashboard_as, current_actor(), self.dashboard)
        self.dashboard_reader = worker

        def arrived(data: Any) -> None:
            if self.dashboard.figures is None:  # not refreshed another way meanwhile
                self.dashboard.show_data(*data)
                self._show_tab_status()

        def failed(message: str) -> None:
            self._show_tab_status()
            dialogs.error(self, "读取统计数据", message)

        def finished() -> None:
            if self.dashboard_reader is worker:
                self.dashboard_reader = None

        worker.signals.result.connect(arrived)
        worker.signals.error.connect(failed)
        worker.signals.crashed.connect(lambda _text: dialogs.crash(self))
        worker.signals.finished.connect(finished)
        workers.start(worker)
        return worker

    def _data_changed(self, source: QWidget) -> None:
        """A page changed data: the other pages refresh when they are next shown."""
        self._stale.update(page for page in self._built.values() if page is not source)
        current = self.tabs.currentWidget()
        if current in self._stale:
            self._stale.discard(current)
            current.refresh()

    def _tab_shown(self, _index: int) -> None:
        page = self.tabs.currentWidget()
        if page in self._stale:
            self._stale.discard(page)
            page.refresh()
        self._show_tab_status()

    def navigate(self, target: str, payload: object = None) -> None:
        """Open a tab with a filter (the dashboard's alerts)."""
        options = payload if isinstance(payload, dict) else {}
        page = self.page(target)
        self.tabs.setCurrentWidget(page)
        if target == "members" and options.get("due_for_confirmation"):
            self.members_tab.show_due_for_confirmation()
        elif target == "ledger":
            self.ledger_tab.show_compliance(year=options.get("year"), below_minimum=bool(options.get("below_minimum")))
        elif target == "groups" and options.get("without_leader"):
            self.groups_tab.show_without_leader()
        elif target == "rating" and options.get("year"):
            self.rating_tab.show_year(int(options["year"]))
        elif target == "matters" and options.get("overdue"):
            self.matters_tab.show_overdue()

    def _show_members_of(self, kind: str, node_id: int) -> None:
        self.tabs.setCurrentWidget(self.members_tab)
        self.members_tab.filter_org_node(kind, node_id)

    def _show_tab_status(self) -> None:
        page = self.tabs.currentWidget()
        status = page.status_text() if hasattr(page, "status_text") else ""
        self.counts_label.setText(status)

    # ------------------------------------------------------------ background work
    @property
    def busy(self) -> bool:
        """True while backup, restore or the demo runs in the background."""
        return bool(self._active)

    def _run(
        self,
        worker: workers.Worker,
        *,
        title: str,
        label: str,
        on_result: Callable[[Any], None],
        cancellable: bool = False,
    ) -> workers.Task:
        def done() -> None:
            self._active.discard(worker)
            self._set_busy_actions(self.busy)

        self._active.add(worker)  # listed before it starts, so a job that ends at once is forgotten too
        self._set_busy_actions(True)
        return workers.run_with_progress(
            self, worker, title=title, label=label, on_result=on_result, on_finished=done, cancellable=cancellable
        )

    def _set_busy_actions(self, busy: bool) -> None:
        for action in (self.backup_action, self.restore_action, self.backups_action):
            action.setEnabled(not busy)
        self.dashboard.demo_button.setEnabled(not busy)

    # ------------------------------------------------------------ 文件 menu
    def backup(self) -> workers.Task | None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        suggested = str(Path(folder) / f"{stats.organization_name()}台账备份-{stamp}.db")
        path, _ = QFileDialog.getSaveFileName(self, "备份到…", suggested, "数据库备份 (*.db)")
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != ".db":
            target = target.with_name(target.name + ".db")
        if target.resolve() == Path(self.handle.path).resolve():
            dialogs.error(self, "备份", "不能把数据库备份到它自己。请换一个文件名或位置（如 U 盘）。")
            return None

        def finished(written: Path) -> None:
            self.statusBar().showMessage(f"已备份到 {written}", 10_000)
            dialogs.inform(self, "备份完成", f"已备份到：\n{written}")

        return self._run(
            workers.Worker(database.backup_to, target), title="备份", label="正在备份数据库…", on_result=finished
        )

    def _may_restore(self) -> bool:
        """Restoring replaces everyone's data: administrators only (the service refuses the
        others too; this says so before any file is chosen or confirmed)."""
        if current_actor().is_admin:
            return True
        dialogs.warn(self, "恢复备份", "只有管理员可以恢复备份。", "请用管理员账号登录后再恢复。")
        return False

    def restore(self) -> workers.Task | None:
        if not self._may_restore():
            return None
        folder = str(self.handle.backups_dir if self.handle.backups_dir.exists() else Path(self.handle.path).parent)
        path, _ = QFileDialog.getOpenFileName(self, "选择要恢复的备份", folder, "数据库备份 (*.db);;所有文件 (*)")
        if not path:
            return None
        return self.restore_file(Path(path))

    def show_backups(self) -> QDialog:
        """文件 → 备份与恢复…: the automatic backups, with restore (see ui.backup_dialog)."""
        from ui.backup_dialog import BackupDialog  # loaded when first opened

        dialog = BackupDialog(self, restore_file=self.restore_file, restore_other=self.restore, run=self._run)
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.open()
        return dialog

    def restore_file(
        self, source: Path, what: str | None = None, before_start: Callable[[], None] | None = None
    ) -> workers.Task | None:
        """Ask (naming what is replaced by what), then restore `source` on a worker."""
        from ui.backup_dialog import restore_question

        if not self._may_restore():
            return None
        text, informative = restore_question(source, what)
        if not dialogs.ask(self, "恢复备份", text, ok_text="恢复", informative=informative, default_ok=False):
            return None
        if before_start is not None:
            before_start()

        def finished(safety: Path) -> None:
            self.refresh_all()
            self.statusBar().showMessage(f"已从「{source.name}」恢复", 10_000)
            dialogs.inform(
                self, "恢复完成", f"已从备份「{source.name}」恢复。", informative=f"恢复前的数据已备份为：\n{safety}"
            )

        return self._run(
            workers.Worker(database.restore_from, source),
            title="恢复备份",
            label="正在检查并恢复备份…",
            on_result=finished,
        )

    def import_roster(self, kind: str | None = None) -> QDialog:
        """文件 → 导入…: the shared import dialog (preview, then commit on a worker)."""
        from ui.import_dialog import ImportDialog  # the importer's readers load with the first import

        dialog = ImportDialog(self, kind)
        dialog.imported.connect(lambda _outcome: self.refresh_all())
        dialog.open()
        return dialog

    def open_backups_folder(self) -> None:
        folder = Path(self.handle.backups_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            dialogs.error(self, "打开备份文件夹", f"无法创建备份文件夹「{folder}」。请检查文件夹权限。")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def load_demo(self) -> workers.Task | None:
        if self._demo_builder is None or self.busy:
            return None
        return self._run(
            workers.Worker(self._demo_builder),
            title="加载演示数据",
            label="正在生成「望湖街道」演示数据…",
            on_result=lambda _summary: self.refresh_all(),
        )

    def offer_demo(self) -> workers.Task | None:
        """On the first start with a new database: offer the demo data."""
        if self._demo_builder is None:
            return None
        if dialogs.ask(
            self,
            "欢迎使用",
            "这是第一次使用。要加载「望湖街道」演示数据吗？",
            ok_text="加载演示数据",
            cancel_text="不用了",
            informative="演示数据是虚构的，用来熟悉本程序。",
        ):
            return self.load_demo()
        return None

    # ------------------------------------------------------------ 帮助 menu
    def show_about(self) -> None:
        dialogs.inform(
            self,
            "关于",
            f"{wanghu_desk.APP_TITLE}  版本 {wanghu_desk.__version__}",
            informative=f"数据库：{self.handle.path}\n自动备份：{self.handle.backups_dir}",
        )

    # ------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            dialogs.warn(self, "请稍候", "正在处理数据，请等它完成后再退出。")
            event.ignore()
            return
        super().closeEvent(event)
