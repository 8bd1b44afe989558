"""The look (theme, stylesheet, icon, font choice), on-screen formats, and the message
box helpers (driven without a modal exec)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QMessageBox

import resources
from ui import dialogs, formatting, theme

ROOT = Path(__file__).resolve().parent.parent


def test_money_counts_and_stars_look_as_the_spec_says():
    assert formatting.money(1_000_000) == "¥10,000.00"
    assert formatting.money(29_000_000) == "¥290,000.00"
    assert formatting.money(5) == "¥0.05"
    assert formatting.money(-123_456) == "-¥1,234.56"
    assert formatting.count(100_000) == "100,000"
    assert formatting.stars(3) == "★★★☆☆"
    assert formatting.stars(0) == "☆☆☆☆☆"


def test_font_is_the_first_installed_cjk_family():
    assert theme.pick_font_family(["Arial", "Microsoft YaHei UI", "Noto Sans CJK SC"]) == "Microsoft YaHei UI"
    assert theme.pick_font_family(["WenQuanYi Micro Hei", "Noto Sans CJK SC"]) == "Noto Sans CJK SC"
    assert theme.pick_font_family(["DejaVu Sans"]) is None


def test_theme_is_fusion_light_with_the_accent_stylesheet_and_icon(qapp, monkeypatch):
    chosen = []
    monkeypatch.setattr(qapp, "setStyle", lambda name: chosen.append(name))
    theme.apply_theme(qapp)
    assert chosen == ["Fusion"]
    assert qapp.font().pointSize() == 10
    assert qapp.palette().color(QPalette.ColorRole.Base).name() == "#ffffff"
    assert qapp.palette().color(QPalette.ColorRole.Text).name() == "#333333"
    assert "#C8161D" in qapp.styleSheet()
    assert not any(g in qapp.styleSheet() for g in ("qlineargradient", "qradialgradient", "qconicalgradient"))
    assert not qapp.windowIcon().isNull()
    assert resources.resource_path("icon.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


@pytest.fixture
def answer_with(monkeypatch):
    """Make QMessageBox.exec press the button with the given text instead of waiting."""
    seen: dict = {}

    def install(button_text: str):
        def fake_exec(box: QMessageBox) -> int:
            seen["texts"] = [b.text() for b in box.buttons()]
            seen["title"], seen["text"] = box.windowTitle(), box.text()
            seen["primary"] = [b.text() for b in box.buttons() if b.property("primary")]
            seen["default"] = box.defaultButton().text() if box.defaultButton() else None
            target = next(b for b in box.buttons() if b.text() == button_text)
            target.click()
            return 0

        monkeypatch.setattr(QMessageBox, "exec", fake_exec)
        return seen

    return install


def test_ask_has_chinese_buttons_and_returns_the_choice(qapp, answer_with):
    seen = answer_with("恢复")
    assert dialogs.ask(None, "恢复备份", "将用备份「a.db」替换当前全部数据。", ok_text="恢复", default_ok=False) is True
    assert sorted(seen["texts"]) == sorted(["恢复", "取消"])
    assert seen["primary"] == ["恢复"]
    assert seen["default"] == "取消"  # Enter does not confirm a destructive action
    seen = answer_with("取消")
    assert dialogs.ask(None, "恢复备份", "…", ok_text="恢复") is False


def test_notices_have_one_chinese_button(qapp, answer_with):
    for show in (dialogs.inform, dialogs.warn, dialogs.error):
        seen = answer_with("确定")
        show(None, "备份", "已备份到 U 盘。")
        assert seen["texts"] == ["确定"]


def test_crash_dialog_names_the_log_and_shows_no_traceback(qapp, answer_with, tmp_path):
    seen = answer_with("确定")
    dialogs.crash(None, log_path=tmp_path / "wanghu-desk.log")
    assert seen["title"] == "意外错误"
    assert "打开日志文件夹" in seen["texts"]
    text, informative = dialogs.crash_text(tmp_path / "wanghu-desk.log")
    assert str(tmp_path / "wanghu-desk.log") in informative
    assert "Traceback" not in text + informative


def test_the_core_imports_no_qt():
    """wanghu_desk (services, database) stays free of Qt: the CLI runs without a display."""
    code = (
        "import sys, wanghu_desk.database, wanghu_desk.services.stats, wanghu_desk.services.organization;"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_offer_open_opens_the_written_file_only_when_asked(monkeypatch, tmp_path):
    from PySide6.QtGui import QDesktopServices

    opened, asked = [], []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    target = tmp_path / "公示.pdf"
    monkeypatch.setattr(dialogs, "ask", lambda parent, title, text, **kw: asked.append((text, kw)) or False)
    assert dialogs.offer_open(None, "公示 PDF", "已生成：", target) is False and opened == []
    assert asked[0] == (f"已生成：\n{target}", {"ok_text": "打开文件", "cancel_text": "关闭"})
    monkeypatch.setattr(dialogs, "ask", lambda *a, **kw: True)
    assert dialogs.offer_open(None, "公示 PDF", "已生成：", target) is True
    assert opened == [str(target)]
