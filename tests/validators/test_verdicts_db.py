"""Verdicts on a PostgreSQL table of typed columns, judged from the outside: a department's database holds
birth dates as ``timestamp``, times as ``timestamptz``, mobile numbers as ``double precision`` and
identifiers as ``numeric`` — and its CSV export (``COPY``, or the same rows read from a file) must get
the verdict the table gets, whatever the server's ``TimeZone`` or ``DateStyle``.

The expected counts are reasoned here from docs/identifiers.md (typed columns are read as their export
holds them, ``readers.common.text_of``); each holds through the native kernel and the SQL path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import messy
import pytest
from stdnum.cn import ric

from govstd.validators.api import validate
from govstd.validators.results import ValidationResult

pytestmark = pytest.mark.postgres

BEIJING = dt.timezone(dt.timedelta(hours=8))



def dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")



def run(url: str, table: str) -> ValidationResult:
    return validate(url, messy.SCHEMA, table=table, today=messy.TODAY, service_items=messy.SERVICE_ITEMS)


#: The typed columns as a department's schema declares them; the rest are text.
TYPES = {"id_number": "numeric(18, 0)", "phone": "double precision", "birth_date": "timestamp",
         "amount": "numeric(12, 2)", "accept_time": "timestamptz", "finish_time": "timestamp(0)"}


def load_typed(url: str, table: str, n: int = 10, *, types: dict[str, str] = TYPES) -> list[dict[str, Any]]:
    """Valid rows (none with an ID ending in X: a numeric column cannot hold one) as typed values, with two
    defects: row 4's birth date has a time of day, and row 6 was finished at 08:30 Beijing time on the day
    it was accepted at 01:00 UTC = 09:00 Beijing time. Row 1 has no phone (NULL)."""
    import psycopg

    rows = [r for r in (messy.base_row(i) for i in range(3 * n)) if not r["id_number"].endswith("X")][:n]
    assert all(ric.calc_check_digit(r["id_number"]) == r["id_number"][17] for r in rows)  # python-stdnum
    values: list[dict[str, Any]] = []
    for i, r in enumerate(rows):
        v: dict[str, Any] = dict(r)
        v["id_number"] = int(r["id_number"])
        v["phone"] = None if i == 1 else float(r["phone"])
        v["birth_date"] = dt.datetime.fromisoformat(r["birth_date"]) + (dt.timedelta(hours=12) if i == 4 else
                                                                        dt.timedelta())
        v["accept_time"] = dt.datetime.fromisoformat(r["accept_time"]).replace(tzinfo=BEIJING)
        v["finish_time"] = dt.datetime.fromisoformat(r["finish_time"])
        values.append(v)
    values[6]["accept_time"] = dt.datetime(2024, 3, 7, 1, 0, tzinfo=dt.UTC)
    values[6]["finish_time"] = dt.datetime(2024, 3, 7, 8, 30)
    columns = ", ".join(f'"{c}" {types.get(c, "text")}' for c in messy.COLUMNS)
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{table}" ({columns})')  # type: ignore[arg-type]
        with conn.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:  # type: ignore[arg-type]
            for v in values:
                copy.write_row([v[c] for c in messy.COLUMNS])
    return values


EXPECTED = {"birth_date.type": 1, "rules.finish_after_accept": 1}


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_typed_columns_get_their_exports_verdict_in_any_server_time_zone(postgres_database: str, engine_path: str,
                                                                          zone: str) -> None:
    """A ``timestamp`` birth date at midnight is a date; a ``timestamptz`` is an instant shown in Beijing
    time (never in the server's zone); a ``double precision`` mobile number is its 11 digits (not
    13912345678.0, not 1.3912345678e+10); a ``numeric`` ID its 18 digits. Only the two real defects fail."""
    import psycopg

    with psycopg.connect(dsn(postgres_database), autocommit=True) as conn:
        name = postgres_database.rsplit("/", 1)[1]
        conn.execute(f"ALTER DATABASE \"{name}\" SET TimeZone = '{zone}'")  # type: ignore[arg-type]
        conn.execute(f"ALTER DATABASE \"{name}\" SET DateStyle = 'SQL, DMY'")  # type: ignore[arg-type]
    load_typed(postgres_database, "typed")
    result = run(postgres_database, "typed")
    assert messy.failed(result) == EXPECTED
    assert result.check("birth_date.type").details["breakdown"]["with_time"] == 1
    assert result.check("phone.format").evaluated == 9
    assert result.check("id_number.checksum").evaluated == 10
    assert result.check("rules.finish_after_accept").evaluated == 10


def test_a_real_column_lost_the_digits_of_a_mobile_number(postgres_database: str, engine_path: str) -> None:
    """``real`` (float4) keeps about 7 digits: 13912345678 is stored as 13912345600. The damage must show
    (as the server's own text 1.3912346e+10 shows it), never pass as a valid 11-digit number."""
    load_typed(postgres_database, "reals", types={**TYPES, "phone": "real"})
    assert messy.failed(run(postgres_database, "reals")) == {**EXPECTED, "phone.length": 9, "phone.excel_damage": 9}


def test_a_timestamp_before_the_common_era_stays_as_the_server_writes_it(postgres_database: str,
                                                                         engine_path: str) -> None:
    """A birth date BC (PostgreSQL writes ``1990-05-06 00:00:00 BC``) is no date of birth: read as written, it
    fails the type check — never read as the same day AD. An ``infinity`` timestamp, read as the word, fails it
    too (DuckDB's date parser took the word for 9999-12-31)."""
    import psycopg

    rows = load_typed(postgres_database, "odd")
    with psycopg.connect(dsn(postgres_database), autocommit=True) as conn:
        conn.execute("UPDATE odd SET birth_date = '1990-05-06 00:00:00 BC' WHERE id_number = %s",
                     (rows[9]["id_number"],))
        conn.execute("UPDATE odd SET birth_date = 'infinity' WHERE id_number = %s", (rows[8]["id_number"],))
    assert messy.failed(run(postgres_database, "odd")) == {**EXPECTED, "birth_date.type": 3}
