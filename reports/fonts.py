"""Chinese fonts for the PDF reports, resolved at run time (SPEC §8).

An official document wants four faces: 仿宋 for the body, 黑体 for 一、 headings, 楷体 for
（一） headings, 宋体 (or 小标宋) for the title and the page numbers. `resolve_fonts()` looks in
the font folders for them, in this order:

1. the Windows system fonts (simfang.ttf, simhei.ttf, simkai.ttf, simsun.ttc, and the
   仿宋_GB2312 / 方正 faces many government PCs have), under ``%WINDIR%\\Fonts`` and the
   per-user font folder;
2. free CJK TrueType fonts on Linux (WenQuanYi Zen Hei / Micro Hei, AR PL UMing / UKai,
   Droid Sans Fallback, Noto CJK only when it has TrueType outlines);
3. reportlab's built-in ``STSong-Light`` CID font, so a report is always produced.

A face that is missing borrows the nearest one found (仿宋 → 宋体 → 楷体 → 黑体 …). TrueType
fonts are embedded as subsets, which is what printer shops need. reportlab cannot embed
PostScript (CFF) outlines, so OpenType/CFF files (most Noto CJK and Source Han packages)
are recognised from their header and skipped. ``STSong-Light`` is not embedded: the PDF
viewer substitutes a font of its own; the `FontSet.note` says so, and the reports put it
in the PDF metadata and the log.

`resolve_fonts(font_dirs)` takes an optional list of folders (tests point it at a
temporary folder); results are cached per folder list, and each font file is registered
with reportlab once per process.

The environment variable ``WANGHU_DESK_FONT_DIRS`` (folders separated by ``os.pathsep``)
replaces the platform's font folders in `default_font_dirs()`; set to an empty folder (or to
nothing at all) it makes this machine behave like one without any Chinese font, which is how
the tests check every report with the ``STSong-Light`` fallback.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

__all__ = [
    "CID_FALLBACK",
    "FONT_DIRS_ENV",
    "FontSet",
    "available_fonts",
    "default_font_dirs",
    "has_truetype_outlines",
    "resolve_fonts",
]

#: reportlab's built-in Chinese font (Adobe-GB1); always available, never embedded.
CID_FALLBACK = "STSong-Light"

#: Font folders to search instead of the platform's (``os.pathsep``-separated; set but empty:
#: no folder at all, hence the CID fallback). Only discovery reads it.
FONT_DIRS_ENV = "WANGHU_DESK_FONT_DIRS"

#: Kinds of face, as the roles of an official document name them.
FANGSONG, HEI, KAI, SONG, XIAOBIAOSONG = "fangsong", "hei", "kai", "song", "xiaobiaosong"

KIND_LABELS = {FANGSONG: "仿宋", HEI: "黑体", KAI: "楷体", SONG: "宋体", XIAOBIAOSONG: "小标宋"}


@dataclass(frozen=True)
class _Candidate:
    kind: str
    subfont: int = 0  # index inside a .ttc collection
    label: str = ""


# Known font files (lower-case file name → what it is), best first within each kind.
# Windows system fonts first, then faces common on government PCs, then free Linux fonts.
KNOWN_FONTS: dict[str, _Candidate] = {
    # 仿宋
    "simfang.ttf": _Candidate(FANGSONG, 0, "仿宋"),
    "仿宋_gb2312.ttf": _Candidate(FANGSONG, 0, "仿宋_GB2312"),
    "fs_gb2312.ttf": _Candidate(FANGSONG, 0, "仿宋_GB2312"),
    "fangsong_gb2312.ttf": _Candidate(FANGSONG, 0, "仿宋_GB2312"),
    "fzfsk.ttf": _Candidate(FANGSONG, 0, "方正仿宋_GBK"),
    "stfangso.ttf": _Candidate(FANGSONG, 0, "华文仿宋"),
    # 黑体
    "simhei.ttf": _Candidate(HEI, 0, "黑体"),
    "fzhtk.ttf": _Candidate(HEI, 0, "方正黑体_GBK"),
    "msyh.ttc": _Candidate(HEI, 0, "微软雅黑"),
    "msyh.ttf": _Candidate(HEI, 0, "微软雅黑"),
    "stheiti.ttf": _Candidate(HEI, 0, "华文黑体"),
    "wqy-zenhei.ttc": _Candidate(HEI, 0, "文泉驿正黑"),
    "wqy-microhei.ttc": _Candidate(HEI, 0, "文泉驿微米黑"),
    "droidsansfallbackfull.ttf": _Candidate(HEI, 0, "Droid Sans Fallback"),
    "droidsansfallback.ttf": _Candidate(HEI, 0, "Droid Sans Fallback"),
    "notosanscjk-regular.ttc": _Candidate(HEI, 2, "Noto Sans CJK SC"),
    "notosanscjksc-regular.ttf": _Candidate(HEI, 0, "Noto Sans CJK SC"),
    "notosanssc-regular.ttf": _Candidate(HEI, 0, "Noto Sans SC"),
    # 楷体
    "simkai.ttf": _Candidate(KAI, 0, "楷体"),
    "楷体_gb2312.ttf": _Candidate(KAI, 0, "楷体_GB2312"),
    "kaiti_gb2312.ttf": _Candidate(KAI, 0, "楷体_GB2312"),
    "fzktk.ttf": _Candidate(KAI, 0, "方正楷体_GBK"),
    "stkaiti.ttf": _Candidate(KAI, 0, "华文楷体"),
    "ukai.ttc": _Candidate(KAI, 0, "AR PL UKai"),
    "gkai00mp.ttf": _Candidate(KAI, 0, "AR PL KaitiM GB"),
    # 宋体
    "simsun.ttc": _Candidate(SONG, 0, "宋体"),
    "simsun.ttf": _Candidate(SONG, 0, "宋体"),
    "stsong.ttf": _Candidate(SONG, 0, "华文宋体"),
    "fzsskt.ttf": _Candidate(SONG, 0, "方正书宋_GBK"),
    "uming.ttc": _Candidate(SONG, 0, "AR PL UMing"),
    "gbsn00lp.ttf": _Candidate(SONG, 0, "AR PL SungtiL GB"),
    "notoserifcjk-regular.ttc": _Candidate(SONG, 2, "Noto Serif CJK SC"),
    "notoserifcjksc-regular.ttf": _Candidate(SONG, 0, "Noto Serif CJK SC"),
    "notoserifsc-regular.ttf": _Candidate(SONG, 0, "Noto Serif SC"),
    # 小标宋 (the title face of GB/T 9704)
    "fzxbsjw.ttf": _Candidate(XIAOBIAOSONG, 0, "方正小标宋简体"),
    "方正小标宋简体.ttf": _Candidate(XIAOBIAOSONG, 0, "方正小标宋简体"),
}

#: For each role, the kinds it may use, best first.
ROLE_PREFERENCES: dict[str, tuple[str, ...]] = {
    "body": (FANGSONG, SONG, KAI, HEI, XIAOBIAOSONG),
    "heading": (HEI, SONG, FANGSONG, KAI, XIAOBIAOSONG),
    "kai": (KAI, FANGSONG, SONG, HEI, XIAOBIAOSONG),
    "song": (SONG, FANGSONG, KAI, HEI, XIAOBIAOSONG),
    "title": (XIAOBIAOSONG, HEI, SONG, FANGSONG, KAI),
}
ROLE_LABELS = {"body": "正文", "heading": "一级标题", "kai": "二级标题", "song": "宋体", "title": "标题"}


@dataclass(frozen=True)
class FontSet:
    """The reportlab font names to use for each role of a document."""

    body: str  # 仿宋: body text, table cells
    heading: str  # 黑体: 一、 headings, table headers
    kai: str  # 楷体: （一） headings, the period line
    song: str  # 宋体: page numbers, numbers in tables
    title: str  # 小标宋 / 黑体: the document title
    embedded: bool  # False only for the CID fallback
    sources: dict[str, str] = field(default_factory=dict)  # role -> face label: "仿宋", "文泉驿微米黑"
    paths: dict[str, Path] = field(default_factory=dict)  # role -> font file (empty for the CID fallback)

    @property
    def note(self) -> str:
        """One line for the PDF metadata and the log: which fonts, and whether embedded."""
        if not self.embedded:
            return f"未找到可嵌入的中文字体，使用内置字体 {CID_FALLBACK}（未嵌入 PDF，打印效果取决于阅读器）"
        used = dict.fromkeys(self.sources.values())
        return "字体（已嵌入）：" + "；".join(used)


# ------------------------------------------------------------------ folders


def default_font_dirs() -> list[Path]:
    """The folders where this platform keeps fonts (those that exist), or those that
    ``WANGHU_DESK_FONT_DIRS`` names when it is set."""
    dirs: list[Path] = []
    override = os.environ.get(FONT_DIRS_ENV)
    if override is not None:
        dirs += [Path(d) for d in override.split(os.pathsep) if d]
    elif sys.platform.startswith("win"):
        windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT") or r"C:\Windows"
        dirs.append(Path(windir) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs += [Path("/Library/Fonts"), Path("/System/Library/Fonts"), Path.home() / "Library" / "Fonts"]
    else:
        data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        dirs += [Path(data_home) / "fonts", Path.home() / ".fonts"]
        for base in (os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":"):
            if base:
                dirs.append(Path(base) / "fonts")
    seen: dict[str, Path] = {}
    for d in dirs:
        seen.setdefault(str(d), d)
    return [d for d in seen.values() if d.is_dir()]


def _known_files(font_dirs: Iterable[Path]) -> dict[str, list[Path]]:
    """Known font file names found under the folders (recursively), in folder order."""
    found: dict[str, list[Path]] = {}
    for folder in font_dirs:
        try:
            walker = os.walk(folder, followlinks=True)
            for root, _dirs, files in walker:
                for name in files:
                    key = name.lower()
                    if key in KNOWN_FONTS:
                        found.setdefault(key, []).append(Path(root) / name)
        except OSError:
            continue
    return found


# ------------------------------------------------------------------ outlines


def has_truetype_outlines(path: Path | str, subfont: int = 0) -> bool:
    """True when the font (or face `subfont` of a collection) has TrueType (glyf) outlines.

    reportlab embeds only TrueType outlines; an OpenType font with PostScript (CFF)
    outlines starts with ``OTTO`` and is refused, so it is skipped without reading the
    whole (often 20 MB) file.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(12 + 4 * (subfont + 1))
            if head[:4] == b"ttcf":
                count = int.from_bytes(head[8:12], "big")
                if subfont >= count or len(head) < 12 + 4 * (subfont + 1):
                    return False
                offset = int.from_bytes(head[12 + 4 * subfont : 16 + 4 * subfont], "big")
                fh.seek(offset)
                head = fh.read(4)
    except OSError:
        return False
    return head[:4] in (b"\x00\x01\x00\x00", b"true")


