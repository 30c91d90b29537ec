"""A generic JSON-over-HTTP bot, described by templates rather than code.

::

    kind: http
    name: acme-assistant
    url: https://bot.example.com/v1
    headers: {Authorization: "Bearer ${ACME_TOKEN}"}     # ${VAR} from the environment
    session:                                             # optional lifecycle
      start: {method: POST, path: /sessions, body: '{"user": {{ conversation_id }}}'}
      id_path: session.id                                # dotted path in the start reply
      end: {method: DELETE, path: "/sessions/{{ session_id }}"}
    request:
      method: POST                                       # default POST
      path: "/sessions/{{ session_id }}/messages"        # appended to url
      body: '{"text": {{ text }}, "metadata": {{ metadata }}}'
    reply_path: messages.*.text                          # texts joined with a space
    ground_truth_path: coi                               # optional

Templates are Jinja2 (sandboxed) with ``text``, ``metadata``, ``conversation_id``,
``session_id`` and ``turn``. In bodies every ``{{ value }}`` is written as JSON (strings quoted
and escaped), so a user message can never change the request's structure; in paths every value
is URL-encoded. Dotted paths use keys, list indices and ``*`` for "each item of a list".
Header values are expanded from the environment when the file is loaded and kept only in
memory: they are never written to the manifest.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from audit.target.base import (
    COMMON_KEYS,
    BotTurn,
    Session,
    Spec,
    TargetError,
    coi_payload,
    common,
    describe_common,
)
from audit.target.transport import request_json

ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DEFAULT_BODY = (
    '{"conversation_id": {{ conversation_id }}, "message": {{ text }}, "metadata": {{ metadata }}}'
)
REQUEST_KEYS = ("method", "path", "body")


def _json_value(value: Any) -> str:
    # ``| tojson`` and ``| safe`` give Markup: already JSON (or deliberately raw), keep as is.
    if isinstance(value, Markup):
        return value
    return json.dumps(value, ensure_ascii=False)


def _url_value(value: Any) -> str:
    return quote(str(value), safe="")


BODY_ENV = SandboxedEnvironment(undefined=StrictUndefined, finalize=_json_value, autoescape=False)
PATH_ENV = SandboxedEnvironment(undefined=StrictUndefined, finalize=_url_value, autoescape=False)


@dataclass
class RequestTemplate:
    method: str
    path: Any  # jinja2.Template
    body: Any | None

    def render(self, base_url: str, variables: dict) -> tuple[str, str, Any]:
        try:
            url = base_url + self.path.render(variables)
            body = None
            if self.body is not None:
                rendered = self.body.render(variables)
                body = json.loads(rendered)
        except TemplateError as exc:
            raise TargetError(f"request template failed: {exc}") from None
        except ValueError as exc:
            raise TargetError(f"request body template did not give valid JSON: {exc}") from None
        return self.method, url, body


def pluck(data: Any, dotted: str) -> tuple[list[Any], bool]:
    """Values at ``dotted`` in ``data``; the flag says whether the path exists at all."""
    parts = dotted.split(".")

    def walk(value: Any, i: int) -> list[Any] | None:
        if i == len(parts):
            return [value]
        part = parts[i]
        if part == "*":
            if not isinstance(value, list):
                return None
            found: list[Any] = []
            for item in value:
                found.extend(walk(item, i + 1) or [])
            return found
        if isinstance(value, list) and re.fullmatch(r"-?\d+", part):
            index = int(part)
            if -len(value) <= index < len(value):
                return walk(value[index], i + 1)
            return None
        if isinstance(value, dict) and part in value:
            return walk(value[part], i + 1)
        return None

    found = walk(data, 0)
    return (found or [], found is not None)


@dataclass
class HttpTarget:
    name: str
    url: str
    metadata: dict
    timeout_s: float
    retries: int
    max_reply_bytes: int
    request: RequestTemplate
    reply_path: str
    ground_truth_path: str | None = None
    start: RequestTemplate | None = None
    id_path: str | None = None
    end: RequestTemplate | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    path: Path | None = None
    kind: str = "http"

    @classmethod
    def from_spec(cls, spec: Spec, url_override: str | None = None) -> HttpTarget:
        spec.check_keys(
            (),
            (
                *COMMON_KEYS,
                "url",
                "headers",
                "request",
                "reply_path",
                "ground_truth_path",
                "session",
            ),
        )
        base = common(spec)
        url = url_override.rstrip("/") if url_override else spec.url("url")
        request = _request(spec, ("request",), default_body=DEFAULT_BODY)
        reply_path = spec.string("reply_path", required=True) or "text"
        ground_truth_path = spec.string("ground_truth_path")
        start = end = id_path = None
        if spec.get("session") is not None:
            spec.mapping("session")
            spec.check_keys(("session",), ("start", "id_path", "end"))
            if spec.get("session", "start") is not None:
                start = _request(spec, ("session", "start"), default_body=None)
                id_path = spec.string("session", "id_path", required=True)
            if spec.get("session", "end") is not None:
                end = _request(spec, ("session", "end"), default_body=None)
        return cls(
            name=base.name,
            url=url or "",
            metadata=base.metadata,
            timeout_s=base.timeout_s,
            retries=base.retries,
            max_reply_bytes=base.max_reply_bytes,
            request=request,
            reply_path=reply_path,
            ground_truth_path=ground_truth_path,
            start=start,
            id_path=id_path,
            end=end,
            headers=_headers(spec),
            path=Path(spec.path),
        )

    def _variables(self, session: Session, **more) -> dict:
        return {
            "conversation_id": session.conversation_id,
            "session_id": session.data.get("session_id"),
            "turn": session.data.get("turn", 0),
            "text": None,
            "metadata": None,
            **more,
        }

    async def _call(self, client: Any, template: RequestTemplate, variables: dict) -> Any:
        method, url, body = template.render(self.url, variables)
        return await request_json(
            client,
            method,
            url,
            json_body=body,
            headers=self.headers or None,
            timeout=self.timeout_s,
            max_bytes=self.max_reply_bytes,
        )

    async def open(self, client: Any, conversation_id: str) -> Session:
        session = Session(conversation_id, {"turn": 0})
        if self.start is not None:
            reply = await self._call(client, self.start, self._variables(session))
            values, _ = pluck(reply, self.id_path or "")
            if not values or not isinstance(values[0], str | int):
                raise TargetError(f"session start reply has no id at '{self.id_path}'")
            session.data["session_id"] = values[0]
        return session

    async def send(self, client: Any, session: Session, text: str, metadata: dict) -> BotTurn:
        variables = self._variables(session, text=text, metadata=metadata)
        reply = await self._call(client, self.request, variables)
        session.data["turn"] = session.data.get("turn", 0) + 1
        texts, exists = pluck(reply, self.reply_path)
        if not exists and "*" not in self.reply_path:
            raise TargetError(f"reply has nothing at '{self.reply_path}'")
        text_out = " ".join(t.strip() for t in texts if isinstance(t, str) and t.strip())
        messages = reply if isinstance(reply, list) else [reply]
        truth = None
        if self.ground_truth_path:
            found, _ = pluck(reply, self.ground_truth_path)
            truth = next((v for v in found if isinstance(v, dict)), None)
        else:
            truth = coi_payload(messages)
        return BotTurn(text_out, messages, truth)

    async def close(self, client: Any, session: Session) -> None:
        if self.end is not None:
            await self._call(client, self.end, self._variables(session))

    async def version_info(self, client: Any) -> dict | None:
        return None

    def describe(self) -> dict:
        return {
            **describe_common(self),
            "reply_path": self.reply_path,
            "session": self.start is not None,
        }


def _request(spec: Spec, at: tuple, default_body: str | None) -> RequestTemplate:
    spec.mapping(*at)
    spec.check_keys(at, REQUEST_KEYS)
    method = (spec.string(*at, "method") or "POST").upper()
    if method not in METHODS:
        spec.problem((*at, "method"), f"'method' must be one of {', '.join(METHODS)}")
        method = "POST"
    path_text = spec.get(*at, "path", default="")
    if not isinstance(path_text, str):
        spec.problem((*at, "path"), "'path' must be a string")
        path_text = ""
    body_text = spec.get(*at, "body", default=default_body)
    if body_text is not None and not isinstance(body_text, str):
        spec.problem((*at, "body"), "'body' must be a string (a Jinja2 template of JSON)")
        body_text = default_body
    return RequestTemplate(
        method,
        _compile(spec, PATH_ENV, path_text, (*at, "path")),
        None if body_text is None else _compile(spec, BODY_ENV, body_text, (*at, "body")),
    )


def _compile(spec: Spec, env: SandboxedEnvironment, text: str, at: tuple):
    try:
        return env.from_string(text)
    except TemplateError as exc:
        spec.problem(at, f"invalid template: {exc}")
        return env.from_string("")


def _headers(spec: Spec) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in spec.mapping("headers").items():
        if not isinstance(value, str | int):
            spec.problem(("headers", key), f"header '{key}' must be a string")
            continue

        def expand(match: re.Match, key=key) -> str:
            name = match.group(1)
            if name not in os.environ:
                spec.problem(
                    ("headers", key), f"header '{key}' needs environment variable {name}, not set"
                )
                return ""
            return os.environ[name]

        headers[str(key)] = ENV_VAR.sub(expand, str(value))
    return headers
