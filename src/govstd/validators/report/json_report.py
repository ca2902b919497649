"""The JSON scorecard: the whole ``Scorecard``, deterministic, validated by ``scorecard.schema.json``.

Keys are sorted and every list has a stable order (checks by rule id, dimensions in GB/T 36344 order,
columns in the dataset's order), so two runs on the same input differ only in ``started_at`` and
``finished_at`` — a plain ``diff`` of two scorecards shows what changed in the data.
"""

from __future__ import annotations

import json

from govstd.validators.scorecard import Scorecard

#: The fields that legitimately differ between two runs on the same input.
TIME_FIELDS = ("started_at", "finished_at")


def render(scorecard: Scorecard) -> str:
    """The scorecard as pretty-printed UTF-8 JSON (Chinese unescaped), ending in a newline."""
    return json.dumps(scorecard.to_json_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
