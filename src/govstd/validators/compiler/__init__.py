"""Compilers from the check IR to an engine's SQL: ``base.Dialect`` holds the generic SQL once; each
engine's module (``duckdb``, ``spark``, ``postgres`` — the names of ``govstd.validators.engines.ENGINES``)
subclasses it with only what differs."""

from __future__ import annotations

import importlib

from govstd.validators.compiler.base import Dialect, UnsupportedCheck
from govstd.validators.compiler.plans import AggregatePlan
from govstd.validators.engines import ENGINES

__all__ = ["AggregatePlan", "Dialect", "UnsupportedCheck", "dialect"]


def dialect(name: str) -> Dialect:
    """The compiler for engine ``name`` (the engine table says which class it is)."""
    spec = ENGINES.get(name)
    if spec is None:
        raise UnsupportedCheck(f"no SQL compiler for engine {name!r} (available: {', '.join(ENGINES)})")
    cls: type[Dialect] = getattr(importlib.import_module(f"{__name__}.{spec.name}"), spec.dialect_class)
    return cls()
