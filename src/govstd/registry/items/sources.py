"""Reading a catalogue export (CSV, XLSX, Parquet, JSONL) in batches, whatever its headers' language.

Catalogue exports differ by province in their headers (基本编码 / basic code / basic_code, 实施主体 /
department …), not in what they hold. ``HEADERS`` maps every spelling seen to one field name; a
column nobody maps is ignored. Every value is read as text — codes carry leading zeros and letters —
and the file is read in batches, so memory stays flat however long the catalogue is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from govstd.errors import InputError

#: Field → the header spellings catalogue exports use (compared case-, space- and underscore-blind).
HEADERS: dict[str, tuple[str, ...]] = {
    "implementation_code": ("实施编码", "事项实施编码", "implementation code", "implementation_code", "impl_code",
                            "task_code", "taskcode"),
    "basic_code": ("基本编码", "事项基本编码", "basic code", "basic_code", "catalog_code"),
    "name": ("事项名称", "实施清单名称", "item name", "item_name", "name"),
    "item_type": ("事项类型", "type", "item type", "item_type", "task_type"),
    "department": ("部门", "实施部门", "主管部门", "department", "dept"),
    "item_version": ("事项版本", "版本", "version", "item version", "item_version"),
    "body": ("实施主体", "实施主体名称", "body", "implementing body"),
    "body_uscc": ("实施主体编码", "实施主体统一社会信用代码", "body uscc", "body_uscc", "implementing_body_uscc"),
    "exercise_level": ("行使层级", "level", "exercise level", "exercise_level"),
    "region": ("行政区划", "行政区划代码", "区划代码", "region", "region code", "region_code"),
}
#: Source headers → {header: field}, or an InputError naming what is missing (``map_headers``).
HeaderMap = Callable[[list[str], Path], dict[str, str]]
#: Every field, in the order of ``HEADERS``.
FIELDS = tuple(HEADERS)
#: Without these a row cannot be an implementation entry.
REQUIRED = ("implementation_code", "basic_code", "name")
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".jsonl": "jsonl",
           ".ndjson": "jsonl"}


def _fold(header: str) -> str:
    return "".join(header.strip().lstrip("\ufeff").lower().replace("_", " ").replace("-", " ").split())


def fields_of(headers: list[str], spellings: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Source header → field, for the headers that spell a field (case-, space-, underscore- and
    hyphen-blind); the first column spelling a field wins it."""
    by_spelling = {_fold(s): name for name, names in spellings.items() for s in names}
    mapping: dict[str, str] = {}
    for header in headers:
        field = by_spelling.get(_fold(str(header)))
        if field is not None and field not in mapping.values():
            mapping[str(header)] = field
    return mapping


def format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"cannot read {path.suffix or 'a file without extension'} as a catalogue",
                         path=str(path), expected="a .csv, .xlsx, .parquet or .jsonl file")
    return fmt


def map_headers(headers: list[str], path: Path) -> dict[str, str]:
    """Source header → field name; an InputError naming the missing required fields."""
    mapping = fields_of(headers, HEADERS)
    missing = [f for f in REQUIRED if f not in mapping.values()]
    if missing:
        wanted = "; ".join(f"{f}: {' / '.join(HEADERS[f][:3])}" for f in missing)
        raise InputError(f"no column for {', '.join(missing)}", path=str(path), line=1,
                         expected=f"a header naming {wanted}")
    return mapping


def file_hash(path: Path) -> str:
    """SHA-256 of the file: a resumed import must read the very file it began with."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_batches(path: Path, batch_rows: int = 20_000, *, headers: HeaderMap = map_headers,
                 fields: tuple[str, ...] = FIELDS, what: str = "catalogue") -> Iterator[list[dict[str, str | None]]]:
    """The file's records as lists of ``{field: text or None}``, ``batch_rows`` at a time, in file order."""
    for table in read_tables(path, batch_rows, headers=headers, fields=fields, what=what):
        yield table.to_pylist()


