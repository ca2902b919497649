"""The data file's fingerprint a scorecard records: SHA-256, and SM3 when the run asked for it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from govstd.validators.results import DatasetInfo

# --------------------------------------------------------------------------- build


def fingerprint(path: str | Path, *, sm3: bool = False) -> tuple[str, str | None, int]:
    """SHA-256 and, when asked, SM3 (GB/T 32905; None where OpenSSL lacks it) of a file's bytes, and its size.

    SM3 is opt-in as in ``govstd validate`` (``--fingerprint sha256,sm3``): it costs as much CPU as a scan."""
    sha = hashlib.sha256()
    hasher: Any = None
    if sm3:
        try:
            hasher = hashlib.new("sm3")
        except ValueError:
            hasher = None
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            sha.update(chunk)
            if hasher is not None:
                hasher.update(chunk)
    return sha.hexdigest(), (hasher.hexdigest() if hasher is not None else None), size


def with_fingerprint(dataset: DatasetInfo) -> DatasetInfo:
    """The engine fingerprints what it reads; fill the gap when it could not but the source is a file (SHA-256,
    the default fingerprint of every run)."""
    if dataset.sha256 is not None:
        return dataset
    try:
        if not Path(dataset.source).is_file():
            return dataset
        sha256, sm3, size = fingerprint(dataset.source)
    except (OSError, ValueError):
        return dataset
    return dataset.model_copy(update={"sha256": sha256, "sm3": sm3, "bytes": size})
