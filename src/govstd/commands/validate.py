"""``govstd validate DATA (--schema REF | --schema-file FILE)``: check a dataset against its catalogue schema.

Thin: parse the options, call ``govstd.validators.api.validate``, render; then the scorecard and the
share gate (``govstd.validators.report.finish``) decide the exit code. ``report`` here holds the
rules of ``--out``, ``--format``, ``--policy`` and ``--fail-on`` and does the printing: 0 pass (or
WARN), 1 FAIL (or WARN with ``--fail-on warn``), 2 on bad input (missing file, wrong encoding, missing
required column, unknown schema version …). See docs/scoring.md.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import sys
from typing import TYPE_CHECKING, Any, Literal

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from govstd import i18n
from govstd.commands._output import console as make_console
from govstd.commands._output import emit_json
from govstd.commands.scorecard import submit_result
from govstd.errors import InputError, redact
from govstd.validators.engines import DEFAULT_ENGINE, ENGINES
from govstd.validators.report import FORMATS, finish
from govstd.validators.results import Sample, ValidationResult

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from govstd.standards.models import CatalogueSchema
    from govstd.validators.scorecard import QualityPolicy


@click.command()
@click.argument("data")
@click.option("--schema", "schema_ref", metavar="REF", help="Catalogue schema in the registry, e.g. 510100-00001@^1.")
@click.option("--schema-file", type=click.Path(dir_okay=False), help="Catalogue schema YAML file.")
@click.option("--registry", metavar="URL", help="Registry database (default: GOVSTD_REGISTRY or the local one).")
@click.option("--service", metavar="URL", help="Resolve --schema and the fields' standards through this registry "
              "service instead of a database, with the token in GOVSTD_TOKEN (docs/service.md).")
@click.option("--encoding", help="Text encoding of a CSV / JSON Lines file (default: detected).")
@click.option("--sheet", help="XLSX sheet name or 0-based index (default: the first sheet).")
@click.option("--table", help="Table to read when DATA is a database URL.")
@click.option("--query", help="SQL query to read when DATA is a database URL.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON document: the ValidationResult with the share gate's verdict (gate).")
@click.option("--quiet", "-q", is_flag=True, help="Only failing checks; no progress bar.")
@click.option("--samples", type=click.IntRange(min=0), default=5, show_default=True,
              help="Masked sample rows per failing check.")
@click.option("--memory-limit", metavar="SIZE", help="DuckDB memory limit, e.g. 2GB (beyond it, data spills to disk).")
@click.option("--threads", type=click.IntRange(min=1), help="DuckDB threads (default: all cores).")
@click.option("--temp-directory", type=click.Path(file_okay=False), help="Where DuckDB spills.")
@click.option("--engine", type=click.Choice(list(ENGINES)), default=DEFAULT_ENGINE, show_default=True,
              help="Where the checks run: DuckDB here; Apache Spark; or inside PostgreSQL (DATA a URL with --table "
              "or --query). See docs/engines.md.")
@click.option("--spark-master", metavar="URL", help="Spark master for --engine spark (default: local[*]).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Reference date (default: today).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Write the scorecard into this directory (default formats: json, html).")
@click.option("--format", "formats", multiple=True, type=click.Choice(sorted(FORMATS)),
              help="Scorecard format, repeatable; without --out a single format is printed to stdout.")
@click.option("--policy", type=click.Path(dir_okay=False),
              help="Share-gate policy YAML (weights, thresholds) overriding the schema's (docs/scoring.md).")
@click.option("--show-values", is_flag=True,
              help="Show sample values and column names unmasked (personal data!). Report files stay masked.")
@click.option("--fix-list", type=click.Path(dir_okay=False),
              help="Write every failing row (file line / sheet row, column, rule, zh/en message, masked value) to "
              "this .xlsx (one sheet per severity) or .csv file. DuckDB engine only.")
@click.option("--fingerprint", default="sha256", show_default=True, metavar="ALGORITHMS",
              help="How the data file is fingerprinted in the scorecard: sha256, or sha256,sm3 to add SM3 (GB/T 32905; "
              "about as much CPU as reading the file).")
@click.option("--fail-on", type=click.Choice(["warn", "fail"]), default="fail", show_default=True,
              help="Exit 1 on a FAIL verdict, or on WARN too.")
@click.option("--submit", metavar="URL", help="Submit the JSON scorecard to this registry service, as the department "
              "of the token in GOVSTD_TOKEN; signed with --signing-key if given (docs/service.md).")
@click.option("--signing-key", type=click.Path(dir_okay=False, path_type=pathlib.Path),
              help="SM2 private key (govstd keys generate) to sign the submitted scorecard with.")
def validate(data: str, schema_ref: str | None, schema_file: str | None, registry: str | None,
             encoding: str | None, sheet: str | None, table: str | None, query: str | None, as_json: bool,
             quiet: bool, samples: int, memory_limit: str | None, threads: int | None,
             temp_directory: str | None, engine: str, spark_master: str | None, today: dt.datetime | None,
             out_dir: str | None, formats: tuple[str, ...], policy: str | None,
             fail_on: Literal["warn", "fail"], show_values: bool, fix_list: str | None, submit: str | None = None,
             signing_key: pathlib.Path | None = None, service: str | None = None,
             fingerprint: str = "sha256") -> None:
    """Validate DATA (a CSV, XLSX, Parquet or JSON Lines file, or a database URL) against a schema."""
    from govstd.cli import long_lived

    with long_lived():  # DuckDB, Arrow, pydantic and the check models: imported here, kept to the end
        from govstd.validators.api import validate as run
        from govstd.validators.scorecard import load_policy

    if bool(schema_ref) == bool(schema_file):
        raise click.UsageError("give exactly one of --schema REF or --schema-file FILE")
    chosen = report_formats(formats, out_dir, stdout_taken=as_json)  # bad options fail before a long run
    policy_data = load_policy(policy) if policy else None  # a bad policy fails before a long run
    # --out DIR --fix-list DIR/fixes.xlsx puts the fix list beside the reports: the folder is made first.
    if fix_list and out_dir and pathlib.Path(fix_list).parent.resolve() == pathlib.Path(out_dir).resolve():
        pathlib.Path(out_dir).mkdir(parents=True, exist_ok=True)
    if service and registry:
        raise click.UsageError("give --registry URL (a database) or --service URL (a registry service), not both")
    source: Any = registry
    if service:
        from govstd.registry.remote import RemoteRegistry

        source = RemoteRegistry(service)  # the same methods as Registry: the resolver cannot tell them apart
    try:
        result = run(
            data, schema_file or schema_ref or "", registry=source, encoding=encoding, sheet=sheet, table=table,
            query=query, sample_size=samples, today=today.date() if today else None,
            progress=not quiet and not as_json, memory_limit=memory_limit, threads=threads,
            temp_directory=temp_directory, engine=engine, spark_master=spark_master, show_values=show_values,
            fix_list=fix_list, policy=policy_data, fail_on=fail_on, fingerprint=fingerprint,
        )
    finally:
        if service:
            source.close()
    if result.fix_list is not None and fix_list and out_dir:
        result = linked_fix_list(result, pathlib.Path(fix_list), pathlib.Path(out_dir))
    if as_json:
        # Reports first: if writing one fails, the error is the one JSON document on stdout.
        code = report(result, out_dir=out_dir, formats=chosen, fail_on=fail_on, stdout_taken=True)
        if submit:  # before the result: a refused submission is then the one JSON document, exit 2
            submit_result(result, service=submit, policy=policy_data, key_path=signing_key)
        emit_json(result.model_dump(mode="json"))
        sys.exit(code)
    if not (formats and out_dir is None):  # a single --format without --out owns stdout
        out = make_console()
        if not out.is_terminal:
            out.width = max(out.width, 160)  # piped into a file or a CI log: no need to wrap at 80
        render(result, out, quiet=quiet)
        for warning in result.warnings:
            click.echo(f"{i18n.label('warning')}: {warning}", err=True)
        if result.fix_list is not None:
            out.print(i18n.text("fix_list", path=escape(str(fix_list)), rows=result.fix_list.rows))
    code = report(result, out_dir=out_dir, formats=chosen, fail_on=fail_on)
    if submit:
        submit_result(result, service=submit, policy=policy_data, key_path=signing_key)
    sys.exit(code)


def linked_fix_list(result: ValidationResult, fix_list: pathlib.Path, out_dir: pathlib.Path) -> ValidationResult:
    """``result`` with its fix list named relative to the reports' folder: the reports link to it, and a
    fix list written elsewhere than beside them must still open from the link."""
    if result.fix_list is None or result.scorecard is None or result.gate is None:
        return result
    where = pathlib.Path(os.path.relpath(fix_list.resolve(), out_dir.resolve())).as_posix()
    info = result.fix_list.model_copy(update={"path": redact(where)})  # masked like the path it replaces
    card = result.scorecard.model_copy(update={"fix_list": info})
    return result.model_copy(update={"fix_list": info}).judged(card, exit_code=result.gate.exit_code,
                                                                fail_on=result.gate.fail_on)


def report_formats(formats: Iterable[str], out_dir: str | Path | None, *, stdout_taken: bool = False) -> list[str]:
    """The ``--format`` names, checked against ``--out``: without a directory, the one report chosen
    goes to stdout, so there can be only one — and none when the command prints JSON there."""
    chosen = list(dict.fromkeys(FORMATS.find(f).name for f in formats))
    if out_dir is None and len(chosen) > 1:
        raise InputError("several --format values need --out DIR", expected="--out DIR, or a single --format")
    if out_dir is None and chosen and stdout_taken:
        raise InputError("--format without --out prints the report to stdout, which --json already uses",
                         expected="--out DIR")
    return chosen


def report(result: ValidationResult, schema: CatalogueSchema | None = None, *, out_dir: str | Path | None = None,
           formats: Iterable[str] = (), policy: Mapping[str, Any] | QualityPolicy | None = None,
           fail_on: Literal["warn", "fail"] = "fail", quiet: bool = False, stdout_taken: bool = False) -> int:
    """Score, gate, write or print the reports, summarise on stderr; the exit code (0 the gate lets the
    dataset through, 1 not; ``fail_on='warn'``: WARN fails too). ``schema``: default the run's own."""
    from govstd.validators import scorecard as sc
    from govstd.validators.report.console_report import print_summary

    chosen = report_formats(formats, out_dir, stdout_taken=stdout_taken)
    done = finish(result, schema, out_dir=out_dir, formats=chosen, policy=policy)
    to_stdout = out_dir is None and bool(chosen)
    if to_stdout:
        sys.stdout.write(done.texts[chosen[0]])
        sys.stdout.flush()
    if not quiet:
        print_summary(done.scorecard, done.written,
                      console=Console(stderr=to_stdout or stdout_taken, highlight=False))
    return sc.exit_code(done.scorecard, fail_on)


