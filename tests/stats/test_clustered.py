from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from audit.errors import ValidationError
from audit.stats import clustered_diff_ci, clustered_rate_ci, newcombe_diff_ci, wilson_ci
from audit.stats.proportions import wilson_limits


def _arm(rng, n_clusters, size, rate, icc, arm, offset=0):
    total = 1 / icc - 1
    probs = rng.beta(rate * total, (1 - rate) * total, size=n_clusters)
    y = rng.random((n_clusters, size)) < probs[:, None]
    return pd.DataFrame(
        {
            "conversation": np.repeat(np.arange(n_clusters) + offset, size),
            "arm": arm,
            "push": y.ravel().astype(int),
        }
    )


def test_hand_computed_design_effects_and_interval():
    # Arm a: clusters (pushes/turns) 2/4, 0/4, 1/4; arm b: 0/2, 1/2, 0/2, 0/2.
    rows = []
    for arm, clusters in (("a", [(2, 4), (0, 4), (1, 4)]), ("b", [(0, 2), (1, 2), (0, 2), (0, 2)])):
        for i, (k, m) in enumerate(clusters):
            rows += [(f"{arm}{i}", arm, int(j < k)) for j in range(m)]
    df = pd.DataFrame(rows, columns=["conversation", "arm", "push"])
    result = clustered_diff_ci(df, "conversation", "arm", "push")
    # Arm a: r = 3/12; residuals 2-1, 0-1, 1-1 -> sum of squares 2; v = 3/2 * 2 / 144.
    v_a = 1.5 * 2 / 144
    deff_a = v_a / (0.25 * 0.75 / 12)
    # Arm b: r = 1/8; residuals -0.25, 0.75, -0.25, -0.25 -> 0.75; v = 4/3 * 0.75 / 64.
    v_b = 4 / 3 * 0.75 / 64
    deff_b = v_b / (0.125 * 0.875 / 8)
    assert result.design_effect1 == pytest.approx(deff_a)
    assert result.design_effect2 == pytest.approx(max(1.0, deff_b))
    z = 1.959963984540054
    n_a, n_b = 12 / deff_a, 8 / max(1.0, deff_b)
    l1, u1 = wilson_limits(0.25 * n_a, n_a, z)
    l2, u2 = wilson_limits(0.125 * n_b, n_b, z)
    d = 0.125
    assert result.ci_low == pytest.approx(d - math.hypot(0.25 - l1, u2 - 0.125))
    assert result.ci_high == pytest.approx(d + math.hypot(u1 - 0.25, 0.125 - l2))
    assert result.se == pytest.approx(math.sqrt(v_a + v_b))


def test_unclustered_data_is_close_to_newcombe():
    rng = np.random.default_rng(1)
    n = 500
    df = pd.DataFrame(
        {
            "conversation": np.arange(2 * n),
            "arm": ["a"] * n + ["b"] * n,
            "push": np.r_[rng.random(n) < 0.3, rng.random(n) < 0.2].astype(int),
        }
    )
    k = df.groupby("arm")["push"].sum()
    plain = newcombe_diff_ci(int(k["a"]), n, int(k["b"]), n)
    result = clustered_diff_ci(df, "conversation", "arm", "push")
    # Only the n/(n-1) small-sample factor of the sandwich variance differs.
    assert result.ci_low == pytest.approx(plain.ci_low, abs=5e-4)
    assert result.ci_high == pytest.approx(plain.ci_high, abs=5e-4)


def test_clustering_widens_and_pairing_uses_the_correlation():
    rng = np.random.default_rng(2)
    df = pd.concat([_arm(rng, 300, 8, 0.2, 0.3, "a"), _arm(rng, 300, 8, 0.2, 0.3, "b", offset=300)])
    clustered = clustered_diff_ci(df, "conversation", "arm", "push")
    naive = clustered_diff_ci(df.assign(row=np.arange(len(df))), "row", "arm", "push")
    assert clustered.design_effect1 > 1.5
    assert clustered.ci_high - clustered.ci_low > 1.4 * (naive.ci_high - naive.ci_low)
    # Matched cells sharing a propensity: positive correlation, narrower interval.
    propensity = rng.beta(0.6, 1.4, size=300)
    cells = []
    for arm in ("a", "b"):
        y = rng.random((300, 6)) < propensity[:, None]
        cells.append(
            pd.DataFrame(
                {"cell": np.repeat(np.arange(300), 6), "arm": arm, "push": y.ravel().astype(int)}
            )
        )
    matched = pd.concat(cells)
    paired = clustered_diff_ci(matched, "cell", "arm", "push")
    unpaired = clustered_diff_ci(matched, "cell", "arm", "push", paired=False)
    assert paired.paired and paired.correlation > 0.5
    assert paired.ci_high - paired.ci_low < 0.8 * (unpaired.ci_high - unpaired.ci_low)


