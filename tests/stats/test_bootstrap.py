from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from audit.errors import ValidationError
from audit.stats import cluster_bootstrap_diff


def _clustered(rng, n_clusters, size, rate, icc, arm, offset=0):
    """Binary outcomes in clusters: cluster probabilities ~ Beta with the requested ICC
    (for a beta-binomial, ICC = 1 / (a + b + 1))."""
    if icc > 0:
        total = 1 / icc - 1
        probs = rng.beta(rate * total, (1 - rate) * total, size=n_clusters)
    else:
        probs = np.full(n_clusters, rate)
    sizes = np.full(n_clusters, size) if np.isscalar(size) else size
    cluster = np.repeat(np.arange(n_clusters) + offset, sizes)
    outcome = rng.random(cluster.size) < np.repeat(probs, sizes)
    return pd.DataFrame({"conversation": cluster, "arm": arm, "push": outcome.astype(int)})


def _two_arms(seed, n_clusters=200, size=6, rates=(0.3, 0.2), icc=0.1):
    rng = np.random.default_rng(seed)
    a = _clustered(rng, n_clusters, size, rates[0], icc, "a")
    b = _clustered(rng, n_clusters, size, rates[1], icc, "b", offset=n_clusters)
    return pd.concat([a, b], ignore_index=True)


def test_estimate_is_the_difference_of_row_rates():
    df = _two_arms(1)
    result = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=500, seed=1)
    rates = df.groupby("arm")["push"].mean()
    assert result.estimate == pytest.approx(rates["a"] - rates["b"])
    assert result.rate1 == pytest.approx(rates["a"])
    assert result.arms == ("a", "b")
    assert result.n_clusters == (200, 200)
    assert not result.paired
    assert result.ci_low < result.estimate < result.ci_high


def test_hand_computed_bootstrap_standard_error_with_equal_cluster_sizes():
    # With equal cluster sizes the arm rate is the mean of the cluster means, so the ideal
    # bootstrap variance of the difference is sum over arms of var0(cluster means) / C
    # (population variance, ddof = 0). Cluster means here are written out by hand.
    means_a = [0.0, 0.25, 0.5, 0.75, 1.0, 0.5, 0.25, 0.75]
    means_b = [0.0, 0.0, 0.25, 0.5, 0.25, 0.0, 0.25, 0.75]
    rows = []
    for arm, means in (("a", means_a), ("b", means_b)):
        for i, m in enumerate(means):
            pushes = round(m * 4)
            rows += [(f"{arm}{i}", arm, int(j < pushes)) for j in range(4)]
    df = pd.DataFrame(rows, columns=["conversation", "arm", "push"])
    expected_se = math.sqrt(np.var(means_a) / 8 + np.var(means_b) / 8)
    result = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=40_000, seed=3)
    assert result.estimate == pytest.approx(np.mean(means_a) - np.mean(means_b))
    # Monte Carlo error of an SD from 40,000 replicates is about 0.4 %.
    assert result.se == pytest.approx(expected_se, rel=0.015)


def test_one_row_per_cluster_reduces_to_the_binomial_standard_error():
    rng = np.random.default_rng(4)
    n = 400
    df = pd.DataFrame(
        {
            "conversation": np.arange(2 * n),
            "arm": ["a"] * n + ["b"] * n,
            "push": np.r_[rng.random(n) < 0.3, rng.random(n) < 0.2].astype(int),
        }
    )
    p = df.groupby("arm")["push"].mean()
    expected = math.sqrt(p["a"] * (1 - p["a"]) / n + p["b"] * (1 - p["b"]) / n)
    result = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=20_000, seed=5)
    assert result.se == pytest.approx(expected, rel=0.02)


def test_interval_widens_with_intra_cluster_correlation():
    widths = {}
    for icc in (0.0, 0.3):
        df = _two_arms(11, n_clusters=300, size=8, icc=icc)
        r = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=2000, seed=0)
        widths[icc] = r.ci_high - r.ci_low
    # Design effect 1 + (8 - 1) * 0.3 = 3.1, so the width grows by about sqrt(3.1) = 1.76.
    assert widths[0.3] > 1.4 * widths[0.0]


def test_clustered_interval_is_wider_than_a_naive_row_bootstrap():
    df = _two_arms(12, n_clusters=300, size=8, icc=0.3)
    clustered = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=2000, seed=0)
    naive_df = df.assign(row=np.arange(len(df)))
    naive = cluster_bootstrap_diff(naive_df, "row", "arm", "push", n_boot=2000, seed=0)
    assert clustered.se > 1.4 * naive.se


def test_pairing_is_detected_and_narrows_the_interval_for_correlated_cells():
    # The same cell under both arms shares a cell-level propensity: pairing removes it.
    rng = np.random.default_rng(21)
    cells = 300
    propensity = rng.beta(0.6, 1.4, size=cells)
    rows = []
    for arm, shift in (("a", 0.05), ("b", 0.0)):
        probs = np.clip(propensity + shift, 0, 1)
        outcome = rng.random((cells, 6)) < probs[:, None]
        rows.append(
            pd.DataFrame(
                {
                    "cell": np.repeat(np.arange(cells), 6),
                    "arm": arm,
                    "push": outcome.ravel().astype(int),
                }
            )
        )
    df = pd.concat(rows, ignore_index=True)
    paired = cluster_bootstrap_diff(df, "cell", "arm", "push", n_boot=2000, seed=2)
    assert paired.paired
    unpaired = cluster_bootstrap_diff(df, "cell", "arm", "push", n_boot=2000, seed=2, paired=False)
    assert not unpaired.paired
    assert paired.estimate == pytest.approx(unpaired.estimate)
    assert paired.se < 0.8 * unpaired.se


