"""动态考评 end to end (issue 17's "Done when"): the service on PostgreSQL, two departments with tokens
and trusted keys, publishing refused across namespaces, signed scorecards of two datasets over four
months (one month missed), a tampered one refused; the ranking and trends read back over HTTP, as the
service's HTML, and in the static site built with ``--history`` — looked at in headless Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from service_testlib import Service, catalogue, env, govstd, sign_scorecard
from test_service_api import assert_problem

CHROMIUM = "/usr/bin/chromium"
#: (month, 510100's score, 510700's score or None: no submission that month)
PERIODS = ((8, 70.0, 60.0), (9, 75.0, 65.0), (10, 80.0, None), (11, 90.0, 85.5))
DATASETS = {"510100": "户籍人口", "510700": "社保参保"}


def _card(scorecard_file: Path, department: str, month: int, score: float) -> dict[str, Any]:
    """The real scorecard, re-aimed at the department's published catalogue and scored in ``month``."""
    card: dict[str, Any] = json.loads(scorecard_file.read_text(encoding="utf-8"))
    card["schema"] = {**card["schema"], "id": f"{department}-00001", "version": "1.0.0",
                      "ref": f"{department}-00001@1.0.0"}
    card["finished_at"] = f"2026-{month:02d}-15T02:00:00Z"
    card["score"] = score
    return card


def _populate(svc: Service, scorecard_file: Path, tmp_path: Path) -> None:
    svc.token("chengdu", "510100", "publisher")
    svc.token("mianyang", "510700", "publisher")
    svc.token("viewer", "510000", "reader")
    keys = {}
    for dept in DATASETS:
        keys[dept] = tmp_path / f"k{dept}"
        govstd("keys", "generate", keys[dept])
        govstd("keys", "trust", f"{keys[dept]}.pub", "--department", dept, "--registry", svc.registry)
    with svc.client("chengdu") as chengdu, svc.client("mianyang") as mianyang:
        clients = {"510100": chengdu, "510700": mianyang}
        for dept, client in clients.items():
            assert client.post("/standards", json={"entries": [catalogue(dept)]}).status_code == 201
        assert_problem(chengdu.post("/standards", json={"entries": [catalogue("510700", "00009")]}), 403, "forbidden")
        for month, *scores in PERIODS:
            for (dept, client), score in zip(clients.items(), scores, strict=True):
                if score is None:
                    continue
                card = _card(scorecard_file, dept, month, score)
                signature = sign_scorecard(card, keys[dept], tmp_path / f"{dept}-{month}.json")
                answer = client.post("/scorecards", json={"scorecard": card, "signature": signature,
                                                          "dataset": DATASETS[dept]})
                assert answer.status_code == 201, answer.text
        tampered = _card(scorecard_file, "510700", 11, 70.0)
        signature = sign_scorecard(tampered, keys["510700"], tmp_path / "tampered.json")
        tampered["score"] = 99.0
        body = assert_problem(mianyang.post("/scorecards", json={"scorecard": tampered, "signature": signature,
                                                                 "dataset": DATASETS["510700"]}), 422, "input")
        assert "changed after it was signed" in str(body["detail"])