@pytest.mark.slow
@pytest.mark.parametrize("rate", [0.01, 0.3])
def test_coverage_in_a_small_simulation(rate):
    # Seeded: 300 runs of 300 conversations x 6 turns per arm, ICC 0.1, equal rates.
    # Nominal 95 %; binomial SE of the coverage ~1.3 % (bench-scale runs give 94.6-95.3 %).
    rng = np.random.default_rng(31)
    runs, covered = 300, 0
    for _ in range(runs):
        df = pd.concat(
            [_arm(rng, 300, 6, rate, 0.1, "a"), _arm(rng, 300, 6, rate, 0.1, "b", offset=300)]
        )
        r = clustered_diff_ci(df, "conversation", "arm", "push")
        covered += r.ci_low <= 0 <= r.ci_high
    assert 0.915 <= covered / runs <= 0.98


def test_no_events_gives_a_zero_width_test_but_a_real_interval():
    df = pd.DataFrame(
        {"conversation": np.repeat(np.arange(20), 3), "arm": ["a"] * 30 + ["b"] * 30, "push": 0}
    )
    r = clustered_diff_ci(df, "conversation", "arm", "push")
    assert r.estimate == 0.0 and r.pvalue == 1.0
    assert r.ci_low < 0 < r.ci_high  # Wilson limits stay informative with zero events


def test_bad_input_raises():
    df = pd.DataFrame(
        {"conversation": [1, 2, 3, 4], "arm": ["a", "a", "b", "b"], "push": [0, 2, 1, 0]}
    )
    with pytest.raises(ValidationError, match="between 0 and 1"):
        clustered_diff_ci(df, "conversation", "arm", "push")
    with pytest.raises(ValidationError, match="empty"):
        clustered_diff_ci(df.iloc[0:0], "conversation", "arm", "push")
    with pytest.raises(ValidationError, match="level"):
        clustered_diff_ci(df, "conversation", "arm", "push", level=0)


def test_clustered_rate_hand_computed():
    # Clusters (pushes/turns): 2/4, 0/4, 1/4 -> r = 1/4, sandwich v = 3/2 * 2 / 144.
    rows = []
    for i, (k, m) in enumerate([(2, 4), (0, 4), (1, 4)]):
        rows += [(i, int(j < k)) for j in range(m)]
    df = pd.DataFrame(rows, columns=["conversation", "push"])
    r = clustered_rate_ci(df, "conversation", "push")
    v = 1.5 * 2 / 144
    deff = v / (0.25 * 0.75 / 12)
    n_eff = 12 / deff
    low, high = wilson_limits(0.25 * n_eff, n_eff, 1.959963984540054)
    assert (r.estimate, r.design_effect) == (0.25, pytest.approx(deff))
    assert (r.ci_low, r.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert r.se == pytest.approx(math.sqrt(v))


def test_clustered_rate_without_clustering_is_nearly_wilson():
    df = pd.DataFrame({"conversation": np.arange(1000), "push": np.arange(1000) % 10 == 0})
    r = clustered_rate_ci(df, "conversation", "push")
    w = wilson_ci(100, 1000)
    # Design effect = n / (n - 1) here (the sandwich's small-sample factor).
    assert r.design_effect == pytest.approx(1000 / 999)
    assert r.ci_low == pytest.approx(w.ci_low, rel=1e-3)
    assert r.ci_high == pytest.approx(w.ci_high, rel=1e-3)


def test_clustered_rate_edge_cases():
    one = pd.DataFrame({"conversation": [7, 7, 7], "push": [1, 0, 0]})
    r = clustered_rate_ci(one, "conversation", "push")
    assert r.design_effect == 1.0 and "single cluster" in r.method
    none = pd.DataFrame({"conversation": [1, 2, 3], "push": [0, 0, 0]})
    r = clustered_rate_ci(none, "conversation", "push")
    assert r.estimate == 0.0 and r.ci_low == 0.0 and 0 < r.ci_high < 1
    with pytest.raises(ValidationError, match="empty"):
        clustered_rate_ci(none.iloc[0:0], "conversation", "push")
    with pytest.raises(ValidationError, match="NaN"):
        clustered_rate_ci(none.assign(push=[0, np.nan, 1]), "conversation", "push")
    with pytest.raises(ValidationError, match="between 0 and 1"):
        clustered_rate_ci(none.assign(push=[0, 2, 1]), "conversation", "push")
