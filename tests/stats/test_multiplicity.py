from __future__ import annotations

import math

import numpy as np
import pytest

from audit.errors import ValidationError
from audit.stats import adjust_pvalues
from tests.stats._reference import assert_close, cases

# Reference: R p.adjust(p, "holm") and p.adjust(p, "BH") (see reference/make_reference.R).
PADJUST = cases("padjust")


@pytest.mark.parametrize("case", PADJUST, ids=lambda c: f"{len(c['p'])}p")
@pytest.mark.parametrize("method", ["holm", "bh"])
def test_matches_r_p_adjust(case, method):
    result = adjust_pvalues(case["p"], method=method)
    assert_close(result.pvalues, case[method])
    assert result.raw == pytest.approx(case["p"])


def test_all_equal_pvalues():
    # Holm multiplies the smallest by m (capped at 1); BH leaves equal p-values unchanged.
    assert list(adjust_pvalues([0.02] * 5, "holm")) == pytest.approx([0.1] * 5)
    assert list(adjust_pvalues([0.02] * 5, "bh")) == pytest.approx([0.02] * 5)


def test_adjusted_are_never_smaller_and_never_above_one():
    rng = np.random.default_rng(3)
    p = rng.uniform(size=500) ** 4
    for method in ("holm", "bh"):
        adjusted = np.array(adjust_pvalues(p, method).pvalues)
        assert np.all(adjusted >= p - 1e-15)
        assert np.all(adjusted <= 1.0)
    # Holm controls the family-wise rate, so it is at least as conservative as BH.
    assert np.all(
        np.array(adjust_pvalues(p, "holm").pvalues)
        >= np.array(adjust_pvalues(p, "bh").pvalues) - 1e-15
    )


def test_empty_input_gives_empty_result():
    assert len(adjust_pvalues([], "holm")) == 0


def test_method_name_is_case_insensitive():
    assert adjust_pvalues([0.01, 0.04], "BH")[1] == pytest.approx(0.04)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([0.1, math.nan], "NaN"),
        ([0.1, 1.2], "between 0 and 1"),
        ([-0.1], "between"),
        (["x"], "numbers"),
    ],
)
def test_bad_pvalues_raise(values, message):
    with pytest.raises(ValidationError, match=message):
        adjust_pvalues(values)


def test_bad_method_raises():
    with pytest.raises(ValidationError, match="method"):
        adjust_pvalues([0.1], method="bonferroni")
