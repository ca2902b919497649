"""The module docstrings' examples are tests: run every module's doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "govstd.standards.numbers",
    "govstd.standards.numbers.exceptions",
    "govstd.standards.numbers.iso7064",
    "govstd.standards.numbers.normalize",
    "govstd.standards.numbers.gbt2260",
    "govstd.standards.numbers.gb11643",
    "govstd.standards.numbers.residence_permit",
    "govstd.standards.numbers.foreign_pr",
    "govstd.standards.numbers.gb11714",
    "govstd.standards.numbers.gb32100",
    "govstd.standards.numbers.mobile",
    "govstd.standards.numbers.gbt7408",
    "govstd.standards.numbers.service_item",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no doctest examples"
    assert result.failed == 0


def test_every_module_is_covered() -> None:
    from govstd.standards.numbers import ALGORITHMS

    covered = {name.rsplit(".", 1)[-1] for name in MODULES}
    assert set(ALGORITHMS.values()) <= covered
