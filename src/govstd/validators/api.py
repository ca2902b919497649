"""``govstd.validate(source, schema)``: the one call pipelines and the CLI make.

Source: a file path (CSV, XLSX, Parquet, JSON Lines), a database URL with ``table`` or ``query``
(SQLite, PostgreSQL), or an in-memory pandas / polars / Arrow table. Schema: a ``CatalogueSchema``,
a YAML file (which may also define the data elements and code sets it binds), or a registry
reference such as ``510100-00001@^1``. Every reference — the schema's and its fields' — resolves by
the one resolution module (``govstd.registry.resolve``): the schema file's own entries first, then
the registry or the built-in library, each version by ``choose_version``; when that rule settles for
a candidate or superseded version, the result's warnings say so. Returns a ``ValidationResult`` of metrics,
judged once by the scorecard and the share gate (``govstd.validators.scorecard``): ``result.verdict``,
``result.score`` and ``result.exit_code`` are what a pipeline needs. Bad input raises ``InputError`` (the
CLI's exit code 2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from govstd.errors import InputError
from govstd.registry.resolve import load_schema, resolver_for
from govstd.standards.models import CatalogueSchema, RegisteredServiceItemRule
from govstd.validators import fixlist
from govstd.validators import scorecard as sc
from govstd.validators.derive import Resolver, ServiceItemCodes, bind_fields, service_item_codes_from
from govstd.validators.engines import DEFAULT_ENGINE, ENGINES, engine_spec
from govstd.validators.engines.run import DEFAULT_HASHES, fingerprint_algorithms, run
from govstd.validators.privacy import redact_result
from govstd.validators.results import FieldBinding, ValidationResult
from govstd.validators.scorecard import masked_copy


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
    show_values: bool = False,
    fix_list: str | Path | None = None,
    policy: Mapping[str, Any] | sc.QualityPolicy | None = None,
    fail_on: Literal["warn", "fail"] = "fail",
    fingerprint: str | Sequence[str] = DEFAULT_HASHES,
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
    ``fix_list``: a ``.xlsx`` or ``.csv`` path to write every failing row to (masked; DuckDB only);
    the result's ``fix_list`` says how many rows it holds.
    ``policy``: scoring weights and gate thresholds overriding the schema's (``scorecard.load_policy``).
    ``fail_on``: ``"fail"`` (default) — ``result.exit_code`` is 1 on a FAIL verdict; ``"warn"`` — on WARN too.
    ``fingerprint``: how a source file is fingerprinted: ``"sha256"`` (default) or ``"sha256,sm3"`` (SM3,
    GB/T 32905, costs about as much CPU as the scan itself; the scorecard's ``dataset.sm3`` is empty without it).

    >>> result = validate("people.csv", "schema.yaml")      # doctest: +SKIP
    >>> result.verdict, result.score, result.exit_code     # doctest: +SKIP
    ('FAIL', 97.5, 1)
    """
    started = dt.datetime.now(dt.UTC)
    engine_spec(engine)  # an unknown engine is refused before anything is read
    if sample_size < 0:
        raise InputError("sample size must not be negative", field="samples", expected="0 or more")
    fix_target = fixlist.check_target(fix_list) if fix_list is not None else None
    algorithms = fingerprint_algorithms(fingerprint)
    if fix_target is not None and engine != "duckdb":
        raise InputError(f"--fix-list is not supported on engine {engine}", field="fix_list",
                         expected="--engine duckdb (the fix list streams every failing row from DuckDB)")
    reg = _open_registry(registry)
    try:
        notes: list[str] = []
        catalogue, local = load_schema(schema, reg, notes)
        # A copy govstd mask wrote is judged as one: its masked fields must be masked (masked_copy).
        copy_note = masked_copy.find(source, notes)
        if copy_note is not None:
            catalogue = masked_copy.expected_schema(catalogue, copy_note)
        resolve = resolver_for(local, resolver=resolver, registry=reg, notes=notes)
        needs_items = any(isinstance(r, RegisteredServiceItemRule) for r in catalogue.rules)
        items: ServiceItemCodes | None = None
        if service_items is not None:
            items = service_item_codes_from(service_items)
        elif reg is not None and needs_items:
            items = service_item_codes_from(reg)
        bindings = bind_fields(catalogue, resolve)
        result = run(engine, source, catalogue, resolve=resolve, bindings=bindings, items=items, encoding=encoding,
                     sheet=sheet, table=table, query=query, sample_size=sample_size, today=today, progress=progress,
                     memory_limit=memory_limit, threads=threads, temp_directory=temp_directory,
                     spark_master=spark_master, registry_label=getattr(reg, "location", None), started=started,
                     show_values=show_values, fix_list=fix_target, fingerprint=algorithms)
        # Which versions the checks came from comes first: it qualifies every other line.
        result = result.model_copy(update={
            "warnings": [*dict.fromkeys(notes), *result.warnings], "catalogue": catalogue,
            "bindings": {name: FieldBinding.of(b) for name, b in bindings.items()},
        })
        result = redact_result(result, show_values=show_values)
        # Scored once, here: the reports reuse this scorecard (``result.scorecard``) and never score again.
        card = sc.build(result, catalogue, policy, masked_copy=copy_note)
        return result.judged(card, exit_code=sc.exit_code(card, fail_on), fail_on=fail_on)
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


__all__ = ["ENGINES", "validate"]
