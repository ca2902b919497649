"""``govstd.validate(source, schema)``: the one call pipelines and the CLI make.

Source: a file path (CSV, XLSX, Parquet, JSON Lines), a database URL with ``table`` or ``query``
(SQLite, PostgreSQL), or an in-memory pandas / polars / Arrow table. Schema: a ``CatalogueSchema``,
a YAML file (which may also define the data elements and code sets it binds), or a registry
reference such as ``510100-00001@^1``. Every reference — the schema's and its fields' — resolves by
the registry's one rule (``govstd.registry.versions.choose_version``), whether it is answered by the
schema file, the registry or the built-in library; when that rule settles for a candidate or
superseded version, the result's warnings say so. Returns a ``ValidationResult`` of metrics; judging
them is the scorecard's job. Bad input raises ``InputError`` (the CLI's exit code 2).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from govstd.errors import InputError, NotFoundError
from govstd.registry.versions import NoMatchingVersionError, Resolved, resolve_among, split_ref
from govstd.standards import library
from govstd.standards.library import lookup_key
from govstd.standards.loader import load_file
from govstd.standards.models import AnyEntry, CatalogueSchema, EntryKind, RegisteredServiceItemRule
from govstd.validators.derive import Resolver, ServiceItemCodes, service_item_codes_from
from govstd.validators.engines import DEFAULT_ENGINE, ENGINES, engine_spec
from govstd.validators.engines.run import run
from govstd.validators.results import ValidationResult


def validate(
    source: Any,
    schema: CatalogueSchema | str | Path,
    *,
    registry: Any = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
    table: str | None = None,
    query: str | None = None,
    sample_size: int = 5,
    engine: str = DEFAULT_ENGINE,
    today: dt.date | None = None,
    resolver: Resolver | None = None,
    progress: bool = False,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | None = None,
    service_items: ServiceItemCodes | Mapping[str, Any] | Iterable[str] | None = None,
    spark_master: str | None = None,
) -> ValidationResult:
    """Validate ``source`` against ``schema`` and return every check's evaluated/failed counts.

    ``registry``: a URL (or an open ``Registry``) to resolve references and service item codes.
    ``resolver``: ``(ref, kind) -> entry`` instead of the registry / built-in library.
    ``today``: the reference date (birth dates not in the future, timeliness); default today.
    ``memory_limit`` / ``threads`` / ``temp_directory``: DuckDB resources (data beyond memory spills).
    ``service_items``: registered service item codes, when not taken from the registry.
    ``engine``: ``duckdb`` (default); ``spark`` — ``source`` may also be a Spark DataFrame or a Spark
    table name (or ``table=``), ``spark_master`` starts a session when none is running; ``postgres`` —
    ``source`` is a PostgreSQL URL with ``table`` or ``query``, the checks run inside the database.
    See docs/engines.md.
    """
    started = dt.datetime.now(dt.UTC)
    engine_spec(engine)  # an unknown engine is refused before anything is read
    if sample_size < 0:
        raise InputError("sample size must not be negative", field="samples", expected="0 or more")
    reg = _open_registry(registry)
    try:
        local: dict[str, list[AnyEntry]] = {}
        notes: list[str] = []
        catalogue = _load_schema(schema, reg, local, notes)
        resolve = _layered_resolver(local, resolver, reg, notes)
        needs_items = any(isinstance(r, RegisteredServiceItemRule) for r in catalogue.rules)
        items: ServiceItemCodes | None = None
        if service_items is not None:
            items = service_item_codes_from(service_items)
        elif reg is not None and needs_items:
            items = service_item_codes_from(reg)
        result = run(engine, source, catalogue, resolve=resolve, items=items, encoding=encoding, sheet=sheet,
                     table=table, query=query, sample_size=sample_size, today=today, progress=progress,
                     memory_limit=memory_limit, threads=threads, temp_directory=temp_directory,
                     spark_master=spark_master, registry_label=getattr(reg, "location", None), started=started)
        # Which versions the checks came from comes first: it qualifies every other line.
        return result.model_copy(update={"warnings": [*dict.fromkeys(notes), *result.warnings]})
    finally:
        if reg is not None and isinstance(registry, str | Path):
            reg.close()


# --------------------------------------------------------------------------- schema and references


def _open_registry(registry: Any) -> Any:
    if registry is None:
        return None
    if isinstance(registry, str | Path):
        from govstd.registry.store import Registry

        return Registry(str(registry))
    if not hasattr(registry, "resolve"):
        raise InputError(f"not a registry: {type(registry).__name__}", field="registry",
                         expected="a registry URL or a govstd Registry")
    return registry


def _load_schema(schema: CatalogueSchema | str | Path, reg: Any, local: dict[str, list[AnyEntry]],
                 notes: list[str] | None = None) -> CatalogueSchema:
    if isinstance(schema, CatalogueSchema):
        return schema
    text = str(schema)
    path = Path(text)
    if isinstance(schema, Path) or path.suffix.lower() in {".yaml", ".yml"} or path.exists():
        entries = load_file(path)
        catalogues = [e for e in entries if isinstance(e, CatalogueSchema)]
        if len(catalogues) != 1:
            raise InputError(f"found {len(catalogues)} catalogue schemas in the file", path=text,
                             expected="exactly one document with kind: catalogue_schema")
        for entry in entries:
            if not isinstance(entry, CatalogueSchema):
                for name in {lookup_key(n) for n in (entry.id, *entry.aliases)}:
                    local.setdefault(name, []).append(entry)
        return catalogues[0]
    if reg is None:
        from govstd.registry.store import Registry

        reg = Registry()
    found = _registry_lookup(reg, text, EntryKind.CATALOGUE_SCHEMA.value)
    if found.warning and notes is not None:
        notes.append(found.warning)
    entry = found.entry
    if not isinstance(entry, CatalogueSchema):
        raise InputError(f"{text!r} is a {entry.kind.value}, not a catalogue schema", field="schema",
                         expected="a catalogue schema reference such as 510100-00001@^1")
    return entry


def _layered_resolver(local: Mapping[str, list[AnyEntry]], resolver: Resolver | None, reg: Any,
                      notes: list[str]) -> Resolver:
    """Entries defined next to the schema first, then the given resolver, the registry, or built-ins —
    each version chosen by the one rule, its warning (if any) appended to ``notes``."""

    def fallback(ref: str, kind: str | None) -> Resolved:
        if resolver is not None:
            return Resolved(resolver(ref, kind))
        if reg is not None:
            return _registry_lookup(reg, ref, kind)
        return library.lookup(ref, kind)

    def find(ref: str, kind: str | None) -> Resolved:
        name, wanted = split_ref(ref)
        mine = [e for e in local.get(lookup_key(name), []) if kind is None or e.kind.value == kind]
        if not mine:
            return fallback(ref, kind)
        try:
            return resolve_among(mine[0].id, mine, wanted, where="in the schema file")
        except NoMatchingVersionError as own:
            try:  # the registry or the library may hold the version the file does not
                return fallback(ref, kind)
            except NotFoundError:
                raise own from None

    @functools.cache
    def resolve(ref: str, kind: str | None) -> AnyEntry:
        found = find(ref, kind)
        if found.warning:
            notes.append(found.warning)
        return found.entry

    return resolve


def _registry_lookup(reg: Any, ref: str, kind: str | None) -> Resolved:
    """``Registry.lookup``; any other object given as a registry needs only ``resolve``."""
    wanted = EntryKind(kind) if kind else None
    if hasattr(reg, "lookup"):
        found: Resolved = reg.lookup(ref, kind=wanted)
        return found
    return Resolved(reg.resolve(ref, kind=wanted))


__all__ = ["ENGINES", "validate"]
