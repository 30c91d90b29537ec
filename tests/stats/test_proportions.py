from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.errors import ValidationError
from audit.stats import clopper_pearson_ci, newcombe_diff_ci, wilson_ci
from tests.stats._reference import assert_close, cases

# Reference: R prop.test(k, n, correct = FALSE)$conf.int (Wilson) and binom.test()$conf.int
# (Clopper-Pearson), see reference/make_reference.R.
PROPORTIONS = cases("proportions")
NEWCOMBE = cases("newcombe")


@pytest.mark.parametrize("case", PROPORTIONS, ids=lambda c: f"{c['k']}/{c['n']}@{c['level']}")
def test_wilson_matches_r_prop_test(case):
    result = wilson_ci(case["k"], case["n"], level=case["level"])
    assert_close([result.ci_low, result.ci_high], case["wilson"])
    assert result.estimate == case["k"] / case["n"]


@pytest.mark.parametrize("case", PROPORTIONS, ids=lambda c: f"{c['k']}/{c['n']}@{c['level']}")
def test_clopper_pearson_matches_r_binom_test(case):
    result = clopper_pearson_ci(case["k"], case["n"], level=case["level"])
    assert_close([result.ci_low, result.ci_high], case["clopper_pearson"])


@pytest.mark.parametrize("case", NEWCOMBE, ids=lambda c: f"{c['k1']}/{c['n1']}-{c['k2']}/{c['n2']}")
def test_newcombe_matches_independent_r_code(case):
    result = newcombe_diff_ci(case["k1"], case["n1"], case["k2"], case["n2"], level=case["level"])
    assert_close([result.ci_low, result.ci_high], case["ci"])
    assert result.estimate == pytest.approx(case["k1"] / case["n1"] - case["k2"] / case["n2"])


@pytest.mark.parametrize("case", [c for c in NEWCOMBE if isinstance(c["published"], list)])
def test_newcombe_matches_published_table(case):
    # Newcombe (1998) Stat Med 17:873, Table II, method 10, printed to 4 decimals.
    result = newcombe_diff_ci(case["k1"], case["n1"], case["k2"], case["n2"])
    assert result.ci_low == pytest.approx(case["published"][0], abs=5e-5)
    assert result.ci_high == pytest.approx(case["published"][1], abs=5e-5)


def test_the_briefs_example_is_reproduced():
    result = newcombe_diff_ci(56, 70, 48, 80)
    assert round(result.ci_low, 4) == 0.0524
    assert round(result.ci_high, 4) == 0.3339


def test_interval_contains_estimate_and_stays_in_unit_interval():
    for k, n in [(0, 1), (1, 1), (0, 5), (5, 5), (2, 7)]:
        for f in (wilson_ci, clopper_pearson_ci):
            r = f(k, n)
            assert 0.0 <= r.ci_low <= r.estimate <= r.ci_high <= 1.0


def test_results_are_frozen():
    r = wilson_ci(1, 2)
    with pytest.raises(AttributeError):
        r.estimate = 0.3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 10), "negative"),
        ((11, 10), "must not exceed"),
        ((0, 0), "positive"),
        ((1.5, 10), "whole number"),
        ((math.nan, 10), "finite"),
        (("3", 10), "whole number"),
    ],
)
def test_bad_counts_raise_validation_error(args, message):
    for f in (wilson_ci, clopper_pearson_ci):
        with pytest.raises(ValidationError, match=message):
            f(*args)


@pytest.mark.parametrize("level", [0, 1, -0.5, 1.5, math.nan])
def test_bad_level_raises(level):
    with pytest.raises(ValidationError, match="level"):
        wilson_ci(1, 10, level=level)
    with pytest.raises(ValidationError, match="level"):
        newcombe_diff_ci(1, 10, 2, 10, level=level)


def test_newcombe_validates_both_groups():
    with pytest.raises(ValidationError, match="k2"):
        newcombe_diff_ci(1, 10, 11, 10)


@st.composite
def _k_n(draw):
    n = draw(st.integers(min_value=1, max_value=100_000))
    return draw(st.integers(min_value=0, max_value=n)), n


@settings(max_examples=80, deadline=None)
@given(_k_n(), st.floats(min_value=0.5, max_value=0.999))
def test_intervals_contain_the_estimate_and_nest_by_level(kn, level):
    k, n = kn
    for f in (wilson_ci, clopper_pearson_ci):
        narrow, wide = f(k, n, level=level * 0.9), f(k, n, level=level)
        assert 0.0 <= wide.ci_low <= narrow.ci_low <= k / n <= narrow.ci_high <= wide.ci_high <= 1.0


@settings(max_examples=80, deadline=None)
@given(_k_n(), _k_n())
def test_newcombe_is_antisymmetric_and_bounded(first, second):
    (k1, n1), (k2, n2) = first, second
    forward = newcombe_diff_ci(k1, n1, k2, n2)
    backward = newcombe_diff_ci(k2, n2, k1, n1)
    assert -1.0 <= forward.ci_low <= forward.estimate <= forward.ci_high <= 1.0
    assert forward.ci_low == pytest.approx(-backward.ci_high, abs=1e-12)
    assert forward.ci_high == pytest.approx(-backward.ci_low, abs=1e-12)
