"""Submitting a scorecard (``govstd validate --submit URL``, ``govstd scorecard submit``) never shows the
service URL's secrets (``user:password@``, ``?token=``) nor what a server answered, raw: not when it is
stored, not when nothing listens, not when the server (a real ``govstd serve``, or a real HTTP server
standing in for a misconfigured proxy) refuses or answers something that is no submission."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from service_testlib import Service, env

from govstd import demo

SECRETS = ("pw5ecret", "tok5ecret")
ID = "11010119900307123X"


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _submit(scorecard_file: Path, service: str, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", "scorecard", "submit", str(scorecard_file),
                           "--service", service], capture_output=True, text=True, env=env(GOVSTD_TOKEN=token),
                          timeout=120)


def _assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and ID not in out, out
    assert not [s for s in SECRETS if s in out], out


def test_validate_submit_names_the_service_masked(make_service: Callable[..., Service], tmp_path: Path) -> None:
    svc = make_service()
    token = svc.token("ci", "510100", "publisher")
    records, _ = demo.generate(50, seed=7)
    data = demo.write_csv(records, tmp_path / "people.csv")
    schema = tmp_path / "schema.yaml"
    schema.write_text(demo.schema_yaml("conditional"), encoding="utf-8")
    url = svc.url + "/?token=tok5ecret"  # a token in the query: the submission still goes to /scorecards
    done = subprocess.run([sys.executable, "-m", "govstd", "validate", str(data), "--schema-file", str(schema),
                           "-q", "--submit", url], capture_output=True, text=True, env=env(GOVSTD_TOKEN=token),
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr
    assert f"submitted the scorecard to {svc.url}/?token=*** as 510100/" in done.stderr
    _assert_clean(done)


def test_a_refusal_names_the_service_masked(make_service: Callable[..., Service], scorecard_file: Path) -> None:
    svc = make_service()
    port = svc.url.rsplit(":", 1)[1]
    refused = _submit(scorecard_file, f"http://ci:pw5ecret@127.0.0.1:{port}/?token=tok5ecret", "govstd_" + "x" * 43)
    assert refused.returncode == 2 and "refused the scorecard (401)" in refused.stderr, refused.stderr
    assert f"http://ci:***@127.0.0.1:{port}/?token=***" in refused.stderr
    _assert_clean(refused)


@pytest.mark.parametrize("url", [
    "http://ci:pw5ecret@127.0.0.1:{port}/api?token=tok5ecret",
    "http://ci:pw5ecret@w@127.0.0.1:{port}/?access_token=tok5ecret",  # an '@' in the password
    "http://ci:pw5ecret@[::1/?token=tok5ecret",  # not a URL httpx can parse (no closing bracket)
])
def test_an_unreachable_service_is_named_masked(scorecard_file: Path, url: str) -> None:
    proc = _submit(scorecard_file, url.format(port=_closed_port()), "govstd_" + "x" * 43)  # nothing listens there
    assert proc.returncode == 2 and "cannot reach http://" in proc.stderr, proc.stderr
    _assert_clean(proc)


# --------------------------------------------------------------------------- a server that is no registry

#: What a proxy or another service in front of the registry may answer: status, content type, body.
ANSWERS = {
    "html error page": (502, "text/html", f"<h1>Bad gateway</h1> POST /?token=tok5ecret {ID}"),
    "broken json": (500, "application/problem+json", '{"detail": "' + ID),
    "detail not a string": (422, "application/json", json.dumps({"detail": [{"input": ID, "loc": ["body"]}],
                                                                 "hint": {"echo": ID}})),
    "json but not an object": (200, "application/json", json.dumps([ID])),
    "an object but no submission": (201, "application/json", json.dumps({"ok": True, "echo": ID})),
    "html with 200": (200, "text/html; charset=utf-8", f"<p>login first {ID}</p>"),
}


@pytest.fixture(scope="module")
def foreign_server() -> Iterator[tuple[str, dict[str, tuple[int, str, str]]]]:
    """A real HTTP server on a free loopback port answering every POST with ``answer["now"]``."""
    answer: dict[str, tuple[int, str, str]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, content_type, body = answer["now"]
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://ci:pw5ecret@127.0.0.1:{server.server_address[1]}/?token=tok5ecret", answer
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("kind", list(ANSWERS))
def test_an_answer_that_is_no_submission_is_a_clear_error(
        foreign_server: tuple[str, dict[str, tuple[int, str, str]]], scorecard_file: Path, kind: str) -> None:
    url, answer = foreign_server
    answer["now"] = ANSWERS[kind]
    status = ANSWERS[kind][0]
    proc = _submit(scorecard_file, url, "govstd_" + "x" * 43)
    assert proc.returncode == 2, proc.stderr
    said = f"refused the scorecard ({status})" if status >= 400 else f"answered {status} without a stored submission"
    assert said in proc.stderr, proc.stderr
    assert "http://ci:***@127.0.0.1:" in proc.stderr and "token=***" in proc.stderr
    assert "input" not in proc.stderr and "echo" not in proc.stderr and "<" not in proc.stderr
    _assert_clean(proc)
