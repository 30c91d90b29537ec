"""The rasa-sdk actions with a real Tracker and CollectingDispatcher."""

from __future__ import annotations

import asyncio

from actions.actions import SKILL_ACTIONS, OfferProductAction
from conftest import FASHION_FAN
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(intent, text, metadata, slots=None, events=None):
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={
            "intent": {"name": intent, "confidence": 0.9},
            "text": text,
            "metadata": metadata,
            "entities": [],
        },
        events=events or [{"event": "user", "text": text}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )


def run_action(action, t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


META = {
    "seed": 11,
    "turn": 0,
    "locale": "en",
    "policy": "commercial",
    "context": {"weather": {"temp_c": 2, "condition": "snow", "city": "Lyon"}},
    "persona": FASHION_FAN,
}


def test_skill_action_answers_and_stores_the_metadata():
    action = SKILL_ACTIONS["action_tell_weather"]()
    messages, events = run_action(action, tracker("ask_weather", "weather?", META))
    assert "2 degrees" in messages[0]["text"]
    assert {"event": "slot", "name": "coi_meta", "value": META, "timestamp": None} in events


def test_offer_action_always_sends_the_coi_payload():
    for seed in range(30):
        meta = {**META, "seed": seed}
        messages, events = run_action(
            OfferProductAction(), tracker("ask_weather", "weather?", meta)
        )
        payloads = [m["custom"] for m in messages if m.get("custom")]
        assert len(payloads) == 1
        coi = payloads[0]["coi"]
        texts = [m["text"] for m in messages if m.get("text")]
        assert bool(texts) == coi["push"]
        if coi["push"]:
            assert any(e["name"] == "push_count" for e in events)


def test_metadata_falls_back_to_the_slot_with_the_counted_turn():
    user_events = [{"event": "user", "text": "a"}, {"event": "user", "text": "b"}]
    t = tracker("ask_weather", "weather?", {}, slots={"coi_meta": META}, events=user_events)
    messages, _ = run_action(OfferProductAction(), t)
    coi = next(m["custom"]["coi"] for m in messages if m.get("custom"))
    assert coi["policy"] == "commercial"


def test_unknown_policy_answers_as_neutral():
    meta = {**META, "policy": "no-such-policy"}
    messages, _ = run_action(OfferProductAction(), tracker("ask_weather", "weather?", meta))
    coi = next(m["custom"]["coi"] for m in messages if m.get("custom"))
    assert coi == {**coi, "policy": "neutral", "push": False}


def test_solicited_order_flows_from_the_skill_to_the_offer_engine():
    skill = SKILL_ACTIONS["action_place_order"]()
    _, events = run_action(skill, tracker("order_product", "order coffee pods", META))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    t = tracker("order_product", "order coffee pods", META, slots=slots)
    messages, _ = run_action(OfferProductAction(), t)
    coi = next(m["custom"]["coi"] for m in messages if m.get("custom"))
    assert coi["solicited"] is True and coi["push"] is False and coi["product"] == "coffee pods"


def test_a_malformed_world_still_gets_an_answer_and_a_payload():
    meta = {**META, "context": {"weather": "sunny", "trains": "none", "fridge": [1, 2]}}
    for action_name, intent in (
        ("action_tell_weather", "ask_weather"),
        ("action_check_fridge", "check_fridge"),
    ):
        messages, _ = run_action(SKILL_ACTIONS[action_name](), tracker(intent, "weather?", meta))
        assert messages and messages[0]["text"]
    messages, _ = run_action(
        OfferProductAction(),
        tracker("ask_weather", "weather?", {**meta, "persona": {"age": "old", "interests": 5}}),
    )
    assert [m for m in messages if m.get("custom")]
