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

import pytest
import speedups
from _random_events import random_event
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

RULE_ONLY = {"rule_only_slots": ["opted_out"], "rule_only_loops": ["offer_form"]}


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
            tracker.update(random_event(rng, domain))
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
        tracker.update(random_event(rng, domain))
        for state in domain.states_for_tracker_history(tracker):  # as the featurizers do
            state.pop("prev_action", None)
            state.get("user", {}).pop("intent", None)
        assert domain.states_for_tracker_history(tracker) == _stock(domain, tracker)


def test_another_tracker_or_other_arguments_never_reuse_a_replay(domain):
    rng = random.Random(5)
    events = [random_event(rng, domain) for _ in range(30)]
    first = DialogueStateTracker.from_events("a", events, domain.slots)
    second = DialogueStateTracker.from_events("b", events[:10], domain.slots)
    assert domain.states_for_tracker_history(first) == _stock(domain, first)
    assert domain.states_for_tracker_history(second) == _stock(domain, second)
    assert domain.states_for_tracker_history(first, True, True, RULE_ONLY) == _stock(
        domain, first, True, True, RULE_ONLY
    )


def test_a_prepared_tracker_continues_the_replay_made_ahead(domain, monkeypatch):
    from speedups import past_states

    monkeypatch.setattr(past_states, "_requests", [])  # only the request made below
    rng = random.Random(8)
    domain.states_for_tracker_history(DialogueStateTracker.from_events("x", [], domain.slots))
    tracker = DialogueStateTracker.from_events("p", [], domain.slots)
    for _ in range(40):
        tracker.update(random_event(rng, domain))
    past_states.prepare(tracker)  # as tracker_store does after a turn is saved
    [replay] = past_states._replays[id(tracker)][1]
    assert replay.events == tracker.applied_events()
    for _ in range(6):
        tracker.update(random_event(rng, domain))
    assert replay.continues(tracker.applied_events())  # (this seed adds no undo)
    assert domain.states_for_tracker_history(tracker) == _stock(domain, tracker)
    assert past_states._replays[id(tracker)][1] == [replay]
