"""Targets: the assistants under audit (Rasa REST, generic HTTP JSON, Python callables)."""

from audit.target.base import (
    BotTurn,
    Session,
    Target,
    TargetError,
    TransientError,
    load_target,
    redact_url,
)

__all__ = [
    "BotTurn",
    "Session",
    "Target",
    "TargetError",
    "TransientError",
    "load_target",
    "redact_url",
]
