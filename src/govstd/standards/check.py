"""Check one value at a time against a standard — for ``govstd check`` and small API calls.

Datasets are never checked this way: the validation engine compiles the same rules to SQL. This path
exists so a steward can paste a number and hear exactly what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from govstd.standards import numbers
from govstd.standards.models import AnyEntry, CodeSet, DataElement
from govstd.standards.numbers.exceptions import ValidationError


@dataclass(frozen=True, slots=True)
class ValueCheck:
    """The verdict on one value; ``error`` is a stable code (``checksum``, ``length``, …) or None."""

    valid: bool
    error: str | None = None
    message: str | None = None
    normalised: str | None = None


def value_checker(entry: AnyEntry, options: Mapping[str, Any] | None = None) -> Callable[[str], ValueCheck]:
    """A function checking single values against ``entry`` (a data element or a code set)."""
    if isinstance(entry, CodeSet):
        return _code_set_checker(entry, dict(options or {}))
    if isinstance(entry, DataElement):
        return _element_checker(entry, dict(options or {}))
    raise TypeError(f"{entry.kind.value} {entry.id} does not define a value domain")


def _element_checker(element: DataElement, options: dict[str, Any]) -> Callable[[str], ValueCheck]:
    algorithm = element.value_domain.algorithm
    if algorithm:
        module = numbers.get(algorithm)
        kwargs = {**element.value_domain.options, **options}

        def check_algorithm(value: str) -> ValueCheck:
            if not value.strip():
                return ValueCheck(False, "empty", "value is empty")
            try:
                return ValueCheck(True, normalised=str(module.validate(value, **kwargs)))
            except ValidationError as exc:
                return ValueCheck(False, exc.code, str(exc))

        return check_algorithm

    rep = element.representation
    pattern = re.compile(rep.pattern) if rep.pattern else None

    def check_representation(value: str) -> ValueCheck:
        value = value.strip()
        if not value:
            return ValueCheck(False, "empty", "value is empty")
        if rep.min_length is not None and len(value) < rep.min_length:
            return ValueCheck(False, "length", f"shorter than {rep.min_length} characters")
        if rep.max_length is not None and len(value) > rep.max_length:
            return ValueCheck(False, "length", f"longer than {rep.max_length} characters")
        if pattern is not None and not pattern.fullmatch(value):
            return ValueCheck(False, "format", f"does not match {rep.pattern}")
        return ValueCheck(True, normalised=value)

    return check_representation


def _code_set_checker(code_set: CodeSet, options: dict[str, Any]) -> Callable[[str], ValueCheck]:
    historical = bool(options.get("historical", False))
    valid_codes = code_set.all_codes() if historical else {c.code for c in code_set.codes if c.valid_to is None}
    ever = code_set.all_codes()

    def check_code(value: str) -> ValueCheck:
        value = value.strip()
        if not value:
            return ValueCheck(False, "empty", "value is empty")
        if value in valid_codes:
            return ValueCheck(True, normalised=value)
        if value in ever:
            return ValueCheck(False, "historical_code", f"code is no longer valid in {code_set.id}")
        return ValueCheck(False, "code_set", f"not a code of {code_set.id}")

    return check_code
