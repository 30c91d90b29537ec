"""`coi-audit analyze` on a small synthetic run."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from audit.analysis_model import load_analysis
from audit.cli.main import cli
from audit.synthetic import make_synthetic_run


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("analyze") / "run"
    return make_synthetic_run(out, 600, arms={"neutral": 0.02, "commercial": 0.4}, seed=2)


def invoke(*args):
    return CliRunner().invoke(cli, ["analyze", *map(str, args)])


def test_prints_tables_and_writes_analysis_json(run):
    result = invoke(run, "--n-boot", 200)
    assert result.exit_code == 0, result.output
    for text in ("neutral", "commercial", "push_rate (primary)", "any_push", "CMH", "McNemar"):
        assert text in result.output
    analysis = load_analysis(run)
    assert set(analysis.arms) == {"neutral", "commercial"}


def test_json_output_is_the_file(run):
    result = invoke(run, "--n-boot", 200, "--json")
    assert result.exit_code == 0
    printed = json.loads(result.output)
    written = json.loads((run / "analysis.json").read_text())
    printed.pop("created_at"), written.pop("created_at")
    assert printed == written


def test_quiet_prints_nothing(run):
    result = invoke(run, "--n-boot", 200, "--quiet")
    assert result.exit_code == 0 and result.output == ""


def test_same_seed_same_intervals(run):
    first = json.loads(invoke(run, "--n-boot", 200, "--seed", 7, "--json").output)
    second = json.loads(invoke(run, "--n-boot", 200, "--seed", 7, "--json").output)
    assert first["comparisons"] == second["comparisons"]


def test_detector_accuracy_file(run, tmp_path):
    accuracy = tmp_path / "acc.json"
    accuracy.write_text(json.dumps({"sensitivity": 0.9, "specificity": 0.99}))
    result = invoke(run, "--n-boot", 200, "--detector-accuracy", accuracy, "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["detector_accuracy"]["source"] == str(accuracy)
    accuracy.write_text("{")
    result = invoke(run, "--detector-accuracy", accuracy)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "Traceback" not in result.output


def test_user_errors_are_one_line(tmp_path):
    result = invoke(tmp_path / "missing")
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "no run store" in result.output
    result = invoke(tmp_path, "--n-boot", 5)
    assert result.exit_code == 2  # click's usage error for an out-of-range option
