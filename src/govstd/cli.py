"""The ``govstd`` command line: parse, call the Python API, render — nothing else.

Subcommands live one per module in ``govstd.commands`` and are imported only when run, so
``govstd --help`` stays fast even though validation pulls in DuckDB, Spark or Great Expectations.
Errors a user can cause are ``GovstdError``s: printed without a traceback, exit code 2. Every message
printed here (errors, warnings, internal errors) passes ``redact``: no personal number reaches stderr.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from typing import Any, TextIO

import click

from govstd import __version__

#: command name → (module, attribute, one-line help shown by ``govstd --help`` without importing it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "standards": ("govstd.commands.standards", "standards", "List and show the built-in field standards."),
    "check": ("govstd.commands.check", "check", "Check single values against a field standard."),
    "validate": ("govstd.commands.validate", "validate", "Validate a dataset against its catalogue schema."),
    # registry_items adds the catalogue commands to the group defined in commands/registry.py.
    "registry": ("govstd.commands.registry_items", "registry",
                 "Publish, resolve, diff and retire versioned standards."),
    "demo": ("govstd.commands.demo", "demo", "Score a synthetic department dataset end to end (make demo)."),
    "site": ("govstd.commands.site", "site", "Publish the registry as a static docs site (build, serve)."),
    "export": ("govstd.commands.export", "export", "Export a schema as a GX suite, JSON Schema, Table Schema or SQL."),
    "import": ("govstd.commands.import_", "import_", "Score a GX validation result: scorecard and share gate."),
    "lint": ("govstd.commands.lint", "lint", "Lint standards files and check compatibility before merging."),
    "schema": ("govstd.commands.schema", "schema", "Draft a catalogue schema from a data file (schema infer)."),
    "mask": ("govstd.commands.mask", "mask", "Write the de-identified copy of a dataset its schema lets be shared."),
    "serve": ("govstd.commands.serve", "serve", "Serve the registry over HTTP (API, tokens, scorecard submissions)."),
    "token": ("govstd.commands.token", "token", "Create, list and revoke API tokens for the registry service."),
    "keys": ("govstd.commands.keys", "keys", "Generate SM2 signing keys; trust a department's key."),
    "scorecard": ("govstd.commands.scorecard", "scorecard", "Sign, verify and submit JSON scorecards."),
    "doctor": ("govstd.commands.doctor", "doctor", "Show versions and whether checks run in the native kernel."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            module, attr, _ = COMMANDS[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govstd")
def cli() -> None:
    """govstd — Chinese government data standards: registry, validators, quality scorecards."""


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI and turn errors into exit codes (2 for anything the user can fix)."""
    from govstd.errors import GovstdWarning, redact

    python_format = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        # A GovstdWarning (e.g. a reference resolved to a candidate) is for the user, printed like a
        # GovstdError; any other warning keeps Python's format.
        if issubclass(category, GovstdWarning):
            click.echo(f"warning: {redact(str(message))}", err=True)
        else:
            python_format(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.showwarning = show
        return _main(argv)


def _main(argv: list[str] | None) -> Any:
    from govstd.errors import GovstdError, redact

    try:
        return cli.main(args=argv, prog_name="govstd", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except GovstdError as exc:
        click.echo(f"error: {redact(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # `govstd check ... | head` closes stdout early; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("GOVSTD_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {redact(str(exc))}\n  (set GOVSTD_DEBUG=1 for a traceback)",
                   err=True)
        sys.exit(3)