def _read_back(svc: Service) -> None:
    with svc.client() as anonymous:
        assert_problem(anonymous.get("/dashboard/ranking", params={"period": "2026-11"}), 401, "unauthorized")
    with svc.client("viewer") as viewer:
        ranking = viewer.get("/dashboard/ranking", params={"period": "2026-11"}).json()
        assert [(r["rank"], r["department"], r["score"]) for r in ranking["rows"]] == [
            (1, "510100", 90.0), (2, "510700", 85.5)]  # the tampered 99 never got in
        october = viewer.get("/dashboard/ranking", params={"period": "2026-10"}).json()["rows"]
        assert [(r["rank"], r["department"]) for r in october] == [(1, "510100"), (None, "510700")]
        assert october[1]["schedule"]["missed"] == ["2026-10"]
        dept = viewer.get("/dashboard/departments/510700").json()
        assert dept["months"] == {"2026-08": 60.0, "2026-09": 65.0, "2026-11": 85.5}
        assert (dept["schedule"]["due"], dept["schedule"]["on_time"]) == (4, 3)
        trend = viewer.get(f"/dashboard/datasets/{DATASETS['510100']}").json()
        assert [p["score"] for p in trend["points"]] == [70.0, 75.0, 80.0, 90.0]
        assert all(p["signed"] for p in trend["points"]) and trend["schedule"]["rate"] == 1.0
        assert set(trend["points"][0]["dimensions"]) >= {"completeness", "accuracy", "timeliness"}
        assert_problem(viewer.get("/dashboard/ranking", params={"period": "2026-13"}), 422, "input")
        assert_problem(viewer.get("/dashboard/departments/999999"), 404, "not_found")
        page = viewer.get("/dashboard", params={"period": "2026-11"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "部门排名" in page.text and page.text.count('class="gs-bar"') == 2


def _build_site(svc: Service, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "govstd", "site", "build", "--registry", svc.registry,
                           "--history", svc.url, "--out", str(out)], capture_output=True, text=True,
                          env=env(GOVSTD_TOKEN=svc.tokens["viewer"]), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out


def _look_in_chromium(site: Path, tmp_path: Path) -> None:
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is needed (apt-get install chromium): not skipped"
    from playwright.sync_api import sync_playwright

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            page = browser.new_page(viewport={"width": 1200, "height": 1600})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                       else route.abort())  # nothing may come from the network
            page.goto(url + "dashboard/ranking/2026-11/")
            rows = page.locator("table.gs-ranking tbody tr")
            assert rows.count() == 2 and rows.nth(0).inner_text().split()[:2] == ["1", "510100"]
            assert page.locator("svg.gs-chart rect.gs-bar").count() == 2
            shot = tmp_path / "ranking.png"
            page.locator("table.gs-ranking").screenshot(path=str(shot))
            assert shot.stat().st_size > 1000
            page.locator("table.gs-ranking a", has_text="510100").click()
            page.locator("table.gs-datasets a").first.click()
            chart = page.locator("svg.gs-chart").first
            chart.wait_for(state="visible")  # the two clicks above navigate: wait for the dataset page
            assert chart.locator("circle.gs-point").count() == 4
            box = chart.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100
            chart.screenshot(path=str(tmp_path / "trend.png"))
            assert "户籍人口" in page.title() or "户籍人口" in page.locator("h1").inner_text()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.postgres
@pytest.mark.browser
def test_dashboard_scenario_on_postgresql(make_service: Callable[..., Service], scorecard_file: Path,
                                          tmp_path: Path, postgres_database: str) -> None:
    govstd("registry", "init", "--registry", postgres_database)
    svc = make_service("--require-signed", registry=postgres_database)
    _populate(svc, scorecard_file, tmp_path)
    _read_back(svc)
    _look_in_chromium(_build_site(svc, tmp_path), tmp_path)


def test_validate_submit_signs_and_posts_the_scorecard(make_service: Callable[..., Service], tmp_path: Path) -> None:
    from govstd import demo

    svc = make_service("--require-signed")
    token = svc.token("ci", "510100", "publisher")
    key = tmp_path / "ci.key"
    govstd("keys", "generate", key)
    govstd("keys", "trust", f"{key}.pub", "--department", "510100", "--registry", svc.registry)
    records, _ = demo.generate(100, seed=5)
    data = demo.write_csv(records, tmp_path / "people.csv")
    schema = tmp_path / "schema.yaml"
    schema.write_text(demo.schema_yaml("conditional"), encoding="utf-8")
    cmd = [sys.executable, "-m", "govstd", "validate", str(data), "--schema-file", str(schema), "-q",
           "--submit", svc.url]
    unsigned = subprocess.run(cmd, capture_output=True, text=True, env=env(GOVSTD_TOKEN=token), timeout=300)
    assert unsigned.returncode == 2 and "not signed" in unsigned.stderr and "Traceback" not in unsigned.stderr
    done = subprocess.run([*cmd, "--signing-key", str(key)], capture_output=True, text=True,
                          env=env(GOVSTD_TOKEN=token), timeout=300)
    assert done.returncode in (0, 1), done.stderr
    assert "submitted the scorecard" in done.stderr and "signed" in done.stderr
    with svc.client("ci") as client:
        stored = client.get("/scorecards", params={"department": "510100", "include_scorecards": True}).json()
    assert len(stored) == 1 and stored[0]["signed_by"] and stored[0]["dataset"] == demo.SCHEMA_ID
    assert stored[0]["scorecard"]["dataset"]["rows"] == 100


def test_service_items_by_basic_or_implementation_code(make_service: Callable[..., Service]) -> None:
    svc = make_service("--allow-anonymous-read")
    admin = svc.token("admin", "510000", "admin")
    from govstd.standards.loader import load_file

    data = Path(__file__).parents[1] / "site" / "data" / "service_item_dog.yaml"
    item = load_file(data)[0].model_dump(mode="json", exclude_none=True)
    with svc.client(admin) as client:
        published = client.post("/standards", json={"entries": [item]})
        assert published.status_code == 201, published.text
    with svc.client() as anonymous:
        basic = anonymous.get("/service-items/511A09001023").json()
        assert basic["matched"] == "basic_code" and basic["entry"]["name_zh"] == "犬类准养证核发"
        impl = anonymous.get("/service-items/511A09001023-511602000000-000-11511300008778693M-1-00").json()
        assert impl["matched"] == "implementation_code" and impl["entry"]["id"] == "511A09001023"
        assert impl["implementation"]["body_name"] == "区公安分局"
        assert_problem(anonymous.get("/service-items/999999999999"), 404, "not_found")
