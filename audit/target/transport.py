"""One JSON request over the runner's shared httpx client, with errors sorted for retrying."""

from __future__ import annotations

import json
from typing import Any

import httpx

from audit.target.base import TargetError, TransientError, redact_url

_SNIPPET = 80


async def request_json(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    json_body: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Send one request and decode its JSON reply (``None`` for an empty body).

    Connection errors, timeouts and 5xx raise ``TransientError``; 4xx, oversized and invalid
    replies raise ``TargetError``. The body is read in chunks so that a huge reply is refused
    once it passes ``max_bytes`` instead of filling memory.
    """
    where = f"{method} {redact_url(url)}"
    try:
        request = client.build_request(
            method, url, json=json_body, content=content, headers=headers, timeout=timeout
        )
        response = await client.send(request, stream=True)
        try:
            if response.status_code >= 500:
                raise TransientError(f"{where}: HTTP {response.status_code}")
            if response.status_code >= 400:
                raise TargetError(f"{where}: HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise TargetError(f"{where}: reply larger than {max_bytes} bytes")
        finally:
            await response.aclose()
    except httpx.TimeoutException:
        raise TransientError(f"{where}: no reply within {timeout:g} s") from None
    except httpx.TransportError as exc:
        detail = str(exc) or type(exc).__name__
        raise TransientError(f"{where}: connection error ({detail})") from None
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        snippet = bytes(body[:_SNIPPET]).decode("utf-8", "replace")
        raise TargetError(f"{where}: invalid JSON in reply: {snippet!r}") from None
