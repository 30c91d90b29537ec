"""speedups/rule_lookup.py keeps exactly the rules the stock look-up keeps.

Random rule sets (one to five states per rule, conversation starters, slots that must not be
set, loops) are matched against random conversations drawn from the same small vocabulary, so
that many rules match; each answer is compared with stock ``RulePolicy._get_possible_keys``.
The trained model's own rules are checked on the states of the conversations in
``test_install.py`` by that test.
"""

from __future__ import annotations

import json
import random

import pytest
import speedups
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import SHOULD_NOT_BE_SET

ACTIONS = ["action_listen", "action_greet_user", "action_offer_product", "action_tell_weather"]
INTENTS = ["greet", "ask_weather", "decline_offer"]


def _state(rng: random.Random, rule: bool) -> dict:
    state: dict = {}
    draw = rng.random()
    if draw < 0.75:
        state["prev_action"] = {"action_name": rng.choice(ACTIONS)}
    elif draw < 0.82:
        state["prev_action"] = {"action_text": "Hello!"}  # an end-to-end bot text
    elif draw < 0.87 and rule:
        state["prev_action"] = {"action_name": SHOULD_NOT_BE_SET}
    if rng.random() < 0.6:
        state["user"] = {"intent": rng.choice(INTENTS)}
    if rng.random() < 0.4:
        value = SHOULD_NOT_BE_SET if rule and rng.random() < 0.3 else [rng.choice([0.0, 1.0])]
        state["slots"] = {"opted_out": value if rule else tuple(value)}
    if rng.random() < 0.15:
        state["active_loop"] = {"name": rng.choice(["offer_form", SHOULD_NOT_BE_SET])}
    return state


def _case(seed: int) -> tuple[dict[str, str], list[dict]]:
    rng = random.Random(seed)
    rules = {}
    for _ in range(rng.randint(1, 40)):
        states = [_state(rng, rule=True) for _ in range(rng.randint(1, 5))]
        rules[json.dumps(states, sort_keys=True)] = rng.choice(ACTIONS)
    conversation = [_state(rng, rule=False) for _ in range(rng.randint(0, 12))]
    return rules, conversation


@pytest.fixture(scope="module")
def policy() -> RulePolicy:
    return RulePolicy.__new__(RulePolicy)  # the look-up uses no trained state besides `lookup`


def test_the_same_rules_are_kept_as_by_the_stock_look_up(policy):
    stock = speedups.stock(RulePolicy, "_get_possible_keys")
    non_empty = 0
    for seed in range(3000):
        rules, conversation = _case(seed)
        expected = stock(policy, rules, conversation)
        assert policy._get_possible_keys(rules, conversation) == expected, seed
        non_empty += bool(expected)
    assert non_empty > 600  # many cases really match some rules


def test_a_rule_longer_than_the_newest_state_is_checked_further_back(policy):
    listen, greet = {"action_name": "action_listen"}, {"intent": "greet"}
    two_turns = json.dumps([{"prev_action": {"action_name": "action_greet_user"}},
                            {"prev_action": listen, "user": greet}])  # fmt: skip
    conversation_after_greeting = [
        {"prev_action": {"action_name": "action_greet_user"}},
        {"prev_action": listen, "user": greet},
    ]
    conversation_after_weather = [
        {"prev_action": {"action_name": "action_tell_weather"}},
        {"prev_action": listen, "user": greet},
    ]
    rules = {two_turns: "action_offer_product"}
    assert policy._get_possible_keys(rules, conversation_after_greeting) == {two_turns}
    assert policy._get_possible_keys(rules, conversation_after_weather) == set()


def test_a_changed_lookup_is_indexed_again(policy):
    rules, conversation = _case(7)
    stock = speedups.stock(RulePolicy, "_get_possible_keys")
    assert policy._get_possible_keys(rules, conversation) == stock(policy, rules, conversation)
    rules[json.dumps([{"prev_action": {"action_name": "action_listen"}}])] = "action_listen"
    assert policy._get_possible_keys(rules, conversation) == stock(policy, rules, conversation)
