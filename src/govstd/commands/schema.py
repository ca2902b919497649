"""``govstd schema infer DATA``: draft a catalogue schema from a department's data file.

Thin: parse, call ``govstd.steward.infer.infer_schema``, write the YAML (or print it), and say on
stderr what the steward has left to do.
"""

from __future__ import annotations

from pathlib import Path

import click

from govstd import i18n
from govstd.commands._output import emit_json
from govstd.errors import redact


@click.group()
def schema() -> None:
    """Draft catalogue schemas from data."""


@schema.command()
@click.argument("data")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the draft YAML here (default: stdout).")
@click.option("--sample-rows", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Rows every candidate standard is tried on before the whole file confirms the survivors.")
@click.option("--encoding", help="Text encoding of a CSV / JSON Lines file (default: detected).")
@click.option("--sheet", help="XLSX sheet name or 0-based index (default: the first sheet).")
@click.option("--id", "schema_id", help="Catalogue schema id (default: TODO-<file name>).")
@click.option("--json", "as_json", is_flag=True, help="Print the draft and its evidence as JSON.")
def infer(data: str, out: str | None, sample_rows: int, encoding: str | None, sheet: str | None,
          schema_id: str | None, as_json: bool) -> None:
    """Infer each column's field standard in DATA (CSV, XLSX, Parquet, JSON Lines) and draft the schema."""
    from govstd.steward.infer import infer_schema

    chosen_sheet: str | int | None = int(sheet) if sheet is not None and sheet.isdigit() else sheet
    inferred = infer_schema(data, sample_rows=sample_rows, encoding=encoding, sheet=chosen_sheet,
                            schema_id=schema_id)
    text = inferred.to_yaml()
    if out:
        Path(out).write_text(text, encoding="utf-8")
    if as_json:
        emit_json({**inferred.to_dict(), "yaml": text, "out": redact(out) if out else out})
    elif not out:
        click.echo(text, nl=False)
    bound = sum(1 for f in inferred.fields if f.spec.standard or f.spec.code_set)
    written = i18n.text("infer.written", out=out) if out else ""
    click.echo(i18n.text("infer.done", fields=len(inferred.fields), bound=bound, rows=inferred.rows, written=written),
               err=True)
