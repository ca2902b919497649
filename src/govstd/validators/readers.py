"""Readers: whatever a department sends becomes two DuckDB views of text columns.

``open_source`` presents a CSV (UTF-8, UTF-8 with BOM, GBK/GB18030 and any other Python codec, any
common delimiter, CRLF, title lines above the header), an XLSX sheet (merged title rows, notes below
the data, numbers that lost digits), Parquet, JSON Lines, a SQLite/PostgreSQL table or query, or an
in-memory pandas/polars/Arrow table as

- ``data``: every column as VARCHAR — identifiers are never numbers here — in source order, and
- ``numbered``: the same plus a 1-based data-row number (header and title rows not counted), used
  only to locate failing rows for samples (numbering costs DuckDB its parallelism on CSV).

Column names come from the file and are untrusted: they reach SQL only through the dialect's
``quote_identifier``. Errors are ``InputError``s naming the file, the line and what was expected;
DuckDB's own messages are trimmed of the offending line, which may hold personal data.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from govstd.errors import InputError, first_line
from govstd.standards.masking import redact
from govstd.validators import databases
from govstd.validators.columns import fold_header as _fold
from govstd.validators.compiler.duckdb import DuckDBDialect
from govstd.validators.databases import redact_url, require_table_or_query

_SQL = DuckDBDialect()
q = _SQL.quote_identifier
lit = _SQL.string_literal

#: How much of a file the encoding, delimiter and header detection look at.
SAMPLE_BYTES = 1 << 20
#: Title/notes rows a header may hide under (merged title cells, 填报单位, 单位：元 …).
HEADER_SEARCH_ROWS = 30
DELIMITERS = (",", "\t", ";", "|")
#: Encodings DuckDB reads itself; anything else is transcoded to UTF-8 in streaming chunks first.
_NATIVE = {"utf-8", "utf_8", "utf8", "ascii", "utf-8-sig", "utf_8_sig"}
#: What charset-normalizer calls the Chinese national encodings; all are read as their superset GB18030
#: (GBK decoders fail on the 4-byte sequences that encode rare characters such as 𠇔).
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz", "euc_cn", "ms936"}
#: First cells of rows below a spreadsheet's data that are not data (notes, totals, sign-offs).
NOTE_PREFIXES = ("注", "备注", "说明", "合计", "总计", "小计", "制表", "填报", "审核", "负责人", "数据来源", "Note")
_DB_BATCH_ROWS = 65_536
DATA_VIEW = "__govstd_src"
NUMBERED_VIEW = "__govstd_src_numbered"
ROW_COLUMN = "__govstd_row"

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

    def error(self, exc: Exception) -> InputError:
        """An InputError for a DuckDB failure while reading this source (no data in the message)."""
        return duckdb_input_error(exc, self.source)


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


# --------------------------------------------------------------------------- CSV


def detect_encoding(sample: bytes, *, path: str) -> str:
    """The encoding of a CSV sample: BOMs, then strict UTF-8, then charset-normalizer (GB family →
    gb18030). Raises InputError for binary data."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise InputError("binary data, not a text file", path=path,
                         expected="CSV text (UTF-8, GB18030) or an XLSX, Parquet or JSON Lines file")
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) >= SAMPLE_BYTES:  # a character cut by the sample
            return "utf-8"
    try:
        _decode_sample(sample, "gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise InputError("cannot tell the text encoding (binary data?)", path=path,
                         expected="CSV text; name the encoding with --encoding")
    name = codecs.lookup(best.encoding).name
    return "gb18030" if name.replace("-", "_") in _GB_FAMILY else name


def _encoding_hint(sample: bytes, path: str) -> str:
    try:
        guess = detect_encoding(sample, path=path)
    except InputError:
        return "name the file's encoding with --encoding (e.g. gb18030)"
    return f"the file looks like {guess}: pass --encoding {guess}"


