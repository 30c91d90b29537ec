"""Trackers rebuilt from the in-memory store just after a reply, not at the start of the next turn.

``InMemoryTrackerStore`` keeps each conversation as a JSON string and rebuilds the tracker from
it (parse the JSON, deserialise every event, replay every event) when the conversation's next
message arrives, on the critical path of that reply. Here the same rebuild, by the stock
``deserialise_tracker`` from the same stored string, is scheduled as soon as a turn is saved: it
runs once the reply has been written, while the client reads it and sends the next turn. The
next ``retrieve`` for that conversation hands that tracker out, once, and only if the store
still holds the very string it was built from, with the same domain and event-history limit;
otherwise it rebuilds as stock Rasa does. At most ``MAX_PREPARED`` trackers wait, the oldest is
dropped first (a conversation that ends leaves one behind). The prepared tracker's dialogue
states are replayed ahead too (``past_states.prepare``).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any, NamedTuple

from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore

from speedups import past_states

MAX_PREPARED = 256

_stock_save = InMemoryTrackerStore.save
_stock_deserialise = TrackerStore.deserialise_tracker


class _Prepared(NamedTuple):
    serialised: str  # the stored string it was built from (compared by identity)
    domain: Any
    max_event_history: int | None
    tracker: Any


# (id of the store, sender id) -> the tracker built after the last save
_prepared: OrderedDict[tuple[int, str], _Prepared] = OrderedDict()


def _prepare(store: InMemoryTrackerStore, sender_id: str, serialised: str) -> None:
    if store.store.get(sender_id) is not serialised:
        return  # saved again since: the next save schedules its own
    try:
        tracker = _stock_deserialise(store, sender_id, serialised)
    except Exception:  # retrieve rebuilds again and raises it where it belongs
        return
    past_states.prepare(tracker)  # its dialogue states, replayed ahead too
    key = (id(store), sender_id)
    _prepared[key] = _Prepared(serialised, store.domain, store.max_event_history, tracker)
    _prepared.move_to_end(key)
    while len(_prepared) > MAX_PREPARED:
        _prepared.popitem(last=False)


async def save(self: InMemoryTrackerStore, tracker: Any) -> None:
    """The stock save, then the rebuild of the saved tracker scheduled for after the reply."""
    await _stock_save(self, tracker)
    sender_id = tracker.sender_id
    _prepared.pop((id(self), sender_id), None)
    asyncio.get_running_loop().call_soon(_prepare, self, sender_id, self.store[sender_id])


def deserialise_tracker(self: TrackerStore, sender_id: str, serialised_tracker: Any) -> Any:
    """The tracker prepared from exactly this stored string, else the stock rebuild."""
    entry = _prepared.pop((id(self), sender_id), None)
    if (
        entry is not None
        and entry.serialised is serialised_tracker
        and entry.domain is self.domain
        and entry.max_event_history == self.max_event_history
    ):
        return entry.tracker
    return _stock_deserialise(self, sender_id, serialised_tracker)


# (owner, attribute, replacement) for speedups.install()
PATCHES = [
    (InMemoryTrackerStore, "save", save),
    (TrackerStore, "deserialise_tracker", deserialise_tracker),
]
