"""Scorecard reports: one module per output format behind one small registry.

Every format renders a ``Scorecard`` (``govstd.validators.scorecard``) to text and nothing else — the
scoring, the gate and the masking happen once, before any format sees the data. Formats are imported
only when used, so writing JSON never loads the HTML templates.

>>> sorted(FORMATS)
['html', 'json', 'junit', 'md']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from govstd.errors import InputError
from govstd.formats import Format, Formats

if TYPE_CHECKING:
    from rich.console import Console

    from govstd.standards.models import CatalogueSchema
    from govstd.validators.results import ValidationResult
    from govstd.validators.scorecard import QualityPolicy, Scorecard

__all__ = ["DEFAULT_FORMATS", "FORMATS", "ReportFormat", "finish", "render", "resolve_schema", "write_outputs",
           "write_scorecard"]


class _Renderer(Protocol):
    def __call__(self, scorecard: Scorecard, /) -> str: ...


@dataclass(frozen=True)
class ReportFormat(Format):
    """One output format: where its renderer lives and the file it writes."""

    filename: str
    description: str

    def renderer(self) -> _Renderer:
        render_fn: _Renderer = self.load("render")
        return render_fn


FORMATS: Formats[ReportFormat] = Formats("report format", (
    ReportFormat("json", "govstd.validators.report.json_report", "scorecard.json",
                 "JSON scorecard (schema: scorecard.schema.json)"),
    ReportFormat("html", "govstd.validators.report.html_report", "scorecard.html", "self-contained HTML scorecard"),
    ReportFormat("md", "govstd.validators.report.markdown_report", "scorecard.md",
                 "Markdown summary for CI logs and merge requests"),
    ReportFormat("junit", "govstd.validators.report.junit_report", "scorecard.junit.xml",
                 "JUnit XML: one test case per check"),
), aliases={"markdown": "md", "xml": "junit", "htm": "html"})
#: What ``--out DIR`` writes when no ``--format`` is given: one for machines, one for people.
DEFAULT_FORMATS = ("json", "html")


def render(scorecard: Scorecard, fmt: str) -> str:
    """``scorecard`` rendered in format ``fmt`` (json, html, md, junit)."""
    return FORMATS.find(fmt).renderer()(scorecard)


def write_scorecard(scorecard: Scorecard, out_dir: str | Path, formats: Iterable[str] = ("json", "html")
                    ) -> dict[str, Path]:
    """Write ``scorecard`` to ``out_dir`` (created) in each format; format name → file written."""
    out = Path(out_dir)
    chosen = list(dict.fromkeys(FORMATS.find(f).name for f in formats))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output directory: {exc.strerror}", path=str(out)) from None
    written: dict[str, Path] = {}
    for name in chosen:
        spec = FORMATS[name]
        path = out / spec.filename
        text = spec.renderer()(scorecard)
        # Write next to the target and rename: a reader never sees half a report.
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8", newline="\n")
        tmp.replace(path)
        written[name] = path
    return written


def write_outputs(result: ValidationResult, schema: CatalogueSchema, out_dir: str | Path,
                  formats: Iterable[str] = ("json", "html"),
                  policy: Mapping[str, Any] | QualityPolicy | None = None) -> tuple[Scorecard, dict[str, Path]]:
    """Score ``result``, judge it with the share gate, and write the reports: the CLI's one call."""
    from govstd.validators import scorecard as sc

    card = sc.build(result, schema, policy)
    return card, write_scorecard(card, out_dir, formats)


def resolve_schema(result: ValidationResult, schema: CatalogueSchema | str | Path, registry: Any = None
                   ) -> CatalogueSchema:
    """The catalogue schema ``result`` was validated against, as an object.

    ``schema`` is what the user gave: the schema itself, a YAML file, or a registry reference. A
    reference is resolved by the exact ``id@version`` the run used (``result.schema_ref``), never again
    by a range that a publish in between could have moved.
    """
    from govstd.standards.models import CatalogueSchema, EntryKind

    if isinstance(schema, CatalogueSchema):
        return schema
    path = Path(schema)
    if isinstance(schema, Path) or path.suffix.lower() in {".yaml", ".yml"} or path.is_file():
        from govstd.standards.loader import load_file

        found = [e for e in load_file(path) if isinstance(e, CatalogueSchema)]
        for entry in found:
            if entry.ref == result.schema_ref:
                return entry
        if len(found) == 1:
            return found[0]
        raise InputError(f"no catalogue schema {result.schema_ref} in the file", path=str(path))
    from govstd.registry.store import Registry

    reg = registry if registry is not None and hasattr(registry, "resolve") else Registry(registry)
    try:
        resolved = reg.resolve(result.schema_ref, kind=EntryKind.CATALOGUE_SCHEMA)
    finally:
        if reg is not registry:
            reg.close()
    if not isinstance(resolved, CatalogueSchema):
        raise InputError(f"{result.schema_ref} is not a catalogue schema", field="schema")
    return resolved


def finish(result: ValidationResult, schema: CatalogueSchema | str | Path, *, registry: Any = None,
           out_dir: str | Path | None = None, formats: Iterable[str] = (),
           policy: Mapping[str, Any] | QualityPolicy | None = None, fail_on: Literal["warn", "fail"] = "fail",
           console: Console | None = None, quiet: bool = False, stdout_taken: bool = False) -> int:
    """What ``govstd validate`` does after the engine: score, gate, write, summarise; the exit code.

    - ``schema``: the schema object, its YAML file, or the registry reference given (see ``resolve_schema``);
    - ``out_dir``: write each of ``formats`` (default json + html) there, and say where;
    - no ``out_dir`` but one format: print that report to stdout (the summary goes to stderr) — unless
      ``stdout_taken`` (the command already prints JSON there), which makes that an input error;
    - ``policy``: a loaded ``--policy`` file (``scorecard.load_policy``), overriding ``schema.quality``;
    - returns 0 when the gate lets the dataset through, 1 when not (``fail_on='warn'``: WARN fails too).
    """
    import sys

    from rich.console import Console

    from govstd.validators import scorecard as sc
    from govstd.validators.report.console_report import print_summary

    chosen = [FORMATS.find(f).name for f in formats]
    if out_dir is None and len(set(chosen)) > 1:
        raise InputError("several --format values need --out DIR", expected="--out DIR, or a single --format")
    if out_dir is None and chosen and stdout_taken:
        raise InputError("--format without --out prints the report to stdout, which --json already uses",
                         expected="--out DIR")
    card = sc.build(result, resolve_schema(result, schema, registry), policy)
    paths: dict[str, Path] = {}
    to_stdout = out_dir is None and bool(chosen)
    if out_dir is not None:
        paths = write_scorecard(card, out_dir, chosen or DEFAULT_FORMATS)
    elif to_stdout:
        sys.stdout.write(render(card, chosen[0]))
        sys.stdout.flush()
    if not quiet:
        out = console or Console(stderr=to_stdout or stdout_taken, highlight=False)
        print_summary(card, paths, console=out)
    return sc.exit_code(card, fail_on)
