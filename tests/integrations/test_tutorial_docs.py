"""docs/tutorial.md run as written; docs/fields.md equal to what its generator writes; docs/checks.md
naming every check kind with the derivation's own dimension and indicator."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from govstd.standards import field_reference
from govstd.standards.schema import shipped_schema
from govstd.validators.derive import INDICATORS

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial.md"


def block(name: str) -> str:
    """The fenced code block right after ``<!-- tutorial: NAME -->``."""
    text = TUTORIAL.read_text(encoding="utf-8")
    match = re.search(rf"<!-- tutorial: {re.escape(name)} -->\n```[a-z]*\n(.*?)\n```", text, re.S)
    assert match, f"block {name} not found in {TUTORIAL}"
    return match.group(1)


def shell(name: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(["bash", "-e", "-c", block(name)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    assert shell("data", tmp_path).returncode == 0
    inferred = shell("infer", tmp_path)
    assert inferred.returncode == 0, inferred.stderr
    draft = (tmp_path / "cases.schema.yaml").read_text(encoding="utf-8")
    assert "TODO" in draft.split("fields:")[0] and "standard: GB11643@^1" in draft  # what step 1 shows
    # Step 2 as the page says: everything above `fields:` replaced by the catalogue entry shown.
    done = block("header") + "\n" + draft[draft.index("fields:"):]
    assert "TODO" not in done.split("fields:")[0]
    (tmp_path / "cases.schema.yaml").write_text(done, encoding="utf-8")
    linted = shell("lint", tmp_path)
    assert linted.returncode == 0, linted.stderr
    validated = shell("validate", tmp_path)
    assert validated.returncode in (0, 1), validated.stderr
    card = json.loads((tmp_path / "report" / "scorecard.json").read_text(encoding="utf-8"))
    assert card["schema"]["ref"] == "DEMO-330106-0002@1.0.0" and card["dataset"]["rows"] == 500
    printed = shell("json", tmp_path)
    verdict, score, code = printed.stdout.split()
    assert verdict == card["verdict"]["verdict"] and float(score) == card["score"] and int(code) == validated.returncode
    program = subprocess.run([sys.executable, "-c", block("python")], cwd=tmp_path, capture_output=True, text=True,
                             timeout=300)
    assert program.returncode == 0, program.stderr
    assert program.stdout.split() == printed.stdout.split()


def test_field_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    assert committed == field_reference.render(), "stale: run python -m govstd.standards.field_reference"


def test_field_reference_names_every_key() -> None:
    text = field_reference.render()
    defs = shipped_schema()["$defs"]
    for name, node in defs.items():
        assert f"## {name} {{#{name.lower()}}}" in text, name
        section = text.split(f"## {name} ")[1].split("\n## ")[0]
        for key in node.get("properties", {}):
            assert f"| `{key}` |" in section, (name, key)
    assert "| `name` | string | **required** |" in text and "| `data_type` |" in text


def test_check_kinds_page_matches_the_derivation() -> None:
    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    rows = {m.group(1): (m.group(2), m.group(3))
            for m in re.finditer(r"^\| `([a-z_]+)` \| ([a-z]+) \| ([^|]+?) \|", text, re.M)}
    expected = {kind: (dim.value, indicator) for kind, (dim, indicator) in INDICATORS.items()}
    assert rows == expected
