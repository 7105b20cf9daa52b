"""Rasa sends its domain to the action server once, and again whenever the action server lost it.

Runs Rasa's ``RemoteAction`` (in .venv-rasa, with the tuning of bot/brain/rasa_tuning.py) against
the real action server (rasa_sdk in the bot's environment, ``bot.actions``), over real HTTP:
the first call carries the domain, the next ones only its digest; after the action server is
restarted (it forgot the domain and answers HTTP 449) the call is repeated with the domain and
the user still gets the answer. The tracker in each call holds only the events of this turn and
the session's earlier typed texts.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.brain.training import PROJECT_ROOT, RASA_BIN
from tests.conftest import free_port

pytestmark = pytest.mark.integration

RASA_PYTHON = RASA_BIN.parent / "python"

PROBE = r"""
import asyncio, json, os, signal, subprocess, sys, time, urllib.request
import bot.brain.rasa_channel  # installs the tuning, as when Rasa loads the channel
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from bot.brain import rasa_tuning

bot_python, port, env = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
sent = []
def recording_format(self, tracker, domain):
    body = rasa_tuning.action_call_format(self, tracker, domain)
    sent.append({"domain": "domain" in body, "digest": body.get("domain_digest"),
                 "events": [e["event"] for e in body["tracker"]["events"]],
                 "texts": [e.get("text") for e in body["tracker"]["events"]],
                 "earlier_keys": sorted(body["tracker"]["events"][0]),
                 "latest_text": body["tracker"]["latest_message"]["text"]})
    return body
RemoteAction._action_call_format = recording_format

def start_action_server():
    proc = subprocess.Popen([bot_python, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except Exception:
            time.sleep(0.2)
    raise SystemExit("action server did not start")

domain = Domain.from_directory("rasa/domain")
action = RemoteAction("action_faq_menu", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))

async def call():
    tracker = DialogueStateTracker.from_events(
        "probe", [ActionExecuted("action_listen"), UserUttered("你好", {"name": "greet", "confidence": 1.0}),
                  ActionExecuted("utter_greet"), ActionExecuted("action_listen"),
                  UserUttered("常见问题", {"name": "faq_menu", "confidence": 1.0})],
        slots=domain.slots)
    events = await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain)
    return sum(1 for e in events if e.type_name == "bot")

report = {}
server = start_action_server()
report["first"] = asyncio.run(call())
report["second"] = asyncio.run(call())
def stop(server):  # Sanic serves from a worker process: end the whole group, as a crash would
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(30)
stop(server)
server = start_action_server()
report["after_restart"] = asyncio.run(call())
report["then"] = asyncio.run(call())
stop(server)
report["sent"] = sent
print(json.dumps(report))
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs .venv-rasa (make setup)")
def test_domain_goes_out_once_and_again_after_an_action_server_restart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    action_env = {
        "PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "DATA_DIR": str(tmp_path),
    }  # fmt: skip
    proc = subprocess.run(
        [str(RASA_PYTHON), "-c", PROBE, sys.executable, str(free_port()), json.dumps(action_env)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    # every call got the menu message, including the one the restarted server first refused
    assert [report[k] for k in ("first", "second", "after_restart", "then")] == [1, 1, 1, 1]
    sent = report["sent"]
    assert len({s["digest"] for s in sent}) == 1 and sent[0]["digest"]
    # domain on the first call, digest only on the second; after the restart the digest-only call
    # is refused (449) and repeated with the domain; then digest only again
    assert [s["domain"] for s in sent] == [True, False, False, True, False]
    # the tracker carries this turn's events (from the latest user message on), preceded by the
    # session's earlier typed messages as text only
    assert all(s["events"] == ["user", "user"] and s["latest_text"] == "常见问题" for s in sent)
    assert all(s["texts"] == ["你好", "常见问题"] and s["earlier_keys"] == ["event", "text", "timestamp"] for s in sent)
