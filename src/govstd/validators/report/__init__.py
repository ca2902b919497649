"""Scorecard reports: one module per output format behind one small registry.

Every format renders a ``Scorecard`` (``govstd.validators.scorecard``) to text and nothing else — the
scoring, the gate and the masking happen once, before any format sees the data. Formats are imported
only when used, so writing JSON never loads the HTML templates.

>>> sorted(FORMATS)
['html', 'json', 'junit', 'md']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from govstd.errors import InputError
from govstd.formats import Format, Formats

if TYPE_CHECKING:
    from govstd.standards.models import CatalogueSchema
    from govstd.validators.results import ValidationResult
    from govstd.validators.scorecard import QualityPolicy, Scorecard

__all__ = ["DEFAULT_FORMATS", "FORMATS", "TALLY_LABEL", "Finished", "ReportFormat", "finish", "render",
           "tally_text", "write_outputs", "write_scorecard"]


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


#: What reports call a check's tally: today only service item code formats carry one (rows per layout).
TALLY_LABEL = "编码版式 matched layouts"


def tally_text(details: Mapping[str, Any]) -> str | None:
    """A check's tally (``details["tally"]``: e.g. rows per matched service item code layout) as one line
    every format shows alike — ``dashed_area_body 3 · basic_code 1`` — or None when it has none. Layouts
    no row matched are left out; the check's failed count is the rows matching none.

    >>> tally_text({"tally": {"a": 3, "b": 0, "c": 1}})
    'a 3 · c 1'
    """
    tally = details.get("tally")
    if not tally:
        return None
    return " · ".join(f"{name} {n:,}" for name, n in tally.items() if n) or "—"


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


@dataclass(frozen=True)
class Finished:
    """What the reports of one run came to: the scorecard, the files written, the reports rendered."""

    scorecard: Scorecard
    #: format → file written (with ``out_dir``).
    written: dict[str, Path] = field(default_factory=dict)
    #: format → the report as text (without ``out_dir``), for the caller to print or keep.
    texts: dict[str, str] = field(default_factory=dict)


def finish(result: ValidationResult, schema: CatalogueSchema | None = None, *, out_dir: str | Path | None = None,
           formats: Iterable[str] = (), policy: Mapping[str, Any] | QualityPolicy | None = None) -> Finished:
    """What follows the engine: score ``result``, judge it with the share gate, and write or render
    the reports. Prints nothing, and decides no command-line rule (``govstd.commands.validate``).

    - ``schema``: the catalogue schema to judge by; default the one the run resolved
      (``result.catalogue``) — never loaded or resolved again, so the scorecard judges by the exact
      version the checks came from;
    - ``out_dir``: write each of ``formats`` (default json + html) there; without it, each of
      ``formats`` is rendered to text (``Finished.texts``);
    - ``policy``: a loaded ``--policy`` file (``scorecard.load_policy``), overriding ``schema.quality``.
    """
    from govstd.validators import scorecard as sc

    judged = schema if schema is not None else result.catalogue
    if judged is None:
        raise InputError("the result does not carry the catalogue schema it was validated against",
                         field="schema", expected="a result of govstd.validate(), or the schema passed along")
    chosen = list(dict.fromkeys(FORMATS.find(f).name for f in formats))
    # The scorecard govstd.validate built is the one to report, unless another schema or policy is asked for.
    card = result.scorecard if schema is None and policy is None else None
    if card is None:
        card = sc.build(result, judged, policy)
    if out_dir is not None:
        return Finished(card, written=write_scorecard(card, out_dir, chosen or DEFAULT_FORMATS))
    return Finished(card, texts={name: render(card, name) for name in chosen})
