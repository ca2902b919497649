"""One redaction step for every value a validation run lets out of govstd.

A sample value leaves govstd in the terminal table, ``-q``, ``--json``, the Python API's result and
every report file. Whether a column is bound to a personal-data standard or is free text (备注 holding
"联系13812345678 证件110101199003078514"), its values pass the same step, where samples are made:

1. a column bound to a personal-data standard is masked by that standard's rule;
2. every value passes ``redact`` (ID-, phone- and USCC-shaped numbers anywhere in it are masked);
3. dates equal to the birth date of a citizen ID in the same row are masked: the ID's mask hides
   its birth date, and a 出生日期 column shown beside it must not give it back. The rule looks at the
   values, not the bindings, so a date in free text or in an unbound column is covered too;
4. long values are cut, after masking (a cut must not leave half an ID unrecognised).

Column names, warnings, the dataset's name and the fix list's path pass ``redact`` too (a header row
may be data; a file may be named after the person it is about).
Only ``show_values=True`` (``--show-values``) shows sample values and column names as they are; messages
are redacted always. Report files are made from the scorecard, which redacts again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from govstd.standards.masking import birth_dates, mask, redact
from govstd.standards.models import MaskingRule
from govstd.standards.numbers.normalize import is_masked
from govstd.validators.results import CheckResult, DatasetInfo, FixListInfo, Sample, ValidationResult

#: Longest sample value shown (after masking); longer text is cut.
MAX_SAMPLE_CHARS = 80


class SampleMasking(dict[str, MaskingRule | None]):
    """Column → masking rule of its standard, and whether the user asked to see values unmasked.

    A dict, so that every engine's ``run(masking=…)`` takes it unchanged."""

    def __init__(self, rules: Mapping[str, MaskingRule | None] = {}, *, show_values: bool = False) -> None:
        super().__init__(rules)
        self.show_values = show_values


def redact_row(values: Mapping[str, Any], masking: Mapping[str, MaskingRule | None] | None = None, *,
               max_chars: int | None = MAX_SAMPLE_CHARS) -> dict[str, str | None]:
    """One sample row as shown: field rules, ``redact``, birth dates beside an ID masked, values cut.

    ``masking`` may be a ``SampleMasking`` with ``show_values``: then values are only cut."""
    rules = masking or {}
    texts = {name: None if value is None else str(value) for name, value in values.items()}
    reveal = getattr(rules, "show_values", False)
    born: set[str] = set() if reveal else set().union(*(birth_dates(t) for t in texts.values() if t))
    shown: dict[str, str | None] = {}
    for name, text in texts.items():
        if text is not None and not reveal:
            rule = rules.get(name)
            if rule is not None and text and not is_masked(text):
                text = mask(text.strip(), rule)
            text = redact(text, birth_dates=born)
        if text is not None and max_chars is not None and len(text) > max_chars:
            text = text[: max_chars - 1] + "…"
        shown[name] = text
    return shown


def redact_samples(samples: Iterable[Sample], masking: Mapping[str, MaskingRule | None] | None = None) -> list[Sample]:
    """``samples`` with every row passed through ``redact_row``."""
    return [s.model_copy(update={"values": redact_row(s.values, masking, max_chars=None)}) for s in samples]


def redact_names(names: Iterable[str]) -> list[str]:
    """Column names as shown: a header that is an ID number or a phone is masked like a value."""
    return [redact(n) for n in names]


def redact_any(value: Any) -> Any:
    """Strings anywhere in ``value`` (nested mappings and sequences) redacted; numbers kept."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(k)): redact_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [redact_any(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact(str(value))


def redact_fix_list(info: FixListInfo | None) -> FixListInfo | None:
    """The fix list as named in a result or a scorecard: its path is the user's (``--fix-list
    /tmp/110101…_整改.xlsx``), and a path is a name like any other."""
    return None if info is None else info.model_copy(update={"path": redact(info.path)})


def redact_result(result: ValidationResult, *, show_values: bool = False) -> ValidationResult:
    """``result`` as it may leave govstd: the last step of ``govstd.validate`` on every engine.

    The engines already masked the samples (``redact_row``, which needs the raw row for birth dates);
    this pass is the guard for everything else — names, warnings, details — and for any engine that
    did not."""

    def check(c: CheckResult) -> CheckResult:
        samples = c.samples if show_values else redact_samples(c.samples)
        return c.model_copy(update={"samples": samples, "details": redact_any(c.details),
                                    "description": redact(c.description)})

    info: DatasetInfo = result.dataset
    dataset = info.model_copy(update={"source": redact(info.source),
                                      "columns": info.columns if show_values else redact_names(info.columns)})
    return result.model_copy(update={
        "dataset": dataset,
        "registry": redact(result.registry) if result.registry else None,
        "fix_list": redact_fix_list(result.fix_list),
        "checks": [check(c) for c in result.checks],
        "warnings": [redact(w) for w in result.warnings],
    })


__all__ = ["MAX_SAMPLE_CHARS", "SampleMasking", "redact_any", "redact_fix_list", "redact_names", "redact_result",
           "redact_row", "redact_samples"]
