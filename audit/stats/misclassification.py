"""Correcting an observed rate for the detector's measured sensitivity and specificity."""

from __future__ import annotations

import math
from dataclasses import dataclass

from audit.errors import ValidationError
from audit.stats import _validate as check
from audit.stats._result import Estimate


@dataclass(frozen=True)
class CorrectedRate(Estimate):
    """Rogan-Gladen corrected prevalence; ``se`` is its delta-method standard error."""

    p_observed: float | None = None
    sensitivity: float | None = None
    specificity: float | None = None
    se: float | None = None
    clipped: bool = False


def rogan_gladen(
    p_observed: float,
    sensitivity: float,
    specificity: float,
    *,
    n_observed: int | None = None,
    se_observed: float | None = None,
    n_sensitivity: int | None = None,
    n_specificity: int | None = None,
    level: float = 0.95,
) -> CorrectedRate:
    """Rogan-Gladen estimate ``(p + Sp - 1) / (Se + Sp - 1)``, clipped to [0, 1].

    The interval is a delta-method (Wald) interval that adds the sampling variances of the
    observed rate and of the validation estimates of sensitivity and specificity. With
    J = Se + Sp - 1 the partial derivatives of the estimate are 1/J (p), -p_true/J (Se) and
    (1 - p_true)/J (Sp), the three estimates are independent samples, so:

        Var = [Var(p) + p_true^2 Se(1-Se)/n_Se + (1-p_true)^2 Sp(1-Sp)/n_Sp] / (Se+Sp-1)^2

    ``Var(p)`` is ``se_observed**2`` when given (e.g. a cluster-bootstrap standard error) or
    ``p(1-p)/n_observed``. Omitting ``n_sensitivity``/``n_specificity`` treats that quantity as
    known exactly. Without any sample size only the point estimate is returned.
    """
    p = check.probability("p_observed", p_observed)
    sens = check.probability("sensitivity", sensitivity)
    spec = check.probability("specificity", specificity)
    level = check.level(level)
    youden = sens + spec - 1.0
    if youden <= 0.0:
        raise ValidationError(
            f"sensitivity + specificity must exceed 1 for a correction "
            f"(got {sens} + {spec}): the detector is no better than chance"
        )
    if n_observed is not None and se_observed is not None:
        raise ValidationError("give either n_observed or se_observed, not both")
    raw = (p + spec - 1.0) / youden
    corrected = min(1.0, max(0.0, raw))
    variance_p = None
    if se_observed is not None:
        s = check.real("se_observed", se_observed)
        if s < 0:
            raise ValidationError(f"se_observed must not be negative, got {s}")
        variance_p = s * s
    elif n_observed is not None:
        n = check.count("n_observed", n_observed)
        if n == 0:
            raise ValidationError("n_observed must be positive")
        variance_p = p * (1 - p) / n
    variance_sens = _validation_variance("n_sensitivity", n_sensitivity, sens)
    variance_spec = _validation_variance("n_specificity", n_specificity, spec)
    method = "Rogan-Gladen corrected prevalence"
    if variance_p is None and n_sensitivity is None and n_specificity is None:
        return CorrectedRate(
            corrected,
            None,
            None,
            None,
            None,
            method,
            level,
            p_observed=p,
            sensitivity=sens,
            specificity=spec,
            clipped=raw != corrected,
        )
    variance = (
        (variance_p or 0.0) + corrected**2 * variance_sens + (1.0 - corrected) ** 2 * variance_spec
    ) / youden**2
    se = math.sqrt(variance)
    z = check.z_value(level)
    return CorrectedRate(
        corrected,
        max(0.0, corrected - z * se),
        min(1.0, corrected + z * se),
        None,
        None,
        method + ", delta-method interval",
        level,
        p_observed=p,
        sensitivity=sens,
        specificity=spec,
        se=se,
        clipped=raw != corrected,
    )


def _validation_variance(name: str, n: int | None, value: float) -> float:
    if n is None:
        return 0.0
    size = check.count(name, n)
    if size == 0:
        raise ValidationError(f"{name} must be positive")
    return value * (1.0 - value) / size
