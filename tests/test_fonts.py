"""The font resolver (reports.fonts): Windows system fonts, free Linux CJK fonts, and the
built-in STSong-Light CID font as the last resort. Each path is proven on a temporary
font folder. Tests that need a real Chinese TrueType font borrow one installed on this
machine (as a symlink or copy under a Windows name) and skip cleanly where there is none
(CI has none): they check embedding itself. The fallback tests always run, and so do the
checks of every report's text (with STSong-Light, see `report_fonts` in tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from reports import fonts


@pytest.fixture(scope="module")
def real_cjk_font() -> Path:
    """A Chinese font with TrueType outlines installed on this machine, or skip."""
    for _kind, _label, path in fonts.available_fonts():
        return path
    pytest.skip("no Chinese TrueType font installed on this machine (CI has none)")


def _place(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.symlink(src, dest)
    except OSError:
        shutil.copyfile(src, dest)
    return dest


def test_windows_fangsong_is_used_for_the_body(tmp_path, real_cjk_font):
    target = _place(real_cjk_font, tmp_path / "simfang.ttf")
    found = fonts.resolve_fonts([tmp_path])
    assert found.embedded
    assert found.paths["body"] == target
    assert found.sources["body"] == "仿宋"
    # The only face there is lent to every other role.
    assert set(found.paths.values()) == {target}
    assert "已嵌入" in found.note and "仿宋" in found.note


def test_each_windows_face_gets_its_role(tmp_path, real_cjk_font):
    names = {"simfang.ttf": "body", "simhei.ttf": "heading", "simkai.ttf": "kai", "simsun.ttc": "song"}
    placed = {role: _place(real_cjk_font, tmp_path / "Fonts" / name) for name, role in names.items()}
    found = fonts.resolve_fonts([tmp_path / "Fonts"])
    for role, path in placed.items():
        assert found.paths[role] == path, role
    assert found.paths["title"] == placed["heading"]  # no 小标宋: the title is set in 黑体
    assert len({found.body, found.heading, found.kai, found.song}) == 4


def test_a_linux_font_in_a_subfolder_is_used(tmp_path, real_cjk_font):
    target = _place(real_cjk_font, tmp_path / "truetype" / "wqy" / "wqy-zenhei.ttc")
    found = fonts.resolve_fonts([tmp_path])
    assert found.embedded
    assert found.paths["body"] == target
    assert found.sources["heading"] == "文泉驿正黑"


def test_windows_fonts_win_over_linux_fonts(tmp_path, real_cjk_font):
    linux = _place(real_cjk_font, tmp_path / "a" / "wqy-microhei.ttc")
    windows = _place(real_cjk_font, tmp_path / "b" / "simfang.ttf")
    found = fonts.resolve_fonts([tmp_path / "a", tmp_path / "b"])
    assert found.paths["body"] == windows
    assert found.paths["heading"] == linux  # 黑体 wanted, and the Linux face is a hei


def test_an_empty_folder_falls_back_to_stsong(tmp_path):
    found = fonts.resolve_fonts([tmp_path])
    assert not found.embedded
    assert found.body == found.heading == found.title == fonts.CID_FALLBACK
    assert found.paths == {}
    assert "STSong-Light" in found.note and "未嵌入" in found.note


def test_a_missing_folder_falls_back_to_stsong(tmp_path):
    found = fonts.resolve_fonts([tmp_path / "no-such-folder"])
    assert found.body == fonts.CID_FALLBACK


def test_postscript_outlines_are_skipped(tmp_path):
    # An OpenType/CFF font (most Noto CJK packages): reportlab cannot embed it.
    (tmp_path / "notosanscjksc-regular.ttf").write_bytes(b"OTTO" + b"\0" * 200)
    assert not fonts.has_truetype_outlines(tmp_path / "notosanscjksc-regular.ttf")
    found = fonts.resolve_fonts([tmp_path])
    assert found.body == fonts.CID_FALLBACK


def test_a_damaged_font_file_is_skipped_not_fatal(tmp_path):
    (tmp_path / "simfang.ttf").write_bytes(b"\x00\x01\x00\x00" + b"garbage" * 50)
    assert fonts.has_truetype_outlines(tmp_path / "simfang.ttf")
    found = fonts.resolve_fonts([tmp_path])
    assert found.body == fonts.CID_FALLBACK


def test_collection_header_is_read_per_face(tmp_path):
    # A .ttc with two faces: the first PostScript, the second TrueType.
    header = b"ttcf" + (2 << 16).to_bytes(4, "big") + (2).to_bytes(4, "big")
    header += (20).to_bytes(4, "big") + (24).to_bytes(4, "big")
    path = tmp_path / "mixed.ttc"
    path.write_bytes(header + b"OTTO" + b"\x00\x01\x00\x00")
    assert not fonts.has_truetype_outlines(path, 0)
    assert fonts.has_truetype_outlines(path, 1)
    assert not fonts.has_truetype_outlines(path, 2)  # no such face
    assert not fonts.has_truetype_outlines(tmp_path / "missing.ttf")


def test_results_are_cached_per_folder_list(tmp_path):
    assert fonts.resolve_fonts([tmp_path]) is fonts.resolve_fonts([tmp_path])


def test_default_folders_on_windows(tmp_path, monkeypatch):
    (tmp_path / "Windows" / "Fonts").mkdir(parents=True)
    (tmp_path / "Local" / "Microsoft" / "Windows" / "Fonts").mkdir(parents=True)
    monkeypatch.delenv(fonts.FONT_DIRS_ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert fonts.default_font_dirs() == [
        tmp_path / "Windows" / "Fonts",
        tmp_path / "Local" / "Microsoft" / "Windows" / "Fonts",
    ]


def test_default_folders_on_linux(tmp_path, monkeypatch):
    (tmp_path / "share" / "fonts").mkdir(parents=True)
    monkeypatch.delenv(fonts.FONT_DIRS_ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    assert tmp_path / "share" / "fonts" in fonts.default_font_dirs()


def test_the_environment_variable_replaces_the_default_folders(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b"),
                                                          str(tmp_path / "missing")]))
    assert fonts.default_font_dirs() == [tmp_path / "a", tmp_path / "b"]
    (tmp_path / "a" / "simfang.ttf").write_bytes(b"OTTO" + b"\0" * 200)  # not embeddable
    assert fonts.resolve_fonts().body == fonts.CID_FALLBACK
    assert fonts.available_fonts() == []


def test_the_environment_variable_set_but_empty_means_no_font_at_all(monkeypatch):
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, "")
    assert fonts.default_font_dirs() == []
    found = fonts.resolve_fonts()
    assert not found.embedded and found.body == fonts.CID_FALLBACK


def test_default_fonts_follow_the_environment_variable(tmp_path, monkeypatch):
    """The default resolution is cached per folder list, so a change of
    WANGHU_DESK_FONT_DIRS is seen at once."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(tmp_path / "a"))
    first = fonts.resolve_fonts()
    assert first is fonts.resolve_fonts([tmp_path / "a"])
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(tmp_path / "b"))
    assert fonts.resolve_fonts() is fonts.resolve_fonts([tmp_path / "b"]) is not first
