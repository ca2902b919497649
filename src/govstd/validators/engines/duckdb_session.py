"""The DuckDB connection a check run reads through: its settings, the views the checks read, and what a
DuckDB failure while reading means for the user.

``connect`` configures DuckDB to spill under a memory limit and keep source order; ``map_columns`` makes
the two views every engine pass reads — ``DATA`` (the schema's fields) and ``NUMBERED`` (the same with each
row's number and physical line, for samples); ``data_error`` turns a DuckDB error while reading into the
user's error (or re-raises a query bug).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from govstd.errors import GovstdError, InputError
from govstd.kernel import inscan
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.readers import LoadedSource, duckdb_input_error

DATA = "__govstd_data"
NUMBERED = "__govstd_numbered"
#: DuckDB errors that mean a compiled query is wrong (a bug here) rather than the data being unreadable.
#: Every other DuckDB error while scanning is about the input: a damaged Parquet page, a bad CSV line
#: and undecodable bytes surface as several different DuckDB exception types.
_QUERY_ERRORS = (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException,
                 duckdb.NotImplementedException)


def data_error(exc: duckdb.Error, loaded: LoadedSource) -> GovstdError:
    """The error to raise for a DuckDB failure while reading ``loaded``; re-raises query bugs."""
    if isinstance(exc, _QUERY_ERRORS):
        raise exc
    if isinstance(exc, duckdb.OutOfMemoryException):
        return GovstdError("DuckDB ran out of memory",
                           hint="raise --memory-limit, or give --temp-directory on a disk with room to spill")
    return loaded.error(exc)


@dataclass
class EngineConfig:
    """DuckDB resources: ``memory_limit`` like '256MB' or '4GB'; ``temp_directory`` for spilling."""

    memory_limit: str | None = None
    threads: int | None = None
    temp_directory: str | None = None


def connect(config: EngineConfig | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection configured to spill, keep source order and report progress (and to load
    the check kernel as an extension, ``kernel.inscan``)."""
    config = config or EngineConfig()
    con = duckdb.connect(":memory:", config=inscan.connect_config())
    settings: dict[str, bool | int | str] = {
        "preserve_insertion_order": True,  # the numbered view follows source order
        "enable_progress_bar": True,  # so query_progress() reports; printing stays off
        "enable_progress_bar_print": False,
    }
    if config.memory_limit:
        settings["memory_limit"] = config.memory_limit
    if config.threads:
        settings["threads"] = int(config.threads)
    if config.temp_directory:
        Path(config.temp_directory).mkdir(parents=True, exist_ok=True)
        settings["temp_directory"] = config.temp_directory
    dialect = DuckDBDialect()
    for key, value in settings.items():
        if isinstance(value, bool):
            sql_value = "true" if value else "false"
        elif isinstance(value, int):
            sql_value = str(value)
        else:
            sql_value = dialect.string_literal(value)
        try:
            con.execute(f"SET {key} = {sql_value}")
        except duckdb.Error as exc:
            raise InputError(f"bad DuckDB setting {key}={value!r}: {str(exc).splitlines()[0]}",
                             field=key, expected="e.g. --memory-limit 2GB") from None
    return con


def map_columns(con: duckdb.DuckDBPyConnection, loaded: LoadedSource, mapping: Mapping[str, str]) -> None:
    """Views ``__govstd_data`` / ``__govstd_numbered`` with the data's columns renamed to the schema's
    field names (``mapping``: field → data column). Only mapped columns are kept."""
    q = DuckDBDialect().quote_identifier
    select = ", ".join(f"{q(column)} AS {q(name)}" for name, column in mapping.items()) or "NULL AS __govstd_none"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {q(DATA)} AS SELECT {select} FROM {loaded.data}")
    place = f"{q(loaded.line_column)} AS {q(loaded.line_column)}, " if loaded.line_column else ""
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {q(NUMBERED)} AS SELECT {q(loaded.row_column)} AS {q(loaded.row_column)}, "
        f"{place}{select} FROM {loaded.numbered}"
    )


def batches(reader: pa.RecordBatchReader, loaded: LoadedSource) -> Iterator[pa.RecordBatch]:
    """The reader's batches, a DuckDB or Arrow failure while reading turned into the user's error."""
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except duckdb.Error as exc:
            raise data_error(exc, loaded) from None
        except pa.ArrowException as exc:
            raise duckdb_input_error(exc, loaded.source) from None
        yield batch
