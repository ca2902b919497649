"""A GX validation result (JSON) → a govstd ``ValidationResult``, so a pipeline that keeps GX still
gets the GB/T 36344 scorecard and the share gate (``govstd import gx-result``). No GX import.

Each expectation result becomes a check: its rule id from ``meta.govstd.rule_id`` (suites exported
by ``govstd export gx``; expectations standing for one govstd check are merged), else
``gx.<column>.<expectation type>`` with a dimension inferred from the expectation type. Counts:
``failed`` is GX's ``unexpected_count``; ``evaluated`` the values GX looked at (element count less
missing values) — for govstd's expectations that is every non-null row, where ``govstd validate``
counts only the rows a check applies to, so pass rates may differ slightly while failed counts agree.
Aggregate expectations count as one evaluation, failed when unsuccessful. GX's unexpected values are
never copied: they are unmasked personal data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from govstd import __version__
from govstd.errors import InputError
from govstd.integrations.gx.names import META_KEY
from govstd.standards.models import QualityDimension
from govstd.validators.results import CheckResult, DatasetInfo, ValidationResult

D = QualityDimension
#: GX expectation type (or prefix) → (GB/T 36344 dimension, indicator), for expectations govstd did not export.
GX_DIMENSIONS: tuple[tuple[str, QualityDimension, str], ...] = (
    ("expect_column_values_to_not_be_null", D.COMPLETENESS, "数据元素完整性"),
    ("expect_column_values_to_be_null", D.COMPLETENESS, "数据元素完整性"),
    ("expect_table_row_count", D.COMPLETENESS, "数据记录完整性"),
    ("expect_column_values_to_be_unique", D.ACCURACY, "数据唯一性"),
    ("expect_compound_columns_to_be_unique", D.ACCURACY, "数据唯一性"),
    ("expect_multicolumn_values_to_be_unique", D.ACCURACY, "数据唯一性"),
    ("expect_select_column_values_to_be_unique", D.ACCURACY, "数据唯一性"),
    ("expect_column_values_to_be_in_set", D.CONFORMITY, "权威参考数据"),
    ("expect_column_values_to_not_be_in_set", D.CONFORMITY, "权威参考数据"),
    ("expect_column_distinct_values", D.CONFORMITY, "权威参考数据"),
    ("expect_table_column", D.CONFORMITY, "数据模型"),
    ("expect_column_to_exist", D.CONFORMITY, "数据模型"),
    ("expect_column_values_to_match", D.ACCURACY, "数据格式合规性"),
    ("expect_column_values_to_not_match", D.ACCURACY, "数据格式合规性"),
    ("expect_column_value_lengths", D.ACCURACY, "数据格式合规性"),
    ("expect_column_values_to_be_of_type", D.ACCURACY, "数据格式合规性"),
    ("expect_column_values_to_be_in_type_list", D.ACCURACY, "数据格式合规性"),
    ("expect_column_values_to_be_dateutil_parseable", D.ACCURACY, "数据格式合规性"),
    ("expect_column_values_to_be_json_parseable", D.ACCURACY, "数据格式合规性"),
    ("expect_column_pair_values_to_be_equal", D.CONSISTENCY, "相同数据一致性"),
    ("expect_column_pair", D.CONSISTENCY, "关联数据一致性"),
    ("expect_multicolumn", D.CONSISTENCY, "关联数据一致性"),
    ("expect_column", D.ACCURACY, "数据内容正确性"),
)


def load(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """The one validation result in a GX result document: an ``ExpectationSuiteValidationResult``
    (``results``) or a checkpoint result holding exactly one (``run_results``)."""
    if isinstance(source, Mapping):
        data: Any = dict(source)
        where = "<data>"
    else:
        where = str(source)
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise InputError("file not found", path=where) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"not a JSON file: {exc}", path=where, expected="a GX validation result (JSON)") from None
    if isinstance(data, dict) and "run_results" in data:
        runs = list(data["run_results"].values()) if isinstance(data["run_results"], dict) else data["run_results"]
        runs = [r.get("validation_result", r) if isinstance(r, dict) else r for r in runs]
        if len(runs) != 1:
            raise InputError(f"the checkpoint result holds {len(runs)} validation results", path=where,
                             expected="exactly one (export each run's result separately)")
        data = runs[0]
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise InputError("no 'results' list: not a GX validation result", path=where,
                         expected="the JSON of a GX ExpectationSuiteValidationResult or CheckpointResult")
    return data


def _columns(kwargs: Mapping[str, Any]) -> list[str]:
    if "column" in kwargs:
        return [str(kwargs["column"])]
    if "column_A" in kwargs:
        return [str(kwargs["column_A"]), str(kwargs["column_B"])]
    return [str(c) for c in kwargs.get("column_list", [])]


def _dimension(kind: str) -> tuple[QualityDimension, str]:
    for prefix, dim, indicator in GX_DIMENSIONS:
        if kind.startswith(prefix):
            return dim, indicator
    return D.ACCURACY, "数据内容正确性"


def _raised(info: Any) -> str | None:
    """The exception message of an expectation that could not run, else None."""
    if not isinstance(info, Mapping):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception")
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message") or "exception")
    return None


def _counts(result: Mapping[str, Any], success: bool) -> tuple[int, int, int | None]:
    """(evaluated, failed, rows) from one expectation's ``result`` block."""
    elements = result.get("element_count")
    if "unexpected_count" in result and result["unexpected_count"] is not None and elements is not None:
        missing = int(result.get("missing_count") or 0)
        return max(int(elements) - missing, 0), int(result["unexpected_count"]), int(elements)
    return 1, 0 if success else 1, int(elements) if elements is not None else None


