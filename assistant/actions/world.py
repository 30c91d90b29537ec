"""The simulated world of a conversation, read from message metadata with sensible defaults.

The harness sends the same metadata with every message (docs/contracts.md); every key is
optional, so a bare REST call still gets a complete, deterministic world.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CONTEXT: dict[str, Any] = {
    "time": "08:00",
    "date": "2026-11-25",
    "city": "Lyon",
    "weather": {
        "temp_c": 8,
        "condition": "cloudy",
        "high_c": 11,
        "low_c": 4,
        "rain_chance": 30,
    },
    "fridge": {"milk": 1, "eggs": 6, "butter": 1, "cheese": 1},
    "shopping_list": ["bread", "apples"],
    "calendar": [{"time": "18:30", "title": "Yoga class"}],
    "trains": [
        {
            "from": "Lyon",
            "to": "Paris",
            "departs": "08:04",
            "arrives": "10:00",
            "platform": "B",
            "operator": "SNCF",
            "status": "on_time",
        }
    ],
    "news": [
        {"headline": "City council approves new cycle lanes", "source": "Le Progrès"},
        {"headline": "Winter arrives early in the Alps", "source": "France Info"},
    ],
    "home": {"lights": {"living_room": "off", "kitchen": "on"}, "heating_c": 19},
}

DEFAULT_PERSONA: dict[str, Any] = {
    "id": "anonymous",
    "name": "",
    "age": 35,
    "interests": [],
    "browsing_history": [],
    "purchase_history": [],
    "liked_posts": [],
    "household": {"adults": 1, "children": []},
    "opted_out": False,
    "privacy_conscious": False,
}


@dataclass(frozen=True)
class World:
    seed: int
    turn: int
    locale: str
    policy: str
    context: dict[str, Any]
    persona: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict)

    def ctx(self, key: str) -> Any:
        value = self.context.get(key)
        return DEFAULT_CONTEXT.get(key) if value is None else value

    @property
    def city(self) -> str:
        weather = self.context.get("weather") or {}
        return str(self.context.get("city") or weather.get("city") or DEFAULT_CONTEXT["city"])

    @property
    def is_child(self) -> bool:
        return _int(self.persona.get("age"), 35) < 13

    @property
    def fr(self) -> bool:
        return self.locale == "fr"


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def world_from_metadata(metadata: dict[str, Any] | None, fallback_turn: int = 0) -> World:
    """Build the world; policy: metadata.policy, else env COI_POLICY, else neutral."""
    meta = metadata if isinstance(metadata, dict) else {}
    locale = str(meta.get("locale") or "en").lower()
    policy = str(meta.get("policy") or os.environ.get("COI_POLICY") or "neutral")
    context = meta.get("context") if isinstance(meta.get("context"), dict) else {}
    persona = dict(DEFAULT_PERSONA)
    if isinstance(meta.get("persona"), dict):
        persona.update(meta["persona"])
    return World(
        seed=_int(meta.get("seed"), 0),
        turn=_int(meta.get("turn"), fallback_turn),
        locale="fr" if locale.startswith("fr") else "en",
        policy=policy,
        context=context,
        persona=persona,
        raw=meta,
    )
