"""speedups/tracker_store.py hands out the tracker stock Rasa would rebuild, prepared earlier."""

from __future__ import annotations

import asyncio
import random

from _random_events import random_event
from conftest import ASSISTANT_DIR
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from speedups import tracker_store


def _tracker(domain, sender, seed, events=40):
    rng = random.Random(seed)
    tracker = DialogueStateTracker.from_events(sender, [], domain.slots)
    for _ in range(events):
        tracker.update(random_event(rng, domain))
    return tracker


def _dump(tracker):
    return [e.as_dict() for e in tracker.events], {n: s.value for n, s in tracker.slots.items()}


def _stock_rebuild(store, sender):
    return tracker_store._stock_deserialise(store, sender, store.store[sender])


async def _save(store, tracker, pause=True):
    await store.save(tracker)
    if pause:
        await asyncio.sleep(0)  # the moment after a reply, when the loop is free


def test_the_next_retrieve_gets_the_prepared_tracker_equal_to_a_stock_rebuild(domain):
    async def scenario():
        store = InMemoryTrackerStore(domain)
        for seed in range(20):
            await _save(store, _tracker(domain, f"s{seed}", seed))
        for seed in range(20):
            sender = f"s{seed}"
            prepared = tracker_store._prepared[(id(store), sender)].tracker
            # What retrieve calls (before keeping the last session, as stock Rasa does).
            rebuilt = store.deserialise_tracker(sender, store.store[sender])
            assert rebuilt is prepared
            assert _dump(rebuilt) == _dump(_stock_rebuild(store, sender))
            again = store.deserialise_tracker(sender, store.store[sender])  # handed out once
            assert again is not rebuilt and _dump(again) == _dump(rebuilt)

    asyncio.run(scenario())


def test_a_tracker_prepared_from_an_older_string_or_domain_is_not_used(domain):
    async def scenario():
        store = InMemoryTrackerStore(domain)
        tracker = _tracker(domain, "a", 1)
        await _save(store, tracker)
        stale = tracker_store._prepared[(id(store), "a")].tracker
        tracker.update(SlotSet(domain.slots[0].name, "newer"))
        await _save(store, tracker, pause=False)  # retrieved before the new one is prepared
        retrieved = await store.retrieve("a")
        assert retrieved is not stale
        assert retrieved.slots[domain.slots[0].name].value == "newer"

        await _save(store, tracker)
        store.domain = Domain.load(str(ASSISTANT_DIR / "domain.yml"))  # a new model's domain
        retrieved = await store.retrieve("a")
        assert retrieved is not None and retrieved.slots[domain.slots[0].name].value == "newer"
        assert (id(store), "a") not in tracker_store._prepared

    asyncio.run(scenario())


def test_prepared_trackers_are_bounded(domain, monkeypatch):
    monkeypatch.setattr(tracker_store, "MAX_PREPARED", 5)

    async def scenario():
        store = InMemoryTrackerStore(domain)
        for seed in range(12):
            await _save(store, _tracker(domain, f"b{seed}", seed, events=5))
        mine = [key for key in tracker_store._prepared if key[0] == id(store)]
        assert mine == [(id(store), f"b{seed}") for seed in range(7, 12)]  # the newest five

    asyncio.run(scenario())
