"""Compilers from the check IR to an engine's SQL: ``base.Dialect`` holds the generic SQL once; each
engine module (``duckdb``; later ``spark``, ``postgres``) subclasses it with only what differs."""

from __future__ import annotations

from govstd.validators.compiler.base import AggregatePlan, Dialect, UnsupportedCheck

__all__ = ["AggregatePlan", "Dialect", "UnsupportedCheck", "dialect"]


def dialect(name: str) -> Dialect:
    """The compiler for engine ``name``."""
    if name == "duckdb":
        from govstd.validators.compiler.duckdb import DuckDBDialect

        return DuckDBDialect()
    raise UnsupportedCheck(f"no SQL compiler for engine {name!r} (available: duckdb)")
