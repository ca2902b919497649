"""``govstd doctor``: which path ``govstd validate --engine duckdb`` takes on this machine, and why.

The native check kernel (``govstd.kernel``) is built at install time when a C compiler is present;
without it, or with ``GOVSTD_KERNEL=0``, every check is counted in DuckDB SQL — same counts, slower.
"""

from __future__ import annotations

import platform

import click

from govstd import __version__


@click.command()
def doctor() -> None:
    """Show the versions and the check path govstd validate uses here."""
    import duckdb
    import pyarrow

    from govstd import kernel

    built, why = kernel.status()
    click.echo(f"govstd {__version__}, Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
               f"pyarrow {pyarrow.__version__}")
    click.echo(f"row checks on DuckDB: {'native kernel + SQL' if built else 'SQL only'} — {why}")
