"""``python -m benchmarks.items``: a national-scale service-item catalogue imported, looked up, and
checked against in the engine.

Generates catalogue exports with DuckDB SQL (no Python row loop) under ./bench-data/: implementation
codes of two provinces' layouts (Sichuan's dashed ``basic-area-000-body-1-00`` and Guangdong's
``body + level + basic``) built from valid credit codes and GB/T 2260 county codes, Chinese headers;
release 2 retires 2 %, renames 3 % and adds 2 %. Then, each step in a fresh child process (peak RSS:
the child's VmHWM):

- ``import``: ``govstd registry import-items`` of release 1 and of release 2 into a new registry;
- ``lookup``: median latency of lookups by implementation code, basic code, name, department, region;
- ``compare``: ``registry compare-items`` of two regions holding half the items each (a catalogue of
  one Sichuan and one Guangdong county, every local basic code mapped by a crosswalk), without and
  with the crosswalk, in a registry of its own;
- ``check``: ``govstd validate`` of a department file carrying item codes, with and without the
  ``service_item_registered`` rule.

    python -m benchmarks.items                       # 200 k items, SQLite (and PostgreSQL with --postgres URL)
    python -m benchmarks.items --items 2000000 --check-rows 0
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_DEPARTMENTS = ["公安局", "民政局", "人力资源和社会保障局", "市场监督管理局", "自然资源局", "交通运输局",
                "卫生健康委员会", "教育局", "司法局", "税务局"]
_VERBS = ["核发", "变更", "注销", "备案", "审批", "登记", "确认", "查询", "补领", "延续"]
_THINGS = ["犬类准养证", "食品经营许可证", "建设工程规划许可证", "道路运输经营许可", "医师执业注册",
           "社会团体成立", "户口迁移", "婚姻登记", "养老保险关系转移", "不动产登记", "律师执业", "营业执照",
           "残疾人证", "出生医学证明"]


#: The two counties of the ``compare`` catalogue (成都市锦江区, 广州市荔湾区).
COMPARE_REGIONS = ("510104", "440103")


def _pools(n_bodies: int = 2000, counties: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Implementing bodies (valid credit codes) and their counties; ``counties``: only these, in turn."""
    from govstd.standards.numbers import gb11714, gb32100, gbt2260

    regions = list(counties) or sorted(r.code for r in gbt2260.current_rows()
                                       if r.level == "county" and r.code[:2] not in {"71", "81", "82"})
    n_bodies = len(counties) or n_bodies
    usccs, body_regions = [], []
    for k in range(n_bodies):
        base = f"{10000000 + k * 7919 % 89999999:08d}"
        region = regions[k * 37 % len(regions)]
        first17 = "11" + region + base + gb11714.calc_check_digit(base)
        usccs.append(first17 + gb32100.calc_check_digit(first17))
        body_regions.append(region)
    return {"usccs": usccs, "regions": body_regions}


