"""The data file's fingerprint (SHA-256 and SM3) a scorecard records.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from govstd.validators.results import DatasetInfo

# --------------------------------------------------------------------------- build


def fingerprint(path: str | Path) -> tuple[str, str | None, int]:
    """SHA-256 and SM3 (GB/T 32905; None where OpenSSL lacks it) of a file's bytes, and its size."""
    sha = hashlib.sha256()
    try:
        sm3: Any = hashlib.new("sm3")
    except ValueError:
        sm3 = None
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            sha.update(chunk)
            if sm3 is not None:
                sm3.update(chunk)
    return sha.hexdigest(), (sm3.hexdigest() if sm3 is not None else None), size


def with_fingerprint(dataset: DatasetInfo) -> DatasetInfo:
    """The engine fingerprints what it reads; fill the gap when it could not but the source is a file."""
    if dataset.sha256 is not None:
        return dataset
    try:
        if not Path(dataset.source).is_file():
            return dataset
        sha256, sm3, size = fingerprint(dataset.source)
    except (OSError, ValueError):
        return dataset
    return dataset.model_copy(update={"sha256": sha256, "sm3": sm3, "bytes": size})
