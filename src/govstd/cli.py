"""The ``govstd`` command line: parse, call the Python API, render — nothing else.

Subcommands live one per module in ``govstd.commands`` and are imported only when run, so
``govstd --help`` stays fast even though validation pulls in DuckDB, Spark or Great Expectations.
Errors a user can cause are ``GovstdError``s: printed without a traceback, exit code 2. Every message
printed here (errors, warnings, internal errors) passes ``redact``: no personal number reaches stderr.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import sys
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

import click

from govstd import __version__, i18n
from govstd.i18n import LANGUAGES, Lang

if TYPE_CHECKING:
    from govstd.errors import GovstdError

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
            with long_lived():
                command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govstd")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of the CLI's messages: zh (default; English beside) or en. Default: from "
              "LC_ALL / LANG (en… gives English).")
def cli(lang: Lang | None) -> None:
    """govstd — Chinese government data standards: registry, validators, quality scorecards."""
    i18n.choose(lang)


#: The collector's first threshold for a ``govstd`` process (Python's default is 700 allocations). At
#: 20,000 a 10-row validate still spent ~0.01 s CPU in ~25 young collections walking the built-in library
#: and the derived checks as they were made; at 100,000 ~0.003 s. Only cyclic garbage waits for it.
GC_THRESHOLD = 100_000


def tune_process() -> None:
    """Settings for a process the CLI owns, made before the heavy imports; a pipeline importing
    govstd keeps its own. Each cuts fixed start-up CPU, none changes a result:

    - GC: a run's start-up allocates a few hundred thousand objects that live to the end (modules,
      pydantic models, the built-in library); at the default threshold the collector walks them
      hundreds of times, two full passes included (~0.17 s CPU of a 10-row validate). Cycles are
      still collected, every ``GC_THRESHOLD`` allocations instead of 700.
    - OpenBLAS: pyarrow imports numpy, whose OpenBLAS starts a busy-waiting thread per core (~0.06 s
      CPU); govstd does no linear algebra. A value the user set is kept.
    - pydantic plugins: the first validator pydantic builds looks up the ``pydantic`` entry points of every
      installed distribution (~4 ms CPU in a large environment); govstd uses none. A value the user set
      (``PYDANTIC_DISABLE_PLUGINS``) is kept.
    - Exit: the interpreter's shutdown runs full collections over everything still alive (~0.1-0.2 s
      of a small run); ``gc.freeze`` as the process exits spares them. Files are closed by the code
      that opens them, and memory goes back to the OS either way.
    """
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    atexit.register(gc.freeze)


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """For the CLI's imports of a command and of the modules it runs: what they build (modules, classes,
    pydantic's validators: ~10⁵ objects) lives to the end of the process. The collector is paused while
    they are built — its passes would walk them again and again (~0.02 s CPU of a 10-row validate) and
    find no garbage — and they are frozen after, so later passes skip them too. Freezing moves objects
    and collects nothing; an import that is already done costs nothing here."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI and turn errors into exit codes (2 for anything the user can fix)."""
    from govstd.errors import GovstdWarning, redact

    tune_process()

    python_format = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        # A GovstdWarning (e.g. a reference resolved to a candidate) is for the user, printed like a
        # GovstdError; any other warning keeps Python's format.
        if issubclass(category, GovstdWarning):
            click.echo(f"{i18n.label('warning')}: {redact(str(message))}", err=True)
        else:
            python_format(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.showwarning = show
        return _main(argv)


def wants_json(argv: list[str]) -> bool:
    """Whether the command line asks for ``--json`` (before a ``--``): then every outcome, an error
    included, is one JSON document on stdout. Read from the words, not the parsed options, because a
    usage error happens before any option is parsed."""
    words = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in words


def _main(argv: list[str] | None) -> Any:
    from govstd.errors import GovstdError, redact

    as_json = wants_json(sys.argv[1:] if argv is None else argv)

    def fail(code: str, exit_code: int, exc: BaseException, message: str, hint: str | None = None) -> None:
        """Print the error — to stderr for people, and with ``--json`` also as the one JSON document on
        stdout (masked: ``GovstdError.to_json``) — and exit."""
        if as_json:
            from govstd.commands._output import emit_json

            emit_json(exc.to_json() if isinstance(exc, GovstdError)
                      else {"error": {"code": code, "message": message, "hint": hint}})
        if isinstance(exc, click.ClickException):
            exc.show()
        elif isinstance(exc, GovstdError):
            click.echo(error_text(exc), err=True)
        elif code == "internal":
            click.echo(f"{_kind(code)}: {message}\n  ({hint})", err=True)
        else:
            click.echo(message, err=True)
        sys.exit(exit_code)

    try:
        return cli.main(args=argv, prog_name="govstd", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        fail("usage", 2 if isinstance(exc, click.UsageError) else exc.exit_code, exc, redact(exc.format_message()),
             f"govstd {exc.ctx.command_path.partition(' ')[2]} --help".replace("  ", " ")
             if isinstance(exc, click.UsageError) and exc.ctx else None)
    except click.exceptions.Abort as exc:
        fail("aborted", 130, exc, i18n.label("aborted"))
    except GovstdError as exc:
        fail(exc.code, exc.exit_code, exc, exc.message, exc.hint)
    except BrokenPipeError:
        # `govstd check ... | head` closes stdout early; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:
        debug = bool(os.environ.get("GOVSTD_DEBUG"))
        if debug:
            # The traceback asked for, masked like every other output: a library's message and the
            # frames' source lines may quote a cell, a file name or a database URL.
            import traceback

            click.echo(redact("".join(traceback.format_exception(exc))).rstrip(), err=True)
        message = f"{type(exc).__name__}: {redact(str(exc))}"
        fail("internal", 3, exc, message, None if debug else i18n.text("debug"))


def _kind(code: str) -> str:
    """``输入错误 error`` (the Chinese names the kind; the English ``error`` stays, so a log grep for
    ``error:`` finds it in both languages), or ``error`` in English."""
    word = "internal error" if code == "internal" else "error"
    if i18n.current() == "en":
        return word
    return f"{i18n.MESSAGES.get(f'error.{code}', i18n.MESSAGES['error'])['zh']} {word}"


def error_text(exc: GovstdError) -> str:
    """The error as the CLI prints it: the kind, where, what, what was expected, the hint — masked."""
    from govstd.errors import InputError, redact

    message = exc.located(i18n.MESSAGES["expected"][i18n.current()]) if isinstance(exc, InputError) else exc.message
    text = f"{_kind(exc.code)}: {redact(message)}"
    return text if not exc.hint else f"{text}\n  {i18n.label('hint')}: {exc.hint}"