def _decode_sample(sample: bytes, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    return decoder.decode(sample, final=len(sample) < SAMPLE_BYTES)


def _sniff(path: Path, encoding: str | None, *, expected: str) -> tuple[bytes, str]:
    """The first ``SAMPLE_BYTES`` of a text file and its encoding (``encoding``, else detected); an
    empty file is an InputError."""
    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if not sample.strip():
        raise InputError("file is empty", path=str(path), expected=expected)
    return sample, _codec_name(encoding, str(path)) if encoding else detect_encoding(sample, path=str(path))


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, *, workdir: Path, expected: Sequence[str],
              encoding: str | None, hash_algorithms: Sequence[str]) -> LoadedSource:
    spath = str(path)
    sample, enc = _sniff(path, encoding, expected="a header row and data rows")
    try:
        text = _decode_sample(sample, enc)
    except UnicodeDecodeError as exc:
        line = sample[: exc.start].count(b"\n") + 1
        raise InputError(f"not {enc} text: cannot decode byte {exc.start}", path=spath, line=line,
                         expected=f"{enc} text", hint=_encoding_hint(sample, spath)) from None
    text = text.lstrip("\ufeff")
    # Split on line feeds only, as DuckDB counts lines for ``skip`` (str.splitlines also splits on \x1c…).
    lines = [ln.rstrip("\r") for ln in text.split("\n")[: HEADER_SEARCH_ROWS + 20]]
    delimiter = sniff_delimiter(lines)
    try:
        rows = list(csv.reader(lines, delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file ({exc})", path=spath,
                         expected="delimited text with a header row") from None
    header_index = find_header([[c or None for c in r] for r in rows], expected)
    header = [c.strip().lstrip("\ufeff") for c in rows[header_index]] if rows else []
    if not any(header):
        raise InputError("no header row found", path=spath, expected="a header row naming the columns")
    names = unique_names(header)
    hashes: dict[str, str] = {}
    read_path = path
    if enc.replace("-", "_").lower() not in {n.replace("-", "_") for n in _NATIVE}:
        read_path = workdir / "transcoded.csv"
        hashes = transcode(path, read_path, enc, hash_algorithms=hash_algorithms)
    columns = "{" + ", ".join(f"{lit(f'c{i}')}: 'VARCHAR'" for i in range(len(names))) + "}"
    scan = (
        f"read_csv({lit(str(read_path))}, auto_detect=false, header=false, skip={header_index + 1}, "
        f"columns={columns}, delim={lit(delimiter)}, quote='\"', escape='\"', parallel=true)"
    )
    select = ", ".join(f"{q(f'c{i}')} AS {q(n)}" for i, n in enumerate(names))
    _create_views(con, f"SELECT {select} FROM {scan}", numbered=None, source=spath)
    loaded = LoadedSource(
        data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=names, format="csv",
        source=spath, encoding=enc, path=path, hashes=hashes,
        size=path.stat().st_size,
    )
    if header_index:
        loaded.warnings.append(f"{header_index} line(s) above the header were skipped (titles)")
    return loaded


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


def transcode(src: Path, dst: Path, encoding: str, *, hash_algorithms: Sequence[str] = (),
              chunk_size: int = 1 << 22) -> dict[str, str]:
    """Rewrite ``src`` as UTF-8 in streaming chunks (constant memory); hash the original bytes on the
    way. Python's gb18030 codec decodes the 4-byte sequences (𠇔) DuckDB cannot here."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    hashers = _hashers(hash_algorithms)
    offset = 0
    newlines = 0
    with src.open("rb") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        while True:
            chunk = fin.read(chunk_size)
            for h in hashers.values():
                h.update(chunk)
            try:
                out = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line = newlines + chunk[: max(exc.start, 0)].count(b"\n") + 1
                raise InputError(
                    f"not {encoding} text: cannot decode byte {offset + max(exc.start, 0)}", path=str(src),
                    line=line, expected=f"{encoding} text", hint="name the file's encoding with --encoding",
                ) from None
            if out:
                fout.write(out.lstrip("\ufeff") if offset == 0 else out)
            if not chunk:
                break
            offset += len(chunk)
            newlines += chunk.count(b"\n")
    return {name: h.hexdigest() for name, h in hashers.items()}


def _codec_name(encoding: str, path: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", path=path,
                         expected="a Python codec name such as utf-8, gb18030, gbk") from None
    return "gb18030" if name in {"gbk", "gb2312", "cp936"} else name


# --------------------------------------------------------------------------- header detection


def find_header(rows: Sequence[Sequence[Any]], expected: Sequence[str]) -> int:
    """Index of the header row among the first rows: the first row naming most expected columns, or
    (without a schema) the first row as wide as the widest of them (title rows are narrower)."""
    rows = list(rows)[:HEADER_SEARCH_ROWS]
    if not rows:
        return 0
    wanted = {_fold(n) for n in expected if n}
    if wanted:
        scores = [len({_fold(c) for c in r if c is not None} & wanted) for r in rows]
        top = max(scores)
        if top > 0:
            return scores.index(top)
    widths = [sum(1 for c in r if c not in (None, "")) for r in rows]
    widest = max(widths)
    return next(i for i, w in enumerate(widths) if w == widest)


def unique_names(header: Sequence[str]) -> list[str]:
    """Header cells as column names: blanks become column_N, repeats get _2, _3 …"""
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


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, *, workdir: Path, sheet: str | int | None,
               expected: Sequence[str], text_columns: Sequence[str]) -> LoadedSource:
    """Stream a sheet into a Parquet file in ``workdir`` (bounded memory): the header is the row naming
    the schema's columns under any title rows; the data end at the first empty row; note and total
    rows right below the data (注：…, 合计) are left out."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    spath = str(path)
    # A damaged workbook fails inside zipfile, zlib, the XML parser or openpyxl with a dozen unrelated
    # exception types: at this boundary every one of them means "cannot read this file".
    damaged = (Exception,)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise InputError(f"not a readable XLSX workbook ({exc})", path=spath, expected="an .xlsx workbook") from None
    except damaged as exc:
        raise InputError(f"not a readable XLSX workbook (truncated or damaged: {type(exc).__name__})",
                         path=spath, expected="an .xlsx workbook saved by Excel, WPS or LibreOffice") from None
    loaded = LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=[],
                          format="xlsx", source=spath, path=path, size=path.stat().st_size)
    target = workdir / "sheet.parquet"
    try:
        ws = _pick_sheet(wb, sheet, spath)
        try:
            rows = ws.iter_rows(values_only=True)
            head = [list(r) for r in itertools.islice(rows, HEADER_SEARCH_ROWS)]
            if not any(any(not _blank(c) for c in r) for r in head):
                raise InputError(f"sheet {ws.title!r} is empty", path=spath, expected="a header row and data rows")
            header_index = find_header([[None if _blank(c) else _cell_text(c) for c in r] for r in head], expected)
            header_cells = head[header_index]
            width = max((i + 1 for i, c in enumerate(header_cells) if not _blank(c)), default=0)
            names = unique_names([_cell_text(c).strip() if not _blank(c) else "" for c in header_cells[:width]])
            sink = _SheetSink(target, names, {_fold(c) for c in text_columns})
            held: list[Sequence[Any]] = []  # note-like rows: data only if more data follows them
            ended, below = False, 0
            for row in itertools.chain(head[header_index + 1 :], rows):
                if ended:
                    below += any(not _blank(c) for c in row)
                elif all(_blank(c) for c in row):
                    ended, below = True, below + len(held)
                    held = []
                elif _is_note_row(row):
                    held.append(row)
                else:
                    for kept in held:
                        sink.add(kept)
                    held = []
                    sink.add(row)
            below += len(held)
            sink.close()
        except InputError:
            raise
        except damaged as exc:
            raise InputError(f"cannot read sheet {ws.title!r} (damaged workbook: {type(exc).__name__})",
                             path=spath, expected="an .xlsx workbook") from None
    finally:
        wb.close()
    if below:
        loaded.warnings.append(f"sheet {ws.title!r}: {below} row(s) below the data were ignored (notes, totals)")
    if header_index:
        loaded.warnings.append(f"sheet {ws.title!r}: header found on row {header_index + 1}; rows above were titles")
    for name, count in sink.numeric.items():
        loaded.numeric_cells[name] = count
        loaded.warnings.append(
            f"column {name!r}: {count} cell(s) stored as numbers in the spreadsheet; digits beyond the "
            "15th are lost — re-export the column as text"
        )
    if sink.extra:
        loaded.warnings.append(f"sheet {ws.title!r}: {sink.extra} row(s) have values right of the last header column")
    select = ", ".join(f"{q(f'c{i}')} AS {q(n)}" for i, n in enumerate(names))
    scan = f"read_parquet({lit(str(target))})"
    _create_views(con, f"SELECT {select} FROM {scan}", numbered=f"SELECT {q(ROW_COLUMN)}, {select} FROM {scan}",
                  source=spath)
    loaded.columns = names
    return loaded


