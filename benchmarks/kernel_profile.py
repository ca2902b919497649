"""Where the C kernel's cycles go, per operation and per node: a measurement build, never the shipped one.

Compiles ``src/govstd/kernel/_kernel.c`` with ``-DGK_PROFILE`` (TSC cycles, rows and calls per node, plus the
per-value cache lookups, the check loop and the key fingerprints) into a temporary library, counts the first
``--rows`` rows of a benchmark Parquet file with the benchmark schema on one thread, and prints the
operations and the most expensive nodes::

    python -m benchmarks.run --rows 1000000 --no-spill        # writes bench-data/ once
    python -m benchmarks.kernel_profile bench-data/social_security_1000000.parquet
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.run import SCHEMA, SERVICE_ITEMS, TODAY

ROOT = Path(__file__).resolve().parents[1]
#: Slots of gk_profile's output: one per node, and the last three for the cache, the loop, the fingerprints.
SLOTS = 8192


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kernel_profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parquet", help="a benchmark Parquet file (bench-data/social_security_N.parquet)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--top", type=int, default=40, help="nodes to list")
    args = parser.parse_args(argv)

    import duckdb

    from govstd import kernel
    from govstd.kernel import plan as kplan
    from govstd.registry.resolve import load_schema_file
    from govstd.validators.derive import derive, service_item_codes_from

    with tempfile.TemporaryDirectory() as tmp:
        so = Path(tmp) / "gk_profile.so"
        subprocess.run(["gcc", "-O3", "-std=c99", "-fPIC", "-shared", "-DGK_PROFILE", "-o", str(so),
                        str(ROOT / "src/govstd/kernel/_kernel.c"), str(ROOT / "src/govstd/kernel/_fpcount.c")],
                       check=True)
        kernel.library_path = lambda: so  # the measurement build instead of the installed one
        lib = kernel.load()
        assert lib is not None, kernel.status()[1]
        lib.gk_profile.argtypes = [ctypes.c_void_p, ctypes.c_int32]
        schema, _ = load_schema_file(SCHEMA)
        suite = derive(schema, today=TODAY, service_items=service_item_codes_from(SERVICE_ITEMS)).suite
        path = str(Path(args.parquet).resolve()).replace("'", "''")
        table = duckdb.connect().sql(f"SELECT * FROM read_parquet('{path}') LIMIT {args.rows}").to_arrow_table()
        n = len(table)
        plan = kernel.compile_suite(suite)
        k = kernel.Kernel(lib, plan)
        out = (ctypes.c_uint64 * (3 * SLOTS))()
        lib.gk_profile(out, SLOTS)  # reset
        started = time.process_time()
        k.count(iter(table.select(plan.columns).to_batches(65536)), 1)
        elapsed = time.process_time() - started
        lib.gk_profile(out, SLOTS)  # read
        k.close()

    def cycles(s: int) -> int:
        return int(out[3 * s])

    def rows(s: int) -> int:
        return int(out[3 * s + 1])

    total = sum(cycles(s) for s in range(SLOTS)) or 1
    names = {v: name[3:] for name, v in vars(kplan).items() if name.startswith("OP_") and isinstance(v, int)}
    print(f"{elapsed / n * 1e9:.0f} ns/row (profiled build, one thread), {total / n:.0f} cycles/row")
    by_op: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for node in range(len(plan.nodes)):
        entry = by_op[names[plan.nodes[node][0]]]
        entry[0] += cycles(node)
        entry[1] += rows(node)
    extra = (("per-value cache lookups", SLOTS - 1), ("check loop", SLOTS - 2), ("key fingerprints", SLOTS - 3))
    for label, slot in extra:
        by_op[label] = [cycles(slot), rows(slot)]
    print(f"\n{'operation':26s} {'evals/row':>9s} {'cyc/eval':>9s} {'cyc/row':>8s} {'share':>6s}")
    for op, (c, r) in sorted(by_op.items(), key=lambda kv: -kv[1][0]):
        if c:
            print(f"{op:26s} {r / n:9.2f} {c / max(r, 1):9.1f} {c / n:8.1f} {100 * c / total:5.1f}%")

    def describe(node: int, depth: int = 0) -> str:
        op, first, nargs, p1 = plan.nodes[node][:4]
        if op == kplan.OP_COL:
            return plan.columns[p1] if p1 >= 0 else "?"
        if op == kplan.OP_LIT_TEXT:
            return repr(plan.literals[p1].decode())[:12]
        if op in (kplan.OP_LIT_INT, kplan.OP_LIT_BOOL):
            return str(p1)
        if depth > 1:
            return names[op].lower() + "(…)"
        return f"{names[op].lower()}({','.join(describe(a, depth + 1) for a in plan.args[first:first + nargs])})"[:70]

    print(f"\n{'node':>4s} {'expression':70s} {'evals/row':>9s} {'cyc/eval':>8s} {'share':>6s}")
    for node in sorted(range(len(plan.nodes)), key=lambda x: -cycles(x))[:args.top]:
        print(f"{node:4d} {describe(node):70s} {rows(node) / n:9.2f} {cycles(node) / max(rows(node), 1):8.1f} "
              f"{100 * cycles(node) / total:5.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
