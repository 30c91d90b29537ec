"""Rasa's REST channel: ``POST {url}/webhooks/rest/webhook`` with sender, message, metadata.

Each conversation gets a fresh random sender id, so a bot that keeps trackers in memory never
mixes two conversations (or a resumed conversation with its interrupted first attempt). The
sender id is stripped from the stored messages (Rasa echoes it as ``recipient_id``) so that
replays store the same bytes and the same hashes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.target.base import (
    COMMON_KEYS,
    BotTurn,
    Session,
    Spec,
    TargetError,
    coi_payload,
    common,
    describe_common,
    join_texts,
)
from audit.target.transport import request_json

WEBHOOK = "/webhooks/rest/webhook"
VERSION_TIMEOUT_S = 3.0


@dataclass
class RasaTarget:
    name: str
    url: str
    metadata: dict
    timeout_s: float
    retries: int
    max_reply_bytes: int
    path: Path | None = None
    kind: str = "rasa"

    @classmethod
    def from_spec(cls, spec: Spec, url_override: str | None = None) -> RasaTarget:
        spec.check_keys((), (*COMMON_KEYS, "url"))
        base = common(spec)
        url = url_override.rstrip("/") if url_override else spec.url("url")
        return cls(
            name=base.name,
            url=url or "",
            metadata=base.metadata,
            timeout_s=base.timeout_s,
            retries=base.retries,
            max_reply_bytes=base.max_reply_bytes,
            path=Path(spec.path),
        )

    async def open(self, client: Any, conversation_id: str) -> Session:
        return Session(conversation_id, {"sender": uuid.uuid4().hex})

    async def send(self, client: Any, session: Session, text: str, metadata: dict) -> BotTurn:
        body = {"sender": session.data["sender"], "message": text, "metadata": metadata}
        reply = await request_json(
            client,
            "POST",
            self.url + WEBHOOK,
            json_body=body,
            timeout=self.timeout_s,
            max_bytes=self.max_reply_bytes,
        )
        if reply is None:
            reply = []
        if not isinstance(reply, list):
            raise TargetError(f"{self.url}{WEBHOOK}: expected a JSON list of messages")
        messages = [_without_recipient(m) for m in reply]
        return BotTurn(join_texts(messages), messages, coi_payload(messages))

    async def close(self, client: Any, session: Session) -> None:
        return None

    async def version_info(self, client: Any) -> dict | None:
        """Rasa's ``/version`` and ``/status`` (model id) when the server answers; else None."""
        info: dict[str, Any] = {}
        for endpoint in ("/version", "/status"):
            try:
                reply = await request_json(
                    client,
                    "GET",
                    self.url + endpoint,
                    timeout=VERSION_TIMEOUT_S,
                    max_bytes=100_000,
                )
            except TargetError:
                continue
            if isinstance(reply, dict):
                info[endpoint.strip("/")] = reply
        return info or None

    def describe(self) -> dict:
        return describe_common(self)


def _without_recipient(message: Any) -> Any:
    if isinstance(message, dict) and "recipient_id" in message:
        return {k: v for k, v in message.items() if k != "recipient_id"}
    return message
