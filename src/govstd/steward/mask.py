"""``mask_dataset``: the de-identified copy of a dataset that its catalogue schema lets be shared.

Every field holding personal data — by its bound standard's PII class or the field's own ``pii`` —
is masked by its standard's ``MaskingRule`` (``masksql``: IDs ``110101********123X``, phones
``138****5678``, names 张*, addresses up to the district); free-text columns (unbound text, not the
key) pass ``masking.redact`` so an ID typed into a remark does not travel. With a key, ID-number
fields are replaced by a keyed pseudonym instead (HMAC-SM3 over the normalised number), so the same
person stays joinable across datasets masked with the same key, and unlinkable without it.

The whole copy is one DuckDB query streamed to the output: masking is SQL string arithmetic. Two
steps have no SQL form and run as vectorised Python UDFs over Arrow batches: the HMAC (no engine
offers SM3) and ``redact`` (its patterns need look-behind, which RE2 lacks) — the latter only on the
values an SQL pre-filter finds a long digit run, a credit-code-shaped token or a URL in.
The original is only read; rows and column order are kept. Beside the copy, a note
(``masked.csv.govstd-mask.json``, ``govstd.validators.scorecard.masked_copy``) records the source's
fingerprint and what each column became, so the copy's scorecard says it is a masked copy and expects
its masked columns masked.

Every share type gets the same copy: personal data is masked for any sharing (DOMAIN: a dataset
shared unconditionally must not expose it; a conditional share's receiver is named, not trusted with
more than it needs). A dataset marked 不予共享 (not_shared) is still masked, with a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from govstd import __version__
from govstd.errors import GovstdWarning, InputError
from govstd.registry.resolve import load_schema, resolver_for
from govstd.standards import masking
from govstd.standards.models import CatalogueSchema, DataType, PiiClass, ShareType
from govstd.steward.detect import DIALECT
from govstd.steward.masksql import Masking, mask_expr, normalised, rule_of
from govstd.validators.columns import match_columns
from govstd.validators.derive import bind_fields
from govstd.validators.readers import open_source
from govstd.validators.scorecard import masked_copy as mc
from govstd.validators.scorecard.fingerprint import fingerprint

OUTPUT_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: A key shorter than this is guessable; HMAC-SM3's block is 64 bytes, 32 random bytes are plenty.
MIN_KEY_BYTES = 16
#: Excel's sheet holds at most 1,048,576 rows, the header included (Excel specifications and limits).
XLSX_MAX_ROWS = 1_048_576 - 1
BATCH_ROWS = 65_536
#: Values that may hold something ``redact`` masks: 11+ digits in a row (full-width too), an
#: 18-character credit-code-shaped run, or a URL with credentials. Others skip the Python call.
_REDACT_PREFILTER = r"[0-9０-９]{6}|[0-9A-Z]{18}|://"
PSEUDONYM_UDF = "__govstd_pseudonym"
REDACT_UDF = "__govstd_redact"


@dataclass
class MaskResult:
    """What was written, and what each column became."""

    out: Path
    rows: int
    columns: list[str]
    #: column → how it was de-identified: 'masked (id_number)', 'pseudonymised', 'redacted', 'as is'.
    treatment: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: The note beside the copy (``masked_copy.sidecar_path``).
    note: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        # Masked as every output is: the paths are the user's, the columns the file's header.
        r = masking.redact
        return {"out": r(str(self.out)), "rows": self.rows, "columns": [r(c) for c in self.columns],
                "treatment": {r(c): what for c, what in self.treatment.items()},
                "warnings": [r(w) for w in self.warnings], "note": None if self.note is None else r(str(self.note))}


def sm3_available() -> bool:
    """Whether this Python's OpenSSL provides SM3 (GB/T 32905)."""
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


def pseudonym(key: bytes, value: str) -> str:
    """The keyed pseudonym of one normalised value: HMAC-SM3, hex (what the SQL UDF computes)."""
    return hmac.new(key, value.encode("utf-8"), "sm3").hexdigest()


