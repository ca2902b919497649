"""The built-in national library: the field standards and code sets govstd ships.

Each entry is addressable case-insensitively by its id, its aliases, or its standard number without
spaces or slashes (``GB11643``, ``gbt2261.1``, ``GB/T 2260``). ``govstd registry init`` loads these
into a registry; without a registry, validators and ``govstd check`` read them from here.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from govstd.errors import NotFoundError
from govstd.standards.loader import load_text
from govstd.standards.models import AnyEntry

_KEY_STRIP = re.compile(r"[\s/\\]+")


def lookup_key(name: str) -> str:
    """The form names are compared in: lower case, no spaces or slashes (``GB/T 2260`` → ``gbt2260``)."""
    return _KEY_STRIP.sub("", name).lower()


@functools.cache
def builtin_entries() -> tuple[AnyEntry, ...]:
    """Every built-in entry, loaded once from the packaged YAML files."""
    folder = resources.files("govstd.standards").joinpath("library")
    entries: list[AnyEntry] = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name.endswith(".yaml"):
            entries.extend(load_text(item.read_text(encoding="utf-8"), path=f"govstd/standards/library/{item.name}"))
    return tuple(entries)


@functools.cache
def _index() -> dict[str, AnyEntry]:
    index: dict[str, AnyEntry] = {}
    for entry in builtin_entries():
        for name in (entry.id, *entry.aliases):
            index.setdefault(lookup_key(name), entry)
        if entry.reference is not None:
            number = lookup_key(entry.reference.standard)
            index.setdefault(number, entry)
            index.setdefault(number.split("-")[0], entry)  # without the year
    return index


def find(name: str) -> AnyEntry:
    """The built-in entry called ``name`` (id, alias or standard number); ``@version`` is ignored."""
    key = lookup_key(name.split("@", 1)[0])
    try:
        return _index()[key]
    except KeyError:
        raise NotFoundError("standard", name, [e.id for e in builtin_entries()]) from None
