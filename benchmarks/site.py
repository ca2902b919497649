"""``python -m benchmarks.site``: the registry site at scale — the built-in library, many catalogue
schemas and a national-size service-item catalogue — built twice (from scratch, then with nothing
changed), each build in a fresh child process (wall time, peak RSS from ``os.wait4``).

    python -m benchmarks.site                          # 200 k items, 1,000 catalogue schemas
    python -m benchmarks.site --items 2000000
    python -m benchmarks.site --fill import            # items through `import-items` (minutes per 200 k)

``--fill direct`` (the default) writes the generated catalogue (``benchmarks.items``' DuckDB SQL: two
provinces' code layouts) straight into the registry's ``catalogue_items`` table as one complete
release, because what is measured here is the site, and the import is benchmarked by
``benchmarks.items``. Reports the pages and files written, the output's size, and the largest page.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.items import _child, generate

HERE = Path(__file__).resolve().parent
SCHEMA_TEMPLATE = HERE.parent / "tests" / "site" / "data" / "catalogue_residents.yaml"


def make_registry(path: Path, *, schemas: int) -> str:
    """A registry with the library and ``schemas`` catalogue schemas (copies of the sample, renamed)."""
    from govstd.registry.store import Registry
    from govstd.standards.loader import load_paths

    if path.exists():
        path.unlink()
    url = f"sqlite:///{path}"
    template = load_paths([SCHEMA_TEMPLATE])[0]
    with Registry(url, create=True) as reg:
        reg.init(actor="bench")
        entries = [template.model_copy(update={"id": f"510100-{k:05d}", "name_zh": f"{template.name_zh}（{k}）"})
                   for k in range(1, schemas + 1)]
        reg.publish(entries, actor="bench", message="generated catalogue schemas")
    return url


def fill_direct(url: str, export: Path) -> int:
    """The generated export as release 1 of ``catalogue_items``, inserted in batches (no row checks)."""
    import datetime as dt

    import duckdb
    from sqlalchemy import insert

    from govstd.registry.items.tables import items, releases
    from govstd.registry.store import Registry

    con = duckdb.connect()
    reader = con.execute(f"""
        SELECT "实施编码" AS implementation_code, "基本编码" AS basic_code, "事项名称" AS name,
               "事项类型" AS item_type, "部门" AS department, "事项版本" AS item_version, "实施主体" AS body,
               "实施主体编码" AS body_uscc, "行使层级" AS exercise_level, "行政区划" AS region,
               substr(md5(concat_ws('|', "实施编码", "事项名称", "实施主体")), 1, 32) AS row_hash,
               1 AS added_release, 1 AS changed_release
        FROM read_parquet('{export}')""").to_arrow_reader(100_000)
    n = 0
    now = dt.datetime.now(dt.UTC)
    with Registry(url) as reg, reg.engine.begin() as conn:
        for batch in reader:
            rows = batch.to_pylist()
            conn.execute(insert(items), rows)
            n += len(rows)
        conn.execute(insert(releases), [{
            "number": 1, "state": "complete", "source": export.name, "source_hash": "0" * 64, "actor": "bench",
            "message": "generated (benchmarks.site --fill direct)", "started_at": now, "finished_at": now,
            "rows_read": n, "staged": n, "rejected": 0, "added": n, "changed": 0, "retired": 0, "unchanged": 0}])
    return n


def bench_build(url: str, out: Path) -> dict[str, Any]:
    r = _child(f"""
import json, warnings
warnings.simplefilter('ignore')
from govstd.registry.store import Registry
from govstd.site.build import build_site
with Registry({url!r}) as reg:
    b = build_site(reg, {str(out)!r})
print(json.dumps({{"pages": len(b.pages), "written": len(b.written), "files": b.files,
                  "shards": b.items.shards if b.items else 0, "reused": bool(b.items and b.items.reused),
                  "build_s": round(b.seconds, 2), "generate_s": round(b.generate_seconds, 1),
                  "mkdocs_s": round(b.mkdocs_seconds, 1), "items_s": round(b.items_seconds, 1),
                  "mkdocs_mode": b.mkdocs_mode, "rendered": len(b.rendered)}}))""")
    html = list(out.rglob("*.html"))
    files = [p for p in out.rglob("*") if p.is_file()]
    r.update(html_pages=len(html), largest_page_kb=round(max(p.stat().st_size for p in html) / 1024),
             output_mb=round(sum(p.stat().st_size for p in files) / 2**20), files_on_disk=len(files))
    return r


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--schemas", type=int, default=1000)
    parser.add_argument("--fill", choices=("direct", "import"), default="direct")
    parser.add_argument("--dir", type=Path, default=Path("bench-data"))
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    export = args.dir / f"site-items-{args.items}.parquet"
    if not export.exists():
        generate(export, args.items)
    started = time.perf_counter()
    url = make_registry(args.dir / "site-registry.sqlite", schemas=args.schemas)
    setup = {"schemas_s": round(time.perf_counter() - started, 1)}
    started = time.perf_counter()
    if args.fill == "direct":
        setup["items"] = fill_direct(url, export)
    else:
        from govstd.registry.store import Registry

        with Registry(url) as reg:
            setup["items"] = reg.import_items(export, actor="bench").added or 0
    setup["fill_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps({"setup": setup}), flush=True)
    out = args.dir / "site-out"
    if out.exists():
        import shutil

        shutil.rmtree(out)
    results = {"items": args.items, "schemas": args.schemas, "setup": setup,
               "first": bench_build(url, out), "unchanged": bench_build(url, out)}
    print(json.dumps(results, ensure_ascii=False), flush=True)
    print(f"| {args.items:,} | {args.schemas:,} | {results['first']['seconds']} s | "
          f"{results['first']['html_pages']:,} | {results['first']['files_on_disk']:,} | "
          f"{results['first']['output_mb']} MB | {results['first']['largest_page_kb']} kB | "
          f"{results['first']['peak_rss_mb']} MB | {results['unchanged']['seconds']} s "
          f"({results['unchanged']['written']} files written) |", file=sys.stdout)


if __name__ == "__main__":
    main()
