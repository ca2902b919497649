"""In-memory tables: pandas, polars and Arrow, registered in DuckDB as they are."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from govstd.errors import InputError
from govstd.validators.readers.common import (
    DATA_VIEW,
    NUMBERED_VIEW,
    ROW_COLUMN,
    LoadedSource,
    _register_arrow,
    q,
    unique_names,
)


def _is_in_memory(source: object) -> bool:
    module = type(source).__module__.split(".", 1)[0]
    return module in {"pandas", "polars", "pyarrow"}


def _read_in_memory(con: duckdb.DuckDBPyConnection, source: Any) -> LoadedSource:
    module = type(source).__module__.split(".", 1)[0]
    label = f"<{module}.{type(source).__name__}>"
    if module == "polars":
        if type(source).__name__ == "LazyFrame":
            source = source.collect()
        table = source.to_arrow()
    elif module == "pandas":
        table = _pandas_to_arrow(source)
    elif isinstance(source, pa.RecordBatch):
        table = pa.Table.from_batches([source])
    elif isinstance(source, pa.RecordBatchReader):
        table = source.read_all()
    elif isinstance(source, pa.Table):
        table = source
    else:
        raise InputError(f"cannot validate a {type(source).__name__}", expected="a pandas, polars or Arrow table")
    names = unique_names([str(n) for n in table.column_names], source=label, fold=False)
    table = table.rename_columns([f"c{i}" for i in range(len(names))])
    _register_arrow(con, table, names, numbered_column=None, source=label)
    return LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=names,
                        format="arrow" if module == "pyarrow" else module, source=label)


def _pandas_to_arrow(df: Any) -> pa.Table:
    try:
        result: pa.Table = pa.Table.from_pandas(df, preserve_index=False)
        return result
    except (pa.ArrowException, TypeError, ValueError):
        # Mixed-type object columns: keep values as text, missing values as NULL.
        fixed = df.copy()
        for name in fixed.columns:
            if fixed[name].dtype == object:
                fixed[name] = fixed[name].map(lambda v: None if v is None or v != v else str(v))
        fallback: pa.Table = pa.Table.from_pandas(fixed, preserve_index=False)
        return fallback
