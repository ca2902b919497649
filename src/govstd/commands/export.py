"""``govstd export FORMAT REF``: a catalogue schema version as a GX suite, a JSON Schema, a
Frictionless Table Schema, an ODCS contract, or the SQL govstd runs (``govstd.export``).

The artifact goes to ``--out`` (or stdout); a summary of what was exported exactly, approximately
or not at all goes to stderr. Exit 0 on success, 2 on bad input (an unknown reference, an unknown
dialect).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from govstd.errors import InputError
from govstd.validators.engines import ENGINES

_FORMATS = ("gx", "jsonschema", "frictionless", "sql", "odcs")  # = govstd.export.FORMATS, kept import-free


@click.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(_FORMATS))
@click.argument("ref", required=False)
@click.option("--registry", envvar="GOVSTD_REGISTRY", metavar="URL",
              help="Registry to resolve REF and the standards it binds [env: GOVSTD_REGISTRY].")
@click.option("--schema-file", type=click.Path(dir_okay=False, path_type=Path),
              help="A catalogue schema YAML file instead of REF (it may define the standards it binds).")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the export here (default: stdout).")
@click.option("--dialect", default="duckdb", show_default=True, metavar="NAME",
              help=f"sql: the engine whose SQL to write: {', '.join(ENGINES)}.")
@click.option("--table", default="data", show_default=True, help="sql: the table or view holding the data.")
@click.option("--today", metavar="YYYY-MM-DD",
              help="Reference date for checks that depend on it (birth dates, codes in force). gx: pinned into "
                   "the suite; default: the date each run happens.")
@click.option("--typed-numbers", is_flag=True,
              help="gx: ranges as expect_column_values_to_be_between (needs numeric columns).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write, as JSON, what became of every check (exact / approximate / not exported).")
@click.option("--quiet", "-q", is_flag=True, help="No summary on stderr.")
def export(fmt: str, ref: str | None, registry: str | None, schema_file: Path | None, out: Path | None,
           dialect: str, table: str, today: str | None, typed_numbers: bool, report_path: Path | None,
           quiet: bool) -> None:
    """Export catalogue schema REF (e.g. 510100-00001@^1) as FORMAT: gx, jsonschema, frictionless, sql, odcs."""
    from govstd import export as exporters

    when = _date(today)
    if ref is not None and schema_file is not None:
        raise click.UsageError("give REF or --schema-file, not both")
    if ref is None and schema_file is None:
        raise click.UsageError("missing REF (or --schema-file FILE)")
    source = exporters.load_source(ref, schema_file=schema_file, registry=registry, today=when)
    result = exporters.export(fmt, source, dialect=dialect, table=table, today=when, typed_numbers=typed_numbers)
    if out is not None:
        _write(out, result.text)
    else:
        click.echo(result.text, nl=False)
    if report_path is not None:
        _write(report_path, json.dumps(result.report(), ensure_ascii=False, indent=2) + "\n")
    if not quiet:
        click.echo(result.summary() + (f"\nwritten: {out}" if out is not None else ""), err=True)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date: {value!r}", field="--today", expected="YYYY-MM-DD") from None


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8", newline="\n")
        tmp.replace(path)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=str(path)) from None
