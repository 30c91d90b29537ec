"""Speed-ups for the Rasa server, each a drop-in replacement with stock behaviour.

Installed by ``rasa_run.py`` (how ``coi-audit assistant start`` runs the Rasa server) before
Rasa's command line starts. Each module replaces one stock function and says in its docstring
why it is faster and why the result is the same; ``tests/speedups/`` compares each with the
stock function it replaces.

- ``action_schema``: action-server responses validated by a schema compiled once.
- ``event_types``: event classes looked up by name once.
- ``action_client``: pooled connections to the action server, ujson bodies.
- ``graph_runner``: the model's graph run in plain Python instead of dask's scheduler.
- ``past_states``: dialogue states replayed once per event instead of once per prediction.
- ``rule_lookup``: only the rules that can match are checked, and only as far back as needed.
- ``tracker_copy``: tracker copies taken from the tracker's state, not by replaying it.
- ``tracker_store``: the next turn's tracker rebuilt from the store just after the reply.
- ``intent_features``: the intent classifier's input row built in one step.
- ``debug_copies``: no deep copies for debug log lines that are not written.
"""

from __future__ import annotations

from typing import Any

from speedups import (
    action_client,
    action_schema,
    debug_copies,
    event_types,
    graph_runner,
    intent_features,
    past_states,
    rule_lookup,
    tracker_copy,
    tracker_store,
)

MODULES = (
    action_schema,
    event_types,
    action_client,
    graph_runner,
    past_states,
    rule_lookup,
    tracker_copy,
    tracker_store,
    intent_features,
    debug_copies,
)


# The stock attributes replaced, to put them back: (owner, attribute) -> original descriptor.
_originals: dict[tuple[Any, str], Any] = {}


def install() -> None:
    """Apply every speed-up (idempotent)."""
    for module in MODULES:
        for owner, attribute, replacement in module.PATCHES:
            _originals.setdefault((owner, attribute), vars(owner)[attribute])
            setattr(owner, attribute, replacement)


def stock(owner: Any, attribute: str) -> Any:
    """The stock function an installed speed-up replaced (the current one otherwise)."""
    original = _originals.get((owner, attribute), vars(owner)[attribute])
    return original.__func__ if isinstance(original, staticmethod) else original


def uninstall() -> None:
    """Put the stock functions back (tests compare both)."""
    for (owner, attribute), original in _originals.items():
        setattr(owner, attribute, original)
    _originals.clear()
