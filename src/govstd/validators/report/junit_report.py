"""JUnit XML: each check a test case, so CI systems show every failing check as a failing test.

Two suites: ``govstd.gate`` holds one case, the share gate (fails on a FAIL verdict; a WARN passes
with the reasons in ``system-out``), and a suite named after the schema holds one case per check.
A counted check with failures is a ``<failure>`` carrying its masked samples; a check that evaluated
nothing is ``<skipped>``; info-severity checks pass and report their findings in ``system-out``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from govstd.validators.scorecard import CheckScore, Scorecard, Verdict

# Characters XML 1.0 cannot hold at all; a stray control byte in the data must not break the report.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: object) -> str:
    return _XML_INVALID.sub("\ufffd", str(text))


def _samples(check: CheckScore) -> str:
    lines = [f"{check.description}", f"dimension: {check.dimension.value} ({check.dimension.label_zh})"]
    if check.indicator:
        lines.append(f"indicator: {check.indicator}")
    for sample in check.samples:
        values = ", ".join(f"{k}={'NULL' if v is None else v}" for k, v in sample.values.items())
        place = f" (line {sample.line})" if sample.line is not None else ""
        repeats = f", repeats row {sample.repeats_row}" if sample.repeats_row is not None else ""
        lines.append(f"row {sample.row}{place}{repeats}: {values}")
    if check.samples_omitted:
        lines.append(f"({check.samples_omitted} more samples not shown)")
    return "\n".join(lines)


def _case(suite: ET.Element, check: CheckScore) -> str:
    cols = f" [{', '.join(check.columns)}]" if check.columns else ""
    case = ET.SubElement(suite, "testcase", classname=_x(f"govstd.{check.dimension.value}"),
                         name=_x(f"{check.rule_id}{cols}"), time="0")
    if check.evaluated == 0:
        ET.SubElement(case, "skipped", message=_x(f"unmeasured — {check.unmeasured_reason or 'no row evaluated'}"))
        return "skipped"
    if check.counted and check.failed > 0:
        failure = ET.SubElement(case, "failure", type=_x(check.rule),
                                message=_x(f"{check.failed:,} of {check.evaluated:,} failed "
                                           f"(pass rate {check.score:.2f}%)"))
        failure.text = _x(_samples(check))
        return "failure"
    if check.failed > 0:
        out = ET.SubElement(case, "system-out")
        out.text = _x(f"{check.severity}: {check.failed:,} of {check.evaluated:,} noted\n{_samples(check)}")
    return "pass"


def render(scorecard: Scorecard) -> str:
    """The scorecard as a JUnit XML document (UTF-8)."""
    duration = max(0.0, (scorecard.finished_at - scorecard.started_at).total_seconds())
    stamp = scorecard.started_at.isoformat(timespec="seconds")
    root = ET.Element("testsuites", name="govstd scorecard")

    v = scorecard.verdict
    gate = ET.SubElement(root, "testsuite", name="govstd.gate", tests="1",
                         failures="1" if v.verdict == Verdict.FAIL else "0", errors="0", skipped="0",
                         timestamp=stamp, time="0")
    case = ET.SubElement(gate, "testcase", classname="govstd.gate",
                         name=_x(f"share gate ({v.policy}): {scorecard.schema_info.ref}"), time="0")
    reasons = "\n".join(f"[{r.level}] {r.message} / {r.message_zh}" for r in v.reasons)
    if v.verdict == Verdict.FAIL:
        failure = ET.SubElement(case, "failure", type="share_gate",
                                message=_x(f"FAIL: {sum(r.level == 'fail' for r in v.reasons)} blocking reason(s)"))
        failure.text = _x(reasons)
    elif reasons:
        ET.SubElement(case, "system-out").text = _x(f"{v.verdict.value}\n{reasons}")

    suite = ET.SubElement(root, "testsuite", name=_x(scorecard.schema_info.ref), timestamp=stamp,
                          time=f"{duration:.3f}")
    props = ET.SubElement(suite, "properties")
    for name, value in (("score", scorecard.score), ("grade", scorecard.grade and scorecard.grade.value),
                        ("verdict", v.verdict.value), ("dataset.sha256", scorecard.dataset.sha256),
                        ("dataset.sm3", scorecard.dataset.sm3), ("dataset.rows", scorecard.dataset.rows),
                        ("engine", scorecard.engine), ("tool_version", scorecard.tool_version)):
        ET.SubElement(props, "property", name=name, value=_x("" if value is None else value))
    outcomes = [_case(suite, check) for check in scorecard.checks]
    failures, skipped = outcomes.count("failure"), outcomes.count("skipped")
    suite.set("tests", str(len(outcomes)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    root.set("tests", str(len(outcomes) + 1))
    root.set("failures", str(failures + (1 if v.verdict == Verdict.FAIL else 0)))
    root.set("errors", "0")
    root.set("skipped", str(skipped))
    root.set("time", f"{duration:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
