"""Text files: CSV and JSON Lines, their encoding, delimiter and header row.

A CSV may come in UTF-8 (with or without BOM) or the GB family (GBK, GB18030), with any common
delimiter, CRLF and title lines above the header. Encodings DuckDB cannot read itself are transcoded
to UTF-8 in streaming chunks first (Python's gb18030 codec decodes the 4-byte sequences of rare
characters such as 𠇔, which DuckDB cannot here).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Sequence
from pathlib import Path

import duckdb

from govstd.errors import InputError
from govstd.validators.readers.common import (
    DATA_VIEW,
    HEADER_SEARCH_ROWS,
    NUMBERED_VIEW,
    ROW_COLUMN,
    SAMPLE_BYTES,
    LoadedSource,
    _create_views,
    _fold,
    _hashers,
    duckdb_input_error,
    find_header,
    lit,
    q,
    unique_names,
)

DELIMITERS = (",", "\t", ";", "|")
#: Encodings DuckDB reads itself; anything else is transcoded to UTF-8 in streaming chunks first.
_NATIVE = {"utf-8", "utf_8", "utf8", "ascii", "utf-8-sig", "utf_8_sig"}
#: What charset-normalizer calls the Chinese national encodings; all are read as their superset GB18030
#: (GBK decoders fail on the 4-byte sequences that encode rare characters such as 𠇔).
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz", "euc_cn", "ms936"}


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
