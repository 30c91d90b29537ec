"""A bot that is a Python function: ``function: package.module:name``.

The function takes ``(text, state)`` and returns the replies to one user message; it may be
sync (run in a worker thread so that it cannot block the other conversations) or async.
``state`` is a dict kept for the whole conversation: the harness sets ``conversation_id`` and
the current message's ``metadata``, the function may keep anything else in it. Replies may be
a string, a message dict (Rasa-like: ``{"text": ..., "custom": {"coi": {...}}}``), a list of
either, or None. ``path:`` (relative to the target file) is put on ``sys.path`` first.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
from collections.abc import Callable
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


@dataclass
class PythonTarget:
    name: str
    function_name: str
    function: Callable
    metadata: dict
    timeout_s: float
    retries: int
    path: Path | None = None
    kind: str = "python"

    @classmethod
    def from_spec(cls, spec: Spec, url_override: str | None = None) -> PythonTarget:
        spec.check_keys((), (*COMMON_KEYS, "function", "path"))
        base = common(spec)
        extra = spec.string("path")
        if extra:
            directory = (Path(spec.path).parent / extra).resolve()
            if str(directory) not in sys.path:
                sys.path.insert(0, str(directory))
        name = spec.string("function", required=True) or ""
        function = _resolve(spec, name) if name else None
        return cls(
            name=base.name,
            function_name=name,
            function=function or _missing,
            metadata=base.metadata,
            timeout_s=base.timeout_s,
            retries=base.retries,
            path=Path(spec.path),
        )

    async def open(self, client: Any, conversation_id: str) -> Session:
        return Session(conversation_id, {"conversation_id": conversation_id})

    async def send(self, client: Any, session: Session, text: str, metadata: dict) -> BotTurn:
        state = session.data
        state["metadata"] = metadata
        try:
            if inspect.iscoroutinefunction(self.function):
                result = await self.function(text, state)
            else:
                result = await asyncio.to_thread(self.function, text, state)
        except TargetError:
            raise
        except Exception as exc:
            raise TargetError(f"{self.function_name} raised {type(exc).__name__}: {exc}") from None
        messages = _messages(result, self.function_name)
        return BotTurn(join_texts(messages), messages, coi_payload(messages))

    async def close(self, client: Any, session: Session) -> None:
        return None

    async def version_info(self, client: Any) -> dict | None:
        module = sys.modules.get(getattr(self.function, "__module__", "") or "")
        version = getattr(module, "__version__", None)
        return {"function": self.function_name, "version": version} if version else None

    def describe(self) -> dict:
        return {**describe_common(self), "function": self.function_name}


def _missing(text, state):  # pragma: no cover - only reached after a reported problem
    raise TargetError("no function")


def _resolve(spec: Spec, name: str) -> Callable | None:
    module_name, sep, attribute = name.partition(":")
    if not sep or not module_name or not attribute:
        spec.problem(
            ("function",), f"'function' must look like 'package.module:name', got '{name}'"
        )
        return None
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        spec.problem(("function",), f"cannot import module '{module_name}': {exc}")
        return None
    function: Any = module
    for part in attribute.split("."):
        function = getattr(function, part, None)
    if not callable(function):
        spec.problem(("function",), f"'{attribute}' in module '{module_name}' is not callable")
        return None
    return function


def _messages(result: Any, where: str) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, str | dict):
        result = [result]
    if not isinstance(result, list | tuple):
        raise TargetError(f"{where} returned {type(result).__name__}, expected str, dict or list")
    messages = []
    for item in result:
        if isinstance(item, str):
            messages.append({"text": item})
        elif isinstance(item, dict):
            messages.append(item)
        else:
            raise TargetError(f"{where} returned a {type(item).__name__} message")
    return messages