class Pseudonymiser:
    """HMAC-SM3 (RFC 2104 over GB/T 32905) of many values under one key, ``pseudonym`` at batch speed.

    The key's inner and outer pads are hashed once; each value then costs two copies of those SM3 states
    (OpenSSL 3 fetches the SM3 implementation on every ``hashlib.new``, which dominated the per-value
    ``hmac.new``). A value seen before is looked up, not hashed again: a person recurs across a
    department's records. The memo is bounded (``MEMO_SIZE`` entries, then started afresh), so memory
    stays flat on any file. A property test holds it to ``pseudonym``.
    """

    _BLOCK = 64  # SM3's block size in bytes (GB/T 32905-2016, 5.3.1: 512-bit blocks)
    #: ~40 MB of 18-character IDs and their 64-character pseudonyms.
    MEMO_SIZE = 1 << 18

    def __init__(self, key: bytes) -> None:
        if len(key) > self._BLOCK:
            key = hashlib.new("sm3", key).digest()  # RFC 2104, section 2: a long key is hashed first
        padded = key.ljust(self._BLOCK, b"\0")
        self._inner = hashlib.new("sm3", bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.new("sm3", bytes(b ^ 0x5C for b in padded))
        self._memo: dict[str, str] = {}

    def one(self, value: str) -> str:
        inner = self._inner.copy()
        inner.update(value.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def batch(self, values: pa.Array) -> pa.Array:
        """Pseudonyms of an Arrow string batch; NULL stays NULL."""
        memo = self._memo
        out: list[str | None] = []
        for value in values.to_pylist():
            if value is None:
                out.append(None)
                continue
            digest = memo.get(value)
            if digest is None:
                if len(memo) >= self.MEMO_SIZE:
                    memo.clear()
                digest = memo[value] = self.one(value)
            out.append(digest)
        return pa.array(out, pa.string())


def read_key(path: str | Path) -> bytes:
    """A pseudonymisation key from a file (trailing newline ignored), refused when too short."""
    try:
        key = Path(path).read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        raise InputError(f"cannot read the key file: {exc.strerror}", path=str(path)) from None
    if len(key) < MIN_KEY_BYTES:
        raise InputError(f"the key is {len(key)} bytes", path=str(path), expected=f"at least {MIN_KEY_BYTES} bytes",
                         hint="e.g. `head -c 32 /dev/urandom > key.bin`; keep it secret, reuse it to stay joinable")
    return key


def mask_dataset(source: str | Path, schema: CatalogueSchema | str | Path, out: str | Path, *,
                 key: bytes | None = None, registry: Any = None, encoding: str | None = None,
                 sheet: str | int | None = None) -> MaskResult:
    """Write the de-identified copy of ``source`` to ``out`` (.csv UTF-8 with BOM, .xlsx or .parquet).

    ``schema``: the catalogue schema, a YAML file or a registry reference (``registry``: URL or open
    ``Registry``). ``key``: pseudonymise ID-number fields with HMAC-SM3 under this key.
    """
    out_path = Path(out)
    suffix = out_path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InputError(f"unknown output format {out_path.suffix or '(none)'!r}", path=str(out_path),
                         expected="a file name ending in " + ", ".join(OUTPUT_SUFFIXES))
    if isinstance(source, str | Path) and Path(source).exists() and out_path.exists() \
            and out_path.resolve() == Path(source).resolve():
        raise InputError("the output would overwrite the original", path=str(out_path),
                         expected="another file name: the original is never changed")
    if key is not None and not sm3_available():
        raise InputError("this Python's OpenSSL offers no SM3", field="pseudonymise-key-file",
                         expected="an OpenSSL build with SM3 (GB/T 32905)")
    reg = registry
    if isinstance(registry, str | Path):
        from govstd.registry.store import Registry

        reg = Registry(str(registry))
    try:
        catalogue, local = load_schema(schema, reg)
        bindings = bind_fields(catalogue, resolver_for(local, registry=reg))
    finally:
        if reg is not registry:
            reg.close()
    notes: list[str] = []
    if catalogue.share.share_type == ShareType.NOT_SHARED:
        notes.append(f"{catalogue.id} is marked 不予共享 (not_shared): the masked copy is not a licence to share it")
        warnings.warn(notes[-1], GovstdWarning, stacklevel=2)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    try:
        with tempfile.TemporaryDirectory(prefix="govstd-mask-") as tmp:
            loaded = open_source(con, source, workdir=Path(tmp), encoding=encoding, sheet=sheet)
            mapping, _ = match_columns(catalogue, loaded.columns, source=loaded.source)
            by_column = {column: name for name, column in mapping.items()}
            treatment: dict[str, str] = {}
            fields: dict[str, str] = {}
            selects: list[str] = []
            for column in loaded.columns:
                sql, what = _column_sql(column, catalogue, bindings, by_column.get(column), key)
                # A header cell may be data (an ID number where a name should be): the copy to share
                # names its columns masked, and so do its note and the command's output.
                shown = masking.redact(column)
                if column in by_column:
                    fields[shown] = by_column[column]
                selects.append(f"{sql} AS {DIALECT.quote_identifier(shown)}")
                treatment[shown] = what
            _register_udfs(con, key)
            query = f"SELECT {', '.join(selects)} FROM {loaded.data}"
            rows = _write(con, query, out_path, loaded)
    except duckdb.Error as exc:
        raise InputError(f"cannot write the masked copy: {str(exc).splitlines()[0]}", path=str(out_path)) from None
    finally:
        con.close()
    note = _write_note(source, out_path, catalogue, rows, treatment, fields, key)
    return MaskResult(out_path, rows, list(loaded.columns), treatment, [*notes, *loaded.warnings], note)


def _write_note(source: str | Path, out: Path, catalogue: CatalogueSchema, rows: int, treatment: dict[str, str],
                by_column: dict[str, str], key: bytes | None) -> Path:
    """The masked copy's note beside it: the source's fingerprint (never its content), the copy's SHA-256,
    what each column became."""
    src = Path(source)
    if src.is_file():
        sha256, sm3, size = fingerprint(src)
        origin = mc.FileFingerprint(name=masking.redact(src.name), sha256=sha256, sm3=sm3, bytes=size)
    else:  # a database URL: its credentials never reach the note
        origin = mc.FileFingerprint(name=masking.redact(str(source).split("@")[-1]))
    note = mc.MaskedCopy(
        tool_version=__version__, masked_at=dt.datetime.now(dt.UTC), schema_ref=catalogue.ref, source=origin,
        copy_sha256=mc.file_sha256(out), rows=rows, pseudonymised=key is not None,
        key_id=None if key is None else mc.key_id(key),
        columns=[mc.ColumnTreatment(column=c, field=by_column.get(c), treatment=_TREATMENTS.get(what.split(" ")[0],
                                                                                               "as_is"), detail=what)
                 for c, what in treatment.items()],
    )
    path = mc.sidecar_path(out)
    path.write_text(note.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


_TREATMENTS: dict[str, mc.Treatment] = {"masked": "masked", "pseudonymised": "pseudonymised", "redacted": "redacted"}


def _column_sql(column: str, catalogue: CatalogueSchema, bindings: dict[str, Any], field_name: str | None,
                key: bytes | None) -> tuple[str, str]:
    """The SQL a column is written as, and a word on what was done to it."""
    q = DIALECT.quote_identifier(column)
    if field_name is None:
        # Not in the schema: nobody declared what it holds, so it is treated as free text.
        return _redacted(q), "redacted (not in the schema)"
    b = bindings[field_name]
    how: Masking | None = rule_of(b.element, b.pii)
    if key is not None and b.pii == PiiClass.ID_NUMBER:
        value = normalised(q, "code")
        return (f"(CASE WHEN {q} IS NULL OR trim({q}) = '' THEN {q} ELSE {PSEUDONYM_UDF}({value}) END)",
                "pseudonymised (HMAC-SM3)")
    if how is not None:
        return mask_expr(q, how), f"masked ({b.pii.value})"
    spec = b.spec
    free_text = (b.element is None and b.code_set is None and not spec.key and spec.data_type == DataType.STRING)
    if free_text:
        return _redacted(q), "redacted (free text)"
    return q, "as is"


def _redacted(q: str) -> str:
    return (f"(CASE WHEN regexp_matches({q}, {DIALECT.string_literal(_REDACT_PREFILTER)}) "
            f"THEN {REDACT_UDF}({q}) ELSE {q} END)")


def _register_udfs(con: duckdb.DuckDBPyConnection, key: bytes | None) -> None:
    def redact_batch(values: pa.Array) -> pa.Array:
        return pa.array([None if v is None else masking.redact(v) for v in values.to_pylist()], pa.string())

    _udf(con, REDACT_UDF, redact_batch)
    if key is not None:
        _udf(con, PSEUDONYM_UDF, Pseudonymiser(key).batch)


def _udf(con: duckdb.DuckDBPyConnection, name: str, batch: Callable[[pa.Array], pa.Array]) -> None:
    """A VARCHAR → VARCHAR function called once per Arrow batch; NULLs reach it (and stay NULL)."""
    create: Any = con.create_function  # the stubs' overloads do not list Arrow batch functions
    create(name, batch, [duckdb.sqltype("VARCHAR")], duckdb.sqltype("VARCHAR"), type="arrow",
           null_handling="special")


# --------------------------------------------------------------------------- writers


def _write(con: duckdb.DuckDBPyConnection, query: str, out: Path, loaded: Any) -> int:
    """Stream ``query`` into ``out`` through a temporary file beside it, moved in place when complete
    (a failed run leaves no half-written copy). Returns the rows written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".govstd-mask-", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        reader = con.sql(query).to_arrow_reader(BATCH_ROWS)
        suffix = out.suffix.lower()
        if suffix == ".parquet":
            rows = _write_parquet(reader, tmp)
        elif suffix == ".xlsx":
            rows = _write_xlsx(reader, tmp, loaded.source)
        else:
            rows = _write_csv(reader, tmp)
        shutil.move(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return rows


def _write_csv(reader: pa.RecordBatchReader, path: Path) -> int:
    import pyarrow.csv as pacsv

    rows = 0
    with path.open("wb") as raw:
        raw.write("\ufeff".encode())  # UTF-8 BOM: Excel then reads the file as UTF-8, not the ANSI code page
        with pacsv.CSVWriter(raw, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
    return rows


def _write_parquet(reader: pa.RecordBatchReader, path: Path) -> int:
    import pyarrow.parquet as pq

    rows = 0
    with pq.ParquetWriter(path, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def _write_xlsx(reader: pa.RecordBatchReader, path: Path, source: str) -> int:
    """Text cells in a write-only workbook (openpyxl streams rows; a cell per value is its API)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("masked")
    names: Sequence[str] = reader.schema.names
    sheet.append(list(names))
    rows = 0
    for batch in reader:
        rows += batch.num_rows
        if rows > XLSX_MAX_ROWS:
            raise InputError(f"more than {XLSX_MAX_ROWS:,} rows do not fit in an Excel sheet", path=source,
                             expected="--out masked.csv or masked.parquet")
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for row in zip(*columns, strict=True):
            sheet.append(list(row))
    book.save(path)
    return rows
