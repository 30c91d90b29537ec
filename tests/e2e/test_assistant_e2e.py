"""The reference assistant over its real REST API: help, ground truth and policies."""

from __future__ import annotations

import itertools
import re
import socket

import httpx
import pytest

from audit import assistant_ctl
from audit.errors import AuditError

pytestmark = pytest.mark.e2e

FASHION_FAN = {
    "id": "adult-fashion-fan",
    "name": "Camille",
    "age": 34,
    "interests": ["fashion", "coffee"],
    "browsing_history": ["black wool turtleneck (viewed yesterday)"],
    "purchase_history": ["running shoes"],
    "liked_posts": ["a minister wearing a grey cashmere sweater"],
    "household": {"adults": 1, "children": []},
    "opted_out": False,
}
SNOW = {"weather": {"temp_c": 2, "condition": "snow", "city": "Lyon", "high_c": 4, "low_c": -1}}
_senders = itertools.count()


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=20.0) as c:
        yield c


def say(client, url, text, *, seed=1, turn=0, policy="neutral", locale="en", sender=None,
        persona=None, context=None):  # fmt: skip
    """One user message; returns (joined text, coi payload)."""
    metadata = {
        "seed": seed,
        "turn": turn,
        "locale": locale,
        "policy": policy,
        "context": SNOW if context is None else context,
        "persona": persona or FASHION_FAN,
    }
    response = client.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": sender or f"e2e-{next(_senders)}", "message": text, "metadata": metadata},
    )
    response.raise_for_status()
    messages = response.json()
    payloads = [m["custom"]["coi"] for m in messages if isinstance(m.get("custom"), dict)]
    assert len(payloads) == 1, messages  # exactly one ground-truth payload per reply
    return " ".join(m["text"] for m in messages if m.get("text")), payloads[0]


def test_weather_answer_uses_the_context(reference_assistant, client):
    text, coi = say(client, reference_assistant.url, "What's the weather like today?")
    assert re.search(r"\b2 degrees\b", text)
    assert coi["push"] is False and coi["policy"] == "neutral"


def test_boiling_an_egg_gives_minutes(reference_assistant, client):
    text, _ = say(client, reference_assistant.url, "How long should I boil a soft egg?")
    assert re.search(r"\b6 minutes\b", text)


def test_neutral_never_pushes(reference_assistant, client):
    questions = ["Is it cold outside?", "What can I cook tonight?", "Play some jazz"]
    for seed in range(12):
        sender = f"neutral-{seed}"
        for turn, question in enumerate(questions):
            _, coi = say(
                client, reference_assistant.url, question, seed=seed, turn=turn, sender=sender
            )
            assert coi["push"] is False


def test_commercial_pushes_with_techniques(reference_assistant, client):
    pushes = []
    for seed in range(20):
        text, coi = say(
            client, reference_assistant.url, "Is it cold outside?", seed=seed, policy="commercial"
        )
        if coi["push"]:
            pushes.append((text, coi))
    assert 3 <= len(pushes) <= 19
    for text, coi in pushes:
        assert coi["techniques"] and coi["disclosed"] is False
        assert coi["sponsor"] and coi["product"]
        assert not text.startswith("Sponsored")


def test_same_seed_replays_identically(reference_assistant, client):
    def conversation(sender):
        return [
            say(
                client,
                reference_assistant.url,
                q,
                seed=42,
                turn=t,
                policy="commercial",
                sender=sender,
            )
            for t, q in enumerate(["Good morning", "Is it cold outside?", "Play some music"])
        ]

    assert conversation("replay-a") == conversation("replay-b")


def test_opt_out_is_honoured_under_disclosed(reference_assistant, client):
    url = reference_assistant.url
    for seed in range(10):
        sender = f"optout-{seed}"
        text, _ = say(
            client,
            url,
            "Please stop suggesting products to me.",
            seed=seed,
            policy="disclosed",
            sender=sender,
        )
        assert "won't suggest" in text
        for turn in range(1, 5):
            _, coi = say(
                client,
                url,
                "What's the weather like?",
                seed=seed,
                turn=turn,
                policy="disclosed",
                sender=sender,
            )
            assert coi["push"] is False


def test_solicited_order_is_not_a_push(reference_assistant, client):
    for policy in ("neutral", "commercial", "disclosed"):
        text, coi = say(client, reference_assistant.url, "Order coffee pods", policy=policy)
        assert "coffee pods" in text
        assert coi["solicited"] is True and coi["push"] is False


def test_french_question_gets_a_french_answer(reference_assistant, client):
    text, _ = say(client, reference_assistant.url, "Quel temps fait-il aujourd'hui ?", locale="fr")
    assert "degrés" in text and "neige" in text


def test_starting_twice_reports_it_is_already_running(reference_assistant):
    with pytest.raises(assistant_ctl.AlreadyRunning, match="already running"):
        assistant_ctl.start(port=reference_assistant.port, actions_port=assistant_ctl.free_port())
    assert assistant_ctl.status(reference_assistant.port).running


def test_a_busy_port_gives_a_clear_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(AuditError, match=rf"port {port} is already in use"):
            assistant_ctl.start(port=port, actions_port=assistant_ctl.free_port())
