"""Dialogue states built once per event, not once per event per prediction.

Every policy prediction asks ``Domain.states_for_tracker_history`` for the state before each
action of the whole conversation. Stock Rasa rebuilds that list from scratch each time: it
replays every event into a fresh tracker, so a turn (three predictions, the rule policy asking
twice for the first) replays the history four times, and the cost grows with the conversation.

Here the replay is kept between calls on the same tracker object (one turn's predictions, and
the next turn when ``tracker_store`` prepares the tracker and calls ``prepare``) and only the
events appended since the last call are replayed. The cached replay is reused only if
the tracker's applied events still start with the very same event objects it replayed; anything
else (a restart, an undo, a rewound turn, another tracker) replays from the start, as stock Rasa
does. Each call returns fresh state dicts: callers delete keys from them.
"""

from __future__ import annotations

import weakref
from typing import Any

from rasa.shared.core import constants
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

State = dict[str, Any]


class _Replay:
    """Rasa's loop over ``generate_all_prior_trackers``, paused after the events seen so far."""

    def __init__(
        self,
        domain: Domain,
        tracker: DialogueStateTracker,
        omit_unset_slots: bool,
        ignore_rule_only_turns: bool,
        rule_only_data: dict[str, Any] | None,
    ) -> None:
        self.domain = domain
        self.omit_unset_slots = omit_unset_slots
        self.ignore_rule_only_turns = ignore_rule_only_turns
        self.rule_only_data = rule_only_data
        self.tracker = tracker.init_copy()
        self.events: list[Any] = []  # the applied events replayed so far
        self.states: list[State] = []  # the state before each of their ActionExecuted
        self.last_ml_action_sub_state: dict[str, Any] | None = None
        self.turn_was_hidden = False

    def serves(self, domain: Domain, args: tuple[bool, bool, Any]) -> bool:
        """Whether this replay is for the same domain and arguments."""
        return domain is self.domain and args == (
            self.omit_unset_slots,
            self.ignore_rule_only_turns,
            self.rule_only_data,
        )

    def continues(self, applied: list[Any]) -> bool:
        """Whether ``applied`` starts with the very events replayed so far."""
        if len(applied) < len(self.events):
            return False
        return all(a is b for a, b in zip(applied, self.events, strict=False))

    def advance(self, applied: list[Any]) -> None:
        for event in applied[len(self.events) :]:
            if isinstance(event, ActionExecuted):
                self._step(event.hide_rule_turn, self.states)
            self.tracker.update(event)
            self.events.append(event)

    def states_so_far(self) -> list[State]:
        """The stock result: the cached states plus the one of the final tracker."""
        saved = self.last_ml_action_sub_state, self.turn_was_hidden
        states = list(self.states)
        self._step(False, states)  # the stock loop's last item: the tracker after every event
        self.last_ml_action_sub_state, self.turn_was_hidden = saved
        return _fresh(states)

    def _step(self, hide_rule_turn: bool, states: list[State]) -> None:
        """The body of the stock loop in ``Domain.states_for_tracker_history``, unchanged."""
        domain, tracker = self.domain, self.tracker
        if self.ignore_rule_only_turns:
            if not self.turn_was_hidden:
                self.last_ml_action_sub_state = domain._get_prev_action_sub_state(tracker)
            if (
                not tracker.followup_action
                and tracker.latest_action_name != tracker.active_loop_name
            ):
                self.turn_was_hidden = hide_rule_turn
            if self.turn_was_hidden:
                return
        state = domain.get_active_state(tracker, omit_unset_slots=self.omit_unset_slots)
        if self.ignore_rule_only_turns:
            domain._remove_rule_only_features(state, self.rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if self.last_ml_action_sub_state:
                state[constants.PREVIOUS_ACTION] = self.last_ml_action_sub_state
        states.append(domain._clean_state(state))


def _fresh(states: list[State]) -> list[State]:
    """New state and sub-state dicts, shared where stock Rasa shares them within one list.

    Sub-state values are strings and tuples; callers only add and delete keys of the states and
    sub-states. Stock Rasa gives consecutive states the same user sub-state in rule-free turns,
    so that sharing is kept.
    """
    copies: dict[int, dict[str, Any]] = {}

    def copy(sub: Any) -> Any:
        if not isinstance(sub, dict):
            return sub
        if id(sub) not in copies:
            copies[id(sub)] = dict(sub)
        return copies[id(sub)]

    return [{key: copy(sub) for key, sub in state.items()} for state in states]


# The replays of each live tracker object (one per domain and arguments), dropped with it.
_replays: dict[int, tuple[weakref.ref, list[_Replay]]] = {}
MAX_REPLAYS_PER_TRACKER = 4
# The latest distinct (domain, arguments) the policies asked for, newest last: what prepare() uses.
_requests: list[tuple[Domain, tuple[bool, bool, Any]]] = []


def _forget(tracker_id: int) -> None:
    _replays.pop(tracker_id, None)


def _replay_for(domain: Domain, tracker: DialogueStateTracker, args: tuple) -> _Replay:
    """The tracker's replay for these arguments, advanced to its current events."""
    applied = tracker.applied_events()
    entry = _replays.get(id(tracker))
    if entry is None or entry[0]() is not tracker:
        ref = weakref.ref(tracker, lambda _, key=id(tracker): _forget(key))
        entry = _replays[id(tracker)] = (ref, [])
    replays = entry[1]
    replay = next((r for r in replays if r.serves(domain, args)), None)
    if replay is None or not replay.continues(applied):
        if replay is not None:
            replays.remove(replay)
        replay = _Replay(domain, tracker, *args)
        replays.append(replay)
        del replays[:-MAX_REPLAYS_PER_TRACKER]
    replay.advance(applied)
    return replay


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """``Domain.states_for_tracker_history`` with the replay kept between calls."""
    args = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    request = (self, args)
    if not _requests or _requests[-1][0] is not self or _requests[-1][1] != args:
        _requests[:] = [r for r in _requests if r[0] is not self or r[1] != args][-3:]
        _requests.append(request)
    return _replay_for(self, tracker, args).states_so_far()


def prepare(tracker: DialogueStateTracker) -> None:
    """Replay a tracker ahead of its next turn, for the requests the policies made lately."""
    for domain, args in list(_requests):
        _replay_for(domain, tracker, args)


# (owner, attribute, replacement) for speedups.install()
PATCHES = [(Domain, "states_for_tracker_history", states_for_tracker_history)]
