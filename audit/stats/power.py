"""Sample size and power for comparing two proportions, and the design effect of clustering."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as sps
from scipy.optimize import brentq

from audit.errors import ValidationError
from audit.stats import _validate as check


@dataclass(frozen=True)
class PowerResult:
    """``n`` is per group (not rounded up; use ``n_per_group`` for a whole number)."""

    n: float
    power: float
    p1: float
    p2: float
    alpha: float
    method: str

    @property
    def n_per_group(self) -> int:
        return math.ceil(self.n - 1e-9)


def _power(n: float, p1: float, p2: float, alpha: float) -> float:
    # R's power.prop.test (two-sided, strict = FALSE):
    # pnorm((sqrt(n)|p1-p2| - z_{1-a/2} sqrt((p1+p2)(1-(p1+p2)/2))) / sqrt(p1 q1 + p2 q2))
    z = sps.norm.isf(alpha / 2)
    numerator = math.sqrt(n) * abs(p1 - p2) - z * math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2))
    return float(sps.norm.cdf(numerator / math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))))


def power_two_proportions(
    p1: float, p2: float, alpha: float = 0.05, power: float | None = None, n: float | None = None
) -> PowerResult:
    """Solve for the per-group ``n`` (given ``power``) or the ``power`` (given ``n``) of the
    two-sided test of two proportions, as R's ``power.prop.test``."""
    p1 = check.probability("p1", p1, open_interval=True)
    p2 = check.probability("p2", p2, open_interval=True)
    alpha = check.probability("alpha", alpha, open_interval=True)
    if (power is None) == (n is None):
        raise ValidationError("give exactly one of power and n")
    if p1 == p2:
        raise ValidationError("p1 and p2 are equal: there is no effect to detect")
    method = "two-sample comparison of proportions (normal approximation, power.prop.test)"
    if n is not None:
        size = check.real("n", n)
        if size <= 0:
            raise ValidationError(f"n must be positive, got {size}")
        return PowerResult(size, _power(size, p1, p2, alpha), p1, p2, alpha, method)
    target = check.probability("power", power, open_interval=True)
    # Power rises monotonically in n; bracket the root by doubling, then solve to machine
    # precision (R's uniroot stops at a looser tolerance by default).
    low, high = 1e-9, 2.0
    while _power(high, p1, p2, alpha) < target:
        low, high = high, high * 2
        if high > 1e15:
            raise ValidationError("the requested power cannot be reached")
    if _power(low, p1, p2, alpha) >= target:
        return PowerResult(low, _power(low, p1, p2, alpha), p1, p2, alpha, method)
    size = brentq(lambda x: _power(x, p1, p2, alpha) - target, low, high, xtol=1e-12, rtol=1e-15)
    return PowerResult(float(size), target, p1, p2, alpha, method)


def design_effect(icc: float, cluster_size: float) -> float:
    """Kish's design effect 1 + (m - 1) * ICC for clusters of (average) size m."""
    rho = check.probability("icc", icc)
    m = check.real("cluster_size", cluster_size)
    if m < 1:
        raise ValidationError(f"cluster_size must be at least 1, got {m}")
    return 1.0 + (m - 1.0) * rho
