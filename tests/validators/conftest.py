"""Fixtures of the validator tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(params=["kernel", "sql"])
def engine_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test through the native kernel (default) and through the SQL path."""
    if request.param == "sql":
        monkeypatch.setenv("GOVSTD_KERNEL", "0")
    else:
        monkeypatch.delenv("GOVSTD_KERNEL", raising=False)
    yield str(request.param)