class _SheetSink:
    """Spreadsheet rows → text columns → Parquet, in batches (memory stays flat for 1M-row sheets)."""

    BATCH = 65_536

    def __init__(self, target: Path, names: Sequence[str], text_columns: set[str]) -> None:
        self.names = list(names)
        self.width = len(names)
        self.text = [_fold(n) in text_columns for n in names]
        self.columns: list[list[str | None]] = [[] for _ in names]
        self.numeric: dict[str, int] = {}
        self.extra = 0
        self.rows = 0
        fields = [pa.field(f"c{i}", pa.string()) for i in range(self.width)]
        self.schema = pa.schema([*fields, pa.field(ROW_COLUMN, pa.int64())])
        self.writer = pq.ParquetWriter(target, self.schema)

    def add(self, row: Sequence[Any]) -> None:
        for j in range(self.width):
            cell = row[j] if j < len(row) else None
            if self.text[j] and isinstance(cell, int | float) and not isinstance(cell, bool):
                self.numeric[self.names[j]] = self.numeric.get(self.names[j], 0) + 1
            self.columns[j].append(None if _blank(cell) else _cell_text(cell))
        if any(not _blank(c) for c in row[self.width :]):
            self.extra += 1
        if len(self.columns[0] if self.columns else []) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        count = len(self.columns[0]) if self.columns else 0
        if not count:
            return
        arrays = [pa.array(c, type=pa.string()) for c in self.columns]
        arrays.append(pa.array(range(self.rows + 1, self.rows + count + 1), type=pa.int64()))
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))
        self.rows += count
        self.columns = [[] for _ in self.names]

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _pick_sheet(wb: Any, sheet: str | int | None, path: str) -> Any:
    titles = list(wb.sheetnames)
    if sheet is None:
        return wb.worksheets[0]
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in titles):
        index = int(sheet)
        if 0 <= index < len(titles):
            return wb.worksheets[index]
        raise InputError(f"no sheet number {index} (the workbook has {len(titles)})", path=path,
                         expected=f"0..{len(titles) - 1} or a sheet name: {', '.join(titles)}")
    if sheet in titles:
        return wb[sheet]
    raise InputError(f"no sheet named {sheet!r}", path=path, expected=f"one of: {', '.join(titles)}")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_note_row(row: Sequence[Any]) -> bool:
    filled = [c for c in row if not _blank(c)]
    return len(filled) <= 1 and bool(filled) and _cell_text(filled[0]).strip().startswith(NOTE_PREFIXES)


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold. Numbers of 15+ digits are shown the way
    Excel shows them (1.10105194912310E+17): their lost digits must stay visible as damage."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else f"{float(value):.15G}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15G}" if abs(value) >= 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- Parquet, JSON Lines


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, *, text_columns: Sequence[str]) -> LoadedSource:
    spath = str(path)
    try:
        schema = pq.ParquetFile(path).schema_arrow
    except (pa.ArrowException, OSError, ValueError) as exc:  # UnicodeDecodeError too: damaged metadata
        raise InputError(f"not a readable Parquet file (truncated or damaged: {first_line(exc)})", path=spath,
                         expected="a complete Parquet file") from None
    names = [f.name for f in schema]
    loaded = LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN,
                          columns=names, format="parquet", source=spath, path=path, size=path.stat().st_size)
    _note_numeric(loaded, schema, text_columns)
    casts = ", ".join(f"CAST({q(n)} AS VARCHAR) AS {q(n)}" for n in names)
    scan = f"read_parquet({lit(spath)})"
    numbered = (f"SELECT file_row_number + 1 AS {q(ROW_COLUMN)}, {casts} "
                f"FROM read_parquet({lit(spath)}, file_row_number=true)")
    _create_views(con, f"SELECT {casts} FROM {scan}", numbered=numbered, source=spath)
    return loaded


