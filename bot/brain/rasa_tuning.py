"""Performance adjustments for the Rasa server process (Python 3.10, .venv-rasa).

Imported by the assistant channel (bot/brain/rasa_channel.py), which Rasa loads at start-up, so
they apply before the model is restored. Each one keeps Rasa's behaviour and removes work that
was measured to dominate (benchmarks/README.md, Telegram load and Platform sections).
"""

import gc
from typing import Any

import numpy as np
import tensorflow as tf
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from keras.utils import tf_utils
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DIAGNOSTIC_DATA, DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError
from rasa.utils.tensorflow import models as tf_models
from rasa.version import __version__ as RASA_VERSION

from bot.brain.conversation_context import EARLIER_TURNS

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


_resolve_event_by_scanning = Event.resolve_by_type
_EVENT_CLASSES: dict[str, type[Event]] = {}


def resolve_event_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's ``Event.resolve_by_type`` with the answer remembered per type name.

    Rasa walks the whole ``Event`` class tree (``all_subclasses`` + ``inspect.isabstract``) for
    every stored event it loads, i.e. for every event of the session on every message: 20 % of
    the Rasa process's Python time under load. The first scan's answer is kept; unknown names,
    ``topic`` and defaults still go through Rasa's own code every time.
    """
    found = _EVENT_CLASSES.get(type_name)
    if found is not None:
        return found
    resolved = _resolve_event_by_scanning(type_name, default)
    if (
        resolved is not None
        and resolved is not default
        and getattr(resolved, "type_name", None) == type_name
    ):
        _EVENT_CLASSES[type_name] = resolved
    return resolved


# Rasa sends the whole domain (~100 kB of JSON, mostly FAQ answers) to the action server with
# every custom action call. rasa_sdk keeps the last domain it received and accepts a call without
# one when ``domain_digest`` matches (else it answers HTTP 449). So the domain goes out once per
# action endpoint and digest, and again whenever the action server asks for it (a restarted or
# second action server): the call is simply repeated with the domain, before any action code ran.
DOMAIN_MISSING_STATUS = 449
_DOMAIN_DELIVERED: set[tuple[str, str]] = set()
_DIGESTS: dict[int, tuple[Domain, str]] = {}
_run_remote_action = RemoteAction.run


def _per_object(cache: dict[int, tuple[Any, Any]], owner: Any, compute: Any) -> Any:
    """``compute(owner)``, remembered for as long as the same object is alive under its id."""
    cached = cache.get(id(owner))
    if cached is None or cached[0] is not owner:
        cached = cache[id(owner)] = (owner, compute(owner))
    return cached[1]


def domain_digest(domain: Domain) -> str:
    """``Domain.fingerprint()``, computed once per loaded domain (it hashes the whole domain)."""
    return _per_object(_DIGESTS, domain, Domain.fingerprint)


def _delivery_key(action: RemoteAction, domain: Domain) -> tuple[str, str]:
    url = action.action_endpoint.url if action.action_endpoint else ""
    return (url or "", domain_digest(domain))


def events_of_this_turn(tracker: Any) -> list[dict[str, Any]]:
    """The events from the user's latest message on (all of them if there is none), as dicts,
    preceded by the session's earlier typed messages as bare ``user`` events (text only, at most
    ``EARLIER_TURNS``): 「已经过了两个多月了」 then 「那年限还算连续吗」 needs the first."""
    turn: list[Event] = []
    backwards = reversed(tracker.events)
    for event in backwards:
        turn.append(event)
        if isinstance(event, UserUttered):
            break
    earlier: list[dict[str, Any]] = []
    for event in backwards:  # the same iterator: what came before this turn
        if isinstance(event, SessionStarted) or len(earlier) == EARLIER_TURNS:
            break
        if isinstance(event, UserUttered) and event.text and not event.text.startswith("/"):
            earlier.append({"event": "user", "text": event.text, "timestamp": event.timestamp})
    return [*reversed(earlier), *(event.as_dict() for event in reversed(turn))]


def action_call_format(self: RemoteAction, tracker: Any, domain: Domain) -> dict[str, Any]:
    """Rasa's request to the action server, lighter in two ways.

    The domain goes only with the first call (then its digest, see ``run_remote_action``). And the
    tracker carries only this turn's events and the session's last few typed texts — Rasa sends the
    whole session, ~100 kB of JSON at 15 turns, whose encoding was ~5 % of a Rasa server under load.
    Our actions read slots, the latest message, the sender and those texts; rasa_sdk's form
    validation reads the slot events after the latest user message — all in the trimmed state (the materials and reminder forms run end to end through
    the real action server in tests/materials/test_materials_integration.py and
    tests/telegram/test_e2e_rasa.py).
    """
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = events_of_this_turn(tracker)
    body: dict[str, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": RASA_VERSION,
        "domain_digest": domain_digest(domain),
    }
    needs_domain = not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name())
    if needs_domain and _delivery_key(self, domain) not in _DOMAIN_DELIVERED:
        body["domain"] = domain.as_dict()
    return body


def _asked_for_domain(error: RasaException) -> bool:
    cause = error.__cause__
    return isinstance(cause, ClientResponseError) and cause.status == DOMAIN_MISSING_STATUS


async def run_remote_action(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Domain
) -> Any:
    key = _delivery_key(self, domain)
    try:
        events = await _run_remote_action(self, output_channel, nlg, tracker, domain)
    except RasaException as error:
        if key not in _DOMAIN_DELIVERED or not _asked_for_domain(error):
            raise
        _DOMAIN_DELIVERED.discard(key)  # the action server lost it: send it with this call
        events = await _run_remote_action(self, output_channel, nlg, tracker, domain)
    _DOMAIN_DELIVERED.add(key)
    return events


# DIET and the ResponseSelector each run their traced TensorFlow graph once per message, through
# ``tf.function``'s dispatcher, which re-canonicalises and re-casts the inputs against the input
# signature on every call: py-spy put that at ~10 % of the Rasa process under load, about as much
# as the graph's own work. The graph is traced once, with Rasa's fixed signature; its concrete
# function is called directly (same graph, same inputs, same outputs).
_rasa_predict = tf_models.RasaModel._rasa_predict
_CONCRETE_STEPS: dict[int, tuple[Any, Any]] = {}


def _concrete_step(traced_step: Any) -> tuple[Any, Any]:
    """The traced graph's concrete function and its input specs."""
    concrete = traced_step.get_concrete_function()
    return concrete, concrete.structured_input_signature[0][0]


