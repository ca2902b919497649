"""Heavy optional dependencies load only when used: not for ``govstd --help`` (its wall time is measured
by ``python -m benchmarks.startup``, not asserted here), not for the new commands' help, not for the
Python API in a pipeline task (no dataframe library to validate a file), not for exporting a GX suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import messy
import pytest

HEAVY = ("great_expectations", "pyspark", "duckdb", "pandas", "polars")


def loaded_after(code: str, modules: tuple[str, ...] = HEAVY, env: dict[str, str] | None = None) -> list[str]:
    """Which of ``modules`` are in sys.modules after running ``code`` in a fresh interpreter."""
    report = f"import json, sys\nprint(json.dumps([m for m in {modules!r} if m in sys.modules]))\n"
    probe = textwrap.dedent(code) + "\n" + report
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr
    loaded: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("args", [["--help"], ["export", "--help"], ["import", "--help"],
                                  ["import", "gx-result", "--help"], ["lint", "--help"]])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    assert loaded_after(f"""
        from govstd.cli import main
        try:
            main({args!r})
        except SystemExit:
            pass
    """) == []


def test_gx_package_and_suite_export_do_not_import_gx() -> None:
    loaded = loaded_after(f"""
        import govstd.integrations.gx
        from govstd.export import export, load_source
        export("gx", load_source(schema_file={str(messy.SCHEMA)!r}))
    """)
    assert "great_expectations" not in loaded and "pyspark" not in loaded


def test_validate_in_a_pipeline_task_imports_neither_spark_nor_gx(messy_csv: Path) -> None:
    loaded = loaded_after(f"""
        import govstd
        from govstd.validators.api import validate
        result = validate({str(messy_csv)!r}, {str(messy.SCHEMA)!r})
        assert result.dataset.rows == {len(messy.ROWS)}
    """)
    assert loaded == ["duckdb"]  # the engine, and nothing else heavy: a CSV needs no dataframe library


def cli(args: list[str]) -> str:
    """Code that runs ``govstd ARGS`` in the probe's interpreter, its exit code 0 or 1 (a finding)."""
    return f"""
        from govstd.cli import main
        try:
            main({args!r})
        except SystemExit as exc:
            assert exc.code in (0, 1), exc.code
    """


def test_csv_validate_loads_no_workbook_parquet_or_dataframe_library(messy_csv: Path, tmp_path: Path) -> None:
    # openpyxl (with numpy under it) and pyarrow.parquet were imported at module level for every run;
    # they are for workbooks, Parquet and database sources and for an .xlsx fix list.
    loaded = loaded_after(cli(["validate", str(messy_csv), "--schema-file", str(messy.SCHEMA),
                               "--fix-list", str(tmp_path / "fix.csv")]),
                          modules=("openpyxl", "pyarrow.parquet", "pandas", "polars", "duckdb"))
    assert loaded == ["duckdb"]
    assert (tmp_path / "fix.csv").stat().st_size > 0  # the fix list was written, as CSV, without openpyxl


def test_a_small_validate_loads_no_arrow_compute(tmp_path: Path) -> None:
    # pyarrow.compute wraps every Arrow function as it loads (~30 ms CPU of a 10-row validate). The kernel's
    # pass picks its sample rows and its key rows with slices and numpy instead (``govstd.kernel.rows``):
    # neither a clean run, nor one whose row checks fail (samples), nor one whose key repeats (duplicate
    # samples, the fingerprint table's row numbers) loads it. Rows 3 and 4 of the messy file come twice.
    data = messy.write_csv(tmp_path / "messy.csv", [*messy.ROWS, *messy.ROWS[3:5]])
    loaded = loaded_after(f"""
        import datetime as dt
        from govstd.validators.api import validate
        today = dt.date.fromisoformat({messy.TODAY.isoformat()!r})
        result = validate({str(data)!r}, {str(messy.SCHEMA)!r}, today=today)
        failed = [c for c in result.checks if c.failed]
        assert any(c.samples for c in failed if c.rule_id != "key.unique")
        unique = [c for c in failed if c.rule_id == "key.unique"]
        assert unique and len(unique[0].samples) >= 2, unique
    """, modules=("pyarrow", "pyarrow.compute"))
    assert loaded == ["pyarrow"]  # the kernel's Arrow batches, and no compute functions
    cli_run = loaded_after(cli(["validate", str(data), "--schema-file", str(messy.SCHEMA)]),
                           modules=("pyarrow.compute",))
    assert cli_run == []


