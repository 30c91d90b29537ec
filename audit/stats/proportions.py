"""Confidence intervals for one proportion and for a difference of two proportions."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import beta

from audit.stats import _validate as check
from audit.stats._result import Estimate


def wilson_limits(k: float, n: float, z: float) -> tuple[float, float]:
    # Score interval without continuity correction (Wilson 1927); equals R's
    # prop.test(k, n, correct = FALSE)$conf.int, which also clamps to [0, 1].
    p = k / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    low = max(0.0, (centre - half) / denominator)
    high = min(1.0, (centre + half) / denominator)
    # Exact endpoints at the boundary (rounding would otherwise leave 1e-17). k and n may be
    # non-integer "effective" counts (design-effect adjusted), hence no integer checks here.
    if k == 0:
        low = 0.0
    if k == n:
        high = 1.0
    return low, high


def wilson_ci(k: int, n: int, level: float = 0.95) -> Estimate:
    """Wilson score interval for the proportion ``k / n``."""
    k, n = check.successes("k", k, "n", n)
    level = check.level(level)
    low, high = wilson_limits(k, n, check.z_value(level))
    return Estimate(k / n, low, high, method="Wilson score interval", level=level)


def clopper_pearson_ci(k: int, n: int, level: float = 0.95) -> Estimate:
    """Clopper-Pearson ("exact") interval for ``k / n``, as R's ``binom.test``."""
    k, n = check.successes("k", k, "n", n)
    level = check.level(level)
    alpha = 1 - level
    low = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return Estimate(k / n, low, high, method="Clopper-Pearson exact interval", level=level)


@dataclass(frozen=True)
class DifferenceEstimate(Estimate):
    """A difference p1 - p2 with both proportions."""

    p1: float | None = None
    p2: float | None = None


def newcombe_diff_ci(k1: int, n1: int, k2: int, n2: int, level: float = 0.95) -> DifferenceEstimate:
    """Newcombe's hybrid score interval (1998, method 10) for ``k1/n1 - k2/n2``."""
    k1, n1 = check.successes("k1", k1, "n1", n1)
    k2, n2 = check.successes("k2", k2, "n2", n2)
    level = check.level(level)
    z = check.z_value(level)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_limits(k1, n1, z)
    l2, u2 = wilson_limits(k2, n2, z)
    difference = p1 - p2
    # Newcombe (1998) Stat Med 17:873, eq. for method 10: each limit combines the Wilson
    # half-widths on the sides of p1 and p2 that move the difference in that direction.
    below = math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    above = math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return DifferenceEstimate(
        difference,
        difference - below,
        difference + above,
        method="Newcombe hybrid score interval (method 10)",
        level=level,
        p1=p1,
        p2=p2,
    )
