"""Text files: CSV and JSON Lines, their encoding, delimiter and header row.

A CSV may come in UTF-8 (with or without BOM) or the GB family (GBK, GB18030), with any common
delimiter, CRLF and title lines above the header. Encodings DuckDB cannot read itself are transcoded
to UTF-8 in streaming chunks first (Python's gb18030 codec decodes the 4-byte sequences of rare
characters such as 𠇔, which DuckDB cannot here).
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from govstd.errors import InputError
from govstd.standards.masking import redact
from govstd.validators.columns import fold_header
from govstd.validators.readers.common import (
    DATA_VIEW,
    HEADER_SEARCH_ROWS,
    LINE_COLUMN,
    NUMBERED_VIEW,
    ROW_COLUMN,
    SAMPLE_BYTES,
    LoadedSource,
    _create_views,
    check_header_names,
    duckdb_input_error,
    find_header,
    lit,
    q,
    unique_names,
)
from govstd.validators.readers.encoding import (
    codec_name,
    decode_sample,
    detect_encoding,
    encoding_hint,
    is_native,
    transcode,
)

DELIMITERS = (",", "\t", ";", "|")


def _sniff(path: Path, encoding: str | None, *, expected: str) -> tuple[bytes, str]:
    """The first ``SAMPLE_BYTES`` of a text file and its encoding (``encoding``, else detected); an
    empty file is an InputError."""
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if not sample.strip():
        raise InputError("file is empty", path=str(path), expected=expected)
    return sample, codec_name(encoding, str(path)) if encoding else detect_encoding(sample, path=str(path))


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, *, workdir: Path, expected: Sequence[str],
              encoding: str | None, hash_algorithms: Sequence[str]) -> LoadedSource:
    spath = str(path)
    sample, enc = _sniff(path, encoding, expected="a header row and data rows")
    try:
        text = decode_sample(sample, enc)
    except UnicodeDecodeError as exc:
        line = sample[: exc.start].count(b"\n") + 1
        raise InputError(f"not {enc} text: cannot decode byte {exc.start}", path=spath, line=line,
                         expected=f"{enc} text", hint=encoding_hint(sample, spath)) from None
    text = text.lstrip("\ufeff")
    # Split on line feeds only, as DuckDB counts lines for ``skip`` (str.splitlines also splits on \x1c…).
    lines = [ln.rstrip("\r") for ln in text.split("\n")[: HEADER_SEARCH_ROWS + 20]]
    delimiter = sniff_delimiter(lines)
    if "\r" in text and "\n" not in text:
        # DuckDB and the header search would count lines differently (one line of the whole file here).
        raise InputError("lines end in a carriage return (CR) alone, as classic Mac OS wrote them", path=spath,
                         expected="lines ending in LF or CRLF", hint="save the file again as CSV (Windows or Unix)")
    # Each line keeps its line feed, so a quoted cell spanning lines keeps its break and is seen.
    reader = csv.reader([ln + "\n" for ln in lines], delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        reason = ("a carriage return (CR) alone inside a line" if "new-line character" in str(exc) else str(exc))
        raise InputError(f"not a readable CSV file: {reason}", path=spath, line=reader.line_num or None,
                         expected="delimited text with a header row, lines ending in LF or CRLF") from None
    header_index = find_header([[c or None for c in r] for r in rows], expected)
    header = [c.strip().lstrip("\ufeff") for c in rows[header_index]] if rows else []
    if not any(header):
        raise InputError("no header row found", path=spath, expected="a header row naming the columns")
    broken = [f"{i} ({_cell_start(c)!r})" for i, c in enumerate(header, start=1) if "\n" in c or "\r" in c]
    if broken:
        # DuckDB's ``skip`` and the header search would disagree on where such a header ends.
        raise InputError(f"header cell(s) holding a line break: column {', '.join(broken)}", path=spath,
                         line=header_index + 1, expected="a header row on one line",
                         hint="remove the line breaks from the column names, or close the quote opened there")
    names = unique_names(header, source=spath)
    hashes: dict[str, str] = {}
    read_path = path
    if not is_native(enc):
        read_path = workdir / "transcoded.csv"
        hashes = transcode(path, read_path, enc, hash_algorithms=hash_algorithms)
    columns = "{" + ", ".join(f"{lit(f'c{i}')}: 'VARCHAR'" for i in range(len(names))) + "}"
    scan = (
        f"read_csv({lit(str(read_path))}, auto_detect=false, header=false, skip={header_index + 1}, "
        f"columns={columns}, delim={lit(delimiter)}, quote='\"', escape='\"', parallel=true)"
    )
    select = ", ".join(f"{q(f'c{i}')} AS {q(n)}" for i, n in enumerate(names))
    numbered = _numbered_with_lines(names, header_line=header_index + 1, multiline=_has_quote(read_path))
    _create_views(con, f"SELECT {select} FROM {scan}", numbered=numbered, source=spath)
    loaded = LoadedSource(
        data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=names, format="csv",
        source=spath, encoding=enc, path=path, hashes=hashes,
        size=path.stat().st_size, line_column=LINE_COLUMN,
    )
    if header_index:
        loaded.warnings.append(f"{header_index} line(s) above the header were skipped (titles)")
    return loaded


#: How much of a broken header cell an error shows.
_CELL_START_CHARS = 30


def _cell_start(cell: str) -> str:
    """The start of a header cell as an error shows it: up to its first line break, cut short, masked. A
    quote opened in the header and never closed makes one "cell" of the data rows below it, which holds
    names and numbers that must not be printed."""
    first = cell.replace("\r", "\n").split("\n", 1)[0]
    masked = redact(first)  # before cutting: a cut ID would no longer be recognised as one
    return masked[:_CELL_START_CHARS] + ("…" if len(masked) > _CELL_START_CHARS or first != cell else "")


def _numbered_with_lines(names: Sequence[str], *, header_line: int, multiline: bool) -> str:
    """The numbered view of a CSV with each row's physical line (1-based, as an editor counts them).

    DuckDB's CSV reader gives no line numbers, so the line is computed: the header's line plus the data
    row, plus — when a quoted cell may span lines — the line feeds inside the cells of the rows before
    (a running sum DuckDB streams in the same pass as the row number). A file without a double quote
    cannot hold a cell spanning lines, and its rows are not measured at all. Known limit: DuckDB skips
    blank lines among the data, so rows after such a line are shown that many lines too early
    (blank lines at the end of the file, the usual case, change nothing)."""
    row = f"row_number() OVER () + {int(header_line)}"
    if not multiline:
        return (f"SELECT row_number() OVER () AS {q(ROW_COLUMN)}, CAST({row} AS BIGINT) AS {q(LINE_COLUMN)}, "
                f"* FROM {q(DATA_VIEW)}")
    breaks = " + ".join(f"COALESCE(length({q(n)}) - length(replace({q(n)}, chr(10), '')), 0)" for n in names) or "0"
    cells = ", ".join(q(n) for n in names)
    return (
        f"SELECT row_number() OVER () AS {q(ROW_COLUMN)}, "
        f"CAST({row} + SUM(__govstd_nl) OVER (ROWS UNBOUNDED PRECEDING) - __govstd_nl AS BIGINT) AS {q(LINE_COLUMN)}, "
        f"{cells} FROM (SELECT *, {breaks} AS __govstd_nl FROM {q(DATA_VIEW)})"
    )


def _has_quote(path: Path) -> bool:
    """Whether the file holds a double quote anywhere (a scan at memory speed, stopping at the first).

    Read in blocks, not memory-mapped: a mapping's pages count in the process's resident memory, so a
    quote-free 1.5 GB file would show 1.5 GB resident however low ``--memory-limit`` is."""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            if b'"' in block:
                return True
    return False


def sniff_delimiter(lines: Sequence[str]) -> str:
    """The delimiter splitting most of the first lines into the same number (> 1) of fields."""
    best, best_score = ",", (-1, -1)
    sample = [ln for ln in lines if ln.strip()][:50]
    for delim in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(sample, delimiter=delim)]
        except csv.Error:
            continue
        if not counts:
            continue
        modal = max(set(counts), key=counts.count)
        if modal < 2:
            continue
        score = (counts.count(modal), modal)
        if score > best_score:
            best, best_score = delim, score
    return best


def _first_bad_json_line(path: Path, reported: int) -> int:
    """The line of a JSON Lines file DuckDB's error means: of the line it names and the one before it, the
    first that is not a JSON object. DuckDB (1.x) names the line after a malformed one, and the right one
    for other errors (a duplicate key); checking both lines keeps the number right either way."""
    wanted = {reported - 1, reported} - {0}
    found: dict[int, bytes] = {}
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number in wanted:
                found[number] = raw
            if number >= reported:
                break
    for number in sorted(found):
        try:
            if isinstance(json.loads(found[number]), dict):
                continue
        except ValueError:  # UnicodeDecodeError too
            pass
        return number
    return reported


#: What a JSON value that is no object is, by its Python type (the value itself is never shown).
_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}
_JSONL_EXPECTED = "JSON Lines: one JSON object per line"
#: A line holding the JSON literal null and white space only, after the newline ending the line before.
_NULL_LINE = re.compile(rb"\n[ \t\r]*null[ \t\r]*(?=\n|\Z)")
#: What the start of a line may be and still become a null line (stripped).
_NULL_PREFIXES = (b"", b"n", b"nu", b"nul", b"null")
#: Bytes read at a time by the scan for null lines.
NULL_SCAN_BLOCK = 1 << 22


def _null_line(path: Path) -> int | None:
    """The first line of a JSON Lines file holding JSON ``null``, or None. DuckDB reads such a line as a row
    of NULLs without a word — an empty record where the export lost one. A scan at memory speed in blocks
    (the regular expression starts at each newline), on complete lines only; the line number is counted
    only where one is found."""
    tail = b"\n"  # the unfinished line, from the newline before it (a virtual one before line 1)
    newlines = 1  # newlines before the current block, the virtual one included: line k follows the k-th
    with path.open("rb") as fh:
        if fh.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:  # a byte-order mark is no part of line 1
            fh.seek(0)
        for block in iter(lambda: fh.read(NULL_SCAN_BLOCK), b""):
            data = tail + block
            cut = data.rfind(b"\n")
            found = _NULL_LINE.search(data, 0, cut + 1) if cut > 0 else None
            if found:
                return newlines - tail.count(b"\n") + data.count(b"\n", 0, found.start() + 1)
            tail = data[cut:] if cut >= 0 else data
            if tail.strip() not in _NULL_PREFIXES:
                tail = b"x"  # a line that cannot hold null alone: not carried, however long it grows
            newlines += block.count(b"\n")
    found = _NULL_LINE.search(tail)
    return newlines - tail.count(b"\n") + 1 if found else None


def _first_non_object(path: Path, shown: str) -> InputError | None:
    """The error for the first line of a JSON Lines file holding valid JSON that is no object, or None.
    DuckDB (1.x) says ``expected records, but got non-record JSON`` without a line; this reading runs only
    after that error, so a valid file is never read twice."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue  # DuckDB skips blank lines
            try:
                value = json.loads(raw)
            except ValueError:  # malformed: DuckDB names such a line itself
                continue
            if not isinstance(value, dict):
                return _not_an_object(_JSON_KINDS.get(type(value), "a value"), shown, number)
    return None


