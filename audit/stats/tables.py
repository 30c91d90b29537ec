"""Two-by-two tables: risk ratio, odds ratio, Fisher's and Barnard's exact tests, and the
Cochran-Mantel-Haenszel test over strata.

Tables follow R's convention: rows are the two groups (first row = group 1, e.g. the arm under
test), columns are the outcome (first column = event, e.g. a push; second = no event). So
``[[a, b], [c, d]]`` has odds ratio ``a*d / (b*c)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from audit.errors import ValidationError
from audit.stats import _validate as check
from audit.stats._result import Estimate

_ALTERNATIVES = ("two-sided", "less", "greater")


def _two_sided_normal_p(z: float) -> float:
    return float(2 * sps.norm.sf(abs(z)))


def risk_ratio(k1: int, n1: int, k2: int, n2: int, level: float = 0.95) -> Estimate:
    """Risk ratio ``(k1/n1) / (k2/n2)`` with the log-method (Katz) Wald interval.

    With a zero count the log is undefined; then 0.5 is added to ``k`` and to the non-events of
    both groups (Haldane-Anscombe), and the method says so. The p-value is the Wald test of
    log RR = 0.
    """
    k1, n1 = check.successes("k1", k1, "n1", n1)
    k2, n2 = check.successes("k2", k2, "n2", n2)
    level = check.level(level)
    method = "risk ratio, log-method Wald interval"
    x1, m1, x2, m2 = float(k1), float(n1), float(k2), float(n2)
    if k1 == 0 or k2 == 0:
        x1, m1, x2, m2 = x1 + 0.5, m1 + 1.0, x2 + 0.5, m2 + 1.0
        method += " (0.5 added to each cell: zero count)"
    log_rr = math.log((x1 / m1) / (x2 / m2))
    se = math.sqrt(1 / x1 - 1 / m1 + 1 / x2 - 1 / m2)
    z = check.z_value(level)
    if se == 0.0:  # both groups all events: RR = 1 exactly, no sampling variability on log scale
        return Estimate(
            math.exp(log_rr), math.exp(log_rr), math.exp(log_rr), None, None, method, level
        )
    statistic = log_rr / se
    return Estimate(
        math.exp(log_rr),
        math.exp(log_rr - z * se),
        math.exp(log_rr + z * se),
        statistic,
        _two_sided_normal_p(statistic),
        method,
        level,
    )


def odds_ratio(table, level: float = 0.95) -> Estimate:
    """Sample odds ratio with Woolf's (log) Wald interval.

    A zero cell makes the log undefined; then 0.5 is added to every cell (Haldane-Anscombe).
    """
    counts = check.table_2x2("table", table).astype(float)
    level = check.level(level)
    if np.any(counts.sum(axis=1) == 0):
        raise ValidationError("table has an empty row: the odds ratio is undefined")
    if np.any(counts.sum(axis=0) == 0):
        raise ValidationError("table has an empty column: the odds ratio is undefined")
    method = "odds ratio, Woolf logit interval"
    if np.any(counts == 0):
        counts = counts + 0.5
        method += " (0.5 added to each cell: zero cell)"
    (a, b), (c, d) = counts
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = check.z_value(level)
    statistic = log_or / se
    return Estimate(
        math.exp(log_or),
        math.exp(log_or - z * se),
        math.exp(log_or + z * se),
        statistic,
        _two_sided_normal_p(statistic),
        method,
        level,
    )


def fisher_exact(table, alternative: str = "two-sided", level: float = 0.95) -> Estimate:
    """Fisher's exact test with the conditional MLE odds ratio and its exact interval.

    Matches R's ``fisher.test`` for 2x2 tables: the p-value of the two-sided test sums the
    tables no more probable than the observed one (relative tolerance 1e-7, as R), the estimate
    is the conditional maximum-likelihood odds ratio, and the interval inverts the noncentral
    hypergeometric tail probabilities (one-sided intervals for one-sided alternatives).
    """
    counts = check.table_2x2("table", table)
    alternative = check.choice("alternative", alternative, _ALTERNATIVES)
    level = check.level(level)
    method = "Fisher's exact test, conditional MLE odds ratio"
    # Support of the first cell given the margins (R: lo, hi).
    rows = counts.sum(axis=1)
    cols = counts.sum(axis=0)
    low_x = max(0, int(rows[0] - cols[1]))
    high_x = min(int(rows[0]), int(cols[0]))
    if low_x == high_x:
        # One possible table (an empty row or column): no information at all. R returns
        # p = 1, estimate 0 and the interval [0, Inf) in this case.
        high = math.inf
        return Estimate(0.0, 0.0, high, None, 1.0, method + " (degenerate margins)", level)
    pvalue = float(sps.fisher_exact(counts, alternative=alternative).pvalue)
    x = int(counts[0, 0])
    support = np.arange(low_x, high_x + 1)
    log_base = sps.hypergeom.logpmf(support, int(counts.sum()), int(cols[0]), int(rows[0]))
    family = _NoncentralHypergeometric(support, log_base)
    if x == low_x:
        estimate = 0.0
    elif x == high_x:
        estimate = math.inf
    else:
        estimate = family.solve(lambda lpsi: family.mean(lpsi) - x)
    alpha = 1.0 - level
    tail = alpha / 2 if alternative == "two-sided" else alpha
    # Lower limit: P(X >= x | psi) = tail; upper limit: P(X <= x | psi) = tail.
    ci_low = 0.0 if x == low_x else family.solve(lambda lpsi: family.upper_tail(lpsi, x) - tail)
    ci_high = (
        math.inf if x == high_x else family.solve(lambda lpsi: tail - family.lower_tail(lpsi, x))
    )
    if alternative == "less":
        ci_low = 0.0
    elif alternative == "greater":
        ci_high = math.inf
    return Estimate(estimate, ci_low, ci_high, None, min(1.0, pvalue), method, level)


class _NoncentralHypergeometric:
    """Fisher's noncentral hypergeometric law of the first cell given the margins, as a
    function of the log odds ratio; vectorised over the support."""

    def __init__(self, support: np.ndarray, log_base: np.ndarray):
        self.support = support
        self.log_base = log_base

    def density(self, log_psi: float) -> np.ndarray:
        d = self.log_base + log_psi * self.support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mean(self, log_psi: float) -> float:
        return float(np.dot(self.support, self.density(log_psi)))

    def upper_tail(self, log_psi: float, x: int) -> float:
        return float(self.density(log_psi)[self.support >= x].sum())

    def lower_tail(self, log_psi: float, x: int) -> float:
        return float(self.density(log_psi)[self.support <= x].sum())

    @staticmethod
    def solve(increasing) -> float:
        """exp of the root of an increasing function of log psi (bracket grown outwards)."""
        from scipy.optimize import brentq

        low, high = -1.0, 1.0
        while increasing(low) > 0:
            low *= 2
            if low < -1e4:
                return 0.0
        while increasing(high) < 0:
            high *= 2
            if high > 1e4:
                return math.inf
        return math.exp(brentq(increasing, low, high, xtol=1e-13, rtol=4 * np.finfo(float).eps))


@dataclass(frozen=True)
class BarnardEstimate(Estimate):
    """Barnard's test; ``estimate`` is the difference of proportions p1 - p2 (rows)."""

    p1: float | None = None
    p2: float | None = None


