"""Rebuilding after a publish adds the new version's pages and diff; no existing URL goes away; an unchanged
registry does not run mkdocs, a publish renders only the changed pages, and either equals a clean build."""

from __future__ import annotations

import json
from pathlib import Path

from site_testlib import make_registry, publish_gb11643_1_1

from govstd.site.build import build_site
from govstd.site.hooks import merge_index
from govstd.site.incremental import default_cache_dir


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}


def test_rebuild_adds_pages_and_keeps_every_url(tmp_path: Path) -> None:
    reg = make_registry(tmp_path / "registry.sqlite")
    out = tmp_path / "site"
    first = build_site(reg, out)
    before = _files(out)
    assert "standards/gb11643/1.0.0/index.html" in before
    assert "standards/gb11643/1.1.0/index.html" not in before

    publish_gb11643_1_1(reg)
    second = build_site(reg, out)
    after = _files(out)

    assert before - after == set(), f"URLs lost on rebuild: {sorted(before - after)[:10]}"
    new = after - before
    for path in ("standards/gb11643/1.1.0/index.html", "standards/gb11643/1.1.0/gb11643-1.1.0.yaml",
                 "standards/gb11643/1.1.0/gb11643-1.1.0.json", "standards/gb11643/diff/1.0.0-to-1.1.0/index.html",
                 "standards/gb11643/diff/1.0.0-to-1.1.0/diff.json"):
        assert path in new, path
    assert set(first.pages) < set(second.pages)
    latest = (out / "standards/gb11643/index.html").read_text(encoding="utf-8")
    assert "v1.1.0" in latest
    history = (out / "standards/gb11643/history/index.html").read_text(encoding="utf-8")
    assert 'href="../1.1.0/"' in history and 'href="../diff/1.0.0-to-1.1.0/"' in history
    reg.close()


# --------------------------------------------------------------------------- incremental rendering


def _docs(project: Path) -> dict[str, bytes]:
    docs = project / "docs"
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in docs.rglob("*.md")}


def _url(docs_rel: str) -> str:
    stem = docs_rel.removesuffix(".md")
    return "" if stem == "index" else (stem.removesuffix("index") if stem.endswith("/index") else stem + "/")


def _contents(root: Path) -> dict[str, bytes]:
    # The marker records the build time; everything else must be what a clean build writes.
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.name != ".govstd-site.json"}


def test_incremental_builds_skip_or_render_only_what_changed(tmp_path: Path) -> None:
    reg = make_registry(tmp_path / "registry.sqlite")
    out, project = tmp_path / "site", tmp_path / "project"
    first = build_site(reg, out, work_dir=project)
    assert first.mkdocs_mode == "full"
    assert len(first.rendered) == len(first.pages)

    again = build_site(reg, out, work_dir=project)
    assert again.mkdocs_mode == "skipped"
    assert again.rendered == [] and again.written == [] and again.removed == []

    before = _docs(project)
    publish_gb11643_1_1(reg)
    partial = build_site(reg, out, work_dir=project)
    after = _docs(project)
    assert partial.mkdocs_mode == "partial"
    changed = {_url(rel) for rel in after if before.get(rel) != after[rel]}
    nav = {_url(rel) for rel in partial.nav_pages}
    assert "standards/gb11643/1.1.0/" in changed and "standards/gbt7408/" not in changed
    # Exactly the pages whose Markdown changed, plus the nav's (their titles are on every page).
    assert set(partial.rendered) == changed | nav
    assert len(partial.rendered) < len(partial.pages) / 2
    assert "search/search_index.json" in partial.written
    assert "standards/gb11643/1.1.0/index.html" in partial.written
    assert not any(rel.startswith("standards/gbt7408/") for rel in partial.written)

    # The oracle: a clean build of the same registry, with its own cache, into a fresh directory.
    clean = build_site(reg, tmp_path / "clean")
    assert clean.mkdocs_mode == "full"
    ours, theirs = _contents(out), _contents(tmp_path / "clean")
    assert sorted(ours) == sorted(theirs)
    assert [rel for rel in ours if ours[rel] != theirs[rel]] == []
    # The merged index holds the entries of pages this build did not render, once each.
    index = json.loads((out / "search/search_index.json").read_text(encoding="utf-8"))
    locations = [d["location"] for d in index["docs"]]
    assert "standards/gbt7408/" in locations and len(locations) == len(set(locations))
    reg.close()


def test_damaged_cache_costs_a_full_build_not_a_wrong_site(tmp_path: Path) -> None:
    reg = make_registry(tmp_path / "registry.sqlite")
    out = tmp_path / "site"
    build_site(reg, out)
    cache = default_cache_dir(out.resolve())
    (cache / "state.json").write_text("{not json", encoding="utf-8")
    (cache / "html/index.html").write_text("stale", encoding="utf-8")
    rebuilt = build_site(reg, out)
    assert rebuilt.mkdocs_mode == "full"
    assert rebuilt.written == []  # the same bytes as before the damage
    assert "stale" not in (out / "index.html").read_text(encoding="utf-8")
    # A new site_url changes mkdocs.yml: no page rendered for the old config is trusted.
    moved = build_site(reg, out, site_url="https://standards.example.gov.cn/")
    assert moved.mkdocs_mode == "full" and len(moved.rendered) == len(moved.pages)
    reg.close()


def test_merge_index_keeps_unrendered_pages_in_page_order() -> None:
    previous = {"config": {}, "docs": [{"location": "a/", "text": "old a"}, {"location": "a/#x", "text": "old ax"},
                                       {"location": "b/", "text": "old b"}, {"location": "gone/", "text": "x"}]}
    new = {"config": {"lang": ["zh"]}, "docs": [{"location": "b/", "text": "new b"}, {"location": "c/", "text": "c"}]}
    merged = merge_index(new, previous, ["", "a/", "b/", "c/"], rendered={"b/", "c/"})
    assert merged["config"] == {"lang": ["zh"]}
    assert [d["text"] for d in merged["docs"]] == ["old a", "old ax", "new b", "c"]
