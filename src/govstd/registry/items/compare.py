"""Two regions' catalogues side by side, by national item (``govstd registry compare-items A B``).

Each active item of region A or B gets its national item code (``crosswalk``: the crosswalk's mapping
of its implementation code, else of its basic code, else the basic code itself). Grouped by that code,
in SQL, four findings come out:

- ``only_in_a`` / ``only_in_b`` — a national item one region's catalogue lacks;
- ``coded_differently`` — in both, but the sets of basic codes (基本编码) differ (implementation codes
  always differ between regions — they carry the implementing body — so they are not compared);
- ``names_differ`` — in both, but the sets of item names (事项名称) differ. Names are compared as
  written (after trimming): ``（县级）`` against ``(县级)`` is a difference a steward should see.

An item can be both coded and named differently. The findings come from one grouped pass over the
two regions' items (``GROUP BY`` national code; two sets agree when each side's count of distinct
values equals the count over both sides), which yields the counts and one page of each finding in
one statement. The page's details — at most 4 × ``limit`` national items — are then fetched through
the code indexes (the items carrying those codes or the crosswalk's local codes for them), not by a
second pass over the regions. Never a Python loop over items; the lists are sorted by national code
and paged with ``limit`` / ``offset`` per finding.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Engine

from govstd.errors import InputError
from govstd.registry.items.crosswalk import current_id, national_code_sql, national_joins
from govstd.registry.items.lookup import region_range
from govstd.registry.items.tables import crosswalk_codes, crosswalks, releases

FINDINGS = ("only_in_a", "only_in_b", "coded_differently", "names_differ")


class NationalItem(BaseModel):
    """One national item as the two regions have it (sorted distinct basic codes and names)."""

    national_code: str
    national_name: str | None = None
    basic_codes_a: list[str]
    basic_codes_b: list[str]
    names_a: list[str]
    names_b: list[str]


class ItemComparison(BaseModel):
    """What ``compare_items`` found: counts of every finding, and one page of each."""

    region_a: str
    region_b: str
    release: int | None
    crosswalk: int | None
    limit: int
    offset: int
    counts: dict[str, int]
    only_in_a: list[NationalItem]
    only_in_b: list[NationalItem]
    coded_differently: list[NationalItem]
    names_differ: list[NationalItem]


def _keyed(cid: int | None, only: str = "") -> str:
    """Each active item of either region: its side, national code ``k``, basic code and name."""
    return f"""keyed AS (
      SELECT CASE WHEN i.region >= :a_lo AND i.region < :a_hi THEN 'a' ELSE 'b' END AS side,
             {national_code_sql(cid)} AS k, i.basic_code, i.name
      FROM catalogue_items i{national_joins(cid)}
      WHERE i.retired_release IS NULL{only}
        AND ((i.region >= :a_lo AND i.region < :a_hi) OR (i.region >= :b_lo AND i.region < :b_hi)))"""


def _agree(column: str) -> str:
    """1 when both sides' sets of ``column`` are equal: |A| + |B| (distinct side-tagged values) = 2 |A ∪ B|
    (each of |A|, |B| is at most |A ∪ B|, so only equal sets reach it; both sides non-empty)."""
    return f"CASE WHEN COUNT(DISTINCT side || {column}) = 2 * COUNT(DISTINCT {column}) THEN 1 ELSE 0 END"


# One pass: per national item, whether each side has it and whether both sides' sets of basic codes and
# of names agree. ``grouped`` is read once (crossed with the four findings: SQLite re-evaluated it
# for each of three UNION ALL arms), ``findings`` twice (the page with each row's rank, the counts with
# k NULL): both engines materialise a CTE read twice, so the items are read once.
_FINDINGS = f""",
    grouped AS (
      SELECT k, MAX(CASE WHEN side = 'a' THEN 1 ELSE 0 END) AS has_a,
             MAX(CASE WHEN side = 'b' THEN 1 ELSE 0 END) AS has_b,
             {_agree('basic_code')} AS codes_agree, {_agree('name')} AS names_agree
      FROM keyed GROUP BY k),
    kinds (finding) AS (VALUES ('only_in_a'), ('only_in_b'), ('coded_differently'), ('names_differ')),
    findings AS (
      SELECT g.k, f.finding FROM grouped g CROSS JOIN kinds f
      WHERE CASE f.finding WHEN 'only_in_a' THEN g.has_b = 0 WHEN 'only_in_b' THEN g.has_a = 0
                 WHEN 'coded_differently' THEN g.has_a = 1 AND g.has_b = 1 AND g.codes_agree = 0
                 ELSE g.has_a = 1 AND g.has_b = 1 AND g.names_agree = 0 END)
    SELECT finding, k, rn AS n FROM (
      SELECT finding, k, ROW_NUMBER() OVER (PARTITION BY finding ORDER BY k) AS rn FROM findings) p
      WHERE rn > :offset AND rn <= :offset + :limit
    UNION ALL SELECT finding, NULL, COUNT(*) FROM findings GROUP BY finding"""

# The page's items: those whose basic code is a page key, or whose basic or implementation code the
# crosswalk maps to one (a superset of the page's items, found by index; ``k IN :keys`` keeps the page's).
_OWN = " AND (i.basic_code IN :keys"
_MAPPED = """ OR i.id IN (SELECT x.id FROM catalogue_crosswalk_codes m JOIN catalogue_items x
                                ON x.{column} = m.local_code
                              WHERE m.crosswalk_id = {cid} AND m.national_code IN :keys)"""


def _page_items(cid: int | None) -> str:
    only = _OWN
    if cid is not None:
        only += "".join(_MAPPED.format(column=c, cid=int(cid)) for c in ("implementation_code", "basic_code"))
    return f"WITH {_keyed(cid, only + ')')} SELECT DISTINCT side, k, basic_code, name FROM keyed WHERE k IN :keys"


def _ranges(region_a: str, region_b: str) -> dict[str, str]:
    (a_lo, a_hi), (b_lo, b_hi) = region_range(region_a), region_range(region_b)
    if a_lo < b_hi and b_lo < a_hi:
        raise InputError(f"regions {region_a} and {region_b} overlap: one lies within the other",
                         field="region", expected="two regions neither of which contains the other")
    return {"a_lo": a_lo, "a_hi": a_hi, "b_lo": b_lo, "b_hi": b_hi}


def compare_items(engine: Engine, region_a: str, region_b: str, *, limit: int = 50,
                  offset: int = 0) -> ItemComparison:
    """Region A's catalogue against region B's by national item: counts and one page of each finding."""
    params: dict[str, object] = {**_ranges(region_a, region_b), "limit": limit, "offset": offset}
    with engine.connect() as conn:
        cid = current_id(conn)
        counts: dict[str, int] = {}
        ranked: list[tuple[str, int, str]] = []
        for finding, k, n in conn.execute(text(f"WITH {_keyed(cid)}{_FINDINGS}"), params).all():
            if k is None:  # a count row
                counts[finding] = int(n)
            else:  # a page row, ``n`` its rank in the database's order of national codes
                ranked.append((finding, int(n), k))
        page = [(finding, k) for finding, _, k in sorted(ranked)]
        keys = sorted({k for _, k in page})
        details: list[tuple[str, str, str, str]] = []
        names: dict[str, str] = {}
        if keys:
            stmt = text(_page_items(cid)).bindparams(bindparam("keys", expanding=True))
            details = [(r[0], r[1], r[2], r[3]) for r in conn.execute(stmt, {**params, "keys": keys}).all()]
            if cid is not None:
                names = dict(conn.execute(
                    select(crosswalk_codes.c.national_code, func.max(crosswalk_codes.c.national_name))
                    .where(crosswalk_codes.c.crosswalk_id == cid, crosswalk_codes.c.national_code.in_(keys))
                    .group_by(crosswalk_codes.c.national_code)).all())
        release = conn.execute(select(func.max(releases.c.number)).where(releases.c.state == "complete")).scalar()
        number = conn.execute(select(crosswalks.c.number).where(crosswalks.c.id == cid)).scalar() if cid else None
    by_key = _assemble(keys, details, names)
    lists = {f: [by_key[k] for finding, k in page if finding == f] for f in FINDINGS}
    return ItemComparison(region_a=region_a, region_b=region_b, release=release, crosswalk=number, limit=limit,
                          offset=offset, counts={f: int(counts.get(f, 0)) for f in FINDINGS}, **lists)


def _assemble(keys: list[str], details: list[tuple[str, str, str, str]],
              names: dict[str, str]) -> dict[str, NationalItem]:
    """The page's items from their (side, key, basic code, name) rows — at most 4 × limit items."""
    sets: dict[str, dict[str, set[str]]] = {k: {"ca": set(), "cb": set(), "na": set(), "nb": set()} for k in keys}
    for side, k, basic, name in details:
        sets[k]["c" + side].add(basic)
        sets[k]["n" + side].add(name)
    return {k: NationalItem(national_code=k, national_name=names.get(k), basic_codes_a=sorted(s["ca"]),
                            basic_codes_b=sorted(s["cb"]), names_a=sorted(s["na"]), names_b=sorted(s["nb"]))
            for k, s in sets.items()}
