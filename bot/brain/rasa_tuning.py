"""Performance adjustments for the Rasa server process (Python 3.10, .venv-rasa).

Imported by the assistant channel (bot/brain/rasa_channel.py), which Rasa loads at start-up, so
they apply before the model is restored. Each one keeps Rasa's behaviour and removes work that
was measured to dominate (benchmarks/README.md, Telegram load and Platform sections).
"""

import gc
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# Restoring the model creates millions of long-lived objects, and with the default thresholds the
# cyclic garbage collector rescans them over and over: raising the thresholds took ~8 s off the
# cold start. Once loaded, the model is frozen out of collection.
GC_THRESHOLDS = (50_000, 50, 100)


def freeze_loaded_model() -> None:
    """Move everything alive after start-up (the model) to the permanent generation."""
    gc.collect()
    gc.freeze()


def _compile_action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


_ACTION_RESPONSE_VALIDATOR = _compile_action_response_validator()


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server response, with the schema compiled once.

    Rasa calls ``jsonschema.validate`` for every custom action, which first validates the large
    events schema against its meta-schema: that alone was 54 % of the Rasa process's CPU under
    load. Same schema, same error (``best_match``, as ``jsonschema.validate`` raises), same message.
    """
    error: ValidationError | None = best_match(_ACTION_RESPONSE_VALIDATOR.iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
