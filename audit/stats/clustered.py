"""A fast, resampling-free interval for a difference of clustered rates.

Each arm's rate is a ratio estimator (pushes / turns) whose cluster-robust variance gives a
design effect; Wilson limits are computed on the design-effect-adjusted ("effective") counts,
as Korn & Graubard (1998) do for survey proportions, and the two arms' limits are combined by
Newcombe's hybrid score / MOVER rule, with the correlation of the two rates when clusters are
shared across arms (Zou & Donner 2008). It needs no replicates, so it suits the many secondary
and exploratory comparisons; ``cluster_bootstrap_diff`` remains the primary method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from audit.errors import ValidationError
from audit.stats import _validate as check
from audit.stats._clusters import cluster_sums
from audit.stats._result import Estimate
from audit.stats.proportions import wilson_limits


@dataclass(frozen=True)
class ClusteredDiff(Estimate):
    """rate(arm 1) - rate(arm 2) with a design-effect-adjusted Newcombe/MOVER interval."""

    arms: tuple = ()
    rate1: float | None = None
    rate2: float | None = None
    design_effect1: float | None = None
    design_effect2: float | None = None
    correlation: float = 0.0
    se: float | None = None
    n_clusters: tuple[int, int] = (0, 0)
    n_rows: tuple[int, int] = (0, 0)
    paired: bool = False


def clustered_diff_ci(
    df,
    cluster: str,
    arm: str,
    outcome: str,
    *,
    arms: tuple | None = None,
    level: float = 0.95,
    paired: bool | None = None,
) -> ClusteredDiff:
    """Difference of rates (rows as denominators) with a cluster-robust score-type interval.

    Arguments as :func:`audit.stats.cluster_bootstrap_diff`. Outcomes must lie in [0, 1] per
    row (a binary push indicator). ``statistic``/``pvalue`` are the Wald z test with the
    cluster-robust (sandwich) variance of the difference.
    """
    level = check.level(level)
    if paired is not None and not isinstance(paired, bool):
        raise ValidationError(f"paired must be True, False or None, got {paired!r}")
    arm_pair, (num, den), present = cluster_sums(df, cluster, arm, outcome, arms)
    if np.any(num < 0) or np.any(num > den):
        raise ValidationError(f"outcome column {outcome!r} must be between 0 and 1 per row")
    is_paired = bool((present[:, 0] & present[:, 1]).any()) if paired is None else paired
    z = check.z_value(level)
    totals = den.sum(axis=0)
    rates = num.sum(axis=0) / totals
    residuals = num - rates[None, :] * den  # zero where a cluster has no rows in an arm
    n_clusters = present.sum(axis=0)
    variances = n_clusters / (n_clusters - 1) * (residuals**2).sum(axis=0) / totals**2
    covariance = 0.0
    if is_paired:
        shared = present.any(axis=1).sum()
        covariance = float(
            shared
            / (shared - 1)
            * (residuals[:, 0] * residuals[:, 1]).sum()
            / (totals[0] * totals[1])
        )
    limits, effects = [], []
    for j in range(2):
        binomial = rates[j] * (1 - rates[j]) / totals[j]
        effect = max(1.0, variances[j] / binomial) if binomial > 0 else 1.0
        n_eff = totals[j] / effect
        limits.append(wilson_limits(rates[j] * n_eff, n_eff, z))
        effects.append(effect)
    correlation = 0.0
    if is_paired and variances[0] > 0 and variances[1] > 0:
        correlation = float(np.clip(covariance / math.sqrt(variances[0] * variances[1]), -1, 1))
    (l1, u1), (l2, u2) = limits
    r1, r2 = float(rates[0]), float(rates[1])
    difference = r1 - r2
    # MOVER (Zou & Donner 2008): with rho = 0 this is Newcombe's method 10.
    below = math.sqrt(
        max(0.0, (r1 - l1) ** 2 + (u2 - r2) ** 2 - 2 * correlation * (r1 - l1) * (u2 - r2))
    )
    above = math.sqrt(
        max(0.0, (u1 - r1) ** 2 + (r2 - l2) ** 2 - 2 * correlation * (u1 - r1) * (r2 - l2))
    )
    variance = float(variances[0] + variances[1] - 2 * covariance)
    se = math.sqrt(max(variance, 0.0))
    if se > 0:
        statistic = difference / se
        pvalue = float(2 * sps.norm.sf(abs(statistic)))
    else:
        statistic, pvalue = 0.0, 1.0
    design = "paired clusters" if is_paired else "independent clusters"
    return ClusteredDiff(
        difference,
        max(-1.0, difference - below),
        min(1.0, difference + above),
        statistic,
        pvalue,
        f"Newcombe/MOVER interval on design-effect-adjusted Wilson limits ({design})",
        level,
        arms=arm_pair,
        rate1=r1,
        rate2=r2,
        design_effect1=effects[0],
        design_effect2=effects[1],
        correlation=correlation,
        se=se,
        n_clusters=(int(n_clusters[0]), int(n_clusters[1])),
        n_rows=(int(totals[0]), int(totals[1])),
        paired=is_paired,
    )


@dataclass(frozen=True)
class ClusteredRate(Estimate):
    """A rate (sum of outcome / rows) with a design-effect-adjusted Wilson interval."""

    design_effect: float | None = None
    se: float | None = None
    n_clusters: int = 0
    n_rows: int = 0


def clustered_rate_ci(df, cluster: str, outcome: str, *, level: float = 0.95) -> ClusteredRate:
    """One clustered rate (e.g. an arm's push rate per turn) with a Wilson interval on the
    effective sample size rows / design effect (Korn & Graubard 1998).

    The design effect is the cluster-robust variance of the ratio estimator over the binomial
    variance, floored at 1; with a single cluster it cannot be estimated and is taken as 1
    (the method says so).
    """
    import pandas as pd

    level = check.level(level)
    if not isinstance(df, pd.DataFrame):
        raise ValidationError("df must be a pandas DataFrame")
    for role, column in (("cluster", cluster), ("outcome", outcome)):
        if column not in df.columns:
            raise ValidationError(f"{role} column {column!r} is not in the data")
    if len(df) == 0:
        raise ValidationError("the data is empty: no rows to analyse")
    try:
        values = pd.to_numeric(df[outcome], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValidationError(f"outcome column {outcome!r} must be numeric") from None
    if not np.all(np.isfinite(values)):
        raise ValidationError(f"outcome column {outcome!r} contains NaN or infinite values")
    if np.any((values < 0) | (values > 1)):
        raise ValidationError(f"outcome column {outcome!r} must be between 0 and 1 per row")
    codes, uniques = pd.factorize(df[cluster].to_numpy())
    if np.any(codes < 0):
        raise ValidationError(f"cluster column {cluster!r} contains missing values")
    num = np.bincount(codes, weights=values, minlength=len(uniques))
    den = np.bincount(codes, minlength=len(uniques)).astype(float)
    n_clusters, total = len(uniques), float(den.sum())
    rate = float(num.sum() / total)
    method = "design-effect-adjusted Wilson interval"
    binomial = rate * (1 - rate) / total
    if n_clusters < 2:
        effect, variance = 1.0, binomial
        method += " (single cluster: design effect taken as 1)"
    else:
        residuals = num - rate * den
        variance = float(n_clusters / (n_clusters - 1) * (residuals**2).sum() / total**2)
        effect = max(1.0, variance / binomial) if binomial > 0 else 1.0
    n_eff = total / effect
    low, high = wilson_limits(rate * n_eff, n_eff, check.z_value(level))
    return ClusteredRate(
        rate,
        low,
        high,
        None,
        None,
        method,
        level,
        design_effect=effect,
        se=math.sqrt(variance),
        n_clusters=n_clusters,
        n_rows=int(total),
    )
