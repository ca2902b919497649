"""The compiled-automata cache: the same automaton as compiling, keyed by the compiler's source, and
rebuilt when its file is damaged or stale."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pytest

from govstd.kernel import automata, automata_cache
from govstd.kernel.automata import Automaton, Unsupported

PATTERN = r"[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])\d{3}[0-9Xx]"


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("automaton-*.pickle"))


def test_a_cached_automaton_equals_a_fresh_compile(tmp_path: Path) -> None:
    first = automata_cache.compile_pattern(PATTERN, tmp_path)  # compiles and writes
    assert len(files(tmp_path)) == 1
    second = automata_cache.compile_pattern(PATTERN, tmp_path)  # reads the pickle
    fresh = automata.compile_pattern(PATTERN)
    assert second == first == fresh
    assert second is not first
    # The shapes come with it, derived once when it was compiled: those of the fresh automaton.
    assert second.derived_shapes is not None and fresh.derived_shapes is None
    assert second.derived_shapes == automata.shapes(fresh)
    automata_cache.compile_pattern("[0-9]{11}", tmp_path)
    assert len(files(tmp_path)) == 2  # one file per pattern


def test_the_file_is_read_and_a_new_compiler_key_ignores_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Plant a wrong automaton under the current key: the cache returns it, which shows the file is what
    # was read. A changed automata.py (a new key) must not see it.
    automata_cache.compile_pattern(PATTERN, tmp_path)
    [path] = files(tmp_path)
    planted = Automaton(table=[-1] * 256, accept=[0])
    path.write_bytes(pickle.dumps((PATTERN, planted)))
    assert automata_cache.compile_pattern(PATTERN, tmp_path) == planted
    monkeypatch.setattr(automata_cache, "compiler_key", lambda: "an edited compiler")
    assert automata_cache.compile_pattern(PATTERN, tmp_path) == automata.compile_pattern(PATTERN)
    assert len(files(tmp_path)) == 2


def test_the_compiler_key_is_a_digest_of_the_compilers_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = Path(automata.__file__).read_bytes()
    assert automata_cache.compiler_key() == hashlib.sha256(source).hexdigest()[:32]
    edited = tmp_path / "automata.py"
    edited.write_bytes(source + b"\n# edited\n")
    monkeypatch.setattr(automata, "__file__", str(edited))
    automata_cache.compiler_key.cache_clear()
    try:
        assert automata_cache.compiler_key() == hashlib.sha256(edited.read_bytes()).hexdigest()[:32]
        monkeypatch.setattr(automata, "__file__", str(tmp_path / "missing.py"))
        automata_cache.compiler_key.cache_clear()
        assert automata_cache.compiler_key() is None  # unreadable: compiled without a cache
        assert automata_cache.compile_pattern(PATTERN, tmp_path / "unused") == automata.compile_pattern(PATTERN)
        assert not (tmp_path / "unused").exists()
    finally:
        automata_cache.compiler_key.cache_clear()


@pytest.mark.parametrize("content", [b"not a pickle", pickle.dumps(("another pattern", None)), pickle.dumps(42)])
def test_a_damaged_or_foreign_file_is_rebuilt(tmp_path: Path, content: bytes) -> None:
    automata_cache.compile_pattern(PATTERN, tmp_path)
    [path] = files(tmp_path)
    path.write_bytes(content)
    assert automata_cache.compile_pattern(PATTERN, tmp_path) == automata.compile_pattern(PATTERN)
    assert pickle.loads(path.read_bytes()) == (PATTERN, automata.compile_pattern(PATTERN))


def test_a_refused_pattern_is_cached_with_its_reason(tmp_path: Path) -> None:
    pattern = r"\p{Han}+"
    with pytest.raises(Unsupported) as fresh:
        automata.compile_pattern(pattern)
    for _ in range(2):  # compiled (and refused) once, then refused from the file with the same reason
        with pytest.raises(Unsupported) as cached:
            automata_cache.compile_pattern(pattern, tmp_path)
        assert str(cached.value) == str(fresh.value)
    [path] = files(tmp_path)
    assert pickle.loads(path.read_bytes()) == (pattern, str(fresh.value))


def test_an_unwritable_cache_folder_only_costs_the_compile(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would go", encoding="utf-8")
    assert automata_cache.compile_pattern(PATTERN, blocker / "cache") == automata.compile_pattern(PATTERN)