def _read_jsonl(con: duckdb.DuckDBPyConnection, path: Path, *, workdir: Path, encoding: str | None,
                text_columns: Sequence[str], hash_algorithms: Sequence[str]) -> LoadedSource:
    spath = str(path)
    _, enc = _sniff(path, encoding, expected="one JSON object per line")
    read_path, hashes = path, {}
    if enc.replace("-", "_").lower() not in {n.replace("-", "_") for n in _NATIVE}:
        read_path = workdir / "transcoded.jsonl"
        hashes = transcode(path, read_path, enc, hash_algorithms=hash_algorithms)
    scan = f"read_json({lit(str(read_path))}, format='newline_delimited', records=true, sample_size=-1)"
    try:
        described = con.sql(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    except duckdb.Error as exc:
        raise duckdb_input_error(exc, spath, expected="JSON Lines: one JSON object per line") from None
    names = [str(r[0]) for r in described]
    loaded = LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=names,
                          format="jsonl", source=spath, encoding=enc, path=path, hashes=hashes,
                          size=path.stat().st_size)
    numeric_types = ("BIGINT", "INTEGER", "DOUBLE", "HUGEINT", "UBIGINT", "FLOAT", "DECIMAL")
    text_set = {_fold(c) for c in text_columns}
    for name, type_, *_ in described:
        if _fold(name) in text_set and str(type_).startswith(numeric_types):
            loaded.warnings.append(f"column {name!r} holds JSON numbers, not strings: identifiers belong in strings")
    casts = ", ".join(f"CAST({q(n)} AS VARCHAR) AS {q(n)}" for n in names)
    _create_views(con, f"SELECT {casts} FROM {scan}", numbered=None, source=spath)
    return loaded


