"""Action-server responses checked against a schema compiled once, not on every action.

Rasa 3.6 validates each custom-action response with ``jsonschema.validate(result, schema)``,
which first re-checks the (constant) schema against the JSON Schema meta-schema: about 10 ms of
a loaded machine's time per custom action, a third of a turn (see "Measured facts" in the
design). Here every response is validated exactly as before, against the same schema, by a
validator built once, and each event is checked against its own ``oneOf`` branch only.
"""

from __future__ import annotations

from typing import Any

import jsonschema
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

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


# (owner, attribute, replacement) for speedups.install()
PATCHES = [(RemoteAction, "_validate_action_result", _validate_action_result)]
