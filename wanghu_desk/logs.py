"""Log file set-up: tracebacks go to a rotating file in the data folder, never to the clerk.

No full ID number or phone number reaches a log file: `PersonalDataFilter` sits on every
handler the program sets up and masks them (340104********1234, 139****5678) in the
message, its arguments, the traceback and the stack text of each record before it is
written. `scrub` does the same for any other text meant for a log or a crash report.
"""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path

from wanghu_desk import paths
from wanghu_desk.validation import mask_personal_numbers

LOG_NAME = "wanghu-desk.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_handler: logging.Handler | None = None
_handler_folder: Path | None = None


def scrub(text: str) -> str:
    """`text` with ID numbers and phone numbers masked."""
    return mask_personal_numbers(text)


class PersonalDataFilter(logging.Filter):
    """Masks ID numbers and phones in a record (message with its arguments, exception and
    stack text). The record is changed in place, so every handler after this one sees the
    masked text too. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: keep what there is, masked
            message = f"{record.msg!s} {record.args!r}" if record.args else str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def setup_logging(level: int = logging.INFO) -> logging.Handler:
    """The rotating log file in `paths.log_dir()` on the root logger, with the personal
    data filter. Called again it keeps the handler, unless the log folder has changed
    (another data folder): then the file handler moves there."""
    global _handler, _handler_folder
    folder = paths.log_dir()
    if _handler is not None and _handler_folder == folder:
        return _handler
    root = logging.getLogger()
    root.setLevel(level)
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / LOG_NAME, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(PersonalDataFilter())
    root.addHandler(handler)
    _handler, _handler_folder = handler, folder
    return handler
