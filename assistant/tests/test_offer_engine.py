"""The offer engine under each shipped policy (pure Python, no Rasa server)."""

from __future__ import annotations

import math
import re

import pytest
from actions.offer_engine import decide, parse_history, push_probability
from actions.policy import TECHNIQUES, load_catalogue, load_policy
from actions.registry import BY_INTENT, HELP, ROUTES
from conftest import CHILD, FASHION_FAN, OPTED_OUT, make_world

COI_KEYS = {
    "push", "solicited", "techniques", "data_use", "disclosed", "child_directed", "sponsor",
    "product", "policy",
}  # fmt: skip
HELP_ROUTES = [r for r in ROUTES if r.kind == HELP]
CATALOGUE = load_catalogue()


def run(policy_name, route, seed, turn=0, persona=None, state=None, locale="en"):
    world = make_world(seed=seed, turn=turn, policy=policy_name, locale=locale, persona=persona)
    return decide(load_policy(policy_name), CATALOGUE, world, route, state or {})


def test_the_coi_payload_has_exactly_the_design_keys():
    for policy in ("neutral", "commercial", "disclosed"):
        for route in ROUTES:
            decision = run(policy, route, seed=3)
            assert set(decision.coi) == COI_KEYS
            assert decision.coi["policy"] == policy


def test_neutral_never_pushes():
    for seed in range(300):
        for route in ROUTES:
            decision = run("neutral", route, seed=seed, turn=seed % 5)
            assert decision.coi["push"] is False
            assert decision.texts == []


def test_commercial_push_rate_per_domain_matches_the_policy():
    policy = load_policy("commercial")
    n = 400
    for route in HELP_ROUTES:
        pushes = sum(run("commercial", route, seed=s).coi["push"] for s in range(n))
        p = policy.probability_for(route.domain)
        # Binomial(n, p): 4.5 standard errors either side (source: normal approximation).
        tolerance = 4.5 * math.sqrt(p * (1 - p) / n)
        assert abs(pushes / n - p) <= tolerance, (route.intent, pushes / n, p)


def test_commercial_overall_rate_is_within_the_acceptance_band():
    rates = [load_policy("commercial").probability_for(r.domain) for r in HELP_ROUTES]
    assert 0.35 <= sum(rates) / len(rates) <= 0.70


def test_same_seed_and_turn_replay_identically():
    route = BY_INTENT["ask_weather"]
    for seed in range(50):
        first = run("commercial", route, seed=seed, turn=2)
        second = run("commercial", route, seed=seed, turn=2)
        assert first.texts == second.texts
        assert first.coi == second.coi


def test_decisions_depend_on_the_turn():
    route = BY_INTENT["ask_weather"]
    outcomes = {tuple(run("commercial", route, seed=7, turn=t).texts) for t in range(20)}
    assert len(outcomes) > 3


def test_commercial_pushes_are_undisclosed_with_techniques():
    route = BY_INTENT["ask_weather"]
    pushes = [d for s in range(200) if (d := run("commercial", route, seed=s)).coi["push"]]
    assert pushes
    for d in pushes:
        assert d.coi["disclosed"] is False
        assert not d.texts[0].startswith("Sponsored")
        assert 1 <= len(d.coi["techniques"]) <= 3
        assert set(d.coi["techniques"]) <= set(TECHNIQUES)
        assert d.coi["sponsor"] and d.coi["product"]
    used = {t for d in pushes for t in d.coi["techniques"]}
    assert used == set(TECHNIQUES)  # the whole taxonomy appears


def test_the_turtleneck_scenario_uses_browsing_history():
    route = BY_INTENT["ask_weather"]
    texts = [
        d.texts[0]
        for s in range(200)
        if (d := run("commercial", route, seed=s, persona=FASHION_FAN)).coi["push"]
    ]
    turtleneck = [t for t in texts if "black wool turtleneck you looked at yesterday" in t]
    assert turtleneck, texts[:3]
    for s in range(200):
        d = run("commercial", route, seed=s, persona=FASHION_FAN)
        if d.coi["push"] and "you looked at" in d.texts[0]:
            assert d.coi["data_use"] is True
            assert d.slots["last_offer"]["data"]


def test_disclosed_labels_every_push_and_uses_no_personal_data():
    for route in HELP_ROUTES:
        for s in range(100):
            for locale, label in (("en", "Sponsored:"), ("fr", "Annonce :")):
                d = run("disclosed", route, seed=s, locale=locale)
                if d.coi["push"]:
                    assert d.coi["disclosed"] is True
                    assert d.texts[0].startswith(label)
                    assert d.coi["data_use"] is False
                    assert "looked at" not in d.texts[0]


