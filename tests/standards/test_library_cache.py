"""The built-in library's cache: the same entries as parsing, and rebuilt when a source file changes."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from govstd.standards import library


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the ``govstd.standards`` files to edit: the key is computed from whatever folder it is given."""
    source = resources.files("govstd.standards")
    assert isinstance(source, Path)
    copy = tmp_path / "standards"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_cached_entries_equal_the_parsed_ones(package: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    first = library.cached_entries(package, folder)  # parses and writes
    assert len(list(folder.glob("builtin-*.pickle"))) == 1
    second = library.cached_entries(package, folder)  # reads the pickle
    assert second == first == library.parse_builtin()
    assert second is not first


def test_a_changed_source_file_gets_a_new_key(package: Path, tmp_path: Path) -> None:
    before = library.source_key(package)
    yaml = package / "library" / "gbt2261.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert library.source_key(package) != before
    table = package / "data" / "gbt2260_history_1981_2024.csv"
    edited = library.source_key(package)
    table.write_bytes(table.read_bytes() + b"\n")
    assert library.source_key(package) != edited


def test_a_damaged_cache_is_rebuilt(package: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    path = folder / f"builtin-{library.source_key(package)}.pickle"
    folder.mkdir()
    path.write_bytes(b"not a pickle")
    assert library.cached_entries(package, folder) == library.parse_builtin()
    assert path.read_bytes() != b"not a pickle"


def test_an_unwritable_cache_folder_only_costs_the_parse(package: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would go", encoding="utf-8")
    assert library.cached_entries(package, blocker / "cache") == library.parse_builtin()


def test_old_keys_are_pruned(package: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    for n in range(library.KEEP_CACHED + 2):
        (folder / f"builtin-old{n}.pickle").write_bytes(b"")
    library.cached_entries(package, folder)
    kept = list(folder.glob("builtin-*.pickle"))
    assert len(kept) == library.KEEP_CACHED
    assert folder / f"builtin-{library.source_key(package)}.pickle" in kept
