"""How ``NAME@range`` resolves: the one implementation ``govstd validate``, ``lint``, ``export``, the
GX integration and the site use.

A reference is answered by *layers*, tried in order: the entries defined next to the schema (its
YAML file, the files being linted, an expectation's ``entries``) first, then the caller's source —
a given resolver, a registry, or the built-in library (``govstd.standards.library``). Every layer
picks the version by the one rule, ``govstd.standards.versions.choose_version``. A layer that does
not know the name, or holds no version in range, passes the reference on; when no layer answers,
the first "no version matches" error is raised (it names the versions there are), else the last
layer's "unknown" error. So a schema file that binds ``X@^2`` but defines only ``X@1.0.0`` is
refused by every command alike, unless a later layer holds a 2.x.

When the rule settles for a candidate or superseded version, its warning goes to ``notes`` (the
validation result's warnings) or, without ``notes``, is issued as a ``ResolutionWarning``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from govstd.errors import InputError, NotFoundError
from govstd.standards import library
from govstd.standards.library import lookup_key
from govstd.standards.loader import load_file
from govstd.standards.models import AnyEntry, CatalogueSchema, EntryKind
from govstd.standards.versions import NoMatchingVersionError, ResolutionWarning, Resolved, resolve_among, split_ref

#: ``(ref, kind) -> Resolved``: one layer; raises ``NotFoundError`` to pass the reference on.
Lookup = Callable[[str, str | None], Resolved]
#: ``(ref, kind) -> entry``: what derivation calls (``govstd.validators.derive.Resolver``).
Resolver = Callable[[str, str | None], AnyEntry]

#: Where entries defined next to a schema are, in "versions … : 1.0.0 (standard)" hints.
BESIDE_SCHEMA = "in the files given"


# --------------------------------------------------------------------------- schema files


def one_catalogue(entries: Sequence[AnyEntry], path: str | Path) -> CatalogueSchema:
    """The catalogue schema of a schema file: there must be exactly one."""
    catalogues = [e for e in entries if isinstance(e, CatalogueSchema)]
    if len(catalogues) != 1:
        raise InputError(f"found {len(catalogues)} catalogue schemas in the file", path=str(path),
                         expected="exactly one document with kind: catalogue_schema")
    return catalogues[0]


def load_schema_file(path: str | Path) -> tuple[CatalogueSchema, list[AnyEntry]]:
    """A schema file's one catalogue schema, and the other entries it defines (the first layer)."""
    entries = load_file(path)
    return one_catalogue(entries, path), [e for e in entries if not isinstance(e, CatalogueSchema)]


def is_schema_file(schema: str | Path) -> bool:
    """Is ``schema`` (as a user gave it) a YAML file rather than a registry reference?"""
    path = Path(schema)
    return isinstance(schema, Path) or path.suffix.lower() in {".yaml", ".yml"} or path.exists()


def load_schema(schema: CatalogueSchema | str | Path, registry: Any = None, notes: list[str] | None = None
                ) -> tuple[CatalogueSchema, list[AnyEntry]]:
    """The catalogue schema a user named — the object itself, a YAML file, or a reference resolved in
    ``registry`` (default: ``Registry()``) — and the entries defined beside it."""
    if isinstance(schema, CatalogueSchema):
        return schema, []
    if is_schema_file(schema):
        return load_schema_file(schema)
    if registry is None:
        from govstd.registry.store import Registry

        registry = Registry()
    return schema_in_registry(registry, str(schema), notes), []


def schema_in_registry(registry: Any, ref: str, notes: list[str] | None = None) -> CatalogueSchema:
    """The catalogue schema ``ref`` resolves to in ``registry``."""
    found = registry_lookup(registry)(ref, EntryKind.CATALOGUE_SCHEMA.value)
    _report(found, notes)
    if not isinstance(found.entry, CatalogueSchema):
        raise InputError(f"{ref!r} is a {found.entry.kind.value}, not a catalogue schema", field="schema",
                         expected="a catalogue schema reference such as 510100-00001@^1")
    return found.entry


# --------------------------------------------------------------------------- layers


def local_lookup(entries: Iterable[AnyEntry], where: str = BESIDE_SCHEMA) -> Lookup:
    """Entries held in memory (defined next to a schema), by id or alias, each version by the rule."""
    index: dict[str, list[AnyEntry]] = {}
    for entry in entries:
        for name in {lookup_key(n) for n in (entry.id, *entry.aliases)}:
            index.setdefault(name, []).append(entry)

    def find(ref: str, kind: str | None) -> Resolved:
        name, wanted = split_ref(ref)
        mine = [e for e in index.get(lookup_key(name), []) if kind is None or e.kind.value == kind]
        if not mine:
            raise NotFoundError("standard", name)
        return resolve_among(mine[0].id, mine, wanted, where=where)

    return find


def registry_lookup(reg: Any) -> Lookup:
    """``Registry.lookup``; any other object given as a registry needs only ``resolve``."""

    def find(ref: str, kind: str | None) -> Resolved:
        wanted = EntryKind(kind) if kind else None
        if hasattr(reg, "lookup"):
            found: Resolved = reg.lookup(ref, kind=wanted)
            return found
        return Resolved(reg.resolve(ref, kind=wanted))

    return find


def resolver_lookup(resolver: Resolver) -> Lookup:
    """A caller's own ``(ref, kind) -> entry``; its choice of version is its own."""
    return lambda ref, kind: Resolved(resolver(ref, kind))


def library_lookup(ref: str, kind: str | None) -> Resolved:
    """The built-in national library."""
    return library.lookup(ref, kind)


def chain(*layers: Lookup, notes: list[str] | None = None) -> Resolver:
    """A resolver that asks ``layers`` in order (see the module docstring), caching each answer."""
    cache: dict[tuple[str, str | None], AnyEntry] = {}

    def find(ref: str, kind: str | None) -> Resolved:
        no_match: NoMatchingVersionError | None = None
        last: NotFoundError | None = None
        for layer in layers:
            try:
                return layer(ref, kind)
            except NoMatchingVersionError as exc:
                no_match = no_match or exc
            except NotFoundError as exc:
                last = exc
        raise no_match or last or NotFoundError("standard", ref)

    def resolve(ref: str, kind: str | None) -> AnyEntry:
        if (ref, kind) not in cache:
            found = find(ref, kind)
            _report(found, notes)
            cache[(ref, kind)] = found.entry
        return cache[(ref, kind)]

    return resolve


def resolver_for(local: Iterable[AnyEntry] = (), *, resolver: Resolver | None = None, registry: Any = None,
                 notes: list[str] | None = None) -> Resolver:
    """The usual layers: the ``local`` entries, then ``resolver`` if given, else ``registry`` if given,
    else the built-in library."""
    if resolver is not None:
        source = resolver_lookup(resolver)
    elif registry is not None:
        source = registry_lookup(registry)
    else:
        source = library_lookup
    return chain(local_lookup(local), source, notes=notes)


def _report(found: Resolved, notes: list[str] | None) -> None:
    if not found.warning:
        return
    if notes is not None:
        notes.append(found.warning)
    else:
        warnings.warn(found.warning, ResolutionWarning, stacklevel=4)


__all__ = [
    "BESIDE_SCHEMA",
    "Lookup",
    "Resolver",
    "chain",
    "is_schema_file",
    "library_lookup",
    "load_schema",
    "load_schema_file",
    "local_lookup",
    "one_catalogue",
    "registry_lookup",
    "resolver_for",
    "schema_in_registry",
]
