"""``govstd registry …`` as a steward uses it, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from registry_testlib import SCHEMA, CliResult, subprocess_env

Cli = Callable[..., CliResult]

SCHEMA_YAML = """\
# 成都市户籍人口信息 — authored by the 市公安局 data steward
kind: catalogue_schema
id: 510100-00001
version: {version}
status: standard
name_zh: 成都市户籍人口信息
provider: {{name: 成都市公安局, code: 11510100MB1234567X}}
share: {{share_type: 有条件共享, conditions: 仅限政务用途, method: 接口}}
update_cycle: 每月
sensitivity: 重要
fields:
  - {{name: xm, name_zh: 姓名, length: {xm_length}, required: true, pii: name}}
  - {{name: gmsfhm, name_zh: 公民身份号码, standard: GB11643@^1, required: true, key: true}}
  - {{name: xb, name_zh: 性别, code_set: GBT2261.1@^1}}
{extra}"""
PHONE = "  - {name: lxdh, name_zh: 联系电话, standard: mobile_phone@^1}\n"


def author(tmp_path: Path, version: str, *, xm_length: int = 50, phone: bool = True) -> Path:
    path = tmp_path / f"schema-{version}.yaml"
    path.write_text(SCHEMA_YAML.format(version=version, xm_length=xm_length, extra=PHONE if phone else ""),
                    encoding="utf-8")
    return path


def test_steward_scenario_end_to_end(cli: Cli, registry_url: str, tmp_path: Path) -> None:
    """The issue's "done when": author, publish 1.0.0, be refused a breaking 1.1.0 with reasons,
    publish 2.0.0, diff, retire 1.0.0."""
    reg = ["registry", "--registry", registry_url]
    assert cli(*reg, "init", "--actor", "admin").code == 0

    first = cli(*reg, "publish", str(author(tmp_path, "1.0.0")), "--actor", "steward", "-m", "first", "--json")
    assert first.code == 0, first.err
    assert first.json()["outcomes"][0] | {"id": "510100-00001", "action": "published"} == first.json()["outcomes"][0]

    breaking = author(tmp_path, "1.1.0", xm_length=20, phone=False)
    refused = cli(*reg, "publish", str(breaking), "--actor", "steward", "--json")
    assert refused.code == 2
    error = refused.json()["error"]
    assert error["code"] == "incompatible" and error["suggested_version"] == "2.0.0"
    for needle in ("510100-00001@1.1.0 breaks BACKWARD compatibility with 510100-00001@1.0.0",
                   "fields.lxdh", "fields.xm.length 50 → 20"):
        assert needle in error["message"], error["message"]
    assert "publish it as 2.0.0" in refused.err and "Traceback" not in refused.err
    again = cli(*reg, "publish", str(breaking), "--allow-breaking")  # not a way around within 1.x
    assert again.code == 2 and "does not apply within a line" in again.err

    second = author(tmp_path, "2.0.0", xm_length=20, phone=False)
    unconfirmed = cli(*reg, "publish", str(second))
    assert unconfirmed.code == 2 and "--allow-breaking" in unconfirmed.err
    published = cli(*reg, "publish", str(second), "--allow-breaking", "--actor", "steward", "-m", "v2", "--json")
    assert published.code == 0, published.err
    outcome = published.json()["outcomes"][0]
    assert outcome["previous"] == "510100-00001@1.0.0" and outcome["suggested_bump"] == "major"
    assert {c["path"] for c in outcome["breaking_acknowledged"]} == {"fields.lxdh", "fields.xm.length"}

    diff = cli(*reg, "diff", "510100-00001@1.0.0", "510100-00001@2.0.0", "--json")
    assert diff.code == 0
    data = diff.json()
    assert (data["compatible"], data["compatibility"], data["suggested_bump"]) == (False, "FORWARD", "major")
    assert {c["path"] for c in data["changes"] if c["breaking"]} == {"fields.lxdh", "fields.xm.length"}
    human = cli(*reg, "diff", "510100-00001@1.0.0", "510100-00001@2.0.0")
    assert human.code == 0 and "fields.xm.length" in human.out and "BREAKING" in human.out

    retired = cli(*reg, "status", "510100-00001@1.0.0", "retired", "-m", "replaced by 2.0.0",
                  "--actor", "office", "--json")
    assert retired.code == 0 and retired.json()["status"] == "retired"
    shown = cli(*reg, "show", "510100-00001", "--json").json()
    assert shown["entry"]["version"] == "2.0.0" and shown["published"]["published_by"] == "steward"
    old = cli(*reg, "show", "510100-00001@1.0.0", "--json").json()
    assert old["entry"]["status"] == "retired"  # still readable: links must not rot
    gone = cli(*reg, "show", "510100-00001@^1")
    assert gone.code == 2 and "no version of 510100-00001 matches" in gone.err

    history = cli(*reg, "history", "510100-00001", "--json").json()
    assert [(e["action"], e["actor"], e["version"], e["message"]) for e in history["events"]] == [
        ("publish", "steward", "1.0.0", "first"),
        ("publish", "steward", "2.0.0", "v2"),
        ("status", "office", "1.0.0", "replaced by 2.0.0"),
    ]
    listed = {s["id"]: s for s in cli(*reg, "list", "--json").json()}
    assert listed["510100-00001"]["versions"] == ["1.0.0", "2.0.0"] and listed["510100-00001"]["latest"] == "2.0.0"
    for command in (["list"], ["history", "510100-00001"], ["show", "510100-00001"], ["show", "GBT2260"]):
        rendered = cli(*reg, *command)
        assert rendered.code == 0 and rendered.out, (command, rendered.err)


def test_diff_previews_a_yaml_file_against_the_registry(cli: Cli, registry_url: str, tmp_path: Path) -> None:
    reg = ["registry", "--registry", registry_url]
    cli(*reg, "init")
    cli(*reg, "publish", str(author(tmp_path, "1.0.0")))
    preview = cli(*reg, "diff", "510100-00001", str(author(tmp_path, "1.1.0", xm_length=60)), "--json")
    assert preview.code == 0
    assert [(c["path"], c["breaking"]) for c in preview.json()["changes"]] == [("fields.xm.length", False)]


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("kind: catalogue_schema\nid: x\nname_zh: a: b\n", 3, "not valid YAML"),
        (SCHEMA_YAML.format(version="1.0.0", xm_length=-5, extra=""), 12, "fields[0].length"),
        (SCHEMA_YAML.format(version="1.0", xm_length=5, extra=""), 4, "version"),
        ("kind: catalog\nid: x\n", None, "missing or unknown 'kind'"),  # loader gives no line
        (SCHEMA_YAML.format(version="1.0.0", xm_length=5, extra="  - {name: xm}\n"), None, "repeated: xm"),
        # ruamel raised a bare ValueError for an impossible date: "not valid YAML", no line.
        (SCHEMA_YAML.format(version="1.0.0", xm_length=5, extra="").replace("update_cycle", "publish_date: "
                                                                            "2024-02-30\nupdate_cycle"),
         9, "'2024-02-30' is not a real date"),
    ],
    ids=["syntax", "field-value", "semver", "kind", "duplicate-field", "impossible-date"],
)
def test_bad_yaml_names_file_line_and_field(cli: Cli, registry_url: str, tmp_path: Path, text: str,
                                            line: int | None, needle: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("registry", "--registry", registry_url, "publish", str(path), "--json")
    assert result.code == 2
    error = result.json()["error"]
    assert error["code"] == "input" and error["path"] == str(path) and needle in error["message"]
    if line is not None:
        assert error["line"] == line and f"{path}:{line}" in result.err
    assert "Traceback" not in result.err


def test_unknown_references_name_close_matches(cli: Cli, registry_url: str, tmp_path: Path) -> None:
    reg = ["registry", "--registry", registry_url]
    cli(*reg, "init")
    shown = cli(*reg, "show", "GB1164")
    assert shown.code == 2 and "unknown standard: 'GB1164'" in shown.err and "did you mean GB11643" in shown.err
    as_json = cli(*reg, "show", "gbt226", "--json")
    assert as_json.code == 2 and "GBT2260" in as_json.json()["error"]["suggestions"]
    history = cli(*reg, "history", "mobile-phone")
    assert history.code == 2 and "mobile_phone" in history.err
    typo = author(tmp_path, "1.0.0")
    typo.write_text(typo.read_text(encoding="utf-8").replace("GB11643@^1", "GB11634@^1"), encoding="utf-8")
    published = cli(*reg, "publish", str(typo))
    assert published.code == 2
    assert "fields.gmsfhm.standard: unknown data element 'GB11634@^1'" in published.err
    assert "did you mean GB11643" in published.err


def test_status_needs_a_message_and_an_allowed_move(cli: Cli, registry_url: str) -> None:
    reg = ["registry", "--registry", registry_url]
    cli(*reg, "init")
    assert cli(*reg, "status", "GB11643@1.0.0", "retired").code == 2  # --message is required
    bad = cli(*reg, "status", "GB11643@1.0.0", "candidate", "-m", "demote")
    assert bad.code == 2 and "allowed from standard" in bad.err
    unknown = cli(*reg, "status", "GB11643@1.0.0", "finished", "-m", "x")
    assert unknown.code == 2 and "unknown registration status" in unknown.err


def test_compatibility_command(cli: Cli, registry_url: str) -> None:
    reg = ["registry", "--registry", registry_url]
    cli(*reg, "init")
    assert cli(*reg, "compatibility", "GB11643", "--json").json()["compatibility"] == "BACKWARD"
    assert cli(*reg, "compatibility", "GB11643", "full_transitive", "-m", "national standard").code == 0
    assert cli(*reg, "compatibility", "gb11643", "--json").json()["compatibility"] == "FULL_TRANSITIVE"


def test_export_and_import_across_registries(cli: Cli, registry_url: str, tmp_path: Path) -> None:
    reg = ["registry", "--registry", registry_url]
    cli(*reg, "init")
    dump = tmp_path / "dump.json"
    key = tmp_path / "exporter.key"
    assert cli("registry", "keygen", str(key)).code == 0
    exported = cli(*reg, "export", "-o", str(dump), "--signing-key", str(key), "--json")
    assert exported.code == 0 and exported.json()["versions"] == 11
    assert json.loads(cli(*reg, "export").out)["format"] == "govstd-registry-export"
    target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    assert cli("registry", "--registry", target, "init", "--empty").code == 0
    untrusted = cli("registry", "--registry", target, "import", str(dump))
    assert untrusted.code == 2 and "not trusted" in untrusted.err
    imported = cli("registry", "--registry", target, "import", str(dump), "--trusted-key", f"{key}.pub", "--json")
    assert imported.code == 0 and imported.json()["versions_added"] == 11
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    failed = cli("registry", "--registry", target, "import", str(broken))
    assert failed.code == 2 and "not valid JSON" in failed.err


def test_registry_location_from_environment_and_default(tmp_path: Path) -> None:
    """GOVSTD_REGISTRY picks the database; without it the default file under the user data dir is used
    (created by `registry init` only). Runs `python -m govstd` as a user would."""
    env = subprocess_env(GOVSTD_REGISTRY=str(tmp_path / "env.sqlite"))
    proc = subprocess.run([sys.executable, "-m", "govstd", "registry", "init", "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["registry"] == f"sqlite:///{tmp_path / 'env.sqlite'}"
    home = subprocess_env(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"))
    default = tmp_path / "xdg" / "govstd" / "registry.sqlite"
    proc = subprocess.run([sys.executable, "-m", "govstd", "registry", "list", "--json"],
                          capture_output=True, text=True, env=home, timeout=120)
    assert proc.returncode == 2 and "no registry at" in proc.stdout and not default.exists()
    proc = subprocess.run([sys.executable, "-m", "govstd", "registry", "init", "--empty"],
                          capture_output=True, text=True, env=home, timeout=120)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "govstd", "registry", "list", "--json"],
                          capture_output=True, text=True, env=home, timeout=120)
    assert proc.returncode == 0 and json.loads(proc.stdout) == [], proc.stderr
    assert default.is_file()
    helped = subprocess.run([sys.executable, "-m", "govstd", "registry", "--help"], capture_output=True, text=True,
                            env=home, timeout=120)
    assert str(tmp_path / "xdg" / "govstd" / "registry.sqlite") in helped.stdout


def test_sample_schema_matches_the_yaml_scenario() -> None:
    # The API tests' SCHEMA and this file's YAML describe the same dataset.
    assert SCHEMA["id"] == "510100-00001" and len(SCHEMA["fields"]) == 4
