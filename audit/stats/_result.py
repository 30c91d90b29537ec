"""The result type shared by the statistics functions."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


def plain(value):
    """numpy arrays and scalars as plain Python values (lists, floats, ints)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


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
        """Every field as plain Python values (NaN and inf stay floats)."""
        return {f.name: plain(getattr(self, f.name)) for f in fields(self)}
