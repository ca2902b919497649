"""``govstd demo --out DIR``: the whole pipeline on a synthetic dataset, ending in a scorecard.

Thin: ``govstd.demo.run`` does the work; this prints the progress, the summary and where the files are.
The demo always exits 0 — its verdict is shown, not enforced (``govstd validate`` enforces).
"""

from __future__ import annotations

from pathlib import Path

import click

from govstd.commands._output import console
from govstd.demo import DEFAULT_ROWS, DEFAULT_SEED


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("govstd-demo"),
              show_default=True, help="Directory for the dataset, its schema, the registry and the scorecard.")
@click.option("--rows", type=click.IntRange(200, 1_000_000), default=DEFAULT_ROWS, show_default=True,
              help="Records to generate.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed (same seed, same data).")
def demo(out_dir: Path, rows: int, seed: int) -> None:
    """Generate a synthetic department dataset with realistic defects, publish its catalogue schema
    into a fresh registry under OUT, validate it, and write scorecard.html / .json / .md."""
    from govstd import demo as api
    from govstd.validators.report.console_report import print_summary

    out = console()
    outcome = api.run(out_dir, rows=rows, seed=seed, progress=lambda msg: out.print(f"[dim]· {msg}[/dim]"))
    out.print()
    print_summary(outcome.scorecard, console=out)
    out.print()
    out.print("[bold]文件 Files[/bold]  (all people in the dataset are synthetic)")
    rows_out = [
        ("dataset", outcome.data_path, "GB18030 CSV, like a Windows export"),
        ("schema", outcome.schema_path, "catalogue schema YAML"),
        ("registry", Path(outcome.registry_url.removeprefix("sqlite:///")), "fresh embedded registry"),
        *[(name, path, "") for name, path in outcome.paths.items()],
    ]
    for label, path, note in rows_out:
        out.print(f"  {label:>8}  [cyan]{path}[/cyan]" + (f"  [dim]{note}[/dim]" if note else ""))
    html = outcome.paths.get("html")
    if html is not None:
        out.print(f"\nOpen the scorecard 打开评分卡: [bold cyan]{html.resolve().as_uri()}[/bold cyan]")
