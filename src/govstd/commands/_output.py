"""Rendering helpers shared by the commands: JSON to stdout, rich tables for people."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console


def emit_json(obj: Any) -> None:
    """Write one JSON document (UTF-8, Chinese unescaped) to stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)
