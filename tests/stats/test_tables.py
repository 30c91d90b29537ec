from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from audit.errors import ValidationError
from audit.stats import barnard_exact, cmh_test, fisher_exact, odds_ratio, risk_ratio
from tests.stats._reference import assert_close, cases

# Reference: R fisher.test (p-value, conditional MLE, exact CI), mantelhaen.test, and the
# log-method RR / Woolf OR formulas written in R; see reference/make_reference.R.
TABLES = cases("tables")
CMH = cases("cmh")


def _ids(case):
    return str(case["table"])


@pytest.mark.parametrize("case", [c for c in TABLES if "risk_ratio" in c], ids=_ids)
def test_risk_ratio_matches_reference(case):
    (a, b), (c, d) = case["table"]
    for key, level in (("risk_ratio", 0.95), ("risk_ratio_90", 0.9)):
        result = risk_ratio(a, a + b, c, c + d, level=level)
        assert_close(result.estimate, case[key]["estimate"])
        assert_close([result.ci_low, result.ci_high], case[key]["ci"])
        if result.pvalue is not None:
            assert_close(result.pvalue, case[key]["pvalue"])


@pytest.mark.parametrize("case", [c for c in TABLES if "odds_ratio" in c], ids=_ids)
def test_woolf_odds_ratio_matches_reference(case):
    for key, level in (("odds_ratio", 0.95), ("odds_ratio_90", 0.9)):
        result = odds_ratio(case["table"], level=level)
        assert_close(result.estimate, case[key]["estimate"])
        assert_close([result.ci_low, result.ci_high], case[key]["ci"])
        assert_close(result.pvalue, case[key]["pvalue"])


@pytest.mark.parametrize("case", TABLES, ids=_ids)
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_fisher_matches_r_fisher_test(case, alternative):
    expected = case[f"fisher_{alternative.replace('-', '.')}"]
    result = fisher_exact(case["table"], alternative=alternative)
    assert_close(result.pvalue, expected["pvalue"])
    # fisher.test solves for the conditional MLE and the limits with uniroot's default
    # tolerance (~1.2e-4 on 1/psi for large psi), so it is itself only accurate to ~1e-2
    # relative there; the 1e-6 comparison is against the same definitions solved to 1e-13 in
    # R (fisher_precise in make_reference.R).
    assert_close(result.estimate, expected["estimate"], rtol=1e-2, atol=1e-3)
    assert_close([result.ci_low, result.ci_high], expected["ci"], rtol=1e-2, atol=1e-3)
    precise = case.get(f"fisher_precise_{alternative.replace('-', '.')}")
    if precise is not None:
        assert_close(result.estimate, precise["estimate"])
        assert_close([result.ci_low, result.ci_high], precise["ci"])


def _noncentral_hypergeometric(table):
    (a, b), (c, d) = np.asarray(table)
    m, n, k = a + c, b + d, a + b
    support = np.arange(max(0, k - n), min(k, m) + 1)
    log_base = sps.hypergeom.logpmf(support, m + n, m, k)
    return a, support, log_base


def _mean_at(support, log_base, psi):
    weights = log_base + support * math.log(psi)
    weights = np.exp(weights - weights.max())
    return float((support * weights).sum() / weights.sum())


def _upper_tail_at(x, support, log_base, psi):
    weights = log_base + support * math.log(psi)
    weights = np.exp(weights - weights.max())
    return float(weights[support >= x].sum() / weights.sum())


@pytest.mark.parametrize("table", [[[7, 2], [3, 8]], [[10, 20], [3, 40]], [[2, 8], [7, 2]]])
def test_fisher_estimate_and_interval_solve_their_defining_equations(table):
    # Conditional MLE: E[X | psi] = observed x. Lower 95% limit: P(X >= x | psi) = 0.025.
    result = fisher_exact(table)
    x, support, log_base = _noncentral_hypergeometric(table)
    assert _mean_at(support, log_base, result.estimate) == pytest.approx(x, abs=1e-8)
    assert _upper_tail_at(x, support, log_base, result.ci_low) == pytest.approx(0.025, abs=1e-8)
    lower_tail = 1 - _upper_tail_at(x + 1, support, log_base, result.ci_high)
    assert lower_tail == pytest.approx(0.025, abs=1e-8)


def _barnard_by_enumeration(table, grid=20001):
    """Barnard's pooled-z test by brute force: all tables with the row totals, p-value
    maximised over a fine grid of the nuisance proportion (two-sided: |z| >= |z_obs|, ties
    included)."""
    (a, b), (c, d) = table
    n1, n2 = a + b, c + d
    extreme_tables = []
    observed = None
    for x1 in range(n1 + 1):
        for x2 in range(n2 + 1):
            pooled = (x1 + x2) / (n1 + n2)
            if x1 * n2 == x2 * n1:
                z = 0.0
            else:
                z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
            extreme_tables.append((x1, x2, z))
            if (x1, x2) == (a, c):
                observed = z
    chosen = np.zeros((n1 + 1, n2 + 1))
    for x1, x2, z in extreme_tables:
        chosen[x1, x2] = abs(z) >= abs(observed) - 1e-9
    pi = np.linspace(0, 1, grid)
    first = sps.binom.pmf(np.arange(n1 + 1)[:, None], n1, pi[None, :])
    second = sps.binom.pmf(np.arange(n2 + 1)[:, None], n2, pi[None, :])
    total = np.einsum("ig,jg,ij->g", first, second, chosen)
    return observed, float(total.max())


TIES = [[[7, 8], [12, 3]], [[3, 7], [9, 1]]]  # mirror-image tables with equal |z|


