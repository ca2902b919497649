"""``govstd validate … --out --format --policy --fail-on``: exit codes a pipeline can gate on, run as a user
runs them (a real subprocess), on synthetic people from ``govstd.demo``.

Exit codes: 0 the gate passed (PASS, or WARN unless ``--fail-on warn``), 1 it did not, 2 bad input.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govstd import demo

PY = [sys.executable, "-m", "govstd"]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PY, *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "120"})


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A messy dataset, a clean one, and the demo schema declared conditional and unconditional."""
    root = tmp_path_factory.mktemp("validate")
    records, defects = demo.generate(400, seed=7)
    defective = {n for rows in defects.rows.values() for n in rows}
    clean = [r for n, r in enumerate(records, start=1) if n not in defective]
    files = {
        "messy": demo.write_csv(records, root / "messy.csv"),
        "clean": demo.write_csv(clean, root / "clean.csv"),
    }
    for share in ("conditional", "unconditional"):
        path = root / f"{share}.yaml"
        path.write_text(demo.schema_yaml(share), encoding="utf-8")
        files[share] = path
    strict = root / "strict.yaml"
    strict.write_text("gate:\n  有条件共享: {min_score: 99.9, warn_score: 99.9}\n", encoding="utf-8")
    files["strict"] = strict
    broken = root / "broken.yaml"
    broken.write_text("gate:\n  conditional:\n    min_scor: 90\n", encoding="utf-8")
    files["broken_policy"] = broken
    return files


def test_pass_is_exit_0_and_writes_json_and_html(data: dict[str, Path], tmp_path: Path) -> None:
    proc = run("validate", data["clean"], "--schema-file", data["conditional"], "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    card = json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))
    assert card["verdict"]["verdict"] == "PASS" and card["score"] == 100.0
    assert (tmp_path / "scorecard.html").is_file()
    assert "通过 PASS" in proc.stdout + proc.stderr


def test_warn_is_exit_0_unless_fail_on_warn(data: dict[str, Path], tmp_path: Path) -> None:
    proc = run("validate", data["messy"], "--schema-file", data["conditional"], "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    card = json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))
    assert card["verdict"]["verdict"] == "WARN"
    proc = run("validate", data["messy"], "--schema-file", data["conditional"], "--out", tmp_path,
               "--fail-on", "warn")
    assert proc.returncode == 1, proc.stderr


def test_fail_is_exit_1(data: dict[str, Path], tmp_path: Path) -> None:
    # Declared 无条件共享, but the file carries unmasked ID numbers and phones: zero exposures allowed.
    proc = run("validate", data["messy"], "--schema-file", data["unconditional"], "--out", tmp_path,
               "--format", "json", "--format", "junit")
    assert proc.returncode == 1, proc.stderr
    card = json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))
    assert card["verdict"]["verdict"] == "FAIL" and card["verdict"]["pii_exposures"] > 300
    assert card["verdict"]["reasons"][0]["code"] == "pii_exposure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scorecard.json", "scorecard.junit.xml"]


def test_policy_file_can_make_the_gate_stricter(data: dict[str, Path], tmp_path: Path) -> None:
    proc = run("validate", data["messy"], "--schema-file", data["conditional"], "--out", tmp_path,
               "--policy", data["strict"])
    assert proc.returncode == 1, proc.stderr
    card = json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))
    assert card["verdict"]["thresholds"]["min_score"] == 99.9


def test_one_format_without_out_goes_to_stdout(data: dict[str, Path]) -> None:
    proc = run("validate", data["clean"], "--schema-file", data["conditional"], "--format", "md")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("## ✅ 数据质量评分卡")


@pytest.mark.parametrize("case", ["missing_file", "bad_policy", "missing_policy", "unknown_format",
                                  "bad_fail_on"])
def test_bad_input_is_exit_2(case: str, data: dict[str, Path], tmp_path: Path) -> None:
    base = ["validate", data["clean"], "--schema-file", data["conditional"], "--out", tmp_path]
    args = {
        "missing_file": ["validate", tmp_path / "nope.csv", "--schema-file", data["conditional"]],
        "bad_policy": [*base, "--policy", data["broken_policy"]],
        "missing_policy": [*base, "--policy", tmp_path / "nope.yaml"],
        "unknown_format": [*base, "--format", "pdf"],
        "bad_fail_on": [*base, "--fail-on", "sometimes"],
    }[case]
    proc = run(*args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    if case == "bad_policy":
        assert "min_scor" in proc.stderr


def test_no_output_or_console_holds_a_full_number(data: dict[str, Path], tmp_path: Path) -> None:
    """Validate synthetic people, every format, and scan every output file and the console."""
    proc = run("validate", data["messy"], "--schema-file", data["unconditional"], "--out", tmp_path,
               "--format", "json", "--format", "html", "--format", "md", "--format", "junit")
    assert proc.returncode == 1, proc.stderr
    text = data["messy"].read_bytes().decode("gb18030")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    secrets = {r["id_number"] for r in rows if len(r["id_number"]) >= 15 and "E+" not in r["id_number"]}
    secrets |= {re.sub(r"[^0-9]", "", r["phone"]) for r in rows}
    secrets |= {r["phone"] for r in rows}
    secrets = {s for s in secrets if len(re.sub(r"[^0-9０-９]", "", s)) >= 10}
    assert len(secrets) > 700
    outputs = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert len(outputs) == 4
    outputs["console"] = proc.stdout + proc.stderr
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    for name, content in outputs.items():
        assert pattern.search(content) is None, f"a full personal number leaked into {name}"
    assert "********" in outputs["scorecard.json"]
