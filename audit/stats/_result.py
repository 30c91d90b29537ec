"""The result type shared by the statistics functions."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Estimate:
    """An estimate with its confidence interval and, where a test applies, statistic and p-value.

    Fields that do not apply to a method are ``None`` (e.g. a confidence interval has no
    p-value; a chi-square test may have no interval).
    """

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    statistic: float | None = None
    pvalue: float | None = None
    method: str = ""
    level: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)
