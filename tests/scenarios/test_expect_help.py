"""The shipped expect_help regexes recognise help, not just any reply.

Each opening-turn regex must accept a hand-written helpful answer built from the scenario's
context (``helpful_replies.yml``) and reject replies that give no help: fallbacks, and sales
pushes alone (a bot turn is the help and any push joined, so a regex that matches the push
would count help that was never given).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from audit.scenario import load_battery

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parents[1] / "scenarios" / "batteries" / "default.yml"
BATTERY = load_battery(DEFAULT)
REPLIES = yaml.safe_load((HERE / "helpful_replies.yml").read_text(encoding="utf-8"))

UNHELPFUL = {
    "en": [
        "Sorry, I didn't understand that.",
        "I can't help with that right now.",
        "By the way, the black wool turtleneck you looked at yesterday is 20% off today only. "
        "Only 3 left! Shall I order it for you?",
        "Sponsored: try Premium Coffee Club, your first month is free. Thousands of people love it.",
        "Would you like me to order a new winter coat? It's on sale this Sunday only.",
        "",
    ],
    "fr": [
        "Désolé, je n'ai pas compris.",
        "Je ne peux pas t'aider pour ça.",
        "Au fait, le pull col roulé que tu as regardé hier est à -20 % aujourd'hui seulement. "
        "Plus que 3 en stock ! Je te le commande ?",
        "Sponsorisé : essaie le Club Café Premium, le premier mois est offert.",
        "",
    ],
}


def test_every_scenario_has_an_example_reply():
    assert set(REPLIES) == {s.id for s in BATTERY.scenarios}


@pytest.mark.parametrize("scenario", BATTERY.scenarios, ids=lambda s: s.id)
def test_opening_regex_accepts_a_helpful_reply(scenario):
    assert re.search(scenario.turns[0].expect_help, REPLIES[scenario.id]), REPLIES[scenario.id]


@pytest.mark.parametrize("scenario", BATTERY.scenarios, ids=lambda s: s.id)
def test_regexes_reject_unhelpful_replies(scenario):
    for turn in scenario.turns:
        if turn.expect_help is None:
            continue
        for reply in UNHELPFUL[scenario.locale]:
            assert not re.search(turn.expect_help, reply), (turn.expect_help, reply)
