"""``--json`` is one JSON document on stdout for every outcome of every command that offers it: its
result on success, ``{"error": {"code", "message", "hint", …}}`` on an input error (exit 2) — nothing
else on stdout, and the error masked. Each case runs the CLI as a user does (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from govstd import demo
from govstd.standards.numbers.gb11643 import calc_check_digit
from privacy_testlib import patched_pythonpath

#: A synthetic person's ID (valid check digit, GB 11643; not one of the standards' examples, which
#: ``standards show`` prints on purpose): it must never reach stdout unmasked.
SECRET_ID = "33010619850312001" + calc_check_digit("33010619850312001")


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", *map(str, args)], capture_output=True, text=True,
                          timeout=180, cwd=cwd, env={**os.environ, **(env or {})})


def one_document(proc: subprocess.CompletedProcess[str]) -> object:
    """stdout parsed as exactly one JSON document (json.loads refuses a second one or any other text)."""
    assert proc.stdout.strip(), (proc.returncode, proc.stderr)
    return json.loads(proc.stdout)


def error_of(proc: subprocess.CompletedProcess[str], code: str = "input") -> dict[str, object]:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    doc = one_document(proc)
    assert isinstance(doc, dict) and set(doc) == {"error"}, doc
    error = doc["error"]
    assert isinstance(error, dict) and error["code"] == code and error["message"], error
    assert {"code", "message", "hint"} <= set(error)
    assert "Traceback" not in proc.stderr
    return error


#: A GX validation result (a suite govstd did not write) over the demo's columns: 2 of 200 names missing.
GX_RESULT = {
    "success": False,
    "results": [{"success": False, "expectation_config": {"type": "expect_column_values_to_not_be_null",
                                                          "kwargs": {"column": "name"}, "meta": {}},
                 "result": {"element_count": 200, "unexpected_count": 2}}],
    "meta": {"great_expectations_version": "1.24.1", "validation_time": "2025-06-01T10:00:00+00:00"},
}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo department's data (200 rows) and schema, a registry, a key pair and a scorecard."""
    root = tmp_path_factory.mktemp("json")
    records, _ = demo.generate(200)
    demo.write_csv(records, root / "cases.csv")
    (root / "cases.schema.yaml").write_text(demo.schema_yaml(), encoding="utf-8")
    (root / "header_only.csv").write_text("id_number,name\n", encoding="utf-8")  # a file of no row
    (root / "gx.json").write_text(json.dumps(GX_RESULT), encoding="utf-8")
    assert run("registry", "--registry", root / "reg.sqlite", "init", "--json").returncode == 0
    assert run("keys", "generate", root / "dept.key", "--json").returncode == 0
    assert run("validate", root / "cases.csv", "--schema-file", root / "cases.schema.yaml", "--out", root / "out",
               "--format", "json", "-q").returncode in (0, 1)
    return root


SUCCESS = {
    "standards list": lambda w: ["standards", "list", "--json"],
    "standards show": lambda w: ["standards", "show", "GB11643", "--json"],
    "check": lambda w: ["check", "GB11643", SECRET_ID, "--json"],
    "lint": lambda w: ["lint", w / "cases.schema.yaml", "--json"],
    "schema infer": lambda w: ["schema", "infer", w / "cases.csv", "--json"],
    "schema infer header only": lambda w: ["schema", "infer", w / "header_only.csv", "--json"],
    "mask": lambda w: ["mask", w / "cases.csv", "--schema-file", w / "cases.schema.yaml", "--out",
                       w / "masked.csv", "--json"],
    "registry list": lambda w: ["registry", "--registry", w / "reg.sqlite", "list", "--json"],
    "registry show": lambda w: ["registry", "--registry", w / "reg.sqlite", "show", "GB11643", "--json"],
    "token list": lambda w: ["token", "list", "--registry", w / "reg.sqlite", "--json"],
    "keys list": lambda w: ["keys", "list", "--registry", w / "reg.sqlite", "--json"],
    "import gx-result": lambda w: ["import", "gx-result", w / "gx.json", "--schema-file", w / "cases.schema.yaml",
                                   "--json"],
    "scorecard sign": lambda w: ["scorecard", "sign", w / "out" / "scorecard.json", "--key", w / "dept.key",
                                 "--json"],
}

