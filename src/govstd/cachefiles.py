"""Pickled results of pure, repeatable work (the parsed built-in library, compiled pattern automata),
kept in the user's cache folder so the next run loads them instead of redoing the work.

A file's name carries the key of everything its content depends on (the caller computes it), so a
changed input is a new file, never a stale hit. The folder is the user's own, as trusted as the
``.pyc`` files Python runs from ``__pycache__``. Every failure only costs the work: a missing or
damaged file loads as ``None`` and the caller rebuilds it; a folder that cannot be written (a
read-only home) is skipped silently.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def folder(name: str) -> Path:
    """``name`` under the user cache directory's ``govstd/`` (beside the registry's ``items/`` code files)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("govstd", appauthor=False)) / name


def load(path: Path) -> object | None:
    """The object pickled at ``path``, or ``None`` if it is missing or damaged."""
    try:
        with path.open("rb") as f:
            value: object = pickle.load(f)
        return value
    except Exception:  # missing, or damaged (unpickling raises a dozen types): the caller rebuilds it
        return None


def through(path: Path, kind: type[T], build: Callable[[], T], keep: int) -> T:
    """The ``kind`` pickled at ``path``; else ``build()``, stored there for the next run (``store``)."""
    cached = load(path)
    if isinstance(cached, kind):
        return cached
    value = build()
    store(path, value, keep=keep)
    return value


def store(path: Path, value: object, keep: int) -> None:
    """Pickle ``value`` to ``path`` atomically (a reader sees the old file or the whole new one), then
    drop all but the ``keep`` newest files of the same kind (the name's part before its first ``-``),
    so several installs or worktrees share the folder without it growing."""
    kind = path.name.split("-", 1)[0]
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{kind}-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return
    others = [p for p in path.parent.glob(f"{kind}-*.pickle") if p != path]
    for stale in sorted(others, key=_mtime, reverse=True)[keep - 1:]:
        with contextlib.suppress(OSError):
            stale.unlink()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
