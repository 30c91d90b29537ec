"""Turn pydantic validation errors into located, readable ``Problem``s.

Each error's ``loc`` is the path of the value in the document, which the YAML positions table
maps to the line and column of the node. Messages name the field and say what was expected,
with a "did you mean" for close misspellings of keys and names.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from audit.errors import Problem
from audit.scenario.files import PATTERN_HINTS
from audit.yaml_lines import Positions

EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
EXPECTED_BY_FIELD = {"persona": "a persona id or a list of persona ids"}

# The noun used for an unknown value of a closed set, by field name.
CHOICE_NOUNS = {
    "domain": "unknown domain",
    "locale": "unsupported locale",
    "on_push": "unknown reaction",
    "condition": "unknown weather condition",
    "primary_endpoint": "unknown endpoint",
    "secondary_endpoints": "unknown endpoint",
}


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def describe(value: Any) -> str:
    """A short description of what was found, for "expected X, got Y"."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string '{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _number(value: Any) -> Any:
    """1.0 -> 1, so that bounds read as the author wrote them."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def label(loc: tuple) -> str:
    """``('turns', 0, 'user')`` -> ``turns[0].user``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional wrappers."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _field_by_key(model: type[BaseModel], key: str):
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


def type_at(root: type[BaseModel], loc: tuple) -> Any:
    """The declared type of the value at ``loc`` in ``root``, or None if it cannot be told."""
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if not isinstance(part, str):
                return None
            info = _field_by_key(tp, part)
            if info is None:
                return None
            tp = info.annotation
            continue
        origin = typing.get_origin(tp)
        if origin in (list, tuple):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    return _unwrap(tp)


def allowed_keys(root: type[BaseModel], loc: tuple) -> list[str]:
    tp = type_at(root, loc)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [info.alias or name for name, info in tp.model_fields.items()]
    return []


def _choices(root: type[BaseModel], loc: tuple) -> list[str]:
    tp = type_at(root, loc)
    if typing.get_origin(tp) is Literal:
        return [str(a) for a in typing.get_args(tp)]
    return []


def _field_name(loc: tuple) -> str:
    for part in reversed(loc):
        if isinstance(part, str) and part != "[key]":
            return part
    return ""


def translate(error: dict, root: type[BaseModel], positions: Positions, path: str) -> Problem:
    """One pydantic error dict -> one located Problem."""
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")

    def at(where: tuple[int, int], message: str) -> Problem:
        return Problem(path, message, where[0], where[1])

    if loc and loc[-1] == "[key]":  # a mapping key failed its own constraint
        key_loc = loc[:-1]
        return at(positions.of_key(key_loc), f"{label(key_loc)}: invalid key: {error['msg']}")

    if kind == "extra_forbidden":
        parent, key = loc[:-1], str(loc[-1])
        prefix = f"{label(parent)}: " if parent else ""
        allowed = allowed_keys(root, parent)
        guess = did_you_mean(key, allowed)
        if guess:
            hint = f" (did you mean '{guess}'?)"
        else:
            hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return at(positions.of_key(loc), f"{prefix}unknown key '{key}'{hint}")

    if kind == "missing":
        parent, key = loc[:-1], str(loc[-1])
        prefix = f"{label(parent)}: " if parent else ""
        return at(positions.of_value(parent), f"{prefix}missing required key '{key}'")

    where = positions.of_value(loc)
    name = label(loc)
    field = _field_name(loc)

    if kind in EXPECTED:
        expected = EXPECTED_BY_FIELD.get(field, EXPECTED[kind])
        return at(where, f"{name}: expected {expected}, got {describe(value)}")

    if kind == "literal_error":
        choices = _choices(root, loc)
        if field == "version" and len(loc) == 1:
            return at(where, f"unsupported version {value!r} (this toolkit reads version 1)")
        noun = CHOICE_NOUNS.get(field, "invalid value")
        message = f"{name}: {noun} {value!r}"
        guess = did_you_mean(value, choices) if isinstance(value, str) else None
        if guess:
            message += f" (did you mean '{guess}'?)"
        if choices:
            message += f"; expected one of: {', '.join(choices)}"
        return at(where, message)

    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(ctx.get("pattern"), f"must match {ctx.get('pattern')}")
        if hint.startswith("use "):  # an id
            return at(where, f"{name}: invalid id {value!r}: {hint}")
        return at(where, f"{name}: {hint}, got {describe(value)}")

    if kind == "value_error":
        return at(where, f"{name}: {ctx.get('error')}")

    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return at(where, f"{name}: must not be empty")

    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        if kind == "too_short" and bound == 1:
            return at(where, f"{name}: must not be empty")
        word = "at least" if kind == "too_short" else "at most"
        return at(where, f"{name}: must have {word} {bound} items, got {ctx.get('actual_length')}")

    bounds = {
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        symbol, key = bounds[kind]
        return at(where, f"{name}: must be {symbol} {_number(ctx.get(key))}, got {value!r}")

    if kind == "finite_number":
        return at(where, f"{name}: must be a finite number")

    return at(where, f"{name}: {error['msg']}" if name else error["msg"])


def validate_model(
    model: type[BaseModel], data: Any, positions: Positions, path: str
) -> tuple[BaseModel | None, list[Problem]]:
    """Validate ``data`` against ``model``; the instance or the located problems."""
    if not isinstance(data, dict):
        what = "an empty file" if data is None else describe(data)
        title = model.model_config.get("title", "document")
        return None, [
            Problem(path, f"expected a mapping (a {title}), got {what}", *positions.of_value(()))
        ]
    try:
        return model.model_validate(data), []
    except PydanticValidationError as exc:
        problems = [translate(e, model, positions, path) for e in exc.errors()]
        return None, problems
