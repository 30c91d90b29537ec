"""domain.yml, data/*.yml and the policies agree with actions/registry.py and the brief."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from actions.policy import (
    DOMAINS,
    PolicyError,
    load_catalogue,
    load_policy,
    parse_policy,
    policy_names,
)
from actions.registry import OFFER_ACTION, ROUTES

ROOT = Path(__file__).resolve().parent.parent
FRENCH = re.compile(
    r"[àâçéèêëîïôûùœ]|\b(je|tu|le|la|les|des|du|une|mon|ma|est|quel|quelle|il|pour|moi|pas|merci|oui|non|bonjour|salut)\b",
    re.IGNORECASE,
)


def load(name):
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def examples(block):
    return [line[2:].strip() for line in block["examples"].strip().splitlines()]


def test_domain_lists_every_intent_and_action():
    domain = load("domain.yml")
    intents = {r.intent for r in ROUTES} - {"nlu_fallback"}
    assert set(domain["intents"]) == intents
    assert set(domain["actions"]) == {r.action for r in ROUTES} | {OFFER_ACTION}


def test_every_route_has_a_rule_ending_with_the_offer_engine():
    rules = load("data/rules.yml")["rules"]
    steps = {tuple(next(iter(s.values())) for s in rule["steps"]) for rule in rules}
    for route in ROUTES:
        assert (route.intent, route.action, OFFER_ACTION) in steps


def test_nlu_size_english_and_french():
    nlu = load("data/nlu.yml")["nlu"]
    assert len(nlu) >= 20
    french_intents = 0
    for block in nlu:
        english = [e for e in examples(block) if not FRENCH.search(e)]
        assert len(english) >= 15, block["intent"]
        french_intents += sum(bool(FRENCH.search(e)) for e in examples(block)) >= 5
    assert french_intents >= 8


def test_held_out_set_is_disjoint_and_large_enough():
    training = {e.lower() for b in load("data/nlu.yml")["nlu"] for e in examples(b)}
    held_out = [e for b in load("tests/nlu_heldout.yml")["nlu"] for e in examples(b)]
    assert len(held_out) >= 150
    assert not [e for e in held_out if e.lower() in training]


def test_at_least_30_test_stories():
    assert len(load("tests/test_stories.yml")["stories"]) >= 30


def test_shipped_policies_load():
    assert {"neutral", "commercial", "disclosed"} <= set(policy_names())
    for name in policy_names():
        assert load_policy(name).name == name


def test_catalogue_covers_every_push_domain():
    catalogue = load_catalogue()
    for domain in DOMAINS:
        if domain != "shopping":
            assert catalogue.get(domain), domain


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "unknown key"),
        ({"push_probability": 1.5}, "probability"),
        ({"after_decline": "sulk"}, "after_decline"),
        ({"techniques": {"bribery": 1}}, "unknown technique"),
        ({"domain_push_probability": {"garden": 0.2}}, "unknown domain"),
    ],
)
def test_bad_policies_are_rejected_with_the_key(change, message):
    data = {**load("policies/disclosed.yml"), **change}
    with pytest.raises(PolicyError, match=message):
        parse_policy(data, Path("bad.yml"))
