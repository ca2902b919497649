"""``govstd check STANDARD [VALUE ...]``: check values from arguments or stdin, one per line.

Streams: reads and writes line by line with buffered IO, so millions of lines pass through in
constant memory. Exit 0 when all are valid, 1 when any is not, 2 on bad usage (an unknown option or a
bad option value names the allowed ones). A valid value can carry warnings (an unknown region in a
credit code, a birth date before 1900): they are printed and counted, and do not change the exit code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator

import click

from govstd import i18n
from govstd.standards import library
from govstd.standards.check import value_checker
from govstd.standards.masking import mask, redact, rule_for
from govstd.standards.models import DataElement, MaskingRule


def _parse_options(pairs: tuple[str, ...]) -> dict[str, object]:
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--option")
        value: object = raw
        if raw.lower() in {"true", "false"}:
            value = raw.lower() == "true"
        options[key.strip()] = value
    return options


def _values(args: tuple[str, ...]) -> Iterator[str]:
    if args:
        yield from args
        return
    stream: Iterable[str] = sys.stdin
    for line in stream:
        yield line.rstrip("\r\n")


def _shown(value: str, message: str | None, rule: MaskingRule | None, show_values: bool) -> tuple[str, str | None]:
    """The value and its message as printed: the standard's mask, then ``redact`` for any standard
    (a code-set or free-text value may hold a phone); as given only with ``--show-values``."""
    if show_values:
        return value, message
    shown = redact(value if rule is None else mask(value.strip(), rule))
    if message and value:
        message = message.replace(value, shown)
    return shown, redact(message) if message else message


@click.command()
@click.argument("standard")
@click.argument("values", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input line, in input order.")
@click.option("--show-values", is_flag=True, help="Print values unmasked (personal data!).")
@click.option("--legacy-15", is_flag=True, help="Accept legacy 15-digit citizen IDs (GB 11643).")
@click.option("-o", "--option", "options", multiple=True, metavar="KEY=VALUE",
              help="Option of the standard, e.g. GB11643: region_policy=birth_year (any_time, birth_year, "
                   "current, none), strict=true (birth before 1900 is an error); GB32100: strict=true (region "
                   "and category outside the tables are errors, not warnings); code sets such as GBT2260: "
                   "historical=true, match=code (labels such as 男 / 汉族 are errors, not warnings). An unknown "
                   "option or value is refused with the allowed ones.")
@click.option("--quiet", "-q", is_flag=True, help="Print only invalid values and the summary.")
def check(standard: str, values: tuple[str, ...], as_json: bool, show_values: bool, legacy_15: bool,
          options: tuple[str, ...], quiet: bool) -> None:
    """Check VALUES (or stdin lines) against STANDARD, e.g. `govstd check GB11643 11010519491231002X`."""
    entry = library.find(standard)
    opts = _parse_options(options)
    if legacy_15:
        opts["allow_legacy_15"] = True
    checker = value_checker(entry, opts)
    element = entry if isinstance(entry, DataElement) else None
    rule = None if show_values else rule_for(element)
    out = sys.stdout
    total = invalid = warned = 0
    for line_no, value in enumerate(_values(values), start=1):
        result = checker(value)
        total += 1
        invalid += not result.valid
        warned += bool(result.warnings)
        shown, message = _shown(value, result.message, rule, show_values)
        if as_json:
            record: dict[str, object] = {"line": line_no, "valid": result.valid, "error": result.error, "value": shown}
            if message:
                record["message"] = message
            if result.warnings:
                record["warnings"] = [{"code": c, "message": m if show_values else redact(m)}
                                      for c, m in result.warnings]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif not (quiet and result.valid and not result.warnings):
            verdict = "valid" if result.valid else f"INVALID {result.error}: {message}"
            if result.warnings:
                verdict += " — WARNING " + "; ".join(f"{c}: {m if show_values else redact(m)}"
                                                     for c, m in result.warnings)
            out.write(f"{line_no}\t{shown}\t{verdict}\n")
    if not as_json:
        click.echo(i18n.text("check.done", total=total, invalid=invalid, warned=warned,
                             ref=f"{entry.id}@{entry.version}"), err=True)
    if total == 0:
        raise click.UsageError("no values given (pass them as arguments or one per line on stdin)")
    sys.exit(1 if invalid else 0)
