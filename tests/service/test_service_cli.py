"""The CLI against a registry service: ``govstd registry … --service URL`` with a token drives a real
``govstd serve`` (uvicorn, loopback) and must print what the same command prints against the database
— the local command's ``--json`` output is the oracle — with the same exit codes; the token must never
appear in any output or in the server's log. Also: token audit events, and the dashboard's cache."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from service_testlib import Service, catalogue, env, govstd

from govstd.registry.store import Registry


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    svc = make_service()
    svc.token("chengdu-ci", "510100", "publisher")
    svc.token("mianyang-ci", "510700", "publisher")
    svc.token("authority", "510000", "admin")
    return svc


def run(service: Service, *args: str | Path, token: str | None = None,
        **extra: str) -> subprocess.CompletedProcess[str]:
    """The real CLI (a separate process), with the service and token in GOVSTD_SERVICE / GOVSTD_TOKEN —
    never on the command line, unless a test puts it there."""
    variables = {"GOVSTD_SERVICE": service.url, "COLUMNS": "200", **extra}
    if token is not None:
        variables["GOVSTD_TOKEN"] = service.tokens.get(token, token)
    proc = subprocess.run([sys.executable, "-m", "govstd", "--lang", "en", *map(str, args)], capture_output=True,
                          text=True, env=env(**variables), timeout=300)
    for secret in service.tokens.values():
        assert secret not in proc.stdout and secret not in proc.stderr, args
    return proc


def local(service: Service, *args: str | Path) -> Any:
    """The same command against the registry database: the oracle (its ``--json`` output)."""
    proc = govstd("--lang", "en", *args, "--registry", service.registry, "--json", check=False)
    return json.loads(proc.stdout)


def remote_json(service: Service, *args: str | Path, token: str, code: int = 0) -> Any:
    proc = run(service, *args, "--json", token=token)
    assert proc.returncode == code, proc.stderr
    return json.loads(proc.stdout)


def write_yaml(path: Path, entry: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    return path


def test_publish_list_show_status_through_the_service(service: Service, tmp_path: Path) -> None:
    ours = write_yaml(tmp_path / "chengdu.yaml", catalogue("510100"))
    published = run(service, "registry", "publish", ours, "-m", "成都目录", token="chengdu-ci")
    assert published.returncode == 0, published.stderr
    assert "510100-00001@1.0.0" in published.stdout and "published" in published.stdout

    # Reading: the same JSON documents as the local commands print.
    for command in (("registry", "list"), ("registry", "list", "--kind", "catalogue_schema"),
                    ("registry", "show", "510100-00001@^1"), ("registry", "show", "GB/T 2260"),
                    ("registry", "history", "510100-00001"), ("registry", "compatibility", "510100-00001"),
                    ("registry", "diff", "510100-00001@1.0.0", "510100-00001@latest"),
                    ("registry", "find-item", "--name", "户籍")):
        assert remote_json(service, *command, token="mianyang-ci") == local(service, *command), command
    history = remote_json(service, "registry", "history", "510100-00001", token="chengdu-ci")
    (event,) = history["events"]
    assert event["actor"].startswith("510100/chengdu-ci (token ") and event["message"] == "成都目录"

    # A department publishes only in its namespace: refused with the CLI's error and exit code.
    theirs = write_yaml(tmp_path / "mianyang.yaml", catalogue("510700"))
    refused = run(service, "registry", "publish", theirs, token="chengdu-ci")
    assert refused.returncode == 2 and "error: department 510100 publishes only ids beginning with" in refused.stderr
    answer = remote_json(service, "registry", "publish", theirs, token="chengdu-ci", code=2)
    assert answer["error"]["code"] == "forbidden"

    # A breaking change within a line: the same refusal, member for member, as the local command's.
    breaking = catalogue("510100", version="1.1.0")
    breaking["fields"] = breaking["fields"][1:]
    path = write_yaml(tmp_path / "breaking.yaml", breaking)
    expected = local(service, "registry", "publish", path, "--dry-run")
    assert expected["error"]["code"] == "incompatible"
    assert remote_json(service, "registry", "publish", path, token="chengdu-ci", code=2) == expected

    # Statuses are an admin's: a publisher is refused (403 → exit 2); the admin's change is recorded as it.
    assert run(service, "registry", "status", "510100-00001@1.0.0", "retired", "-m", "x",
               token="chengdu-ci").returncode == 2
    not_exact = run(service, "registry", "status", "510100-00001@^1", "retired", "-m", "x", token="authority")
    assert not_exact.returncode == 2 and "one exact version" in not_exact.stderr
    info = remote_json(service, "registry", "status", "510100-00001@1.0.0", "superseded", "-m", "新版目录",
                       token="authority")
    assert info["status"] == "superseded" and info["status_changed_by"].startswith("510000/authority (token ")
    unknown = remote_json(service, "registry", "show", "510100-00002", token="authority", code=2)
    assert unknown == local(service, "registry", "show", "510100-00002")
    assert unknown["error"]["code"] == "not_found" and unknown["error"]["suggestions"] == ["510100-00001"]
    assert all(secret not in service.log() for secret in service.tokens.values())


def test_unusable_tokens_exit_2_and_are_never_shown(service: Service, tmp_path: Path) -> None:
    def refused(token: str | None, *options: str) -> str:
        proc = run(service, "registry", "list", *options, token=token)
        assert proc.returncode == 2, proc.stdout
        assert "Traceback" not in proc.stderr
        return proc.stderr

    assert "this request needs an API token" in refused(None)
    assert "the token is unknown, expired or revoked" in refused("govstd_" + "x" * 43)

    service.token("old", "510100", "reader", "--expires", "1")
    assert run(service, "registry", "list", token="old").returncode == 0  # until it expires
    with sqlite3.connect(service.registry.removeprefix("sqlite:///")) as conn:  # a day later, in effect
        conn.execute("UPDATE api_tokens SET expires_at = '2001-01-01 00:00:00.000000' WHERE name = 'old'")
    assert "the token is unknown, expired or revoked" in refused("old")

    leaked = service.token("leaked", "510100", "reader")
    assert run(service, "registry", "list", token="leaked").returncode == 0
    token_id = next(t["id"] for t in json.loads(govstd("token", "list", "--registry", service.registry,
                                                       "--json").stdout) if t["name"] == "leaked")
    govstd("token", "revoke", str(token_id), "--registry", service.registry)
    assert "the token is unknown, expired or revoked" in refused("leaked")

    # The token is never an option (a command line shows in process lists and shell histories).
    proc = run(service, "registry", "list", "--token", service.tokens["mianyang-ci"])
    assert proc.returncode == 2 and "--token" in proc.stderr
    assert service.tokens["mianyang-ci"] not in proc.stdout + proc.stderr
    # A token in the URL's query string is refused before any request, without quoting the URL.
    proc = run(service, "registry", "--service", f"{service.url}/?token={leaked}", "list", token="mianyang-ci")
    assert proc.returncode == 2 and "may not carry a query string" in proc.stderr
    # An unreachable service: the registry-unavailable error, exit 2.
    proc = run(service, "registry", "list", "--json", token="mianyang-ci", GOVSTD_SERVICE="http://127.0.0.1:9")
    assert proc.returncode == 2 and json.loads(proc.stdout)["error"]["code"] == "registry_unavailable"
    # --registry on the command line and --service together: a usage error.
    proc = run(service, "registry", "list", "--registry", service.registry, "--service", service.url, token="authority")
    assert proc.returncode == 2 and "not both" in proc.stderr
    # What only a database's operator does is refused through a service, before anything is done.
    for command in (("init", "--empty"), ("export",)):
        proc = run(service, "registry", *command, token="authority")
        assert proc.returncode == 2 and "is not available through a registry service" in proc.stderr, command
    log = service.log()
    assert "GET /standards" in log and all(secret not in log for secret in service.tokens.values())


def test_token_create_and_revoke_are_audited(service: Service) -> None:
    secret = service.token("ci-catalogue", "510100", "publisher", "--expires", "30")
    token_id = next(t["id"] for t in json.loads(govstd("token", "list", "--registry", service.registry,
                                                       "--json").stdout) if t["name"] == "ci-catalogue")
    govstd("token", "revoke", str(token_id), "--registry", service.registry)
    govstd("token", "revoke", str(token_id), "--registry", service.registry)  # again: nothing new to log

    events = remote_json(service, "registry", "history", token="authority")["events"]
    mine = [e for e in events if e["details"].get("token_id") == token_id]
    assert [e["action"] for e in mine] == ["token_create", "token_revoke"]
    for e in mine:
        assert e["details"]["department"] == "510100" and e["details"]["role"] == "publisher"
        assert e["details"]["name"] == "ci-catalogue" and e["details"]["expires_at"]
        assert e["actor"] and e["at"] and e["id"] is None
    assert mine[0]["at"] <= mine[1]["at"]
    assert events == local(service, "registry", "history")["events"]  # the service lists the same log
    table = run(service, "registry", "history", token="authority")
    assert table.returncode == 0 and f"token_revoke {token_id}: 510100 publisher" in table.stdout
    # The audit log names every department's tokens: admins only.
    assert remote_json(service, "registry", "history", token="chengdu-ci", code=2)["error"]["code"] == "forbidden"
    with sqlite3.connect(service.registry.removeprefix("sqlite:///")) as conn:
        stored = "\n".join(str(row) for row in conn.execute("SELECT * FROM audit_log"))
    assert secret not in stored and "token_create" in stored


def test_validate_resolves_the_schema_through_the_service(service: Service, tmp_path: Path) -> None:
    assert run(service, "registry", "publish", write_yaml(tmp_path / "v1.yaml", catalogue("510100")),
               token="chengdu-ci").returncode == 0
    assert run(service, "registry", "publish", write_yaml(tmp_path / "v11.yaml", catalogue("510100", version="1.1.0")),
               token="chengdu-ci").returncode == 0
    data = tmp_path / "people.csv"
    data.write_text("xm,gmsfhm\n张三,11010519491231002X\n", encoding="utf-8")  # GB 11643's own example
    proc = run(service, "validate", data, "--schema", "510100-00001@^1", "--service", service.url, "--json",
               token="mianyang-ci")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["schema_ref"] == "510100-00001@1.1.0"  # the newest 1.x, chosen by the service's resolver
    assert result["bindings"]["gmsfhm"]["standard"] == "GB11643@1.0.0"
    missing = run(service, "validate", data, "--schema", "510100-00009@^1", "--service", service.url,
                  token="mianyang-ci")
    assert missing.returncode == 2 and "unknown catalogue schema: '510100-00009'" in missing.stderr


# --------------------------------------------------------------------------- the dashboard's cache


def _submit(client: httpx.Client, scorecard_file: Path, month: int, score: float) -> None:
    card: dict[str, Any] = json.loads(scorecard_file.read_text(encoding="utf-8"))
    card["schema"] = {**card["schema"], "id": "510100-00001", "version": "1.0.0", "ref": "510100-00001@1.0.0"}
    card["finished_at"], card["score"] = f"2026-{month:02d}-15T02:00:00Z", score
    answer = client.post("/scorecards", json={"scorecard": card, "dataset": "户籍人口"})
    assert answer.status_code == 201, answer.text


def test_dashboard_answers_revalidate_until_a_submission(service: Service, scorecard_file: Path) -> None:
    with service.client("chengdu-ci") as chengdu:
        assert chengdu.post("/standards", json={"entries": [catalogue("510100")]}).status_code == 201
        _submit(chengdu, scorecard_file, 10, 70.0)
        params = {"period": "2026-11", "as_of": "2026-12-01T00:00:00+08:00"}
        first = chengdu.get("/dashboard/ranking", params=params)
        assert first.status_code == 200 and first.headers["etag"].startswith('W/"')
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert chengdu.get("/dashboard/ranking", params=params, headers={"If-None-Match": etag}).status_code == 304
        assert chengdu.get("/dashboard/ranking", params=params,
                           headers={"If-Modified-Since": modified}).status_code == 304
        # Another question is another answer, though from the same cached evaluation.
        other = chengdu.get("/dashboard/ranking", params={**params, "period": "2026-10"},
                            headers={"If-None-Match": etag})
        assert other.status_code == 200 and other.headers["etag"] != etag
        assert [r["score"] for r in other.json()["rows"]] == [70.0]

        _submit(chengdu, scorecard_file, 11, 95.0)
        after = chengdu.get("/dashboard/ranking", params=params, headers={"If-None-Match": etag})
        assert after.status_code == 200 and after.headers["etag"] != etag
        assert [(r["department"], r["score"]) for r in after.json()["rows"]] == [("510100", 95.0)]
        page = chengdu.get("/dashboard", params=params)
        assert page.status_code == 200 and "510100" in page.text and page.headers["etag"] != after.headers["etag"]
    with service.client() as anonymous:  # a cached answer is still only for a token
        assert anonymous.get("/dashboard/ranking", params=params, headers={"If-None-Match": etag}).status_code == 401


def test_one_evaluation_per_state_of_the_submissions(tmp_path: Path, initialised_registry: Path,
                                                     scorecard_file: Path) -> None:
    from fastapi.testclient import TestClient

    from govstd.service import Settings, create_app

    copy = tmp_path / "registry.sqlite"
    copy.write_bytes(initialised_registry.read_bytes())
    reg = Registry(f"sqlite:///{copy}")
    secret, _ = reg.tokens.create(department="510100", role="publisher", created_by="test")
    app = create_app(Settings(), registry=reg)
    cache = app.state.dashboard_cache
    as_of = {"as_of": "2026-12-01T00:00:00+08:00"}
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as client:
        assert client.post("/standards", json={"entries": [catalogue("510100")]}).status_code == 201
        _submit(client, scorecard_file, 10, 70.0)
        for path in ("/dashboard/ranking", "/dashboard/departments/510100", "/dashboard/datasets/户籍人口",
                     "/dashboard", "/dashboard/html/departments/510100"):
            assert client.get(path, params=as_of).status_code == 200, path
        assert (cache.misses, cache.hits) == (1, 4)  # five pages, one evaluation
        client.get("/dashboard/ranking", params={"as_of": "2026-11-01T00:00:00+08:00"})
        assert cache.misses == 2  # another moment is another evaluation
        _submit(client, scorecard_file, 11, 90.0)
        ranking = client.get("/dashboard/ranking", params={**as_of, "period": "2026-11"}).json()
        assert cache.misses == 3 and [r["score"] for r in ranking["rows"]] == [90.0]
        # A submission written by another process (straight into the database) is seen as well.
        card: dict[str, Any] = json.loads(scorecard_file.read_text(encoding="utf-8"))
        card["schema"] = {**card["schema"], "id": "510100-00001", "version": "1.0.0", "ref": "510100-00001@1.0.0"}
        card["finished_at"], card["score"] = "2026-11-20T02:00:00Z", 60.0
        Registry(f"sqlite:///{copy}").submissions.add(card, department="510100", submitted_by="elsewhere",
                                                      dataset="户籍人口")
        ranking = client.get("/dashboard/ranking", params={**as_of, "period": "2026-11"}).json()
        assert cache.misses == 4 and ranking["rows"][0]["score"] != 90.0
    reg.close()


def test_problems_become_the_cli_error_classes() -> None:
    from govstd.errors import ConflictError, GovstdError, InputError, NotFoundError
    from govstd.registry.remote import check_service_url, problem_error
    from govstd.registry.results import CompatibilityError
    from govstd.registry.tokens import AuthError, ForbiddenError

    expected = {"unauthorized": AuthError, "forbidden": ForbiddenError, "not_found": NotFoundError,
                "incompatible": CompatibilityError, "lifecycle": ConflictError, "input": InputError}
    for code, kind in expected.items():
        error = problem_error(400, {"code": code, "detail": "why", "hint": "how", "suggestions": ["A"]})
        assert isinstance(error, kind) and error.exit_code == 2 and error.code == code
        assert error.to_json() == {"error": {"code": code, "message": "why", "hint": "how", "suggestions": ["A"]}}
    odd = problem_error(413, {"code": "too_large", "detail": "big", "status": 413, "type": "x", "title": "t"})
    assert isinstance(odd, GovstdError) and not isinstance(odd, NotFoundError | ConflictError | InputError)
    assert odd.to_json() == {"error": {"code": "too_large", "message": "big", "hint": None}}
    # An InputError is printed as the service placed it, not placed again.
    placed = problem_error(422, {"code": "input", "detail": "entries[0]: id: required", "path": "entries[0]"})
    assert isinstance(placed, InputError) and placed.located() == "entries[0]: id: required"
    assert check_service_url("https://registry.example.gov.cn/api/") == "https://registry.example.gov.cn/api"
    for bad in ("ftp://host", "https://host/?token=govstd_abc", "https://user:pw@host", "https://host/#t",
                "registry.example.gov.cn"):
        with pytest.raises(InputError) as caught:
            check_service_url(bad)
        assert bad not in str(caught.value)
