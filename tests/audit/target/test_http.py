from __future__ import annotations

import asyncio
import json
import textwrap

import httpx
import pytest

from audit.errors import ValidationError
from audit.target import TargetError, TransientError, load_target
from audit.target.http import pluck

SESSION_TARGET = """\
kind: http
name: acme
url: https://bot.example/v1
headers: {Authorization: "Bearer ${ACME_TOKEN}", X-Client: coi-audit}
session:
  start: {method: POST, path: /sessions, body: '{"user": {{ conversation_id }}}'}
  id_path: session.id
  end: {method: DELETE, path: "/sessions/{{ session_id }}"}
request:
  path: "/sessions/{{ session_id }}/messages"
  body: '{"text": {{ text }}, "meta": {{ metadata }}, "n": {{ turn }}}'
reply_path: messages.*.text
ground_truth_path: meta.coi
"""


class FakeApi:
    """An httpx MockTransport bot with sessions; records every request."""

    def __init__(self):
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST" and path == "/v1/sessions":
            return httpx.Response(200, json={"session": {"id": "s/42"}})
        if request.method == "POST" and path.endswith("/messages"):
            body = json.loads(request.content)
            return httpx.Response(
                200,
                json={
                    "messages": [{"text": "You said:"}, {"text": body["text"]}],
                    "meta": {"coi": {"push": False}},
                },
            )
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(404)


def load(tmp_path, text, monkeypatch=None):
    path = tmp_path / "http.yml"
    path.write_text(textwrap.dedent(text))
    return load_target(path)


async def play(target, api, texts):
    async with httpx.AsyncClient(transport=httpx.MockTransport(api)) as client:
        session = await target.open(client, "neutral:s/p/p0/r0")
        turns = [await target.send(client, session, t, {"seed": 1}) for t in texts]
        await target.close(client, session)
    return turns


def test_session_lifecycle_templates_and_headers(tmp_path, monkeypatch):
    monkeypatch.setenv("ACME_TOKEN", "s3cret")
    target = load(tmp_path, SESSION_TARGET)
    api = FakeApi()
    hostile = 'quote " brace } newline \n {{ 7*7 }}'
    turns = asyncio.run(play(target, api, ["hello", hostile]))
    methods = [(r.method, r.url.raw_path.decode()) for r in api.requests]
    assert methods == [
        ("POST", "/v1/sessions"),
        ("POST", "/v1/sessions/s%2F42/messages"),  # the session id is URL-encoded
        ("POST", "/v1/sessions/s%2F42/messages"),
        ("DELETE", "/v1/sessions/s%2F42"),
    ]
    assert json.loads(api.requests[0].content) == {"user": "neutral:s/p/p0/r0"}
    sent = json.loads(api.requests[2].content)
    # The user's text is data: it arrives verbatim and cannot change the JSON's structure.
    assert sent == {"text": hostile, "meta": {"seed": 1}, "n": 1}
    assert all(r.headers["authorization"] == "Bearer s3cret" for r in api.requests)
    assert turns[0].text == "You said: hello"
    assert turns[1].ground_truth == {"push": False}
    described = json.dumps(target.describe())
    assert "s3cret" not in described and "Authorization" not in described


def test_missing_env_var_is_a_located_problem(tmp_path, monkeypatch):
    monkeypatch.delenv("ACME_TOKEN", raising=False)
    with pytest.raises(ValidationError) as info:
        load(tmp_path, SESSION_TARGET)
    (problem,) = info.value.problems
    assert problem.line == 4 and "ACME_TOKEN" in problem.message


def test_template_syntax_error_and_missing_reply_path(tmp_path):
    text = """\
    kind: http
    name: x
    url: http://127.0.0.1:1
    request: {body: '{"t": {{ text }'}
    """
    with pytest.raises(ValidationError) as info:
        load(tmp_path, text)
    messages = {p.line: p.message for p in info.value.problems}
    assert "invalid template" in messages[4]
    assert any("reply_path" in m for m in messages.values())


def test_default_body_and_missing_reply(tmp_path):
    target = load(
        tmp_path, "kind: http\nname: x\nurl: http://bot.example\nreply_path: reply.text\n"
    )

    def api(request):
        body = json.loads(request.content)
        assert body == {"conversation_id": "c", "message": "hi", "metadata": {"seed": 1}}
        return httpx.Response(200, json={"other": 1})

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(api)) as client:
            session = await target.open(client, "c")
            return await target.send(client, session, "hi", {"seed": 1})

    with pytest.raises(TargetError, match=r"nothing at 'reply\.text'"):
        asyncio.run(go())


@pytest.mark.parametrize(
    ("status", "error"), [(503, TransientError), (404, TargetError), (200, TargetError)]
)
def test_errors_are_sorted_for_retrying(tmp_path, status, error):
    target = load(tmp_path, "kind: http\nname: x\nurl: http://bot.example\nreply_path: text\n")

    def api(request):
        return httpx.Response(status, content=b"not json")

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(api)) as client:
            session = await target.open(client, "c")
            return await target.send(client, session, "hi", {})

    with pytest.raises(error) as info:
        asyncio.run(go())
    if status == 404:
        assert not isinstance(info.value, TransientError)


def test_pluck():
    data = {"a": [{"t": "x"}, {"t": "y"}, {"u": 1}], "b": {"c": 0}}
    assert pluck(data, "a.*.t") == (["x", "y"], True)
    assert pluck(data, "a.1.t") == (["y"], True)
    assert pluck(data, "a.-1.u") == ([1], True)
    assert pluck(data, "b.c") == ([0], True)
    assert pluck(data, "b.d") == ([], False)
    assert pluck(data, "a.9.t") == ([], False)