def _note_numeric(loaded: LoadedSource, schema: pa.Schema, text_columns: Sequence[str]) -> None:
    text_set = {_fold(c) for c in text_columns}
    for f in schema:
        if _fold(f.name) in text_set and (pa.types.is_integer(f.type) or pa.types.is_floating(f.type)):
            loaded.warnings.append(
                f"column {f.name!r} is stored as {f.type}, not text: identifiers ending in X cannot be held"
                + (" and floating point loses digits" if pa.types.is_floating(f.type) else "")
            )


# --------------------------------------------------------------------------- databases


def _read_database(con: duckdb.DuckDBPyConnection, url: str, *, table: str | None, query: str | None,
                   workdir: Path) -> LoadedSource:
    shown = redact_url(url)
    require_table_or_query(table, query, shown)
    scheme = url.split(":", 1)[0].lower()
    if scheme.startswith("sqlite"):
        batches, names = _sqlite_batches(url, table=table, query=query, shown=shown)
        fmt = "sqlite"
    else:
        batches, names = _postgres_batches(url, table=table, query=query, shown=shown)
        fmt = "postgresql"
    target = workdir / "database.parquet"
    fields = [pa.field(f"c{i}", pa.string()) for i in range(len(names))]
    arrow_schema = pa.schema([*fields, pa.field(ROW_COLUMN, pa.int64())])
    row = 0
    with pq.ParquetWriter(target, arrow_schema) as writer:
        for rows in batches:
            cols: list[pa.Array] = [pa.array(c, type=pa.string()) for c in zip(*rows, strict=True)] if rows else []
            if not cols:
                continue
            cols.append(pa.array(range(row + 1, row + len(rows) + 1), type=pa.int64()))
            writer.write_table(pa.Table.from_arrays(cols, schema=arrow_schema))
            row += len(rows)
    select = ", ".join(f"{q(f'c{i}')} AS {q(n)}" for i, n in enumerate(names))
    scan = f"read_parquet({lit(str(target))})"
    _create_views(con, f"SELECT {select} FROM {scan}",
                  numbered=f"SELECT {q(ROW_COLUMN)}, {select} FROM {scan}", source=shown)
    label = f"{shown} ({'table ' + table if table else 'query'})"
    return LoadedSource(data=q(DATA_VIEW), numbered=q(NUMBERED_VIEW), row_column=ROW_COLUMN, columns=names,
                        format=fmt, source=label)


def _sqlite_batches(url: str, *, table: str | None, query: str | None, shown: str
                    ) -> tuple[Iterator[list[tuple[Any, ...]]], list[str]]:
    path = re.sub(r"^sqlite(\+[a-z0-9]+)?:///", "", url, flags=re.IGNORECASE)
    if not path or path == ":memory:" or not Path(path).exists():
        raise InputError("SQLite database file not found", path=shown, expected="sqlite:///PATH/TO/FILE.db")
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        if table:
            known = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
            if table not in known:
                raise InputError(f"no table {table!r} in the database", path=shown,
                                 expected=f"one of: {', '.join(sorted(known)) or '(no tables)'}")
            inner = _SQL.quote_identifier(table)
        else:
            inner = databases.subquery(query or "")
        cursor = conn.execute(f"SELECT * FROM {inner} LIMIT 0")
        names = unique_names([str(d[0]) for d in cursor.description])
        casts = ", ".join(f"CAST({_SQL.quote_identifier(str(d[0]))} AS TEXT)" for d in cursor.description)
        cursor = conn.execute(f"SELECT {casts} FROM {inner} AS __t")
    except sqlite3.DatabaseError as exc:
        raise InputError(f"cannot read the SQLite source: {exc}", path=shown,
                         expected="a readable SQLite database and a valid table or query") from None

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        try:
            while rows := cursor.fetchmany(_DB_BATCH_ROWS):
                yield rows
        except sqlite3.DatabaseError as exc:
            raise InputError(f"cannot read the SQLite source: {exc}", path=shown) from None
        finally:
            conn.close()

    return batches(), names


