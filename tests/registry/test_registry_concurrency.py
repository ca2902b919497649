"""Real OS processes racing on one registry, and a publish killed with SIGKILL midway.

Nothing here uses a Python lock: the database (UNIQUE constraint, transactions, row/write locks) is
what must make exactly one publisher win and leave no trace of a killed one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from registry_testlib import CODE_SET, build, codes, govstd_process, subprocess_env, write_yaml

from govstd.registry.store import HOLD_ENV, HOLD_FILE_ENV, Registry


def _finish(proc: subprocess.Popen[str], timeout: float = 90) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _state(reg: Registry) -> dict[str, object]:
    dump = reg.export()
    dump.pop("exported_at")
    return dump


@pytest.mark.parametrize("existing", [False, True], ids=["new-standard", "new-version"])
def test_two_processes_publish_the_same_new_version(registry_url: str, tmp_path: Path, existing: bool) -> None:
    with Registry(registry_url, create=True) as reg:
        if existing:
            reg.publish([build(CODE_SET)])
    version = "1.1.0" if existing else "1.0.0"
    files = [
        write_yaml(tmp_path / f"{who}.yaml", build(CODE_SET, version, codes=codes("1", "2", "3", extra),
                                                   definition_zh=f"written by {who}"))
        for who, extra in (("alice", "4"), ("bob", "5"))
    ]
    # Each holds its transaction open for a moment after writing, so the two surely overlap.
    procs = [
        govstd_process("registry", "--registry", registry_url, "publish", str(f), "--json", "--actor", f.stem,
                       **{HOLD_ENV: "0.7"})
        for f in files
    ]
    results = [_finish(p) for p in procs]
    codes_ = sorted(r[0] for r in results)
    assert codes_ == [0, 2], results
    winner = next(json.loads(out) for rc, out, _ in results if rc == 0)
    loser_out, loser_err = next((out, err) for rc, out, err in results if rc == 2)
    error = json.loads(loser_out)["error"]
    assert error["code"] in {"immutable", "conflict"}, error
    assert f"TEST_CS@{version}" in error["message"] and "error:" in loser_err and "Traceback" not in loser_err
    assert winner["outcomes"][0]["action"] == "published"
    with Registry(registry_url, create=True) as reg:
        versions = reg.versions("TEST_CS")
        assert [v.version for v in versions].count(version) == 1
        stored = reg.get("TEST_CS", version)
        winner_name = next(v.published_by for v in versions if v.version == version)
        assert stored.definition_zh == f"written by {winner_name}"
        assert sum(e.version == version for e in reg.history("TEST_CS")) == 1


_RACER = textwrap.dedent(
    """
    import sys, time
    from govstd.errors import ConflictError
    from govstd.registry.store import Registry
    from govstd.standards.loader import load_file
    url, path, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    entries = load_file(path)
    reg = Registry(url, create=True)
    time.sleep(max(0.0, start - time.time()))  # every racer starts on the same instant
    try:
        outcome = reg.publish(entries, actor=path)[0]
        print(outcome.action.value)
    except ConflictError as exc:
        print("conflict:" + exc.code)
    """
)


def test_racers_started_on_the_same_instant_on_a_fresh_registry(registry_url: str, tmp_path: Path) -> None:
    """Four processes open a registry nobody has migrated yet and publish one version at once."""
    files = [write_yaml(tmp_path / f"racer{i}.yaml", build(CODE_SET, codes=codes("1", str(10 + i))))
             for i in range(4)]
    files.append(write_yaml(tmp_path / "twin.yaml", build(CODE_SET, codes=codes("1", "10"))))  # = racer0
    start = time.time() + 3.0
    procs = [
        subprocess.Popen([sys.executable, "-c", _RACER, registry_url, str(f), str(start)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
        for f in files
    ]
    results = [_finish(p) for p in procs]
    assert all(rc == 0 for rc, _, _ in results), results
    verdicts = [out.strip() for _, out, _ in results]
    assert verdicts.count("published") == 1, verdicts
    assert all(v in {"published", "unchanged", "conflict:immutable"} for v in verdicts), verdicts
    with Registry(registry_url, create=True) as reg:
        assert [v.version for v in reg.versions("TEST_CS")] == ["1.0.0"]
        assert len(reg.audit_log()) == 1


def test_a_publish_killed_midway_leaves_the_registry_as_before(registry_url: str, tmp_path: Path) -> None:
    with Registry(registry_url, create=True) as reg:
        reg.publish([build(CODE_SET)], actor="before")
        before = _state(reg)
    batch = [
        write_yaml(tmp_path / "a.yaml", build(CODE_SET, "1.1.0", codes=codes("1", "2", "3", "4"))),
        write_yaml(tmp_path / "b.yaml", build({**CODE_SET, "id": "NEW_CS", "aliases": ["new-codes"]})),
    ]
    marker = tmp_path / "inside-transaction"
    proc = govstd_process("registry", "--registry", registry_url, "publish", *map(str, batch),
                          **{HOLD_ENV: "60", HOLD_FILE_ENV: str(marker)})
    deadline = time.time() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, "the publish never reached its transaction"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Registry(registry_url, create=True) as reg:
        assert _state(reg) == before
        # Nothing is left locked either: the same batch goes through now.
        outcomes = reg.publish([build(CODE_SET, "1.1.0", codes=codes("1", "2", "3", "4")),
                                build({**CODE_SET, "id": "NEW_CS", "aliases": ["new-codes"]})])
        assert [o.action.value for o in outcomes] == ["published", "published"]
