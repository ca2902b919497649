"""Parquet: read by DuckDB itself; numeric columns bound to identifier standards are reported."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from govstd.errors import InputError, first_line
from govstd.validators.columns import fold_header
from govstd.validators.readers.common import (
    DATA_VIEW,
    LINE_COLUMN,
    NUMBERED_VIEW,
    ROW_COLUMN,
    LoadedSource,
    _create_views,
    check_header_names,
    lit,
    q,
    text_of,
)


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, *, text_columns: Sequence[str]) -> LoadedSource:
    import pyarrow.parquet as pq  # only for a Parquet source: a CSV run does without it

    spath = str(path)
    try:
        schema = pq.ParquetFile(path).schema_arrow
    except (pa.ArrowException, OSError, ValueError) as exc:  # UnicodeDecodeError too: damaged metadata
        raise InputError(f"not a readable Parquet file (truncated or damaged: {first_line(exc)})", path=spath,
                         expected="a complete Parquet file") from None
    names = [f.name for f in schema]
    check_header_names(names, source=spath, named=True)
    loaded = LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN,
                          columns=names, format="parquet", source=spath, path=path, size=path.stat().st_size,
                          line_column=LINE_COLUMN, numbered_in_parallel=True)
    _note_numeric(loaded, schema, text_columns)
    casts = ", ".join(f"{text_of(q(f.name), f.type)} AS {q(f.name)}" for f in schema)
    scan = f"read_parquet({lit(spath)})"
    # A Parquet file has no lines: the place a person opens is the record's 1-based index, the row itself.
    numbered = (f"SELECT file_row_number + 1 AS {q(ROW_COLUMN)}, file_row_number + 1 AS {q(LINE_COLUMN)}, {casts} "
                f"FROM read_parquet({lit(spath)}, file_row_number=true)")
    _create_views(con, f"SELECT {casts} FROM {scan}", numbered=numbered, source=spath)
    return loaded


def _note_numeric(loaded: LoadedSource, schema: pa.Schema, text_columns: Sequence[str]) -> None:
    text_set = {fold_header(c) for c in text_columns}
    for f in schema:
        if fold_header(f.name) in text_set and (pa.types.is_integer(f.type) or pa.types.is_floating(f.type)):
            # Said of numbers, not of the column: the reader does not know its standard (a phone has no letter).
            loaded.warnings.append(
                f"column {f.name!r} is stored as {f.type}, not text: a number cannot hold leading zeros or letters "
                "(such as the X that ends some ID numbers)"
                + (", and floating point loses digits" if pa.types.is_floating(f.type) else "")
            )