def _postgres_batches(url: str, *, table: str | None, query: str | None, shown: str
                      ) -> tuple[Iterator[list[tuple[Any, ...]]], list[str]]:
    inner = databases.relation(table, query)
    conn = databases.connect(url, shown)
    import psycopg

    opened = False
    try:
        names = unique_names(databases.column_names(conn, inner, table=table, shown=shown))
        # Columns by position: a query's repeated names stay apart, and no name from the source becomes SQL.
        positions = [f"c{i}" for i in range(len(names))]
        casts = ", ".join(f"CAST({c} AS TEXT)" for c in positions)
        # A named cursor's DECLARE goes by the extended protocol: one statement, as ``execute_one`` sends.
        cursor = conn.cursor(name="govstd_validate")
        cursor.itersize = _DB_BATCH_ROWS
        cursor.execute(f"SELECT {casts} FROM {inner} AS __t({', '.join(positions)})")
        opened = True
    except psycopg.Error as exc:
        raise databases.source_error(exc, shown) from None
    finally:
        if not opened:  # an error's traceback keeps this frame, and so the connection, alive: close it now
            conn.close()

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        try:
            while rows := cursor.fetchmany(_DB_BATCH_ROWS):
                yield rows
        except psycopg.Error as exc:
            raise databases.source_error(exc, shown) from None
        finally:
            conn.close()

    return batches(), names


# --------------------------------------------------------------------------- in memory


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
    names = unique_names([str(n) for n in table.column_names])
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


# --------------------------------------------------------------------------- views, errors


def _register_arrow(con: duckdb.DuckDBPyConnection, table: pa.Table, names: Sequence[str], *,
                    numbered_column: str | None, source: str) -> None:
    con.register("__govstd_arrow", table)
    select = ", ".join(f"CAST({q(f'c{i}')} AS VARCHAR) AS {q(n)}" for i, n in enumerate(names))
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


_DUCKDB_LINE = re.compile(r"on Line: (\d+)", re.IGNORECASE)
_DUCKDB_DROP = ("Original Line", "Possible Solution", "Possible fixes", "* ", "file =", "LINE ")


def duckdb_input_error(exc: BaseException, source: str, *, expected: str | None = None) -> InputError:
    """A DuckDB read error as an InputError: the reason and the line, never the offending data."""
    text = str(exc)
    match = _DUCKDB_LINE.search(text)
    line = int(match.group(1)) if match else None
    reasons = []
    for raw in text.splitlines()[1:]:
        s = raw.strip()
        if not s or s.startswith(_DUCKDB_DROP) or "=" in s:
            continue
        reasons.append(s)
    reason = reasons[0] if reasons else text.splitlines()[0].split(":", 1)[-1].strip()
    if "unicode" in reason.lower():
        return InputError("the file is not valid UTF-8", path=source, line=line, expected="UTF-8 text",
                          hint="name the file's encoding with --encoding (e.g. gb18030)")
    if len(reason) > 200:
        reason = reason[:200] + "…"
    return InputError(f"cannot read: {redact(reason)}", path=source, line=line, expected=expected)


def _hashers(names: Sequence[str]) -> dict[str, Any]:
    import hashlib

    return {name: hashlib.new(name) for name in names}


def hash_file(path: Path, algorithms: Sequence[str], *, chunk_size: int = 1 << 22,
              progress: Callable[[int], None] | None = None) -> dict[str, str]:
    """Hex digests of a file's bytes (read once, in chunks)."""
    hashers = _hashers(algorithms)
    with path.open("rb") as fh:
        while chunk := fh.read(chunk_size):
            for h in hashers.values():
                h.update(chunk)
            if progress is not None:
                progress(len(chunk))
    return {name: h.hexdigest() for name, h in hashers.items()}


__all__ = [
    "LoadedSource",
    "detect_encoding",
    "detect_format",
    "duckdb_input_error",
    "find_header",
    "hash_file",
    "open_source",
    "redact_url",
    "sniff_delimiter",
    "transcode",
    "unique_names",
]
