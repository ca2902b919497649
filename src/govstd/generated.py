"""Docs pages generated from the code (``docs/cli.md``, ``docs/fields.md``): written, or checked current.

One rule for every generator: ``python -m MODULE`` rewrites its page, ``python -m MODULE --check``
exits 1 naming the command to run when the page in the checkout differs from what the code says.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def docs_page(name: str) -> Path:
    """``docs/NAME`` of the source checkout govstd runs from."""
    return Path(__file__).resolve().parents[2] / "docs" / name


def write_or_check(target: Path, text: str, module: str, argv: Sequence[str] | None = None) -> int:
    """Write ``text`` to ``target``, or with ``--check`` in ``argv`` say whether it is current (0/1)."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is out of date: run python -m {module}", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(target)
    return 0
