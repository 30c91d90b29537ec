"""speedups/tracker_copy.py copies a tracker into exactly the state the stock replay gives."""

from __future__ import annotations

import random

import speedups
from _random_events import random_event
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker


def _state(tracker: DialogueStateTracker) -> dict:
    """A snapshot of every attribute (later changes to the tracker do not show in it)."""
    state = dict(vars(tracker))
    state["events"] = [id(event) for event in tracker.events]  # the very same event objects
    state["slots"] = {name: dict(vars(slot)) for name, slot in tracker.slots.items()}
    state["latest_action"] = dict(tracker.latest_action or {})
    state["active_loop"] = dict(vars(tracker.active_loop)) if tracker.active_loop else None
    return state


def _stock_copy(tracker):
    return speedups.stock(DialogueStateTracker, "copy")(tracker)


def test_copies_equal_stock_copies_after_every_event(domain):
    compared = 0
    for seed in range(60):
        rng = random.Random(seed)
        tracker = DialogueStateTracker.from_events(f"c{seed}", [], domain.slots)
        tracker.model_id = "model"  # as the processor sets it; copies do not keep it
        for _ in range(rng.randint(5, 60)):
            tracker.update(random_event(rng, domain))
            assert _state(tracker.copy()) == _state(_stock_copy(tracker)), seed
            compared += 1
    assert compared > 1000


def test_a_copy_and_its_original_change_independently(domain):
    rng = random.Random(11)
    tracker = DialogueStateTracker.from_events("i", [], domain.slots)
    for _ in range(30):
        tracker.update(random_event(rng, domain))
    tracker.change_loop_to("offer_form")
    before = _state(tracker)
    copied = tracker.copy()
    slot = domain.slots[0].name
    copied.update(SlotSet(slot, "changed"))
    copied.reject_action("offer_form")  # changes the active loop in place
    copied.set_latest_action({"action_name": "action_listen"})
    assert _state(tracker) == before
    assert copied.slots[slot].value == "changed" and copied.is_active_loop_rejected


def test_trackers_a_replay_would_not_rebuild_are_copied_the_stock_way(domain):
    rng = random.Random(2)
    events = [random_event(rng, domain) for _ in range(40)]
    capped = DialogueStateTracker.from_events("cap", events, domain.slots, max_event_history=5)
    assert _state(capped.copy()) == _state(_stock_copy(capped))
    any_slots = DialogueStateTracker.from_events("any", events, None)
    assert _state(any_slots.copy()) == _state(_stock_copy(any_slots))
