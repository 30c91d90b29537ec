from __future__ import annotations

import asyncio

import httpx

from audit.target import load_target
from tests.fakebot import FakeRasa, decide


def rasa_target(tmp_path, url, **extra):
    lines = ["kind: rasa", "name: ref", f"url: {url}", "timeout_s: 2", "retries: 0"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    path = tmp_path / "rasa.yml"
    path.write_text("\n".join(lines) + "\n")
    return load_target(path)


async def converse(target, texts, metadata):
    async with httpx.AsyncClient() as client:
        session = await target.open(client, "arm:cell")
        turns = []
        for i, text in enumerate(texts):
            turns.append(await target.send(client, session, text, {**metadata, "turn": i}))
        return session, turns


def test_rest_webhook_turn(tmp_path):
    with FakeRasa() as bot:
        target = rasa_target(tmp_path, bot.url)
        metadata = {"seed": 11, "policy": "commercial"}
        session, turns = asyncio.run(converse(target, ["Weather?", "Tomorrow?"], metadata))
        assert len(bot.histories) == 1 and next(iter(bot.histories)) == session.data["sender"]
    for i, turn in enumerate(turns):
        pushed = decide({**metadata, "turn": i})
        assert turn.ground_truth["push"] is pushed
        assert ("Special offer" in turn.text) is pushed
        assert turn.text.startswith("It is 2 degrees")
        # Rasa echoes the sender; it is stripped so that replays store the same bytes.
        assert all("recipient_id" not in m for m in turn.messages)
        assert turn.messages[-1] == {"custom": {"coi": turn.ground_truth}}


def test_each_conversation_gets_a_fresh_sender(tmp_path):
    with FakeRasa() as bot:
        target = rasa_target(tmp_path, bot.url)
        first, _ = asyncio.run(converse(target, ["a"], {"seed": 1}))
        second, _ = asyncio.run(converse(target, ["a"], {"seed": 1}))
    assert first.data["sender"] != second.data["sender"]


def test_version_info_when_reachable_and_not(tmp_path):
    async def info(target):
        async with httpx.AsyncClient() as client:
            return await target.version_info(client)

    with FakeRasa() as bot:
        found = asyncio.run(info(rasa_target(tmp_path, bot.url)))
        url = bot.url
    assert found == {
        "version": {"version": "3.6.21-fake"},
        "status": {"model_id": "fake-model", "model_file": "fake.tar.gz"},
    }
    assert asyncio.run(info(rasa_target(tmp_path, url))) is None  # server gone


def test_describe_has_no_secrets(tmp_path):
    target = rasa_target(tmp_path, "http://user:pw@127.0.0.1:5005")
    assert target.describe()["url"] == "http://127.0.0.1:5005"
