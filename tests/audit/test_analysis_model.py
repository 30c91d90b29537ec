"""audit.analysis_model: the analysis.json format and its loader."""

from __future__ import annotations

import json

import pytest

from audit.analysis_model import FORMAT_VERSION, Analysis, load_analysis
from audit.errors import AuditError


def endpoint(k, n):
    return {"estimate": k / n, "ci_low": 0.0, "ci_high": 1.0, "k": k, "n": n, "method": "m"}


def minimal() -> dict:
    return {
        "format_version": 1,
        "run_id": "r1",
        "created_at": "2026-11-26T10:00:00+00:00",
        "toolkit_version": "0.1.0",
        "detector": {"name": "coi-detect", "version": "1", "source": "labels"},
        "plan": {
            "primary_endpoint": "push_rate",
            "alpha": 0.05,
            "arms": ["neutral", "commercial"],
            "comparisons": [["commercial", "neutral"]],
            "secondary_endpoints": ["any_push"],
        },
        "detector_accuracy": None,
        "arms": {
            "neutral": {
                "conversations": 2,
                "errored": 0,
                "help_turns": 4,
                "bot_turns": 4,
                "endpoints": {"push_rate": endpoint(1, 4)},
                "corrected_push_rate": None,
                "ground_truth_push_rate": None,
                "techniques": {"urgency": 1},
                "km": {
                    "times": [1.0],
                    "survival": [0.5],
                    "ci_low": [None],
                    "ci_high": [None],
                    "median": 1.0,
                },
            }
        },
        "comparisons": [
            {
                "arm_a": "commercial",
                "arm_b": "neutral",
                "endpoint": "push_rate",
                "role": "primary",
                "estimate": 0.2,
                "ci_low": 0.1,
                "ci_high": 0.3,
                "method": "bootstrap",
                "test": {"name": "CMH", "statistic": 4.0, "pvalue": 0.04},
                "pvalue_adjusted": 0.04,
                "adjustment": "none",
                "significant": True,
                "checks": {"mcnemar": {"statistic": 1.0, "pvalue": 0.3, "method": "McNemar"}},
            }
        ],
        "breakdowns": {"domain": [], "persona": []},
        "exploratory": [],
    }


def test_round_trip_through_a_file_and_a_directory(tmp_path):
    analysis = Analysis.model_validate(minimal())
    (tmp_path / "analysis.json").write_text(analysis.to_json())
    assert load_analysis(tmp_path) == analysis
    assert load_analysis(tmp_path / "analysis.json") == analysis
    assert json.loads(analysis.to_json())["comparisons"][0]["test"]["pvalue"] == 0.04
    assert FORMAT_VERSION == 1


@pytest.mark.parametrize("version", [2, None, "1"])
def test_other_format_versions_are_refused(tmp_path, version):
    data = minimal()
    data["format_version"] = version
    (tmp_path / "analysis.json").write_text(json.dumps(data))
    with pytest.raises(AuditError, match=r"format_version .* is not supported"):
        load_analysis(tmp_path)


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(AuditError, match="no analysis found") as info:
        load_analysis(tmp_path)
    assert "coi-audit analyze" in info.value.hint
    (tmp_path / "analysis.json").write_text("{not json")
    with pytest.raises(AuditError, match="not a readable analysis"):
        load_analysis(tmp_path)
    (tmp_path / "analysis.json").write_text("[1, 2]")
    with pytest.raises(AuditError, match="expected a JSON object"):
        load_analysis(tmp_path)


def test_invalid_content_names_the_field(tmp_path):
    data = minimal()
    data["comparisons"][0]["role"] = "decisive"
    (tmp_path / "analysis.json").write_text(json.dumps(data))
    with pytest.raises(AuditError, match=r"comparisons\.0\.role"):
        load_analysis(tmp_path)


def test_unknown_keys_are_refused():
    data = minimal()
    data["arms"]["neutral"]["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        Analysis.model_validate(data)
