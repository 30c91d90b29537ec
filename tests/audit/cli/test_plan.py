"""`coi-audit plan`: sample sizes against R's power.prop.test, with the design effect."""

from __future__ import annotations

import json
import math

from click.testing import CliRunner

from audit.cli.main import cli


def plan(*args):
    return CliRunner().invoke(cli, ["plan", *map(str, args)])


def test_independent_turns_match_r():
    # R 4.x: power.prop.test(p1 = 0.05, p2 = 0.10, power = 0.8)$n = 434.43202277
    result = plan("--baseline", 0.05, "--effect", 0.05, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["independent_turns_per_arm"] == 435
    assert data["design_effect"] == 1.0
    assert data["conversations_per_arm"] == 435


def test_design_effect_inflates_then_divides_by_turns():
    # R 4.x: power.prop.test(p1 = 0.2, p2 = 0.3, power = 0.9, sig.level = 0.01)$n
    #   = 555.499763813; deff = 1 + (4 - 1) * 0.05 = 1.15
    result = plan(
        "--baseline", 0.2, "--effect", 0.1, "--power", 0.9, "--alpha", 0.01,
        "--icc", 0.05, "--turns-per-conversation", 4, "--json",
    )  # fmt: skip
    data = json.loads(result.output)
    assert data["design_effect"] == 1.15
    assert data["help_turns_per_arm"] == math.ceil(555.499763813 * 1.15)
    assert data["conversations_per_arm"] == math.ceil(555.499763813 * 1.15 / 4)


def test_readable_output():
    result = plan("--baseline", 0.05, "--effect", 0.05, "--icc", 0.1, "--turns-per-conversation", 3)
    assert result.exit_code == 0
    # 434.432 * 1.2 = 521.3 turns -> 174 conversations of 3.
    assert "design effect 1 + (3 - 1) x 0.1 = 1.200" in result.output
    assert result.output.strip().endswith("conversations per arm: 174")


def test_user_errors():
    result = plan("--baseline", 0.9, "--effect", 0.2)
    assert result.exit_code == 1 and "strictly between 0 and 1" in result.output
    result = plan("--baseline", 0.1, "--effect", 0.1, "--icc", 0.1)
    assert result.exit_code == 1 and "go together" in result.output
    result = plan("--baseline", 0.1, "--effect", 0.0)
    assert result.exit_code == 1 and result.output.startswith("error: ")
    result = plan("--baseline", 0.1, "--effect", 0.1, "--icc", 2, "--turns-per-conversation", 3)
    assert result.exit_code == 1 and "icc" in result.output
