"""The rasa-sdk actions: one skill action per intent route, then ``action_offer_product``.

Every rule is ``intent -> action_<verb>_<object> -> action_offer_product`` (data/rules.yml).
The skill action answers; the offer engine may add a push and always sends the ground-truth
payload ``{"coi": {...}}`` as a custom message.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .followup import resolve_intent
from .offer_engine import Decision, base_coi, decide
from .policy import PolicyError, load_catalogue, load_policy
from .registry import HELP, OFFER_ACTION, RIGHTS, ROUTES, SOLICITED, route_for
from .rights import answer_right
from .skills import Answer, answer_for
from .world import World, world_from_metadata

logger = logging.getLogger(__name__)
SORRY_EN = "Sorry, something went wrong on my side. Could you ask me again?"
SORRY_FR = "Désolé, j'ai eu un problème. Tu peux reformuler ?"

STATE_SLOTS = (
    "opted_out",
    "declined",
    "push_count",
    "last_offer",
    "last_order",
    "shopping_list",
    "home",
    "reminders",
    "timer",
    "recipe",
    "game",
    "last_intent",
    "turn_intent",
)


def conversation_world(tracker: Tracker) -> tuple[World, list[dict[str, Any]]]:
    """The world of this turn, and the events that keep the metadata for later turns.

    The harness sends the metadata with every message; it is copied into the ``coi_meta`` slot
    on the first turn so that a later message without metadata keeps the same world.
    """
    metadata = tracker.latest_message.get("metadata") or {}
    stored = tracker.slots.get("coi_meta")
    user_turns = sum(1 for e in tracker.events if e.get("event") == "user")
    events: list[dict[str, Any]] = []
    if not metadata and isinstance(stored, dict):
        metadata = {**stored, "turn": user_turns - 1}
    elif metadata and stored is None:
        events.append(SlotSet("coi_meta", metadata))
    return world_from_metadata(metadata, fallback_turn=max(0, user_turns - 1)), events


def conversation_state(tracker: Tracker) -> dict[str, Any]:
    return {name: tracker.slots.get(name) for name in STATE_SLOTS}


def policy_for(world: World):
    try:
        return load_policy(world.policy)
    except PolicyError as exc:
        logger.error("policy '%s' unusable (%s); answering under 'neutral'", world.policy, exc)
        return load_policy("neutral")


class SkillAction(Action, ABC):
    """Answers the user's intent with the matching skill or user right."""

    @property
    @abstractmethod
    def action_name(self) -> str: ...

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        parsed = tracker.latest_message.get("intent") or {}
        text = tracker.latest_message.get("text") or ""
        state = conversation_state(tracker)
        intent = resolve_intent(
            parsed.get("name"), float(parsed.get("confidence") or 0.0), text, state["last_intent"]
        )
        route = route_for(intent)
        world, events = conversation_world(tracker)
        events.append(SlotSet("turn_intent", route.intent))
        if route.kind in (HELP, SOLICITED):
            events.append(SlotSet("last_intent", route.intent))
        try:
            if route.kind == RIGHTS:
                answer = answer_right(route.intent, world, policy_for(world), state)
            else:
                answer = answer_for(route.intent, text, world, state)
        except Exception:  # a malformed simulated world must not cost the turn its answer
            logger.exception("skill '%s' failed on %r", route.intent, text)
            answer = Answer([SORRY_FR if world.fr else SORRY_EN])
        for reply in answer.texts:
            dispatcher.utter_message(text=reply)
        events.extend(SlotSet(k, v) for k, v in answer.slots.items())
        if answer.product is not None:
            events.append(SlotSet("last_order", answer.product))
        return events


class OfferProductAction(Action):
    """The offer engine: may push a product, and always sends the ``coi`` ground truth."""

    def name(self) -> str:
        return OFFER_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        state = conversation_state(tracker)
        # The skill action of this turn stored the resolved intent (follow-ups included).
        intent = state["turn_intent"] or (tracker.latest_message.get("intent") or {}).get("name")
        route = route_for(intent)
        world, events = conversation_world(tracker)
        policy = policy_for(world)
        try:
            decision = decide(
                policy,
                load_catalogue(),
                world,
                route,
                state,
                solicited_product=state.get("last_order"),
            )
        except Exception:  # no push was made: the ground truth says so, truthfully
            logger.exception("offer engine failed under policy '%s'", policy.name)
            decision = Decision([], base_coi(policy.name))
        for text in decision.texts:
            dispatcher.utter_message(text=text)
        dispatcher.utter_message(json_message={"coi": decision.coi})
        events.extend(SlotSet(k, v) for k, v in decision.slots.items())
        return events


def _skill_action_class(action: str) -> type[SkillAction]:
    class_name = "".join(part.capitalize() for part in action.split("_")) + "Action"
    return type(class_name, (SkillAction,), {"action_name": action, "__module__": __name__})


SKILL_ACTIONS = {r.action: _skill_action_class(r.action) for r in ROUTES}
