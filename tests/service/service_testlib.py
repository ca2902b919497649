"""Helpers of the service tests: a real ``govstd serve`` (uvicorn) as a separate OS process on a free
loopback port, the CLI with a clean environment, and catalogue schemas in a department's namespace."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

SRC = str(Path(__file__).resolve().parents[2] / "src")


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GOVSTD_")}
    base["PYTHONPATH"] = SRC + os.pathsep + base.get("PYTHONPATH", "")
    return {**base, **extra}


def govstd(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "govstd", *map(str, args)], capture_output=True, text=True,
                          env=env(), timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Service:
    """A running ``govstd serve``: its URL, registry, tokens by name, and the log it wrote."""

    url: str
    registry: str
    process: subprocess.Popen[str]
    log_path: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens.get(token, token)}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def token(self, name: str, department: str, role: str, *extra: str) -> str:
        out = govstd("token", "create", "--registry", self.registry, "--department", department, "--role", role,
                     "--name", name, "--json", *extra)
        secret: str = json.loads(out.stdout)["token"]
        self.tokens[name] = secret
        return secret

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_service(registry: str, workdir: Path, *options: str) -> Iterator[Service]:
    port = _free_port()
    log_path = workdir / f"serve-{port}.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "govstd", "serve", "--registry", registry, "--port", str(port), *options],
            stdout=log, stderr=subprocess.STDOUT, text=True, env=env(),
        )
    service = Service(f"http://127.0.0.1:{port}", registry, process, log_path)
    try:
        deadline = time.monotonic() + 120  # a hang guard only
        while True:
            assert process.poll() is None, service.log()
            try:
                if httpx.get(service.url + "/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, service.log()
            time.sleep(0.2)
        yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def catalogue(department: str, number: str = "00001", version: str = "1.0.0", **changes: Any) -> dict[str, Any]:
    """A catalogue schema in ``department``'s namespace (id ``DEPT-NUMBER``), bound to built-in standards."""
    return {
        "kind": "catalogue_schema", "id": f"{department}-{number}", "version": version, "status": "standard",
        "name_zh": f"{department}户籍人口信息", "provider": {"name": "某市公安局", "code": "11510100MB1234567X"},
        "share": {"share_type": "conditional", "conditions": "仅限政务用途"}, "update_cycle": "monthly",
        "fields": [
            {"name": "xm", "name_zh": "姓名", "length": 50, "required": True, "pii": "name"},
            {"name": "gmsfhm", "name_zh": "公民身份号码", "standard": "GB11643@^1", "required": True, "key": True},
        ],
        **changes,
    }


def sign_scorecard(card: dict[str, Any], key: Path, path: Path) -> dict[str, Any]:
    """``card`` written to ``path`` and signed by ``govstd scorecard sign``: its detached signature."""
    path.write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
    govstd("scorecard", "sign", path, "--key", key)
    signature: dict[str, Any] = json.loads(path.with_name(path.name + ".sig").read_text(encoding="utf-8"))
    return signature
