"""The catalogue's codes as compact Parquet files, one pair per release, for the referential check.

The validators' ``service_item_registered`` check must not pull 2 million codes through Python for
every run. The engine reads these files itself instead: ``active`` holds every basic and
implementation code of an entry not retired, ``retired`` every code found only on retired entries.
They are written once per catalogue release (the only time the codes change) and cached: next to a
SQLite registry (``registry.sqlite.items/``), in the user cache directory for a PostgreSQL one.

Why files rather than attaching the registry: DuckDB's sqlite extension is a download matched to
the DuckDB build, which an offline machine may not have; a Parquet file is read by DuckDB, Spark
and pyarrow alike.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url

from govstd.registry.items.tables import releases

_ACTIVE = """SELECT implementation_code AS code FROM catalogue_items WHERE retired_release IS NULL
             UNION SELECT basic_code FROM catalogue_items WHERE retired_release IS NULL"""
# EXCEPT, not NOT IN: PostgreSQL runs ``NOT IN (subquery)`` as a scan of the subquery per row once
# the codes outgrow work_mem (minutes at 200 k items); EXCEPT is one hash or sort on both engines.
_RETIRED = f"""SELECT code FROM (
                SELECT implementation_code AS code FROM catalogue_items WHERE retired_release IS NOT NULL
                UNION SELECT basic_code FROM catalogue_items WHERE retired_release IS NOT NULL) r
              EXCEPT SELECT code FROM ({_ACTIVE}) a"""
_BATCH = 100_000


@dataclass(frozen=True)
class CodeFiles:
    """A release's code files and how many codes each holds."""

    release: int
    active: Path
    retired: Path
    active_count: int
    retired_count: int


def cache_dir(url: str) -> Path:
    """Where a registry's code files live (a SQLite file's neighbour; else per URL in the user cache)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        file = Path(parsed.database or "").expanduser()
        return file.with_name(file.name + ".items")
    key = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("govstd", appauthor=False)) / "items" / key


def code_files(engine: Engine, url: str) -> CodeFiles | None:
    """The newest complete release's code files (written now if not cached), None without a release."""
    with engine.connect() as conn:
        number = conn.execute(select(func.max(releases.c.number)).where(releases.c.state == "complete")).scalar()
    if number is None:
        return None
    folder = cache_dir(url)
    paths = {which: folder / f"release-{number}-{which}.parquet" for which in ("active", "retired")}
    if not all(p.exists() for p in paths.values()):
        folder.mkdir(parents=True, exist_ok=True)
        for which, sql in (("active", _ACTIVE), ("retired", _RETIRED)):
            _write(engine, sql, paths[which])
    counts = {which: _rows(p) for which, p in paths.items()}
    return CodeFiles(release=number, active=paths["active"], retired=paths["retired"],
                     active_count=counts["active"], retired_count=counts["retired"])


def _write(engine: Engine, sql: str, out: Path) -> None:
    """Stream the codes into a Parquet file, a batch at a time; renamed into place when whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("code", pa.string())])
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with engine.connect() as conn, pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        result = conn.execution_options(stream_results=True, yield_per=_BATCH).execute(text(sql))
        for part in result.partitions(_BATCH):
            writer.write_table(pa.table({"code": pa.array([r[0] for r in part], pa.string())}, schema=schema))
    os.replace(tmp, out)


def _rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)
