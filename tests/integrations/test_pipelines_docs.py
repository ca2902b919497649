"""The recipes of docs/pipelines.md, run as they are written there."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import messy
import pytest

from conftest import ROOT, govstd

DOC = ROOT / "docs" / "pipelines.md"


def recipe(name: str) -> str:
    """The fenced code block right after ``<!-- recipe: NAME -->``."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {re.escape(name)} -->\n```[a-z]*\n(.*?)\n```", text, re.S)
    assert match, f"recipe {name} not found in {DOC}"
    return match.group(1)


def schema_variant(tmp: Path, share: str) -> Path:
    path = tmp / f"schema_{share}.yaml"
    text = messy.SCHEMA.read_text(encoding="utf-8").replace("share_type: unconditional", f"share_type: {share}")
    path.write_text(text, encoding="utf-8")
    return path


def clean_rows() -> list[dict[str, str]]:
    """The defect-free rows of the messy dataset, refreshed today (the recipes judge freshness against now)."""
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    return [{**r, "updated_at": now} for r in messy.ROWS[:40]]


@pytest.mark.parametrize(("data", "share", "code"), [("clean", "conditional", 0), ("messy", "unconditional", 1),
                                                     ("missing", "conditional", 2)])
def test_ci_step(data: str, share: str, code: int, tmp_path: Path) -> None:
    csv = {"clean": lambda: messy.write_csv(tmp_path / "clean.csv", clean_rows()),
           "messy": lambda: messy.write_csv(tmp_path / "messy.csv"),
           "missing": lambda: tmp_path / "missing.csv"}[data]()
    summary = tmp_path / "summary.md"
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "DATA": str(csv), "SCHEMA": str(schema_variant(tmp_path, share)),
           "GITHUB_STEP_SUMMARY": str(summary), "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    proc = subprocess.run(["bash", "-e", "-c", recipe("ci-step")], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == code, proc.stderr
    if code == 2:
        return
    report = tmp_path / "report"
    assert sorted(p.name for p in report.iterdir()) == ["scorecard.json", "scorecard.junit.xml", "scorecard.md"]
    assert summary.read_text(encoding="utf-8").startswith("## ")
    verdict = json.loads((report / "scorecard.json").read_text(encoding="utf-8"))["verdict"]["verdict"]
    assert verdict in (("FAIL",) if code == 1 else ("PASS", "WARN"))


def test_python_task(tmp_path: Path) -> None:
    clean = messy.write_csv(tmp_path / "clean.csv", clean_rows())
    messy_csv = messy.write_csv(tmp_path / "messy.csv")
    conditional = schema_variant(tmp_path, "conditional")
    program = recipe("python-task") + textwrap.dedent(f"""

        import sys
        ok = check_extract({str(clean)!r}, {str(conditional)!r}, {str(tmp_path / "ok")!r})
        assert ok["rows"] == 40 and ok["verdict"] in ("PASS", "WARN"), ok
        try:
            check_extract({str(messy_csv)!r}, {str(messy.SCHEMA)!r}, {str(tmp_path / "bad")!r})
        except RuntimeError as exc:
            assert "may not be shared" in str(exc)
        else:
            raise AssertionError("the messy extract passed the gate")
        heavy = [m for m in ("pyspark", "great_expectations") if m in sys.modules]
        assert heavy == [], heavy
        print("task ok")
    """)
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "task ok" in proc.stdout
    assert (tmp_path / "ok" / "scorecard.json").is_file() and (tmp_path / "bad" / "scorecard.md").is_file()


def test_gx_pipeline(tmp_path: Path) -> None:
    messy.write_csv(tmp_path / "extract.csv")
    exported = govstd("export", "gx", "--schema-file", str(messy.SCHEMA), "--out", str(tmp_path / "suite.json"),
                      "-q", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    script = tmp_path / "pipeline.py"
    script.write_text(recipe("gx-pipeline") + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    scored = govstd("import", "gx-result", "result.json", "--schema-file", str(messy.SCHEMA), "--out", "report",
                    "--format", "json", cwd=tmp_path)
    assert scored.returncode == 1, scored.stderr  # the messy extract fails the gate, through GX too
    card = json.loads((tmp_path / "report" / "scorecard.json").read_text(encoding="utf-8"))
    assert {c["rule_id"]: c["failed"] for c in card["checks"]}["id_number.checksum"] == 3


def test_pre_commit_snippet_names_the_shipped_hook() -> None:
    import yaml

    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(repos:.*?)\n```", text, re.S)
    assert block
    config = yaml.safe_load(block.group(1))
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["hooks"][0]["id"] == hooks[0]["id"]
