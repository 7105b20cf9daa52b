"""Performance adjustments for the Rasa server process (Python 3.10, .venv-rasa).

Imported by the assistant channel (bot/brain/rasa_channel.py), which Rasa loads at start-up, so
they apply before the model is restored. Each one keeps Rasa's behaviour and removes work that
was measured to dominate (benchmarks/README.md, Telegram load and Platform sections).
"""

import gc
from collections import OrderedDict
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError

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
_format_with_domain = RemoteAction._action_call_format
_run_remote_action = RemoteAction.run


def domain_digest(domain: Domain) -> str:
    """``Domain.fingerprint()``, computed once per loaded domain (it hashes the whole domain)."""
    cached = _DIGESTS.get(id(domain))
    if cached is None or cached[0] is not domain:
        cached = _DIGESTS[id(domain)] = (domain, domain.fingerprint())
    return cached[1]


def _delivery_key(action: RemoteAction, domain: Domain) -> tuple[str, str]:
    url = action.action_endpoint.url if action.action_endpoint else ""
    return (url or "", domain_digest(domain))


def action_call_format(self: RemoteAction, tracker: Any, domain: Domain) -> dict[str, Any]:
    body: dict[str, Any] = _format_with_domain(self, tracker, domain)
    body["domain_digest"] = domain_digest(domain)
    if _delivery_key(self, domain) in _DOMAIN_DELIVERED:
        body.pop("domain", None)
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


# Every prediction (RulePolicy, MemoizationPolicy; several per message) turns the whole session
# into dialogue states by replaying its events one by one from an empty tracker, although only
# the events since the last prediction are new: 16-26 % of the Rasa process's time under load,
# growing with the conversation. The replay is a left fold over the applied events, so its
# running value can be kept per conversation and continued with the new events; whenever the
# events seen before are not an exact prefix of the current ones (rewind, restart, edited
# history, another model), the fold starts again from the empty tracker as Rasa does.
MAX_REMEMBERED_CONVERSATIONS = 2_000
_replay_states = Domain.states_for_tracker_history


def _same_event(new: Event, old: Event) -> bool:
    """Whether two events are one stored event: same class, same attributes.

    ``parse_data`` is left out: the copy Rasa keeps in memory and the one read back from the
    tracker store differ in detail (float rounding, extra keys), and dialogue states use only the
    event's own ``intent``, ``entities`` and ``text``, which are compared.
    """
    if new is old:
        return True
    if type(new) is not type(old):
        return False
    attributes, seen = new.__dict__, old.__dict__
    return attributes.keys() == seen.keys() and all(
        value == seen[name] for name, value in attributes.items() if name != "parse_data"
    )


class _StatesFold:
    """Rasa's ``states_for_tracker_history`` loop, stopped after ``len(events)`` applied events."""

    __slots__ = ("domain", "events", "tracker", "states", "last_ml_action", "turn_was_hidden")

    def __init__(self, domain: Domain, tracker: DialogueStateTracker) -> None:
        self.domain = domain
        self.events: list[Event] = []
        self.tracker = tracker.init_copy()
        self.states: list[State] = []
        self.last_ml_action: Any = None
        self.turn_was_hidden = False

    def continues(self, domain: Domain, events: list[Event]) -> bool:
        seen = self.events
        if self.domain is not domain or len(events) < len(seen):
            return False
        return all(_same_event(new, old) for new, old in zip(events, seen, strict=False))

    def advance(self, events: list[Event], flags: tuple[bool, bool, Any]) -> None:
        for event in events[len(self.events) :]:
            if isinstance(event, ActionExecuted):
                state, self.last_ml_action, self.turn_was_hidden = self.state_before_action(
                    event.hide_rule_turn, self.last_ml_action, self.turn_was_hidden, flags
                )
                if state is not None:
                    self.states.append(state)
            self.tracker.update(event)
            self.events.append(event)

    def state_before_action(
        self,
        hide_rule_turn: bool,
        last_ml_action: Any,
        turn_was_hidden: bool,
        flags: tuple[bool, bool, Any],
    ) -> tuple[State | None, Any, bool]:
        """One pass of Rasa's loop body, on ``self.tracker`` as it stands."""
        omit_unset_slots, ignore_rule_only_turns, rule_only_data = flags
        domain, tracker = self.domain, self.tracker
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action = domain._get_prev_action_sub_state(tracker)
            if (
                not tracker.followup_action
                and tracker.latest_action_name != tracker.active_loop_name
            ):
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                return None, last_ml_action, turn_was_hidden
        state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if self.states:
                domain._substitute_rule_only_user_input(state, self.states[-1])
            if last_ml_action:
                state[PREVIOUS_ACTION] = last_ml_action
        return domain._clean_state(state), last_ml_action, turn_was_hidden

    def current_states(self, flags: tuple[bool, bool, Any]) -> list[State]:
        """All states so far plus the one before the next action; fresh dicts for the caller."""
        last, _, _ = self.state_before_action(
            False, self.last_ml_action, self.turn_was_hidden, flags
        )
        states = self.states if last is None else [*self.states, last]
        return [{part: dict(sub_state) for part, sub_state in state.items()} for state in states]


_STATE_FOLDS: "OrderedDict[tuple[Any, ...], _StatesFold]" = OrderedDict()


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """Rasa's ``Domain.states_for_tracker_history``, continued from the last call's replay."""
    if type(tracker) is not DialogueStateTracker:  # training trackers cache their own states
        return _replay_states(
            self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    rule_only_key = repr(sorted(rule_only_data.items())) if rule_only_data else None
    key = (
        tracker.sender_id,
        tracker.is_rule_tracker,
        omit_unset_slots,
        ignore_rule_only_turns,
        rule_only_key,
    )
    flags = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    events = tracker.applied_events()
    fold = _STATE_FOLDS.pop(key, None)  # taken out while in use: safe if another thread asks too
    if fold is None or not fold.continues(self, events):
        fold = _StatesFold(self, tracker)
    fold.advance(events, flags)
    states = fold.current_states(flags)
    _STATE_FOLDS[key] = fold
    while len(_STATE_FOLDS) > MAX_REMEMBERED_CONVERSATIONS:
        _STATE_FOLDS.popitem(last=False)
    return states


def install() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(resolve_event_by_type)  # type: ignore[assignment]
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
    RemoteAction.run = run_remote_action  # type: ignore[method-assign]
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
