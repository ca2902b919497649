"""``govstd import gx-result``: a GX validation result becomes a govstd scorecard with the right counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import messy
import pytest

from conftest import govstd, read_frame
from govstd.export import export, load_source
from govstd.integrations.gx import results
from govstd.validators.api import validate


@pytest.fixture(scope="module")
def gx_result_file(gx_context: Any, messy_csv: Path, data_dir: Path) -> Path:
    """The exported suite run by GX on pandas; its result saved as a pipeline would save it."""
    from govstd.integrations.gx import load_suite

    suite = gx_context.suites.add(load_suite(export("gx", load_source(schema_file=messy.SCHEMA),
                                                    today=messy.TODAY).text))
    batch = (gx_context.data_sources.add_pandas("import_pandas").add_dataframe_asset("applications")
             .add_batch_definition_whole_dataframe("all")
             .get_batch(batch_parameters={"dataframe": read_frame(messy_csv)}))
    result = batch.validate(suite)  # GX's default result format: with unexpected values, unmasked
    path = data_dir / "gx_result.json"
    path.write_text(json.dumps(result.to_json_dict(), ensure_ascii=False, default=str), encoding="utf-8")
    return path


def test_scorecard_has_govstds_counts(gx_result_file: Path, messy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    proc = govstd("import", "gx-result", str(gx_result_file), "--schema-file", str(messy.SCHEMA), "--out", str(out),
                  "--format", "json", "--format", "md")
    assert proc.returncode == 1, proc.stderr  # the messy data fails the share gate, as with govstd validate
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    assert (out / "scorecard.md").is_file()
    got = {c["rule_id"]: c["failed"] for c in card["checks"]}
    want = validate(messy_csv, messy.SCHEMA, today=messy.TODAY).failed_counts
    exact = {rid for rid in want if rid not in ("key.unique", "rules.fresh", "rules.item_registered")}
    assert {rid: got[rid] for rid in exact} == {rid: want[rid] for rid in exact}
    assert got["key.unique"] == 4  # GX's count (documented approximation), not silently "corrected"
    assert card["dataset"]["rows"] == len(messy.ROWS)
    assert card["engine"].startswith("great_expectations")
    assert card["verdict"]["verdict"] == "FAIL"
    assert {d["dimension"] for d in card["dimensions"] if d["measured"]} == {
        "conformity", "completeness", "accuracy", "consistency", "timeliness"}
    assert any("rules.fresh" in w for w in card["warnings"])  # what the suite did not check is said


def test_unmasked_values_from_gx_never_reach_the_reports(gx_result_file: Path, tmp_path: Path) -> None:
    raw = gx_result_file.read_text(encoding="utf-8")
    leaked_by_gx = [r["id_number"] for r in messy.ROWS if len(r["id_number"]) == 18 and r["id_number"] in raw]
    assert leaked_by_gx  # GX's result lists failing values as they are
    out = tmp_path / "report"
    govstd("import", "gx-result", str(gx_result_file), "--schema-file", str(messy.SCHEMA), "--out", str(out),
           "--format", "json", "--format", "html", "--format", "md", "--format", "junit")
    reports = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert not [v for v in leaked_by_gx if v in reports]


def test_checkpoint_results_and_plain_gx_suites(tmp_path: Path) -> None:
    """A suite govstd did not write still scores: dimensions inferred from the expectation types."""
    result = {
        "success": False,
        "results": [
            {"success": False, "expectation_config": {"type": "expect_column_values_to_not_be_null",
                                                      "kwargs": {"column": "name"}, "meta": {}},
             "result": {"element_count": 10, "unexpected_count": 2}, "exception_info": {"raised_exception": False}},
            {"success": True, "expectation_config": {"type": "expect_column_values_to_be_in_set",
                                                     "kwargs": {"column": "sex", "value_set": ["1", "2"]}},
             "result": {"element_count": 10, "unexpected_count": 0, "missing_count": 1}},
            {"success": False, "expectation_config": {"type": "expect_table_row_count_to_be_between",
                                                      "kwargs": {"min_value": 100}}, "result": {"observed_value": 10}},
            {"success": False, "expectation_config": {"type": "expect_column_values_to_match_regex",
                                                      "kwargs": {"column": "x", "regex": "a"}},
             "result": {}, "exception_info": {"raised_exception": True, "exception_message": "no such column"}},
        ],
        "meta": {"great_expectations_version": "1.24.1", "validation_time": "2025-06-01T10:00:00+00:00"},
    }
    path = tmp_path / "checkpoint.json"
    path.write_text(json.dumps({"run_results": {"run-1": result}, "success": False}), encoding="utf-8")
    converted = results.to_validation_result(results.load(path), schema_ref="x@1.0.0", source=str(path))
    by_id = {c.rule_id: c for c in converted.checks}
    name = by_id["gx.name.column_values_to_not_be_null"]
    assert (name.dimension.value, name.indicator, name.evaluated, name.failed) == ("completeness", "数据元素完整性",
                                                                                   10, 2)
    sex = by_id["gx.sex.column_values_to_be_in_set"]
    assert (sex.dimension.value, sex.evaluated, sex.failed) == ("conformity", 9, 0)
    rows = by_id["gx.table_row_count_to_be_between"]
    assert (rows.evaluated, rows.failed) == (1, 1)
    broken = by_id["gx.x.column_values_to_match_regex"]
    assert broken.evaluated == 0 and "no such column" in broken.details["error"]
    assert any("could not run" in w for w in converted.warnings)


def test_not_a_gx_result_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    proc = govstd("import", "gx-result", str(path), "--schema-file", str(messy.SCHEMA))
    assert proc.returncode == 2
    assert "not a GX validation result" in proc.stderr
