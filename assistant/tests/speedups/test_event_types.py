"""speedups/event_types.py resolves event classes exactly as Rasa does, scanning once."""

from __future__ import annotations


def test_event_classes_resolve_as_in_stock_rasa():
    from rasa.shared.core import events
    from rasa.shared.utils.common import all_subclasses

    for cls in all_subclasses(events.Event):
        stock = next(c for c in all_subclasses(events.Event) if c.type_name == cls.type_name)
        assert events.Event.resolve_by_type(cls.type_name) is stock
        assert events.Event.resolve_by_type(cls.type_name) is stock  # cached
    assert events.Event.resolve_by_type("topic") is None
    assert events.Event.resolve_by_type("no_such", events.BotUttered) is events.BotUttered
    serialised = [events.SlotSet("a", {"b": 1}).as_dict(), events.ActionExecuted("x").as_dict()]
    assert [type(e) for e in events.deserialise_events(serialised)] == [
        events.SlotSet,
        events.ActionExecuted,
    ]
