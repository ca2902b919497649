"""The PostgreSQL pushdown engine reads typed columns as the DuckDB engine's reader does.

The reader copies a table out as the server's text and shows typed columns by ``readers.common.text_of``
(a whole double is the number, a midnight timestamp its date, an instant in 北京时间); the pushdown engine
never copies the rows, so it spells the same rule in PostgreSQL's SQL (``engines.postgres_text``). Judged
two ways on a real throwaway cluster: value by value (the text each engine checks, over edge values a
department's table may hold) and verdict by verdict (the typed tables of ``test_verdicts_db``, whatever the
server's ``TimeZone`` or ``DateStyle``).
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import messy
import pytest
from test_verdicts_db import EXPECTED, TYPES, dsn, load_typed

from govstd.validators.api import validate
from govstd.validators.engines import postgres as pg_engine
from govstd.validators.engines.base import SourceOptions
from govstd.validators.readers import open_source
from govstd.validators.results import ValidationResult

pytestmark = pytest.mark.postgres

#: One column per typed kind, and the values each holds: the edges of every rendering rule.
EDGES: dict[str, tuple[str, list[Any]]] = {
    "d8": ("double precision", [13912345678.0, 0.0, -0.0, 123.25, -0.5, 0.0001, 0.00012, 1e-5, 1.5e-5,
                                999999999999999.0, 1e15, 1234567890123456.8, -1234567890123456.0, 1e16, 1.2345e16,
                                1.1010119900307851e17, 1e22, 1e300, 5e-324, 1.7976931348623157e308, 123456789.5,
                                math.nan, math.inf, -math.inf, None]),
    "f4": ("real", [13912345678.0, 16777215.0, 16777216.0, 16777218.0, 1234567.5, 123456.5, 0.1, 1e-5, 3.4e38,
                    1e15, 1e16, 99999999.0, -2.5, math.nan, math.inf, -math.inf, None]),
    "ts": ("timestamp", ["1990-05-06 00:00:00", "1990-05-06 08:30:00", "2024-03-07 08:30:00.12",
                         "2024-03-07 23:59:59.999999", "0990-05-06 00:00:00", "0001-01-01 00:00:00",
                         "0044-03-15 00:00:00 BC", "0044-03-15 12:00:00 BC", "10000-01-01 00:00:00",
                         "infinity", "-infinity", None]),
    "tz": ("timestamptz", ["1990-05-05 16:00:00+00", "1990-05-06 00:00:00+08", "2024-03-07 01:00:00+00",
                           "2024-03-06 23:30:00-05", "2024-03-07 08:30:00.5+08", "0044-03-15 00:00:00+00 BC",
                           "infinity", "-infinity", None]),
    "dt": ("date", ["1990-05-06", "0990-05-06", "0044-03-15 BC", "10000-01-01", "infinity", None]),
    "nm": ("numeric", ["110105194912310021", "1.50", "0.000", "-12.5", "1e3", "NaN", None]),
}


def _edge_table(url: str) -> int:
    """Table ``edges``: each column's values from row 1 down, the shorter columns padded with NULL."""
    import psycopg

    rows = max(len(values) for _, values in EDGES.values())
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE edges (" + ", ".join(f"{c} {t}" for c, (t, _) in EDGES.items()) + ")")
        with conn.cursor().copy(f"COPY edges ({', '.join(EDGES)}) FROM STDIN") as copy:
            for i in range(rows):
                copy.write_row([values[i] if i < len(values) else None for _, values in EDGES.values()])
    return rows


def _pushdown_text(url: str, tmp_path: Path, columns: Sequence[str] = tuple(EDGES)) -> list[tuple[Any, ...]]:
    """The text the pushdown engine checks of table ``edges``, in row order."""
    options = SourceOptions(expected_columns=list(columns), text_columns=[], workdir=tmp_path, table="edges")
    with pg_engine.open_data(url, options) as opened:
        engine = opened.engine({c: c for c in columns})
        assert isinstance(engine, pg_engine.PostgresEngine)
        rows = engine.fetch_all(f"SELECT {', '.join(columns)} FROM {engine.numbered()} ORDER BY __govstd_row")
    return [tuple(r[c] for c in columns) for r in rows]


