"""Files the window needs at run time (stylesheet, icon), found the same way when run
from source and from a PyInstaller bundle (which unpacks data under `sys._MEIPASS`)."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    """The path of a resource file such as ``style.qss`` or ``icon.svg``."""
    return resource_dir() / name


def read_text(name: str) -> str:
    return resource_path(name).read_text(encoding="utf-8")