def _list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def catalogue_sql(items: int, *, release: int = 1, defects: bool = False, counties: tuple[str, ...] = ()) -> str:
    """A query yielding the catalogue export of ``release`` (release 2: 2 % retired, 3 % renamed, 2 % added);
    ``counties``: every implementing body in one of these (in turn, 50,000 items each)."""
    pools = _pools(counties=counties)
    n_bodies = len(pools["usccs"])
    extra = items // 50 if release >= 2 else 0
    keep = "hash(i * 13) % 100 >= 2" if release >= 2 else "true"
    renamed = "hash(i * 13) % 100 BETWEEN 2 AND 4" if release >= 2 else "false"
    bad = ("CASE WHEN hash(i * 7) % 100 = 0 THEN substr(code, 1, length(code) - 1) || 'Z' "
           "WHEN hash(i * 7) % 100 = 1 THEN '' ELSE code END") if defects else "code"
    dup = ("UNION ALL SELECT * FROM parts WHERE hash(i * 11) % 200 = 0") if defects else ""
    return f"""
    WITH seq AS (SELECT i FROM range({items + extra}) t(i) WHERE i >= {items} OR {keep}),
    parts AS (
      SELECT i,
        {_list(pools['usccs'])}[1 + ((i // 50000) % {n_bodies})::INTEGER] AS body_uscc,
        {_list(pools['regions'])}[1 + ((i // 50000) % {n_bodies})::INTEGER] AS region,
        substr({_list(pools['regions'])}[1 + ((i // 50000) % {n_bodies})::INTEGER], 1, 3)
          || chr(65 + (i % 26)::INTEGER) || lpad(((i % 50000) // 26)::VARCHAR, 8, '0') AS basic_code,
        {_list(_DEPARTMENTS)}[1 + (hash(i) % {len(_DEPARTMENTS)})::INTEGER] AS department,
        {_list(_THINGS)}[1 + (i % {len(_THINGS)})::INTEGER] || {_list(_VERBS)}[1 + ((i // 7) % {len(_VERBS)})::INTEGER]
          || CASE WHEN {renamed} THEN '（调整）' ELSE '' END AS name,
        (1 + hash(i * 3) % 4)::VARCHAR AS level
      FROM seq
    ), coded AS (
      SELECT *, CASE WHEN i % 2 = 0
        THEN basic_code || '-' || region || '000000-000-' || body_uscc || '-1-00'
        ELSE body_uscc || level || basic_code END AS code
      FROM parts
    ), rows AS (SELECT * FROM coded {dup.replace('parts', 'coded')})
    SELECT {bad} AS "实施编码", basic_code AS "基本编码", name AS "事项名称",
           lpad((1 + hash(i * 5) % 10)::VARCHAR, 2, '0') AS "事项类型", department AS "部门", '1.0' AS "事项版本",
           '某' || department AS "实施主体", body_uscc AS "实施主体编码", level AS "行使层级", region AS "行政区划"
    FROM rows ORDER BY i"""


def generate(path: Path, items: int, *, release: int = 1, defects: bool = False,
             counties: tuple[str, ...] = ()) -> Path:
    """Write the catalogue export (CSV or Parquet, by suffix) with DuckDB."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    fmt = "(FORMAT parquet)" if path.suffix == ".parquet" else "(FORMAT csv, HEADER true)"
    sql = catalogue_sql(items, release=release, defects=defects, counties=counties)
    con.execute(f"COPY ({sql}) TO '{path}' {fmt}")
    con.close()
    return path


def generate_crosswalk(path: Path, catalogue: Path) -> Path:
    """A crosswalk (CSV) mapping every Guangdong basic code to the Sichuan one with the same item part
    (``catalogue_sql`` builds a basic code as the county's first three digits + the item part)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"""COPY (SELECT DISTINCT "基本编码" AS "基本编码", '510' || substr("基本编码", 4) AS "国家标准事项编码"
                          FROM read_parquet('{catalogue}') WHERE "行政区划" LIKE '44%' ORDER BY 1)
                    TO '{path}' (FORMAT csv, HEADER true)""")
    con.close()
    return path


def generate_department_file(path: Path, rows: int, catalogue: Path) -> Path:
    """A department file of ``rows`` rows whose 办事事项编码 is drawn from ``catalogue`` (1 % unknown)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"""CREATE TABLE codes AS SELECT row_number() OVER () - 1 AS k, "实施编码" AS code
                    FROM read_parquet('{catalogue}')""")
    (n,) = con.execute("SELECT count(*) FROM codes").fetchone() or (0,)
    con.execute(f"""COPY (SELECT 'B' || lpad(i::VARCHAR, 10, '0') AS bjbh,
                      CASE WHEN hash(i) % 100 = 0 THEN '511A99999999' ELSE c.code END AS sxbm
                    FROM range({rows}) t(i) JOIN codes c ON c.k = hash(i * 3) % {n} ORDER BY i)
                    TO '{path}' (FORMAT parquet)""")
    con.close()
    return path


# --------------------------------------------------------------------------- measuring


