"""The CLI frame and the foundation commands, run as a user runs them (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from stdnum.cn import ric

PY = [sys.executable, "-m", "govstd"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PY, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_help_lists_commands_without_importing_them() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for name in ("standards", "check"):
        assert name in proc.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from govstd.cli import main\n"
         "try:\n main(['--help'])\nexcept SystemExit: pass\n"
         "print(sorted(m for m in ('duckdb', 'sqlalchemy', 'pyspark', 'great_expectations') if m in sys.modules))"],
        capture_output=True, text=True, timeout=60,
    )
    assert probe.stdout.strip().endswith("[]"), probe.stdout


def test_standards_list_and_show_json() -> None:
    listed = json.loads(run("standards", "list", "--json").stdout)
    assert {"GB11643", "GB32100", "GB11714", "GBT2260", "GBT2261.1", "GBT3304"} <= {e["id"] for e in listed}
    shown = json.loads(run("standards", "show", "gb/t 2261.1", "--json").stdout)
    assert shown["id"] == "GBT2261.1" and len(shown["codes"]) == 4


def test_unknown_standard_is_exit_2_with_suggestion() -> None:
    proc = run("standards", "show", "GB11634")
    assert proc.returncode == 2
    assert "GB11643" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_json_lines_in_input_order_and_exit_codes() -> None:
    values = ["11010519491231002X", "11010519491231002x", "110101199003078514", "1.10105E+17",
              "110105194902290029", "", "１１０１０５１９４９１２３１００２Ｘ"]
    proc = run("check", "GB11643", "--json", stdin="\n".join(values) + "\n")
    assert proc.returncode == 1
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["line"] for r in rows] == list(range(1, len(values) + 1))
    assert [r["valid"] for r in rows] == [True, True, False, False, False, False, True]
    assert [r["error"] for r in rows[2:6]] == ["checksum", "excel_damage", "birth_date", "empty"]
    # Masked unless asked: the full number never reaches stdout or stderr.
    assert "11010519491231002X" not in proc.stdout + proc.stderr
    assert rows[0]["value"] == "110105********002X"


def test_check_agrees_with_python_stdnum_on_arguments() -> None:
    numbers = ["11010519491231002X", "110101199003078515", "110101199003078514", "330106198512012045"]
    proc = run("check", "citizen_id", "--json", *numbers)
    verdicts = [json.loads(line)["valid"] for line in proc.stdout.splitlines()]
    assert verdicts == [ric.is_valid(n) for n in numbers]


def test_check_all_valid_exits_0_and_show_values() -> None:
    proc = run("check", "mobile_phone", "--show-values", "+86 138-1234-5678", "13912345678")
    assert proc.returncode == 0
    assert "13912345678" in proc.stdout


def test_check_bad_usage_is_exit_2() -> None:
    assert run("check", "GB11643", "-o", "nonsense").returncode == 2
    assert run("check", "GB11643", stdin="").returncode == 2



def _process_settings(code: str, **env: str) -> list[object]:
    """The GC threshold, OPENBLAS_NUM_THREADS, PYDANTIC_DISABLE_PLUGINS and whether the objects were frozen at
    exit, after ``code`` runs in a fresh interpreter whose environment is ours without those two, plus ``env``."""
    # Registered first, so it runs last at exit: after the CLI's own exit handler.
    probe = ("import atexit, gc, json, os\n"
             "atexit.register(lambda: print(json.dumps([gc.get_threshold()[0], os.environ.get('OPENBLAS_NUM_THREADS'),"
             " os.environ.get('PYDANTIC_DISABLE_PLUGINS'), gc.get_freeze_count() > 0])))\n" + code)
    base = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "PYDANTIC_DISABLE_PLUGINS")}
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          env={**base, **env})
    assert proc.returncode == 0, proc.stderr
    settings: list[object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return settings


def test_the_cli_tunes_its_own_process_and_not_a_pipelines() -> None:
    from govstd.cli import GC_THRESHOLD

    run_cli = "from govstd.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass"
    defaults = [700, None, None, False]  # Python's, and no variable set
    assert _process_settings("import govstd.cli, govstd.validators.api") == defaults
    assert _process_settings(run_cli) == [GC_THRESHOLD, "1", "__all__", True]
    # the user's values win
    assert _process_settings(run_cli, OPENBLAS_NUM_THREADS="4", PYDANTIC_DISABLE_PLUGINS="logfire") == [
        GC_THRESHOLD, "4", "logfire", True]
