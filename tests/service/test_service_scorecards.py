"""Signed scorecards end to end: ``govstd keys generate``, ``keys trust``, ``scorecard sign`` and
``verify``, ``scorecard submit`` to a service that requires signatures; tampered, unsigned and
other departments' signatures refused; the history read back. Plus the same scenario on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from service_testlib import Service, catalogue, env, govstd, sign_scorecard
from test_service_api import assert_problem


def _keys(tmp_path: Path, name: str) -> tuple[Path, Path]:
    key = tmp_path / name
    govstd("keys", "generate", key)
    return key, key.with_name(name + ".pub")


def _period(scorecard_file: Path, tmp_path: Path, month: int, score: float) -> dict[str, Any]:
    """The real scorecard, as if scored in another month with another score (still a valid scorecard)."""
    card: dict[str, Any] = json.loads(scorecard_file.read_text(encoding="utf-8"))
    card["finished_at"] = f"2026-{month:02d}-28T12:00:00Z"
    card["score"] = score
    return card


def test_sign_and_verify_on_the_command_line(scorecard_file: Path, tmp_path: Path) -> None:
    key, pub = _keys(tmp_path, "chengdu")
    _other, other_pub = _keys(tmp_path, "other")
    card = tmp_path / "card.json"
    card.write_text(scorecard_file.read_text(encoding="utf-8"), encoding="utf-8")
    govstd("scorecard", "sign", card, "--key", key)
    ok = json.loads(govstd("scorecard", "verify", card, "--trusted-key", pub, "--json").stdout)
    assert ok["valid"] is True and len(ok["digest"]) == 64
    untrusted = govstd("scorecard", "verify", card, "--trusted-key", other_pub, check=False)
    assert untrusted.returncode == 2 and "not trusted" in untrusted.stderr and "Traceback" not in untrusted.stderr
    data = json.loads(card.read_text(encoding="utf-8"))
    data["score"] = 100.0  # a better score than the data earned
    card.write_text(json.dumps(data), encoding="utf-8")
    tampered = govstd("scorecard", "verify", card, "--trusted-key", pub, check=False)
    assert tampered.returncode == 2 and "changed after it was signed" in tampered.stderr
    data["verdict"] = "PASS"  # no longer a scorecard at all
    card.write_text(json.dumps(data), encoding="utf-8")
    broken = govstd("scorecard", "verify", card, "--trusted-key", pub, check=False)
    assert broken.returncode == 2 and "verdict" in broken.stderr


def _scenario(svc: Service, scorecard_file: Path, tmp_path: Path) -> None:
    """Two departments with tokens and trusted keys; publish, submit signed scorecards over three
    periods, be refused the tampered, unsigned and cross-department ones, read the history back."""
    svc.token("chengdu", "510100", "publisher")
    svc.token("mianyang", "510700", "publisher")
    svc.token("viewer", "510000", "reader")
    keys = {dept: _keys(tmp_path, f"k{dept}") for dept in ("510100", "510700")}
    for dept, (_key, pub) in keys.items():
        govstd("keys", "trust", pub, "--department", dept, "--registry", svc.registry)
    with svc.client("chengdu") as chengdu, svc.client("mianyang") as mianyang:
        chengdu.post("/standards", json={"entries": [catalogue("510100")]}).raise_for_status()
        mianyang.post("/standards", json={"entries": [catalogue("510700")]}).raise_for_status()
        assert_problem(chengdu.post("/standards", json={"entries": [catalogue("510700", "00002")]}), 403, "forbidden")
        for month, score in ((1, 71.5), (2, 80.0), (3, 92.25)):
            for dept, client, dataset in (("510100", chengdu, "户籍人口"), ("510700", mianyang, "社保参保")):
                card = _period(scorecard_file, tmp_path, month, score - (dept == "510700") * 10)
                signature = sign_scorecard(card, keys[dept][0], tmp_path / f"{dept}-{month}.json")
                answer = client.post("/scorecards", json={"scorecard": card, "signature": signature,
                                                          "dataset": dataset})
                assert answer.status_code == 201, answer.text
                assert answer.json()["signed_by"] and answer.json()["department"] == dept
        card = _period(scorecard_file, tmp_path, 4, 60.0)
        signature = sign_scorecard(card, keys["510100"][0], tmp_path / "tampered.json")
        card["score"] = 99.0
        body = assert_problem(chengdu.post("/scorecards", json={"scorecard": card, "signature": signature}),
                              422, "input")
        assert "changed after it was signed" in str(body["detail"])
        body = assert_problem(chengdu.post("/scorecards", json={"scorecard": card}), 422, "input")
        assert "not signed" in str(body["detail"])
        # Mianyang's token with Chengdu's key: the key is trusted for 510100 only.
        card["score"] = 60.0
        body = assert_problem(mianyang.post("/scorecards", json={"scorecard": card, "signature": signature}),
                              422, "input")
        assert "not trusted" in str(body["detail"])
    with svc.client("viewer") as viewer:
        assert_problem(viewer.post("/scorecards", json={"scorecard": card}), 403, "forbidden")
        history = viewer.get("/scorecards", params={"department": "510100", "dataset": "户籍人口"}).json()
        assert [h["score"] for h in history] == [71.5, 80.0, 92.25]
        assert [h["scored_at"][:7] for h in history] == ["2026-01", "2026-02", "2026-03"]
        assert all(h["submitted_by"].startswith("510100/chengdu (token ") for h in history)
        full = viewer.get("/scorecards", params={"department": "510700", "include_scorecards": True}).json()
        assert len(full) == 3 and full[-1]["scorecard"]["score"] == 82.25
        assert {h["dataset"] for h in full} == {"社保参保"}


def test_signed_scorecards_on_sqlite(make_service: Callable[..., Service], scorecard_file: Path,
                                     tmp_path: Path) -> None:
    svc = make_service("--require-signed")
    _scenario(svc, scorecard_file, tmp_path)


def test_submit_from_the_command_line_without_requiring_signatures(
        make_service: Callable[..., Service], scorecard_file: Path) -> None:
    svc = make_service()
    token = svc.token("ci", "510100", "publisher")
    cmd = [sys.executable, "-m", "govstd", "scorecard", "submit", str(scorecard_file), "--service", svc.url, "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env(GOVSTD_TOKEN=token), timeout=120)
    assert done.returncode == 0, done.stderr
    stored = json.loads(done.stdout)
    assert stored["department"] == "510100" and stored["signed_by"] is None
    refused = subprocess.run(cmd, capture_output=True, text=True, env=env(GOVSTD_TOKEN="govstd_" + "x" * 43),
                             timeout=120)
    assert refused.returncode == 2 and "401" in refused.stderr and "Traceback" not in refused.stderr


@pytest.mark.postgres
def test_signed_scorecards_on_postgresql(make_service: Callable[..., Service], scorecard_file: Path,
                                         tmp_path: Path, postgres_database: str) -> None:
    govstd("registry", "init", "--registry", postgres_database)
    svc = make_service("--require-signed", registry=postgres_database)
    _scenario(svc, scorecard_file, tmp_path)


def _with_raw_numbers(scorecard_file: Path) -> dict[str, Any]:
    """The real scorecard as another tool might write it: a sample showing a citizen ID and a mobile unmasked."""
    card: dict[str, Any] = json.loads(scorecard_file.read_text(encoding="utf-8"))
    sampled = next(c for c in card["checks"] if c["samples"])
    sampled["samples"][0]["values"] = {"id_number": "11010519491231002X", "phone": "13800138000"}
    return card


def test_a_scorecard_holding_unmasked_personal_numbers_is_refused_and_not_stored(
        make_service: Callable[..., Service], scorecard_file: Path, tmp_path: Path) -> None:
    """What the service stores, every reader sees: a scorecard holding a person's number unmasked is refused
    (masking it on intake would break its signature), by the service and, before sending, by the CLI."""
    svc = make_service()
    token = svc.token("ci", "510100", "publisher")
    card = _with_raw_numbers(scorecard_file)
    with svc.client("ci") as client:
        body = assert_problem(client.post("/scorecards", json={"scorecard": card}), 422, "input")
        text = json.dumps(body, ensure_ascii=False)
        assert "unmasked ID or mobile" in text and "checks[" in text
        assert "11010519491231002X" not in text and "13800138000" not in text
        assert client.get("/scorecards").json() == []
        accepted = client.post("/scorecards", json={"scorecard": json.loads(scorecard_file.read_text("utf-8"))})
        assert accepted.status_code == 201, accepted.text
    raw = tmp_path / "raw.json"
    raw.write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "govstd", "--lang", "en", "scorecard", "submit", str(raw),
                           "--service", svc.url], capture_output=True, text=True, env=env(GOVSTD_TOKEN=token),
                          timeout=120)
    assert done.returncode == 2 and "unmasked ID or mobile" in done.stderr and str(raw) in done.stderr
    assert "11010519491231002X" not in done.stderr + done.stdout and "Traceback" not in done.stderr
    with svc.client("ci") as client:
        assert len(client.get("/scorecards").json()) == 1
