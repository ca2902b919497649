"""``automata.compile_pattern`` through a cache of pickles in the user's cache folder.

Building the DFA of a schema's ~30 shape patterns in Python, and deriving their shapes
(``automata.shapes``), is a fixed cost of every validate run (about 40 ms + 30 ms CPU, a tenth of a
10-row run), and the result depends only on the pattern and on the compiler: a file is keyed by both (the
pattern's text and a digest of ``automata.py``'s source), so an edit to the compiler is a new key, never a
stale hit. A pattern the kernel refuses is cached too (its reason), because refusing one may take the
whole DFA construction up to ``MAX_DFA_STATES``. Loading, storing and pruning follow ``govstd.cachefiles``:
a missing or damaged file is recompiled, an unwritable folder only costs the compile.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from govstd import cachefiles
from govstd.kernel import automata
from govstd.kernel.automata import Automaton, Unsupported

#: Pattern files kept in the folder: a few schemas' worth for a few compiler versions (~60 KB each).
KEEP_CACHED = 256


def compile_pattern(pattern: str, folder: Path | None = None) -> Automaton:
    """``automata.compile_pattern(pattern)``, loaded from ``folder`` (the user's ``automata/`` cache by
    default) when an earlier run compiled it with the same compiler; raises the same ``Unsupported``."""
    key = compiler_key()
    if key is None:  # the compiler's source is not a readable file (a zipped install): no key, no cache
        return automata.compile_pattern(pattern)
    digest = hashlib.sha256(f"{key}\0{pattern}".encode()).hexdigest()[:32]
    path = (folder or cachefiles.folder("automata")) / f"automaton-{digest}.pickle"
    cached = cachefiles.load(path)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == pattern:
        if isinstance(cached[1], Automaton):
            return cached[1]
        if isinstance(cached[1], str):
            raise Unsupported(cached[1])
    try:
        compiled = automata.compile_pattern(pattern)
    except Unsupported as exc:
        cachefiles.store(path, (pattern, exc.message), keep=KEEP_CACHED)
        raise
    automata.shapes(compiled)  # derived now, so the cached automaton carries them (``derived_shapes``)
    cachefiles.store(path, (pattern, compiled), keep=KEEP_CACHED)
    return compiled


@functools.cache
def compiler_key() -> str | None:
    """A digest of ``automata.py``'s source, or ``None`` when it cannot be read."""
    try:
        return hashlib.sha256(Path(automata.__file__).read_bytes()).hexdigest()[:32]
    except (OSError, TypeError):
        return None
