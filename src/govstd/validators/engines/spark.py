"""Apache Spark: the check suite as Spark SQL over a temporary view — no Python UDF, no row in Python.

Sources: a Spark DataFrame, a table of the Spark catalogue (``table=`` or a bare table name), a
query (``query=``), or a path. Parquet (file or directory) and plain CSV — UTF-8, header on the first
line — and any ``scheme://`` URI are read by Spark itself; other local files (XLSX, GB18030 CSV,
title rows above the header, JSON Lines) are read by govstd's readers, exactly as on DuckDB, and
handed to Spark as a Parquet file.

Sample row numbers: a staged file carries them; otherwise row n is the n-th row in the DataFrame's
partition order, from ``monotonically_increasing_id()`` and per-partition counts (one extra counting
pass, only when some check failed). A DataFrame whose order is not deterministic (after a shuffle)
should be cached first, or its sample row numbers are not reproducible.

Needs Spark 4 (``try_make_timestamp_ntz``) and Java 17 — ``JAVA_HOME`` or ``java`` on the PATH.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govstd.errors import GovstdError, InputError
from govstd.validators import ir
from govstd.validators.compiler.plans import SamplePlan
from govstd.validators.compiler.spark import SparkDialect
from govstd.validators.engines.base import Opened, Row, SourceOptions, SqlEngine
from govstd.validators.engines.duckdb_session import connect
from govstd.validators.readers import (
    SAMPLE_BYTES,
    LoadedSource,
    detect_encoding,
    detect_format,
    find_header,
    open_source,
    sniff_delimiter,
    unique_names,
)
from govstd.validators.readers.text import _has_quote

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ROW_COLUMN = "__govstd_row"
#: Settings of a session govstd starts itself (a session that is already running is used as it is).
SESSION_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
}
MIN_SPARK = (4, 0)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")
#: Lower 33 bits of monotonically_increasing_id(): the record's index within its partition.
_RECORD_BITS = (1 << 33) - 1


def require_java() -> None:
    """Spark runs on a JVM: JAVA_HOME or a ``java`` on the PATH, else a clear error."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return
    if shutil.which("java"):
        return
    raise InputError("the spark engine needs Java (17 or later), and none was found",
                     hint="install a JDK 17 (Debian: openjdk-17-jre-headless) or set JAVA_HOME")


