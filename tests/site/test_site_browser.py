"""The built site in a real browser: headless Debian Chromium driven by Playwright, served on localhost.

A missing /usr/bin/chromium FAILS these tests (``.ci/run`` installs it): a skipped browser test would
hide exactly the breakage it exists to catch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from govstd.standards import library

if TYPE_CHECKING:
    from conftest import Server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class PageProblems:
    """Console errors, uncaught exceptions and failed requests seen while a page was open."""

    def __init__(self, page: Any) -> None:
        self.items: list[str] = []
        page.on("console", lambda m: self.items.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.items.append(f"page error: {e}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", lambda r: self.items.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def _request_failed(self, request: Any) -> None:
        # ERR_ABORTED is the browser cancelling a request because the test navigated on (the search
        # worker's scripts load lazily); a server failure still shows as an HTTP error above.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.items.append(f"request failed: {request.url} {request.failure}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium chromium-driver, "
                    "as .ci/run does) — the browser tests need it and are not skipped", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.problems = PageProblems(tab)
    try:
        yield tab
    finally:
        context.close()


def heading(page: Any) -> str:
    return str(page.locator("h1").first.inner_text()).rstrip("¶").strip()


def search(page: Any, query: str) -> None:
    """Type into mkdocs-material's search box as a user does, once the search index has loaded."""
    page.wait_for_load_state("networkidle")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)  # as an IME commits Chinese text: one input event, no key per character
    box.press("End")  # Material searches on keyup


def result_paths(page: Any, limit: int | None = None) -> list[str]:
    """Paths of the search results shown, best first (Material appends ?h=… for highlighting)."""
    results = page.locator(".md-search-result__item > .md-search-result__link")
    results.first.wait_for()
    n = results.count() if limit is None else min(results.count(), limit)
    return [urlsplit(results.nth(i).get_attribute("href") or "").path.strip("/") for i in range(n)]


def test_home_standard_diff_and_chinese_search(page: Any, site_server: Server, tmp_path: Path) -> None:
    page.goto(site_server.url)
    assert heading(page) == "政务数据标准注册库"
    assert page.locator(".md-tabs__link", has_text="字段标准").count() == 1
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.goto(site_server.url + "standards/gb11643/")
    assert heading(page) == "公民身份号码"
    assert page.locator(".gs-badge", has_text="Standard").count() >= 1
    assert page.locator("#examples").count() == 1
    page.screenshot(path=str(tmp_path / "gb11643.png"), full_page=True)

    page.goto(site_server.url + "code-sets/gbt2261.1/diff/1.0.0-to-2.0.0/")
    assert "1.0.0 → 2.0.0" in heading(page)
    assert page.locator(".admonition.danger", has_text="Breaking").count() == 1
    page.screenshot(path=str(tmp_path / "diff.png"), full_page=True)

    # mkdocs-material's own search box: '身份证' is not in GB 11643's text (公民身份号码), yet it must find it.
    page.goto(site_server.url)
    search(page, "身份证")
    paths = result_paths(page)
    assert "standards/gb11643" in paths, paths
    assert paths[0] == "standards/gb11643", f"GB 11643 should rank first: {paths}"
    page.screenshot(path=str(tmp_path / "search.png"))
    assert (tmp_path / "search.png").stat().st_size > 10_000

    assert page.problems.items == []


@pytest.mark.parametrize(("query", "expected"), [
    ("统一社会信用代码", "standards/gb32100"),
    ("信用代码", "standards/gb32100"),
    ("11643", "standards/gb11643"),
    ("基诺族", "code-sets/gbt3304"),
    ("行政区划", "code-sets/gbt2260"),
])
def test_search_finds_chinese_terms_and_numbers(page: Any, site_server: Server, query: str, expected: str) -> None:
    page.goto(site_server.url)
    search(page, query)
    paths = result_paths(page, limit=3)
    assert expected in paths, (query, paths)
    assert page.problems.items == []


def test_large_code_set_browser_filters_sorts_and_pages(page: Any, site_server: Server, tmp_path: Path) -> None:
    page.goto(site_server.url + "code-sets/gbt2260/")
    rows = page.locator(".gs-codes tbody tr")
    rows.first.wait_for()
    assert rows.count() == 25
    count = page.locator(".gs-codes .gs-count")
    every_code = library.find("GBT2260")  # every record, derived 市辖区 ones included
    assert f"共 {len(every_code.codes):,} 条" in count.inner_text()

    page.locator('.gs-codes input[type="search"]').fill("1101")
    assert all(t.startswith("1101") for t in page.locator(".gs-codes tbody tr td:first-child").all_inner_texts())

    page.locator('.gs-codes input[type="search"]').fill("")
    page.locator('.gs-codes input[data-k="year"]').fill("1995")
    page.locator('.gs-codes select[data-k="top"]').select_option("11")
    codes = page.locator(".gs-codes tbody tr td:first-child").all_inner_texts()
    assert "110103" in codes  # 崇文区: in force in 1995, abolished 2010
    assert "110114" not in codes  # 昌平区: from 1999

    page.locator('.gs-codes input[data-k="year"]').fill("")
    page.locator(".gs-codes th", has_text="代码").click()
    page.locator(".gs-codes th", has_text="代码").click()  # descending
    first = page.locator(".gs-codes tbody tr td:first-child").first.inner_text()
    assert first.startswith("11") and first > "110200"
    page.locator(".gs-codes button[data-p='1']").click()
    assert "第 2 /" in page.locator(".gs-codes .gs-page").inner_text()
    page.screenshot(path=str(tmp_path / "gbt2260.png"), full_page=True)
    assert page.problems.items == []


