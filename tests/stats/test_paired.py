from __future__ import annotations

import math

import pytest

from audit.errors import ValidationError
from audit.stats import mcnemar_test
from tests.stats._reference import assert_close, cases

# Reference: R mcnemar.test(correct = TRUE/FALSE) and binom.test(b, b + c) (see
# reference/make_reference.R).
MCNEMAR = cases("mcnemar")


@pytest.mark.parametrize("case", MCNEMAR, ids=lambda c: f"b={c['b']},c={c['c']}")
def test_chi_square_matches_r_mcnemar_test(case):
    corrected = mcnemar_test(case["b"], case["c"], exact=False)
    assert_close(corrected.statistic, case["chisq_corrected"]["statistic"])
    assert_close(corrected.pvalue, case["chisq_corrected"]["pvalue"])
    uncorrected = mcnemar_test(case["b"], case["c"], exact=False, correction=False)
    assert_close(uncorrected.statistic, case["chisq_uncorrected"]["statistic"])
    assert_close(uncorrected.pvalue, case["chisq_uncorrected"]["pvalue"])


@pytest.mark.parametrize("case", MCNEMAR, ids=lambda c: f"b={c['b']},c={c['c']}")
def test_exact_matches_r_binom_test(case):
    result = mcnemar_test(case["b"], case["c"], exact=True)
    assert_close(result.pvalue, case["exact"]["pvalue"])
    # The odds-ratio interval is the Clopper-Pearson interval of b/(b+c) mapped by p/(1-p).
    low, high = case["exact"]["ci"]
    assert_close(result.ci_low, low / (1 - low))
    expected_high = math.inf if high == 1 else high / (1 - high)
    assert_close(result.ci_high, expected_high)


def test_exact_is_chosen_for_few_discordant_pairs():
    assert mcnemar_test(10, 3).exact
    assert not mcnemar_test(40, 25).exact
    assert mcnemar_test(40, 25, exact=True).exact


def test_no_discordant_pairs_means_no_evidence():
    result = mcnemar_test(0, 0)
    assert result.pvalue == 1.0
    assert math.isnan(result.estimate)


def test_estimate_is_the_conditional_odds_ratio():
    assert mcnemar_test(12, 4).estimate == pytest.approx(3.0)
    assert mcnemar_test(5, 0).estimate == math.inf


@pytest.mark.parametrize(("b", "c"), [(-1, 3), (2.5, 3), (math.nan, 1), (None, 1)])
def test_bad_counts_raise(b, c):
    with pytest.raises(ValidationError):
        mcnemar_test(b, c)


def test_bad_exact_flag_raises():
    with pytest.raises(ValidationError, match="exact"):
        mcnemar_test(3, 4, exact="yes")
