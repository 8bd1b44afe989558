"""The registry of import kinds: one object per kind (`ImportKind`), one module each.

The command line (`import` / `export` choices and help), the import dialog (its kind
list and option rows), the import pipeline (`reports.importing`, `services.imports`) and
the exports (`reports.exports`, `ui.export_actions`) all read `KINDS`; nothing else
lists the kinds. To add one, write a module here that builds an `ImportKind` and add it
to `_MODULES` (see README「如何增加一种导入类型」).

Importing this package is cheap: the kinds' code is named, not imported (`_base.resolve`).
"""

from __future__ import annotations

from wanghu_desk.errors import UsageError
from wanghu_desk.kinds import branches, groups, ledger, matters, members, ratings, reporting, services, volunteers
from wanghu_desk.kinds._base import Column, ExportSpec, ImportKind, OptionSpec, resolve

__all__ = [
    "KINDS", "Column", "ExportSpec", "ImportKind", "OptionSpec", "all_options", "export_commands", "get",
    "labels", "names", "resolve", "roster_exports",
]  # fmt: skip

_MODULES = (members, branches, groups, volunteers, services, ratings, ledger, matters, reporting)

#: name -> kind, in the order the dialog and the help list them.
KINDS: dict[str, ImportKind] = {m.KIND.name: m.KIND for m in _MODULES}


def names() -> tuple[str, ...]:
    return tuple(KINDS)


def labels() -> dict[str, str]:
    return {k.name: k.label for k in KINDS.values()}


def get(name: str) -> ImportKind:
    """The kind `name`; a usage error naming the kinds there are when it is unknown."""
    kind = KINDS.get(name)
    if kind is None:
        raise UsageError(f"不能导入「{name}」。可以导入：{'、'.join(KINDS)}。")
    return kind


def all_options() -> dict[str, OptionSpec]:
    """Every import option by name (the first kind's spec when several take it)."""
    out: dict[str, OptionSpec] = {}
    for kind in KINDS.values():
        for option in kind.options:
            out.setdefault(option.name, option)
    return out


def takers(option: str) -> list[ImportKind]:
    return [k for k in KINDS.values() if k.option(option) is not None]


def export_commands() -> dict[str, ImportKind]:
    """Command-line export name -> kind (``rating`` for ratings), in registry order."""
    return {(k.export.command or k.name): k for k in KINDS.values() if k.export is not None}


def roster_exports() -> dict[str, ImportKind]:
    """The kinds exported through `reports.exports` (an `ExportTable` from services.exports)."""
    return {k.name: k for k in KINDS.values() if k.export is not None and k.export.rows is not None}
