"""Per-cluster sums of an outcome for two arms (the input of the cluster bootstrap)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit.errors import ValidationError


def cluster_sums(df, cluster, arm, outcome, arms=None):
    """Per-cluster outcome sums and row counts for the two arms: arrays of shape (C, 2)."""
    if not isinstance(df, pd.DataFrame):
        raise ValidationError("df must be a pandas DataFrame")
    for role, column in (("cluster", cluster), ("arm", arm), ("outcome", outcome)):
        if column not in df.columns:
            raise ValidationError(f"{role} column {column!r} is not in the data")
    if len(df) == 0:
        raise ValidationError("the data is empty: no rows to analyse")
    arm_values = df[arm]
    if arms is None:
        present_arms = sorted(pd.unique(arm_values.dropna()).tolist())
        if len(present_arms) != 2:
            raise ValidationError(
                f"expected exactly two arms in column {arm!r}, found {len(present_arms)}; "
                "pass arms=(first, second)"
            )
        arm_pair = tuple(present_arms)
    else:
        arm_pair = tuple(arms)
        if len(arm_pair) != 2 or arm_pair[0] == arm_pair[1]:
            raise ValidationError(f"arms must be two different arms, got {arms!r}")
    arm_code = np.full(len(df), -1, dtype=np.int64)
    arm_code[(arm_values == arm_pair[0]).to_numpy()] = 0
    arm_code[(arm_values == arm_pair[1]).to_numpy()] = 1
    rows = arm_code >= 0
    for code, name in enumerate(arm_pair):
        if not np.any(arm_code == code):
            raise ValidationError(f"arm {name!r} has no rows")
    try:
        values = pd.to_numeric(df[outcome], errors="raise").to_numpy(dtype=float)[rows]
    except (TypeError, ValueError):
        raise ValidationError(f"outcome column {outcome!r} must be numeric") from None
    if not np.all(np.isfinite(values)):
        raise ValidationError(f"outcome column {outcome!r} contains NaN or infinite values")
    cluster_values = df[cluster].to_numpy()[rows]
    if pd.isna(cluster_values).any():
        raise ValidationError(f"cluster column {cluster!r} contains missing values")
    cluster_code, uniques = pd.factorize(cluster_values, sort=False)
    n_clusters = len(uniques)
    flat = cluster_code * 2 + arm_code[rows]
    num = np.bincount(flat, weights=values, minlength=2 * n_clusters).reshape(n_clusters, 2)
    den = np.bincount(flat, minlength=2 * n_clusters).reshape(n_clusters, 2).astype(float)
    present = den > 0
    for code, name in enumerate(arm_pair):
        if present[:, code].sum() < 2:
            raise ValidationError(
                f"arm {name!r} has fewer than 2 clusters: its variance cannot be estimated"
            )
    return arm_pair, (num, den), present
