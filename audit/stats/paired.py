"""McNemar's test for paired binary outcomes (the same scenario cell under two arms)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as sps

from audit.errors import ValidationError
from audit.stats import _validate as check
from audit.stats._result import Estimate
from audit.stats.proportions import clopper_pearson_ci

# Below this many discordant pairs the chi-square approximation is poor; use the exact test.
EXACT_BELOW = 25


@dataclass(frozen=True)
class McNemarEstimate(Estimate):
    """``estimate`` is the conditional odds ratio b/c with the exact interval from b/(b+c)."""

    b: int = 0
    c: int = 0
    exact: bool = False


def mcnemar_test(
    b: int, c: int, exact: bool | None = None, correction: bool = True, level: float = 0.95
) -> McNemarEstimate:
    """McNemar's test from the discordant pair counts.

    ``b`` = pairs with the outcome under the first arm only, ``c`` = under the second only.
    ``exact=None`` chooses the exact binomial test (R's ``binom.test(b, b + c)``) when
    ``b + c < 25`` and the chi-square test (R's ``mcnemar.test``, continuity-corrected when
    ``b != c``) otherwise.
    """
    b = check.count("b", b)
    c = check.count("c", c)
    level = check.level(level)
    if exact is not None and not isinstance(exact, bool):
        raise ValidationError(f"exact must be True, False or None, got {exact!r}")
    discordant = b + c
    use_exact = discordant < EXACT_BELOW if exact is None else exact
    if discordant == 0:
        # No discordant pair: no evidence of any difference.
        return McNemarEstimate(
            math.nan,
            math.nan,
            math.nan,
            0.0,
            1.0,
            "McNemar test: no discordant pairs",
            level,
            b=b,
            c=c,
            exact=use_exact,
        )
    interval = clopper_pearson_ci(b, discordant, level)
    odds = _odds(b / discordant)
    low, high = _odds(interval.ci_low), _odds(interval.ci_high)
    if use_exact:
        result = sps.binomtest(b, discordant, 0.5)
        statistic = float(b)
        pvalue = float(result.pvalue)
        method = "McNemar exact test (binomial on discordant pairs)"
    else:
        yates = 1.0 if correction and b != c else 0.0
        statistic = (abs(b - c) - yates) ** 2 / discordant
        pvalue = float(sps.chi2.sf(statistic, 1))
        method = "McNemar chi-square test"
        method += " with continuity correction" if yates else ""
    return McNemarEstimate(
        odds, low, high, statistic, min(1.0, pvalue), method, level, b=b, c=c, exact=use_exact
    )


def _odds(p: float) -> float:
    return math.inf if p >= 1.0 else p / (1.0 - p)