@pytest.mark.parametrize(
    "table", [*TIES, [[0, 10], [4, 6]], [[5, 5], [5, 5]], [[1, 40], [9, 31]], [[0, 3], [3, 0]]]
)
def test_barnard_matches_an_independent_enumeration(table):
    result = barnard_exact(table)
    statistic, pvalue = _barnard_by_enumeration(table)
    assert result.statistic == pytest.approx(statistic, rel=1e-9, abs=1e-12)
    # A grid maximum can only fall short of the supremum; 20,001 points get within ~1e-7.
    assert result.pvalue == pytest.approx(pvalue, rel=1e-6)
    assert result.pvalue >= pvalue - 1e-12
    (a, b), (c, d) = table
    assert result.estimate == pytest.approx(a / (a + b) - c / (c + d))


@pytest.mark.parametrize("table", [[[0, 10], [4, 6]], [[1, 40], [9, 31]], [[2, 9], [8, 5]]])
def test_barnard_agrees_with_scipy_when_there_are_no_ties(table):
    expected = sps.barnard_exact(np.array(table).T, n=64).pvalue
    assert barnard_exact(table).pvalue == pytest.approx(expected, rel=1e-6)


def test_barnard_counts_mirror_tables_that_scipy_drops():
    # (7, 12) and (8, 3) of 15 have the same |z| mathematically but differ in the last bit.
    ours = barnard_exact([[7, 8], [12, 3]]).pvalue
    theirs = sps.barnard_exact(np.array([[7, 12], [8, 3]]), n=64).pvalue
    assert ours > theirs


def test_barnard_is_more_powerful_than_fisher_here():
    # A known property on this classic table: the unconditional test is less conservative.
    table = [[7, 8], [12, 3]]
    assert barnard_exact(table).pvalue < fisher_exact(table).pvalue


@pytest.mark.parametrize("case", CMH, ids=lambda c: f"{len(c['tables'])}strata-{c['correction']}")
def test_cmh_matches_r_mantelhaen_test(case):
    result = cmh_test(case["tables"], correction=case["correction"])
    assert_close(result.statistic, case["statistic"])
    assert_close(result.pvalue, case["pvalue"])
    assert_close(result.estimate, case["estimate"])
    assert_close([result.ci_low, result.ci_high], case["ci"])


def test_cmh_drops_empty_and_single_observation_strata():
    base = CMH[0]
    padded = [*base["tables"], [[0, 0], [0, 0]], [[0, 1], [0, 0]]]
    result = cmh_test(padded, correction=base["correction"])
    assert_close(result.statistic, base["statistic"])
    assert_close(result.estimate, base["estimate"])
    assert result.n_strata == len(padded)
    assert result.n_strata_used == len(base["tables"])


def test_cmh_with_one_stratum_equals_the_uncorrected_mantel_haenszel_chi_square():
    # For a single 2x2 table the CMH statistic is (n-1)/n times Pearson's chi-square.
    table = np.array([[12, 5], [7, 14]])
    n = table.sum()
    pearson = sps.chi2_contingency(table, correction=False).statistic
    assert cmh_test([table], correction=False).statistic == pytest.approx(pearson * (n - 1) / n)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([[1, 2], [3]], "2x2"),
        ([[1, 2, 3], [3, 4, 5]], "shape"),
        ([[-1, 2], [3, 4]], "negative"),
        ([[1.5, 2], [3, 4]], "whole"),
        ([[math.nan, 2], [3, 4]], "NaN"),
    ],
)
def test_bad_tables_raise(bad, message):
    for f in (odds_ratio, fisher_exact, barnard_exact):
        with pytest.raises(ValidationError, match=message):
            f(bad)


def test_bad_inputs_raise():
    with pytest.raises(ValidationError, match="empty row"):
        odds_ratio([[0, 0], [3, 4]])
    with pytest.raises(ValidationError, match="alternative"):
        fisher_exact([[1, 2], [3, 4]], alternative="sideways")
    with pytest.raises(ValidationError, match="shape"):
        cmh_test([])
    with pytest.raises(ValidationError, match="fewer than 2"):
        cmh_test([[[0, 0], [0, 1]]])
    with pytest.raises(ValidationError, match="must not exceed"):
        risk_ratio(5, 4, 1, 4)


def test_large_counts():
    # 100,000 observations: the Woolf interval equals the closed form, Fisher stays finite.
    table = [[5000, 45000], [4500, 45500]]
    result = odds_ratio(table)
    log_or = math.log(5000 * 45500 / (45000 * 4500))
    se = math.sqrt(1 / 5000 + 1 / 45000 + 1 / 4500 + 1 / 45500)
    assert result.ci_low == pytest.approx(math.exp(log_or - 1.959963984540054 * se), rel=1e-9)
    assert 0 <= fisher_exact(table).pvalue < 1e-5


@pytest.mark.parametrize("alternative", ["less", "greater"])
@pytest.mark.parametrize("pooled", [True, False])
def test_barnard_one_sided_and_unpooled_agree_with_scipy_without_ties(alternative, pooled):
    table = [[2, 9], [8, 5]]
    expected = sps.barnard_exact(
        np.array(table).T, alternative=alternative, pooled=pooled, n=64
    ).pvalue
    assert barnard_exact(table, alternative=alternative, pooled=pooled).pvalue == pytest.approx(
        expected, rel=1e-6
    )


def test_barnard_one_sided_tails_are_ordered():
    # Group 1 has the lower rate here, so "less" (p1 < p2) is the significant direction.
    table = [[2, 9], [8, 5]]
    less = barnard_exact(table, alternative="less").pvalue
    greater = barnard_exact(table, alternative="greater").pvalue
    assert less < 0.05 < greater
