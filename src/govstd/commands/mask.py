"""``govstd mask DATA --schema-file FILE --out masked.csv``: write the de-identified copy to share.

Thin: parse, call ``govstd.steward.mask.mask_dataset``, report what each column became.
"""

from __future__ import annotations

import click

from govstd import i18n
from govstd.commands._output import emit_json


@click.command()
@click.argument("data")
@click.option("--schema", "schema_ref", metavar="REF", help="Catalogue schema in the registry, e.g. 510100-00001@^1.")
@click.option("--schema-file", type=click.Path(dir_okay=False), help="Catalogue schema YAML file.")
@click.option("--registry", metavar="URL", help="Registry database (default: GOVSTD_REGISTRY or the local one).")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="The masked copy: .csv (UTF-8 with BOM), .xlsx or .parquet.")
@click.option("--pseudonymise-key-file", type=click.Path(dir_okay=False),
              help="Replace ID numbers by HMAC-SM3 pseudonyms under this secret key (joinable across datasets).")
@click.option("--encoding", help="Text encoding of a CSV / JSON Lines file (default: detected).")
@click.option("--sheet", help="XLSX sheet name or 0-based index (default: the first sheet).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def mask(data: str, schema_ref: str | None, schema_file: str | None, registry: str | None, out: str,
         pseudonymise_key_file: str | None, encoding: str | None, sheet: str | None, as_json: bool) -> None:
    """Write the masked copy of DATA that its catalogue schema's share attributes require."""
    from govstd.steward.mask import mask_dataset, read_key

    if bool(schema_ref) == bool(schema_file):
        raise click.UsageError("give exactly one of --schema REF or --schema-file FILE")
    key = read_key(pseudonymise_key_file) if pseudonymise_key_file else None
    chosen_sheet: str | int | None = int(sheet) if sheet is not None and sheet.isdigit() else sheet
    result = mask_dataset(data, schema_file or schema_ref or "", out, key=key, registry=registry,
                          encoding=encoding, sheet=chosen_sheet)
    shown = result.to_dict()  # masked: the file's header may hold a personal number
    if as_json:
        emit_json(shown)
        return
    for column, what in shown["treatment"].items():
        click.echo(f"  {column}: {what}")
    click.echo(i18n.text("mask.done", rows=result.rows, out=result.out))
