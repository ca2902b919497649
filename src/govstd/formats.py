"""The small registry behind every "one module per format" in govstd: export formats
(``govstd.export``) and scorecard report formats (``govstd.validators.report``).

A format names the module that implements it; the module is imported only when the format is used,
so writing a JSON scorecard never loads the HTML templates and exporting SQL never loads GX.

>>> formats = Formats("report format", [Format("json", "json")], aliases={"js": "json"})
>>> formats.find("JS").load("dumps")([1])
'[1]'
>>> formats.find("yaml")
Traceback (most recent call last):
    ...
govstd.errors.InputError: unknown report format 'yaml' (expected json)
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from govstd.errors import InputError

__all__ = ["Format", "Formats"]


@dataclass(frozen=True)
class Format:
    """One format: its name and the module that implements it. Subclasses add what their kind needs."""

    name: str
    module: str

    def load(self, attr: str) -> Any:
        """``attr`` of the format's module (imported now if it was not yet)."""
        return getattr(importlib.import_module(self.module), attr)


F = TypeVar("F", bound=Format)


class Formats(dict[str, F], Generic[F]):
    """Formats by name, and the error a user sees for a name that is none of them."""

    def __init__(self, kind: str, formats: Iterable[F], *, aliases: Mapping[str, str] | None = None) -> None:
        super().__init__((f.name, f) for f in formats)
        self.kind = kind
        self.aliases = dict(aliases or {})

    def find(self, name: str) -> F:
        """The format called ``name`` (any case) or one of its aliases; InputError when there is none."""
        key = self.aliases.get(name.lower(), name.lower())
        try:
            return self[key]
        except KeyError:
            raise InputError(f"unknown {self.kind} {name!r}", expected=", ".join(sorted(self))) from None
