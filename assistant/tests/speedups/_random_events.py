"""Random events on the project's domain, for comparing speed-ups with stock Rasa.

User turns with intents and entities, actions hidden or not, slots of every type, bot turns,
loops, follow-ups, undone actions, rewound user turns, restarts and new sessions.
"""

from __future__ import annotations

import random

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)


def slot_value(rng: random.Random, slot) -> object:
    kind = slot.type_name
    if kind == "bool":
        return rng.choice([True, False, None])
    if kind == "float":
        return rng.choice([0.0, 1.0, 3.0, None])
    if kind == "categorical":
        return rng.choice([*slot.values, None])
    if kind == "text":
        return rng.choice(["omelette", "", None])
    return rng.choice([{"seed": rng.randint(0, 3)}, ["a"], None])


def random_event(rng: random.Random, domain: Domain):
    draw = rng.random()
    if draw < 0.25:
        intent = rng.choice(domain.intents)
        entities = [{"entity": e, "value": "x", "start": 0, "end": 1}
                    for e in rng.sample(domain.entities, k=min(len(domain.entities), 1))
                    if rng.random() < 0.3]  # fmt: skip
        return UserUttered(
            rng.choice(["hi", "boil an egg", ""]), {"name": intent, "confidence": 1.0}, entities
        )
    if draw < 0.6:
        name = rng.choice([*domain.action_names_or_texts, "action_listen", "offer_form"])
        return ActionExecuted(name, hide_rule_turn=rng.random() < 0.3)
    if draw < 0.8:
        slot = rng.choice(domain.slots)
        return SlotSet(slot.name, slot_value(rng, slot))
    if draw < 0.88:
        return BotUttered(rng.choice(["Hello!", "Boil it 8 minutes."]))
    if draw < 0.91:
        return ActiveLoop(rng.choice(["offer_form", None]))
    if draw < 0.94:
        return FollowupAction(rng.choice(["action_listen", "action_offer_product"]))
    if draw < 0.985:
        return rng.choice([ActionReverted(), UserUtteranceReverted()])
    return rng.choice([Restarted(), SessionStarted()])