def barnard_exact(
    table, alternative: str = "two-sided", pooled: bool = True, grid: int = 2001
) -> BarnardEstimate:
    """Barnard's unconditional exact test of equal proportions in the two rows.

    The statistic is the (pooled or unpooled) Wald z of p1 - p2. The p-value is the
    probability, under a common proportion pi, of all tables with the observed row totals at
    least as extreme as the observed one, maximised over pi (a grid, then a bounded local
    refinement around the best grid point). Tables whose z equals the observed one up to
    rounding count as extreme (scipy's ``barnard_exact`` compares floats exactly and can drop
    mirror-image tables, giving too small a p-value).
    """
    counts = check.table_2x2("table", table)
    alternative = check.choice("alternative", alternative, _ALTERNATIVES)
    rows = counts.sum(axis=1)
    if np.any(rows == 0):
        raise ValidationError("table has an empty row: Barnard's test needs both groups")
    n1, n2 = int(rows[0]), int(rows[1])
    p1, p2 = counts[0, 0] / n1, counts[1, 0] / n2
    z = _wald_z_grid(n1, n2, pooled)
    observed = float(z[counts[0, 0], counts[1, 0]])
    tolerance = 1e-7 * max(1.0, abs(observed))
    if alternative == "two-sided":
        extreme = np.abs(z) >= abs(observed) - tolerance
    elif alternative == "less":
        extreme = z <= observed + tolerance
    else:
        extreme = z >= observed - tolerance
    pvalue = _max_over_nuisance(n1, n2, extreme, grid)
    kind = "pooled" if pooled else "unpooled"
    return BarnardEstimate(
        float(p1 - p2),
        None,
        None,
        observed,
        min(1.0, pvalue),
        f"Barnard's unconditional exact test ({kind} z)",
        None,
        p1=float(p1),
        p2=float(p2),
    )