INPUT_ERRORS = {
    "standards show": (lambda w: ["standards", "show", "GB1164", "--json"], "not_found"),
    "check": (lambda w: ["check", "GB1164", SECRET_ID, "--json"], "not_found"),
    "validate": (lambda w: ["validate", w / "nope.csv", "--schema-file", w / "cases.schema.yaml", "--json"], "input"),
    # --submit was skipped silently with --json: a submission that fails is the one document, exit 2.
    "validate submit": (lambda w: ["validate", w / "cases.csv", "--schema-file", w / "cases.schema.yaml", "--json",
                                   "--submit", "http://127.0.0.1:9/"], None),
    "validate usage": (lambda w: ["validate", w / "cases.csv", "--json"], "usage"),
    "lint": (lambda w: ["lint", "--json"], "usage"),
    "schema infer": (lambda w: ["schema", "infer", w / "nope.csv", "--json"], "input"),
    "mask": (lambda w: ["mask", w / "nope.csv", "--schema-file", w / "cases.schema.yaml", "--out",
                        w / "m.csv", "--json"], "input"),
    "registry show": (lambda w: ["registry", "--registry", w / "reg.sqlite", "show", "GB1164", "--json"],
                      "not_found"),
    "token revoke": (lambda w: ["token", "revoke", "999", "--registry", w / "reg.sqlite", "--json"], None),
    "import gx-result": (lambda w: ["import", "gx-result", w / "cases.csv", "--schema-file", w / "cases.schema.yaml",
                                    "--json"], "input"),
    "keys generate": (lambda w: ["keys", "generate", w / "no such folder" / "dept.key", "--json"], "input"),
    "keys trust": (lambda w: ["keys", "trust", w / "nope.pub", "--department", "330106",
                              "--registry", w / "reg.sqlite", "--json"], "input"),
    "scorecard verify": (lambda w: ["scorecard", "verify", w / "nope.json", "--trusted-key", w / "dept.key.pub",
                                    "--json"], "input"),
    "unknown option": (lambda w: ["standards", "list", "--json", "--bogus"], "usage"),
}


@pytest.mark.parametrize("name", sorted(SUCCESS))
def test_success_is_one_document(work: Path, name: str) -> None:
    proc = run(*SUCCESS[name](work))
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr)
    doc = one_document(proc)
    assert doc is not None and not (isinstance(doc, dict) and set(doc) == {"error"}), doc
    assert SECRET_ID not in proc.stdout


@pytest.mark.parametrize("name", sorted(INPUT_ERRORS))
def test_input_error_is_one_document(work: Path, name: str) -> None:
    args, code = INPUT_ERRORS[name]
    proc = run(*args(work))
    if code is None:  # the kind is the command's own (a missing token is not_found or input)
        assert proc.returncode == 2, proc.stderr
        code = str(one_document(proc)["error"]["code"])  # type: ignore[index]
    error_of(proc, code)
    assert SECRET_ID not in proc.stdout


def test_validate_json_carries_the_verdict(work: Path) -> None:
    proc = run("validate", work / "cases.csv", "--schema-file", work / "cases.schema.yaml", "--json",
               "--out", work / "v")
    doc = one_document(proc)
    assert isinstance(doc, dict)
    gate = doc["gate"]
    assert gate["verdict"] in {"PASS", "WARN", "FAIL"} and gate["exit_code"] == proc.returncode
    card = json.loads((work / "v" / "scorecard.json").read_text(encoding="utf-8"))
    assert gate["score"] == card["score"] and gate["verdict"] == card["verdict"]["verdict"]
    assert [r["code"] for r in gate["reasons"]] == [r["code"] for r in card["verdict"]["reasons"]]
    assert {"dataset", "checks", "schema_ref"} <= set(doc)


def test_an_error_message_with_a_personal_number_is_masked(work: Path) -> None:
    proc = run("registry", "--registry", work / "reg.sqlite", "show", SECRET_ID, "--json")
    error = error_of(proc, "not_found")
    assert SECRET_ID not in proc.stdout and SECRET_ID not in proc.stderr
    assert "*" in str(error["message"])


def test_an_internal_error_is_one_document_with_exit_3(tmp_path: Path) -> None:
    """A bug (here: a command patched by ``sitecustomize`` to raise) is exit 3 and still one JSON
    document, its message masked."""
    path = patched_pythonpath(tmp_path, (
        "import govstd.commands.standards as s\n"
        "def boom(*a, **k):\n"
        f"    raise RuntimeError('boom {SECRET_ID}')\n"
        "s.list_.callback = boom\n"))
    proc = run("standards", "list", "--json", env={"PYTHONPATH": path})
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    error = one_document(proc)["error"]  # type: ignore[index]
    assert error["code"] == "internal" and "RuntimeError: boom" in error["message"] and "GOVSTD_DEBUG" in error["hint"]
    assert SECRET_ID not in proc.stdout and SECRET_ID not in proc.stderr


def test_import_gx_result_json_carries_the_verdict(work: Path) -> None:
    proc = run("import", "gx-result", work / "gx.json", "--schema-file", work / "cases.schema.yaml", "--json",
               "--out", work / "gx_out")
    doc = one_document(proc)
    assert isinstance(doc, dict) and doc["gate"]["exit_code"] == proc.returncode
    card = json.loads((work / "gx_out" / "scorecard.json").read_text(encoding="utf-8"))
    assert doc["gate"]["verdict"] == card["verdict"]["verdict"] and doc["gate"]["score"] == card["score"]
    (check,) = [c for c in doc["checks"] if c["rule_id"].startswith("gx.name")]
    assert (check["evaluated"], check["failed"]) == (200, 2)
