"""The built-in national library: the field standards and code sets govstd ships.

Each entry is addressable case-insensitively by its id, its aliases, or its standard number without
spaces or slashes (``GB11643``, ``gbt2261.1``, ``GB/T 2260``), with a version or range after ``@``
(``GB11643@^1``) chosen by the same rule as the registry's (``govstd.standards.versions``).
``govstd registry init`` loads these into a registry; without a registry, validators and
``govstd check`` read them from here.
"""

from __future__ import annotations

import functools
import hashlib
import platform
import re
from importlib import resources
from pathlib import Path

import pydantic

from govstd import __version__, cachefiles
from govstd.errors import NotFoundError
from govstd.standards.models import AnyEntry, EntryKind
from govstd.standards.versions import Resolved, resolve_among, split_ref

_KEY_STRIP = re.compile(r"[\s/\\]+")


def lookup_key(name: str) -> str:
    """The form names are compared in: lower case, no spaces or slashes (``GB/T 2260`` → ``gbt2260``)."""
    return _KEY_STRIP.sub("", name).lower()


#: Cached libraries kept in that folder (one per source key: a version, an edit, a worktree).
KEEP_CACHED = 4


@functools.cache
def builtin_entries() -> tuple[AnyEntry, ...]:
    """Every built-in entry, loaded once per process from the packaged YAML files — or from the
    cache a previous run wrote (``cached_entries``), which skips the YAML and pydantic passes."""
    package = resources.files("govstd.standards")
    if not isinstance(package, Path):  # a zipped install: no files to key a cache on
        return parse_builtin()
    return cached_entries(package, cache_dir())


def parse_builtin() -> tuple[AnyEntry, ...]:
    """Every built-in entry, read from the packaged YAML files and validated by the models."""
    from govstd.standards.loader import load_text  # ruamel and the entry adapter only on this path

    folder = resources.files("govstd.standards").joinpath("library")
    entries: list[AnyEntry] = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name.endswith(".yaml"):
            entries.extend(load_text(item.read_text(encoding="utf-8"), path=f"govstd/standards/library/{item.name}"))
    return tuple(entries)


def cache_dir() -> Path:
    """The user cache directory's ``library/`` (beside the registry's ``items/`` code files)."""
    return cachefiles.folder("library")


def source_key(package: Path) -> str:
    """A digest of every file of ``govstd.standards`` (the YAML, the code tables, and the code that
    reads and validates them) and of the versions that shape a pickle: any edit makes a new key."""
    digest = hashlib.sha256(f"{__version__} {pydantic.VERSION} {platform.python_version()}".encode())
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def cached_entries(package: Path, folder: Path) -> tuple[AnyEntry, ...]:
    """``parse_builtin()``, through a pickle in ``folder`` named by ``source_key``.

    Parsing the library (YAML round-trip, then pydantic over 7,000 GB/T 2260 codes) is most of the
    fixed cost of ``govstd check`` and a small ``govstd validate``; the pickle holds the validated
    result of this very code, so loading it is the same as parsing. A missing, stale or damaged cache
    is rebuilt; one that cannot be written only costs the parse (``govstd.cachefiles``).
    """
    path = folder / f"builtin-{source_key(package)}.pickle"
    return cachefiles.through(path, tuple, parse_builtin, keep=KEEP_CACHED)


@functools.cache
def _index() -> tuple[dict[str, str], dict[str, tuple[AnyEntry, ...]]]:
    """(name → id, id → every built-in version). An id or alias is claimed by the first entry that
    declares it; standard numbers (with and without the year) after them, like the registry's names."""
    names: dict[str, str] = {}
    versions: dict[str, list[AnyEntry]] = {}
    for entry in builtin_entries():
        versions.setdefault(lookup_key(entry.id), []).append(entry)
        for name in (entry.id, *entry.aliases):
            names.setdefault(lookup_key(name), lookup_key(entry.id))
    for entry in builtin_entries():
        if entry.reference is not None:
            number = lookup_key(entry.reference.standard)
            names.setdefault(number, lookup_key(entry.id))
            names.setdefault(number.split("-")[0], lookup_key(entry.id))  # without the year
    return names, {key: tuple(found) for key, found in versions.items()}


def lookup(ref: str, kind: EntryKind | str | None = None) -> Resolved:
    """The built-in entry ``ref`` names (``GB11643``, ``GB11643@^1``, ``GB/T 2260@1.0.0``) and the
    warning to report when the rule settled for a candidate or superseded version. Raises
    ``NotFoundError`` for an unknown name (or one of another ``kind``), and ``NoMatchingVersionError``
    — the registry's error — when no built-in version is in range."""
    name, wanted = split_ref(ref)
    names, versions = _index()
    entries = versions.get(names.get(lookup_key(name), ""), ())
    wanted_kind = EntryKind(kind) if kind is not None else None
    if not entries or (wanted_kind is not None and entries[0].kind is not wanted_kind):
        what = wanted_kind.value.replace("_", " ") if wanted_kind is not None else "standard"
        known = [e.id for e in builtin_entries() if wanted_kind is None or e.kind is wanted_kind]
        raise NotFoundError(what, name, known)
    return resolve_among(entries[0].id, entries, wanted, where="in the built-in library")


def find(ref: str, kind: EntryKind | str | None = None) -> AnyEntry:
    """``lookup(ref, kind).entry``, issuing its warning (if any) as a ``ResolutionWarning``."""
    return lookup(ref, kind).warn()
