"""Check one value at a time against a standard — for ``govstd check`` and small API calls.

Datasets are never checked this way: the validation engine compiles the same rules to SQL. This path
exists so a steward can paste a number and hear exactly what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from govstd.errors import InputError
from govstd.standards import numbers
from govstd.standards.models import AnyEntry, CodeSet, DataElement
from govstd.standards.numbers.exceptions import ValidationError

#: ``match`` of a code-set field or check: ``any`` (the default where labels are unique) accepts codes and
#: labels and reports a label as a non-canonical form; ``code`` accepts codes only (strict); ``label``
#: accepts labels only. One vocabulary for ``govstd check`` and dataset validation (validators.derive.codes).
CodeSetMatch = typing.Literal["any", "code", "label"]
CODE_SET_MATCHES: tuple[str, ...] = typing.get_args(CodeSetMatch)
DEFAULT_MATCH = "any"
#: Options of a code set checker (``-o historical=true``, ``-o match=code``): name → allowed type.
CODE_SET_OPTIONS: dict[str, Any] = {"historical": bool, "match": CodeSetMatch}
_TRUE, _FALSE = frozenset({"true", "yes", "1", "on"}), frozenset({"false", "no", "0", "off"})


@dataclass(frozen=True, slots=True)
class ValueCheck:
    """The verdict on one value; ``error`` is a stable code (``checksum``, ``length``, …) or None.
    ``warnings`` are findings that do not make the value invalid (``(code, message)`` pairs)."""

    valid: bool
    error: str | None = None
    message: str | None = None
    normalised: str | None = None
    warnings: tuple[tuple[str, str], ...] = ()


def algorithm_options(algorithm: str) -> dict[str, Any]:
    """The options ``validate`` of identifier algorithm ``algorithm`` takes: name → type annotation.
    Read from the signature, so the list of allowed options cannot drift from the code."""
    validate = numbers.get(algorithm).validate
    hints = typing.get_type_hints(validate)
    return {name: hints.get(name, str) for name, p in inspect.signature(validate).parameters.items()
            if p.kind == inspect.Parameter.KEYWORD_ONLY or (p.default is not inspect.Parameter.empty)}


def coerce_options(what: str, allowed: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` (strings from ``-o KEY=VALUE`` or values from YAML) as the types ``allowed`` names;
    an unknown option or a bad value is an InputError naming the allowed options or values."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        if key not in allowed:
            raise InputError(f"{what} has no option {key!r}", field=f"-o {key}",
                             expected=", ".join(sorted(allowed)) or "no options")
        out[key] = _coerce(key, allowed[key], value)
    return out


def _coerce(key: str, annotation: Any, value: Any) -> Any:
    choices = _literal_choices(annotation)
    text = str(value).strip()
    if choices:
        if text not in choices:
            raise InputError(f"bad value {text!r} for option {key!r}", field=f"-o {key}", expected=", ".join(choices))
        return text
    kinds = set(typing.get_args(annotation)) - {type(None)} if _is_union(annotation) else {annotation}
    if bool in kinds:
        if isinstance(value, bool):
            return value
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise InputError(f"bad value {text!r} for option {key!r}", field=f"-o {key}", expected="true, false")
    if dt.date in kinds:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(f"bad value {text!r} for option {key!r}", field=f"-o {key}",
                             expected="a date YYYY-MM-DD") from None
    return value


def _literal_choices(annotation: Any) -> tuple[str, ...]:
    args = [annotation] if typing.get_origin(annotation) is typing.Literal else (
        [a for a in typing.get_args(annotation) if typing.get_origin(a) is typing.Literal] if _is_union(annotation)
        else [])
    return tuple(str(c) for a in args for c in typing.get_args(a))


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


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
        allowed = algorithm_options(algorithm)
        kwargs = coerce_options(element.id, allowed, {**element.value_domain.options, **options})
        find = getattr(module, "findings", None)
        find_kwargs = {} if find is None else {
            k: v for k, v in kwargs.items() if k in inspect.signature(find).parameters}

        def check_algorithm(value: str) -> ValueCheck:
            if not value.strip():
                return ValueCheck(False, "empty", "value is empty")
            try:
                normalised = str(module.validate(value, **kwargs))
            except ValidationError as exc:
                return ValueCheck(False, exc.code, str(exc))
            found = tuple((w.code, str(w)) for w in find(value, **find_kwargs)) if find is not None else ()
            return ValueCheck(True, normalised=normalised, warnings=found)

        return check_algorithm
    coerce_options(element.id, {}, options)

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


@functools.lru_cache(maxsize=64)
def _labels_unique(codes: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    # A code names itself: a label or alias spelled like another code ("1" as a label of 2) is as
    # ambiguous as one shared by two codes.
    owner: dict[str, str] = {code: code for code, _ in codes}
    for code, labels in codes:
        for label in labels:
            if owner.setdefault(label, code) != code:
                return False
    return True


def labels_unique(code_set: CodeSet) -> bool:
    """Every label and alias of ``code_set`` names exactly one code, and none is spelled like another code
    (so a label normalises to its code)."""
    return _labels_unique(tuple((c.code, (c.label_zh, *c.aliases)) for c in code_set.codes))


def default_match(code_set: CodeSet) -> str:
    """``any`` when every label names one code (男 is 1, 汉族 is 01), else ``code``: a label such as
    GB/T 2260's 市辖区, shared by hundreds of codes, cannot be normalised to one."""
    return DEFAULT_MATCH if labels_unique(code_set) else "code"


def _code_set_checker(code_set: CodeSet, options: dict[str, Any]) -> Callable[[str], ValueCheck]:
    """Codes (and, under ``match: any``, labels reported as a 规范性 warning) — what a dataset validation
    says of the same value in a column bound to the set."""
    opts = coerce_options(code_set.id, CODE_SET_OPTIONS, options)
    historical = bool(opts.get("historical", False))
    match = str(opts.get("match") or default_match(code_set))
    in_force = [c for c in code_set.codes if historical or c.valid_to is None]
    valid_codes = {c.code for c in in_force} if match != "label" else set()
    label_of = {label: c.code for c in in_force for label in (c.label_zh, *c.aliases)} if match != "code" else {}
    ever = code_set.all_codes()

    def check_code(value: str) -> ValueCheck:
        stripped = value.strip()
        if not stripped:
            return ValueCheck(False, "empty", "value is empty")
        spaces = (("whitespace", "surrounding spaces (规范性)"),) if stripped != value else ()
        if stripped in valid_codes:
            return ValueCheck(True, normalised=stripped, warnings=spaces)
        if stripped in label_of:
            code = label_of[stripped]
            if match == "label":
                return ValueCheck(True, normalised=stripped, warnings=spaces)
            return ValueCheck(True, normalised=code, warnings=(
                ("label", f"a label of code {code}: the value does not conform (规范性); -o match=code makes "
                          "it an error"), *spaces))
        if stripped in ever and match != "label":
            return ValueCheck(False, "historical_code", f"code is no longer valid in {code_set.id}")
        return ValueCheck(False, "code_set", f"not a code of {code_set.id}" + (
            f" (match={match})" if match != "any" else ""))

    return check_code