def _matches_signature(specs: Any, batch_in: Any) -> bool:
    return len(specs) == len(batch_in) and all(
        isinstance(array, np.ndarray)
        and array.dtype == spec.dtype.as_numpy_dtype
        and spec.shape.is_compatible_with(array.shape)
        for spec, array in zip(specs, batch_in, strict=True)
    )


def predict_with_concrete_graph(self: Any, batch_in: Any) -> dict[str, Any]:
    """Rasa's ``RasaModel._rasa_predict``, calling the traced graph without the dispatcher.

    The first call (which traces the graph), eager mode, and any batch whose inputs do not match
    the traced signature go through Rasa's own method.
    """
    traced_step = self._tf_predict_step
    if traced_step is not None and not self._run_eagerly and self.prepared_for_prediction:
        concrete, specs = _per_object(_CONCRETE_STEPS, traced_step, _concrete_step)
        if _matches_signature(specs, batch_in):
            tensors = [tf.convert_to_tensor(array) for array in batch_in]
            outputs = tf_utils.sync_to_numpy_or_python_type(concrete._call_flat(tensors, concrete.captured_inputs))
            if DIAGNOSTIC_DATA in outputs:
                outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
            return outputs
    return _rasa_predict(self, batch_in)


def install() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_by_type)
    RemoteAction._action_call_format = action_call_format
    RemoteAction.run = run_remote_action
    tf_models.RasaModel._rasa_predict = predict_with_concrete_graph