def test_small_table_filter(page: Any, site_server: Server) -> None:
    page.goto(site_server.url + "code-sets/gbt3304/")
    page.locator(".gs-filter input").fill("族")
    page.locator(".gs-filter input").fill("基诺")
    visible = page.locator(".gs-table tbody tr:not([hidden])")
    assert visible.count() == 1
    assert "基诺族" in visible.first.inner_text()
    assert page.problems.items == []


def _shard_requests(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url.rsplit("/data/", 1)[-1]) if "/data/" in r.url else None)
    return seen


def _shown_codes(page: Any, status: str) -> list[str]:
    page.locator(".gs-items__status", has_text=status).wait_for()
    return [str(c) for c in page.locator(".gs-items__table tbody tr td:first-child").all_inner_texts()]


def _find(page: Any, query: str) -> None:
    box = page.locator("input.gs-items__query")
    box.fill("")
    box.fill(query)  # one input event, as an IME commits Chinese text


def test_catalogue_browser_finds_items_by_chinese_name_and_by_code(page: Any, item_server: Server,
                                                                    item_site: Any) -> None:
    from site_testlib import TEST_SHARD_ROWS, catalogue_records

    records = catalogue_records(item_site.export)
    codes = sorted(str(r["实施编码"]) for r in records)
    requests = _shard_requests(page)
    page.goto(item_server.url + "item-catalogue/")
    assert heading(page) == "政务服务事项目录"
    # No query: the first page of the catalogue in code order.
    assert _shown_codes(page, "共") == codes[:50]

    # By Chinese name: a pair of characters inside names (not a word boundary), every match and only those.
    query = "准养"
    expected = sorted(str(r["实施编码"]) for r in records if query in str(r["事项名称"]))
    assert 0 < len(expected) <= 50, "the oracle should fit on one page of results"
    _find(page, query)
    assert sorted(_shown_codes(page, f"共 {len(expected)} 条")) == expected

    # By implementation code: one in the middle of the catalogue, so the range search must pick its shard.
    target = codes[len(codes) // 2 + 7]
    name = next(str(r["事项名称"]) for r in records if r["实施编码"] == target)
    before = len(requests)
    _find(page, target)
    assert _shown_codes(page, "共 1 条") == [target]
    assert page.locator(".gs-items__table tbody tr", has_text=name).count() == 1
    shard_fetches = [r for r in requests[before:] if r.startswith("shards/")]
    assert shard_fetches == [f"shards/{codes.index(target) // TEST_SHARD_ROWS}.json"], shard_fetches

    # By basic code, in a layout where the implementation code ends with it (USCC + level + basic code):
    # found through the basic-code index, not the implementation-code range.
    suffixed = next(r for r in records if not str(r["实施编码"]).startswith(str(r["基本编码"])))
    basic = str(suffixed["基本编码"])
    expected = sorted(str(r["实施编码"]) for r in records
                      if r["基本编码"] == basic or str(r["实施编码"]).startswith(basic))
    _find(page, basic)
    # The previous query also showed one item: wait for this query's rows, not just its status.
    page.locator(".gs-items__table tbody tr", has_text=expected[0]).wait_for()
    assert _shown_codes(page, f"共 {len(expected)} 条") == expected
    assert str(suffixed["实施编码"]) in expected

    # A name that matches nothing says so.
    _find(page, "不存在的事项名称")
    page.locator(".gs-items__status", has_text="没有找到").wait_for()
    assert page.problems.items == []


def test_catalogue_browser_fetches_only_shards_holding_every_pair_of_the_query(page: Any, item_server: Server,
                                                                             item_site: Any) -> None:
    """A query whose character triples all occur in some shards but never inside one name: the browser
    fetches exactly the shards holding every triple (each once), finds nothing, and says so."""
    from site_testlib import TEST_SHARD_ROWS, catalogue_records

    records = catalogue_records(item_site.export)
    codes = sorted(str(r["实施编码"]) for r in records)
    names = [str(r["事项名称"]) for r in records]
    triples: dict[str, set[int]] = {}
    for r in records:
        name = str(r["事项名称"])
        for i in range(len(name) - 2):
            triples.setdefault(name[i : i + 3], set()).add(codes.index(str(r["实施编码"])) // TEST_SHARD_ROWS)
    query, candidates = "", set()
    for first in sorted(triples):
        for second in sorted(t for t in triples if t[:2] == first[1:]):
            both = triples[first] & triples[second]
            q = first + second[2]
            if len(both) > 1 and not any(q in n for n in names):
                query, candidates = q, both
                break
        if query:
            break
    assert query, "the generated names should hold triples that co-occur in shards but not in one name"
    requests = _shard_requests(page)
    page.goto(item_server.url + "item-catalogue/")
    _shown_codes(page, "共")
    before = len(requests)
    _find(page, query)
    page.locator(".gs-items__status", has_text="没有找到").wait_for()
    fetched = [r for r in requests[before:] if r.startswith("shards/")]
    wanted = {f"shards/{n}.json" for n in candidates}
    # Each candidate once (shard 0 may already be in memory from the first page), nothing else.
    assert len(fetched) == len(set(fetched)) and set(fetched) <= wanted, (query, fetched)
    assert wanted - set(fetched) <= set(requests[:before]), (query, fetched)
    assert page.problems.items == []