def _not_an_object(kind: str, shown: str, line: int) -> InputError:
    return InputError(f"not a JSON object: the line holds {kind}", path=shown, line=line, expected=_JSONL_EXPECTED)


def _read_jsonl(con: duckdb.DuckDBPyConnection, path: Path, *, workdir: Path, encoding: str | None,
                text_columns: Sequence[str], hash_algorithms: Sequence[str]) -> LoadedSource:
    spath = str(path)
    _, enc = _sniff(path, encoding, expected="one JSON object per line")
    read_path, hashes = path, {}
    if not is_native(enc):
        read_path = workdir / "transcoded.jsonl"
        hashes = transcode(path, read_path, enc, hash_algorithms=hash_algorithms)
    scan = f"read_json({lit(str(read_path))}, format='newline_delimited', records=true, sample_size=-1)"
    try:
        described = con.sql(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    except duckdb.Error as exc:
        error = duckdb_input_error(exc, spath, expected="JSON Lines: one JSON object per line")
        if error.line is not None:
            error = InputError(error.detail, path=spath, line=_first_bad_json_line(read_path, error.line),
                               expected=error.expected, hint=error.hint)
        elif "non-record JSON" in str(exc):
            error = _first_non_object(read_path, spath) or error
        raise error from None
    null_line = _null_line(read_path)
    if null_line is not None:
        raise _not_an_object("null", spath, null_line)
    names = [str(r[0]) for r in described]
    check_header_names(names, source=spath, named=True)
    # One record per line: the record's number is its line (DuckDB skips blank lines, as for CSV).
    loaded = LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=names,
                          format="jsonl", source=spath, encoding=enc, path=path, hashes=hashes,
                          size=path.stat().st_size, line_column=LINE_COLUMN)
    numeric_types = ("BIGINT", "INTEGER", "DOUBLE", "HUGEINT", "UBIGINT", "FLOAT", "DECIMAL")
    text_set = {fold_header(c) for c in text_columns}
    for name, type_, *_ in described:
        if fold_header(name) in text_set and str(type_).startswith(numeric_types):
            loaded.warnings.append(f"column {name!r} holds JSON numbers, not strings: identifiers belong in strings")
    casts = ", ".join(f"CAST({q(n)} AS VARCHAR) AS {q(n)}" for n in names)
    numbered = f"SELECT row_number() OVER () AS {q(ROW_COLUMN)}, row_number() OVER () AS {q(LINE_COLUMN)}, * " \
               f"FROM {q(DATA_VIEW)}"
    _create_views(con, f"SELECT {casts} FROM {scan}", numbered=numbered, source=spath)
    return loaded