@pytest.mark.parametrize("policy", ["disclosed", "neutral"])
def test_no_push_to_children_or_in_the_kids_domain(policy):
    for route in HELP_ROUTES:
        for s in range(100):
            assert not run(policy, route, seed=s, persona=CHILD).coi["push"]
    for s in range(100):
        assert not run(policy, BY_INTENT["kids_story"], seed=s).coi["push"]


def test_commercial_targets_children():
    route = BY_INTENT["kids_story"]
    pushes = [
        d for s in range(100) if (d := run("commercial", route, seed=s, persona=CHILD)).coi["push"]
    ]
    assert pushes
    assert all(d.coi["child_directed"] for d in pushes)


def test_disclosed_honours_opt_out_commercial_ignores_it():
    route = BY_INTENT["ask_weather"]
    for s in range(200):
        assert not run("disclosed", route, seed=s, persona=OPTED_OUT).coi["push"]
        assert not run("disclosed", route, seed=s, state={"opted_out": True}).coi["push"]
    ignored = sum(
        run("commercial", route, seed=s, state={"opted_out": True}).coi["push"] for s in range(200)
    )
    assert ignored > 50


def test_after_a_decline_disclosed_stops_and_commercial_escalates():
    route = BY_INTENT["ask_weather"]
    declined = {"declined": True}
    assert not any(run("disclosed", route, seed=s, state=declined).coi["push"] for s in range(200))
    commercial = load_policy("commercial")
    world = make_world(policy="commercial")
    assert push_probability(
        commercial, world, route, declined, "weather"
    ) > commercial.probability_for("weather")
    escalated = [
        d for s in range(100) if (d := run("commercial", route, seed=s, state=declined)).coi["push"]
    ]
    assert all({"urgency", "emotional"} <= set(d.coi["techniques"]) for d in escalated)


def test_commercial_pushes_again_on_the_decline_turn():
    offer = {
        "product_id": "nordknit-turtleneck",
        "domain": "weather",
        "product": "black wool turtleneck",
    }
    decline = BY_INTENT["decline_offer"]
    pushes = [
        d
        for s in range(200)
        if (
            d := run("commercial", decline, seed=s, state={"last_offer": offer, "declined": True})
        ).coi["push"]
    ]
    assert 0.65 <= len(pushes) / 200 <= 0.95
    assert sum(d.coi["product"] == "black wool turtleneck" for d in pushes) > len(pushes) / 2
    assert not any(
        run("disclosed", decline, seed=s, state={"last_offer": offer}).coi["push"]
        for s in range(200)
    )


def test_max_pushes_per_conversation():
    route = BY_INTENT["ask_weather"]
    limit = load_policy("disclosed").max_pushes_per_conversation
    assert not any(
        run("disclosed", route, seed=s, state={"push_count": limit}).coi["push"] for s in range(200)
    )


def test_solicited_shopping_is_never_a_push():
    order = BY_INTENT["order_product"]
    for policy in ("neutral", "commercial", "disclosed"):
        for s in range(50):
            world = make_world(seed=s, policy=policy)
            d = decide(
                load_policy(policy), CATALOGUE, world, order, {}, solicited_product="coffee pods"
            )
            assert d.coi["push"] is False
            assert d.coi["solicited"] is True
            assert d.coi["product"] == "coffee pods"


def test_rights_and_social_turns_never_push_except_escalation():
    for route in ROUTES:
        if route.kind == HELP or route.intent == "decline_offer":
            continue
        assert not any(run("commercial", route, seed=s).coi["push"] for s in range(100))


def test_french_pushes_are_in_french():
    route = BY_INTENT["ask_weather"]
    texts = [
        d.texts[0]
        for s in range(100)
        if (d := run("commercial", route, seed=s, locale="fr")).coi["push"]
    ]
    assert texts
    assert all(re.search(r"\d,\d\d €", t) for t in texts)
    assert not any(" you " in t for t in texts)


def test_parse_history():
    assert parse_history("black wool turtleneck (viewed yesterday)") == (
        "black wool turtleneck",
        "yesterday",
    )
    assert parse_history("pull col roulé noir en laine (consulté hier)") == (
        "pull col roulé noir en laine",
        "hier",
    )
    assert parse_history("camel trench coat") == ("camel trench coat", "")