def _place(sample: Sample) -> str:
    """``row [line]`` (the line where a person opens it: docs/scoring.md), and ``= row`` for a duplicate."""
    out = str(sample.row) + (f" [{sample.line}]" if sample.line is not None else "")
    return out + (f" = {sample.repeats_row}" if sample.repeats_row is not None else "")


def render(result: ValidationResult, out: Console, *, quiet: bool = False) -> None:
    """The human report: one row per check (rule id, dimension, evaluated, failed, masked samples), its
    headers and summary in the CLI's language (``govstd.i18n``)."""
    info = result.dataset
    details = info.format + (", " + info.encoding if info.encoding else "")
    out.print(i18n.text("against", source=f"[bold]{escape(info.source)}[/]", details=details, rows=info.rows,
                        schema=f"[bold]{result.schema_ref}[/]", engine=result.engine))
    table = Table(show_lines=False, header_style="bold")
    # Rule ids are what users search for: never cut; the samples column wraps instead.
    widest = max((len(c.rule_id) + (10 if c.severity != "error" else 0) for c in result.checks), default=4)
    table.add_column(i18n.label("col.rule"), no_wrap=True, min_width=widest)
    table.add_column(i18n.label("col.dimension"), no_wrap=True)
    table.add_column(i18n.label("col.evaluated"), justify="right", no_wrap=True)
    table.add_column(i18n.label("col.failed"), justify="right", no_wrap=True)
    table.add_column(escape(i18n.label("col.samples")), overflow="fold")
    unmeasured_word = i18n.label("unmeasured")
    shown = 0
    for check in result.checks:
        if quiet and not check.failed:
            continue
        shown += 1
        style = "red" if check.failed and check.severity == "error" else ("yellow" if check.failed else "")
        samples = "; ".join(
            _place(s) + ": " + ", ".join(v if v is not None else "∅" for v in s.values.values())
            for s in check.samples[:3]
        )
        unmeasured = check.unmeasured_reason if result.dataset.rows else None
        table.add_row(
            check.rule_id + (f" ({check.severity})" if check.severity != "error" else ""),
            check.dimension.label_zh,
            f"{check.evaluated:,}" if unmeasured is None else f"[yellow]{unmeasured_word}[/]",
            "—" if unmeasured is not None else f"[{style}]{check.failed:,}[/]" if style else f"{check.failed:,}",
            # a value such as "[red]" is text, not markup
            escape(samples) if unmeasured is None else f"[yellow]{unmeasured_word} — {escape(unmeasured)}[/]",
        )
    if shown:
        out.print(table)
    errors = [c for c in result.checks if c.failed and c.severity == "error"]
    warnings = [c for c in result.checks if c.failed and c.severity == "warning"]
    notes = [c for c in result.checks if c.failed and c.severity == "info"]
    verdict = f"[red]{i18n.label('verdict.errors')}[/]" if errors else f"[green]{i18n.label('verdict.clean')}[/]"
    blind = [c for c in result.checks if c.unmeasured_reason and c.severity != "info"] if info.rows else []
    out.print(i18n.text("summary", checks=len(result.checks), errors=len(errors), warnings=len(warnings),
                        notes=len(notes))
              + (i18n.text("summary.unmeasured", count=len(blind)) if blind else "") + f" — {verdict}")
