"""``validate --out DIR --fix-list FILE``: the reports link the fix list wherever it was written, by its path
relative to the reports' folder, and say how many rows it holds; ``--fix-list DIR/…`` makes DIR first."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from govstd import demo


def _govstd(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govstd", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("link")
    records, _ = demo.generate(300)
    data = demo.write_csv(records, folder / "cases.csv")
    schema = folder / "schema.yaml"
    schema.write_text(demo.schema_yaml(), encoding="utf-8")
    return data, schema


@pytest.mark.parametrize(("fix_list", "href"), [("reports/fixes.csv", "fixes.csv"),
                                                 ("lists/整改 清单.csv", "../lists/整改 清单.csv")])
def test_reports_link_the_fix_list_and_count_its_rows(files: tuple[Path, Path], tmp_path: Path, fix_list: str,
                                                      href: str) -> None:
    data, schema = files
    target = tmp_path / fix_list
    if target.parent.name == "lists":
        target.parent.mkdir()
    out = tmp_path / "reports"
    proc = _govstd("validate", data, "--schema-file", schema, "--out", out, "--fix-list", target, "-q",
                   "--format", "json", "--format", "html", "--format", "md")
    assert proc.returncode in (0, 1), proc.stderr  # the gate's verdict is not what this test is about
    listed = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))[1:]
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    assert card["fix_list"]["path"] == href and card["fix_list"]["rows"] == len(listed) > 0
    html = (out / "scorecard.html").read_text(encoding="utf-8")
    assert f'<a href="{href}">' in html and f"{len(listed):,} 行待整改" in html
    # Markdown quotes the href (a space, Chinese): the link opens the file it names.
    from urllib.parse import quote, unquote

    md = (out / "scorecard.md").read_text(encoding="utf-8")
    assert f"{len(listed):,} 行待整改 failing rows" in md
    link = md.split('Fix list 整改清单: <a href="', 1)[1].split('"', 1)[0]
    assert unquote(link.replace("&#95;", "_")) == href and link == quote(href).replace("_", "&#95;")
    assert (out / unquote(link)).resolve() == target.resolve()
