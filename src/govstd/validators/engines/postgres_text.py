"""A PostgreSQL typed column as text, inside PostgreSQL: the text the DuckDB engine's reader shows for it.

The reader copies a table out as the server's text and reads typed columns back through
``readers.common.text_of_rendered`` (a whole double below 10**15 is the number, a timestamp at midnight its
date, an instant in 北京时间, any other float as DuckDB prints it). The pushdown engine never copies the
rows out, so the same rule is spelled here in PostgreSQL's SQL, for the same session settings
(``databases.SESSION``: ISO dates, UTC instants, shortest-exact floats) — the two engines then check the
same text and give the same verdicts. ``date``, ``numeric`` and every other type are their server text
in both.

Known residue: a ``real`` that is not a whole number below 2**24 is written with its shortest float32
digits, and DuckDB now and then prints one digit more (``-1761468.25`` for ``-1761468.2``): the same value
and the same verdict (neither is a whole number's digits), a sample's last digit apart.
"""

from __future__ import annotations

from govstd.validators.readers.common import BEIJING_UTC_OFFSET, EXACT_WHOLE

#: The temporary function showing a float's shortest-exact server text as DuckDB prints the same value
#: (Python's ``repr``: positional from 1e-4 to below 1e16, with ``.0`` when whole; else ``1.5e+16``,
#: ``1e-05``; ``nan``, ``inf``). PostgreSQL writes the same digits but switches to an exponent at 1e15
#: (float8) or 1e6 (float4) and writes ``NaN`` and ``Infinity``.
FLOAT_TEXT = "pg_temp.govstd_float_text"

FLOAT_TEXT_FUNCTION = rf"""CREATE OR REPLACE FUNCTION {FLOAT_TEXT}(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $govstd$
SELECT CASE
  WHEN t = 'NaN' THEN 'nan' WHEN t = 'Infinity' THEN 'inf' WHEN t = '-Infinity' THEN '-inf'
  WHEN d = '' THEN s || '0.0'
  WHEN e BETWEEN -4 AND 15 AND e >= 0
    THEN s || rpad(substr(d, 1, e + 1), e + 1, '0') || '.' || COALESCE(NULLIF(substr(d, e + 2), ''), '0')
  WHEN e BETWEEN -4 AND 15 THEN s || '0.' || repeat('0', -e - 1) || d
  ELSE s || substr(d, 1, 1) || CASE WHEN length(d) > 1 THEN '.' || substr(d, 2) ELSE '' END
       || 'e' || CASE WHEN e < 0 THEN '-' ELSE '+' END || CASE WHEN abs(e) < 10 THEN '0' ELSE '' END || abs(e)
END
FROM (SELECT m[1] AS s, rtrim(ltrim(m[2] || COALESCE(m[3], ''), '0'), '0') AS d,
             length(m[2]) + COALESCE(m[4]::int, 0) - 1
             - (length(m[2] || COALESCE(m[3], '')) - length(ltrim(m[2] || COALESCE(m[3], ''), '0'))) AS e
      FROM (SELECT regexp_match(t, '^(-?)([0-9]+)(?:\.([0-9]+))?(?:e([+-][0-9]+))?$') AS m) AS parsed) AS parts
$govstd$"""

#: The temporary function giving a double's shortest round-trip digits as the server's text: PostgreSQL writes
#: some whole doubles past 2**53 with a digit or two more than read back as the same double
#: (``2.4405507912583718e+17`` for Python's and DuckDB's ``2.440550791258372e+17``). Where the server wrote
#: 16 digits or more, each shorter rounding is tried and the shortest that reads back as the value kept
#: (only from 1 to 1e308: no rounding there leaves a double's range, and no infinity becomes a numeric,
#: which PostgreSQL before 14 refuses).
SHORTEST = "pg_temp.govstd_shortest"

SHORTEST_FUNCTION = rf"""CREATE OR REPLACE FUNCTION {SHORTEST}(x float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $govstd$
SELECT CASE
  WHEN x IN ('NaN', 'Infinity', '-Infinity') OR NOT abs(x) BETWEEN 1 AND 1e308 OR written < 16 THEN t
  ELSE COALESCE((SELECT c FROM (SELECT round(n, digits - 1 - e) AS c, digits FROM generate_series(1, written - 1)
                                AS digits) AS tried WHERE CAST(c AS float8) = x ORDER BY digits LIMIT 1)::text, t)
END
FROM (SELECT CAST(x AS text) AS t, CASE WHEN abs(x) BETWEEN 1 AND 1e308 THEN CAST(CAST(x AS text) AS numeric) END AS n,
             length(regexp_replace(CAST(x AS text), 'e.*$|[^0-9]', '', 'g')) AS written,
             CASE WHEN abs(x) BETWEEN 1 AND 1e308 THEN floor(log(abs(CAST(CAST(x AS text) AS numeric))))::int
                  ELSE 0 END AS e) AS v
$govstd$"""

#: PostgreSQL type names (``psycopg.postgres.types``) whose text differs from the reader's; the float width
#: in bits, or 0 for a timestamp.
TYPED = {"float8": 64, "float4": 32, "timestamp": 0, "timestamptz": 0}


def as_text(column: str, type_name: str | None) -> str:
    """SQL showing ``column``, of PostgreSQL type ``type_name``, as the reader shows it (module docstring)."""
    if type_name in ("float8", "float4"):
        limit = EXACT_WHOLE[TYPED[type_name]]
        server = f"{SHORTEST}({column})" if type_name == "float8" else f"CAST({column} AS TEXT)"
        return (f"CASE WHEN {column} NOT IN ('NaN', 'Infinity', '-Infinity') AND {column} = trunc({column}) "
                f"AND abs({column}) < {limit} THEN CAST(CAST({column} AS BIGINT) AS TEXT) "
                f"ELSE {FLOAT_TEXT}({server}) END")
    if type_name == "timestamp":
        return _timestamp(column, column, column)
    if type_name == "timestamptz":
        utc = f"({column} AT TIME ZONE 'UTC')"
        return _timestamp(column, utc, f"({utc} + INTERVAL '{BEIJING_UTC_OFFSET} hours')")
    return f"CAST({column} AS TEXT)"


def _timestamp(column: str, utc: str, wall: str) -> str:
    """A timestamp at midnight (of ``wall``, its time of day as shown) as its date. An infinite one, or one
    before year 1 in the server's text (``… BC``, the reader keeps it as written), is the server's text."""
    return (f"CASE WHEN NOT isfinite({column}) OR {utc} < TIMESTAMP '0001-01-01' THEN CAST({column} AS TEXT) "
            f"WHEN CAST({wall} AS TIME) = TIME '00:00' THEN CAST(CAST({wall} AS DATE) AS TEXT) "
            f"ELSE CAST({wall} AS TEXT) END")
