"""Which data column holds which schema field: one rule for finding the header and for matching.

Department files name their columns loosely — ``ID Number``, ``id_number ``, a BOM before the first
name, or the Chinese name (``公民身份号码``) instead of the English one. ``fold_header`` is the one
normalisation both the readers (finding the header row, choosing text columns) and
``match_columns`` (field → column) compare names by, so a column the reader recognised is a column
the checks find.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from govstd.errors import InputError
from govstd.standards.models import CatalogueSchema


def fold_header(name: object) -> str:
    """A column name as compared: without whitespace or a leading BOM, case-folded."""
    return re.sub(r"\s+", "", str(name)).lstrip("\ufeff").casefold()


def match_columns(catalogue: CatalogueSchema, columns: Sequence[str], *,
                  source: str) -> tuple[dict[str, str], list[str]]:
    """field → data column: the exact name, else ignoring case and spaces, else the Chinese name; and
    a warning naming the columns no field took. Raises InputError naming the missing required columns
    of ``source``."""
    folded: dict[str, str] = {}
    for column in columns:
        folded.setdefault(fold_header(column), column)
    mapping: dict[str, str] = {}
    for f in catalogue.fields:
        if f.name in columns:
            mapping[f.name] = f.name
        elif fold_header(f.name) in folded:
            mapping[f.name] = folded[fold_header(f.name)]
        elif f.name_zh and fold_header(f.name_zh) in folded:
            mapping[f.name] = folded[fold_header(f.name_zh)]
    missing = [f for f in catalogue.fields if f.required and f.name not in mapping]
    if missing:
        names = ", ".join(f"{f.name} ({f.name_zh})" if f.name_zh else f.name for f in missing)
        raise InputError(
            f"missing required column(s): {names}", path=source,
            expected="columns " + ", ".join(f.name for f in catalogue.fields),
            hint=f"the data has: {', '.join(columns[:30])}",
        )
    warnings = []
    extra = [c for c in columns if c not in set(mapping.values())]
    if extra:
        warnings.append(f"columns not in the schema were not checked: {', '.join(extra[:20])}")
    return mapping, warnings


__all__ = ["fold_header", "match_columns"]
