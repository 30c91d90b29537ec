from __future__ import annotations

import asyncio

import pytest

from audit.errors import ValidationError
from audit.target import TargetError, load_target
from tests.fakebot import decide


def target(tmp_path, function):
    path = tmp_path / "py.yml"
    path.write_text(f"kind: python\nname: fake\nfunction: {function}\nmetadata: {{policy: x}}\n")
    return load_target(path)


async def play(target, texts, metadata):
    session = await target.open(None, "arm:cell")
    return [
        await target.send(None, session, t, {**metadata, "turn": i}) for i, t in enumerate(texts)
    ], session


@pytest.mark.parametrize("function", ["tests.fakebot:reply", "tests.fakebot:async_reply"])
def test_sync_and_async_functions_keep_state(tmp_path, function):
    bot = target(tmp_path, function)
    metadata = {"seed": 5, "policy": "commercial"}
    turns, session = asyncio.run(play(bot, ["a", "b", "c"], metadata))
    assert session.data["history"] == 3  # the function's own state survives between turns
    for i, turn in enumerate(turns):
        assert f"message {i + 1}" in turn.text
        assert turn.ground_truth["push"] is decide({**metadata, "turn": i})


def test_return_shapes(tmp_path, monkeypatch):
    import tests.fakebot as fakebot

    bot = target(tmp_path, "tests.fakebot:reply")
    for value, text in [
        ("hi", "hi"),
        (None, ""),
        ({"text": "x"}, "x"),
        (["a", {"text": "b"}], "a b"),
    ]:
        monkeypatch.setattr(bot, "function", lambda t, s, v=value: v)
        (turn,), _ = asyncio.run(play(bot, ["q"], {}))
        assert turn.text == text
    monkeypatch.setattr(bot, "function", lambda t, s: 42)
    with pytest.raises(TargetError, match="returned int"):
        asyncio.run(play(bot, ["q"], {}))
    assert fakebot.reply  # the module stays importable


def test_exceptions_become_target_errors(tmp_path):
    bot = target(tmp_path, "tests.fakebot:failing_reply")
    with pytest.raises(TargetError, match="RuntimeError: the bot crashed"):
        asyncio.run(play(bot, ["q"], {}))


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("no_colon", "must look like"),
        ("no.such.module:f", "cannot import module"),
        ("tests.fakebot:nothing_here", "is not callable"),
    ],
)
def test_bad_function_is_a_located_problem(tmp_path, function, message):
    with pytest.raises(ValidationError) as info:
        target(tmp_path, function)
    (problem,) = info.value.problems
    assert problem.line == 3 and message in problem.message
