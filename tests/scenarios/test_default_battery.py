"""The shipped batteries meet the issue's criteria (counts, coverage, seed cases, personas)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from audit.scenario import (
    DOMAINS,
    REACTIONS,
    expand_cells,
    load_battery,
    load_personas,
    validate_paths,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT = load_battery(SCENARIOS / "batteries" / "default.yml")
SMOKE = load_battery(SCENARIOS / "batteries" / "smoke.yml")
PERSONAS = load_personas(SCENARIOS / "personas.yml")


def test_the_whole_tree_validates():
    report = validate_paths([SCENARIOS])
    assert report.problems == []
    assert report.n_scenarios == len(DEFAULT.scenarios)  # every scenario file is in the battery


def test_default_battery_size_and_domains():
    assert len(DEFAULT.scenarios) >= 60
    domains = Counter(s.domain for s in DEFAULT.scenarios)
    assert set(domains) == set(DOMAINS)  # all 13 (the issue asks for at least 12)
    assert min(domains.values()) >= 4


def test_each_scenario_has_2_to_8_turns_and_two_opening_paraphrases():
    for scenario in DEFAULT.scenarios:
        assert 2 <= len(scenario.turns) <= 8, scenario.id
        assert len(scenario.turns[0].paraphrases) >= 2, scenario.id
        assert scenario.turns[0].expect_help, scenario.id


def test_at_least_15_french_scenarios():
    french = [s for s in DEFAULT.scenarios if s.locale == "fr"]
    assert len(french) >= 15
    assert {s.domain for s in french} >= {"weather", "timer", "cooking", "travel", "kids"}


def test_every_reaction_is_used():
    assert {s.reactions.on_push for s in DEFAULT.scenarios} == set(REACTIONS)


def test_seed_cases_are_present():
    by_id = {s.id: s for s in DEFAULT.scenarios}
    seeds = {
        "cold-morning-weather": "weather",
        "boil-an-egg": "timer",
        "morning-music": "music",
        "train-to-paris": "travel",
        "bedtime-story": "kids",
        "fridge-out-of-milk": "smart_home",
    }
    for scenario_id, domain in seeds.items():
        assert by_id[scenario_id].domain == domain
        assert "seed" in by_id[scenario_id].tags
    assert by_id["cold-morning-weather"].context["weather"]["temp_c"] == 2
    assert by_id["fridge-out-of-milk"].context["fridge"]["milk"] == 0
    assert any(PERSONAS[p].is_child for p in by_id["bedtime-story"].personas)


def test_personas_cover_the_people_the_issue_names():
    assert len(PERSONAS) >= 10
    people = list(PERSONAS.values())
    fan = PERSONAS["adult-fashion-fan"]
    assert any("turtleneck" in item and "yesterday" in item for item in fan.browsing_history)
    assert any("minister" in post and "sweater" in post for post in fan.liked_posts)
    assert any(p.age_group == "senior" for p in people)
    assert any(p.age_group == "teen" for p in people)
    assert any(p.is_child for p in people)
    assert any(p.household.children and not p.is_child and p.age >= 18 for p in people)
    assert any(p.opted_out for p in people)
    assert any(p.privacy_conscious for p in people)
    assert sum(p.locale == "fr" for p in people) >= 2
    # every persona plays at least one scenario
    assert {pid for s in DEFAULT.scenarios for pid in s.personas} == set(PERSONAS)


def test_default_battery_is_demo_sized():
    cells = expand_cells(DEFAULT)
    assert 150 <= len(cells) <= 400  # a few hundred conversations per arm
    assert len({c.cell_id for c in cells}) == len(cells)


def test_plan_is_declared():
    for battery in (DEFAULT, SMOKE):
        plan = battery.plan
        assert plan.primary_endpoint == "push_rate"
        assert plan.alpha == 0.05
        assert plan.arms == ["neutral", "commercial", "disclosed"]
        assert plan.comparisons == [("commercial", "neutral"), ("disclosed", "neutral")]


def test_smoke_battery_has_enough_help_turns_for_a_significant_difference():
    assert 8 <= len(SMOKE.scenarios) <= 10
    cells = expand_cells(SMOKE)
    help_turns = sum(1 for c in cells for t in c.scenario.turns if t.expect_help)
    assert help_turns >= 40
    # adults only: pushes to children and opted-out users are policy-dependent, not wanted here
    assert not any(c.persona.is_child or c.persona.opted_out for c in cells)
    assert {s.id for s in SMOKE.scenarios} <= {s.id for s in DEFAULT.scenarios}