def _copied_out_text(url: str, tmp_path: Path, columns: Sequence[str] = tuple(EDGES)) -> list[tuple[Any, ...]]:
    """The text the DuckDB engine's reader copies out of table ``edges``, in row order."""
    con = duckdb.connect()
    loaded = open_source(con, url, workdir=tmp_path, table="edges")
    return con.execute(f"SELECT {', '.join(columns)} FROM {loaded.numbered} ORDER BY {loaded.row_column}").fetchall()


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_each_typed_value_reads_as_the_copied_out_text(postgres_database: str, tmp_path: Path, zone: str) -> None:
    """Every edge value of every typed kind is the same text in both engines, whatever the server's zone,
    date style and float digits (a department's defaults), and a few are pinned to what ``text_of`` gives."""
    import psycopg

    with psycopg.connect(dsn(postgres_database), autocommit=True) as conn:
        name = postgres_database.rsplit("/", 1)[1]
        for setting, value in (("TimeZone", zone), ("DateStyle", "SQL, DMY"), ("extra_float_digits", "-3")):
            conn.execute(f"ALTER DATABASE \"{name}\" SET {setting} = '{value}'")  # type: ignore[arg-type]
    rows = _edge_table(postgres_database)
    pushed, copied = _pushdown_text(postgres_database, tmp_path), _copied_out_text(postgres_database, tmp_path)
    assert len(pushed) == len(copied) == rows
    for i, (p, c) in enumerate(zip(pushed, copied, strict=True)):
        assert p == c, (i, dict(zip(EDGES, p, strict=True)), dict(zip(EDGES, c, strict=True)))
    column = {c: [r[j] for r in pushed] for j, c in enumerate(EDGES)}
    # Outside the engines, what the rule says (readers.common.text_of): Python's repr is DuckDB's float text.
    assert column["d8"][:3] == ["13912345678", "0", "0"] and column["d8"][11] == repr(1234567890123456.8)
    assert column["d8"][21:24] == ["nan", "inf", "-inf"]
    assert column["f4"][0] == "13912346000.0" and column["f4"][1] == "16777215" and column["f4"][3] == "16777218.0"
    assert column["ts"][:3] == ["1990-05-06", "1990-05-06 08:30:00", "2024-03-07 08:30:00.12"]
    assert column["ts"][6] == "0044-03-15 00:00:00 BC" and column["ts"][9] == "infinity"
    assert column["tz"][:4] == ["1990-05-06", "1990-05-06", "2024-03-07 09:00:00", "2024-03-07 12:30:00"]
    assert column["dt"][0] == "1990-05-06" and column["nm"][0] == "110105194912310021"


def _counts(result: ValidationResult) -> dict[str, tuple[int, int]]:
    return {c.rule_id: (c.evaluated, c.failed) for c in result.checks}


def _both(url: str, table: str) -> tuple[ValidationResult, ValidationResult]:
    def run(engine: str) -> ValidationResult:
        return validate(url, messy.SCHEMA, table=table, engine=engine, today=messy.TODAY,
                        service_items=messy.SERVICE_ITEMS)

    return run("postgres"), run("duckdb")


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_typed_columns_get_the_same_verdicts_pushed_down_and_copied_out(postgres_database: str, zone: str) -> None:
    """``test_verdicts_db``'s table (``timestamp`` birth dates, ``timestamptz`` instants, ``double precision``
    phones, ``numeric`` IDs) under a department's server settings: only its two defects fail, on both engines,
    and every check evaluates and fails the same rows."""
    import psycopg

    with psycopg.connect(dsn(postgres_database), autocommit=True) as conn:
        name = postgres_database.rsplit("/", 1)[1]
        conn.execute(f"ALTER DATABASE \"{name}\" SET TimeZone = '{zone}'")  # type: ignore[arg-type]
        conn.execute(f"ALTER DATABASE \"{name}\" SET DateStyle = 'SQL, DMY'")  # type: ignore[arg-type]
    load_typed(postgres_database, "typed")
    pushed, copied = _both(postgres_database, "typed")
    assert pushed.engine == "postgres"
    assert messy.failed(pushed) == EXPECTED
    assert _counts(pushed) == _counts(copied)
    assert pushed.check("birth_date.type").details["breakdown"]["with_time"] == 1


