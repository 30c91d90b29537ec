"""audit.clustered: the clustered rate interval, the paired clustered difference, dispersion."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.clustered import clustered_diff_ci, clustered_rate_ci, dispersion
from audit.errors import ValidationError
from audit.stats import cluster_bootstrap_diff

Z95 = 1.959963984540054  # qnorm(0.975)


def wilson_by_hand(p, n, z=Z95):
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# R 4.x: qt(0.975, c(11, 3, 199, 99))
T11, T3, T199, T99 = 2.200985160091639, 3.182446305283708, 1.971956544251752, 1.984216951586417


def test_hand_computed_design_effect():
    # k = [0, 3, 1, 2] of 3 each: p = 1/2, residuals k - 1.5 = [-1.5, 1.5, -0.5, 0.5],
    # sum of squares 5, variance 4/3 * 5 / 12^2, binomial variance 0.25 / 12, so
    # deff = (20/3/144) / (0.25/12) = 2.2222..., n / deff = 5.4, times the degrees-of-freedom
    # factor (t_11 / t_3)^2 of Korn & Graubard (12 turns, 4 clusters).
    result = clustered_rate_ci([0, 3, 1, 2], [3, 3, 3, 3])
    assert result.estimate == 0.5 and (result.k, result.n, result.clusters) == (6, 12, 4)
    assert result.design_effect == pytest.approx(20 / 9)
    low, high = wilson_by_hand(0.5, 5.4 * (T11 / T3) ** 2)
    assert (result.ci_low, result.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert result.se == pytest.approx(math.sqrt(20 / 9 * 0.25 / 12))


def test_no_overdispersion_keeps_the_binomial_variance():
    # 15 clusters with 1 push of 2 turns and 85 with none: less spread than binomial, so the
    # design effect is floored at 1; only the degrees-of-freedom factor (t_199 / t_99)^2
    # narrows n. Without it, the interval is R's:
    # prop.test(15, 200, correct = FALSE)$conf.int = 0.0459749171844 0.1200436102363
    k = [1] * 15 + [0] * 85
    result = clustered_rate_ci(k, [2] * 100)
    assert result.design_effect == 1.0
    low, high = wilson_by_hand(0.075, 200 * (T199 / T99) ** 2)
    assert (result.ci_low, result.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert wilson_by_hand(0.075, 200) == (
        pytest.approx(0.0459749171844, rel=1e-9),
        pytest.approx(0.1200436102363, rel=1e-9),
    )
    assert result.ci_low < 0.0459749171844 and result.ci_high > 0.1200436102363


def test_singletons_are_wilson_at_n_minus_one():
    # One turn per cluster: deff = C / (C - 1) exactly and the t factor is 1 (n = clusters).
    result = clustered_rate_ci([1] * 15 + [0] * 185, [1] * 200)
    assert result.design_effect == pytest.approx(200 / 199)
    low, high = wilson_by_hand(0.075, 199)
    assert (result.ci_low, result.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_edges():
    assert clustered_rate_ci([0, 0], [3, 2]).ci_low == 0.0
    assert clustered_rate_ci([3, 2], [3, 2]).ci_high == 1.0
    empty = clustered_rate_ci([0], [0])
    assert empty.estimate is None and empty.n == 0
    one = clustered_rate_ci([1], [4])
    assert one.design_effect == 1.0 and one.ci_low < 0.25 < one.ci_high


@pytest.mark.parametrize(
    ("k", "m", "message"),
    [
        ([1, 2], [3], "differ in length"),
        ([4], [3], "must not exceed"),
        ([-1], [3], "negative"),
        ([float("nan")], [3], "NaN"),
    ],
)
def test_bad_input(k, m, message):
    with pytest.raises(ValidationError, match=message):
        clustered_rate_ci(k, m)


def test_bad_level():
    with pytest.raises(ValidationError, match="level"):
        clustered_rate_ci([1], [2], level=1.5)


def beta_binomial(rng, p, icc, clusters, m):
    concentration = 1 / icc - 1
    return rng.binomial(m, rng.beta(p * concentration, (1 - p) * concentration, clusters))


def test_dispersion_estimates_the_design_effect():
    rng = np.random.default_rng(1)
    k = beta_binomial(rng, 0.3, 0.1, 20000, 3)
    # Kish: 1 + (m - 1) ICC = 1.2 for clusters of 3 with ICC 0.1.
    assert dispersion(k, np.full(k.size, 3), np.zeros(k.size)) == pytest.approx(1.2, abs=0.05)
    independent = rng.binomial(3, 0.3, 20000)
    assert dispersion(independent, np.full(20000, 3), np.zeros(20000)) < 1.05
    # Group rates are removed: two groups with very different rates, no clustering.
    groups = np.repeat([0, 1], 10000)
    mixed = rng.binomial(3, np.where(groups == 0, 0.05, 0.6))
    assert dispersion(mixed, np.full(20000, 3), groups) < 1.05


def test_paired_difference_agrees_with_the_cluster_bootstrap():
    rng = np.random.default_rng(2)
    cells = 400
    shared = rng.beta(2, 6, cells)  # a cell's own tendency, common to both arms
    rows = []
    for arm, shift in (("a", 0.1), ("b", 0.0)):
        k = rng.binomial(3, np.clip(shared + shift, 0, 1))
        for cell, events in enumerate(k):
            rows += [(cell, arm, int(t < events)) for t in range(3)]
    df = pd.DataFrame(rows, columns=["cell", "arm", "push"])
    sums = df.groupby(["cell", "arm"])["push"].agg(["sum", "count"]).unstack("arm")
    result = clustered_diff_ci(
        sums["sum"]["a"], sums["count"]["a"], sums["sum"]["b"], sums["count"]["b"]
    )
    boot = cluster_bootstrap_diff(df, "cell", "arm", "push", n_boot=2000, seed=0, arms=("a", "b"))
    assert result.estimate == pytest.approx(boot.estimate)
    assert result.se == pytest.approx(boot.se, rel=0.1)
    assert result.ci_low < result.estimate < result.ci_high
    # Pairing matters: treating the arms as independent would give a larger variance here.
    rate_a = clustered_rate_ci(sums["sum"]["a"], sums["count"]["a"]).se
    rate_b = clustered_rate_ci(sums["sum"]["b"], sums["count"]["b"]).se
    assert result.se < math.hypot(rate_a, rate_b)


def test_difference_edges():
    assert clustered_diff_ci([0], [0], [1], [2]).estimate is None
    single = clustered_diff_ci([1], [2], [0], [2])
    assert single.estimate == 0.5 and single.ci_low is None
    with pytest.raises(ValidationError, match="same length"):
        clustered_diff_ci([1], [2], [0, 1], [2, 2])


@st.composite
def clusters(draw):
    sizes = draw(st.lists(st.integers(0, 6), min_size=1, max_size=30))
    events = [draw(st.integers(0, size)) for size in sizes]
    return events, sizes


@settings(max_examples=200, deadline=None)
@given(clusters())
def test_interval_properties(data):
    events, sizes = data
    result = clustered_rate_ci(events, sizes)
    if sum(sizes) == 0:
        assert result.estimate is None
        return
    assert result.estimate == pytest.approx(sum(events) / sum(sizes))
    assert 0.0 <= result.ci_low <= result.estimate <= result.ci_high <= 1.0
    assert result.design_effect >= 1.0
    # Never narrower than Wilson with every turn independent.
    low, high = wilson_by_hand(result.estimate, sum(sizes))
    assert result.ci_low <= low + 1e-12 and result.ci_high >= high - 1e-12