# ------------------------------------------------------------------ registration

_lock = threading.Lock()
_registered: dict[tuple[str, int], str | None] = {}  # (path, subfont) -> reportlab name, None = unusable
_cache: dict[tuple[str, ...], FontSet] = {}


def _register_ttf(path: Path, subfont: int) -> str | None:
    key = (str(path), subfont)
    if key in _registered:
        return _registered[key]
    name = None
    if has_truetype_outlines(path, subfont):
        candidate = f"WH-{path.stem}-{subfont}-{len(_registered)}"
        try:
            pdfmetrics.registerFont(TTFont(candidate, str(path), subfontIndex=subfont))
            name = candidate
        except Exception as exc:  # a font we cannot read must never stop a report
            log.warning("字体无法使用，已跳过：%s（%s）", path, exc)
    else:
        log.info("字体不是 TrueType 轮廓（reportlab 无法嵌入），已跳过：%s", path)
    _registered[key] = name
    return name


def _register_cid() -> str:
    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CID_FALLBACK


def _first_usable(kind: str, found: dict[str, list[Path]]) -> tuple[str, str, Path] | None:
    """(reportlab name, label, path) of the best usable font of `kind`, or None."""
    for filename, cand in KNOWN_FONTS.items():
        if cand.kind != kind:
            continue
        for path in found.get(filename, []):
            name = _register_ttf(path, cand.subfont)
            if name is None and cand.subfont:
                name = _register_ttf(path, 0)
            if name is not None:
                return name, cand.label, path
    return None