def _child(code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; its JSON result plus wall time and peak RSS."""
    # Peak RSS as the child's own VmHWM: the rusage of wait4 starts from the parent's high-water mark
    # (Linux carries it over fork and exec), and the parent has just generated millions of rows.
    hwm = Path(tempfile.mkstemp(prefix="govstd-bench-hwm-")[1])
    code = (f"import atexit\natexit.register(lambda: open({str(hwm)!r}, 'w').write("
            "open('/proc/self/status').read().split('VmHWM:')[1].split()[0]))\n" + code)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env={**os.environ})
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"benchmark step failed: {code[:200]}")
    result: dict[str, Any] = json.loads(out.decode() or "{}")
    # CPU seconds beside wall time: on a shared machine the wall time says as much about the neighbours.
    result.update(seconds=round(time.perf_counter() - started, 2), cpu_s=round(usage.ru_utime + usage.ru_stime, 1),
                  peak_rss_mb=round(int(hwm.read_text() or 0) / 1024))
    hwm.unlink()
    return result


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL cluster of its own for the run (``--postgres auto``), as the test suite starts one:
    initdb in a temporary directory, trust on 127.0.0.1, fsync off, C collation with UTF-8 character
    classes; stopped and removed afterwards."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("--postgres auto needs the PostgreSQL server binaries (the Debian package 'postgresql')")
    bin_dir = Path(found[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="govstd-bench-pg-"))
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if owner:
        shutil.chown(base, user="postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = base / "data"
    # Character classes of a UTF-8 locale: under LC_CTYPE=C, pg_trgm counts no Chinese character as a
    # letter, extracts no trigram from a Chinese name, and every name search scans the table.
    subprocess.run([*owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--locale=C", "--lc-ctype=C.UTF-8", "--no-sync"], check=True, capture_output=True)
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    subprocess.run([*owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-o", options, "-w",
                    "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def bench_import(url: str, path: Path) -> dict[str, Any]:
    r = _child(f"""
import json
from govstd.registry.store import Registry
with Registry({url!r}, create=True) as reg:
    print(json.dumps(reg.import_items({str(path)!r}, actor='bench').model_dump()))""")
    r["rows_per_s"] = round(r["rows_read"] / r["seconds"])
    return r


def bench_lookups(url: str, path: Path, n: int = 200) -> dict[str, Any]:
    return _child(f"""
import json, statistics, time
import pyarrow.parquet as pq
from govstd.registry.store import Registry
t = pq.read_table({str(path)!r}).slice(0, 5000)
codes, basics, regions = t['实施编码'].to_pylist(), t['基本编码'].to_pylist(), t['行政区划'].to_pylist()
out = {{}}
with Registry({url!r}) as reg:
    # (label, lookup, repetitions): the scans of the slow paths a few times only.
    for label, call, reps in [
            ('implementation_code', lambda k: reg.find_items(codes[k * 17 % 5000]), {n}),
            ('basic_code', lambda k: reg.find_items(basics[k * 13 % 5000]), {n}),
            ('show', lambda k: reg.item(codes[k * 11 % 5000]), {n}),
            ('name_fts', lambda k: reg.find_items(name='食品经营许可', limit=20), {n}),
            ('name_fts_page_50', lambda k: reg.find_items(name='食品经营许可', limit=20, offset=1000), {n}),
            ('name_fts_none', lambda k: reg.find_items(name='不存在的事项', limit=20), {n}),
            ('name_2_chars', lambda k: reg.find_items(name='婚姻', limit=20), {n}),
            ('name_2_chars_none', lambda k: reg.find_items(name='乙丙', limit=20), 5),
            ('department', lambda k: reg.find_items(department='民政局', limit=20), {n}),
            ('region', lambda k: reg.find_items(region=regions[k * 7 % 5000][:4] + '00', limit=20), {n}),
            ('region_page_50', lambda k: reg.find_items(region=regions[k * 7 % 5000][:4] + '00', limit=20,
                                                        offset=1000), {n}),
            ('name_and_region', lambda k: reg.find_items(name='食品经营许可', region=regions[k * 7 % 5000][:4] + '00',
                                                         limit=20), {n})]:
        times = []
        for k in range(reps):
            s = time.perf_counter(); call(k); times.append(time.perf_counter() - s)
        out[label] = round(statistics.median(times) * 1000, 2)
print(json.dumps({{'median_ms': out}}))""")


def bench_compare(url: str, catalogue: Path, crosswalk: Path) -> dict[str, Any]:
    """``compare-items`` of the two counties (a fresh registry at ``url``), before and after the crosswalk."""
    a, b = COMPARE_REGIONS
    return _child(f"""
import json, time
from govstd.registry.store import Registry
out = {{}}
with Registry({url!r}, create=True) as reg:
    reg.import_items({str(catalogue)!r}, actor='bench')
    for label in ('without_crosswalk', 'with_crosswalk'):
        if label == 'with_crosswalk':
            reg.import_crosswalk({str(crosswalk)!r}, actor='bench')
        s = time.perf_counter(); found = reg.compare_items({a!r}, {b!r}, limit=50)
        out[label] = {{'seconds': round(time.perf_counter() - s, 2), 'counts': found.counts}}
print(json.dumps(out))""")


def _fresh_database(url: str, name: str) -> str:
    """``name`` (re)created empty in ``url``'s PostgreSQL cluster; its URL."""
    from sqlalchemy import create_engine, make_url, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def bench_check(url: str, data: Path, *, with_rule: bool) -> dict[str, Any]:
    schema = HERE / "items_schema.yaml"
    return _child(f"""
import json
from govstd.validators.api import validate
r = validate({str(data)!r}, {str(schema if with_rule else HERE / 'items_schema_norule.yaml')!r},
             registry={url!r}, sample_size=0)
print(json.dumps({{c.rule_id: [c.evaluated, c.failed, c.details] for c in r.checks}}))""")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--check-rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL",
                        help="also import into this (empty) PostgreSQL database; 'auto': a throwaway cluster")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True,
                        help="the compare-items step (two counties of --items / 2 items each)")
    parser.add_argument("--skip-import", action="store_true",
                        help="no import / lookup steps (e.g. only --compare or the check on an existing registry)")
    parser.add_argument("--out", type=Path, default=Path("bench-data"))
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        postgres = stack.enter_context(throwaway_postgres()) if args.postgres == "auto" else args.postgres
        run(args, postgres)