def read_tables(path: Path, batch_rows: int = 20_000, *, headers: HeaderMap = map_headers,
                fields: tuple[str, ...] = FIELDS, what: str = "catalogue") -> Iterator[Any]:
    """The file's records as Arrow tables of ``batch_rows`` rows, in file order: one text column per
    field of ``fields`` (NULL where the file has no such column), values trimmed, blanks NULL.

    ``headers`` maps the file's headers to fields (the catalogue's by default; the crosswalk has its
    own), ``what`` names the file in errors."""
    import pyarrow as pa

    fmt = format_of(path)
    if not path.is_file():
        raise InputError("no such file", path=str(path))
    if fmt == "xlsx":
        for records in _xlsx(path, batch_rows, headers):
            schema = pa.schema([(f, pa.string()) for f in records[0]])
            yield _fields(pa.Table.from_pylist(records, schema=schema), fields)
        return
    for batch in _arrow_batches(path, fmt, batch_rows, what):
        mapping = headers(batch.schema.names, path)
        kept = pa.Table.from_batches([batch]).select(list(mapping)).rename_columns([mapping[c] for c in mapping])
        yield _fields(kept, fields)


def _fields(table: Any, fields: tuple[str, ...]) -> Any:
    """Every field as a column, in ``fields`` order; text trimmed, an empty cell NULL (as ``_text``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for name in fields:
        if name in table.column_names:
            trimmed = pc.utf8_trim_whitespace(table[name])
            columns.append(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed))
        else:
            columns.append(pa.nulls(table.num_rows, pa.string()))
    return pa.table(columns, names=list(fields))


def _arrow_batches(path: Path, fmt: str, batch_rows: int, what: str) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.json as pjson
    import pyarrow.parquet as pq

    try:
        if fmt == "parquet":
            pf = pq.ParquetFile(path)
            for batch in pf.iter_batches(batch_size=batch_rows):
                yield _as_text(batch)
            return
        if fmt == "jsonl":
            reader: Any = pjson.open_json(path, read_options=pjson.ReadOptions(block_size=8 << 20))
        else:
            with path.open("rb") as fh:
                names = pcsv.open_csv(fh).schema.names
            reader = pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=8 << 20),
                                   convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}))
        for batch in reader:
            if fmt == "jsonl":
                batch = _as_text(batch)
            for start in range(0, batch.num_rows, batch_rows):
                yield batch.slice(start, batch_rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the {what}: {str(exc).splitlines()[0]}", path=str(path),
                         expected=f"a UTF-8 {fmt.upper()} {what} file") from None


def _as_text(batch: Any) -> Any:
    """Every column as text. A whole number stored as a float (a spreadsheet's all-digit code, 511000000000.0)
    is written as the integer, as ``_text`` does for XLSX cells — Arrow's own cast would write 5.11e+11."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in batch.columns:
        if pa.types.is_floating(column.type):
            whole = pc.cast(column, pa.int64(), safe=False)
            exact = pc.equal(pc.cast(whole, column.type), column)
            column = pc.if_else(exact, pc.cast(whole, pa.string()), pc.cast(column, pa.string()))
        columns.append(column.cast(pa.string()))
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _xlsx(path: Path, batch_rows: int, headers: HeaderMap) -> Iterator[list[dict[str, str | None]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        names = [str(h) if h is not None else "" for h in next(rows, ())]
        mapping = headers(names, path)
        index = [(i, mapping[h]) for i, h in enumerate(names) if h in mapping]
        batch: list[dict[str, str | None]] = []
        for row in rows:
            batch.append({field: _text(row[i] if i < len(row) else None) for i, field in index})
            if len(batch) >= batch_rows:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        book.close()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet stores 510000 as a number
    text = str(value).strip()
    return text or None


def count_records(path: Path) -> int | None:
    """How many records the file holds, for a progress bar (a fast byte count; None when unknown)."""
    try:
        fmt = format_of(path)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        if fmt == "xlsx":
            return None
        with path.open("rb") as fh:
            lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 22), b""))
        return max(0, lines - 1) if fmt == "csv" else lines
    except (OSError, InputError):
        return None
