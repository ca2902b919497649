"""The site with a service-item catalogue: no page per item, small pages, shards that hold exactly the
catalogue, and incremental rebuilds. The oracle is the generated export read with pyarrow and the
layout rules of :mod:`govstd.standards.numbers.service_item`, never the registry tables under test.

The browser half (searching the shards in Chromium) is in ``test_site_browser.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from site_testlib import TEST_SHARD_ROWS, catalogue_records, make_registry

from govstd.site.build import build_site
from govstd.site.items import bucket_count, shard_tokens, token_bucket
from govstd.standards.numbers import service_item

if TYPE_CHECKING:
    from conftest import ItemSite
    from govstd.registry.store import Registry

DATA = "item-catalogue/data"


def _html(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def _shard_rows(root: Path) -> list[list[str]]:
    meta = json.loads((root / DATA / "meta.json").read_text(encoding="utf-8"))
    rows: list[list[str]] = []
    for n in range(len(meta["shards"])):
        rows += json.loads((root / DATA / f"shards/{n}.json").read_text(encoding="utf-8"))["rows"]
    return rows


def test_no_page_per_item(item_site: ItemSite) -> None:
    records = catalogue_records(item_site.export)
    pages = _html(item_site.out)
    # One HTML page per registry page generated (entries, versions, diffs, indexes) and none per item.
    assert len(pages) == len(item_site.build.pages) + 1  # + mkdocs' 404.html
    codes = {str(r["实施编码"]).lower() for r in records} | {str(r["基本编码"]).lower() for r in records}
    named_after_items = [p for p in pages if any(part in codes for part in p.relative_to(item_site.out).parts)]
    assert named_after_items == []
    assert [p.relative_to(item_site.out).as_posix() for p in pages if "item-catalogue" in p.as_posix()] == [
        "item-catalogue/index.html"]


def test_shards_hold_exactly_the_catalogue_in_code_order(item_site: ItemSite) -> None:
    records = catalogue_records(item_site.export)
    expected = sorted(str(r["实施编码"]) for r in records
                      if service_item.is_valid(str(r["实施编码"]), kind="implementation"))
    assert len(expected) == len(records)  # the generator writes valid codes only: every one must be on the site
    rows = _shard_rows(item_site.out)
    assert [r[0] for r in rows] == expected
    meta = json.loads((item_site.out / DATA / "meta.json").read_text(encoding="utf-8"))
    assert meta["items"] == len(expected)
    assert len(meta["shards"]) == -(-len(expected) // TEST_SHARD_ROWS) > 1
    assert all(count == TEST_SHARD_ROWS for _, count in meta["shards"][:-1])
    by_code = {str(r["实施编码"]): r for r in records}
    for row in rows[:: len(rows) // 20]:
        assert row[1] == by_code[row[0]]["基本编码"] and row[2] == by_code[row[0]]["事项名称"]


def test_name_index_points_every_name_pair_and_triple_to_its_shards(item_site: ItemSite) -> None:
    meta = json.loads((item_site.out / DATA / "meta.json").read_text(encoding="utf-8"))
    buckets = meta["buckets"]
    assert buckets == bucket_count(len(meta["shards"]))
    index: dict[str, list[int]] = {}
    for n in range(buckets):
        part = json.loads((item_site.out / DATA / f"tokens/{n}.json").read_text(encoding="utf-8"))
        assert all(token_bucket(token, buckets) == n for token in part)
        index.update(part)
    rows = _shard_rows(item_site.out)
    for number in range(len(meta["shards"])):
        names = [r[2] for r in rows[number * TEST_SHARD_ROWS : (number + 1) * TEST_SHARD_ROWS]]
        for name in names:
            grams = [name[i : i + n] for n in (2, 3) for i in range(len(name) - n + 1)]
            for gram in grams:  # pairs and triples: the browser looks up a query's triples
                assert number in index[gram], (gram, number)
    # And no shard is listed for a pair none of its names contains (the browser would fetch it for nothing).
    for token, shards in list(index.items())[:200]:
        for number in shards:
            names = [r[2].lower() for r in rows[number * TEST_SHARD_ROWS : (number + 1) * TEST_SHARD_ROWS]]
            assert any(token in name for name in names), (token, number)


def test_basic_code_index_lists_every_shard_of_every_basic_code(item_site: ItemSite) -> None:
    # Oracle: the export's basic codes and the shard each item lands in (its rank in code order).
    records = catalogue_records(item_site.export)
    codes = sorted(str(r["实施编码"]) for r in records)
    expected: dict[str, set[int]] = {}
    for r in records:
        expected.setdefault(str(r["基本编码"]).upper(), set()).add(codes.index(str(r["实施编码"])) // TEST_SHARD_ROWS)
    # Both layouts are present: some implementation codes start with the basic code and some do not.
    assert any(str(r["实施编码"]).startswith(str(r["基本编码"])) for r in records)
    assert any(not str(r["实施编码"]).startswith(str(r["基本编码"])) for r in records)
    meta = json.loads((item_site.out / DATA / "meta.json").read_text(encoding="utf-8"))
    index: dict[str, list[int]] = {}
    assert meta["basic_buckets"] == bucket_count(len(meta["shards"]))
    for n in range(meta["basic_buckets"]):
        part = json.loads((item_site.out / DATA / f"basic/{n}.json").read_text(encoding="utf-8"))
        assert all(token_bucket(code, meta["basic_buckets"]) == n for code in part)
        index.update(part)
    assert {code: set(shards) for code, shards in index.items()} == expected
    assert all(shards == sorted(shards) for shards in index.values())


def test_token_hash_handles_characters_outside_the_bmp() -> None:
    # '𠀀' (U+20000, a 生僻字) is two UTF-16 code units, as JavaScript's charCodeAt sees it.
    high, low = 0xD840, 0xDC00
    assert token_bucket("𠀀", 1 << 31) == ((high * 31 + low) & 0xFFFFFFFF) % (1 << 31)
    assert shard_tokens(["犬只 登记"]) >= {"犬只", "只 ", " 登", "登记", "犬"}
    assert " " not in shard_tokens(["犬只 登记"])


def test_pages_are_small_and_the_nav_lists_no_entries(item_site: ItemSite) -> None:
    sizes = {p.relative_to(item_site.out).as_posix(): p.stat().st_size for p in _html(item_site.out)}
    assert max(sizes.values()) < 150_000, max(sizes.items(), key=lambda kv: kv[1])
    page = (item_site.out / "standards/gb11643/index.html").read_text(encoding="utf-8")
    nav = page[page.index('md-nav--primary'): page.index('md-sidebar--secondary')]
    links = set(re.findall(r'href="([^"]+)"', nav))
    assert links, "the primary nav should still link the kinds' indexes"
    assert not any(re.search(r"(standards|code-sets|catalogues|service-items)/[^/]+/", link) for link in links), links


def test_a_second_build_rewrites_nothing(item_site: ItemSite) -> None:
    before = {p: p.stat().st_mtime_ns for p in item_site.out.rglob("*") if p.is_file()}
    again = build_site(item_site.registry, item_site.out, item_shard_rows=TEST_SHARD_ROWS)
    assert again.written == [] and again.removed == []
    assert again.items is not None and again.items.reused
    after = {p: p.stat().st_mtime_ns for p in item_site.out.rglob("*") if p.is_file()}
    assert after == before


def test_a_new_release_rewrites_only_what_changed(tmp_path: Path) -> None:
    from benchmarks.items import generate

    reg = make_registry(tmp_path / "registry.sqlite")
    reg.import_items(generate(tmp_path / "r1.csv", 300), actor="test")
    out = tmp_path / "site"
    first = build_site(reg, out, item_shard_rows=TEST_SHARD_ROWS)
    assert first.items is not None and not first.items.reused
    shards = {p.name for p in (out / DATA / "shards").iterdir()}

    reg.import_items(generate(tmp_path / "r2.csv", 300, release=2), actor="test")
    second = build_site(reg, out, item_shard_rows=TEST_SHARD_ROWS)
    records = catalogue_records(tmp_path / "r2.csv")
    assert [r[0] for r in _shard_rows(out)] == sorted(str(r["实施编码"]) for r in records)
    # Entry pages did not change: only the catalogue's page, data and the site-wide search index may.
    outside = [p for p in second.written if not p.startswith("item-catalogue/") and p != "search/search_index.json"]
    assert outside == []
    assert "item-catalogue/index.html" in second.written  # its release table gained release 2
    assert f"{DATA}/meta.json" in second.written
    assert len(second.written) < len(first.written)
    meta = json.loads((out / DATA / "meta.json").read_text(encoding="utf-8"))
    # No stale shard left behind, whether the release grew or shrank the catalogue.
    assert {p.name for p in (out / DATA / "shards").iterdir()} == {f"{n}.json" for n in range(len(meta["shards"]))}
    assert shards  # the first build wrote some
    reg.close()


def test_kind_indexes_and_the_publication_log_are_paged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         site_registry: Registry) -> None:
    from govstd.site.pages import index

    monkeypatch.setattr(index, "INDEX_PAGE_ROWS", 3)
    out = tmp_path / "site"
    built = build_site(site_registry, out)  # strict: every pager link resolves
    ids = sorted({e.id.lower() for e in site_registry.entries() if e.kind.value == "data_element"})
    pages = [out / "standards/index.html",
             *sorted((out / "standards/page").glob("*/index.html"), key=lambda p: int(p.parent.name))]
    assert len(pages) == -(-len(ids) // 3) > 1
    listed = [re.findall(r'href="(?:\.\./)*([a-z0-9_.\-]+)/"', p.read_text(encoding="utf-8")) for p in pages]
    for entry_id in ids:  # every entry on exactly one page of its kind's index
        assert sum(entry_id in links for links in listed) == 1, entry_id
    versions = sum(1 for _ in site_registry.entries(all_versions=True))
    assert "changes/page/2/" in built.pages
    assert len([p for p in built.pages if p.startswith("changes/")]) == -(-versions // 3)
