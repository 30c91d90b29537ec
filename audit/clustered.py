"""A proportion whose observations are clustered (turns within conversations), with its interval.

The primary endpoint, pushes per help turn, counts turns; but turns of one conversation share
the bot's state, so they are not independent and a plain Wilson interval would be too narrow.
``clustered_rate_ci`` uses the ratio estimator sum(k_i) / sum(m_i) over clusters, estimates its
variance by linearisation (the cluster-robust "sandwich" variance of a ratio, Cochran 1977,
Sampling Techniques, eq. 6.13 with the finite-population factor dropped), turns it into a design
effect and applies Wilson's score interval at the effective sample size n / deff, with Korn &
Graubard's degrees-of-freedom factor (t_{n-1} / t_{clusters-1})^2 (1998, Survey Methodology
24:193; as R survey's ``svyciprop``). Unlike a cluster bootstrap
it stays well-behaved for rare events (a few pushes in thousands of turns), and it costs a few
numpy sums, so it is used for every per-arm, per-domain and per-persona rate.

``bench/ci_coverage.py`` checks its coverage by simulation against this very function.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from audit.errors import ValidationError
from audit.stats import _validate as check

METHOD = "Wilson score interval at the cluster-adjusted effective sample size (Korn-Graubard)"


@dataclass(frozen=True)
class ClusteredRate:
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    k: int
    n: int
    clusters: int
    design_effect: float
    se: float | None = None  # standard error of the estimate, design effect included
    method: str = METHOD


def clustered_rate_ci(k, m, level: float = 0.95) -> ClusteredRate:
    """Rate sum(k) / sum(m) over clusters with ``k[i]`` events in ``m[i]`` trials.

    Clusters with ``m[i] == 0`` carry nothing and are ignored. With no trials at all the estimate
    and interval are None (an arm or level without help turns has no rate).
    """
    level = check.level(level)
    k = np.asarray(k, dtype=float).ravel()
    m = np.asarray(m, dtype=float).ravel()
    if k.shape != m.shape:
        raise ValidationError(f"k ({k.size}) and m ({m.size}) differ in length")
    if not (np.all(np.isfinite(k)) and np.all(np.isfinite(m))):
        raise ValidationError("k and m must not contain NaN or infinite values")
    if np.any(k < 0) or np.any(m < 0):
        raise ValidationError("k and m must not be negative")
    if np.any(k > m):
        raise ValidationError("k must not exceed m in any cluster")
    used = m > 0
    k, m = k[used], m[used]
    total_k, total_n, clusters = float(k.sum()), float(m.sum()), int(k.size)
    if total_n == 0:
        return ClusteredRate(None, None, None, 0, 0, 0, 1.0, None)
    p = total_k / total_n
    deff = _design_effect(k, m, p, total_n)
    z = check.z_value(level)
    low, high = _wilson(p, _effective_n(total_n, deff, clusters, level), z)
    if total_k == 0:
        low = 0.0
    if total_k == total_n:
        high = 1.0
    se = math.sqrt(deff * p * (1.0 - p) / total_n)
    return ClusteredRate(p, low, high, int(total_k), int(total_n), clusters, deff, se)


def _effective_n(total_n: float, deff: float, clusters: int, level: float) -> float:
    """n / deff, scaled by (t_{n-1} / t_{clusters-1})^2 for the few degrees of freedom of a
    variance estimated from clusters (Korn & Graubard 1998; as R survey's svyciprop)."""
    if clusters < 2 or total_n < 2:
        return total_n / deff
    tail = (1.0 + level) / 2.0
    ratio = student_t.ppf(tail, total_n - 1) / student_t.ppf(tail, clusters - 1)
    return float(total_n / deff * ratio * ratio)


def _design_effect(k: np.ndarray, m: np.ndarray, p: float, total_n: float) -> float:
    clusters = k.size
    if clusters < 2 or p <= 0.0 or p >= 1.0:
        return 1.0
    residual = k - p * m
    variance = clusters / (clusters - 1) * float(np.sum(residual * residual)) / total_n**2
    binomial = p * (1.0 - p) / total_n
    # A design effect below 1 (less spread than binomial) is mostly noise at these sizes and
    # would narrow the interval below Wilson's; keep Wilson as the floor.
    return max(1.0, variance / binomial)


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    z2 = z * z
    centre = p + z2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    low = max(0.0, float((centre - half) / denominator))
    return low, min(1.0, float((centre + half) / denominator))


DIFF_METHOD = "cluster-robust (linearised) difference of rates, paired by cluster, Wald interval"


@dataclass(frozen=True)
class ClusteredDiff:
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    se: float | None
    clusters: int
    method: str = DIFF_METHOD


def clustered_diff_ci(k_a, m_a, k_b, m_b, level: float = 0.95) -> ClusteredDiff:
    """rate_a - rate_b, each a ratio sum(k) / sum(m), over clusters observed under both arms.

    Row ``i`` of the four arrays is one cluster (a scenario cell) with ``k_a[i]`` events in
    ``m_a[i]`` trials under arm a and likewise under arm b (zeros where a cell has no trial
    under an arm). The variance is the linearised (sandwich) variance of the difference of the
    two ratio estimators with the cluster as the unit, so the pairing of the arms within a
    cell and the clustering of trials are both accounted for, at the cost of four sums: the
    secondary endpoints use it where a bootstrap per endpoint would be too slow.
    """
    level = check.level(level)
    arrays = [np.asarray(v, dtype=float).ravel() for v in (k_a, m_a, k_b, m_b)]
    if len({a.size for a in arrays}) != 1:
        raise ValidationError("k_a, m_a, k_b and m_b must have the same length")
    if not all(np.all(np.isfinite(a)) and np.all(a >= 0) for a in arrays):
        raise ValidationError("counts must be finite and non-negative")
    ka, ma, kb, mb = arrays
    if np.any(ka > ma) or np.any(kb > mb):
        raise ValidationError("events must not exceed trials in any cluster")
    na, nb = ma.sum(), mb.sum()
    if na == 0 or nb == 0:
        return ClusteredDiff(None, None, None, None, 0)
    pa, pb = ka.sum() / na, kb.sum() / nb
    used = (ma + mb) > 0
    clusters = int(used.sum())
    z_i = (ka[used] - pa * ma[used]) / na - (kb[used] - pb * mb[used]) / nb
    estimate = float(pa - pb)
    if clusters < 2:
        return ClusteredDiff(estimate, None, None, None, clusters)
    se = math.sqrt(clusters / (clusters - 1) * float(np.sum(z_i * z_i)))
    half = check.z_value(level) * se
    return ClusteredDiff(
        estimate, max(-1.0, estimate - half), min(1.0, estimate + half), se, clusters
    )


def dispersion(k, m, groups) -> float:
    """Overdispersion of clustered binary counts around their group rates (floored at 1).

    ``k[i]`` events in ``m[i]`` trials for cluster ``i`` of group ``groups[i]`` (e.g. a
    conversation in a scenario x arm stratum). The Pearson ratio
    sum (k_i - p_g m_i)^2 / sum p_g (1 - p_g) m_i, scaled by clusters / (clusters - groups), is
    the quasi-binomial dispersion: the variance inflation of the stratum counts that clustering
    causes. Dividing a Mantel-Haenszel chi-square by it is the first-order Rao-Scott correction
    for clustered data (Rao & Scott 1992, Biometrics 48:577; Donald & Donner 1987, Stat Med
    6:491 adjust the same statistic by stratum).
    """
    k = np.asarray(k, dtype=float).ravel()
    m = np.asarray(m, dtype=float).ravel()
    codes, _ = pd.factorize(np.asarray(groups).ravel())
    used = m > 0
    k, m, codes = k[used], m[used], codes[used]
    n_groups = int(np.unique(codes).size)
    clusters = k.size
    if clusters - n_groups < 1:
        return 1.0
    group_k = np.bincount(codes, weights=k)
    group_m = np.bincount(codes, weights=m)
    p = (group_k / group_m)[codes]
    binomial = float(np.sum(p * (1.0 - p) * m))
    if binomial <= 0.0:
        return 1.0
    pearson = float(np.sum((k - p * m) ** 2)) / binomial
    return max(1.0, pearson * clusters / (clusters - n_groups))
