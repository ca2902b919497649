"""Rebuilding after a publish adds the new version's pages and diff; no existing URL goes away."""

from __future__ import annotations

from pathlib import Path

from site_testlib import make_registry, publish_gb11643_1_1

from govstd.site.build import build_site


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
