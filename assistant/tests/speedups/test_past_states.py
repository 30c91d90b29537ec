"""speedups/past_states.py gives exactly the states of stock ``states_for_tracker_history``.

Random conversations on the project's domain (user turns, actions hidden or not, slots of every
type, bot turns, loops, follow-ups, restarts, new sessions, undone actions and rewound user
turns) are grown one event at a time on one tracker, as during a turn; after each event the
cached replay must equal a stock replay from scratch, for every combination of arguments. The
replay is asked for after some events only, so that an undo can be followed by new events
before the next call, as when a turn rewinds and goes on.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import speedups
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"
RULE_ONLY = {"rule_only_slots": ["opted_out"], "rule_only_loops": ["offer_form"]}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN_FILE))


def _slot_value(rng: random.Random, slot) -> object:
    kind = slot.type_name
    if kind == "bool":
        return rng.choice([True, False, None])
    if kind == "float":
        return rng.choice([0.0, 1.0, 3.0, None])
    if kind == "categorical":
        return rng.choice([*slot.values, None])
    if kind == "text":
        return rng.choice(["omelette", "", None])
    return rng.choice([{"seed": rng.randint(0, 3)}, ["a"], None])


def _event(rng: random.Random, domain: Domain):
    draw = rng.random()
    if draw < 0.25:
        intent = rng.choice(domain.intents)
        entities = [{"entity": e, "value": "x", "start": 0, "end": 1}
                    for e in rng.sample(domain.entities, k=min(len(domain.entities), 1))
                    if rng.random() < 0.3]  # fmt: skip
        return UserUttered(
            rng.choice(["hi", "boil an egg", ""]), {"name": intent, "confidence": 1.0}, entities
        )
    if draw < 0.6:
        name = rng.choice([*domain.action_names_or_texts, "action_listen", "offer_form"])
        return ActionExecuted(name, hide_rule_turn=rng.random() < 0.3)
    if draw < 0.8:
        slot = rng.choice(domain.slots)
        return SlotSet(slot.name, _slot_value(rng, slot))
    if draw < 0.88:
        return BotUttered(rng.choice(["Hello!", "Boil it 8 minutes."]))
    if draw < 0.91:
        return ActiveLoop(rng.choice(["offer_form", None]))
    if draw < 0.94:
        return FollowupAction(rng.choice(["action_listen", "action_offer_product"]))
    if draw < 0.985:
        return rng.choice([ActionReverted(), UserUtteranceReverted()])
    return rng.choice([Restarted(), SessionStarted()])


def _stock(domain, tracker, *args):
    return speedups.stock(Domain, "states_for_tracker_history")(domain, tracker, *args)


@pytest.mark.parametrize("omit_unset_slots", [False, True])
@pytest.mark.parametrize("ignore_rule_only_turns", [False, True])
def test_the_cached_replay_equals_a_stock_replay_after_every_event(
    domain, omit_unset_slots, ignore_rule_only_turns
):
    checked = states_seen = 0
    for seed in range(60):
        rng = random.Random(seed)
        tracker = DialogueStateTracker.from_events(f"s{seed}", [], domain.slots)
        rule_only = RULE_ONLY if rng.random() < 0.5 else None
        args = (omit_unset_slots, ignore_rule_only_turns, rule_only)
        for _ in range(rng.randint(5, 80)):
            tracker.update(_event(rng, domain))
            if rng.random() < 0.6:
                continue
            expected = _stock(domain, tracker, *args)
            assert domain.states_for_tracker_history(tracker, *args) == expected, seed
            checked += 1
            states_seen += len(expected)
    assert checked > 700 and states_seen > 4 * checked  # long histories, not empty ones


def test_callers_may_edit_the_states_they_get(domain):
    rng = random.Random(3)
    tracker = DialogueStateTracker.from_events("edit", [], domain.slots)
    for _ in range(40):
        tracker.update(_event(rng, domain))
        for state in domain.states_for_tracker_history(tracker):  # as the featurizers do
            state.pop("prev_action", None)
            state.get("user", {}).pop("intent", None)
        assert domain.states_for_tracker_history(tracker) == _stock(domain, tracker)


def test_another_tracker_or_other_arguments_never_reuse_a_replay(domain):
    rng = random.Random(5)
    events = [_event(rng, domain) for _ in range(30)]
    first = DialogueStateTracker.from_events("a", events, domain.slots)
    second = DialogueStateTracker.from_events("b", events[:10], domain.slots)
    assert domain.states_for_tracker_history(first) == _stock(domain, first)
    assert domain.states_for_tracker_history(second) == _stock(domain, second)
    assert domain.states_for_tracker_history(first, True, True, RULE_ONLY) == _stock(
        domain, first, True, True, RULE_ONLY
    )
