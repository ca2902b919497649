"""The headline never contradicts itself: a high score that FAILs the share gate on PII exposure shows
the verdict in its colour and the grade muted (console, HTML), and scorecard.md carries the warnings."""

from __future__ import annotations

import re

from rich.panel import Panel
from rich.text import Text
from test_report import _check, make_result, make_schema

from govstd.validators import scorecard as sc
from govstd.validators.report import html_report, markdown_report
from govstd.validators.report.console_report import summary


def _high_score_card(*, leak: bool) -> sc.Scorecard:
    """Every check passes but, with ``leak``, the PII-exposure check finds 2 unmasked IDs in 100 000 rows."""
    checks = [
        _check("id_number.checksum", "accuracy", 100_000, 0, ["id_number"]),
        _check("id_number.format", "conformity", 100_000, 0, ["id_number"]),
        _check("name.not_null", "completeness", 100_000, 0, ["name"]),
        _check("pii_exposure.id_number", "conformity", 100_000, 2 if leak else 0, ["id_number"], rule="pii_exposure"),
    ]
    result = make_result().model_copy(update={"checks": checks, "warnings": ["sheet 'x': header found on row 3"]})
    return sc.build(result, make_schema())


def _grade_span_style(card: sc.Scorecard) -> str:
    group = summary(card)
    panel = group.renderables[0]
    assert isinstance(panel, Panel) and isinstance(panel.renderable, Text)
    head = panel.renderable
    assert card.grade is not None
    start = head.plain.index(f"{card.grade.value} {card.grade.label_zh}")
    styles = [str(s.style) for s in head.spans if s.start <= start < s.end]
    assert styles, head.plain
    return styles[-1]


def test_a_failing_high_score_shows_the_grade_muted_on_the_console() -> None:
    card = _high_score_card(leak=True)
    assert card.score is not None and card.score >= 95 and card.grade == sc.Grade.A  # the contradiction's setup
    assert card.verdict.verdict == sc.Verdict.FAIL
    assert "green" not in _grade_span_style(card)
    assert "the verdict decides" in summary_text(card)
    passing = _high_score_card(leak=False)
    assert passing.verdict.verdict == sc.Verdict.PASS
    assert "green" in _grade_span_style(passing)
    assert "the verdict decides" not in summary_text(passing)


def summary_text(card: sc.Scorecard) -> str:
    panel = summary(card).renderables[0]
    assert isinstance(panel, Panel) and isinstance(panel.renderable, Text)
    return panel.renderable.plain


def _grade_class(html: str) -> str:
    found = re.search(r'<div class="grade ([\w-]+)" data-grade="A"', html)
    assert found, "no grade in the headline"
    return found.group(1)


def test_a_failing_high_score_shows_the_grade_muted_in_html() -> None:
    failing = html_report.render(_high_score_card(leak=True))
    assert 'data-verdict="FAIL"' in failing
    assert _grade_class(failing) == "q-muted"
    assert "the verdict decides" in failing
    passing = html_report.render(_high_score_card(leak=False))
    assert _grade_class(passing) == "q-a"
    assert "the verdict decides" not in passing


def test_markdown_carries_the_reader_warnings() -> None:
    md = markdown_report.render(_high_score_card(leak=True))
    assert "### 提示 Warnings" in md
    assert "header found on row 3" in md
    assert "Warnings" not in markdown_report.render(sc.build(make_result(), make_schema()))


def _all_wrong_ids_card() -> sc.Scorecard:
    """Every ID is present but every one fails its checksum: 1 000 rows."""
    checks = [
        _check("id_number.not_null", "completeness", 1000, 0, ["id_number"]),
        _check("id_number.checksum", "accuracy", 1000, 1000, ["id_number"]),
        _check("name.not_null", "completeness", 1000, 0, ["name"]),
    ]
    return sc.build(make_result().model_copy(update={"checks": checks}), make_schema())


def test_a_column_failing_on_every_value_scores_zero() -> None:
    card = _all_wrong_ids_card()
    col = card.column("id_number")
    # The mean of its checks would be (100 + 0) / 2 = 50 "D"; the column is as good as its worst check.
    assert col.score == 0.0 and col.grade == sc.Grade.D and col.worst_check == "id_number.checksum"
    assert card.column("name").score == 100.0 and card.column("name").worst_check is None
    # Overall keeps the dimension rule: accuracy 0, completeness 100 → (30·0 + 25·100) / 55 = 45.4545… → 45.45
    assert card.score == 45.45 and card.grade == sc.Grade.D
    assert card.verdict.verdict == sc.Verdict.FAIL
    # No band below D (docs/scoring.md): the gate says the column is unusable, naming its check.
    assert any(r.level == "fail" and "id_number.checksum" in (r.subject or "") for r in card.verdict.reasons)
    html = html_report.render(card)
    row = re.search(r"<tr class=\"row-([\w-]+)\"><td><code>id_number</code>.*?</tr>", html, re.S)
    assert row and row.group(1) == "q-d", "the 0-score column is not coloured by the lowest band"
    assert ">0.0<" in row.group(0) and 'data-worst="id_number.checksum"' in row.group(0)


def test_markdown_headline_says_the_verdict_decides() -> None:
    md = markdown_report.render(_high_score_card(leak=True))
    assert "FAIL" in md.splitlines()[0] and "A 优 (分数等级，共享以结论为准 score grade; the verdict decides)" in md
    assert "the verdict decides" not in markdown_report.render(_high_score_card(leak=False))
