"""speedups/action_schema.py validates action responses exactly as Rasa does."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from speedups.action_schema import _fast_valid


def test_valid_responses_pass_and_invalid_ones_fail_like_stock_rasa():
    action = RemoteAction("action_offer_product", None)
    good = {"events": [], "responses": [{"text": "hi"}, {"custom": {"coi": {"push": False}}}]}
    assert action._validate_action_result(good) is True
    assert action._validate_action_result(good) is True  # the cached validator
    bad = {"events": "not a list", "responses": []}
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
        action._validate_action_result(bad)
    # Same verdicts as jsonschema.validate on the stock schema.
    jsonschema.validate(good, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, RemoteAction.action_response_format_spec())


def _stock_valid(result) -> bool:
    return jsonschema.Draft7Validator(RemoteAction.action_response_format_spec()).is_valid(result)


EVENTS = [
    {"event": "slot", "name": "turn_intent", "value": "ask_weather"},
    {"event": "slot", "name": "coi_meta", "value": {"seed": 1, "persona": {"age": 9}}},
    {"event": "slot", "name": "x", "value": None, "timestamp": None, "metadata": {}},
    {"event": "bot", "text": "hi", "data": {"custom": {"coi": {}}}},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
    {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1}}},
    {"event": "reset_slots"},
    {"event": "followup", "name": "action_listen"},
    # invalid ones
    {"event": "slot", "name": "x"},  # no value
    {"event": "slot", "name": 3, "value": 1},
    {"event": "slot", "name": "x", "value": 1, "timestamp": "now"},
    {"event": "slot", "name": "x", "value": 1, "metadata": []},
    {"event": "action", "name": 3},
    {"event": "user", "parse_data": {"intent": {"name": 1}}},
    {"event": "entities", "entities": [{"entity": "e"}]},
    {"event": "no_such_event"},
    {"event": 7},
    {"name": "x", "value": 1},
    "slot",
    None,
]


@pytest.mark.parametrize("event", EVENTS)
def test_the_per_type_fast_path_gives_the_stock_verdict_for_every_event(event):
    action = RemoteAction("action_offer_product", None)
    good = {"events": [EVENTS[0]], "responses": []}
    action._validate_action_result(good)  # builds the validators
    result = {"events": [EVENTS[0], event], "responses": [{"text": "a"}]}
    assert _fast_valid(result) is _stock_valid(result)
    if _stock_valid(result):
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server"):
            action._validate_action_result(result)


@pytest.mark.parametrize(
    "result", [[], {"events": None}, {"responses": ["x"]}, {"events": [], "responses": {}}, {}]
)
def test_the_fast_path_gives_the_stock_verdict_for_malformed_responses(result):
    action = RemoteAction("action_offer_product", None)
    action._validate_action_result({"events": []})
    if _stock_valid(result):
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError):
            action._validate_action_result(result)
