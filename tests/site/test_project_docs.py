"""The project's own documentation (mkdocs.yml + docs/) builds strictly and its CLI reference is current."""

from __future__ import annotations

from pathlib import Path

import yaml

from govstd.site import cli_reference
from govstd.site.build import run_mkdocs
from govstd.site.search import SEARCH_SEPARATOR

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == cli_reference.render(), "docs/cli.md is stale: run python -m govstd.site.cli_reference"


def test_cli_reference_covers_every_command() -> None:
    from govstd.cli import COMMANDS

    text = cli_reference.render()
    for name in COMMANDS:
        assert f"`govstd {name}`" in text, name
    for sub in ("govstd site build", "govstd site serve", "govstd registry publish"):
        assert f"`{sub}`" in text, sub
    assert str(Path.home()) not in text  # portable: the same file on every machine


def test_project_docs_build_strictly(tmp_path: Path) -> None:
    warnings = run_mkdocs(ROOT / "mkdocs.yml", tmp_path / "docs-site", strict=True)
    assert warnings == []
    for page in ("index.html", "cli/index.html", "getting-started-stewards/index.html",
                 "getting-started-pipelines/index.html"):
        assert (tmp_path / "docs-site" / page).is_file(), page


def test_every_docs_page_is_in_the_nav() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def files(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [f for item in node for f in files(item)]
        if isinstance(node, dict):
            return [f for value in node.values() for f in files(value)]
        return []

    in_nav = set(files(config["nav"]))
    on_disk = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert on_disk == in_nav, f"not in nav: {sorted(on_disk - in_nav)}; missing: {sorted(in_nav - on_disk)}"


def test_project_docs_search_uses_the_site_separator() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    search = next(p["search"] for p in config["plugins"] if isinstance(p, dict) and "search" in p)
    assert search["separator"] == SEARCH_SEPARATOR
