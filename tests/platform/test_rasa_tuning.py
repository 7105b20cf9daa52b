"""The Rasa process's tuning keeps Rasa's behaviour: action responses, event types and NLU parses as before."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from bot.brain.training import PROJECT_ROOT, RASA_BIN

RASA_PYTHON = RASA_BIN.parent / "python"


def run_probe(probe: str, *args: str, timeout: int = 300) -> dict[str, Any]:
    """Run ``probe`` in the Rasa venv (Python 3.10) and return the JSON report of its last line."""
    proc = subprocess.run(
        [str(RASA_PYTHON), "-c", probe, *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout, check=False,
        env={"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# Runs inside .venv-rasa: compares the installed check with Rasa's own (jsonschema.validate).
PROBE = r"""
import json, sys
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
import bot.brain.rasa_channel  # installs the tuning, as when Rasa loads the channel

action = RemoteAction("action_answer_faq", None)
report = {"patched": RemoteAction._validate_action_result.__module__}
for name, payload in json.loads(sys.argv[1]).items():
    try:
        validate(payload, RemoteAction.action_response_format_spec())
        expected = None
    except ValidationError as error:
        expected = error.message
    try:
        got = action._validate_action_result(payload)
    except ValidationError as error:
        got = error.message
    report[name] = {"expected": expected, "got": got}
print(json.dumps(report))
"""

PAYLOADS = {
    "answer": {"events": [{"event": "slot", "name": "faq_id", "value": "renewal_window", "timestamp": None}],
               "responses": [{"text": "签注窗口在到期前30天内。", "buttons": [{"title": "来源", "payload": "/faq_source"}]}]},
    "empty": {"events": [], "responses": []},
    "responses_not_a_list": {"events": [], "responses": "你好"},
    "unknown_event": {"events": [{"event": "no_such_event"}], "responses": []},
    "events_not_a_list": {"events": {"event": "slot"}, "responses": []},
}


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs .venv-rasa (make setup)")
def test_action_responses_are_validated_exactly_as_rasa_does() -> None:
    report = run_probe(PROBE, json.dumps(PAYLOADS, ensure_ascii=False))
    assert report.pop("patched") == "bot.brain.rasa_tuning"
    assert report["answer"] == {"expected": None, "got": True}
    assert report["empty"] == {"expected": None, "got": True}
    for name in ("responses_not_a_list", "unknown_event", "events_not_a_list"):
        expected, got = report[name]["expected"], report[name]["got"]
        assert expected is not None, name
        assert got.startswith(expected), (name, got)
        assert "Failed to validate Action server response" in got


# Runs inside .venv-rasa: the remembered event lookup answers as Rasa's class-tree scan does.
EVENT_PROBE = r"""
import json
import rasa.shared.utils.common
from rasa.shared.core.events import Event, SlotSet
import bot.brain.rasa_channel  # installs the tuning
from bot.brain import rasa_tuning

names = sorted({c.type_name for c in rasa.shared.utils.common.all_subclasses(Event)})
report = {"patched": Event.resolve_by_type is rasa_tuning.resolve_event_by_type, "mismatches": []}
for _ in range(2):  # first call scans, second answers from memory
    for name in names:
        if Event.resolve_by_type(name) is not rasa_tuning._resolve_event_by_scanning(name):
            report["mismatches"].append(name)
report["names"] = len(names)
report["topic"] = Event.resolve_by_type("topic")
report["default"] = Event.resolve_by_type("no_such_event", SlotSet).__name__
try:
    Event.resolve_by_type("no_such_event")
    report["unknown"] = "no error"
except ValueError as error:
    report["unknown"] = str(error)
print(json.dumps(report))
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs .venv-rasa (make setup)")
def test_event_types_resolve_exactly_as_rasa_does() -> None:
    report = run_probe(EVENT_PROBE)
    assert report["patched"] is True
    assert report["names"] > 20 and report["mismatches"] == []
    assert report["topic"] is None
    assert report["default"] == "SlotSet"
    assert report["unknown"] == "Unknown event name 'no_such_event'."


# Runs inside .venv-rasa: the trained model parses the same texts with Rasa's own TensorFlow call
# and with the concrete-graph call of the tuning; everything the NLU returns must be identical.
PARSE_PROBE = r"""
import asyncio, json, logging, sys
logging.disable(logging.WARNING)
from rasa.core.agent import Agent
from rasa.utils.tensorflow import models as tf_models
import bot.brain.rasa_channel  # installs the tuning
from bot.brain import rasa_tuning

async def parse_all(agent, texts):
    return [await agent.parse_message(text) for text in texts]

async def main():
    texts = json.loads(sys.argv[2])
    agent = Agent.load(sys.argv[1])
    report = {"patched": tf_models.RasaModel._rasa_predict is rasa_tuning.predict_with_concrete_graph}
    tuned_first = await parse_all(agent, texts)  # the first call traces the graph the Rasa way
    tuned = await parse_all(agent, texts)
    report["concrete_graphs"] = len(rasa_tuning._CONCRETE_STEPS)
    tf_models.RasaModel._rasa_predict = rasa_tuning._rasa_predict
    own = await parse_all(agent, texts)
    report["same_as_rasa"] = [a == b == c for a, b, c in zip(own, tuned, tuned_first)]
    report["intents"] = [p["intent"]["name"] for p in tuned]
    report["entities"] = sorted({e["entity"] for p in tuned for e in p.get("entities", [])})
    print(json.dumps(report))

asyncio.run(main())
"""

PARSE_TEXTS = [
    "居住证快到期了怎么续签", "签注要带什么材料", "租房合同没备案可以办居住证吗", "how long does the residence permit take",
    "上海居住證過期了要怎么續辦", "我住在自己买的房子里", "我的居住证2027年3月5日到期", "你好", "谢谢", "积分怎么算",
    "？", "a" * 300,
    # DIET tags the English topic keys of the topic buttons' typed form (nlu_data/buttons.yml); the
    # Chinese materials answers are read by the bot itself, so these are the texts with entities
    "materials相关问题", "关于expiry的问题", "有关proxy的问题",
]


@pytest.mark.integration
@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs .venv-rasa (make setup)")
def test_nlu_answers_exactly_as_with_rasas_own_tensorflow_call() -> None:
    from bot.brain.training import latest_model
    from bot.config import load_settings

    model = latest_model(load_settings().models_dir)
    if model is None:
        pytest.fail("no trained Rasa model: run `make train` (make test does it)")
    report = run_probe(PARSE_PROBE, str(model), json.dumps(PARSE_TEXTS, ensure_ascii=False), timeout=600)
    assert report["patched"] is True
    assert report["concrete_graphs"] == 2  # DIET and the ResponseSelector took the direct call
    assert report["same_as_rasa"] == [True] * len(PARSE_TEXTS)
    assert report["intents"][0] == "faq" and report["intents"][7] == "greet"
    assert report["entities"]  # the entity extractor's output is compared too, not only intents
