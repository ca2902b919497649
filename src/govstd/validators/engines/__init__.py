"""Engines beyond the default DuckDB: Apache Spark and PostgreSQL pushdown.

The same check suite (``govstd.validators.derive``) compiled by each engine's dialect
(``govstd.validators.compiler``), run by an ``engines.base.SqlEngine``, gives the same
``ValidationResult`` — the parity suite in ``tests/engines`` holds every engine to DuckDB's counts,
samples and scorecards. Heavy clients (pyspark, psycopg) are imported only when their engine runs.

- ``spark``: a Spark DataFrame, a table in the Spark catalogue, or a file (Parquet and plain UTF-8
  CSV are read by Spark itself; anything else by govstd's readers, then handed to Spark as Parquet).
- ``postgres``: a table or query in PostgreSQL; the checks run inside the database and only counts
  and samples come back.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govstd.errors import InputError
from govstd.standards.models import CatalogueSchema, MaskingRule
from govstd.validators.derive import Resolver, ServiceItemCodes, bind, derive
from govstd.validators.engines.base import SqlEngine
from govstd.validators.readers import LoadedSource
from govstd.validators.results import ValidationResult

#: Every engine ``govstd.validate(engine=…)`` and ``govstd validate --engine`` accept.
ENGINES = ("duckdb", "spark", "postgres")


@dataclass
class Opened:
    """A source opened on an engine: what DatasetInfo reports about it, and a runner over its columns
    renamed to the schema's field names (``mapping``: field → data column)."""

    loaded: LoadedSource
    engine: Callable[[Mapping[str, str]], SqlEngine]


@dataclass
class SourceOptions:
    """How to read the source (the same options as the DuckDB engine), and which columns matter."""

    expected_columns: list[str]
    text_columns: list[str]
    workdir: Path
    encoding: str | None = None
    sheet: str | int | None = None
    table: str | None = None
    query: str | None = None
    spark_master: str | None = None


def open_source(engine: str, source: Any, options: SourceOptions) -> AbstractContextManager[Opened]:
    if engine == "spark":
        from govstd.validators.engines.spark import open_spark

        return open_spark(source, options)
    if engine == "postgres":
        from govstd.validators.engines.postgres import open_postgres

        return open_postgres(source, options)
    raise InputError(f"unknown engine {engine!r}", field="engine", expected=", ".join(ENGINES))


def run(engine: str, source: Any, catalogue: CatalogueSchema, *, resolve: Resolver,
        items: ServiceItemCodes | None, encoding: str | None, sheet: str | int | None, table: str | None,
        query: str | None, sample_size: int, today: dt.date | None, spark_master: str | None,
        registry_label: str | None, started: dt.datetime,
        masking: Callable[[Mapping[str, MaskingRule | None]], Mapping[str, MaskingRule | None]] = dict,
        ) -> ValidationResult:
    """``govstd.validate`` on Spark or PostgreSQL: the same steps as on DuckDB, on that engine."""
    from govstd.validators.api import _available_hashes, _HashThread, match_columns, result_of

    bindings = {f.name: bind(f, resolve) for f in catalogue.fields}
    expected = [n for f in catalogue.fields for n in (f.name, f.name_zh) if n]
    text_columns = [n for f in catalogue.fields if bindings[f.name].is_identifier for n in (f.name, f.name_zh) if n]
    with tempfile.TemporaryDirectory(prefix="govstd-") as tmp:
        options = SourceOptions(expected_columns=expected, text_columns=text_columns, workdir=Path(tmp),
                                encoding=encoding, sheet=sheet, table=table, query=query, spark_master=spark_master)
        with open_source(engine, source, options) as opened:
            loaded = opened.loaded
            hasher = _HashThread(loaded, _available_hashes())
            mapping, warnings = match_columns(catalogue, loaded)
            derivation = derive(catalogue, columns=list(mapping), resolver=resolve, today=today, service_items=items)
            runner = opened.engine(mapping)
            rows, checks = runner.run(derivation.suite, masking=masking(derivation.masking), sample_size=sample_size)
            hashes = hasher.result()
    return result_of(catalogue, loaded, engine=runner.name, rows=rows, checks=checks, hashes=hashes,
                     warnings=[*loaded.warnings, *warnings, *derivation.suite.warnings, *hasher.warnings],
                     registry_label=registry_label, started=started)


__all__ = ["ENGINES", "Opened", "SourceOptions", "open_source", "run"]
