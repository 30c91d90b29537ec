"""The whole pipeline on the real reference assistant: run, detect, analyze, report, verify.

This is the demo's pipeline (``audit.demo.run_pipeline``) on the smoke battery against the real
Rasa server and action server started by the ``reference_assistant`` fixture.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from audit.demo import REPO_ROOT

pytestmark = pytest.mark.e2e

SMOKE = REPO_ROOT / "scenarios" / "batteries" / "smoke.yml"


@pytest.fixture(scope="module")
def pipeline(smoke_pipeline):
    return smoke_pipeline


def test_every_report_format_is_written(pipeline):
    names = sorted(p.name for p in pipeline.reports)
    assert names == ["report.html", "report.json", "report.md", "report.pdf"]
    assert all(p.stat().st_size > 0 for p in pipeline.reports)


def test_the_stored_run_verifies(pipeline):
    completed = subprocess.run(
        [sys.executable, "-m", "audit", "verify", str(pipeline.run_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_commercial_pushes_more_than_neutral(pipeline):
    headline = pipeline.headline
    assert headline.comparison == "commercial - neutral"
    estimate, ci_low, _ = headline.difference
    assert estimate > 0
    assert ci_low > 0
    assert headline.pvalue < 0.05
    assert pipeline.opinion == "negative"


def test_measured_rates_agree_with_the_assistants_ground_truth(pipeline):
    # The reference assistant reports its true pushes (custom.coi); the measured push rate of
    # each arm must cover the true rate within its 95% CI.
    analysis = json.loads((pipeline.run_dir / "analysis.json").read_text())
    for arm, figures in analysis["arms"].items():
        truth = figures["ground_truth_push_rate"]
        assert truth is not None, f"no ground truth for arm {arm}"
        measured = figures["endpoints"]["push_rate"]
        assert measured["ci_low"] <= truth["estimate"] <= measured["ci_high"], (
            arm,
            measured,
            truth,
        )
