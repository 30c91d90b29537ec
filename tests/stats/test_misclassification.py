from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from audit.errors import ValidationError
from audit.stats import rogan_gladen


def test_point_estimate_is_the_rogan_gladen_formula():
    # Rogan & Gladen (1978): (apparent prevalence + Sp - 1) / (Se + Sp - 1).
    result = rogan_gladen(0.2, 0.9, 0.95)
    assert result.estimate == pytest.approx((0.2 + 0.95 - 1) / (0.9 + 0.95 - 1))
    assert result.ci_low is None and not result.clipped


def test_perfect_detector_changes_nothing():
    result = rogan_gladen(0.37, 1.0, 1.0, n_observed=500)
    assert result.estimate == pytest.approx(0.37)
    half = 1.959963984540054 * math.sqrt(0.37 * 0.63 / 500)
    assert result.ci_low == pytest.approx(0.37 - half)
    assert result.ci_high == pytest.approx(0.37 + half)


def test_estimates_outside_the_unit_interval_are_clipped():
    # An observed rate below the false-positive rate 1 - Sp implies a negative prevalence.
    low = rogan_gladen(0.01, 0.9, 0.95, n_observed=1000)
    assert low.estimate == 0.0 and low.clipped and low.ci_low == 0.0
    high = rogan_gladen(0.99, 0.9, 0.95)
    assert high.estimate == 1.0 and high.clipped


def test_known_sensitivity_and_specificity_give_a_rescaled_wald_interval():
    p, se, sp, n = 0.25, 0.8, 0.9, 2000
    result = rogan_gladen(p, se, sp, n_observed=n)
    youden = se + sp - 1
    half = 1.959963984540054 * math.sqrt(p * (1 - p) / n) / youden
    assert result.ci_high - result.ci_low == pytest.approx(2 * half)


def test_uncertainty_in_sensitivity_and_specificity_widens_the_interval():
    base = rogan_gladen(0.25, 0.8, 0.9, n_observed=2000)
    more = rogan_gladen(0.25, 0.8, 0.9, n_observed=2000, n_sensitivity=100, n_specificity=100)
    assert more.ci_high - more.ci_low > base.ci_high - base.ci_low


def test_se_observed_replaces_the_binomial_variance():
    # A clustered standard error for the observed rate (e.g. from the cluster bootstrap).
    result = rogan_gladen(0.25, 0.8, 0.9, se_observed=0.02)
    assert result.se == pytest.approx(0.02 / 0.7)


def test_delta_method_interval_covers_the_truth_in_simulation():
    # Seeded simulation: true prevalence 0.3, detector Se 0.85 / Sp 0.95 estimated on 300
    # positives and 500 negatives, 2,000 conversations observed. Nominal 95 %.
    rng = np.random.default_rng(20261126)
    truth, sens, spec = 0.3, 0.85, 0.95
    n, n_sens, n_spec, runs = 2000, 300, 500, 2000
    apparent = truth * sens + (1 - truth) * (1 - spec)
    observed = rng.binomial(n, apparent, size=runs) / n
    sens_hat = rng.binomial(n_sens, sens, size=runs) / n_sens
    spec_hat = rng.binomial(n_spec, spec, size=runs) / n_spec
    covered = 0
    for p, se, sp in zip(observed, sens_hat, spec_hat, strict=True):
        r = rogan_gladen(p, se, sp, n_observed=n, n_sensitivity=n_sens, n_specificity=n_spec)
        covered += r.ci_low <= truth <= r.ci_high
    coverage = covered / runs
    # 2,000 runs: binomial standard error of the coverage is 0.5 %.
    assert 0.935 <= coverage <= 0.965, coverage


def test_delta_method_se_matches_the_simulated_spread():
    rng = np.random.default_rng(7)
    truth, sens, spec, n, n_sens, n_spec = 0.2, 0.9, 0.97, 5000, 400, 800
    apparent = truth * sens + (1 - truth) * (1 - spec)
    p = rng.binomial(n, apparent, 20000) / n
    s = rng.binomial(n_sens, sens, 20000) / n_sens
    c = rng.binomial(n_spec, spec, 20000) / n_spec
    simulated = np.std((p + c - 1) / (s + c - 1))
    r = rogan_gladen(apparent, sens, spec, n_observed=n, n_sensitivity=n_sens, n_specificity=n_spec)
    assert r.se == pytest.approx(simulated, rel=0.05)
    assert sps.norm.ppf(0.975) * r.se == pytest.approx((r.ci_high - r.ci_low) / 2)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((0.2, 0.5, 0.5), {}, "no better than chance"),
        ((1.2, 0.9, 0.9), {}, "p_observed"),
        ((0.2, math.nan, 0.9), {}, "sensitivity"),
        ((0.2, 0.9, 0.9), {"n_observed": 10, "se_observed": 0.1}, "not both"),
        ((0.2, 0.9, 0.9), {"n_observed": 0}, "positive"),
        ((0.2, 0.9, 0.9), {"n_sensitivity": -3}, "negative"),
        ((0.2, 0.9, 0.9), {"se_observed": -0.1}, "negative"),
        ((0.2, 0.9, 0.9), {"n_observed": 10, "level": 1.0}, "level"),
    ],
)
def test_bad_input_raises(args, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        rogan_gladen(*args, **kwargs)
