"""Every button and command the bot offers sends an intent Rasa knows.

The main menu's 「检查证件照片」 once sent ``/precheck_start``, an intent no domain file declared:
Rasa parsed the payload as text and the user got unrelated FAQ topics. Payloads come from the
domain's responses, from ``payload("…")`` in the actions, and from the channels' command maps.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.channels.console import COMMANDS
from bot.channels.telegram import COMMAND_PAYLOADS
from bot.config import PROJECT_ROOT
from bot.privacy.commands import COMMANDS as ANSWERED_BY_THE_PIPELINE

DOMAIN = PROJECT_ROOT / "rasa" / "domain"
PAYLOAD_CALL = re.compile(r"""payload\(\s*["']([a-z_]+)["']""")


def domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in DOMAIN.glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []:
            intents.add(item if isinstance(item, str) else next(iter(item)))
    return intents


def intent_of(payload: str) -> str:
    return payload.removeprefix("/").split("{", 1)[0]


def response_payloads() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in DOMAIN.glob("*.yml"):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        for name, variants in responses.items():
            for variant in variants:
                for button in variant.get("buttons") or []:
                    found[f"{path.name}:{name}:{button['title']}"] = button["payload"]
    return found


def code_payloads() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((PROJECT_ROOT / "bot").rglob("*.py")):
        for intent in PAYLOAD_CALL.findall(path.read_text(encoding="utf-8")):
            found[f"{path.relative_to(PROJECT_ROOT)}:{intent}"] = f"/{intent}"
    found |= {f"console {command}": target for command, target in COMMANDS.items()}
    found |= {f"telegram /{command}": target for command, target in COMMAND_PAYLOADS.items()}
    return found


def test_the_scan_finds_the_payloads() -> None:
    assert len(response_payloads()) >= 8 and len(code_payloads()) >= 30
    assert "/precheck_start" in response_payloads().values()


def test_every_offered_payload_is_a_domain_intent() -> None:
    """…or one the pipeline answers itself without Rasa (/privacy, /mydata, /forget)."""
    intents = domain_intents()
    known = intents | {intent_of(command) for command in ANSWERED_BY_THE_PIPELINE}
    unknown = {where: p for where, p in (response_payloads() | code_payloads()).items() if intent_of(p) not in known}
    assert unknown == {}


def test_the_photo_check_button_explains_how_to_send_a_photo() -> None:
    domain = yaml.safe_load((DOMAIN / "precheck.yml").read_text(encoding="utf-8"))
    [variant] = domain["responses"]["utter_precheck_start"]
    assert "发给我" in variant["text"] and "不会保存" in variant["text"]
    rules = Path(PROJECT_ROOT / "dialogs" / "precheck" / "rules.yml").read_text(encoding="utf-8")
    assert "intent: precheck_start" in rules and "action: utter_precheck_start" in rules
