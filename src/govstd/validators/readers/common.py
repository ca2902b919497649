"""What every reader shares: the views it creates, the source it returns, header rules, errors.

Each reader presents a source as two DuckDB views of text columns — ``data`` (every column as VARCHAR,
in source order) and ``numbered`` (the same plus a 1-based data-row number and, for a file, the
physical place a person opens: ``LINE_COLUMN``, see ``LoadedSource.line_column``). Column names come
from the file and are untrusted: they reach SQL only through the dialect's ``quote_identifier``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from govstd.errors import InputError
from govstd.standards.masking import redact
from govstd.validators.columns import fold_header
from govstd.validators.compiler.duckdb import DuckDBDialect

_SQL = DuckDBDialect()
q = _SQL.quote_identifier
lit = _SQL.string_literal


#: How much of a file the encoding, delimiter and header detection look at.
SAMPLE_BYTES = 1 << 20
#: Title/notes rows a header may hide under (merged title cells, 填报单位, 单位：元 …).
HEADER_SEARCH_ROWS = 30
DATA_VIEW = "__govstd_src"
NUMBERED_VIEW = "__govstd_src_numbered"
ROW_COLUMN = "__govstd_row"
LINE_COLUMN = "__govstd_line"

DataSource = Any  # a path, a URL, or a pandas / polars / Arrow table


@dataclass
class LoadedSource:
    """A source as DuckDB views; what DatasetInfo reports about it."""

    data: str
    numbered: str
    row_column: str
    columns: list[str]
    format: str
    source: str
    encoding: str | None = None
    path: Path | None = None
    hashes: dict[str, str] = field(default_factory=dict)
    size: int | None = None
    warnings: list[str] = field(default_factory=list)
    #: Columns that held numbers where text was expected: name → cells (spreadsheets, typed files).
    numeric_cells: dict[str, int] = field(default_factory=dict)
    #: The numbered view's column holding where a row is in the file, as a person opens it — CSV: the
    #: 1-based line (header and title lines counted, and the line breaks inside quoted cells); XLSX: the
    #: sheet's row number as Excel shows it; Parquet: the record's 1-based index; JSON Lines: the line.
    #: None where a source has no such place (a database table, an in-memory frame).
    line_column: str | None = None
    #: Whether the numbered view's row numbers come from the source itself (a Parquet file's row numbers, the
    #: columns a workbook's rows were written with), so DuckDB reads it on every thread; a ``row_number()``
    #: window (CSV, JSON Lines, frames) numbers the rows on one thread.
    numbered_in_parallel: bool = False

    def error(self, exc: Exception) -> InputError:
        """An InputError for a DuckDB failure while reading this source (no data in the message)."""
        return duckdb_input_error(exc, self.source)


# --------------------------------------------------------------------------- header detection


def find_header(rows: Sequence[Sequence[Any]], expected: Sequence[str]) -> int:
    """Index of the header row among the first rows: the first row naming most expected columns, or
    (without a schema) the first row as wide as the widest of them (title rows are narrower)."""
    rows = list(rows)[:HEADER_SEARCH_ROWS]
    if not rows:
        return 0
    wanted = {fold_header(n) for n in expected if n}
    if wanted:
        scores = [len({fold_header(c) for c in r if c is not None} & wanted) for r in rows]
        top = max(scores)
        if top > 0:
            return scores.index(top)
    widths = [sum(1 for c in r if c not in (None, "")) for r in rows]
    widest = max(widths)
    return next(i for i, w in enumerate(widths) if w == widest)


def unique_names(header: Sequence[str], *, source: str | None = None, fold: bool = True) -> list[str]:
    """Header cells as column names: blanks become column_N (a clash with a named column gets _2 …);
    two cells naming the same column are an InputError (``check_header_names``)."""
    check_header_names(header, source=source, fold=fold)
    out: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(header, start=1):
        name = raw or f"column_{i}"
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def check_header_names(header: Sequence[str], *, source: str | None = None, fold: bool = True,
                       named: bool = False) -> None:
    """Raise if a header cell holds a NUL character (no engine can name such a column), or if two header
    cells name the same column as columns are matched (ignoring case and white space): renaming the second
    would leave it silently unchecked, and which of the two holds the data the schema means is for the
    department to say.

    ``fold=False`` refuses only identical names: a database's quoted identifiers ``"Amount"`` and
    ``"amount"`` are two real columns, and the exact name is matched first. ``named=True`` refuses a
    column without a name too: a reader that selects columns by name (Parquet) cannot quote an empty one."""
    if named:
        blank = [str(i) for i, raw in enumerate(header, start=1) if not raw]
        if blank:
            raise InputError(f"column(s) without a name: column {', '.join(blank)}", path=source,
                             expected="every column named",
                             hint="name the column(s) in the program that wrote the file")
    broken = [str(i) for i, raw in enumerate(header, start=1) if raw and "\x00" in raw]
    if broken:
        raise InputError(f"header cell(s) holding a NUL character: column {', '.join(broken)}", path=source,
                         expected="column names of printable text",
                         hint="the file may be binary, or UTF-16 read as another encoding")
    first: dict[str, int] = {}
    repeats: list[str] = []
    for i, raw in enumerate(header, start=1):
        if not raw:
            continue
        key = fold_header(raw) if fold else raw
        if key in first:
            repeats.append(f"{redact(raw)!r} (columns {first[key]} and {i})")
        else:
            first[key] = i
    if repeats:
        raise InputError(f"duplicate column name(s): {'; '.join(repeats)}", path=source,
                         expected="each column named once in the header",
                         hint="rename or remove the repeated column(s)")


# --------------------------------------------------------------------------- typed columns as text

#: Significant decimal digits a spreadsheet number keeps (IEEE 754 double as Excel displays it;
#: Microsoft's "Excel specifications and limits": number precision 15 digits). A whole number below
#: 10**15 held as a floating-point value lost nothing; one at or above it may have lost digits.
EXCEL_DIGITS = 15


#: Whole numbers a narrower IEEE 754 float holds exactly (binary16: 11-bit significand, binary32: 24-bit):
#: a whole value below 2**bits was that number; a float32 ``real`` phone (13912345678 → 13912345600) was not.
#: A double keeps ``EXCEL_DIGITS`` (10**15 < 2**53, the display rule of a workbook's number cell).
EXACT_WHOLE = {16: f"{2 ** 11}", 32: f"{2 ** 24}", 64: f"1e{EXCEL_DIGITS}"}


def text_of(column: str, arrow_type: pa.DataType) -> str:
    """SQL rendering typed column ``column`` as the text a CSV export of the same data would hold — the
    rule the spreadsheet reader applies to a workbook's typed cells (``xlsx._cell_text``), so a typed
    Parquet file, an in-memory table or a database's typed column (``text_of_rendered``) gets the verdict
    its CSV export gets:

    - a whole floating-point number below 10**15 is the whole number (``13912345678``, not
      ``13912345678.0``): pandas turns every integer column with a missing value into float64, and the
      digits are all there. Past 15 digits it stays as DuckDB prints it (``1.1010119600101e+17``), its
      lost digits visible as damage (``excel_damage``); a float32 keeps whole numbers below 2**24 only
      (``EXACT_WHOLE``);
    - a timestamp at midnight is its date (``1990-05-06``): pandas has no date type and writes every
      date as a timestamp — as Excel stores a date cell. A date is valid in a datetime field too;
    - a timestamp with a time zone is an instant: it is shown in 北京时间 (``BEIJING_UTC_OFFSET``), the
      time department systems record, without the offset — never in the time zone of the machine that
      happens to run the check. An infinite timestamp is ``infinity`` (no time of day to look at)."""
    ref = column
    if pa.types.is_floating(arrow_type):
        limit = EXACT_WHOLE[arrow_type.bit_width]
        return (f"CASE WHEN isfinite({ref}) AND {ref} = trunc({ref}) AND abs({ref}) < {limit} "
                f"THEN CAST(CAST({ref} AS HUGEINT) AS VARCHAR) ELSE CAST({ref} AS VARCHAR) END")
    if pa.types.is_timestamp(arrow_type):
        # isfinite takes neither unit's ns type (pandas' unit): the guard reads the value at microseconds.
        finite = f"isfinite(CAST({ref} AS {'TIMESTAMPTZ' if arrow_type.tz is not None else 'TIMESTAMP'}))"
        if arrow_type.tz is not None:
            # epoch_us takes no TIMESTAMPTZ_NS either: an instant is an instant at any precision.
            ref = (f"CASE WHEN {finite} THEN make_timestamp(epoch_us(CAST({ref} AS TIMESTAMPTZ)) + "
                   f"{BEIJING_UTC_OFFSET * 3_600_000_000}) END")
        return (f"CASE WHEN NOT {finite} THEN CAST({column} AS VARCHAR) "
                f"WHEN CAST({ref} AS TIME) = TIME '00:00:00' THEN CAST(CAST({ref} AS DATE) AS VARCHAR) "
                f"ELSE CAST({ref} AS VARCHAR) END")
    if pa.types.is_dictionary(arrow_type):
        return text_of(column, arrow_type.value_type)
    return f"CAST({ref} AS VARCHAR)"


def text_of_rendered(column: str, arrow_type: pa.DataType | None) -> str:
    """SQL for text column ``column`` holding a source's own text rendering of typed values (a database's
    ``CAST(x AS TEXT)``) of ``arrow_type``: read back as that type and shown by ``text_of`` — one rule for
    typed data from files, frames and databases. Text DuckDB cannot read as the type stays as it is, as
    does every column of another type (None: text, integers and decimals render as their export does)."""
    duck = _DUCKDB_TYPES.get(str(arrow_type)) if arrow_type is not None else None
    if arrow_type is None or duck is None:
        return column
    return f"COALESCE({text_of(f'TRY_CAST({column} AS {duck})', arrow_type)}, {column})"


#: The DuckDB type ``text_of_rendered`` reads a typed value's text as (by the Arrow type's name).
_DUCKDB_TYPES = {"double": "DOUBLE", "float": "FLOAT", "timestamp[us]": "TIMESTAMP",
                 "timestamp[us, tz=UTC]": "TIMESTAMPTZ"}


#: 北京时间, China Standard Time: UTC+8 all year (no daylight saving since 1991). A typed instant is shown
#: in it. (unsure) Whether a dataset may declare another zone is not settled: none of the standards
#: govstd encodes names one, and department systems record 北京时间.
BEIJING_UTC_OFFSET = 8


# --------------------------------------------------------------------------- views, errors


def _register_arrow(con: duckdb.DuckDBPyConnection, table: pa.Table, names: Sequence[str], *,
                    numbered_column: str | None, source: str) -> None:
    con.register("__govstd_arrow", table)
    select = ", ".join(f"{text_of(q(f'c{i}'), table.schema.field(f'c{i}').type)} AS {q(n)}"
                       for i, n in enumerate(names))
    numbered = (
        f"SELECT {q(numbered_column)}, {select} FROM __govstd_arrow" if numbered_column is not None else None
    )
    _create_views(con, f"SELECT {select} FROM __govstd_arrow", numbered=numbered, source=source)


def _create_views(con: duckdb.DuckDBPyConnection, data_sql: str, *, numbered: str | None, source: str) -> None:
    """Create the data view and the numbered view (``row_number() OVER ()`` follows the source order:
    the connection preserves insertion order)."""
    numbered = numbered or f"SELECT row_number() OVER () AS {q(ROW_COLUMN)}, * FROM {q(DATA_VIEW)}"
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {q(DATA_VIEW)} AS {data_sql}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {q(NUMBERED_VIEW)} AS {numbered}")
    except duckdb.Error as exc:
        raise duckdb_input_error(exc, source) from None


_DUCKDB_LINE = re.compile(r"on Line: (\d+)|\bin line (\d+)", re.IGNORECASE)
_DUCKDB_DROP = ("Original Line", "Possible Solution", "Possible fixes", "* ", "file =", "LINE ", "Try ")
#: Parts of DuckDB's reasons that quote the data or name a file the error already names (maybe a temporary one).
_DUCKDB_QUOTES = (
    (re.compile(r"Object .* has duplicate key", re.DOTALL), "an object has a duplicate key"),
    (re.compile(r' in file "[^"]*",?'), ""),
    (re.compile(r"(?: at byte \d+)? in line \d+"), ""),
)


def duckdb_input_error(exc: BaseException, source: str, *, expected: str | None = None) -> InputError:
    """A DuckDB read error as an InputError: the reason and the line, never the offending data."""
    text = str(exc)
    match = _DUCKDB_LINE.search(text)
    line = int(match.group(1) or match.group(2)) if match else None
    reason = _duckdb_reason(text)
    if "unicode" in reason.lower():
        return InputError("the file is not valid UTF-8", path=source, line=line, expected="UTF-8 text",
                          hint="name the file's encoding with --encoding (e.g. gb18030)")
    for pattern, replacement in _DUCKDB_QUOTES:
        reason = pattern.sub(replacement, reason)
    if len(reason) > 200:
        reason = reason[:200] + "…"
    return InputError(f"cannot read: {redact(reason)}", path=source, line=line, expected=expected)


def _duckdb_reason(text: str) -> str:
    """The line of a DuckDB error message that says what is wrong.

    A CSV error quotes the offending row after ``Original Line:`` — and a row whose quote is never closed
    runs on over many lines of the file — then gives the reason, then DuckDB's own advice and reader
    settings. So the reason is found from the end: the last line that is none of DuckDB's trailer, never a
    line of the quoted row."""
    lines = text.splitlines()
    quoted = next((i for i, raw in enumerate(lines) if raw.strip().startswith("Original Line")), None)
    candidates = reversed(lines[quoted + 1 :]) if quoted is not None else iter(lines[1:])
    for raw in candidates:
        s = _printable(raw)
        # A line without a letter or digit is no reason: the caret under a parser error's query, say.
        if any(ch.isalnum() for ch in s) and not s.startswith(_DUCKDB_DROP) and "=" not in s:
            return s
    if quoted is not None:
        return "a malformed row"
    first = _printable(_DUCKDB_KIND.sub("", lines[0])) if lines else ""
    return first if any(ch.isalnum() for ch in first) else "damaged data"


#: The kind DuckDB puts before its message ("Invalid Input Error: "); some messages have none.
_DUCKDB_KIND = re.compile(r"^[A-Za-z ]*(?:Error|Exception):\s*")


def _printable(text: str) -> str:
    """``text`` stripped, control characters (a damaged file's bytes, quoted) shown as ``?``."""
    return "".join(ch if ch.isprintable() else "?" for ch in text.strip())


def _hashers(names: Sequence[str]) -> dict[str, Any]:
    import hashlib

    return {name: hashlib.new(name) for name in names}


def hash_file(path: Path, algorithms: Sequence[str], *, chunk_size: int = 1 << 22,
              progress: Callable[[int], None] | None = None) -> dict[str, str]:
    """Hex digests of a file's bytes (read once, in chunks).

    Chunks are read into one reused buffer: a fresh ``bytes`` per chunk would fault in new pages for every
    chunk of a multi-gigabyte file (system time the scan beside it does not pay)."""
    hashers = _hashers(algorithms)
    buffer = bytearray(chunk_size)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as fh:
        while size := fh.readinto(buffer):
            chunk = view[:size]
            for h in hashers.values():
                h.update(chunk)
            if progress is not None:
                progress(size)
    return {name: h.hexdigest() for name, h in hashers.items()}
