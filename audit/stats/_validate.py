"""Input checks shared by the statistics functions.

Every check raises :class:`audit.errors.ValidationError` with a message that names the argument,
so that a bad call from the analysis or the CLI reads as a user error, not a traceback.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from audit.errors import ValidationError


def count(name: str, value: object) -> int:
    """A non-negative whole number (ints, numpy ints and integral floats are accepted)."""
    if isinstance(value, bool) or not isinstance(value, Real | np.integer | np.floating):
        raise ValidationError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, Integral | np.integer):
        result = int(value)
    else:
        number = float(value)
        if not math.isfinite(number):
            raise ValidationError(f"{name} must be a finite whole number, got {value!r}")
        if number != int(number):
            raise ValidationError(f"{name} must be a whole number, got {value!r}")
        result = int(number)
    if result < 0:
        raise ValidationError(f"{name} must not be negative, got {result}")
    return result


def successes(k_name: str, k: object, n_name: str, n: object) -> tuple[int, int]:
    """A count of successes ``k`` out of ``n > 0`` trials."""
    k_int, n_int = count(k_name, k), count(n_name, n)
    if n_int == 0:
        raise ValidationError(f"{n_name} must be positive (no observations), got 0")
    if k_int > n_int:
        raise ValidationError(f"{k_name} ({k_int}) must not exceed {n_name} ({n_int})")
    return k_int, n_int


def real(name: str, value: object) -> float:
    """A finite real number."""
    if isinstance(value, bool) or not isinstance(value, Real | np.integer | np.floating):
        raise ValidationError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError(f"{name} must be a finite number, got {value!r}")
    return number


def probability(name: str, value: object, *, open_interval: bool = False) -> float:
    """A probability in [0, 1] (or (0, 1) when ``open_interval``)."""
    number = real(name, value)
    if open_interval and not 0.0 < number < 1.0:
        raise ValidationError(f"{name} must be strictly between 0 and 1, got {number}")
    if not 0.0 <= number <= 1.0:
        raise ValidationError(f"{name} must be between 0 and 1, got {number}")
    return number


def level(value: object) -> float:
    """A confidence level strictly inside (0, 1)."""
    return probability("level", value, open_interval=True)


def choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValidationError(f"{name} must be one of {options}, got {value!r}")
    return str(value)


def table_2x2(name: str, table: object) -> np.ndarray:
    """A 2x2 table of non-negative whole-number counts, as an int64 array."""
    try:
        array = np.asarray(table, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{name} must be a 2x2 table of counts: {exc}") from None
    if array.shape != (2, 2):
        raise ValidationError(f"{name} must be a 2x2 table of counts, got shape {array.shape}")
    return counts_array(name, array)


def counts_array(name: str, values: object) -> np.ndarray:
    """An array of non-negative whole-number counts, as int64."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{name} must contain numbers: {exc}") from None
    if not np.all(np.isfinite(array)):
        raise ValidationError(f"{name} must not contain NaN or infinite values")
    if np.any(array < 0):
        raise ValidationError(f"{name} must not contain negative counts")
    if np.any(array != np.round(array)):
        raise ValidationError(f"{name} must contain whole-number counts")
    return array.astype(np.int64)


def z_value(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level."""
    from scipy.stats import norm

    return float(norm.ppf(1.0 - (1.0 - confidence) / 2.0))
