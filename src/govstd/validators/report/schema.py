"""The published JSON Schema of the JSON scorecard, derived from the ``Scorecard`` model and shipped.

``scorecard.schema.json`` next to this module is the packaged copy; its ``$id`` carries the layout
version (``SCORECARD_SCHEMA_VERSION``), and a test keeps it equal to the model. Regenerate with
``python -m govstd.validators.report.schema``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from govstd.validators.scorecard import SCORECARD_SCHEMA_ID, SCORECARD_SCHEMA_VERSION, Scorecard

SCHEMA_FILE = "scorecard.schema.json"


def scorecard_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a JSON scorecard as ``json_report`` writes it."""
    schema = Scorecard.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCORECARD_SCHEMA_ID,
        "title": f"govstd quality scorecard {SCORECARD_SCHEMA_VERSION}",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def render() -> str:
    return json.dumps(scorecard_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def shipped_schema() -> dict[str, Any]:
    """The packaged ``scorecard.schema.json``."""
    text = resources.files("govstd.validators.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


if __name__ == "__main__":
    from pathlib import Path

    out = Path(__file__).parent / SCHEMA_FILE
    out.write_text(render(), encoding="utf-8")
    print(out)
