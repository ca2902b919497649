"""The catalogue import's row checks (DuckDB, compiled from the validators' IR) agree with the Python
module ``govstd.standards.numbers.service_item``: the same records refused, for the same kind of
reason, and the same normalised values stored. One crafted record per way a row can go wrong, on
real SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from benchmarks.items import _pools
from sqlalchemy import select

from govstd.registry.items.tables import items
from govstd.registry.store import Registry
from govstd.standards.numbers import service_item

_HEADERS = ["实施编码", "基本编码", "事项名称", "事项类型", "行使层级", "行政区划", "实施主体编码"]


def _cases() -> list[tuple[dict[str, str], str | None]]:
    """(record, expected reason fragment or None when it must be accepted)."""
    pools = _pools(3)
    uscc, region = pools["usccs"][1], pools["regions"][1]
    basic = f"{region[:3]}A00000001"

    def rec(code: str, basic_code: str = basic, name: str = "婚姻登记", item_type: str = "01",
            level: str = "3") -> dict[str, str]:
        return dict(zip(_HEADERS, [code, basic_code, name, item_type, level, region, uscc], strict=True))

    dashed = f"{basic}-{region}000000-000-{uscc}-1-00"
    return [
        (rec(dashed), None),
        (rec(f"{uscc}3{basic}"), None),
        (rec(f"{uscc}3{basic}01".lower().replace("a", "ａ")), None),  # lower case, a full-width letter
        (rec(dashed.replace(uscc, uscc[8:17])), "organisation code"),
        (rec(dashed.replace(uscc, "000000000")), "placeholder"),
        (rec(dashed.replace(uscc, uscc[:-1] + ("0" if uscc[-1] != "0" else "1"))), "not a valid credit code"),
        (rec(dashed.replace(f"-{region}000000-", "-999999000000-")), "GB/T 2260"),
        (rec(dashed[:20] + "****" + dashed[24:]), "already masked"),
        (rec("ABC"), "matches no known implementation code layout"),
        (rec(dashed, basic_code="X"), "basic code: matches no known basic code layout"),
        (rec(dashed, basic_code=f"{region[:3]}B00000001"), "embeds basic code"),
        (rec(f"{uscc}3{basic}", name=""), "item name (事项名称) is empty"),
        (rec(f"{uscc}4{basic}", item_type="1"), None),
        (rec(f"{uscc}5{basic}", item_type="77"), "item type (事项类型) '77'"),
        (rec(f"{uscc}6{basic}", level="市"), None),
        (rec(f"{uscc}2{basic}", level="9"), "exercise level (行使层级) '9'"),
    ]


@pytest.fixture
def reg(registry_url: str):  # type: ignore[no-untyped-def]
    with Registry(registry_url, create=True) as r:
        yield r


def test_row_checks_agree_with_the_python_module(reg: Registry, tmp_path: Path) -> None:
    cases = _cases()
    src = tmp_path / "cat.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, _HEADERS)
        writer.writeheader()
        writer.writerows(r for r, _ in cases)
    report = reg.import_items(src, actor="test", chunk_rows=5)
    lines = (tmp_path / "cat.fixlist.csv").read_text("utf-8").splitlines()
    fix = {int(row["row"]): row["reason"] for row in csv.DictReader(lines)}
    for number, (record, reason) in enumerate(cases, start=1):
        code = record["实施编码"]
        python_ok = service_item.is_valid(code, kind="implementation")
        if reason is None:
            assert number not in fix, (number, fix.get(number))
            assert python_ok
        else:
            assert reason in fix[number], (number, fix[number])
        if not python_ok:  # the Python module refuses the code: so does the import, for that reason
            problem = service_item.check(code, kind="implementation")[0]
            assert str(problem).split(",")[0].split(" (")[0] in fix[number]
    assert report.rejected == sum(r is not None for _, r in cases)
    with reg.engine.connect() as conn:
        stored = {r.implementation_code: r for r in conn.execute(select(items))}
    accepted = [rec for rec, reason in cases if reason is None]
    assert set(stored) == {service_item.compact(r["实施编码"]) for r in accepted}
    for rec in accepted:
        row = stored[service_item.compact(rec["实施编码"])]
        assert row.item_type == service_item.item_type(rec["事项类型"])
        labels = {v: k for k, v in service_item.EXERCISE_LEVELS.items()}
        assert row.exercise_level == labels.get(rec["行使层级"], rec["行使层级"])
