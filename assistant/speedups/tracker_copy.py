"""Tracker copies made from the tracker's state instead of by replaying every event.

``DialogueStateTracker.copy`` builds a fresh tracker and replays the whole conversation into it;
the processor makes one before every action of a turn (to discard policy events if the action
is rejected), so a turn replays the history twice more. A tracker's state is, by Rasa's own
rule, exactly what replaying its events produces, so this copy takes that state directly: the
same event objects, copies of the slots and of the mutable dicts, and, as the replayed copy, no
model id, assistant id or sender source. Trackers whose state replaying would not rebuild (a
capped event history that has dropped events, slots created on demand) and subclasses are
copied the stock way.
"""

from __future__ import annotations

import copy
from collections import deque

from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.trackers import AnySlotDict, DialogueStateTracker

_stock_copy = DialogueStateTracker.copy
# The attributes of a tracker fresh from __init__: a tracker with others is copied the stock way.
_ATTRIBUTES = frozenset(vars(DialogueStateTracker("sender", [])))


def _copy(self: DialogueStateTracker) -> DialogueStateTracker:
    if (
        type(self) is not DialogueStateTracker
        or self._max_event_history is not None
        or isinstance(self.slots, AnySlotDict)
        or vars(self).keys() != _ATTRIBUTES
    ):
        return _stock_copy(self)
    new = DialogueStateTracker.__new__(DialogueStateTracker)
    new.__dict__.update(vars(self))
    new.sender_id = self.sender_id or DEFAULT_SENDER_ID
    new.events = deque(self.events)
    new.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    new.latest_action = None if self.latest_action is None else dict(self.latest_action)
    new.active_loop = copy.copy(self.active_loop)  # a mutable dataclass, or None
    # What init_copy leaves unset, as the stock (replayed) copy does.
    new.sender_source = None
    new.model_id = None
    new.assistant_id = None
    return new


# (owner, attribute, replacement) for speedups.install()
PATCHES = [(DialogueStateTracker, "copy", _copy)]
