"""The names of govstd's GX expectations and metrics, importable without GX (the exporter writes
them into suites; the expectations module defines them)."""

from __future__ import annotations

VALID_GB11643 = "expect_column_values_to_be_valid_gb11643"
VALID_GB32100 = "expect_column_values_to_be_valid_gb32100"
IN_CODE_SET = "expect_column_values_to_be_in_govstd_code_set"
PAIR_MATCH_GB11643 = "expect_column_pair_values_to_match_gb11643"
PASS_CHECK = "expect_column_values_to_pass_govstd_check"
PAIR_COMPARISON = "expect_column_pair_values_to_pass_govstd_comparison"

#: expectation type (snake case, as in a suite) → class name in ``govstd.integrations.gx``.
EXPECTATIONS: dict[str, str] = {
    VALID_GB11643: "ExpectColumnValuesToBeValidGb11643",
    VALID_GB32100: "ExpectColumnValuesToBeValidGb32100",
    IN_CODE_SET: "ExpectColumnValuesToBeInGovstdCodeSet",
    PAIR_MATCH_GB11643: "ExpectColumnPairValuesToMatchGb11643",
    PASS_CHECK: "ExpectColumnValuesToPassGovstdCheck",
    PAIR_COMPARISON: "ExpectColumnPairValuesToPassGovstdComparison",
}

#: Key of the govstd block in an expectation's (and the suite's) ``meta``.
META_KEY = "govstd"
