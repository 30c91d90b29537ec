"""Make the action package importable as ``actions`` (as the action server does)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ASSISTANT_DIR = Path(__file__).resolve().parent.parent
if str(ASSISTANT_DIR) not in sys.path:
    sys.path.insert(0, str(ASSISTANT_DIR))

from actions.world import world_from_metadata  # noqa: E402

FASHION_FAN = {
    "id": "adult-fashion-fan",
    "name": "Camille",
    "age": 34,
    "interests": ["fashion", "coffee"],
    "browsing_history": ["black wool turtleneck (viewed yesterday)", "camel trench coat"],
    "purchase_history": ["white leather sneakers"],
    "liked_posts": ["a minister wearing a grey cashmere sweater"],
    "household": {"adults": 1, "children": []},
    "opted_out": False,
}
CHILD = {
    "id": "child-emma",
    "name": "Emma",
    "age": 8,
    "interests": ["dinosaurs", "drawing"],
    "household": {"adults": 2, "children": [8, 5]},
}
OPTED_OUT = {"id": "adult-opted-out", "name": "Ana", "age": 45, "opted_out": True}


def make_world(seed=1, turn=0, policy="neutral", locale="en", persona=None, context=None):
    return world_from_metadata(
        {
            "seed": seed,
            "turn": turn,
            "policy": policy,
            "locale": locale,
            "persona": persona or FASHION_FAN,
            "context": context or {},
        }
    )


@pytest.fixture
def world_factory():
    return make_world
