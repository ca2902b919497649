"""The service-item catalogue on real SQLite and PostgreSQL: import with a fix list, a second release's
diff, lookups, a killed import resumed, and the referential check in the engine.

Oracles are computed here from the generated files with pyarrow and plain Python sets, never from
the tables under test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from benchmarks.items import generate, generate_department_file
from sqlalchemy import func, select

from govstd.errors import InputError
from govstd.registry.items.tables import items, releases
from govstd.registry.store import Registry
from govstd.standards.numbers import service_item

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "benchmarks" / "items_schema.yaml"


@pytest.fixture
def reg(registry_url: str) -> Iterator[Registry]:
    with Registry(registry_url, create=True) as r:
        yield r


def _records(path: Path) -> list[dict[str, str | None]]:
    if path.suffix == ".csv":
        import pyarrow.csv as pcsv

        table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(strings_can_be_null=True, column_types={
            c: "string" for c in ("实施编码", "基本编码", "事项类型", "行使层级", "行政区划", "实施主体编码")}))
    else:
        table = pq.read_table(path)
    return table.to_pylist()  # type: ignore[no-any-return]


def _expected(path: Path) -> dict[str, dict[str, str | None]]:
    """Implementation code → record: valid codes, first occurrence wins (the import's promise)."""
    out: dict[str, dict[str, str | None]] = {}
    for rec in _records(path):
        code = rec["实施编码"]
        if code and service_item.is_valid(code, kind="implementation") and code not in out:
            # A record whose code embeds another basic code than its 基本编码 column is refused.
            embedded = (service_item.match_layout(code) or ("", {}))[1].get("basic_code")
            if embedded in (None, rec["基本编码"]):
                out[code] = rec
    return out


def test_import_with_rejected_rows(reg: Registry, tmp_path: Path) -> None:
    src = generate(tmp_path / "r1.csv", 3000, defects=True)
    total = len(_records(src))
    expected = _expected(src)
    report = reg.import_items(src, actor="test", chunk_rows=700)
    assert report.rows_read == total
    assert report.staged == len(expected) == report.added
    assert report.rejected == total - len(expected) > 0
    with reg.engine.connect() as conn:
        codes = set(conn.execute(select(items.c.implementation_code)).scalars())
    assert codes == set(expected)
    fix = (tmp_path / "r1.fixlist.csv").read_text("utf-8").splitlines()
    assert fix[0] == "row,implementation_code,reason"
    assert len(fix) - 1 == report.rejected
    assert any("duplicate implementation code" in line for line in fix)
    assert any("matches no known implementation code layout" in line for line in fix)
    assert any("implementation code (实施编码) is empty" in line for line in fix)
    assert any("embeds basic code" in line for line in fix)


def test_second_release_diff(reg: Registry, tmp_path: Path) -> None:
    r1, r2 = generate(tmp_path / "r1.parquet", 2500), generate(tmp_path / "r2.parquet", 2500, release=2)
    one, two = _expected(r1), _expected(r2)
    reg.import_items(r1, actor="test")
    report = reg.import_items(r2, actor="test", message="second")
    changed = {c for c in set(one) & set(two) if one[c] != two[c]}
    diff = reg.catalogue_diff(2)
    assert set(diff["added"]) == set(two) - set(one)
    assert set(diff["retired"]) == set(one) - set(two)
    assert set(diff["changed"]) == changed and changed
    assert (report.added, report.changed, report.retired) == (len(diff["added"]), len(changed), len(diff["retired"]))
    assert report.unchanged == len(two) - report.added - report.changed
    retired = diff["retired"][0]
    assert reg.find_items(retired) == []
    assert reg.find_items(retired, include_retired=True)[0].retired_release == 2
    # Importing the same file again: a release with an empty diff.
    again = reg.import_items(r2, actor="test")
    assert (again.release, again.added, again.changed, again.retired) == (3, 0, 0, 0)


def test_lookups(reg: Registry, tmp_path: Path) -> None:
    src = generate(tmp_path / "r1.parquet", 3000)
    recs = list(_expected(src).values())
    reg.import_items(src, actor="test")
    first = recs[5]
    assert [i.implementation_code for i in reg.find_items(first["实施编码"])] == [first["实施编码"]]
    by_basic = {r["实施编码"] for r in recs if r["基本编码"] == first["基本编码"]}
    assert {i.implementation_code for i in reg.find_items(first["基本编码"], limit=1000)} == by_basic
    for text in ("食品经营许可", "婚姻"):  # trigram FTS (3+ characters) and the short-query scan
        want = {r["实施编码"] for r in recs if text in (r["事项名称"] or "")}
        assert {i.implementation_code for i in reg.find_items(name=text, limit=10_000)} == want and want
    dept = {r["实施编码"] for r in recs if r["部门"] == "民政局"}
    assert {i.implementation_code for i in reg.find_items(department="民政局", limit=10_000)} == dept
    prov = first["行政区划"][:2] + "0000"
    want = {r["实施编码"] for r in recs if r["行政区划"].startswith(prov[:2])}
    assert {i.implementation_code for i in reg.find_items(region=prov, limit=10_000)} == want
    assert reg.item(first["实施编码"].lower()) is not None  # compacted like the validators compact it
    with pytest.raises(InputError, match="NUL"):  # FTS5 and PostgreSQL would fail on it, not refuse it
        reg.find_items(name="00\x00")


def test_kill_and_resume(registry_url: str, tmp_path: Path) -> None:
    src = generate(tmp_path / "r1.parquet", 4000, defects=True)
    expected = _expected(src)
    Registry(registry_url, create=True).close()
    code = f"""
from govstd.registry.store import Registry
Registry({registry_url!r}).import_items({str(src)!r}, actor="killed", chunk_rows=300)"""
    env = {**os.environ, "GOVSTD_TEST_IMPORT_HOLD": "0.3", "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    reg = Registry(registry_url)
    try:
        deadline = time.monotonic() + 60
        read = 0
        while read < 900 and time.monotonic() < deadline:
            time.sleep(0.1)
            with reg.engine.connect() as conn:
                read = conn.execute(select(func.max(releases.c.rows_read))).scalar() or 0
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 900 <= read < 4000
        report = reg.import_items(src, actor="resumed", chunk_rows=300)
        assert report.release == 1 and report.resumed_from >= 900
        assert report.staged == len(expected)
        with reg.engine.connect() as conn:
            distinct_codes = func.count(items.c.implementation_code.distinct())
            count, distinct = conn.execute(select(func.count(), distinct_codes)).one()
        assert count == distinct == len(expected)
        assert report.rejected == len(_records(src)) - len(expected)
    finally:
        reg.close()


def test_referential_check_in_engine(reg: Registry, tmp_path: Path) -> None:
    from govstd.validators.api import validate

    r1, r2 = generate(tmp_path / "r1.parquet", 2000), generate(tmp_path / "r2.parquet", 2000, release=2)
    reg.init(actor="test")
    reg.import_items(r1, actor="test")
    reg.import_items(r2, actor="test")
    data = generate_department_file(tmp_path / "dept.parquet", 6000, r1)  # r1's codes: some retired since
    one, two = _expected(r1), _expected(r2)
    active = set(two) | {r["基本编码"] for r in two.values()}
    retired = (set(one) | {r["基本编码"] for r in one.values()}) - active
    codes = pq.read_table(data)["sxbm"].to_pylist()
    result = validate(data, SCHEMA, registry=reg, sample_size=0)
    check = next(c for c in result.checks if c.rule_id == "rules.item_registered")
    assert check.failed == sum(c not in active for c in codes)
    assert check.details["breakdown"]["retired"] == sum(c in retired for c in codes) > 0
    assert check.failed > check.details["breakdown"]["retired"]  # unknown codes too, reported apart


def test_cli_import_and_find(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "reg.sqlite"
    Registry(str(db), create=True).close()
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,名称\n1,x\n", encoding="utf-8")
    out = cli("registry", "--registry", str(db), "import-items", str(bad))
    assert out.code == 2 and "bad.csv:1: no column for implementation_code" in out.err
    src = generate(tmp_path / "r1.csv", 500)
    out = cli("registry", "--registry", str(db), "import-items", str(src), "--json")
    assert out.code == 0 and '"release": 1' in out.out
    code = next(iter(_expected(src)))
    out = cli("registry", "--registry", str(db), "show", code, "--json")
    assert out.code == 0 and f'"implementation_code": "{code}"' in out.out
    out = cli("registry", "--registry", str(db), "find-item", "--name", "婚姻登记", "--json")
    assert out.code == 0 and "婚姻登记" in out.out


def test_lookup_pages_and_combined_criteria(reg: Registry, tmp_path: Path) -> None:
    """Pages of a search put together are the whole list (a region search in region order, county by
    county), and a name combined with a code, region or department finds what Python's sets say."""
    import pyarrow as pa

    from govstd.standards.numbers import gbt2260

    table = pq.read_table(generate(tmp_path / "r1.parquet", 3000))
    county = table["行政区划"][0].as_py()
    other = max(r.code for r in gbt2260.current_rows() if r.level == "county" and r.code[:2] == county[:2])
    # Every third entry moved to another county of the province: a region page spans two counties.
    moved = [other if k % 3 == 0 else county for k in range(table.num_rows)]
    src = tmp_path / "two-counties.parquet"
    pq.write_table(table.set_column(table.schema.get_field_index("行政区划"), "行政区划", pa.array(moved)), src)
    recs = list(_expected(src).values())
    reg.import_items(src, actor="test")
    first = recs[5]
    prov = first["行政区划"][:2] + "0000"
    for criteria in ({"region": prov}, {"name": "食品经营许可"}, {"name": "婚姻"}, {"department": "民政局"}):
        whole = [i.implementation_code for i in reg.find_items(**criteria, limit=10_000)]  # type: ignore[arg-type]
        pages = [i.implementation_code for k in range(0, len(whole) + 7, 7)
                 for i in reg.find_items(**criteria, limit=7, offset=k)]  # type: ignore[arg-type]
        assert pages == whole and len(whole) > 7, criteria
    regions = [i.region or "" for i in reg.find_items(region=prov, limit=10_000)]
    assert regions == sorted(regions) and set(regions) == {county, other}
    name = "食品经营许可"
    for extra, keep in (({"code": first["基本编码"]}, lambda r: first["基本编码"] in (r["基本编码"], r["实施编码"])),
                        ({"region": prov}, lambda r: r["行政区划"].startswith(prov[:2])),
                        ({"department": "民政局"}, lambda r: r["部门"] == "民政局")):
        want = {r["实施编码"] for r in recs if name in (r["事项名称"] or "") and keep(r)}
        got = {i.implementation_code for i in reg.find_items(name=name, limit=10_000, **extra)}  # type: ignore[arg-type]
        assert got == want, extra
