"""The JSON Schema stewards author standards against, derived from the models and shipped.

``SCHEMA_PATH`` is the packaged copy (editors point at it); a test keeps it equal to the models.
Regenerate with ``python -m govstd.standards.schema``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from pydantic import TypeAdapter

from govstd.standards.models import Entry

SCHEMA_ID = "https://govstd.org/schema/entry/1.0.0"
SCHEMA_FILE = "govstd-entry.schema.json"


def entry_json_schema() -> dict[str, Any]:
    """JSON Schema of one registry entry (any of the four kinds, told apart by ``kind``)."""
    schema = TypeAdapter(Entry).json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "govstd standard entry", **schema}


def shipped_schema() -> dict[str, Any]:
    text = resources.files("govstd.standards").joinpath("schema", SCHEMA_FILE).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def render() -> str:
    return json.dumps(entry_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    from pathlib import Path

    out = Path(__file__).parent / "schema" / SCHEMA_FILE
    out.parent.mkdir(exist_ok=True)
    out.write_text(render(), encoding="utf-8")
    print(out)
