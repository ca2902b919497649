"""Bad input: a clear InputError (what, where, what was expected), CLI exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import messy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govstd.errors import GovstdError, InputError
from govstd.validators.api import validate

SCHEMA = str(messy.SCHEMA)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", "validate", *args], capture_output=True, text=True,
                          timeout=120)


def assert_exit_2(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error:"), proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(InputError) as err:
        validate(missing, messy.SCHEMA)
    assert err.value.path == str(missing) and "not found" in str(err.value)
    assert_exit_2(run_cli(str(missing), "--schema-file", SCHEMA), "nope.csv", "file not found")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="file is empty"):
        validate(empty, messy.SCHEMA)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n  \n", encoding="utf-8")
    assert_exit_2(run_cli(str(blank), "--schema-file", SCHEMA), "blank.csv", "empty")


def test_wrong_encoding_names_the_line_and_the_fix(tmp_path: Path) -> None:
    path = messy.write_csv(tmp_path / "gb.csv", encoding="gb18030")
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, encoding="utf-8", today=messy.TODAY)
    assert err.value.path == str(path) and err.value.line is not None and err.value.line >= 2
    assert "not utf-8 text" in str(err.value) and "--encoding gb18030" in str(err.value)
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA, "--encoding", "utf-8"), "gb.csv", "--encoding")
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA, "--encoding", "klingon"), "unknown encoding")


def test_a_broken_line_is_reported_by_number_without_its_content(tmp_path: Path) -> None:
    path = messy.write_csv(tmp_path / "ragged.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[10] += ",extra,110105194912310021"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA, today=messy.TODAY)
    assert err.value.line == 11
    assert "110105194912310021" not in str(err.value) and messy.ROWS[9]["id_number"] not in str(err.value)


def test_missing_required_column(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "id_number"} for r in messy.ROWS[:3]]
    path = tmp_path / "no_id.csv"
    path.write_text(",".join(c for c in messy.COLUMNS if c != "id_number") + "\n"
                    + "\n".join(",".join(r[c] for c in messy.COLUMNS if c != "id_number") for r in rows) + "\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA)
    assert "id_number (公民身份号码)" in str(err.value) and err.value.expected
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), "missing required column", "id_number")


def test_columns_may_be_named_in_chinese(tmp_path: Path) -> None:
    from govstd.standards.loader import load_file
    from govstd.standards.models import CatalogueSchema

    schema = load_file(messy.SCHEMA)[0]
    assert isinstance(schema, CatalogueSchema)
    zh = {f.name: f.name_zh or f.name for f in schema.fields}
    path = tmp_path / "zh.csv"
    path.write_text(",".join(zh[c] for c in messy.COLUMNS) + "\n"
                    + "\n".join(",".join(r[c] for c in messy.COLUMNS) for r in messy.ROWS[:5]) + "\n",
                    encoding="utf-8")
    result = validate(path, schema, today=messy.TODAY, sample_size=0)
    assert result.dataset.rows == 5 and result.check("id_number.checksum").evaluated == 5


def test_unknown_schema_version(tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text(messy.SCHEMA.read_text(encoding="utf-8").replace('"GB11643@^1"', '"GB11643@^2"'),
                      encoding="utf-8")
    data = messy.write_csv(tmp_path / "m.csv")
    with pytest.raises(GovstdError, match="GB11643@\\^2"):
        validate(data, schema)
    assert_exit_2(run_cli(str(data), "--schema-file", str(schema)), "GB11643@^2")


def test_unknown_schema_reference_in_a_registry(tmp_path: Path) -> None:
    data = messy.write_csv(tmp_path / "m.csv")
    registry = f"sqlite:///{tmp_path / 'registry.db'}"
    # A registry that does not exist is refused as such (it is never created on the way).
    assert_exit_2(run_cli(str(data), "--schema", "510100-00001@^9", "--registry", registry), "no registry at")
    from govstd.registry.store import Registry

    Registry(registry, create=True).close()
    assert_exit_2(run_cli(str(data), "--schema", "510100-00001@^9", "--registry", registry), "510100-00001")


def test_schema_options_are_exclusive(tmp_path: Path) -> None:
    data = messy.write_csv(tmp_path / "m.csv")
    proc = run_cli(str(data))
    assert proc.returncode == 2 and "exactly one of --schema" in proc.stderr + proc.stdout


@pytest.mark.parametrize("kind", ["parquet", "xlsx"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_files(tmp_path: Path, kind: str, keep: float) -> None:
    path = messy.write_parquet(tmp_path / "m.parquet") if kind == "parquet" else messy.write_xlsx(tmp_path / "m.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(InputError) as err:
        validate(path, messy.SCHEMA)
    assert err.value.path == str(path) and ("truncated" in str(err.value) or "not" in str(err.value))


def test_truncated_files_on_the_command_line(tmp_path: Path) -> None:
    path = messy.write_parquet(tmp_path / "m.parquet")
    path.write_bytes(path.read_bytes()[:300])
    assert_exit_2(run_cli(str(path), "--schema-file", SCHEMA), "m.parquet", "Parquet")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=1, max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".parquet", ".jsonl", ""]))
def test_random_bytes_are_input_errors(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    try:
        validate(path, messy.SCHEMA, sample_size=0)
    except GovstdError as exc:
        assert str(path) in str(exc) or getattr(exc, "path", None) == str(path)
    # (Random bytes may by chance be a valid, if odd, CSV with the required columns: then no error.)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=10_000), kind=st.sampled_from(["parquet", "xlsx", "csv"]))
def test_truncated_anywhere(tmp_path: Path, cut: int, kind: str) -> None:
    writers = {"parquet": messy.write_parquet, "xlsx": messy.write_xlsx, "csv": messy.write_csv}
    path = writers[kind](tmp_path / f"t.{kind}")
    full = path.read_bytes()
    path.write_bytes(full[: cut % len(full)])
    try:
        result = validate(path, messy.SCHEMA, today=messy.TODAY, sample_size=0)
    except GovstdError:
        return
    assert kind == "csv"  # a CSV cut between lines is a shorter CSV, and is read as one
    assert result.dataset.rows <= len(messy.ROWS)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=12),
       kind=st.sampled_from(["parquet", "xlsx"]))
def test_damaged_bytes_inside_binary_files(tmp_path: Path, flips: list[tuple[int, int]], kind: str) -> None:
    path = messy.write_parquet(tmp_path / "d.parquet") if kind == "parquet" else messy.write_xlsx(tmp_path / "d.xlsx")
    data = bytearray(path.read_bytes())
    for position, value in flips:
        data[position % len(data)] = value
    path.write_bytes(bytes(data))
    try:
        validate(path, messy.SCHEMA, today=messy.TODAY, sample_size=1)
    except GovstdError as exc:
        assert "Traceback" not in str(exc)


def test_a_value_quoted_in_a_read_error_is_masked() -> None:
    from govstd.validators.readers import duckdb_input_error

    err = duckdb_input_error(Exception("Conversion Error: x\nCould not convert string '11010519491231002X' to INT64"),
                             "f.parquet")
    assert "11010519491231002X" not in str(err) and "110105********002X" in str(err)
