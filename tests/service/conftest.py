"""Fixtures for the service tests: a real ``govstd serve`` (uvicorn) on a free loopback port, over a
registry that ``govstd registry init`` made, with tokens from ``govstd token create`` — every part
the way an operator would run it, as separate OS processes."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from service_testlib import Service, govstd, start_service

from govstd import demo


@pytest.fixture(scope="session")
def scorecard_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real JSON scorecard: ``govstd validate`` on the demo's synthetic people."""
    root = tmp_path_factory.mktemp("scorecard")
    records, _ = demo.generate(200, seed=11)
    data = demo.write_csv(records, root / "people.csv")
    schema = root / "schema.yaml"
    schema.write_text(demo.schema_yaml("conditional"), encoding="utf-8")
    proc = govstd("validate", data, "--schema-file", schema, "--out", root, "--format", "json", check=False)
    assert proc.returncode in (0, 1), proc.stderr  # 1: the gate did not pass, still a scorecard
    return root / "scorecard.json"


@pytest.fixture(scope="session")
def initialised_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite registry holding the national library (``govstd registry init``), copied by each test."""
    path = tmp_path_factory.mktemp("template") / "registry.sqlite"
    govstd("registry", "init", "--registry", f"sqlite:///{path}")
    return path


@pytest.fixture
def make_service(tmp_path: Path, initialised_registry: Path) -> Iterator[Callable[..., Service]]:
    """``make_service(*serve_options, registry=URL)``: a fresh registry (unless given) and a server on it."""
    running: list[Iterator[Service]] = []

    def make(*options: str, registry: str | None = None) -> Service:
        if registry is None:
            copy = tmp_path / "registry.sqlite"
            shutil.copyfile(initialised_registry, copy)
            registry = f"sqlite:///{copy}"
        gen = start_service(registry, tmp_path, *options)
        running.append(gen)
        return next(gen)

    yield make
    for gen in running:
        for _ in gen:  # runs the finally: stops the server
            pass
