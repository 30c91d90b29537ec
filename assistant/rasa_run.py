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

import sys
from typing import Any

import jsonschema
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

_validator: Any = None


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    global _validator
    if _validator is None:
        schema = self.action_response_format_spec()
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    error = jsonschema.exceptions.best_match(_validator.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]

if __name__ == "__main__":
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    main()