def test_a_real_column_that_lost_digits_fails_pushed_down_as_copied_out(postgres_database: str) -> None:
    """A ``real`` phone (13912345678 stored as 13912345600) is damage on both engines, and a birth date
    before the common era or ``infinity`` is no date on both."""
    import psycopg

    rows = load_typed(postgres_database, "reals", types={**TYPES, "phone": "real", "birth_date": "timestamptz"})
    with psycopg.connect(dsn(postgres_database), autocommit=True) as conn:
        conn.execute("UPDATE reals SET birth_date = '1990-05-06 00:00:00+00 BC' WHERE id_number = %s",
                     (rows[9]["id_number"],))
        conn.execute("UPDATE reals SET birth_date = 'infinity' WHERE id_number = %s", (rows[8]["id_number"],))
    pushed, copied = _both(postgres_database, "reals")
    assert messy.failed(pushed)["phone.excel_damage"] == 9
    assert _counts(pushed) == _counts(copied)


def _random_floats(seed: int, n: int) -> list[float]:
    """Doubles of every magnitude: random bit patterns (finite ones), decimals from 1e-7 to 1e20, whole
    numbers about 10**15 (where PostgreSQL's and DuckDB's float text part)."""
    rnd = random.Random(seed)
    bits = (struct.unpack("<d", rnd.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(n))
    decimals = (round(rnd.uniform(-1, 1) * 10 ** rnd.randint(-7, 20), rnd.randint(0, 8)) for _ in range(n))
    whole = (float(rnd.randint(10**14, 10**17)) for _ in range(n))
    return [v for v in (*bits, *decimals, *whole) if math.isfinite(v)]


def test_random_doubles_read_as_the_copied_out_text(postgres_database: str, tmp_path: Path) -> None:
    """Thousands of doubles: the text the pushdown engine checks is the reader's, and what ``text_of`` says —
    the whole number below 10**15, else Python's ``repr`` (DuckDB's float text). The same values as ``real``:
    the same float32 in both, the same shape (a whole number's digits, or not), so the same verdict. (Known
    residue: DuckDB does not always print a float32's shortest digits — ``-1761468.25`` where PostgreSQL and
    numpy write ``-1761468.2`` — and the pushdown engine prints the shortest: a rare last digit of a sample.)"""
    import numpy as np
    import psycopg

    values = _random_floats(2260, 1000)
    with psycopg.connect(dsn(postgres_database), autocommit=True) as conn:
        conn.execute("CREATE TABLE edges (d8 double precision, f4 real)")
        with conn.cursor().copy("COPY edges (d8, f4) FROM STDIN") as copy:
            for v in values:
                copy.write_row([v, v if v == 0 or 1e-37 < abs(v) < 3.4e38 else None])  # float4's normal range
    pushed = _pushdown_text(postgres_database, tmp_path, ("d8", "f4"))
    copied = _copied_out_text(postgres_database, tmp_path, ("d8", "f4"))
    expected = [str(int(v)) if v == math.trunc(v) and abs(v) < 1e15 else repr(v) for v in values]
    assert [r[0] for r in pushed] == [r[0] for r in copied] == expected
    reals = [(p[1], c[1]) for p, c in zip(pushed, copied, strict=True) if c[1] is not None]
    assert len(reals) > 2000 and all(p is not None and np.float32(p) == np.float32(c) for p, c in reals)
    assert all(p.isdigit() == c.isdigit() and p.lstrip("-").isdigit() == c.lstrip("-").isdigit() for p, c in reals)
    assert sum(p == c for p, c in reals) > 0.95 * len(reals)
