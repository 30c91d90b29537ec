from __future__ import annotations

import pytest

from audit.errors import ValidationError
from audit.stats import design_effect, power_two_proportions
from tests.stats._reference import assert_close, cases

# Reference: R power.prop.test(p1, p2, sig.level, power = 0.8, tol = 1e-12) for n, and
# power.prop.test(..., n = 100) for power (see reference/make_reference.R).
POWER = cases("power")


@pytest.mark.parametrize("case", POWER, ids=lambda c: f"{c['p1']}-{c['p2']}@{c['alpha']}")
def test_sample_size_matches_r(case):
    result = power_two_proportions(case["p1"], case["p2"], alpha=case["alpha"], power=0.8)
    assert_close(result.n, case["n_for_power_0_8"])
    assert result.power == pytest.approx(0.8)


@pytest.mark.parametrize("case", POWER, ids=lambda c: f"{c['p1']}-{c['p2']}@{c['alpha']}")
def test_power_matches_r(case):
    result = power_two_proportions(case["p1"], case["p2"], alpha=case["alpha"], n=100)
    assert_close(result.power, case["power_at_n_100"])


def test_n_per_group_rounds_up():
    result = power_two_proportions(0.5, 0.75, power=0.9)
    assert result.n_per_group == 77  # R: n = 76.7 (power.prop.test example)


def test_design_effect():
    # Kish: 1 + (m - 1) * ICC
    assert design_effect(0.1, 6) == pytest.approx(1.5)
    assert design_effect(0.0, 50) == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"p1": 0.1, "p2": 0.1, "power": 0.8}, "equal"),
        ({"p1": 0.0, "p2": 0.1, "power": 0.8}, "p1"),
        ({"p1": 0.1, "p2": 0.2}, "exactly one"),
        ({"p1": 0.1, "p2": 0.2, "power": 0.8, "n": 10}, "exactly one"),
        ({"p1": 0.1, "p2": 0.2, "power": 1.0}, "power"),
        ({"p1": 0.1, "p2": 0.2, "n": -5}, "positive"),
        ({"p1": 0.1, "p2": 0.2, "alpha": 0, "n": 5}, "alpha"),
    ],
)
def test_bad_input_raises(kwargs, message):
    with pytest.raises(ValidationError, match=message):
        power_two_proportions(**kwargs)


def test_bad_design_effect_raises():
    with pytest.raises(ValidationError):
        design_effect(1.5, 3)
    with pytest.raises(ValidationError):
        design_effect(0.1, 0)