def test_percentile_and_bca_agree_on_a_symmetric_large_sample():
    df = _two_arms(13, n_clusters=500, rates=(0.5, 0.5), icc=0.05)
    bca = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=4000, seed=1, ci="bca")
    pct = cluster_bootstrap_diff(
        df, "conversation", "arm", "push", n_boot=4000, seed=1, ci="percentile"
    )
    assert bca.ci_method == "bca" and pct.ci_method == "percentile"
    assert bca.ci_low == pytest.approx(pct.ci_low, abs=0.1 * bca.se)
    assert bca.ci_high == pytest.approx(pct.ci_high, abs=0.1 * bca.se)


def test_pvalue_agrees_with_the_interval():
    for seed, rates in ((1, (0.3, 0.2)), (2, (0.25, 0.24)), (3, (0.2, 0.2))):
        df = _two_arms(seed, rates=rates)
        r = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=2000, seed=seed)
        excludes_zero = r.ci_low > 0 or r.ci_high < 0
        assert (r.pvalue < 0.05) == excludes_zero, (r.pvalue, r.ci_low, r.ci_high)


def test_same_seed_same_result_and_arms_order():
    df = _two_arms(14)
    first = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=300, seed=9)
    again = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=300, seed=9)
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
    flipped = cluster_bootstrap_diff(
        df, "conversation", "arm", "push", n_boot=300, seed=9, arms=("b", "a")
    )
    assert flipped.estimate == pytest.approx(-first.estimate)


def test_no_events_at_all_gives_a_degenerate_interval():
    df = _two_arms(15, rates=(0.0, 0.0), icc=0.0)
    r = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=200, seed=0)
    assert r.estimate == r.ci_low == r.ci_high == 0.0
    assert r.pvalue == 1.0


@pytest.mark.slow
def test_coverage_of_the_primary_interval_in_a_small_simulation():
    # Seeded: 300 simulated runs, 120 conversations of 6 turns per arm, ICC 0.1, true
    # difference 0.1 - 0.1 = 0. Nominal 95 %; the binomial SE of the coverage is 1.3 %.
    rng = np.random.default_rng(99)
    covered = 0
    runs = 300
    for _ in range(runs):
        a = _clustered(rng, 120, 6, 0.1, 0.1, "a")
        b = _clustered(rng, 120, 6, 0.1, 0.1, "b", offset=120)
        df = pd.concat([a, b], ignore_index=True)
        r = cluster_bootstrap_diff(
            df, "conversation", "arm", "push", n_boot=500, seed=int(rng.integers(1 << 30))
        )
        covered += r.ci_low <= 0.0 <= r.ci_high
    assert 0.91 <= covered / runs <= 0.985


@pytest.mark.parametrize(
    ("mutate", "kwargs", "message"),
    [
        (lambda df: df.iloc[0:0], {}, "empty"),
        (lambda df: df.drop(columns="push"), {}, "outcome column"),
        (lambda df: df.assign(push=df["push"].astype(float).where(df.index != 3)), {}, "NaN"),
        (lambda df: df[df["arm"] == "a"], {}, "exactly two arms"),
        (lambda df: df, {"arms": ("a", "c")}, "no rows"),
        (lambda df: df, {"n_boot": 10}, "n_boot"),
        (lambda df: df, {"level": 1.5}, "level"),
        (lambda df: df, {"ci": "student"}, "ci"),
        (lambda df: df.assign(push="x"), {}, "numeric"),
        (
            lambda df: df[(df["arm"] == "a") | (df["conversation"] == df["conversation"].max())],
            {},
            "fewer than 2 clusters",
        ),
    ],
)
def test_bad_input_raises(mutate, kwargs, message):
    df = mutate(_two_arms(16, n_clusters=20))
    with pytest.raises(ValidationError, match=message):
        cluster_bootstrap_diff(df, "conversation", "arm", "push", **{"n_boot": 200, **kwargs})


def test_not_a_dataframe_raises():
    with pytest.raises(ValidationError, match="DataFrame"):
        cluster_bootstrap_diff({"a": [1]}, "conversation", "arm", "push")


def test_packed_integer_sums_equal_float_sums():
    # Whole-number outcomes take a packed int64 path; halved outcomes take the float path.
    # With the same seed the resampled clusters are identical, so replicates halve exactly.
    df = _two_arms(17, n_clusters=150)
    whole = cluster_bootstrap_diff(df, "conversation", "arm", "push", n_boot=400, seed=4)
    halved = cluster_bootstrap_diff(
        df.assign(push=df["push"] * 0.5), "conversation", "arm", "push", n_boot=400, seed=4
    )
    np.testing.assert_allclose(halved.replicates, whole.replicates / 2, rtol=1e-12, atol=1e-15)
    for paired_df in (df.assign(conversation=df["conversation"] % 150),):
        a = cluster_bootstrap_diff(paired_df, "conversation", "arm", "push", n_boot=400, seed=4)
        b = cluster_bootstrap_diff(
            paired_df.assign(push=paired_df["push"] * 0.5),
            "conversation",
            "arm",
            "push",
            n_boot=400,
            seed=4,
        )
        assert a.paired and b.paired
        np.testing.assert_allclose(b.replicates, a.replicates / 2, rtol=1e-12, atol=1e-15)


def test_to_dict_is_json_ready_and_leaves_out_replicates():
    import json

    r = cluster_bootstrap_diff(
        _two_arms(18, n_clusters=30), "conversation", "arm", "push", n_boot=200
    )
    payload = json.loads(json.dumps(r.to_dict()))
    assert "replicates" not in payload
    assert payload["arms"] == ["a", "b"] and payload["n_boot"] == 200
