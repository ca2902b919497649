"""Readers: whatever a department sends becomes two DuckDB views of text columns.

``open_source`` presents a CSV (UTF-8, UTF-8 with BOM, GBK/GB18030 and any other Python codec, any
common delimiter, CRLF, title lines above the header), an XLSX sheet (merged title rows, notes below
the data, numbers that lost digits), Parquet, JSON Lines, a SQLite/PostgreSQL table or query, or an
in-memory pandas/polars/Arrow table as

- ``data``: every column as VARCHAR — identifiers are never numbers here — in source order, and
- ``numbered``: the same plus a 1-based data-row number (header and title rows not counted) and,
  for a file, the physical line or sheet row a person opens (``LoadedSource.line_column``), used
  only to locate failing rows for samples (numbering costs DuckDB its parallelism on CSV).

Column names come from the file and are untrusted: they reach SQL only through the dialect's
``quote_identifier``. Errors are ``InputError``s naming the file, the line and what was expected;
DuckDB's own messages are trimmed of the offending line, which may hold personal data.
"""


from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from govstd.errors import InputError
from govstd.validators.readers.common import (
    DATA_VIEW,
    HEADER_SEARCH_ROWS,
    LINE_COLUMN,
    NUMBERED_VIEW,
    ROW_COLUMN,
    SAMPLE_BYTES,
    DataSource,
    LoadedSource,
    duckdb_input_error,
    find_header,
    hash_file,
    unique_names,
)
from govstd.validators.readers.database import _read_database
from govstd.validators.readers.encoding import detect_encoding, transcode
from govstd.validators.readers.frames import _is_in_memory, _read_in_memory
from govstd.validators.readers.parquet import _note_numeric, _read_parquet
from govstd.validators.readers.text import (
    DELIMITERS,
    _read_csv,
    _read_jsonl,
    sniff_delimiter,
)
from govstd.validators.readers.xlsx import NOTE_PREFIXES, _read_xlsx

# --------------------------------------------------------------------------- entry point


def open_source(
    con: duckdb.DuckDBPyConnection,
    source: DataSource,
    *,
    workdir: Path,
    expected_columns: Sequence[str] = (),
    text_columns: Sequence[str] = (),
    encoding: str | None = None,
    sheet: str | int | None = None,
    table: str | None = None,
    query: str | None = None,
    hash_algorithms: Sequence[str] = (),
) -> LoadedSource:
    """Register ``source`` in ``con`` as the views described in the module docstring.

    ``expected_columns`` (schema field names, Chinese names too) locate the header row under title
    rows; ``text_columns`` are bound to identifier standards (numbers found there are reported).
    """
    if _is_in_memory(source):
        return _read_in_memory(con, source)
    if not isinstance(source, str | Path):
        raise InputError(
            f"cannot validate a {type(source).__name__}",
            expected="a file path, a database URL, or a pandas / polars / Arrow table",
        )
    text = str(source)
    if re.match(r"^(sqlite|postgres|postgresql)(\+[a-z0-9]+)?://", text, re.IGNORECASE):
        return _read_database(con, text, table=table, query=query, workdir=workdir)
    if table or query:
        raise InputError("--table and --query apply to database URLs only", path=text,
                         expected="sqlite:///FILE or postgresql://HOST/DB with --table or --query")
    path = Path(text)
    fmt = detect_format(path)
    if fmt == "csv":
        return _read_csv(con, path, workdir=workdir, expected=expected_columns, encoding=encoding,
                         hash_algorithms=hash_algorithms)
    if fmt == "xlsx":
        return _read_xlsx(con, path, workdir=workdir, sheet=sheet, expected=expected_columns,
                          text_columns=text_columns)
    if fmt == "parquet":
        return _read_parquet(con, path, text_columns=text_columns)
    return _read_jsonl(con, path, workdir=workdir, encoding=encoding, text_columns=text_columns,
                       hash_algorithms=hash_algorithms)


def detect_format(path: Path) -> str:
    """'csv', 'xlsx', 'parquet' or 'jsonl' — by content first (a renamed file is still what it is)."""
    if not path.exists():
        raise InputError("file not found", path=str(path), expected="a CSV, XLSX, Parquet or JSON Lines file")
    if path.is_dir():
        raise InputError("is a directory", path=str(path), expected="a CSV, XLSX, Parquet or JSON Lines file")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=str(path)) from None
    if not head:
        raise InputError("file is empty", path=str(path), expected="a header row and data rows")
    suffix = path.suffix.lower()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("an old binary Excel (.xls) or other OLE file", path=str(path),
                         expected="XLSX: save the workbook as .xlsx, or export CSV")
    if suffix in {".parquet", ".pq"}:
        raise InputError("not a Parquet file (no PAR1 header)", path=str(path), expected="a Parquet file")
    if suffix in {".xlsx", ".xlsm"}:
        raise InputError("not an XLSX workbook (no ZIP header)", path=str(path), expected="an .xlsx workbook")
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    return "csv"


__all__ = [
    "DATA_VIEW",
    "DELIMITERS",
    "HEADER_SEARCH_ROWS",
    "LINE_COLUMN",
    "NOTE_PREFIXES",
    "NUMBERED_VIEW",
    "ROW_COLUMN",
    "SAMPLE_BYTES",
    "DataSource",
    "LoadedSource",
    "_note_numeric",
    "detect_encoding",
    "detect_format",
    "duckdb_input_error",
    "find_header",
    "hash_file",
    "open_source",
    "sniff_delimiter",
    "transcode",
    "unique_names",
]
