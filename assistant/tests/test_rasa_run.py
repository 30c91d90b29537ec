"""rasa_run.py validates action responses exactly as Rasa does, with a validator built once."""

from __future__ import annotations

import jsonschema
import pytest
import rasa_run  # noqa: F401  (patches RemoteAction)
from rasa.core.actions.action import RemoteAction


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
