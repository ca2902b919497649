"""Which service item code layout each value matched (issue 13): the format check's ``details["tally"]``,
counted in the engine (SQL on every engine; the native kernel leaves a tally to SQL), shown in the
terminal and every report — what ``govstd check`` says of one value, for a whole column.

The values are the real codes of ``tests/standards/data/real_codes.csv`` (Sichuan, Guangdong, Guangxi);
the oracle is the Python module's ``service_item.match_layout``.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engines"))

from engine_testlib import load_table

from govstd.standards.models import CatalogueSchema
from govstd.standards.numbers import service_item
from govstd.validators.api import validate
from govstd.validators.report import TALLY_LABEL, finish
from govstd.validators.report.console_report import print_summary
from govstd.validators.results import ValidationResult

REAL = Path(__file__).resolve().parents[1] / "standards" / "data" / "real_codes.csv"
SCHEMA = CatalogueSchema.model_validate({
    "kind": "catalogue_schema", "id": "items", "name_zh": "事项", "provider": {"name": "测试"},
    "share": {"share_type": "conditional"},
    "fields": [{"name": "item_code", "name_zh": "事项编码", "standard": "GBT39554.1@^1"}],
})
#: Real codes, a basic code written in lower case (normalised, then matched) and two that match no layout.
EXTRA = ["511a09001023", "ABC", "511A09001023-511602000000-000"]


def values() -> list[str]:
    with REAL.open(encoding="utf-8") as f:
        real = [r["value"] for r in csv.DictReader(f) if r["kind"] == "item"]
    return [*real, *EXTRA]


def expected() -> dict[str, int]:
    found = Counter(m[0] for v in values() if (m := service_item.match_layout(v)) is not None)
    return {lay.name: found.get(lay.name, 0) for lay in service_item.LAYOUTS}


def write(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["item_code"])
        w.writerows([v] for v in values())
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("items") / "items.csv")


def tally(result: ValidationResult) -> dict[str, int]:
    check = result.check("item_code.format")
    assert check.evaluated == len(values()) and check.failed == 2
    out: dict[str, int] = check.details["tally"]
    return out


def test_the_oracle_sees_every_layout() -> None:
    # The data must exercise every layout, or a layout's count could be wrong unseen.
    assert all(n > 0 for n in expected().values()), expected()
    assert sum(expected().values()) == len(values()) - 2


@pytest.mark.parametrize("kernel", ["1", "0"], ids=["kernel", "sql"])
def test_duckdb_counts_each_layout_as_the_python_module_matches_it(
        data: Path, kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSTD_KERNEL", kernel)
    assert tally(validate(data, SCHEMA)) == expected()


def test_a_tally_leaves_the_breakdown_and_the_verdict_alone(data: Path) -> None:
    result = validate(data, SCHEMA)
    body = result.check("item_code.body")
    # Three irregular bodies, real Sichuan values: an organisation code, a placeholder and a credit code
    # that lost a digit (neither kind in the breakdown).
    assert body.failed == 3 and body.details["breakdown"] == {"placeholder": 1, "org_code_shape": 1}
    assert "tally" not in body.details


@pytest.mark.postgres
def test_postgres_counts_the_same_layouts(postgres_database: str, data: Path) -> None:
    load_table(postgres_database, "items", ["item_code"], [[v] for v in values()])
    pushed = validate(postgres_database, SCHEMA, table="items", engine="postgres")
    assert pushed.engine == "postgres"
    assert tally(pushed) == expected() == tally(validate(data, SCHEMA))


@pytest.mark.spark
def test_spark_counts_the_same_layouts(spark: object, data: Path) -> None:
    assert tally(validate(data, SCHEMA, engine="spark")) == expected()


def test_every_report_shows_the_layouts(data: Path) -> None:
    result = validate(data, SCHEMA)
    counts = expected()
    line = " · ".join(f"{name} {n}" for name, n in counts.items() if n)
    done = finish(result, formats=["json", "md", "html"])
    scored = json.loads(done.texts["json"])
    assert [c["details"]["tally"] for c in scored["checks"] if c["rule_id"] == "item_code.format"] == [counts]
    md_line = line.replace("_", "&#95;")  # Markdown escapes what could start markup
    assert f"<code>item&#95;code.format</code>: {md_line} (无匹配 none: 2)" in done.texts["md"]
    assert f"{TALLY_LABEL}: {line}" in done.texts["html"]
    console = Console(record=True, width=200)
    print_summary(done.scorecard, console=console)
    assert f"item_code.format: {line} (无匹配 none: 2)" in console.export_text()
