"""The pieces an import kind is made of: its columns, its import options, its export.

Pure data: nothing here imports the readers, openpyxl, reportlab or pypinyin. The code a
kind runs (its normaliser, classify and commit, its export writer) is named as
``"module:attribute"`` and imported the first time it is called (`resolve`), so that the
registry costs nothing at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Column", "ExportSpec", "ImportKind", "OptionSpec", "resolve"]


@dataclass(frozen=True)
class Column:
    """One column of a roster.

    `kind` says how the value is read and written: ``text``, ``name``, ``id`` (公民身份号码),
    ``phone``, ``date``, ``bool`` (是/否), ``number`` (a count or hours), ``choice``
    (a label from a vocabulary).
    """

    field: str
    header: str
    synonyms: tuple[str, ...] = ()
    kind: str = "text"
    required: bool = False
    export_only: bool = False
    width: int | None = None  # fixed export width in characters; None = fitted to content

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


def resolve(target: Any) -> Any:
    """``"package.module:name"`` → the object, imported now (anything else is returned
    as it is: a test may put a class in place of its name)."""
    if not isinstance(target, str):
        return target
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class OptionSpec:
    """An import option (the rating year, the stage, the kind of matter …).

    `flag` is the command line's (``--year``); `label` what the dialog and the messages
    say. `choices` names a function returning ``[(value, text), …]`` for the dialog's
    list and `pick` one returning the value selected first (given the list); a static
    `values` list serves both the command line's ``choices=`` and the dialog. `default`
    is used when the option is not given; `required` makes a missing value a usage
    error with `missing` as its message."""

    name: str
    label: str
    flag: str
    help: str
    type: Callable[[str], Any] = str
    values: tuple[tuple[Any, str], ...] = ()
    choices: str | None = None
    pick: str | None = None
    default: Any = None
    required: bool = False
    missing: str = ""
    in_dialog: bool = True
    metavar: str | None = None
    #: The command line accepts only the codes of `values` (False: the normaliser reads
    #: labels and synonyms too, and explains a wrong one).
    strict: bool = True
    #: The dialog's label when it differs from `label` ("评定年度" for the rating year).
    dialog_label: str = ""

    def dialog_choices(self) -> list[tuple[Any, str]]:
        if self.choices is not None:
            return list(resolve(self.choices)())
        return list(self.values)

    def first_pick(self, choices: Sequence[tuple[Any, str]]) -> Any:
        if self.pick is not None:
            return resolve(self.pick)(choices)
        values = [v for v, _text in choices]
        if self.default in values:
            return self.default
        return values[0] if values else None


@dataclass(frozen=True)
class ExportSpec:
    """How a kind is exported.

    A roster export (`rows` set) goes through `reports.exports`: `rows` names the
    `services.exports` function giving the `ExportTable`, `title` follows the
    organisation's name, `has_id_numbers` offers 完整身份证号 to admins, `unit` counts
    the rows. Any other export names its own `writer` (``writer(path, **arguments)``
    returning the path or an `ExportResult`), the command-line `arguments` it takes
    (``{"year": 2026}``: the argument and, when it is required, an example value;
    None when optional) and `done`, the message printed after it (formatted with the
    arguments and ``path``/``rows``).

    `command` is the name on the command line (``rating`` for the ratings kind);
    `window` names the window's entry point for this export (a function or class
    method path), checked by tests/test_import_kinds_reachable.py."""

    title: str
    command: str = ""
    rows: str | None = None
    has_id_numbers: bool = False
    unit: str = "条"
    writer: str | None = None
    arguments: Mapping[str, Any] = field(default_factory=dict)
    done: str = ""
    window: str = ""


@dataclass(frozen=True)
class ImportKind:
    """One kind of data the program imports: everything the command line, the import
    dialog, the pipeline (`reports.importing`) and the exports need to know about it.

    `normaliser` names a `reports.import_rows.Normaliser` subclass (built with
    ``(today, **options)`` when the kind has options, else ``(today)``); `classify`
    a function ``(records, options) -> ["insert" | "update" | "unchanged", …]`` and
    `commit` a generator ``(records, counts, source, options)`` run inside the
    import's transaction (`services.imports.commit`)."""

    name: str
    label: str
    columns: tuple[Column, ...]
    normaliser: str
    classify: str
    commit: str
    help: str
    options: tuple[OptionSpec, ...] = ()
    export: ExportSpec | None = None
    #: Added to the dialog's "表格中应有「…」等列" hint after the required columns.
    hint_extra: str = ""
    #: Shown instead of the dialog's hint when an option has no choice at all.
    no_choices: str = ""
    #: What the audit note and the completion message call an import (default: the label).
    describe: str | None = None

    def option(self, name: str) -> OptionSpec | None:
        return next((o for o in self.options if o.name == name), None)

    def make_normaliser(self, today: Any, options: Mapping[str, Any]) -> Any:
        cls = resolve(self.normaliser)
        return cls(today, **options) if self.options else cls(today)

    def run_classify(self, records: list[dict], options: Mapping[str, Any]) -> list[str]:
        return resolve(self.classify)(records, dict(options))

    def run_commit(self, records: list[dict], counts: Any, source: str, options: Mapping[str, Any]) -> Any:
        return resolve(self.commit)(records, counts, source, dict(options))

    def what(self, options: Mapping[str, Any]) -> str:
        """How the audit note and the messages name one import of this kind."""
        if self.describe is None:
            return self.label
        return resolve(self.describe)(options)
