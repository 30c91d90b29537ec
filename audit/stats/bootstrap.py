"""Cluster bootstrap for a difference of rates between two arms.

Turns are clustered in conversations (and conversations may be matched by scenario cell across
arms), so the unit of resampling is the cluster, never the turn. The bootstrap is vectorised:
per-cluster sums are computed once with ``bincount``, then each block of replicates is a matrix
of resampled cluster indices whose gathered rows are summed, with no Python loop over
replicates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from audit.errors import ValidationError
from audit.stats import _validate as check
from audit.stats._clusters import cluster_sums
from audit.stats._result import Estimate

# Upper bound on resampled indices held in memory at once (int32: 4 bytes each).
_BLOCK_ELEMENTS = 4_000_000


@dataclass(frozen=True, eq=False)
class BootstrapDiff(Estimate):
    """rate(arm 1) - rate(arm 2), each rate = sum(outcome) / number of rows in the arm.

    ``statistic`` is estimate / bootstrap standard error; ``pvalue`` inverts the chosen
    interval (the largest level whose interval excludes 0), so it agrees with the interval.
    """

    arms: tuple = ()
    rate1: float | None = None
    rate2: float | None = None
    n_clusters: tuple[int, int] = (0, 0)
    n_rows: tuple[int, int] = (0, 0)
    se: float | None = None
    n_boot: int = 0
    paired: bool = False
    ci_method: str = "percentile"
    replicates: np.ndarray | None = None

    def to_dict(self) -> dict:
        """As :meth:`Estimate.to_dict`, without the replicates."""
        out = super().to_dict()
        del out["replicates"]
        return out


def cluster_bootstrap_diff(
    df: pd.DataFrame,
    cluster: str,
    arm: str,
    outcome: str,
    n_boot: int = 2000,
    seed: int = 0,
    *,
    arms: tuple | None = None,
    level: float = 0.95,
    ci: str = "percentile",
    paired: bool | None = None,
) -> BootstrapDiff:
    """Difference of rates between two arms with a cluster-bootstrap interval.

    ``cluster`` names the column identifying the resampling unit (a conversation, or the
    scenario cell when the same cell runs under both arms), ``arm`` the arm and ``outcome``
    the per-row value (0/1 for a push, or a count). ``arms=(a, b)`` picks and orders the two
    arms (estimate = rate(a) - rate(b)); by default the two arms present, sorted.

    ``paired=None`` resamples clusters jointly across arms when any cluster appears under
    both arms (matched design) and within each arm otherwise (independent samples).
    ``ci`` is ``"percentile"`` (default) or ``"bca"`` (bias-corrected and accelerated;
    acceleration from the leave-one-cluster-out jackknife). The default is the percentile
    interval because in simulation (300 conversations of 6 turns per arm, ICC 0.1, 1,000 runs)
    it covered 94.2-95.7 % for push rates 0.01-0.5, while BCa fell to 92.5 % at rate 0.01.
    """
    level = check.level(level)
    ci = check.choice("ci", ci, ("bca", "percentile"))
    n_boot = check.count("n_boot", n_boot)
    if n_boot < 100:
        raise ValidationError(f"n_boot must be at least 100 for an interval, got {n_boot}")
    seed = check.count("seed", seed)
    if paired is not None and not isinstance(paired, bool):
        raise ValidationError(f"paired must be True, False or None, got {paired!r}")
    arm_pair, sums, present = cluster_sums(df, cluster, arm, outcome, arms)
    num, den = sums
    in_both = present[:, 0] & present[:, 1]
    is_paired = bool(in_both.any()) if paired is None else paired
    totals_num = num.sum(axis=0)
    totals_den = den.sum(axis=0)
    rates = totals_num / totals_den
    estimate = float(rates[0] - rates[1])

    rng = np.random.default_rng(seed)
    if is_paired:
        keep = present.any(axis=1)
        replicates = _paired_replicates(num[keep], den[keep], n_boot, rng)
    else:
        first = _arm_replicates(num[present[:, 0], 0], den[present[:, 0], 0], n_boot, rng)
        second = _arm_replicates(num[present[:, 1], 1], den[present[:, 1], 1], n_boot, rng)
        replicates = first - second
    finite = replicates[np.isfinite(replicates)]
    if finite.size < n_boot * 0.99:
        raise ValidationError(
            "too many bootstrap replicates had an arm with no rows: "
            "pass paired=False or check the data"
        )
    alpha = 1.0 - level
    se = float(np.std(finite, ddof=1))
    if ci == "bca":
        acceleration = _jackknife_acceleration(num, den, present, is_paired)
        bias = _bias_correction(finite, estimate)
    else:
        acceleration, bias = 0.0, 0.0
    if se == 0.0 or not math.isfinite(bias):
        # Every replicate equal (e.g. no events at all), or the estimate outside the whole
        # bootstrap distribution: BCa is undefined, so fall back to percentiles.
        acceleration, bias = 0.0, 0.0
        ci_used = "percentile" if ci == "bca" else ci
    else:
        ci_used = ci
    low_q, high_q = _bca_quantiles(alpha, bias, acceleration)
    low, high = np.quantile(finite, [low_q, high_q])
    pvalue = _inverted_pvalue(finite, bias, acceleration)
    statistic = estimate / se if se > 0 else (0.0 if estimate == 0 else math.inf)
    design = "paired clusters" if is_paired else "clusters within arms"
    return BootstrapDiff(
        estimate,
        float(low),
        float(high),
        float(statistic),
        pvalue,
        f"cluster bootstrap ({design}), {ci_used} interval",
        level,
        arms=arm_pair,
        rate1=float(rates[0]),
        rate2=float(rates[1]),
        n_clusters=(int(present[:, 0].sum()), int(present[:, 1].sum())),
        n_rows=(int(totals_den[0]), int(totals_den[1])),
        se=se,
        n_boot=n_boot,
        paired=is_paired,
        ci_method=ci_used,
        replicates=finite,
    )


def _blocks(n_boot: int, width: int):
    size = max(1, _BLOCK_ELEMENTS // max(width, 1))
    for start in range(0, n_boot, size):
        yield start, min(size, n_boot - start)


class _Summer:
    """Sums of (outcome, rows) over resampled clusters, one gather per replicate block.

    When outcomes are whole numbers (pushes, counts) both sums are packed into one int64 per
    cluster, ``num << shift | den``, so a single gather and an exact integer sum give both;
    the shift leaves room for the largest possible resampled total. Otherwise two float
    gathers are used.
    """

    def __init__(self, num: np.ndarray, den: np.ndarray):
        self.num = np.ascontiguousarray(num, dtype=float)
        self.den = np.ascontiguousarray(den, dtype=float)
        n = max(num.size, 1)
        max_den_total = float(den.max(initial=0.0)) * n
        max_num_total = float(num.max(initial=0.0)) * n
        self.shift = max(1, math.ceil(math.log2(max_den_total + 1)))
        self.packed = None
        if (
            np.all(num >= 0)
            and np.all(num == np.round(num))
            and (max_num_total + 1) * 2.0**self.shift < 2.0**62
        ):
            self.packed = (num.astype(np.int64) << self.shift) | den.astype(np.int64)
            self.mask = (1 << self.shift) - 1

    def __call__(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.packed is not None:
            total = self.packed[index].sum(axis=1)
            return (total >> self.shift).astype(float), (total & self.mask).astype(float)
        return self.num[index].sum(axis=1), self.den[index].sum(axis=1)


def _arm_replicates(num: np.ndarray, den: np.ndarray, n_boot: int, rng) -> np.ndarray:
    """Bootstrap rates of one arm, resampling its clusters with replacement."""
    n = num.size
    summer = _Summer(num, den)
    out = np.empty(n_boot)
    for start, size in _blocks(n_boot, n):
        index = rng.integers(0, n, size=(size, n), dtype=np.int32)
        sum_num, sum_den = summer(index)
        out[start : start + size] = sum_num / sum_den
    return out


def _paired_replicates(num: np.ndarray, den: np.ndarray, n_boot: int, rng) -> np.ndarray:
    """Bootstrap differences resampling clusters jointly (both arms' rows move together)."""
    n = num.shape[0]
    first, second = _Summer(num[:, 0], den[:, 0]), _Summer(num[:, 1], den[:, 1])
    out = np.empty(n_boot)
    with np.errstate(divide="ignore", invalid="ignore"):
        for start, size in _blocks(n_boot, n):
            index = rng.integers(0, n, size=(size, n), dtype=np.int32)
            num1, den1 = first(index)
            num2, den2 = second(index)
            out[start : start + size] = num1 / den1 - num2 / den2
    return out


def _bias_correction(replicates: np.ndarray, estimate: float) -> float:
    # Efron's z0, counting ties at the estimate as half (stable with discrete outcomes).
    below = np.count_nonzero(replicates < estimate)
    ties = np.count_nonzero(replicates == estimate)
    share = (below + 0.5 * ties) / replicates.size
    return float(sps.norm.ppf(share))


def _jackknife_acceleration(num, den, present, paired: bool) -> float:
    """Efron's acceleration from the leave-one-cluster-out jackknife of the difference."""
    total_num = num.sum(axis=0)
    total_den = den.sum(axis=0)
    rate = total_num / total_den
    with np.errstate(divide="ignore", invalid="ignore"):
        if paired:
            keep = present.any(axis=1)
            left_out = (total_num - num[keep]) / (total_den - den[keep])
            values = left_out[:, 0] - left_out[:, 1]
        else:
            first = (total_num[0] - num[present[:, 0], 0]) / (total_den[0] - den[present[:, 0], 0])
            second = (total_num[1] - num[present[:, 1], 1]) / (total_den[1] - den[present[:, 1], 1])
            values = np.concatenate((first - rate[1], rate[0] - second))
    values = values[np.isfinite(values)]
    if values.size < 2:
        return 0.0
    deviation = values.mean() - values
    denominator = 6.0 * float(np.sum(deviation**2)) ** 1.5
    return float(np.sum(deviation**3) / denominator) if denominator > 0 else 0.0


def _bca_quantiles(alpha: float, bias: float, acceleration: float) -> tuple[float, float]:
    quantiles = []
    for tail in (alpha / 2, 1 - alpha / 2):
        z = bias + sps.norm.ppf(tail)
        quantiles.append(float(sps.norm.cdf(bias + z / (1 - acceleration * z))))
    return quantiles[0], quantiles[1]


def _inverted_pvalue(replicates: np.ndarray, bias: float, acceleration: float) -> float:
    """Two-sided p-value: twice the tail level at which an interval endpoint reaches 0."""
    below = np.count_nonzero(replicates < 0) + 0.5 * np.count_nonzero(replicates == 0)
    share = below / replicates.size
    if share <= 0.0 or share >= 1.0:
        # 0 lies outside every replicate: the p-value is below 1/n_boot resolution.
        return float(min(1.0, 2.0 / replicates.size))
    # Solve Phi^-1(share) = z0 + w / (1 - a w) with w = z0 + z_tail for the tail level.
    gap = float(sps.norm.ppf(share)) - bias
    w = gap / (1.0 + acceleration * gap)
    tail = float(sps.norm.cdf(w - bias))
    return float(min(1.0, 2.0 * min(tail, 1.0 - tail)))
