"""``govstd site build`` and ``govstd site serve`` as a user runs them (real subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from site_testlib import make_registry

PY = [sys.executable, "-m", "govstd"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PY, *args], capture_output=True, text=True, timeout=300, env=env)


def test_site_build_and_serve(tmp_path: Path) -> None:
    make_registry(tmp_path / "registry.sqlite").close()
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    out = tmp_path / "site"
    proc = run("site", "build", "--registry", url, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "built" in proc.stdout and "pages" in proc.stdout
    assert (out / "standards/gb11643/1.0.0/index.html").is_file()

    server = subprocess.Popen([*PY, "site", "serve", "--no-build", "--out", str(out), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "COLUMNS": "200"})
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        address = line.split("at ", 1)[1].split()[0]
        assert address.startswith("http://127.0.0.1:")
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(address + "standards/gb11643/", timeout=5) as response:
                    assert "公民身份号码" in response.read().decode("utf-8")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_empty_registry_is_a_clear_error(tmp_path: Path) -> None:
    from govstd.registry.store import Registry

    Registry(f"sqlite:///{tmp_path / 'empty.sqlite'}", create=True).close()
    proc = run("site", "build", "--registry", f"sqlite:///{tmp_path / 'empty.sqlite'}", "--out", str(tmp_path / "s"))
    assert proc.returncode == 2
    assert "is empty" in proc.stderr and "govstd registry init" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_refuses_a_foreign_output_directory(tmp_path: Path) -> None:
    make_registry(tmp_path / "registry.sqlite").close()
    out = tmp_path / "home"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    proc = run("site", "build", "--registry", f"sqlite:///{tmp_path / 'registry.sqlite'}", "--out", str(out))
    assert proc.returncode == 2 and "refusing" in proc.stderr
    assert (out / "notes.txt").read_text() == "keep me"