def _resolve(font_dirs: Sequence[Path]) -> FontSet:
    found = _known_files(font_dirs)
    by_kind: dict[str, tuple[str, str, Path] | None] = {}
    for kind in KIND_LABELS:
        by_kind[kind] = _first_usable(kind, found)
    if not any(by_kind.values()):
        name = _register_cid()
        fonts = FontSet(body=name, heading=name, kai=name, song=name, title=name, embedded=False,
                        sources=dict.fromkeys(ROLE_PREFERENCES, f"{CID_FALLBACK}（未嵌入）"))
        log.warning("%s；查找的文件夹：%s", fonts.note, ", ".join(map(str, font_dirs)) or "（无）")
        return fonts
    chosen: dict[str, str] = {}
    sources: dict[str, str] = {}
    paths: dict[str, Path] = {}
    for role, kinds in ROLE_PREFERENCES.items():
        hit = next(by_kind[k] for k in kinds if by_kind[k])
        chosen[role], sources[role], paths[role] = hit
    fonts = FontSet(embedded=True, sources=sources, paths=paths, **chosen)
    log.info("%s（%s）", fonts.note, "；".join(f"{ROLE_LABELS[r]} {p}" for r, p in paths.items()))
    return fonts


def resolve_fonts(font_dirs: Iterable[Path | str] | None = None) -> FontSet:
    """The fonts for a report; see the module docstring. Never fails: the last resort
    is the CID font ``STSong-Light``."""
    dirs = default_font_dirs() if font_dirs is None else [Path(d) for d in font_dirs]
    key = tuple(str(d) for d in dirs)  # the default folders too: WANGHU_DESK_FONT_DIRS may change
    with _lock:
        fonts = _cache.get(key)
        if fonts is None:
            fonts = _cache[key] = _resolve(dirs)
        return fonts


def available_fonts(font_dirs: Iterable[Path | str] | None = None) -> list[tuple[str, str, Path]]:
    """Every usable (TrueType, embeddable) known Chinese font in the folders, best first
    within each kind: ``(kind label, face label, path)``, e.g. ("仿宋", "仿宋", …simfang.ttf)."""
    dirs = default_font_dirs() if font_dirs is None else [Path(d) for d in font_dirs]
    found = _known_files(dirs)
    out = []
    with _lock:
        for filename, cand in KNOWN_FONTS.items():
            for path in found.get(filename, []):
                if _register_ttf(path, cand.subfont) or (cand.subfont and _register_ttf(path, 0)):
                    out.append((KIND_LABELS[cand.kind], cand.label, path))
    return out


def clear_cache() -> None:
    """Forget resolved font sets (fonts stay registered with reportlab); for tests."""
    with _lock:
        _cache.clear()