def _remove_sqlite(db: Path) -> None:
    """A SQLite registry gone: the file, its WAL files and its code-file folder."""
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    shutil.rmtree(Path(f"{db}.items"), ignore_errors=True)


def run(args: argparse.Namespace, postgres: str | None) -> None:
    out: Path = args.out
    r1 = generate(out / f"items-{args.items}-r1.parquet", args.items)
    r2 = generate(out / f"items-{args.items}-r2.parquet", args.items, release=2)
    results: dict[str, Any] = {"items": args.items}
    urls = {} if args.no_sqlite else {"sqlite": f"sqlite:///{(out / f'items-{args.items}.sqlite').resolve()}"}
    if postgres:
        urls["postgresql"] = postgres
    db = out / f"items-{args.items}.sqlite"
    if "sqlite" in urls and not args.skip_import:
        _remove_sqlite(db)
    for backend, url in ({} if args.skip_import else urls).items():
        _child(f"from govstd.registry.store import Registry\nRegistry({url!r}, create=True).init(actor='bench')")
        results[backend] = {"release_1": bench_import(url, r1), "release_2": bench_import(url, r2),
                            "lookups": bench_lookups(url, r2)}
        print(json.dumps({backend: results[backend]}, ensure_ascii=False), flush=True)
    if args.compare:
        cat = generate(out / f"compare-{args.items}.parquet", args.items, counties=COMPARE_REGIONS)
        cw = generate_crosswalk(out / f"compare-{args.items}-crosswalk.csv", cat)
        results["compare"] = {}
        for backend, url in urls.items():
            if backend == "sqlite":
                _remove_sqlite(out / f"compare-{args.items}.sqlite")
                url = f"sqlite:///{(out / f'compare-{args.items}.sqlite').resolve()}"
            else:  # a database of its own beside the given one
                url = _fresh_database(url, f"govstd_bench_compare_{args.items}")
            results["compare"][backend] = bench_compare(url, cat, cw)
        print(json.dumps({"compare": results["compare"]}, ensure_ascii=False), flush=True)
    if args.check_rows and "sqlite" in urls:
        data = generate_department_file(out / f"dept-{args.check_rows}.parquet", args.check_rows, r2)
        results["check"] = {"without_rule": bench_check(urls["sqlite"], data, with_rule=False),
                            "with_rule": bench_check(urls["sqlite"], data, with_rule=True)}
        print(json.dumps({"check": results["check"]}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
