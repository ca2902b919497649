"""The examples in the docstrings of the format registry, the exporters and the report formats run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["govstd.formats", "govstd.i18n", "govstd.export", "govstd.export.jsonschema", "govstd.validators.report"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
