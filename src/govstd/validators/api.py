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
import hashlib
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from govstd import __version__
from govstd.errors import InputError, NotFoundError
from govstd.registry.versions import NoMatchingVersionError, Resolved, resolve_among, split_ref
from govstd.standards import library
from govstd.standards.library import lookup_key
from govstd.standards.loader import load_file
from govstd.standards.models import AnyEntry, CatalogueSchema, EntryKind, MaskingRule, RegisteredServiceItemRule
from govstd.validators.derive import (
    Resolver,
    ServiceItemCodes,
    bind,
    derive,
    service_item_codes_from,
)
from govstd.validators.engine import DuckDBEngine, EngineConfig, connect, map_columns
from govstd.validators.privacy import SampleMasking, redact_names, redact_result
from govstd.validators.readers import LoadedSource, hash_file, open_source
from govstd.validators.results import CheckResult, DatasetInfo, ValidationResult

#: File fingerprints in DatasetInfo: SHA-256, and SM3 (GB/T 32905) where OpenSSL provides it.
HASHES = ("sha256", "sm3")
ENGINES = ("duckdb", "spark", "postgres")


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
    engine: str = "duckdb",
    today: dt.date | None = None,
    resolver: Resolver | None = None,
    progress: bool = False,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | None = None,
    service_items: ServiceItemCodes | Mapping[str, Any] | Iterable[str] | None = None,
    spark_master: str | None = None,
    show_values: bool = False,
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
    ``show_values``: sample values and column names unmasked (personal data!); by default every value,
    name and message in the result is masked (``govstd.validators.privacy``, docs/security.md).
    """
    started = dt.datetime.now(dt.UTC)
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", field="engine", expected=", ".join(ENGINES))
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
        masking = functools.partial(SampleMasking, show_values=show_values)
        if engine != "duckdb":
            from govstd.validators import engines

            result = engines.run(engine, source, catalogue, resolve=resolve, items=items, encoding=encoding,
                                 sheet=sheet, table=table, query=query, sample_size=sample_size, today=today,
                                 spark_master=spark_master, registry_label=getattr(reg, "location", None),
                                 started=started, masking=masking)
        else:
            result = _run(source, catalogue, resolve=resolve, items=items, encoding=encoding, sheet=sheet,
                          table=table, query=query, sample_size=sample_size, today=today, progress=progress,
                          config=EngineConfig(memory_limit=memory_limit, threads=threads,
                                              temp_directory=temp_directory),
                          registry_label=getattr(reg, "location", None), started=started, masking=masking)
        # Which versions the checks came from comes first: it qualifies every other line.
        result = result.model_copy(update={"warnings": [*dict.fromkeys(notes), *result.warnings]})
        return redact_result(result, show_values=show_values)
    finally:
        if reg is not None and isinstance(registry, str | Path):
            reg.close()


def _run(source: Any, catalogue: CatalogueSchema, *, resolve: Resolver, items: ServiceItemCodes | None,
         encoding: str | None, sheet: str | int | None, table: str | None, query: str | None, sample_size: int,
         today: dt.date | None, progress: bool, config: EngineConfig, registry_label: str | None,
         started: dt.datetime, masking: Callable[[Mapping[str, MaskingRule | None]], SampleMasking],
         ) -> ValidationResult:
    bindings = {f.name: bind(f, resolve) for f in catalogue.fields}
    expected = [n for f in catalogue.fields for n in (f.name, f.name_zh) if n]
    text_columns = [n for f in catalogue.fields if bindings[f.name].is_identifier for n in (f.name, f.name_zh) if n]
    algorithms = _available_hashes()
    if config.temp_directory:
        Path(config.temp_directory).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govstd-", dir=config.temp_directory) as tmp:
        con = connect(config)
        try:
            loaded = open_source(con, source, workdir=Path(tmp), expected_columns=expected, text_columns=text_columns,
                                 encoding=encoding, sheet=sheet, table=table, query=query,
                                 hash_algorithms=algorithms)
            hasher = _HashThread(loaded, algorithms)
            mapping, warnings = match_columns(catalogue, loaded)
            map_columns(con, loaded, mapping)
            derivation = derive(catalogue, columns=list(mapping), resolver=resolve, today=today,
                                service_items=items)
            runner = DuckDBEngine(con, loaded, progress=progress)
            rows, checks = runner.run(derivation.suite, masking=masking(derivation.masking), sample_size=sample_size)
            hashes = hasher.result()
        finally:
            con.close()
    return result_of(catalogue, loaded, engine=runner.name, rows=rows, checks=checks, hashes=hashes,
                     warnings=[*loaded.warnings, *warnings, *derivation.suite.warnings, *hasher.warnings],
                     registry_label=registry_label, started=started)


def result_of(catalogue: CatalogueSchema, loaded: LoadedSource, *, engine: str, rows: int,
              checks: list[CheckResult], hashes: Mapping[str, str], warnings: list[str],
              registry_label: str | None, started: dt.datetime) -> ValidationResult:
    """The ValidationResult of one run, whichever engine counted it."""
    info = DatasetInfo(
        source=loaded.source, format=loaded.format, rows=rows, columns=loaded.columns, encoding=loaded.encoding,
        sha256=hashes.get("sha256"), sm3=hashes.get("sm3"), bytes=loaded.size,
    )
    return ValidationResult(
        dataset=info, schema_ref=catalogue.ref, engine=engine, tool_version=__version__, registry=registry_label,
        started_at=started, finished_at=dt.datetime.now(dt.UTC), checks=checks, warnings=warnings,
    )


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


# --------------------------------------------------------------------------- columns


def match_columns(catalogue: CatalogueSchema, loaded: LoadedSource) -> tuple[dict[str, str], list[str]]:
    """field → data column: the exact name, else ignoring case and spaces, else the Chinese name.
    Raises InputError naming the missing required columns."""
    folded: dict[str, str] = {}
    for column in loaded.columns:
        folded.setdefault(_fold(column), column)
    mapping: dict[str, str] = {}
    for f in catalogue.fields:
        if f.name in loaded.columns:
            mapping[f.name] = f.name
        elif _fold(f.name) in folded:
            mapping[f.name] = folded[_fold(f.name)]
        elif f.name_zh and _fold(f.name_zh) in folded:
            mapping[f.name] = folded[_fold(f.name_zh)]
    missing = [f for f in catalogue.fields if f.required and f.name not in mapping]
    if missing:
        names = ", ".join(f"{f.name} ({f.name_zh})" if f.name_zh else f.name for f in missing)
        raise InputError(
            f"missing required column(s): {names}", path=loaded.source,
            expected="columns " + ", ".join(f.name for f in catalogue.fields),
            hint=f"the data has: {', '.join(redact_names(loaded.columns[:30]))}",
        )
    warnings = []
    extra = [c for c in loaded.columns if c not in set(mapping.values())]
    if extra:
        warnings.append(f"columns not in the schema were not checked: {', '.join(redact_names(extra[:20]))}")
    return mapping, warnings


def _fold(name: str) -> str:
    return re.sub(r"\s+", "", name).lstrip("\ufeff").casefold()


# --------------------------------------------------------------------------- fingerprints


def _available_hashes() -> tuple[str, ...]:
    out = []
    for name in HASHES:
        try:
            hashlib.new(name)
        except ValueError:
            continue
        out.append(name)
    return tuple(out)


class _HashThread:
    """Hash the source file while DuckDB scans it (hashlib releases the GIL on large chunks)."""

    def __init__(self, loaded: LoadedSource, algorithms: tuple[str, ...]) -> None:
        self.hashes: dict[str, str] = dict(loaded.hashes)
        self.warnings: list[str] = []
        self._thread: threading.Thread | None = None
        if loaded.path is not None and not self.hashes and algorithms:
            self._thread = threading.Thread(target=self._work, args=(loaded.path, algorithms), daemon=True)
            self._thread.start()

    def _work(self, path: Path, algorithms: tuple[str, ...]) -> None:
        try:
            self.hashes.update(hash_file(path, algorithms))
        except OSError as exc:
            self.warnings.append(f"could not fingerprint the file: {exc.strerror}")

    def result(self) -> dict[str, str]:
        if self._thread is not None:
            self._thread.join()
        return self.hashes


__all__ = ["match_columns", "validate"]
