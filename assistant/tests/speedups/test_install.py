"""With every speed-up installed, the assistant does exactly what stock Rasa does.

The same conversations (every skill, every user right, three policies, a child, an opted-out
adult, English and French, a fallback) go through the real model and the real action server
twice: once with the stock functions, once with the speed-ups. The replies and every event of
every tracker must be identical, apart from timestamps and message ids.
"""

from __future__ import annotations

import asyncio
import sys

import speedups
from speedups import tracker_store

ADULT = {"id": "adult", "age": 34, "interests": ["fashion", "coffee"],
         "browsing_history": ["black wool turtleneck (viewed yesterday)"]}  # fmt: skip
CHILD = {"id": "child", "age": 8, "interests": ["dinosaurs"]}
OPTED_OUT = {"id": "opted-out", "age": 45, "opted_out": True}
CONTEXT = {"weather": {"temp_c": 2, "condition": "snow", "city": "Lyon"}}

CONVERSATIONS = [
    ("commercial", "en", ADULT, [
        "hello", "What's the weather like today?", "no thanks", "How long do I boil an egg?",
        "is this an ad?", "why are you recommending this?", "Play some jazz",
        "stop suggesting products", "What can I cook tonight?", "thanks, bye",
    ]),
    ("commercial", "en", CHILD, [
        "tell me a story", "can you help with my homework", "let's play a game", "yes please",
        "turn off the kitchen lights",
    ]),
    ("disclosed", "en", ADULT, [
        "Add milk to my shopping list", "what's on my shopping list", "yes, buy it",
        "When is the next train to Paris?", "no", "what's the news today?", "sdkfj qpwoe zzx",
    ]),
    ("neutral", "en", OPTED_OUT, [
        "order coffee pods", "remind me to call mum at 6", "what's on my calendar",
        "set the heating to 20 degrees", "what's in the fridge", "give me a health tip",
    ]),
    ("commercial", "fr", ADULT, [
        "bonjour", "quel temps fait-il aujourd'hui ?", "non merci", "mets de la musique",
        "c'est une publicité ?", "arrête de me proposer des produits", "merci, au revoir",
    ]),
]  # fmt: skip


def _metadata(policy, locale, persona, seed, turn):
    return {"seed": seed, "turn": turn, "locale": locale, "policy": policy,
            "persona": persona, "context": CONTEXT}  # fmt: skip


def _comparable(event: dict) -> dict:
    event = {k: v for k, v in event.items() if k not in ("timestamp", "message_id")}
    if isinstance(event.get("parse_data"), dict):
        event["parse_data"] = {k: v for k, v in event["parse_data"].items() if k != "message_id"}
    return event


def _play(agent, tag: str) -> list:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    async def play() -> list:
        transcript = []
        for seed, (policy, locale, persona, texts) in enumerate(CONVERSATIONS):
            sender = f"{tag}-{seed}"
            for turn, text in enumerate(texts):
                await asyncio.sleep(0.001)  # the pause between turns, when trackers are prepared
                channel = CollectingOutputChannel()
                metadata = _metadata(policy, locale, persona, seed, turn)
                await agent.handle_message(UserMessage(text, channel, sender, metadata=metadata))
                transcript.append([{**m, "recipient_id": None} for m in channel.messages])
            await asyncio.sleep(0.001)
            tracker = await agent.tracker_store.retrieve(sender)
            transcript.append([_comparable(e.as_dict()) for e in tracker.events])
        return transcript

    return asyncio.run(play())


def test_conversations_are_identical_with_and_without_the_speed_ups(agent, stock_rasa):
    stock = _play(agent, "stock")
    speedups.install()
    rebuilt_at_retrieve = []
    original = tracker_store._stock_deserialise

    def count(*args):
        if sys._getframe(1).f_code.co_name != "_prepare":
            rebuilt_at_retrieve.append(args[1])
        return original(*args)

    tracker_store._stock_deserialise = count
    try:
        fast = _play(agent, "fast")
    finally:
        tracker_store._stock_deserialise = original
    assert rebuilt_at_retrieve == []  # every later turn got the tracker prepared after the last
    assert fast == stock
    replies = [m for turn in stock for m in turn if "text" in m]
    pushes = [m for turn in stock for m in turn if m.get("custom", {}).get("coi", {}).get("push")]
    assert len(replies) >= 35 and pushes  # the conversations really ran, offers included


def test_install_and_uninstall_swap_exactly_the_listed_functions():
    from rasa.core.policies.rule_policy import RulePolicy

    installed = RulePolicy._get_possible_keys
    speedups.uninstall()
    try:
        assert RulePolicy._get_possible_keys is speedups.stock(RulePolicy, "_get_possible_keys")
        assert RulePolicy._get_possible_keys is not installed
    finally:
        speedups.install()
    speedups.install()  # idempotent: the stock originals are kept, not the speed-ups
    assert RulePolicy._get_possible_keys is installed
    for module in speedups.MODULES:
        for owner, attribute, replacement in module.PATCHES:
            assert vars(owner)[attribute] is replacement
            assert speedups.stock(owner, attribute) is not replacement
