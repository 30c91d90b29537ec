"""``rasa`` with the action-server response schema checked once instead of on every action.

Rasa 3.6 validates each custom-action response with ``jsonschema.validate(result, schema)``,
which first re-checks the (constant) schema against the JSON Schema meta-schema: about 10 ms of
a loaded machine's time per custom action, a third of a turn (see "Measured facts" in the design).
This wrapper validates every response exactly as before, against the same schema, but builds the
validator once. Everything else is the stock ``rasa`` command line:

    .venv-assistant/bin/python assistant/rasa_run.py run --enable-api -m MODEL ...

``audit.assistant_ctl`` starts the Rasa server this way.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import aiohttp
import jsonschema
import ujson
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

_validator: Any = None
_fast: tuple[Any, dict[str, Any]] | None = None


def _build_fast_path(schema: dict[str, Any], cls: Any) -> tuple[Any, dict[str, Any]] | None:
    """Validators equivalent to ``schema`` that check each event against one branch, not 23.

    Every event must match exactly one branch of the schema's ``oneOf``. Each branch pins
    ``event`` to a distinct constant and ``event`` is required, so an event can only match the
    branch of its own ``event`` value: "exactly one branch" is "the branch of its type". Returns
    None (always use the full validator) if the schema does not have that shape.
    """
    try:
        events = schema["properties"]["events"]
        item = events["items"]
        branches = item["oneOf"]
        consts = [b["properties"]["event"]["const"] for b in branches]
    except (KeyError, TypeError):
        return None
    if len(set(consts)) != len(consts) or "event" not in item.get("required", ()):
        return None
    outer = {
        **schema,
        "properties": {
            **schema["properties"],
            "events": {k: v for k, v in events.items() if k != "items"},
        },
    }
    base = {k: v for k, v in item.items() if k != "oneOf"}
    by_type = {c: cls({**base, "allOf": [b]}) for c, b in zip(consts, branches, strict=True)}
    return cls(outer), by_type


def _fast_valid(result: Any) -> bool:
    """True only if the full schema accepts ``result``; False means "ask the full validator"."""
    if _fast is None:
        return False
    outer, by_type = _fast
    if not outer.is_valid(result):
        return False
    for event in result.get("events", []):
        validator = by_type.get(event.get("event")) if isinstance(event, dict) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    global _validator, _fast
    if _validator is None:
        schema = self.action_response_format_spec()
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
        _fast = _build_fast_path(schema, cls)
    if _fast_valid(result):
        return True
    error = jsonschema.exceptions.best_match(_validator.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_resolve_event_type = Event.resolve_by_type
_event_types: dict[str, type[Event]] = {}


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """``Event.resolve_by_type`` without walking every Event subclass for every event.

    Rasa deserialises the whole tracker from the in-memory store on each message and looks up
    each event's class by scanning ``all_subclasses(Event)`` (with ``inspect.isabstract`` on
    each): a tenth of the server's time. The class found for a name is remembered (event classes
    are all imported at start-up); unknown names always go to the original.
    """
    cls = _event_types.get(type_name)
    if cls is None:
        for candidate in all_subclasses(Event):  # the original's scan, done once per name
            if candidate.type_name == type_name:
                cls = _event_types[type_name] = candidate
                break
        else:
            return _resolve_event_type(type_name, default)
    return cls


# Keep-alive below the action server's (Sanic: 5 s) so a pooled connection is never one the
# server is closing.
KEEPALIVE_S = 2.0
_connectors: dict[int, aiohttp.TCPConnector] = {}


def _dumps(body: Any) -> str:
    """The request body as JSON: ujson (several times faster on a whole tracker), else json.

    The action server parses it back to the same values (ujson writes floats in shortest
    round-trip form); anything ujson refuses (NaN, huge ints, odd types) goes to ``json.dumps``.
    """
    try:
        return ujson.dumps(body)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(body)


def _session(self: EndpointConfig) -> aiohttp.ClientSession:
    """``EndpointConfig.session`` over one pooled connector per event loop.

    Stock Rasa opens a new session, hence a new TCP connection to the action server, for every
    custom action (two per turn); the requests themselves are unchanged.
    """
    loop = asyncio.get_running_loop()
    connector = _connectors.get(id(loop))
    if connector is None or connector.closed:
        connector = _connectors[id(loop)] = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S)
    auth = None
    if self.basic_auth:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=connector,
        connector_owner=False,  # closing the session keeps the pooled connections
        json_serialize=_dumps,
    )


RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign]
EndpointConfig.session = _session  # type: ignore[method-assign]

if __name__ == "__main__":
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    main()
