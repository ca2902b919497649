"""Writing the built site into its output directory incrementally: a file is rewritten only when its bytes change.

mkdocs builds into a staging directory (it empties its ``site_dir`` first, which would rewrite every
file every time); :class:`Output` then copies into the real output directory only the files whose
SHA-256 differs from the manifest of the previous build, and removes files the previous build wrote
that this one no longer produces. The catalogue browser's shards go through the same :meth:`Output.put`,
so a rebuild after a small change rewrites a handful of files and a rebuild after none rewrites none —
which is what lets a web server, rsync or a CDN ship only what changed.

The manifest (``.govstd-manifest.json``) maps every file's path to its hash, plus ``state``: small facts
a producer may use to skip work altogether (the catalogue release its shards were built from).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

MANIFEST = ".govstd-manifest.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Output:
    """The output directory of one build, with the previous build's manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.previous: dict[str, str] = {}
        self.previous_state: dict[str, Any] = {}
        path = root / MANIFEST
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.previous = dict(data.get("files", {}))
                self.previous_state = dict(data.get("state", {}))
            except (ValueError, AttributeError):  # a damaged manifest only costs a full rewrite
                self.previous, self.previous_state = {}, {}
        self.files: dict[str, str] = {}
        self.state: dict[str, Any] = {}
        #: Paths (relative, POSIX) this build actually wrote; empty when nothing changed.
        self.written: list[str] = []
        self.removed: list[str] = []

    def put(self, rel: str, data: bytes) -> None:
        """Record ``rel`` as produced by this build; write it only if its content changed or it is missing."""
        digest = _digest(data)
        self.files[rel] = digest
        target = self.root / rel
        if self.previous.get(rel) == digest and target.is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)  # a reader never sees half a file
        self.written.append(rel)

    def keep(self, prefix: str) -> bool:
        """Carry over every previous file under ``prefix`` unchanged, if all are still there (True) —
        for a producer that knows its input has not changed since the previous build."""
        kept = {rel: digest for rel, digest in self.previous.items() if rel.startswith(prefix)}
        if not kept or not all((self.root / rel).is_file() for rel in kept):
            return False
        self.files.update(kept)
        return True

    def put_tree(self, staging: Path) -> None:
        """Every file under ``staging`` (a finished mkdocs build), at the same relative path."""
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                self.put(path.relative_to(staging).as_posix(), path.read_bytes())

    def finish(self) -> None:
        """Remove what the previous build wrote and this one did not, then save the manifest."""
        for rel in sorted(set(self.previous) - set(self.files)):
            target = self.root / rel
            if target.is_file():
                target.unlink()
                self.removed.append(rel)
        self.root.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"files": self.files, "state": self.state}, ensure_ascii=False, sort_keys=True) + "\n"
        path = self.root / MANIFEST
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