def _wald_z_grid(n1: int, n2: int, pooled: bool) -> np.ndarray:
    """z of p1 - p2 for every table (x1, x2) with the given row totals; 0 where p1 == p2."""
    x1 = np.arange(n1 + 1)[:, None]
    x2 = np.arange(n2 + 1)[None, :]
    q1, q2 = x1 / n1, x2 / n2
    if pooled:
        common = (x1 + x2) / (n1 + n2)
        variance = common * (1 - common) * (1 / n1 + 1 / n2)
    else:
        variance = q1 * (1 - q1) / n1 + q2 * (1 - q2) / n2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (q1 - q2) / np.sqrt(variance)
    # Equal proportions give 0/0 (pooled) or x/0 on the boundary (unpooled): treat a zero
    # difference as z = 0 and a nonzero one with zero variance as infinitely extreme.
    z = np.where(q1 == q2, 0.0, z)
    return np.nan_to_num(z, nan=0.0)


def _max_over_nuisance(n1: int, n2: int, extreme: np.ndarray, grid: int) -> float:
    """max over pi of P(extreme tables | pi), both rows Binomial(n_i, pi)."""
    from scipy.optimize import minimize_scalar
    from scipy.special import gammaln

    total = n1 + n2
    x1 = np.arange(n1 + 1)[:, None]
    x2 = np.arange(n2 + 1)[None, :]
    log_comb = (
        gammaln(n1 + 1)
        - gammaln(x1 + 1)
        - gammaln(n1 - x1 + 1)
        + gammaln(n2 + 1)
        - gammaln(x2 + 1)
        - gammaln(n2 - x2 + 1)
    )
    # P(pi) = sum_s c_s pi^s (1 - pi)^(N - s), with c_s the combinatorial weight of the
    # extreme tables having s events in all.
    successes = np.broadcast_to(x1 + x2, extreme.shape)[extreme]
    weights = np.exp(np.broadcast_to(log_comb, extreme.shape)[extreme])
    if successes.size == 0:
        return 0.0
    c = np.bincount(successes, weights=weights, minlength=total + 1)
    s = np.arange(total + 1)
    used = c > 0
    log_c, s_used = np.log(c[used]), s[used]

    def probability(pi):
        pi = np.clip(np.atleast_1d(pi), 1e-300, 1 - 1e-16)
        terms = log_c[None, :] + s_used[None, :] * np.log(pi)[:, None]
        terms += (total - s_used)[None, :] * np.log1p(-pi)[:, None]
        return np.exp(terms).sum(axis=1)

    points = np.linspace(0.0, 1.0, grid)[1:-1]
    values = probability(points)
    best = int(np.argmax(values))
    low = points[max(best - 1, 0)] if best > 0 else 1e-12
    high = points[min(best + 1, points.size - 1)] if best < points.size - 1 else 1 - 1e-12
    refined = minimize_scalar(
        lambda pi: -probability(pi)[0],
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(max(values[best], -refined.fun))


@dataclass(frozen=True)
class CMHEstimate(Estimate):
    """Cochran-Mantel-Haenszel test; ``estimate`` is the Mantel-Haenszel common odds ratio."""

    n_strata: int = 0
    n_strata_used: int = 0


def _as_strata(tables) -> np.ndarray:
    try:
        array = np.asarray(tables, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"tables must be a sequence of 2x2 tables: {exc}") from None
    if array.ndim == 2 and array.shape == (2, 2):
        array = array[None, :, :]
    if array.ndim != 3 or array.shape[1:] != (2, 2):
        raise ValidationError(f"tables must have shape (strata, 2, 2), got {array.shape}")
    if array.shape[0] == 0:
        raise ValidationError("tables is empty: the CMH test needs at least one stratum")
    return check.counts_array("tables", array).astype(float)


def cmh_test(tables, correction: bool = True, level: float = 0.95) -> CMHEstimate:
    """Cochran-Mantel-Haenszel test of conditional independence over 2x2 strata.

    As R's ``mantelhaen.test`` for 2x2xK tables: the continuity correction of 0.5 applies only
    when |sum(a - E[a])| >= 0.5; the interval for the Mantel-Haenszel odds ratio uses the
    Robins-Breslow-Greenland variance. Strata with fewer than two observations carry no
    information (their variance is 0/0) and are dropped, where R would stop with an error.
    """
    strata = _as_strata(tables)
    level = check.level(level)
    total = strata.sum(axis=(1, 2))
    used = strata[total >= 2]
    if used.shape[0] == 0:
        raise ValidationError("every stratum has fewer than 2 observations: nothing to test")
    a, b, c, d = used[:, 0, 0], used[:, 0, 1], used[:, 1, 0], used[:, 1, 1]
    t = a + b + c + d
    row1 = a + b
    col1 = a + c
    delta = float(np.sum(a - row1 * col1 / t))
    variance = float(np.sum(row1 * (t - row1) * col1 * (t - col1) / (t * t * (t - 1))))
    yates = 0.5 if correction and abs(delta) >= 0.5 else 0.0
    if variance > 0:
        statistic = (abs(delta) - yates) ** 2 / variance
        pvalue = float(sps.chi2.sf(statistic, 1))
    else:  # every stratum has a fixed margin: the test is undefined (R gives NaN)
        statistic, pvalue = math.nan, math.nan
    # Mantel-Haenszel estimate and Robins, Breslow & Greenland (1986) variance of its log.
    r = a * d / t
    s = b * c / t
    sum_r, sum_s = float(r.sum()), float(s.sum())
    estimate = sum_r / sum_s if sum_s > 0 else (math.inf if sum_r > 0 else math.nan)
    p = (a + d) / t
    q = (b + c) / t
    if sum_r > 0 and sum_s > 0:
        var_log = (
            float(np.sum(p * r)) / (2 * sum_r**2)
            + float(np.sum(p * s + q * r)) / (2 * sum_r * sum_s)
            + float(np.sum(q * s)) / (2 * sum_s**2)
        )
        z = check.z_value(level)
        half = z * math.sqrt(var_log)
        low, high = estimate * math.exp(-half), estimate * math.exp(half)
    else:
        low, high = math.nan, math.nan
    method = "Cochran-Mantel-Haenszel chi-square test"
    method += " with continuity correction" if correction else " without continuity correction"
    return CMHEstimate(
        estimate,
        low,
        high,
        statistic,
        pvalue,
        method,
        level,
        n_strata=int(strata.shape[0]),
        n_strata_used=int(used.shape[0]),
    )
