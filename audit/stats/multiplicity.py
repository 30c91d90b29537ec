"""Multiplicity control: Holm (family-wise error) and Benjamini-Hochberg (false discovery)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from audit.errors import ValidationError
from audit.stats import _validate as check

_METHODS = ("holm", "bh")


@dataclass(frozen=True)
class AdjustedPValues:
    """Adjusted p-values in the order of the input."""

    pvalues: tuple[float, ...]
    raw: tuple[float, ...]
    method: str

    def __len__(self) -> int:
        return len(self.pvalues)

    def __iter__(self) -> Iterator[float]:
        return iter(self.pvalues)

    def __getitem__(self, index: int) -> float:
        return self.pvalues[index]


def adjust_pvalues(pvalues: Sequence[float], method: str = "holm") -> AdjustedPValues:
    """Adjust p-values as R's ``p.adjust`` (``"holm"`` or ``"bh"``, i.e. ``"BH"``).

    An empty sequence gives an empty result (no comparisons, nothing to adjust).
    """
    method = check.choice("method", str(method).lower(), _METHODS)
    try:
        raw = np.asarray(list(pvalues), dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"pvalues must be numbers: {exc}") from None
    if raw.ndim != 1:
        raise ValidationError("pvalues must be a flat sequence of numbers")
    if np.any(np.isnan(raw)):
        raise ValidationError("pvalues must not contain NaN")
    if np.any((raw < 0) | (raw > 1)):
        raise ValidationError("pvalues must be between 0 and 1")
    n = raw.size
    if n == 0:
        return AdjustedPValues((), (), method)
    if method == "holm":
        order = np.argsort(raw, kind="stable")
        scaled = (n - np.arange(n)) * raw[order]
        adjusted_sorted = np.minimum(1.0, np.maximum.accumulate(scaled))
    else:
        order = np.argsort(raw, kind="stable")[::-1]
        scaled = n / np.arange(n, 0, -1) * raw[order]
        adjusted_sorted = np.minimum(1.0, np.minimum.accumulate(scaled))
    adjusted = np.empty(n)
    adjusted[order] = adjusted_sorted
    label = "Holm step-down" if method == "holm" else "Benjamini-Hochberg step-up"
    return AdjustedPValues(tuple(adjusted.tolist()), tuple(raw.tolist()), label)
