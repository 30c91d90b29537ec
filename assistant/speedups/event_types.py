"""Event classes looked up by name once, not by scanning every Event subclass per event."""

from __future__ import annotations

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_resolve_event_type = Event.resolve_by_type
_event_types: dict[str, type[Event]] = {}


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """``Event.resolve_by_type`` without walking every Event subclass for every event.

    Rasa deserialises the whole tracker from the in-memory store on each message and looks up
    each event's class by scanning ``all_subclasses(Event)`` (with ``inspect.isabstract`` on
    each): a tenth of the server's time. The class found for a name is remembered (event classes
    are all imported at start-up); unknown names always go to the original.
    """
    cls = _event_types.get(type_name)
    if cls is None:
        for candidate in all_subclasses(Event):  # the original's scan, done once per name
            if candidate.type_name == type_name:
                cls = _event_types[type_name] = candidate
                break
        else:
            return _resolve_event_type(type_name, default)
    return cls


# (owner, attribute, replacement) for speedups.install()
PATCHES = [(Event, "resolve_by_type", staticmethod(_resolve_by_type))]
