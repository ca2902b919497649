"""Two regions' catalogues side by side, by national item (``govstd registry compare-items A B``).

Each active item of region A or B gets its national item code (``crosswalk``: the crosswalk's mapping
of its implementation code, else of its basic code, else the basic code itself). Grouped by that code,
in SQL, four findings come out:

- ``only_in_a`` / ``only_in_b`` — a national item one region's catalogue lacks;
- ``coded_differently`` — in both, but the sets of basic codes (基本编码) differ (implementation codes
  always differ between regions — they carry the implementing body — so they are not compared);
- ``names_differ`` — in both, but the sets of item names (事项名称) differ. Names are compared as
  written (after trimming): ``（县级）`` against ``(县级)`` is a difference a steward should see.

An item can be both coded and named differently. Every step is a set operation (GROUP BY over the two
regions' items, one pass each for the counts, the page and the page's details), never a Python loop
over items; the lists are sorted by national code and paged with ``limit`` / ``offset`` per finding.
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


def _keyed(cid: int | None) -> str:
    return f"""keyed AS (
      SELECT CASE WHEN i.region >= :a_lo AND i.region < :a_hi THEN 'a' ELSE 'b' END AS side,
             {national_code_sql(cid)} AS k, i.basic_code, i.name
      FROM catalogue_items i{national_joins(cid)}
      WHERE i.retired_release IS NULL
        AND ((i.region >= :a_lo AND i.region < :a_hi) OR (i.region >= :b_lo AND i.region < :b_hi)))"""


# Per (item, value): present in a, in b; per item: present at all in a / b, and whether every value is in
# both (MIN of in_a * in_b). Then the findings, one row per item and finding.
_FINDINGS = """,
    codes AS (SELECT k, basic_code AS v, MAX(CASE WHEN side = 'a' THEN 1 ELSE 0 END) AS in_a,
                     MAX(CASE WHEN side = 'b' THEN 1 ELSE 0 END) AS in_b FROM keyed GROUP BY k, basic_code),
    names AS (SELECT k, name AS v, MAX(CASE WHEN side = 'a' THEN 1 ELSE 0 END) AS in_a,
                     MAX(CASE WHEN side = 'b' THEN 1 ELSE 0 END) AS in_b FROM keyed GROUP BY k, name),
    by_code AS (SELECT k, MAX(in_a) AS has_a, MAX(in_b) AS has_b, MIN(in_a * in_b) AS agree FROM codes GROUP BY k),
    by_name AS (SELECT k, MIN(in_a * in_b) AS agree FROM names GROUP BY k),
    findings AS (
      SELECT k, 'only_in_a' AS finding FROM by_code WHERE has_b = 0
      UNION ALL SELECT k, 'only_in_b' FROM by_code WHERE has_a = 0
      UNION ALL SELECT k, 'coded_differently' FROM by_code WHERE has_a = 1 AND has_b = 1 AND agree = 0
      UNION ALL SELECT n.k, 'names_differ' FROM by_name n JOIN by_code c ON c.k = n.k
                WHERE c.has_a = 1 AND c.has_b = 1 AND n.agree = 0)"""


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
        head = "WITH " + _keyed(cid) + _FINDINGS
        by_finding = text(f"{head} SELECT finding, COUNT(*) FROM findings GROUP BY finding")
        counts: dict[str, int] = dict(conn.execute(by_finding, params).all())
        page = conn.execute(text(f"""{head} SELECT finding, k FROM (
            SELECT finding, k, ROW_NUMBER() OVER (PARTITION BY finding ORDER BY k) AS rn FROM findings) p
            WHERE rn > :offset AND rn <= :offset + :limit ORDER BY finding, k"""), params).all()
        keys = sorted({k for _, k in page})
        details: list[tuple[str, str, str, str]] = []
        names: dict[str, str] = {}
        if keys:
            stmt = text(f"WITH {_keyed(cid)} SELECT DISTINCT side, k, basic_code, name FROM keyed WHERE k IN :keys"
                        ).bindparams(bindparam("keys", expanding=True))
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
