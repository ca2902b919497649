"""``make bench`` (part 2): the same checks on DuckDB, Apache Spark (local mode) and PostgreSQL.

Uses the synthetic department datasets of ``benchmarks.run`` (same generator, same schema, same
defect rates) as Parquet — the format a data platform hands Spark — and, each run in a fresh child
process so start-up and memory are counted honestly:

- ``duckdb``: ``govstd.validate`` with ``memory_limit`` = the engine memory (``--memory``);
- ``spark``: ``govstd.validate(engine="spark")`` on a new ``local[N]`` session whose driver (which is
  the executor in local mode) gets ``--memory`` of heap; start-up is reported apart;
- ``postgres`` (with ``--postgres-url``): the rows copied into a table, then the checks pushed down.

Every run reports wall time, rows/s and the peak RSS of the whole process tree (Python + JVM),
sampled from /proc; the failed counts of every engine are compared with DuckDB's. The scaling line
(1 M, 5 M, 10 M rows) ends with data larger than the memory given to the engine.

    python -m benchmarks.engines                          # 1M, 5M, 10M on DuckDB and Spark local[2]
    python -m benchmarks.engines --rows 1000000 --postgres-url postgresql://postgres@localhost/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.run import SCHEMA, SERVICE_ITEMS, TODAY, generate_csv, to_parquet

HERE = Path(__file__).resolve().parent


# --------------------------------------------------------------------------- child process


def child(engine: str, path: str, memory: str, master: str, samples: int, table: str | None) -> dict[str, Any]:
    """Runs in a fresh process: one validation; prints one JSON line."""
    started = time.perf_counter()
    kw: dict[str, Any] = {}
    startup = 0.0
    if engine == "spark":
        from govstd.validators.engines.spark import spark_session

        spark_session(master, config={"spark.driver.memory": memory, "spark.sql.shuffle.partitions": "8"})
        startup = time.perf_counter() - started
        kw["engine"] = "spark"
    elif engine == "duckdb":
        # Spark (the JVM) spells sizes 512m / 1g; DuckDB 512MB / 1GB.
        limit = memory.upper() + "B" if memory[-1:].lower() in "kmg" else memory
        kw.update(memory_limit=limit, temp_directory=str(Path(path).parent / "tmp"))
    else:
        kw.update(engine="postgres", table=table)
    from govstd.validators.api import validate

    t0 = time.perf_counter()
    result = validate(path, SCHEMA, today=TODAY, service_items=SERVICE_ITEMS, sample_size=samples, **kw)
    return {"rows": result.dataset.rows, "startup": startup, "seconds": time.perf_counter() - t0,
            "total": time.perf_counter() - started, "failed_counts": result.failed_counts}


# --------------------------------------------------------------------------- measuring


def _tree_rss(pid: int) -> int:
    """Resident set size (bytes) of ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * page
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def measure(engine: str, path: str | Path, *, memory: str, master: str, samples: int,
            table: str | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.engines", "--child", engine, str(path), "--memory", memory,
           "--spark-master", master, "--samples", str(samples)]
    if table:
        cmd += ["--table", table]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=HERE.parent)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        return {"engine": engine, "error": err.decode(errors="replace").strip().splitlines()[-3:], "wall": wall}
    data: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    data.update(engine=engine, wall=wall, peak_rss_mb=peak / 2**20)
    return data


def _load_postgres(url: str, csv_path: Path, table: str) -> float:
    import psycopg

    started = time.perf_counter()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn, csv_path.open("rb") as fh:
        header = fh.readline().decode().strip().split(",")
        cols = ", ".join(f'"{c}" text' for c in header)
        conn.execute(f'DROP TABLE IF EXISTS "{table}"')
        conn.execute(f'CREATE TABLE "{table}" ({cols})')
        with conn.cursor().copy(f'COPY "{table}" FROM STDIN (FORMAT csv)') as copy:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        conn.execute(f'ANALYZE "{table}"')
    return time.perf_counter() - started


def _parse_bytes(text: str) -> int:
    units = {"K": 2**10, "M": 2**20, "G": 2**30}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    return int(float(t[:-1]) * units[t[-1]]) if t[-1:] in units else int(t)


def _size(n: float) -> str:
    return f"{n / 2**30:.2f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engines", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="1000000,5000000,10000000", help="comma-separated dataset sizes")
    parser.add_argument("--engines", default="duckdb,spark", help="duckdb, spark and/or postgres")
    parser.add_argument("--data", default="bench-data", help="where datasets go (git-ignored)")
    parser.add_argument("--memory", default="1g",
                        help="memory given to each engine (DuckDB memory_limit, Spark driver heap), e.g. 512m, 1g")
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--postgres-url", help="a PostgreSQL database to load and validate the data in")
    parser.add_argument("--json", help="where the raw results go (default DATA/engines.json)")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--table", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.memory, args.spark_master, args.samples,
                               args.table)))
        return 0

    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    sizes = [int(s.replace("_", "")) for s in args.rows.split(",") if s]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if args.postgres_url and "postgres" not in engines:
        engines.append("postgres")
    memory = _parse_bytes(args.memory)
    print(f"# govstd engines benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}, {platform.platform()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}; engine memory {args.memory}, "
          f"Spark {args.spark_master}, {args.samples} samples per failing check")
    print("\n| rows | Parquet | in memory (text) | engine | start-up s | validate s | rows/s | peak RSS | "
          "vs DuckDB | counts |")
    print("|---:|---:|---:|---|---:|---:|---:|---:|---:|---|")
    results: list[dict[str, Any]] = []
    for rows in sizes:
        csv_path = data / f"social_security_{rows}.csv"
        parquet_path = data / f"social_security_{rows}.parquet"
        if not csv_path.exists():
            generate_csv(csv_path, rows)
        if not parquet_path.exists():
            to_parquet(csv_path, parquet_path)
        text_bytes = csv_path.stat().st_size
        beyond = " (> engine memory)" if text_bytes > memory else ""
        reference: dict[str, Any] | None = None
        for engine in engines:
            if engine == "postgres":
                if not args.postgres_url:
                    continue
                table = f"bench_{rows}"
                load = _load_postgres(args.postgres_url, csv_path, table)
                run = measure("postgres", args.postgres_url, memory=args.memory, master=args.spark_master,
                              samples=args.samples, table=table)
                run["load_seconds"] = load
            else:
                run = measure(engine, parquet_path, memory=args.memory, master=args.spark_master,
                              samples=args.samples)
            run.update(rows_requested=rows, parquet_bytes=parquet_path.stat().st_size, text_bytes=text_bytes)
            results.append(run)
            if "error" in run:
                print(f"| {rows:,} | | | {engine} | error: {' '.join(run['error'])} |")
                continue
            if engine == "duckdb":
                reference = run
            ratio = f"{run['seconds'] / reference['seconds']:.1f}×" if reference else "—"
            same = "—" if reference is None else (
                "identical" if run["failed_counts"] == reference["failed_counts"] else "DIFFERENT")
            print(f"| {rows:,} | {_size(parquet_path.stat().st_size)} | {_size(text_bytes)}{beyond} | {engine} | "
                  f"{run['startup']:.1f} | {run['seconds']:.1f} | {rows / run['seconds']:,.0f} | "
                  f"{run['peak_rss_mb']:,.0f} MB | {ratio} | {same} |", flush=True)
    out = Path(args.json) if args.json else data / "engines.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nraw results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
