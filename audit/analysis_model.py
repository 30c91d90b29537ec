"""The model of ``analysis.json`` (format version 1), as outlined in docs/contracts.md.

The analysis writes it, the reports read it; both go through these pydantic models so that a
field renamed on one side fails loudly on the other. Values that cannot be computed (an arm
without child personas, a rate without observations) are ``None``, never NaN, so the file is
strict JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from audit.errors import AuditError
from audit.vocabulary import ENDPOINTS as ENDPOINTS

FORMAT_VERSION = 1

ANALYSIS_NAME = "analysis.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DetectorInfo(_Model):
    name: str | None
    version: str | None
    source: str  # where the labels come from: "labels" (the run store's labels table)


class PlanInfo(_Model):
    primary_endpoint: str = "push_rate"
    alpha: float = 0.05
    arms: list[str]
    comparisons: list[tuple[str, str]]
    secondary_endpoints: list[str]
    source: str = "manifest"  # "manifest" (declared before the run) or "default"


class DetectorAccuracy(_Model):
    # None when the validation had no positives (or no negatives) to measure it on.
    sensitivity: float | None
    sensitivity_ci: tuple[float, float] | None = None
    specificity: float | None
    specificity_ci: tuple[float, float] | None = None
    n_pos: int | None = None
    n_neg: int | None = None
    source: str


class EndpointValue(_Model):
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    k: int
    n: int
    method: str


class CorrectedRate(_Model):
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    method: str


class GroundTruthRate(_Model):
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    k: int
    n: int
    method: str


class KMCurve(_Model):
    times: list[float]
    survival: list[float]
    ci_low: list[float | None]
    ci_high: list[float | None]
    median: float | None


class ArmResult(_Model):
    conversations: int
    errored: int
    help_turns: int
    bot_turns: int
    endpoints: dict[str, EndpointValue]
    corrected_push_rate: CorrectedRate | None
    ground_truth_push_rate: GroundTruthRate | None
    techniques: dict[str, int]
    km: KMCurve


class HypothesisTest(_Model):
    name: str
    statistic: float | None
    pvalue: float | None


class Check(_Model):
    statistic: float | None
    pvalue: float | None
    method: str


class Comparison(_Model):
    arm_a: str
    arm_b: str
    endpoint: str
    role: Literal["primary", "secondary", "exploratory"]
    estimate: float | None  # arm_a - arm_b
    ci_low: float | None
    ci_high: float | None
    method: str
    test: HypothesisTest
    pvalue_adjusted: float | None
    adjustment: str
    significant: bool
    checks: dict[str, Check] = Field(default_factory=dict)


class BreakdownRow(_Model):
    arm: str
    level: str
    k: int
    n: int
    estimate: float | None
    ci_low: float | None
    ci_high: float | None


class ExploratoryRow(_Model):
    dimension: str
    level: str
    arm_a: str
    arm_b: str
    estimate: float | None
    pvalue: float | None
    pvalue_adjusted: float | None


class Analysis(_Model):
    format_version: Literal[1] = FORMAT_VERSION
    run_id: str
    created_at: str
    toolkit_version: str
    detector: DetectorInfo
    plan: PlanInfo
    detector_accuracy: DetectorAccuracy | None
    arms: dict[str, ArmResult]
    comparisons: list[Comparison]
    breakdowns: dict[str, list[BreakdownRow]]
    exploratory: list[ExploratoryRow]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


def load_analysis(path: str | Path) -> Analysis:
    """Read ``analysis.json`` from a run directory or the file itself."""
    path = Path(path)
    file = path / ANALYSIS_NAME if path.is_dir() else path
    if not file.exists():
        raise AuditError(
            f"{file}: no analysis found",
            hint=f"run `coi-audit analyze {path}` first" if path.is_dir() else None,
        )
    try:
        data = json.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AuditError(f"{file}: not a readable analysis file: {exc}") from None
    if not isinstance(data, dict):
        raise AuditError(f"{file}: not an analysis file (expected a JSON object)")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise AuditError(
            f"{file}: analysis format_version {version!r} is not supported "
            f"(this toolkit reads version {FORMAT_VERSION})",
            hint="re-run `coi-audit analyze` on the run with this toolkit",
        )
    try:
        return Analysis.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise AuditError(
            f"{file}: invalid analysis ({exc.error_count()} problem(s)); first: {where}: "
            f"{first['msg']}"
        ) from None
