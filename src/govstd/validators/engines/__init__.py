"""The engines a check suite runs on — DuckDB (default), Apache Spark, PostgreSQL pushdown — as peers.

``ENGINES`` below is the one table of them: ``govstd.validate(engine=…)``, ``govstd validate
--engine``, ``govstd export sql --dialect`` and the GX integration all read it. Engine ``NAME`` is
the module ``govstd.validators.engines.NAME`` (its ``open_data`` opens a source on the engine and
makes its runner, behind the interface of ``engines.base``) and compiles with the SQL dialect
``govstd.validators.compiler.NAME``. The run loop every engine shares — bind, open, derive, run,
assemble — is ``engines.run``. The parity suite in ``tests/engines`` holds every engine to DuckDB's
counts, samples and scorecards.

This module imports nothing heavy: the CLI builds its choices from it. Heavy clients (pyspark,
psycopg) are imported only when their engine runs.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, cast

from govstd.errors import InputError

if TYPE_CHECKING:
    from govstd.validators.engines.base import EngineModule


@dataclass(frozen=True)
class EngineSpec:
    """One engine: its name (also its module's and its SQL dialect's), the dialect's class in
    ``govstd.validators.compiler.NAME``, and what it runs on, for help texts."""

    name: str
    dialect_class: str
    summary: str


#: Every engine, in the order help texts list them; the first is the default.
ENGINES = MappingProxyType({spec.name: spec for spec in (
    EngineSpec("duckdb", "DuckDBDialect", "DuckDB in this process: files, database tables and queries, data frames"),
    EngineSpec("spark", "SparkDialect", "Apache Spark: a DataFrame, a catalogue table or query, or files"),
    EngineSpec("postgres", "PostgresDialect", "inside PostgreSQL: a table or query, only counts and samples "
               "come back"),
)})
#: The engine ``govstd.validate`` uses unless told.
DEFAULT_ENGINE = next(iter(ENGINES))


def engine_spec(name: str, *, field: str = "engine") -> EngineSpec:
    """The engine called ``name``; an InputError listing the engines otherwise."""
    try:
        return ENGINES[name]
    except KeyError:
        raise InputError(f"unknown engine {name!r}", field=field, expected=", ".join(ENGINES)) from None


def engine_module(name: str) -> EngineModule:
    """The module of engine ``name`` (imported now: only the engine that runs is ever loaded)."""
    spec = engine_spec(name)
    return cast("EngineModule", importlib.import_module(f"{__name__}.{spec.name}"))


__all__ = ["DEFAULT_ENGINE", "ENGINES", "EngineSpec", "engine_module", "engine_spec"]
