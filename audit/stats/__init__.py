"""Statistics for the audit: intervals, tests, multiplicity control, bootstrap, corrections.

Every function validates its input (raising :class:`audit.errors.ValidationError`) and returns
a frozen dataclass with ``estimate``, ``ci_low``, ``ci_high``, ``statistic``, ``pvalue`` and
``method`` as they apply. Each is checked against independently computed reference values
(R, or a published table) in ``tests/stats``.
"""

from __future__ import annotations

from audit.stats._result import Estimate
from audit.stats.bootstrap import BootstrapDiff, cluster_bootstrap_diff
from audit.stats.misclassification import CorrectedRate, rogan_gladen
from audit.stats.multiplicity import AdjustedPValues, adjust_pvalues
from audit.stats.paired import McNemarEstimate, mcnemar_test
from audit.stats.power import PowerResult, design_effect, power_two_proportions
from audit.stats.proportions import (
    DifferenceEstimate,
    clopper_pearson_ci,
    newcombe_diff_ci,
    wilson_ci,
)
from audit.stats.survival import KaplanMeier, LogrankResult, kaplan_meier, logrank_test
from audit.stats.tables import (
    BarnardEstimate,
    CMHEstimate,
    barnard_exact,
    cmh_test,
    fisher_exact,
    odds_ratio,
    risk_ratio,
)

__all__ = [
    "AdjustedPValues",
    "BarnardEstimate",
    "BootstrapDiff",
    "CMHEstimate",
    "CorrectedRate",
    "DifferenceEstimate",
    "Estimate",
    "KaplanMeier",
    "LogrankResult",
    "McNemarEstimate",
    "PowerResult",
    "adjust_pvalues",
    "barnard_exact",
    "clopper_pearson_ci",
    "cluster_bootstrap_diff",
    "cmh_test",
    "design_effect",
    "fisher_exact",
    "kaplan_meier",
    "logrank_test",
    "mcnemar_test",
    "newcombe_diff_ci",
    "odds_ratio",
    "power_two_proportions",
    "risk_ratio",
    "rogan_gladen",
    "wilson_ci",
]
