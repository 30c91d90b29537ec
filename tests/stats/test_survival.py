from __future__ import annotations

import math

import numpy as np
import pytest

from audit.errors import ValidationError
from audit.stats import kaplan_meier, logrank_test
from tests.stats._reference import assert_close, cases

# Reference: R survival::survfit(Surv(t, e) ~ 1, conf.type = "log-log"), quantile(fit, 0.5)
# and survival::survdiff (see reference/make_reference.R).
KM = cases("kaplan_meier")
LOGRANK = cases("logrank")


@pytest.mark.parametrize("case", KM, ids=lambda c: f"n={len(c['times'])}")
def test_kaplan_meier_matches_r_survfit(case):
    result = kaplan_meier(case["times"], case["events"])
    assert_close(result.time, case["time"])
    assert_close(result.n_risk, case["n_risk"])
    assert_close(result.n_event, case["n_event"])
    assert_close(result.surv, case["surv"])
    assert_close(result.std_err, case["std_err"])
    assert_close(result.lower, case["lower"])
    assert_close(result.upper, case["upper"])


@pytest.mark.parametrize("case", KM, ids=lambda c: f"n={len(c['times'])}")
def test_median_matches_r_quantile_survfit(case):
    result = kaplan_meier(case["times"], case["events"])
    assert_close(
        [result.estimate, result.ci_low, result.ci_high],
        [case["median"], case["median_low"], case["median_high"]],
    )


def test_flat_half_gives_midpoint_median():
    # S = 0.5 exactly between t = 2 and t = 3: the median is the midpoint (R's convention).
    assert kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]).estimate == 2.5


def test_large_sample_is_fast_and_consistent():
    # 100,000 exponential times, no censoring: S(t) is the empirical survival function.
    rng = np.random.default_rng(5)
    times = np.ceil(rng.exponential(5.0, size=100_000))
    result = kaplan_meier(times, np.ones_like(times))
    empirical = np.array([(times > t).mean() for t in result.time])
    assert_close(result.surv, empirical, rtol=1e-9, atol=1e-12)
    assert result.ci_low <= result.estimate <= result.ci_high


@pytest.mark.parametrize("case", LOGRANK, ids=lambda c: f"n={len(c['times'])}")
def test_logrank_matches_r_survdiff(case):
    result = logrank_test(case["times"], case["events"], case["groups"])
    assert_close(result.statistic, case["statistic"])
    assert_close(result.pvalue, case["pvalue"])
    assert result.df == case["df"]
    # R orders groups by factor level, i.e. sorted, as we do.
    assert_close(result.observed, case["observed"])
    assert_close(result.expected, case["expected"])


def test_logrank_identical_groups_give_no_evidence():
    times = [1, 2, 3, 4, 1, 2, 3, 4]
    events = [1, 1, 0, 1, 1, 1, 0, 1]
    result = logrank_test(times, events, ["a"] * 4 + ["b"] * 4)
    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.pvalue == pytest.approx(1.0)


def test_logrank_without_events():
    result = logrank_test([1, 2, 3, 4], [0, 0, 0, 0], [0, 0, 1, 1])
    assert result.pvalue == 1.0


@pytest.mark.parametrize(
    ("times", "events", "message"),
    [
        ([], [], "empty"),
        ([1, 2], [1], "differ"),
        ([1, -2], [1, 1], "negative"),
        ([1, math.nan], [1, 1], "NaN"),
        ([1, 2], [1, 2], "0 \\(censored\\) or 1"),
    ],
)
def test_bad_survival_data_raises(times, events, message):
    with pytest.raises(ValidationError, match=message):
        kaplan_meier(times, events)


def test_logrank_needs_two_groups():
    with pytest.raises(ValidationError, match="two groups"):
        logrank_test([1, 2], [1, 1], ["a", "a"])
    with pytest.raises(ValidationError, match="differ"):
        logrank_test([1, 2], [1, 1], ["a"])


def _expand(counts):
    rows = [(c["t"], c["e"], c["g"], int(c["count"])) for c in counts]
    n = [r[3] for r in rows]
    return (
        np.repeat([r[0] for r in rows], n),
        np.repeat([r[1] for r in rows], n),
        np.repeat([r[2] for r in rows], n),
    )


def test_100k_observations_match_r():
    # About 100,000 tied observations (15 distinct times); reference from survfit/survdiff.
    (case,) = cases("survival_100k")
    times, events, groups = _expand(case["counts"])
    assert times.size == case["n"]
    km = kaplan_meier(times, events)
    assert_close(km.time, case["time"])
    assert_close(km.n_risk, case["n_risk"])
    assert_close(km.surv, case["surv"])
    assert_close(km.std_err, case["std_err"])
    assert_close(km.lower, case["lower"])
    assert_close(km.upper, case["upper"])
    assert_close(
        [km.estimate, km.ci_low, km.ci_high],
        [case["median"], case["median_low"], case["median_high"]],
    )
    lr = logrank_test(times, events, groups)
    assert_close(lr.statistic, case["logrank_statistic"])
    assert_close(lr.pvalue, case["logrank_pvalue"])
    assert_close(lr.observed, case["observed"])
    assert_close(lr.expected, case["expected"])
