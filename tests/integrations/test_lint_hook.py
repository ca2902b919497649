"""The pre-commit hook for standards repositories: ``.pre-commit-hooks.yaml``'s entry, run on a good and
on a bad repository, against a registry holding the published versions."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from govstd.registry.store import Registry
from govstd.standards.loader import load_text

CODES = """\
kind: code_set
id: TEST_CS
version: {version}
status: standard
name_zh: 测试代码集
codes:
{codes}
"""

SCHEMA = """\
kind: catalogue_schema
id: 510100-00009
version: {version}
status: standard
name_zh: 测试目录
provider: {{name: 某市某局}}
share: {{share_type: conditional}}
fields:
  - {{name: gmsfhm, name_zh: 公民身份号码, standard: "GB11643@^1", required: true, key: true}}
  - {{name: lb, name_zh: 类别, code_set: "TEST_CS@^1"}}
{extra}"""


def codes(version: str, *wanted: str) -> str:
    return CODES.format(version=version, codes="\n".join(f"  - {{code: '{c}', label_zh: 标签{c}}}" for c in wanted))


def schema(version: str, extra: str = "") -> str:
    return SCHEMA.format(version=version, extra=extra)


@pytest.fixture(scope="module")
def registry_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registry with the national library, TEST_CS@1.0.0 and 510100-00009@1.0.0 published."""
    url = f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.sqlite'}"
    with Registry(url) as reg:
        reg.init(actor="test")
        reg.publish([*load_text(codes("1.0.0", "1", "2", "3")), *load_text(schema("1.0.0"))], actor="test")
    return url


def hook() -> dict[str, Any]:
    hooks: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["govstd-lint"]
    return hooks[0]


def run_hook(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """What pre-commit does: the hook's entry, its args, then the staged files it matches."""
    spec = hook()
    entry = shlex.split(spec["entry"])
    script = Path(sys.executable).parent / entry[0]
    command = [str(script), *entry[1:]] if script.exists() else [sys.executable, "-m", "govstd", *entry[1:]]
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*.yaml"))
    import re

    files = [f for f in files if not re.search(spec["exclude"], f)]
    return subprocess.run([*command, *args, *files], cwd=repo, capture_output=True, text=True, timeout=180)


def write(repo: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return repo


def test_good_repository_passes(tmp_path: Path, registry_url: str) -> None:
    repo = write(tmp_path, {
        "standards/codes.yaml": codes("1.0.0", "1", "2", "3"),                     # unchanged
        "standards/schema.yaml": schema("1.1.0", "  - {name: bz, name_zh: 备注}\n"),  # a new optional field
        ".pre-commit-config.yaml": "repos: []\n",                                 # configuration: excluded
    })
    proc = run_hook(repo, "--registry", registry_url)
    assert proc.returncode == 0, proc.stderr
    assert "2 file(s) checked: 0 error(s)" in proc.stderr


def test_bad_repository_fails_with_every_problem_named(tmp_path: Path, registry_url: str) -> None:
    repo = write(tmp_path, {
        "standards/codes.yaml": codes("1.1.0", "1", "2"),                         # removes code 3 in 1.x
        "standards/schema.yaml": schema("1.0.0", "  - {name: bz, name_zh: 备注, required: true}\n"),  # changed 1.0.0
        "standards/typo.yaml": schema("1.0.0").replace("510100-00009", "510100-00010").replace(
            "name_zh: 测试目录", "name_zh: 测试目录\nupdate_cylce: daily"),
        "standards/unknown.yaml": schema("1.0.0").replace("510100-00009", "510100-00011").replace(
            "TEST_CS@^1", "NO_SUCH_CS@^1"),
    })
    proc = run_hook(repo, "--registry", registry_url)
    assert proc.returncode == 1
    err = proc.stderr
    assert "standards/codes.yaml: error: TEST_CS@1.1.0: breaks BACKWARD compatibility with TEST_CS@1.0.0" in err
    assert "codes[3]" in err  # which code, which earlier version
    assert "standards/schema.yaml: error: 510100-00009@1.0.0: already published with different content" in err
    assert "standards/typo.yaml:6:1: error: update_cylce: Extra inputs are not permitted" in err
    assert "standards/unknown.yaml: error: 510100-00011@1.0.0:" in err and "NO_SUCH_CS" in err
    assert "4 file(s) checked: 4 error(s)" in err


def test_without_a_registry_it_still_lints(tmp_path: Path) -> None:
    repo = write(tmp_path, {"standards/codes.yaml": codes("1.1.0", "1", "2"),
                            "standards/schema.yaml": schema("1.0.0")})
    proc = run_hook(repo)
    assert proc.returncode == 0, proc.stderr  # TEST_CS resolves in the batch; compatibility needs a registry
    assert "compatibility not checked (no --registry)" in proc.stderr
