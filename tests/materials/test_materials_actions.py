"""The form's custom actions, driven the way Rasa drives them (real rasa_sdk Tracker and actions).

``FormDriver`` plays Rasa's part of a form loop: it maps button entities to the requested slot,
calls validate_materials_form with the candidate slots, treats "nothing extracted" as a
rejection, and asks the next question with action_ask_<slot>.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.materials import (
    ASK_ACTIONS,
    ActionCorrectMaterialsAnswer,
    ActionExplainMaterialsQuestion,
    ActionResetMaterials,
    ActionShowChecklist,
    ActionShowLatestChecklist,
    ValidateMaterialsForm,
    answers_from,
)
from bot.config import PROJECT_ROOT
from bot.materials.rules import slots_to_ask
from bot.materials.understanding import registration_status_for
from tests.materials.test_materials_rules import ALL_PATHS

TODAY = date(2026, 11, 27)
DOMAIN = yaml.safe_load(
    (PROJECT_ROOT / "rasa" / "domain" / "materials.yml").read_text(encoding="utf-8")
)


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_CLOCK", "2026-11-27T10:00:00+08:00")


def parse_payload(text: str) -> tuple[str, dict[str, Any]]:
    intent, _, entities = text[1:].partition("{")
    return intent, json.loads("{" + entities) if entities else {}


@dataclass
class FormDriver:
    sender_id: str = "console:test"
    slots: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    rejected: bool = False

    def tracker(
        self, text: str, intent: str, entities: dict[str, Any], candidates: dict[str, Any]
    ) -> Tracker:
        events = [{"event": "action", "name": "materials_form"}] + [
            {"event": "slot", "name": k, "value": v} for k, v in candidates.items()
        ]
        return Tracker(
            sender_id=self.sender_id,
            slots={**self.slots, **candidates},
            latest_message={
                "text": text,
                "intent": {"name": intent, "confidence": 0.9},
                "entities": [{"entity": k, "value": v} for k, v in entities.items()],
            },
            events=events,
            paused=False,
            followup_action=None,
            active_loop={"name": "materials_form"},
            latest_action_name="action_listen",
        )

    async def run(self, action: Any, tracker: Tracker) -> list[dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, DOMAIN)
        self.messages.extend(dispatcher.messages)
        return events

    async def start(self) -> None:
        await self._validate_and_ask(self.tracker("/start_materials", "start_materials", {}, {}))

    async def say(self, text: str, intent: str = "inform_materials") -> None:
        """One user turn while the form is active."""
        entities: dict[str, Any] = {}
        if text.startswith("/"):
            intent, entities = parse_payload(text)
        requested = self.slots.get("requested_slot")
        candidates = {k: v for k, v in entities.items() if k == requested}
        self.rejected = False
        tracker = self.tracker(text, intent, entities, candidates)
        events = await self.run(ValidateMaterialsForm(), tracker)
        filled = [e for e in events if e["event"] == "slot" and e["name"] != "requested_slot"]
        if not candidates and not filled:
            self.rejected = True  # Rasa raises ActionExecutionRejection: a rule takes over
            return
        self._apply(events)
        await self._ask_next()

    async def _validate_and_ask(self, tracker: Tracker) -> None:
        self._apply(await self.run(ValidateMaterialsForm(), tracker))
        await self._ask_next()

    def _apply(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]

    async def _ask_next(self) -> None:
        requested = self.slots.get("requested_slot")
        if requested:
            await self.run(
                ASK_ACTIONS[requested.removeprefix("mat_")](), self.tracker("", "", {}, {})
            )

    @property
    def done(self) -> bool:
        return self.slots.get("requested_slot") is None

    @property
    def last_text(self) -> str:
        return str(self.messages[-1].get("text") or "")

    def answers(self) -> dict[str, str]:
        tracker = self.tracker("", "", {}, {})
        return answers_from(tracker)


def button_payload(driver: FormDriver, value: str) -> str:
    button = next(
        b for b in driver.messages[-1]["buttons"] if b["payload"].endswith(f'"{value}"}}')
    )
    return button["payload"]


async def test_every_path_by_buttons_asks_exactly_the_questions_that_matter() -> None:
    for path in ALL_PATHS:
        driver = FormDriver()
        await driver.start()
        asked = []
        while not driver.done:
            slot = driver.slots["requested_slot"].removeprefix("mat_")
            asked.append(slot)
            value = path[slot]
            text = (
                button_payload(driver, value)
                if value in {"unknown"} or slot != "registered_on"
                else value
            )
            await driver.say(text)
            assert not driver.rejected, (path, slot)
        assert asked == slots_to_ask(path), path
        answers = driver.answers()
        for slot, value in path.items():
            if slot == "registration" and path.get("registered_on", "unknown") != "unknown":
                # A typed registration day decides whether six months have passed.
                day = date.fromisoformat(path["registered_on"])
                assert answers[slot] == registration_status_for(day, TODAY)
            else:
                assert answers[slot] == value, (path, slot)


async def test_free_text_answers_fill_the_form() -> None:
    driver = FormDriver()
    await driver.start()
    for text in [
        "第一次办",
        "给我自己办",
        "我是今年9月3号登记的",
        "我跟老公住他买的房子",
        "我在读研",
    ]:
        await driver.say(text, intent="nlu_fallback")
        assert not driver.rejected, text
    assert driver.done
    assert driver.answers() == {
        "application": "first",
        "applicant": "self",
        "registration": "under_6m",
        "registered_on": "2026-09-03",
        "housing": "relative_own",
        "activity": "study",
    }


async def test_endorsement_at_an_unchanged_address_never_asks_housing() -> None:
    driver = FormDriver()
    await driver.start()
    await driver.say("要续签")
    await driver.say("本人")
    assert driver.slots["requested_slot"] == "mat_address_changed"
    await driver.say("没搬家，还是原来的地址")
    assert driver.slots["requested_slot"] == "mat_activity"
    assert "住" not in driver.last_text or "房子" not in driver.last_text


async def test_unclear_answer_is_asked_again_with_a_hint() -> None:
    driver = FormDriver()
    await driver.start()
    await driver.say('/inform_materials{"mat_application":"first"}')
    await driver.say('/inform_materials{"mat_applicant":"self"}')
    await driver.say('/inform_materials{"mat_registration":"over_6m"}')
    await driver.say("租的")
    assert not driver.rejected
    assert driver.slots["requested_slot"] == "mat_housing"
    texts = [m.get("text") for m in driver.messages[-2:]]
    assert "备案" in texts[0] and texts[1].startswith("你现在住的房子")
    await driver.say("嗯……火星", intent="nlu_fallback")
    assert driver.slots["requested_slot"] == "mat_housing"
    assert "没太看懂" in driver.messages[-2]["text"]


async def test_questions_and_interruptions_mid_form_are_left_to_the_rules() -> None:
    driver = FormDriver()
    await driver.start()
    await driver.say("租房没备案能办居住证吗？", intent="faq")
    assert driver.rejected
    for intent, text in [
        ("ask_why", "为什么问这个"),
        ("cancel", "/cancel"),
        ("correct_materials", "住房情况说错了"),
        ("greet", "在吗"),
        ("thank", "谢谢"),  # not 「没看懂」: the thanks rule answers, then the form asks again
    ]:
        await driver.say(text, intent=intent)
        assert driver.rejected, intent


async def test_starting_again_mid_form_keeps_the_current_question() -> None:
    driver = FormDriver()
    await driver.start()
    await driver.say('/inform_materials{"mat_application":"endorse"}')
    await driver.say("/start_materials")
    assert not driver.rejected
    assert driver.slots["requested_slot"] == "mat_applicant"
    assert "正在列材料清单" in driver.messages[-2]["text"]
    assert driver.answers() == {"application": "endorse"}


async def test_why_explains_the_requested_question() -> None:
    driver = FormDriver()
    await driver.start()
    await driver.say('/inform_materials{"mat_application":"first"}')
    await driver.say('/inform_materials{"mat_applicant":"self"}')
    events = await driver.run(
        ActionExplainMaterialsQuestion(), driver.tracker("为什么问这个", "ask_why", {}, {})
    )
    assert events == []
    assert "半年" in driver.last_text


async def test_correction_clears_only_that_answer() -> None:
    driver = FormDriver()
    driver.slots.update(
        mat_application="first",
        mat_applicant="self",
        mat_registration="over_6m",
        mat_housing="rent_filed",
        mat_activity="work",
    )
    events = await driver.run(
        ActionCorrectMaterialsAnswer(),
        driver.tracker("住房情况说错了", "correct_materials", {"mat_slot": "housing"}, {}),
    )
    driver._apply(events)
    assert driver.answers() == {
        "application": "first",
        "applicant": "self",
        "registration": "over_6m",
        "activity": "work",
    }
    await driver._validate_and_ask(driver.tracker("", "", {}, {}))
    assert driver.slots["requested_slot"] == "mat_housing"


async def test_correction_without_a_target_offers_buttons() -> None:
    driver = FormDriver()
    driver.slots.update(mat_application="replace", mat_applicant="self")
    await driver.run(
        ActionCorrectMaterialsAnswer(), driver.tracker("我说错了", "correct_materials", {}, {})
    )
    payloads = [b["payload"] for b in driver.messages[-1]["buttons"]]
    assert payloads == [
        '/correct_materials{"mat_slot":"application"}',
        '/correct_materials{"mat_slot":"applicant"}',
    ]


async def test_cancel_forgets_all_answers() -> None:
    driver = FormDriver()
    driver.slots.update(mat_application="first", mat_housing="own")
    driver._apply(
        await driver.run(ActionResetMaterials(), driver.tracker("/cancel", "cancel", {}, {}))
    )
    assert driver.answers() == {}


@pytest.fixture
def database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    return sqlite_url


async def test_show_checklist_saves_it_and_sends_text_card_and_next_steps(database: str) -> None:
    driver = FormDriver(sender_id="tg:5")
    driver.slots.update(
        mat_application="endorse",
        mat_applicant="self",
        mat_address_changed="yes",
        mat_housing="rent_unfiled",
        mat_activity="work",
        mat_registration="none",
    )
    await driver.run(ActionShowChecklist(), driver.tracker("", "", {}, {}))
    text, card, steps = driver.messages
    assert (
        "租赁合同还没有网签备案" in text["text"]
        and "居住登记" not in text["text"].split("💡")[0].split("一、")[0]
    )
    assert card["custom"]["type"] == "checklist_card"
    payloads = {b["payload"] for b in steps["buttons"]}
    assert {"/precheck_start", "/remind_me"} <= payloads

    from bot.materials import render_card_for

    assert render_card_for(card["custom"]["checklist_id"], database).startswith(b"\x89PNG")

    latest = FormDriver(sender_id="tg:5")
    await latest.run(ActionShowLatestChecklist(), latest.tracker("/mylist", "mylist", {}, {}))
    assert "租赁合同还没有网签备案" in latest.messages[1]["text"]
    nobody = FormDriver(sender_id="tg:6")
    await nobody.run(ActionShowLatestChecklist(), nobody.tracker("/mylist", "mylist", {}, {}))
    assert nobody.messages[0]["buttons"][0]["payload"] == "/start_materials"


def test_domain_declares_every_materials_action() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("bot.actions.materials")
    declared = set(DOMAIN["actions"])
    registered = {name for name in executor.actions if name.startswith(("action_", "validate_"))}
    materials_actions = {
        n for n in registered if "materials" in n or "mat_" in n or "checklist" in n
    }
    assert declared <= registered
    assert materials_actions == declared
    assert Path(PROJECT_ROOT / "dialogs" / "materials" / "rules.yml").is_file()


async def test_an_answer_to_a_later_question_is_kept_and_the_current_one_asked_again() -> None:
    driver = FormDriver()
    await driver.start()
    await driver.say("第一次办")
    assert driver.slots["requested_slot"] == "mat_applicant"
    await driver.say("上班")  # answers 在沪情况, not 给谁办
    assert not driver.rejected
    assert driver.slots["mat_activity"] == "work" and driver.slots.get("mat_applicant") is None
    assert driver.slots["requested_slot"] == "mat_applicant"
    texts = [str(m.get("text")) for m in driver.messages[-2:]]
    assert "在沪情况先记下：就业" in texts[0] and texts[1] == driver.last_text
    await driver.say("本人")
    await driver.say('/inform_materials{"mat_registration":"over_6m"}')
    await driver.say("自己买的房")
    assert driver.done  # activity was not asked again
    assert driver.answers()["activity"] == "work"


async def test_a_reply_that_answers_nothing_still_gets_the_hint() -> None:
    driver = FormDriver()
    await driver.start()
    await driver.say("第一次办")
    await driver.say("嗯……火星", intent="nlu_fallback")
    assert "没太看懂" in driver.messages[-2]["text"]
    assert driver.slots.get("mat_activity") is None and driver.slots.get("mat_housing") is None


async def test_a_reply_that_touches_a_later_question_is_acknowledged_not_called_unclear() -> None:
    driver = FormDriver()
    await driver.start()
    await driver.say("第一次办")
    await driver.say("租的房子")  # housing, but renting still needs the filing question
    assert "住房情况等问到那一题再细说" in driver.messages[-2]["text"]
    assert "没太看懂" not in driver.messages[-2]["text"]
    assert driver.slots.get("mat_housing") is None and driver.slots["requested_slot"] == "mat_applicant"
    await driver.say("上班")
    await driver.say("有劳动合同 社保也交了", intent="out_of_scope")  # work again, already noted
    assert "在沪情况已经记下了" in driver.messages[-2]["text"]
    assert driver.slots["requested_slot"] == "mat_applicant" and driver.slots["mat_activity"] == "work"
