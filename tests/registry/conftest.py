"""Registry test fixtures: entry builders and an in-process CLI runner (helpers: registry_testlib)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from registry_testlib import CODE_SET, SCHEMA, CliResult, build

from govstd.standards.models import AnyEntry


@pytest.fixture
def schema() -> Callable[..., AnyEntry]:
    """``schema("1.1.0", fields=[...])`` — the sample catalogue schema, changed."""
    return lambda version=None, **changes: build(SCHEMA, version, **changes)


@pytest.fixture
def code_set() -> Callable[..., AnyEntry]:
    """``code_set("1.1.0", codes=[...])`` — the sample code set, changed."""
    return lambda version=None, **changes: build(CODE_SET, version, **changes)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``govstd ARGS`` in this process through ``govstd.cli.main`` (exit codes as a user sees them)."""
    from govstd.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