def test_a_small_validate_starts_no_thread_pool_and_loads_no_registry_or_report_renderer(tmp_path: Path) -> None:
    # A file of one Arrow batch is counted on the calling thread: concurrent.futures (and logging under
    # it) load only where several batches are counted on a pool. The registry's database layer, the
    # schema validator and the file reports (HTML, Markdown, workbooks) are for other paths.
    lazy = ("concurrent.futures", "logging", "sqlalchemy", "jsonschema", "openpyxl", "jinja2",
            "govstd.registry.store", "govstd.validators.report.html_report")
    data = messy.write_csv(tmp_path / "messy.csv")
    loaded = loaded_after(cli(["validate", str(data), "--schema-file", str(messy.SCHEMA)]),
                          modules=(*lazy, "govstd.kernel", "rich.table"))
    assert loaded == ["govstd.kernel", "rich.table"]  # the kernel counted it, the table was printed


def test_xlsx_fix_list_still_loads_openpyxl(messy_csv: Path, tmp_path: Path) -> None:
    loaded = loaded_after(cli(["validate", str(messy_csv), "--schema-file", str(messy.SCHEMA),
                               "--fix-list", str(tmp_path / "fix.xlsx")]), modules=("openpyxl",))
    assert loaded == ["openpyxl"]
    assert (tmp_path / "fix.xlsx").read_bytes()[:2] == b"PK"


def test_check_reads_the_builtin_library_from_its_cache(tmp_path: Path) -> None:
    # The first run parses the packaged YAML (ruamel) and writes the cache; the second reads the cache
    # and never loads a YAML parser. XDG_CACHE_HOME keeps the test's cache out of the user's.
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    check = cli(["check", "GB11643", "11010519491231002X"])
    assert loaded_after(check, modules=("ruamel.yaml",), env=env) == ["ruamel.yaml"]
    assert len(list((tmp_path / "govstd" / "library").glob("builtin-*.pickle"))) == 1
    assert loaded_after(check, modules=("ruamel.yaml", "duckdb", "pyarrow"), env=env) == []


def test_benchmark_writes_only_its_own_section(tmp_path: Path) -> None:
    from benchmarks.startup import write

    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Validate\n\nrows/s\n\n## Start-up\n\nold\n\n## Spill\n\nGB\n", encoding="utf-8")
    for text in ("new", "newer"):
        write(f"## Start-up\n\n{text}\n", doc)
        expected = f"# Benchmarks\n\n## Validate\n\nrows/s\n\n## Start-up\n\n{text}\n\n## Spill\n\nGB\n"
        assert doc.read_text(encoding="utf-8") == expected


def test_benchmark_commands_run_on_cached_bytecode_outside_the_tree(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # PYTHONDONTWRITEBYTECODE in the shell would make every timed run compile every module from source.
    from benchmarks.startup import child_env

    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    package = tmp_path / "src" / "probe_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    env = {**child_env(tmp_path / "bench"), "PYTHONPATH": str(tmp_path / "src")}
    assert "PYTHONDONTWRITEBYTECODE" not in env
    subprocess.run([sys.executable, "-c", "import probe_pkg"], env=env, check=True, timeout=60)
    assert list((tmp_path / "bench" / "pycache").rglob("probe_pkg/__init__*.pyc"))
    assert not (package / "__pycache__").exists()


def test_packaged_tables_are_read_through_the_cache_and_a_damaged_one_is_rebuilt(tmp_path: Path) -> None:
    # The service-item layouts (YAML) and GB/T 2260's codes (CSV) are parsed once, then read from pickles
    # named by their sources' digest; a damaged pickle costs only the parse. XDG_CACHE_HOME keeps them apart.
    data = messy.write_csv(tmp_path / "messy.csv")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    run = [sys.executable, "-m", "govstd", "--lang", "en", "validate", str(data), "--schema-file", str(messy.SCHEMA),
           "--json", "--today", messy.TODAY.isoformat()]

    def checks() -> list[tuple[str, int, int]]:
        proc = subprocess.run(run, capture_output=True, text=True, timeout=120, env=env)
        assert proc.returncode in (0, 1), proc.stderr
        return [(c["rule_id"], c["evaluated"], c["failed"]) for c in json.loads(proc.stdout)["checks"]]

    first = checks()
    folder = tmp_path / "cache" / "govstd" / "library"
    cached = [*folder.glob("layouts-*.pickle"), *folder.glob("regions-*.pickle")]
    assert len(cached) == 2
    assert any(rule.endswith(".region") and failed for rule, _, failed in first)  # GB/T 2260 codes were used
    for path in cached:
        path.write_bytes(b"not a pickle")
    assert checks() == first
    assert all(path.read_bytes()[:1] == b"\x80" for path in cached)  # rebuilt as pickles
