"""Load reference values written by tests/stats/reference/make_reference.R (R 4.x)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

REFERENCE = Path(__file__).resolve().parent / "reference"
RTOL = 1e-6  # the acceptance: agreement to 1e-6 relative


def _decode(value):
    if value == "Inf":
        return math.inf
    if value == "-Inf":
        return -math.inf
    if value is None:
        return math.nan
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    return value


def cases(name: str) -> list[dict]:
    """The reference cases of one JSON file (null -> NaN, "Inf" -> inf)."""
    payload = json.loads((REFERENCE / f"{name}.json").read_text())
    return [_decode(case) for case in payload["cases"]]


def assert_close(actual, expected, rtol: float = RTOL, atol: float = 1e-12) -> None:
    """Relative agreement, with NaN matching NaN (R's NA) and inf matching inf."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float),
        np.asarray(expected, dtype=float),
        rtol=rtol,
        atol=atol,
        equal_nan=True,
    )