def _time(meta: Mapping[str, Any]) -> dt.datetime:
    for value in (meta.get("validation_time"), (meta.get("run_id") or {}).get("run_time")):
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def to_validation_result(data: Mapping[str, Any], *, schema_ref: str, source: str = "gx-result",
                         expected_rules: Iterable[str] = ()) -> ValidationResult:
    """``data`` (from ``load``) as a govstd result. ``expected_rules``: the rule ids govstd derives
    for the schema; those the GX run did not check are named in the warnings."""
    merged: dict[str, CheckResult] = {}
    warnings: list[str] = []
    rows = 0
    columns: list[str] = []
    for entry in data["results"]:
        config = entry.get("expectation_config") or {}
        kind = str(config.get("type") or config.get("expectation_type") or "unknown")
        kwargs = config.get("kwargs") or {}
        own = (config.get("meta") or {}).get(META_KEY) or {}
        cols = _columns(kwargs)
        columns += [c for c in cols if c not in columns]
        rule_id = str(own.get("rule_id") or ".".join(["gx", *cols, kind.removeprefix("expect_")]))
        error = _raised(entry.get("exception_info"))
        if own.get("dimension"):
            dimension, indicator = QualityDimension(own["dimension"]), own.get("indicator")
        else:
            dimension, indicator = _dimension(kind)
        severity = own.get("severity") or ("info" if config.get("severity") == "info" else "error")
        if error is not None:
            warnings.append(f"{rule_id}: GX could not run {kind}: {error.splitlines()[0] if error else ''}")
            evaluated, failed, n = 0, 0, None
        else:
            evaluated, failed, n = _counts(entry.get("result") or {}, bool(entry.get("success")))
        rows = max(rows, n or 0)
        details: dict[str, Any] = {"gx": [kind]}
        if error is not None:
            details["error"] = error.splitlines()[0] if error else "exception"
        if rule_id in merged:
            # Several expectations standing for one govstd check (not null + not blank): the rows they
            # flag are disjoint, so failures add up over the same rows.
            prev = merged[rule_id]
            evaluated = max(prev.evaluated, evaluated)
            failed = min(prev.failed + failed, evaluated) if evaluated else prev.failed + failed
            details = {**prev.details, "gx": [*prev.details.get("gx", []), kind]}
            if "error" in prev.details:
                details["error"] = prev.details["error"]
        merged[rule_id] = CheckResult(
            rule_id=rule_id, rule=str(own.get("rule") or kind.removeprefix("expect_")), dimension=dimension,
            indicator=indicator, columns=cols, description=str(own.get("description") or _describe(kind, kwargs)),
            evaluated=evaluated, failed=failed, severity=severity, details=details,
        )
    missing = [r for r in expected_rules if r not in merged]
    if missing:
        warnings.append(f"not checked by the GX suite ({len(missing)}): {', '.join(missing)}")
    meta = data.get("meta") or {}
    when = _time(meta)
    gx_version = meta.get("great_expectations_version")
    batch = meta.get("active_batch_definition") or {}
    asset = "/".join(str(batch[k]) for k in ("datasource_name", "data_asset_name") if batch.get(k))
    # Named after the GX batch: the result file is not the dataset, so nothing fingerprints it as one.
    label = f"GX batch {asset or '?'} (result: {Path(source).name})"
    return ValidationResult(
        dataset=DatasetInfo(source=label, format="gx-result", rows=rows, columns=columns),
        schema_ref=schema_ref, engine="great_expectations" + (f" {gx_version}" if gx_version else ""),
        tool_version=__version__, started_at=when, finished_at=when, checks=list(merged.values()), warnings=warnings,
    )


def _describe(kind: str, kwargs: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in kwargs.items() if k not in ("batch_id",) and not isinstance(v, list | dict)}
    return f"{kind}({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


__all__ = ["GX_DIMENSIONS", "load", "to_validation_result"]