def spark_session(master: str | None = None, config: Mapping[str, str] | None = None) -> SparkSession:
    """The running SparkSession, or a new one on ``master`` (default ``local[*]``) with
    ``SESSION_DEFAULTS`` and ``config``."""
    try:
        import pyspark
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("the spark engine needs pyspark", hint="pip install 'govstd[spark]'") from None
    version = tuple(int(p) for p in re.findall(r"\d+", pyspark.__version__)[:2])
    if version < MIN_SPARK:
        raise InputError(f"the spark engine needs Spark {MIN_SPARK[0]}.{MIN_SPARK[1]} or later "
                         f"(found {pyspark.__version__})", hint="pip install 'pyspark>=4'")
    active = SparkSession.getActiveSession()
    if active is not None:
        running = active.sparkContext.master
        if master and running != master:
            raise InputError(f"a Spark session is already running on {running}", field="spark_master",
                             expected=f"no other session in this process to start one on {master}")
        return active
    require_java()
    builder = SparkSession.builder.appName("govstd").master(master or "local[*]")
    for key, value in {**SESSION_DEFAULTS, **(config or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _quiet_codegen(session)
    return session


def _quiet_codegen(session: SparkSession) -> None:
    """A whole suite of checks compiles to more than the JVM's 64 KB per method; Spark then runs the
    stage operator by operator, correctly, after logging the compiler's stack trace as an ERROR.
    That is expected here: keep it off the user's terminal."""
    with contextlib.suppress(Exception):
        jvm = session.sparkContext._jvm
        assert jvm is not None
        level = jvm.org.apache.logging.log4j.Level.FATAL
        configurator = jvm.org.apache.logging.log4j.core.config.Configurator
        configurator.setLevel("org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator", level)


def _is_dataframe(source: Any) -> bool:
    return type(source).__module__.startswith("pyspark.sql") and hasattr(source, "createOrReplaceTempView")


@contextlib.contextmanager
def open_data(source: Any, options: SourceOptions) -> Iterator[Opened]:
    """``source`` as a DataFrame of the running (or a new) session; its temporary views dropped at the end."""
    spark = source.sparkSession if _is_dataframe(source) else spark_session(options.spark_master)
    case_sensitive = spark.conf.get("spark.sql.caseSensitive")
    # Column names from files are data: 'ID' and 'id' are two columns, as on the other engines.
    spark.conf.set("spark.sql.caseSensitive", "true")
    engines: list[SparkEngine] = []
    try:
        df, loaded, row_column = _read(spark, source, options)
        line = _line_of(loaded, row_column)

        def make(mapping: Mapping[str, str]) -> SqlEngine:
            engine = SparkEngine(spark, df, mapping, row_column=row_column, source=loaded.source, line=line)
            engines.append(engine)
            return engine

        yield Opened(loaded=loaded, engine=make)
    finally:
        for engine in engines:
            engine.close()
        spark.conf.set("spark.sql.caseSensitive", case_sensitive or "false")


# --------------------------------------------------------------------------- sources


def _line_of(loaded: LoadedSource, row_column: str | None) -> str | int | None:
    """Where a row is in the file, as the DuckDB reader gives it (``LoadedSource.line_column``): the
    staged file's own line column; for one Parquet file the record index (row + 0); for a CSV Spark
    reads itself, header on line 1, the row + 1 — unless a quoted cell may span lines (then unknown)."""
    if row_column is not None:
        return loaded.line_column
    if loaded.path is None or not loaded.path.is_file():
        return None
    if loaded.format == "parquet":
        loaded.line_column = ROW_COLUMN
        return 0
    if loaded.format == "csv" and not _has_quote(loaded.path):
        loaded.line_column = ROW_COLUMN
        return 1
    return None


_JAVA_ERROR = re.compile(r"(?:Caused by: )?([\w.$]+(?:Error|Exception)): (.+)")


def _spark_error(exc: BaseException) -> str:
    """The cause of a Spark failure in one line: py4j's own first line names only the call."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    if any("OutOfMemoryError" in ln for ln in lines):
        return "out of memory (java.lang.OutOfMemoryError): give Spark more memory (spark.driver.memory, executors)"
    for line in lines:
        match = _JAVA_ERROR.match(line)
        if match and "py4j" not in match.group(1).lower():
            return f"{match.group(1).rsplit('.', 1)[-1]}: {match.group(2)}"[:200]
    return (lines[0] if lines else type(exc).__name__)[:200]


def _read(spark: SparkSession, source: Any, options: SourceOptions) -> tuple[DataFrame, LoadedSource, str | None]:
    """The source as a DataFrame, what to report about it, and its row-number column if it has one."""
    if _is_dataframe(source):
        df = source
        return df, _loaded(df.columns, "spark", "<spark DataFrame>"), None
    if options.table or options.query:
        try:
            df = spark.table(options.table) if options.table else spark.sql(options.query or "")
        except Exception as exc:
            what = f"table {options.table}" if options.table else "query"
            raise InputError(f"Spark cannot read the {what}: {_spark_error(exc)}",
                             expected="a table of the Spark catalogue or a valid Spark SQL query") from None
        label = f"spark table {options.table}" if options.table else "spark query"
        return df, _loaded(df.columns, "spark_table" if options.table else "spark_query", label), None
    if not isinstance(source, str | Path):
        raise InputError(f"the spark engine cannot validate a {type(source).__name__}",
                         expected="a Spark DataFrame, a table name, or a file path")
    text = str(source)
    if _URI.match(text) and not text.startswith("file://"):
        return _read_uri(spark, text)
    path = Path(text.removeprefix("file://"))
    if not path.exists() and isinstance(source, str) and _TABLE_NAME.match(text) and not path.suffix:
        if spark.catalog.tableExists(text):
            df = spark.table(text)
            return df, _loaded(df.columns, "spark_table", f"spark table {text}"), None
        raise InputError(f"no file and no Spark table named {text!r}", path=text,
                         expected="a file path, or a table of the Spark catalogue")
    if path.is_dir():
        return _spark_read(spark, "parquet", str(path), _loaded([], "parquet", str(path)))
    fmt = detect_format(path)
    if fmt == "parquet":
        return _read_parquet(spark, path, options)
    if fmt == "csv":
        native = _plain_csv(path, options)
        if native is not None:
            return native_csv(spark, path, *native)
    return _staged(spark, path, options)


def _loaded(columns: Sequence[str], fmt: str, label: str, **extra: Any) -> LoadedSource:
    return LoadedSource(data="", numbered="", row_column=ROW_COLUMN, columns=list(columns), format=fmt, source=label,
                        **extra)


def _spark_read(spark: SparkSession, fmt: str, location: str, loaded: LoadedSource,
                **opts: str) -> tuple[DataFrame, LoadedSource, str | None]:
    try:
        df = spark.read.format(fmt).options(**opts).load(location)
        if not loaded.columns:
            loaded.columns = list(df.columns)
    except Exception as exc:
        raise InputError(f"Spark cannot read it as {fmt}: {_spark_error(exc)}", path=location) from None
    return df, loaded, None


def _read_uri(spark: SparkSession, uri: str) -> tuple[DataFrame, LoadedSource, str | None]:
    suffix = Path(uri.split("?", 1)[0]).suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        return _spark_read(spark, "csv", uri, _loaded([], "csv", uri), header="true",
                           sep="\t" if suffix == ".tsv" else ",", inferSchema="false", mode="FAILFAST")
    if suffix in {".json", ".jsonl", ".ndjson"}:
        return _spark_read(spark, "json", uri, _loaded([], "jsonl", uri), primitivesAsString="true")
    return _spark_read(spark, "parquet", uri, _loaded([], "parquet", uri))


def _read_parquet(spark: SparkSession, path: Path,
                  options: SourceOptions) -> tuple[DataFrame, LoadedSource, str | None]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from govstd.validators.readers import _note_numeric

    try:
        schema = pq.ParquetFile(path).schema_arrow
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"not a readable Parquet file (truncated or damaged: {_spark_error(exc)})", path=str(path),
                         expected="a complete Parquet file") from None
    loaded = _loaded([f.name for f in schema], "parquet", str(path), path=path, size=path.stat().st_size)
    _note_numeric(loaded, schema, options.text_columns)
    return _spark_read(spark, "parquet", str(path), loaded)


def _plain_csv(path: Path, options: SourceOptions) -> tuple[str, str, list[str]] | None:
    """(encoding, delimiter, column names) when Spark's CSV reader reads the file as govstd's reader
    would: UTF-8 (with or without BOM) and the header on the first line. None otherwise."""
    import csv

    with path.open("rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    if not sample.strip():
        return None
    encoding = options.encoding or detect_encoding(sample, path=str(path))
    if encoding.replace("_", "-").lower() not in {"utf-8", "utf8", "utf-8-sig"}:
        return None
    try:
        text = sample.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        if len(sample) < SAMPLE_BYTES:
            return None
        text = sample[: -4].decode("utf-8", errors="ignore")
    lines = [ln.rstrip("\r") for ln in text.lstrip("\ufeff").split("\n")[:50]]
    delimiter = sniff_delimiter(lines)
    rows = list(csv.reader(lines, delimiter=delimiter))
    if not rows or find_header([[c or None for c in r] for r in rows], options.expected_columns) != 0:
        return None
    header = [c.strip().lstrip("\ufeff") for c in rows[0]]
    if not any(header):
        return None
    return encoding, delimiter, unique_names(header)


def native_csv(spark: SparkSession, path: Path, encoding: str, delimiter: str,
               names: list[str]) -> tuple[DataFrame, LoadedSource, str | None]:
    loaded = _loaded(names, "csv", str(path), encoding=encoding, path=path, size=path.stat().st_size)
    df, loaded, _ = _spark_read(
        spark, "csv", str(path), loaded, header="true", sep=delimiter, encoding="UTF-8", quote='"', escape='"',
        inferSchema="false", mode="FAILFAST", ignoreLeadingWhiteSpace="false", ignoreTrailingWhiteSpace="false",
    )
    if len(df.columns) != len(names):
        raise InputError(f"Spark found {len(df.columns)} columns, the header names {len(names)}", path=str(path))
    return df.toDF(*names), loaded, None


def _staged(spark: SparkSession, path: Path, options: SourceOptions) -> tuple[DataFrame, LoadedSource, str | None]:
    """Read with govstd's readers (DuckDB), numbered, into a Parquet file Spark reads."""
    con = connect()
    try:
        loaded = open_source(con, path, workdir=options.workdir, expected_columns=options.expected_columns,
                             text_columns=options.text_columns, encoding=options.encoding, sheet=options.sheet)
        staged = options.workdir / "staged.parquet"
        con.execute(f"COPY (SELECT * FROM {loaded.numbered}) TO '{staged}' (FORMAT parquet)")
    finally:
        con.close()
    df = spark.read.parquet(str(staged))
    return df, loaded, loaded.row_column


# --------------------------------------------------------------------------- the engine


class SparkEngine(SqlEngine):
    """Runs a check suite with ``spark.sql`` over temporary views of one DataFrame."""

    name = "spark"

    def __init__(self, spark: SparkSession, df: DataFrame, mapping: Mapping[str, str], *, row_column: str | None,
                 source: str, line: str | int | None = None) -> None:
        """``line``: the physical line of a row — a column of ``df``, or the row number plus an offset."""
        self.spark = spark
        self.source = source
        escaped = str(spark.conf.get("spark.sql.parser.escapedStringLiterals", "false")).lower() == "true"
        self.dialect = SparkDialect(escaped_string_literals=escaped)
        q = self.dialect.quote_identifier
        suffix = uuid.uuid4().hex[:12]
        self._views: list[str] = []
        self._src = self._view(f"__govstd_src_{suffix}", df)
        self._casts = ", ".join(f"CAST({q(column)} AS STRING) AS {q(field)}" for field, column in mapping.items())
        self._casts = self._casts or "NULL AS __govstd_none"
        self._row_column = row_column
        self._data_name = f"__govstd_data_{suffix}"
        self._numbered_name = f"__govstd_numbered_{suffix}"
        self._sql(f"CREATE OR REPLACE TEMPORARY VIEW {q(self._data_name)} AS SELECT {self._casts} FROM {q(self._src)}")
        self._views.append(self._data_name)
        self.data = q(self._data_name)
        self._numbered: str | None = None
        self._line = line
        self.line_column = "__govstd_line" if line is not None else None

    def _view(self, name: str, df: DataFrame) -> str:
        df.createOrReplaceTempView(self.dialect.quote_identifier(name))
        self._views.append(name)
        return name

    def _sql(self, sql: str) -> DataFrame:
        try:
            return self.spark.sql(sql)
        except Exception as exc:
            raise GovstdError(f"Spark failed running the checks on {self.source}: {_spark_error(exc)}") from None

    def close(self) -> None:
        for name in self._views:
            with contextlib.suppress(Exception):
                self.spark.catalog.dropTempView(self.dialect.quote_identifier(name))

    # ---- SqlEngine -------------------------------------------------------------------------

    def register_tables(self, tables: Sequence[ir.ReferenceTable]) -> None:
        from pyspark.sql.types import LongType, StringType, StructField, StructType

        for t in tables:
            schema = StructType([StructField(c, LongType() if kind == "integer" else StringType())
                                 for c, kind in zip(t.columns, t.types, strict=True)])
            frame = self.spark.createDataFrame([tuple(r) for r in t.rows], schema)
            for file in t.files:  # the catalogue's codes: read by Spark from the Parquet file itself
                frame = frame.unionByName(self.spark.read.parquet(file).select(*t.columns))
            # Reference tables are small: broadcast, so a lookup never shuffles the dataset. The
            # catalogue's codes may be millions: Spark chooses the join for those.
            self._view(t.name, frame if t.files else frame.hint("broadcast"))

    def fetch_all(self, sql: str) -> list[Row]:
        try:
            return [r.asDict() for r in self._sql(sql).collect()]
        except GovstdError:
            raise
        except Exception as exc:
            raise GovstdError(f"Spark failed running the checks on {self.source}: {_spark_error(exc)}") from None

    def first_failing(self, plan: SamplePlan, checks: Sequence[ir.RowCheck], n: int) -> dict[str, list[Row]]:
        """Each failing (row, check) pair ranked by row number per check, in one pass. Spark keeps row
        order only within a partition and hands partitions to the driver whole — fatal when nearly
        every row fails a check — so nothing is streamed: ``row_number() <= n`` lets Spark keep ``n``
        rows per check in each partition before anything leaves it."""
        q = self.dialect.quote_identifier
        ids = [plan.flags[c.rule_id] for c in checks]
        keys = "array_compact(array(" + ", ".join(f"IF({q(f)}, {i}, NULL)" for i, f in enumerate(ids)) + "))"
        place = [plan.line_alias] if plan.line_alias else []
        cols = ", ".join(q(c) for c in [plan.row_alias, *place, *plan.values.values()])
        ranked = (
            f"SELECT {cols}, {q('__k')}, row_number() OVER (PARTITION BY {q('__k')} ORDER BY {q(plan.row_alias)}) "
            f"AS {q('__rn')} FROM (SELECT {cols}, explode({keys}) AS {q('__k')} FROM ({plan.sql}) AS {q('__p')}) "
            f"AS {q('__e')}"
        )
        rows = self.fetch_all(f"SELECT * FROM ({ranked}) AS {q('__r')} WHERE {q('__rn')} <= {int(n)}")
        found: dict[str, list[Row]] = {c.rule_id: [] for c in checks}
        for row in sorted(rows, key=lambda r: (r["__k"], r[plan.row_alias])):
            found[checks[row["__k"]].rule_id].append(row)
        return found

    def numbered(self) -> str:
        if self._numbered is None:
            q = self.dialect.quote_identifier
            if self._row_column is not None:
                row = f"CAST({q(self._row_column)} AS BIGINT)"
            else:
                row = self._row_from_partitions()
            line = ""
            if isinstance(self._line, str):
                line = f"CAST({q(self._line)} AS BIGINT) AS {q('__govstd_line')}, "
            elif isinstance(self._line, int):
                line = f"{row} + {self._line} AS {q('__govstd_line')}, "
            self._sql(f"CREATE OR REPLACE TEMPORARY VIEW {q(self._numbered_name)} AS "
                      f"SELECT {row} AS {q(self.row_column)}, {line}{self._casts} FROM {q(self._src)}")
            self._views.append(self._numbered_name)
            self._numbered = q(self._numbered_name)
        return self._numbered

    def _row_from_partitions(self) -> str:
        """Row number = rows in earlier partitions + index within the partition + 1."""
        q = self.dialect.quote_identifier
        counts = {int(r["p"]): int(r["n"]) for r in self.fetch_all(
            f"SELECT spark_partition_id() AS p, COUNT(*) AS n FROM {q(self._src)} GROUP BY spark_partition_id()"
        )}
        offsets, total = [], 0
        for p in range(max(counts, default=-1) + 1):
            offsets.append(total)
            total += counts.get(p, 0)
        if not offsets:
            offsets = [0]
        array = "array(" + ", ".join(f"CAST({o} AS BIGINT)" for o in offsets) + ")"
        return (f"(element_at({array}, spark_partition_id() + 1) + "
                f"(monotonically_increasing_id() & {_RECORD_BITS}) + 1)")

