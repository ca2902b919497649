"""``python -m benchmarks.site_search``: the catalogue browser at national size, without the rest of the site.

The generated catalogue (``benchmarks.items``, two provinces' code layouts) is streamed from its Parquet
export in implementation-code order through :func:`govstd.site.items.write_items` (the same writer the
site build uses) in a fresh child process — time and peak RSS of the shard writer alone — and the
browser page is served on localhost and driven in headless Chromium: for each query, a fresh browser
context (nothing cached) opens the catalogue page, types the query, and the time until the status shows
the first page of results (or that nothing matches) is recorded, with the shard files fetched.

    python -m benchmarks.site_search                      # 2 M items
    python -m benchmarks.site_search --items 200000
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks.items import _child, generate

CHROMIUM = "/usr/bin/chromium"


class ParquetItems:
    """An :class:`govstd.site.source.ItemSource` over a catalogue export (one complete release)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def item_releases(self) -> Sequence[Any]:
        from govstd.site.source import ItemRelease

        return [ItemRelease(number=1, state="complete", source=self.path.name)]

    def item_count(self) -> int:
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(self.path).metadata.num_rows)

    def item_rows(self, batch_rows: int) -> Iterator[Sequence[tuple[str | None, ...]]]:
        import pyarrow.parquet as pq

        # The export is sorted once beforehand (sorted_export): sorting here would put DuckDB's sort
        # buffers into the peak RSS that is meant to be the shard writer's.
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=batch_rows, columns=COLUMNS):
            yield list(zip(*(column.to_pylist() for column in batch.columns), strict=True))


COLUMNS = ["实施编码", "基本编码", "事项名称", "事项类型", "部门", "实施主体", "行使层级", "行政区划"]


def sorted_export(export: Path) -> Path:
    """The export in implementation-code order (DuckDB orders VARCHAR by bytes, as the registry's reader
    does and the browser compares), with the columns the site shows."""
    import duckdb

    path = export.with_suffix(".sorted.parquet")
    if not path.exists():
        columns = ", ".join(f'"{c}"' for c in COLUMNS)
        duckdb.execute(f"""COPY (SELECT {columns} FROM read_parquet('{export}') ORDER BY "实施编码")
                           TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 100000)""")
    return path


def write_catalogue(export: Path, out: Path) -> dict[str, Any]:
    return _child(f"""
import json
from pathlib import Path
from benchmarks.site_search import ParquetItems
from govstd.site.items import write_items
from govstd.site.output import Output
output = Output(Path({str(out)!r}))
shards = write_items(ParquetItems(Path({str(export)!r})), output, national={{}})
output.finish()
print(json.dumps({{"items": shards.items, "shards": shards.shards, "token_files": shards.token_files}}))""")


PAGE = """<!doctype html><meta charset="utf-8"><title>items</title>
<div class="gs-items" data-gs-items="data/"></div><script src="items.js"></script>"""


def queries(export: Path) -> dict[str, str]:
    import duckdb

    con = duckdb.connect()
    codes = [r[0] for r in con.execute(f"""SELECT "实施编码" FROM read_parquet('{export}') ORDER BY 1""").fetchall()]
    middle = codes[len(codes) // 2 + 7]
    suffixed = con.execute(f"""SELECT "基本编码" FROM read_parquet('{export}')
                               WHERE NOT starts_with("实施编码", "基本编码") LIMIT 1 OFFSET 777""").fetchone()
    return {
        "name (common, 4 chars)": "户口迁移",
        "name (rare, matches nothing in the first shards)": "执照延续",
        "name (pairs in every shard, never together)": "证注册",
        "implementation code": middle,
        "implementation code prefix": middle[:12],
        "basic code (layout: USCC + level + basic code)": suffixed[0] if suffixed else "",
    }


def bench_browser(root: Path, named: dict[str, str]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright
    from tests.site.site_testlib import serve  # the test suite's quiet static server

    server, url = serve(root)
    results: dict[str, Any] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            for label, query in named.items():
                context = browser.new_context()  # cold: nothing cached
                page = context.new_page()
                page.set_default_timeout(120_000)
                fetched: list[str] = []
                page.on("request", lambda r, f=fetched: f.append(r.url) if "/shards/" in r.url else None)
                page.goto(url + "index.html")
                page.locator(".gs-items__status", has_text="共").wait_for()
                before = len(fetched)
                started = time.perf_counter()
                page.locator("input.gs-items__query").fill(query)
                page.wait_for_function("""() => {
                    const s = document.querySelector('.gs-items__status').textContent;
                    return /Results 1|No item matches/.test(s); }""", polling=10)
                # the input's 150 ms debounce is part of what a reader waits for
                seconds = time.perf_counter() - started
                status = page.locator(".gs-items__status").inner_text()
                results[label] = {"query": query, "seconds": round(seconds, 3),
                                  "shards_fetched": len(fetched) - before, "status": status}
                print(json.dumps({label: results[label]}, ensure_ascii=False), flush=True)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=2_000_000)
    parser.add_argument("--dir", type=Path, default=Path("bench-data"))
    parser.add_argument("--write-only", action="store_true", help="measure the shard writer only")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    export = args.dir / f"site-items-{args.items}.parquet"
    if not export.exists():
        generate(export, args.items)
    root = args.dir / f"site-search-{args.items}"
    if root.exists():
        import shutil

        shutil.rmtree(root)
    (root / "data").parent.mkdir(parents=True, exist_ok=True)
    written = write_catalogue(sorted_export(export), root)
    (root / "data").symlink_to("item-catalogue/data")
    print(json.dumps({"write": written}), flush=True)
    if args.write_only:
        return
    from importlib import resources

    (root / "items.js").write_text(resources.files("govstd.site").joinpath("assets/items.js").read_text("utf-8"),
                                   encoding="utf-8")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    print(json.dumps({"items": args.items, "write": written, "search": bench_browser(root, queries(export))},
                     ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
