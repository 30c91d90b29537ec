"""Kaplan-Meier curves with log-log intervals, and the log-rank test (e.g. turns to first push,
with conversations that never push censored at their last turn)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from audit.errors import ValidationError
from audit.stats import _validate as check
from audit.stats._result import Estimate

# R's survival::quantile.survfit tolerance for "the curve is exactly at p".
_QUANTILE_TOL = math.sqrt(np.finfo(float).eps)


def _read_survival_data(times, events) -> tuple[np.ndarray, np.ndarray]:
    try:
        t = np.asarray(times, dtype=float).ravel()
        e = np.asarray(events, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"times and events must be numbers: {exc}") from None
    if t.size == 0:
        raise ValidationError("times is empty: no observations")
    if t.size != e.size:
        raise ValidationError(f"times ({t.size}) and events ({e.size}) differ in length")
    if not np.all(np.isfinite(t)):
        raise ValidationError("times must not contain NaN or infinite values")
    if np.any(t < 0):
        raise ValidationError("times must not be negative")
    if not np.all((e == 0) | (e == 1)):
        raise ValidationError("events must be 0 (censored) or 1 (event)")
    return t, e.astype(bool)


@dataclass(frozen=True, eq=False)
class KaplanMeier(Estimate):
    """Kaplan-Meier curve at every distinct time (as R's ``survfit``).

    ``estimate``/``ci_low``/``ci_high`` are the median survival time and its interval (NaN when
    the curve, or its confidence limit, never reaches 0.5). ``std_err`` is Greenwood's
    standard error of log S(t) (R's ``std.err``); ``lower``/``upper`` are the log-log
    pointwise limits (NaN where S is 0 or 1, as R).
    """

    time: np.ndarray | None = None
    n_risk: np.ndarray | None = None
    n_event: np.ndarray | None = None
    n_censor: np.ndarray | None = None
    surv: np.ndarray | None = None
    std_err: np.ndarray | None = None
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None


def kaplan_meier(times, events, level: float = 0.95) -> KaplanMeier:
    """Kaplan-Meier estimate with Greenwood variance and log-log ("complementary log-log")
    pointwise intervals; the median and its interval as R's ``quantile.survfit``."""
    t, e = _read_survival_data(times, events)
    level = check.level(level)
    unique_times, inverse = np.unique(t, return_inverse=True)
    n_event = np.bincount(inverse, weights=e, minlength=unique_times.size)
    n_total = np.bincount(inverse, minlength=unique_times.size).astype(float)
    n_censor = n_total - n_event
    # At risk at time t: everyone whose time is >= t.
    n_risk = t.size - np.concatenate(([0.0], np.cumsum(n_total)[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - n_event / n_risk)
        increments = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
    std_err = np.sqrt(np.cumsum(increments))
    z = check.z_value(level)
    inside = (surv > 0) & (surv < 1)
    lower = np.full(surv.shape, np.nan)
    upper = np.full(surv.shape, np.nan)
    s = surv[inside]
    log_s = np.log(s)
    shift = z * std_err[inside] / log_s
    # shift < 0 because log S < 0, so the minus sign gives the lower limit.
    lower[inside] = np.exp(-np.exp(np.log(-log_s) - shift))
    upper[inside] = np.exp(-np.exp(np.log(-log_s) + shift))
    median = _quantile(unique_times, surv, 0.5)
    # The lower curve falls to 0.5 first, so it gives the lower limit of the median.
    median_low = _quantile(unique_times, lower, 0.5)
    median_high = _quantile(unique_times, upper, 0.5)
    return KaplanMeier(
        median,
        median_low,
        median_high,
        None,
        None,
        "Kaplan-Meier, Greenwood variance, log-log interval",
        level,
        time=unique_times,
        n_risk=n_risk,
        n_event=n_event,
        n_censor=n_censor,
        surv=surv,
        std_err=std_err,
        lower=lower,
        upper=upper,
    )


def _quantile(time: np.ndarray, curve: np.ndarray, p: float) -> float:
    """The time where the curve falls to 1 - p, as R's survival:::findq.

    When the curve sits exactly at 1 - p over an interval, the midpoint of that interval is
    used (and the midpoint to the last time if it stays there).
    """
    x = np.concatenate(([0.0], time))
    y = np.concatenate(([0.0], 1.0 - curve))
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return math.nan
    x_max = x[-1]
    # Drop repeated levels (keeping the first time a level is reached); NaN repeats too.
    keep = ~pd.Series(y).duplicated().to_numpy()
    x, y = x[keep], y[keep]
    valid = ~np.isnan(y)
    positions = np.flatnonzero(valid)

    def first_at_least(values: np.ndarray) -> int | None:
        hits = positions[values[valid] >= p]
        return int(hits[0]) if hits.size else None

    index1 = first_at_least(y + _QUANTILE_TOL)
    index2 = first_at_least(y - _QUANTILE_TOL)
    last = y[-1]
    if not math.isnan(last) and abs(p - last) < _QUANTILE_TOL and index1 is not None:
        return float((x[index1] + x_max) / 2)
    if index1 is None or index2 is None:
        return math.nan
    return float((x[index1] + x[index2]) / 2)


@dataclass(frozen=True, eq=False)
class LogrankResult(Estimate):
    """Log-rank test; observed and expected events per group, in the order of ``groups``."""

    df: int = 0
    groups: tuple = ()
    observed: np.ndarray | None = None
    expected: np.ndarray | None = None


def logrank_test(times, events, groups) -> LogrankResult:
    """Log-rank (Mantel-Cox) test of equal survival across groups, as R's ``survdiff``.

    Ties are handled with the hypergeometric variance; the statistic is
    (O - E)' V^- (O - E) with (groups - 1) degrees of freedom.
    """
    t, e = _read_survival_data(times, events)
    labels = np.asarray(groups).ravel()
    if labels.size != t.size:
        raise ValidationError(f"groups ({labels.size}) and times ({t.size}) differ in length")
    if labels.dtype.kind == "f" and np.any(np.isnan(labels)):
        raise ValidationError("groups must not contain NaN")
    group_names, group_index = np.unique(labels, return_inverse=True)
    k = group_names.size
    if k < 2:
        raise ValidationError("logrank_test needs at least two groups")
    unique_times, time_index = np.unique(t, return_inverse=True)
    m = unique_times.size
    flat = time_index * k + group_index
    total = np.bincount(flat, minlength=m * k).reshape(m, k).astype(float)
    deaths = np.bincount(flat, weights=e, minlength=m * k).reshape(m, k)
    # At risk per group at each time: those with time >= t.
    at_risk = total[::-1].cumsum(axis=0)[::-1]
    n = at_risk.sum(axis=1)
    d = deaths.sum(axis=1)
    share = at_risk / n[:, None]
    expected = (d[:, None] * share).sum(axis=0)
    observed = deaths.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    # V_jl = sum_t factor_t * (share_j * delta_jl - share_j * share_l)
    variance = np.diag((factor[:, None] * share).sum(axis=0)) - np.einsum(
        "t,tj,tl->jl", factor, share, share
    )
    difference = observed - expected
    # Drop one group (the variance matrix has rank k - 1), as survdiff does.
    sub_v = variance[1:, 1:]
    sub_d = difference[1:]
    rank = int(np.linalg.matrix_rank(sub_v)) if sub_v.size else 0
    if rank == 0:
        statistic, pvalue, df = 0.0, 1.0, 0
    else:
        statistic = float(sub_d @ np.linalg.pinv(sub_v) @ sub_d)
        df = rank
        pvalue = float(sps.chi2.sf(statistic, df))
    return LogrankResult(
        None,
        None,
        None,
        statistic,
        pvalue,
        "log-rank test",
        None,
        df=df,
        groups=tuple(group_names.tolist()),
        observed=observed,
        expected=expected,
    )
