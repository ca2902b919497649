"""``govstd import gx-result FILE --schema REF``: a Great Expectations validation result as a govstd
scorecard with the GB/T 36344 dimensions and the share gate's verdict, for pipelines that keep GX.

Exit codes as ``govstd validate``: 0 the gate lets the dataset through, 1 it does not (``--fail-on
warn``: a WARN fails too), 2 bad input.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.group("import")
def import_() -> None:
    """Turn other tools' results into govstd scorecards."""


@import_.command("gx-result")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--schema", "schema_ref", metavar="REF",
              help="The catalogue schema the suite checks (e.g. 510100-00001@^1).")
@click.option("--schema-file", type=click.Path(dir_okay=False, path_type=Path),
              help="The catalogue schema as a YAML file instead of --schema.")
@click.option("--registry", envvar="GOVSTD_REGISTRY", metavar="URL",
              help="Registry to resolve --schema [env: GOVSTD_REGISTRY].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the scorecard reports into this directory.")
@click.option("--format", "formats", multiple=True, metavar="FORMAT",
              help="json, html, md, junit (repeatable; default with --out: json and html; without --out: one "
                   "format printed to stdout).")
@click.option("--policy", type=click.Path(dir_okay=False, path_type=Path),
              help="Scoring weights and gate thresholds overriding the schema's (YAML).")
@click.option("--fail-on", type=click.Choice(["fail", "warn"]), default="fail", show_default=True,
              help="Exit 1 on a FAIL verdict, or on WARN too.")
@click.option("--quiet", "-q", is_flag=True, help="No summary on stderr.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the result as one JSON document, its verdict under gate (as validate --json).")
def gx_result(file: Path, schema_ref: str | None, schema_file: Path | None, registry: str | None,
              out_dir: Path | None, formats: tuple[str, ...], policy: Path | None, fail_on: str, quiet: bool,
              as_json: bool = False) -> None:
    """Score a GX validation result FILE (the JSON of a suite's or a checkpoint's result)."""
    from typing import Literal, cast

    from govstd.commands._output import emit_json
    from govstd.commands.validate import report, report_formats
    from govstd.export import load_source
    from govstd.integrations.gx import results
    from govstd.validators import scorecard
    from govstd.validators.results import FieldBinding

    if (schema_ref is None) == (schema_file is None):
        raise click.UsageError("give --schema REF or --schema-file FILE")
    chosen = report_formats(formats, out_dir, stdout_taken=as_json)
    source = load_source(schema_ref, schema_file=schema_file, registry=registry)
    data = results.load(file)
    result = results.to_validation_result(data, schema_ref=source.schema.ref, source=str(file),
                                          expected_rules=[c.rule_id for c in source.checks])
    # What the export derived is what the GX run checked: its schema and masking decisions go along.
    result = result.model_copy(update={"catalogue": source.schema, "bindings": {
        name: FieldBinding.of(b) for name, b in source.derivation.bindings.items()}})
    loaded = scorecard.load_policy(policy) if policy is not None else None
    gate_on = cast(Literal["warn", "fail"], fail_on)
    # Judged once, here: the reports reuse this scorecard, and --json carries its verdict (``gate``).
    card = scorecard.build(result, source.schema, loaded)
    result = result.judged(card, exit_code=scorecard.exit_code(card, gate_on), fail_on=gate_on)
    code = report(result, out_dir=out_dir, formats=chosen, fail_on=gate_on, quiet=quiet, stdout_taken=as_json)
    if as_json:
        emit_json(result.model_dump(mode="json"))
    raise SystemExit(code)
