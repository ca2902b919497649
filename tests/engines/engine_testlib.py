"""Helpers of the engine parity suite: PostgreSQL tables from rows, results compared field by field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Result fields that may differ between engines: which engine, and when.
ENGINE_FIELDS = {"engine", "started_at", "finished_at"}


def load_table(url: str, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """(Re)create ``table`` with text columns and copy ``rows`` into it, in order."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    cols = ", ".join('"' + c.replace('"', '""') + '" text' for c in columns)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP TABLE IF EXISTS "{table}"')
        conn.execute(f'CREATE TABLE "{table}" ({cols})')
        with conn.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def comparable(result: Any) -> dict[str, Any]:
    """A ValidationResult as a dict without the fields engines may differ on."""
    dumped: dict[str, Any] = result.model_dump(mode="json", exclude=ENGINE_FIELDS)
    return dumped


def assert_same(a: Any, b: Any) -> None:
    """Two results identical apart from engine and times — reported check by check when not."""
    da, db = comparable(a), comparable(b)
    ca = {c["rule_id"]: c for c in da.pop("checks")}
    cb = {c["rule_id"]: c for c in db.pop("checks")}
    assert list(ca) == list(cb), "different checks"
    diffs = {rid: {k: (ca[rid][k], cb[rid].get(k)) for k in ca[rid] if ca[rid][k] != cb[rid].get(k)}
             for rid in ca if ca[rid] != cb[rid]}
    assert not diffs, f"{a.engine} vs {b.engine}: {diffs}"
    assert da == db


def without_places(dumped: Any) -> Any:
    """``dumped`` (checks, a result or a scorecard as plain data) without the samples' physical lines:
    a file record has one, a database row or a DataFrame row has none."""
    if isinstance(dumped, list):
        return [without_places(v) for v in dumped]
    if isinstance(dumped, dict):
        if "samples" in dumped and isinstance(dumped["samples"], list):
            dumped = {**dumped, "samples": [{k: v for k, v in s.items() if k not in ("line", "repeats_line")}
                                            for s in dumped["samples"]]}
        return {k: without_places(v) for k, v in dumped.items()}
    return dumped
