"""govstd's standards inside Great Expectations (GX Core 1.x).

Custom expectations for what GX lacks, each evaluating exactly the predicate ``govstd validate``
uses (derived by ``govstd.validators.derive``, compiled by ``govstd.validators.compiler``), so GX's
unexpected counts equal govstd's failed counts, on pandas and on SQL data sources alike:

- ``ExpectColumnValuesToBeValidGb11643`` — 公民身份号码 (and the permits sharing its layout), as a
  whole or one part: length, format, checksum, birth_date, region, sequence;
- ``ExpectColumnValuesToBeValidGb32100`` — 统一社会信用代码: length, format, checksum, category,
  region, org_code;
- ``ExpectColumnValuesToBeInGovstdCodeSet`` — a value of a version-pinned govstd code set;
- ``ExpectColumnPairValuesToMatchGb11643`` — the birth date, sex or region in another column agrees
  with the citizen ID number;
- ``ExpectColumnValuesToPassGovstdCheck`` and ``ExpectColumnPairValuesToPassGovstdComparison`` —
  any other field check (type, range, other identifiers, hygiene) and a comparison rule.

This package imports GX lazily: ``import govstd.integrations.gx`` is cheap; the expectation classes
(and GX) load on first attribute access, or with ``register()``. A suite exported by
``govstd export gx`` needs them registered before GX reads it::

    import govstd.integrations.gx as govstd_gx
    suite = govstd_gx.load_suite("suite.json")      # registers the expectations, returns a GX suite
"""

from __future__ import annotations

import importlib
from typing import Any

from govstd.integrations.gx.names import EXPECTATIONS

__all__ = ["EXPECTATIONS", "load_suite", "register", *EXPECTATIONS.values()]


def register() -> None:
    """Define (and so register with GX) every govstd expectation and metric. Idempotent."""
    importlib.import_module("govstd.integrations.gx.expectations")


def load_suite(source: Any) -> Any:
    """A ``great_expectations.ExpectationSuite`` from an exported suite (path, JSON text or dict)."""
    from govstd.integrations.gx.expectations import load_suite as _load

    return _load(source)


def __getattr__(name: str) -> Any:
    if name in EXPECTATIONS.values():
        module = importlib.import_module("govstd.integrations.gx.expectations")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
