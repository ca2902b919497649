"""govstd — a versioned registry of Chinese government data standards, and validators that score a
department's dataset against them before it is shared.

Heavy modules (DuckDB, the registry store) load only when used, so ``import govstd`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from govstd.validators.api import validate as validate

__all__ = ["__version__", "validate"]


def __getattr__(name: str) -> Any:
    if name == "validate":
        from govstd.validators.api import validate

        return validate
    raise AttributeError(f"module 'govstd' has no attribute {name!r}")
