"""Start-up time of the ``govstd`` command: ``govstd --help`` must stay under 0.3 s.

Each command is run as a fresh process (the cost a CI step or a shell user pays), ``--runs`` times
after one warm-up run; the table reports the fastest and the median wall time and the median CPU
seconds (user + system of the child, all its threads: the measure that holds on a shared machine),
beside a bare ``python -c pass`` for the interpreter's own share. ``govstd --help`` imports only click
and the command table (``govstd.cli``); DuckDB, Spark and Great Expectations load when a command
needs them. Issue 15's fixed-cost targets are in CPU: ``govstd validate`` of a 10-row file (the
benchmark's generator, ``benchmarks.run``) under 0.5 s, ``govstd check`` of one value under 0.3 s.

    python -m benchmarks.startup                 # print the table
    python -m benchmarks.startup --write         # and put it in docs/benchmarks.md under "## Start-up"
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Start-up"
BUDGET_S = 0.3
VALIDATE_SMALL = "govstd validate (10-row CSV)"
CHECK_ONE = "govstd check GB11643 11010519491231002X"
#: command label → CPU seconds (user + system) it must stay under (issue 15)
CPU_TARGETS = {VALIDATE_SMALL: 0.5, CHECK_ONE: 0.3}
SMALL_ROWS = 10


def _govstd() -> list[str]:
    script = Path(sys.executable).parent / "govstd"
    if script.exists():
        return [str(script)]
    found = shutil.which("govstd")
    return [found] if found else [sys.executable, "-m", "govstd"]


def commands(workdir: Path) -> dict[str, list[str]]:
    """The commands timed ``--runs`` times; ``workdir`` holds the 10-row CSV (``small_csv``)."""
    g = _govstd()
    schema = str(ROOT / "benchmarks" / "schema.yaml")
    return {
        "python -c pass (interpreter alone)": [sys.executable, "-c", "pass"],
        "govstd --help": [*g, "--help"],
        "govstd --version": [*g, "--version"],
        "govstd export --help": [*g, "export", "--help"],
        CHECK_ONE: [*g, "check", "GB11643", "11010519491231002X"],
        VALIDATE_SMALL: [*g, "validate", str(small_csv(workdir)), "--schema-file", schema],
    }


def small_csv(workdir: Path) -> Path:
    """``SMALL_ROWS`` rows of the benchmark's synthetic data (``benchmarks.run``), written once."""
    path = workdir / f"social_security_{SMALL_ROWS}.csv"
    if not path.exists():
        from benchmarks.run import generate_csv

        generate_csv(path, SMALL_ROWS)
    return path


def child_env(workdir: Path) -> dict[str, str]:
    """The commands' environment: bytecode as an installed package has it, compiled once (by the first
    run) into ``workdir``'s ``pycache/`` (``PYTHONPYCACHEPREFIX``), never into the source tree. Without
    it a tree with no ``__pycache__`` — or ``PYTHONDONTWRITEBYTECODE`` set in the shell — makes every
    run compile every module from source (~0.2 s CPU of a 10-row validate), which no install pays."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    return env


def measure(argv: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) of each of ``runs`` runs after a warm-up run."""
    subprocess.run(argv, capture_output=True, env=env, check=False)  # warm the file and bytecode caches
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpu


def one_off_commands(workdir: Path) -> dict[str, list[str]]:
    """Commands a steward runs now and then, too slow to repeat 20 times: timed once each, in order
    (the site build reads the registry the first command creates)."""
    g = _govstd()
    registry = f"sqlite:///{workdir / 'registry.sqlite'}"
    return {
        "govstd registry init (new SQLite registry)": [*g, "registry", "--registry", registry, "init"],
        "govstd site build (built-in library)": [*g, "site", "build", "--registry", registry,
                                                 "--out", str(workdir / "site")],
    }


def table(runs: int) -> tuple[str, float, dict[str, float]]:
    """The Markdown table, the median wall time of ``govstd --help`` and the median CPU seconds of
    the commands in ``CPU_TARGETS``."""
    lines = ["| Command | fastest (s) | median (s) | median CPU (s) |", "|---|---:|---:|---:|"]
    help_median = 0.0
    cpu_medians: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="govstd-bench-") as tmp:
        env = child_env(Path(tmp))
        for label, argv in commands(Path(tmp)).items():
            times, cpu = measure(argv, runs, env)
            median = statistics.median(times)
            if label == "govstd --help":
                help_median = median
            if label in CPU_TARGETS:
                cpu_medians[label] = statistics.median(cpu)
            lines.append(f"| `{label}` | {min(times):.3f} | {median:.3f} | {statistics.median(cpu):.3f} |")
        for label, argv in one_off_commands(Path(tmp)).items():
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, env=env, check=False)
            took = time.perf_counter() - start
            shown = f"{took:.1f}" if done.returncode == 0 else f"failed (exit {done.returncode})"
            lines.append(f"| `{label}` (once) | {shown} | | |")
    return "\n".join(lines), help_median, cpu_medians


def section(runs: int) -> tuple[str, float]:
    rows, help_median, cpu_medians = table(runs)
    verdict = "within" if help_median < BUDGET_S else "OVER"
    targets = "; ".join(
        f"`{label}` median {cpu_medians[label]:.3f} s CPU, "
        f"{'within' if cpu_medians[label] < target else 'OVER'} the {target} s target"
        for label, target in CPU_TARGETS.items()
    )
    text = (
        f"{HEADING}\n\n"
        f"`python -m benchmarks.startup` — each command a fresh process, {runs} runs after a warm-up; "
        f"{platform.python_implementation()} {platform.python_version()} on {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs.\n\n"
        f"{rows}\n\n"
        f"`govstd --help`: median {help_median:.3f} s, {verdict} the {BUDGET_S} s budget. The command table "
        "lives in `govstd.cli` and each command's module is imported only when it runs, so DuckDB, Spark and "
        "Great Expectations stay out of `--help` (a test asserts they are not in `sys.modules`). "
        f"Fixed costs of small runs (issue 15): {targets}.\n"
    )
    return text, help_median


def write(text: str, doc: Path = DOC) -> None:
    """Put ``text`` in ``doc`` as its "## Start-up" section: replace that section, leave the rest."""
    current = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    start = current.find(f"\n{HEADING}\n")
    if start == -1:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        end = current.find("\n## ", start + 1)
        updated = current[: start + 1] + text + (current[end:] if end != -1 else "")
    doc.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="Timed runs per command (default 20).")
    parser.add_argument("--write", action="store_true", help=f"Write the section into {DOC.relative_to(ROOT)}.")
    args = parser.parse_args(argv)
    text, help_median = section(args.runs)
    print(text)
    if args.write:
        write(text)
        print(f"written: {DOC}")
    return 0 if help_median < BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
