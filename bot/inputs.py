"""Input hygiene the pipeline applies before anything reaches Rasa (found by tests/fuzz).

* Lone UTF-16 surrogates (``"\\ud800"``) are legal in a Python ``str`` but not in UTF-8 or in
  PostgreSQL: Rasa's tracker store would fail on them. Valid pairs are joined, lone ones become
  U+FFFD.
* A button payload must look like the payloads our buttons carry — ``/intent`` or
  ``/intent{json object}`` — without control characters; anything else is an expired/forged
  button and never reaches Rasa.
"""

from __future__ import annotations

import json
import re

MAX_PAYLOAD_CHARS = 512
_PAYLOAD = re.compile(r"/[A-Za-z_][A-Za-z0-9_.\-]{0,80}(\{.*\})?", re.DOTALL)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def repair_surrogates(text: str) -> str:
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def is_wellformed_payload(payload: object) -> bool:
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD_CHARS:
        return False
    if _SURROGATE.search(payload) or _CONTROL.search(payload):
        return False
    match = _PAYLOAD.fullmatch(payload)
    if match is None:
        return False
    if match.group(1) is None:
        return True
    try:
        entities = json.loads(match.group(1))
    except ValueError:
        return False
    return isinstance(entities, dict) and all(
        isinstance(k, str) and isinstance(v, str | int | float | bool) for k, v in entities.items()
    )
