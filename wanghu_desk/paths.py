"""Where data lives: the platform's application-data folder, a portable folder next to
the program, or a path given with `--db`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DB_FILENAME = "wanghu.db"


def program_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def is_portable() -> bool:
    """Portable mode: a file named `portable` next to the program keeps data beside it."""
    return (program_dir() / "portable").exists() or (program_dir() / "portable.txt").exists()


def data_dir() -> Path:
    override = os.environ.get("WANGHU_DESK_HOME")
    if override:
        return Path(override)
    if is_portable():
        return program_dir() / "data"
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "wanghu-desk"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "wanghu-desk"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "wanghu-desk"


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def backups_dir_for(db_path: Path) -> Path:
    """Automatic backups sit in `backups/` beside the database they protect."""
    return Path(db_path).resolve().parent / "backups"


def log_dir() -> Path:
    return data_dir() / "logs"
