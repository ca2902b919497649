"""The registry service as its clients meet it: a real uvicorn server (``govstd serve``) on loopback,
tokens from ``govstd token create``, and the obvious attacks — no token, a wrong department, an
expired or revoked token, an oversized body, a token fished for in the logs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from service_testlib import Service, catalogue, govstd

PROBLEM = "application/problem+json"


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    svc = make_service("--max-body-bytes", "200000")
    svc.token("chengdu-ci", "510100", "publisher")
    svc.token("mianyang-ci", "510700", "publisher")
    svc.token("authority", "510000", "admin")
    svc.token("viewer", "510100", "reader")
    return svc


def assert_problem(response: object, status: int, code: str) -> dict[str, object]:
    import httpx

    assert isinstance(response, httpx.Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"https://govstd.org/problems/{code}"
    assert isinstance(body["title"], str) and isinstance(body["detail"], str) and body["detail"]
    return body


def test_each_department_publishes_in_its_namespace_only(service: Service) -> None:
    with service.client("chengdu-ci") as chengdu, service.client("mianyang-ci") as mianyang:
        assert chengdu.post("/standards", json={"entries": [catalogue("510100")], "message": "成都"}).status_code == 201
        assert mianyang.post("/standards", json={"entries": [catalogue("510700")]}).status_code == 201
        refused = assert_problem(chengdu.post("/standards", json={"entries": [catalogue("510700", "00002")]}),
                                 403, "forbidden")
        assert "510700-00002@1.0.0" in str(refused["detail"]) and "'510100-'" in str(refused["detail"])
        # An alias is a name too: it may not reach into another department's namespace.
        squat = catalogue("510100", "00003", aliases=["510700-00009"])
        assert_problem(chengdu.post("/standards", json={"entries": [squat]}), 403, "forbidden")
        # A prefix is not a namespace: 5101000-… is not department 510100's.
        assert_problem(chengdu.post("/standards", json={"entries": [catalogue("5101000")]}), 403, "forbidden")
        history = chengdu.get("/standards/510100-00001/history").json()
    (event,) = history["events"]
    assert event["actor"].startswith("510100/chengdu-ci (token ") and event["message"] == "成都"
    assert history["versions"][0]["published_by"] == event["actor"]
    with service.client("viewer") as viewer:  # a reader reads, but does not publish
        assert viewer.get("/standards/510700-00001/versions/1.0.0").status_code == 200
        assert_problem(viewer.post("/standards", json={"entries": [catalogue("510100", "00004")]}), 403, "forbidden")


def test_missing_malformed_expired_and_revoked_tokens_are_401(service: Service, tmp_path: Path) -> None:
    with service.client() as anonymous:
        body = assert_problem(anonymous.get("/standards"), 401, "unauthorized")
        assert "govstd token create" in str(body["hint"])
        assert anonymous.get("/standards").headers["www-authenticate"].startswith("Bearer")
        assert_problem(anonymous.post("/standards", json={"entries": []}), 401, "unauthorized")
        assert_problem(anonymous.get("/standards", headers={"Authorization": "Basic YTpi"}), 401, "unauthorized")
    with service.client("govstd_" + "x" * 43) as forged:
        assert_problem(forged.get("/standards"), 401, "unauthorized")

    expired = service.token("old", "510100", "publisher", "--expires", "1")
    database = service.registry.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:  # a day later, in effect
        conn.execute("UPDATE api_tokens SET expires_at = '2001-01-01 00:00:00.000000' WHERE name = 'old'")
    with service.client(expired) as client:
        assert_problem(client.get("/standards"), 401, "unauthorized")

    revoked = service.token("leaked", "510100", "publisher")
    with service.client(revoked) as client:
        assert client.get("/standards").status_code == 200
        listed = json.loads(govstd("token", "list", "--registry", service.registry, "--json").stdout)
        (row,) = [t for t in listed if t["name"] == "leaked"]
        assert "token" not in row and row["state"] == "active"
        govstd("token", "revoke", str(row["id"]), "--registry", service.registry)
        assert_problem(client.get("/standards"), 401, "unauthorized")
    states = {t["name"]: t["state"] for t in json.loads(govstd("token", "list", "--registry", service.registry,
                                                                "--json").stdout)}
    assert states["leaked"] == "revoked" and states["old"] == "expired" and states["viewer"] == "active"
    # Only the hash is stored: the database holds no token.
    dumped = "\n".join(sqlite3.connect(database).iterdump())
    assert revoked not in dumped and service.tokens["viewer"] not in dumped


def test_only_admins_change_statuses(service: Service) -> None:
    with service.client("chengdu-ci") as chengdu, service.client("authority") as admin:
        chengdu.post("/standards", json={"entries": [catalogue("510100")]}).raise_for_status()
        path = "/standards/510100-00001/versions/1.0.0"
        assert_problem(chengdu.post(f"{path}/retire", json={"message": "obsolete"}), 403, "forbidden")
        done = admin.post(f"{path}/status", json={"status": "superseded", "message": "2026 edition"})
        assert done.status_code == 200 and done.json()["status"] == "superseded"
        assert admin.post(f"{path}/retire", json={"message": "withdrawn"}).json()["status"] == "retired"
        # The lifecycle's own rule, answered as a conflict: retired is final.
        assert_problem(admin.post(f"{path}/status", json={"status": "standard", "message": "back"}), 409, "lifecycle")
        events = chengdu.get("/standards/510100-00001/history").json()["events"]
    assert [e["details"].get("to") for e in events[1:]] == ["superseded", "retired"]
    assert all(e["actor"].startswith("510000/authority (token ") for e in events[1:])


def test_errors_carry_the_cli_codes_and_hints(service: Service) -> None:
    cli = govstd("registry", "show", "GB1164", "--json", "--registry", service.registry, check=False)
    assert cli.returncode == 2
    expected = json.loads(cli.stdout)["error"]
    with service.client("viewer") as viewer:
        body = assert_problem(viewer.get("/resolve", params={"ref": "GB1164"}), 404, "not_found")
        assert body["code"] == expected["code"] and body["detail"] == expected["message"]
        assert body["hint"] == expected["hint"] and "GB11643" in str(body["hint"])
        assert_problem(viewer.get("/resolve", params={"ref": "GB11643@^9"}), 404, "not_found")
        assert_problem(viewer.get("/resolve"), 422, "input")  # a missing parameter is a problem document too
        assert_problem(viewer.get("/no/such/route"), 404, "not_found")
        assert_problem(viewer.get("/items", params={"name": "00\x00"}), 422, "input")  # not a 500
    with service.client("chengdu-ci") as chengdu:
        bad = catalogue("510100", update_cycle="每世纪")
        body = assert_problem(chengdu.post("/standards", json={"entries": [bad]}), 422, "input")
        assert body["field"] == "update_cycle" and body["path"] == "entries[0]"
        # A breaking change in the same major line is refused with the CLI's compatibility error.
        chengdu.post("/standards", json={"entries": [catalogue("510100")]}).raise_for_status()
        narrower = catalogue("510100", version="1.1.0")
        narrower["fields"][0]["length"] = 10
        body = assert_problem(chengdu.post("/standards", json={"entries": [narrower]}), 409, "incompatible")
        assert "2.0.0" in str(body["detail"]) + str(body["hint"])


def test_read_routes_resolve_diff_and_code_sets(service: Service) -> None:
    with service.client("chengdu-ci") as client:
        client.post("/standards", json={"entries": [catalogue("510100")]}).raise_for_status()
        wider = catalogue("510100", version="1.1.0")
        wider["fields"][0]["length"] = 80
        client.post("/standards", json={"entries": [wider]}).raise_for_status()
        resolved = client.get("/resolve", params={"ref": "510100-00001@~1.0"}).json()
        assert resolved["entry"]["version"] == "1.0.0" and resolved["warning"] is None
        assert client.get("/resolve", params={"ref": "510100-00001@^1"}).json()["entry"]["version"] == "1.1.0"
        diff = client.get("/diff", params={"a": "510100-00001@1.0.0", "b": "510100-00001@1.1.0"}).json()
        assert diff["compatible"] is True and any(c["path"].startswith("fields") for c in diff["changes"])
        found = client.get("/standards", params={"q": "户籍"}).json()
        assert [s["id"] for s in found] == ["510100-00001"] and found[0]["versions"] == ["1.0.0", "1.1.0"]
        sets = {s["id"]: s for s in client.get("/code-sets").json()}
        assert "GBT2261.1" in sets and sets["GBT2261.1"]["codes"] > 0
        sex = client.get("/code-sets/GBT2261.1@^1").json()["entry"]
        assert {c["code"] for c in sex["codes"]} >= {"1", "2"}


def test_versions_are_cached_by_etag(service: Service) -> None:
    with service.client("viewer") as client:
        content = client.get("/standards/GB11643/versions/1.0.0/content")
        versions = client.get("/standards/GB11643/versions").json()
        assert content.headers["etag"] == f'"{versions[0]["content_hash"]}"'
        assert "immutable" in content.headers["cache-control"]
        again = client.get("/standards/GB11643/versions/1.0.0/content",
                           headers={"If-None-Match": content.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        shown = client.get("/standards/GB11643/versions/1.0.0")
        assert "no-cache" in shown.headers["cache-control"]
        assert client.get("/standards/GB11643/versions/1.0.0",
                          headers={"If-None-Match": shown.headers["etag"]}).status_code == 304
        assert client.get("/standards/GB11643/versions/1.0.0",
                          headers={"If-None-Match": '"stale"'}).status_code == 200


def test_oversized_bodies_are_refused_with_413(service: Service) -> None:
    huge = catalogue("510100", definition_zh="很长" * 150_000)
    with service.client("chengdu-ci") as client:
        assert_problem(client.post("/standards", json={"entries": [huge]}), 413, "too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: cut off while it streams
            yield b'{"entries": [{"definition_zh": "'
            for _ in range(100):
                yield b"x" * 10_000
            yield b'"}]}'

        streamed = client.post("/standards", content=chunks(), headers={"Content-Type": "application/json"})
        assert_problem(streamed, 413, "too_large")
        assert client.get("/standards/510100-00001/versions").status_code == 404  # nothing was published


def test_tokens_never_reach_the_log(service: Service) -> None:
    secret = service.tokens["chengdu-ci"]
    with service.client("chengdu-ci") as client:
        client.get("/standards").raise_for_status()
        client.get("/standards", params={"token": secret})  # a careless client puts it in the URL
        client.get(f"/standards/{secret}/versions")
    with service.client() as anonymous:
        anonymous.get("/standards", headers={"Authorization": f"Token {secret}"})
    log = service.log()
    assert '"GET /standards HTTP/1.1" 200' in log  # the access log is on, and captured
    assert secret not in log and secret[7:] not in log
    assert "govstd_[redacted]" in log


def test_anonymous_reading_is_the_operators_choice(make_service: Callable[..., Service]) -> None:
    svc = make_service("--allow-anonymous-read")
    with svc.client() as anonymous:
        assert anonymous.get("/standards").status_code == 200
        shown = anonymous.get("/standards/GB11643/versions/1.0.0/content")
        assert shown.status_code == 200 and shown.headers["cache-control"].startswith("public")
        assert_problem(anonymous.post("/standards", json={"entries": [catalogue("510100")]}), 401, "unauthorized")
        assert_problem(anonymous.get("/scorecards"), 401, "unauthorized")  # submissions are not published
        # A token that is presented is checked, even where none is needed.
        assert_problem(anonymous.get("/standards", headers={"Authorization": "Bearer govstd_nope"}),
                       401, "unauthorized")


def test_openapi_and_docs_are_served(service: Service) -> None:
    with service.client() as anonymous:
        spec = anonymous.get("/openapi.json").json()
        assert anonymous.get("/docs").status_code == 200
    assert {"/standards", "/resolve", "/diff", "/scorecards", "/code-sets"} <= set(spec["paths"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
