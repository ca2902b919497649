"""Masking of samples: nothing personal leaves the scorecard. The run's masking decisions are taken as
they are; a sample is re-masked whatever the engine did.
"""

from __future__ import annotations

from collections.abc import Mapping

from govstd.errors import GovstdError
from govstd.standards.masking import FALLBACK_RULE, redact
from govstd.standards.models import (
    CatalogueSchema,
    DataElement,
    FieldSpec,
    MaskingRule,
    PiiClass,
)
from govstd.validators.privacy import redact_row
from govstd.validators.results import Sample

# --------------------------------------------------------------------------- privacy

def pii_rules(schema: CatalogueSchema | None, decided: Mapping[str, MaskingRule | None] | None
               ) -> dict[str, MaskingRule]:
    """Column or sample label → masking rule for the schema's personal columns and the run's labels.

    ``decided``: the run's own decisions (``ValidationResult.masking``, made by derivation from the
    versions the run bound), taken as they are. A field declared ``masked`` gets the fallback rule
    when the run decided none: its values should arrive masked, and that is never trusted. Only a
    result that does not come from a run (built by hand, read back from JSON) has no decisions; its
    are made here from the schema and the built-in library.
    """
    if schema is None:
        return {}
    rules: dict[str, MaskingRule] = {}
    for spec in schema.fields:
        # A field the run did not decide (a result carrying only labels' rules) is decided here.
        rule = decided[spec.name] if decided is not None and spec.name in decided else library_rule(spec)
        if rule is None and spec.masked:
            rule = FALLBACK_RULE
        if rule is not None:
            rules[spec.name] = rule
    # Sample labels that are no field (another department's column, ``consistent_with``) keep the rule the
    # run decided: its samples were shown unmasked with show_values, a report must mask them all the same.
    for label, rule in (decided or {}).items():
        if rule is not None and label not in rules:
            rules[label] = rule
    return rules


def library_rule(spec: FieldSpec) -> MaskingRule | None:
    """A field's masking rule from its own PII class or the built-in standard of its name."""
    from govstd.standards import library

    element: DataElement | None = None
    if spec.standard:
        found = None
        # PII class and masking do not depend on the version: a range the built-in library cannot
        # satisfy (a registry's newer version) still masks like the built-in standard of that name.
        for ref in (spec.standard, spec.standard.split("@", 1)[0]):
            try:
                found = library.lookup(ref).entry
                break
            except GovstdError:
                continue
        element = found if isinstance(found, DataElement) else None
    pii = spec.pii if spec.pii is not None else (element.pii if element is not None else PiiClass.NONE)
    if pii == PiiClass.NONE and not spec.masked:
        return None
    return element.masking if element is not None and element.masking else FALLBACK_RULE


def safe_sample(sample: Sample, pii: Mapping[str, MaskingRule]) -> Sample:
    # The engine should have masked it (and an API result asked with show_values did not): never trust,
    # always mask — the field rule, redact(), birth dates beside an ID (govstd.validators.privacy).
    shown = redact_row(sample.values, pii, max_chars=None)
    return sample.model_copy(update={"values": {redact(k): v for k, v in sorted(shown.items())}})
