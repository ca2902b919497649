"""Every test here needs the native kernel built (``pip install -e .`` or ``python setup.py build_ext
--inplace``): a missing build fails them rather than skipping them."""

from __future__ import annotations

import pytest

from govstd import kernel


@pytest.fixture(autouse=True, scope="session")
def _kernel_is_built() -> None:
    built, why = kernel.status()
    assert built, f"the native check kernel must be built for these tests: {why}"
