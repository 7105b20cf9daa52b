"""One pipeline for every channel: clean the text, ask Rasa, turn its messages into replies.

When Rasa is down or slower than RASA_TIMEOUT the assistant answers FAQs from local retrieval
over knowledge/ (limited mode) and returns to normal by itself once Rasa answers again.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.brain.rasa_client import RasaAnswer, RasaClient, RasaUnavailable
from bot.brain.short_replies import read_short_reply
from bot.config import Settings
from bot.inputs import is_wellformed_payload, repair_surrogates
from bot.privacy.activity import note_user_activity, with_first_use_notice
from bot.privacy.commands import COMMANDS as PRIVACY_COMMANDS
from bot.privacy.commands import answer_privacy_payload, is_privacy_payload, reply_to_command
from bot.privacy.typed import typed_privacy_command
from bot.ratelimit import SLOW_DOWN_TEXT, FloodControl, Verdict
from bot.replies import Button, Reply, Turn
from bot.scope import other_place_named
from bot.text import mask_personal_numbers, normalize_text

log = logging.getLogger(__name__)

MEANINGFUL = re.compile(r"[\w\u4e00-\u9fff]")
CustomExpander = Callable[[dict[str, Any], str], Awaitable[list[Reply]]]
_EXPANDERS: dict[str, CustomExpander] = {}

EMPTY_REPLY = "你好像发了一条空消息。想问居住证的什么问题？直接打字告诉我就行。"
NO_WORDS_REPLY = "我只看到了表情或符号 🙂 请用文字告诉我你想办什么，比如「居住证怎么续签」。"
UNDECODABLE_REPLY = "这条消息的文字编码我识别不了，请重新输入一次。"


def register_custom_expander(kind: str, expander: CustomExpander) -> None:
    """Let a feature turn a custom Rasa JSON message ({"type": kind, ...}) into replies."""
    _EXPANDERS[kind] = expander


LIMITED_STEP_TEXT = "收到。不过刚才的步骤现在没法继续，过一会儿再回复我一次就行。"
LIMITED_SHORT_REPLIES = {
    "greet": "你好！我是上海居住证小助手，有问题直接打字问我。",
    "thank": "不客气！",
    "goodbye": "好的，祝办证顺利！",
    # a yes/no answers a question of a step (reminder, checklist) that cannot go on right now
    "affirm": LIMITED_STEP_TEXT,
    "deny": LIMITED_STEP_TEXT,
}


LIMITED_FEATURE_TEXT = "这个功能暂时用不了，请过一会儿再试。"


def too_long_reply(length: int, limit: int) -> str:
    return f"这条消息有 {length} 个字，太长了，我一次最多读 {limit} 个字。请把问题精简成一两句话再发给我。"


def replies_from_rasa(messages: list[dict[str, Any]]) -> list[Reply]:
    replies: list[Reply] = []
    for msg in messages:
        buttons = [
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in msg.get("buttons") or []
            if b.get("payload")
        ]
        custom = msg.get("custom") if isinstance(msg.get("custom"), dict) else {}
        if msg.get("text") or buttons or custom:
            replies.append(Reply(text=str(msg.get("text") or ""), buttons=buttons, custom=custom or {}))
    return replies


class Assistant:
    """Channel-neutral entry point: text or a button payload in, a ``Turn`` (replies) out."""

    def __init__(self, settings: Settings, rasa: RasaClient, services: Any = None) -> None:
        self.settings = settings
        self.rasa = rasa
        self.services = services
        self.limited_mode = False
        self._local_faq: Any = None
        self.flood = FloodControl.from_env()

    def _local(self) -> Any:
        if self._local_faq is None:
            from bot.brain.local_faq import LocalFaq

            self._local_faq = LocalFaq.from_knowledge()
        return self._local_faq

    async def _warm_local_faq(self) -> None:
        """Build the local index off the event loop (seconds of CPU): other chats keep moving."""
        if self._local_faq is None:
            try:
                await asyncio.to_thread(self._local)
            except Exception:  # noqa: BLE001 — _limited_turn reports it
                log.exception("could not build the local FAQ index")

    async def handle_text(self, sender_id: str, text: str | bytes, channel: str = "console") -> Turn:
        flooded = self._flood_turn(sender_id)
        if flooded is not None:
            return flooded
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                return Turn(text="", replies=[Reply(UNDECODABLE_REPLY)])
        text = repair_surrogates(text)
        raw_len = len(text.strip())
        if raw_len > self.settings.max_text_chars:
            return Turn(text=text[:80], replies=[Reply(too_long_reply(raw_len, self.settings.max_text_chars))])
        clean = normalize_text(text, self.settings.max_text_chars)
        if not clean:
            return Turn(text="", replies=[Reply(EMPTY_REPLY)])
        if not MEANINGFUL.search(clean) and read_short_reply(clean) is None:  # 👍 answers a question
            return Turn(text=clean, replies=[Reply(NO_WORDS_REPLY)])
        command = typed_privacy_command(clean)
        if command is not None:  # 「我的数据」「删除我的数据」: the NLU has no such intents
            return await self._privacy_turn(sender_id, command, clean)
        if other_place_named(clean):
            turn = await self._ask_rasa(sender_id, "/out_of_scope", channel)
            turn.text = clean
            return turn
        # ID-card and phone numbers are never needed to answer; keep them out of Rasa's tracker
        return await self._ask_rasa(sender_id, mask_personal_numbers(clean), channel)

    async def handle_payload(self, sender_id: str, payload: str, channel: str = "console") -> Turn:
        """A button press: the payload goes to Rasa unchanged (it bypasses the NLU)."""
        flooded = self._flood_turn(sender_id)
        if flooded is not None:
            return flooded
        if isinstance(payload, str) and is_privacy_payload(payload):  # 确认删除 / 取消 under /forget
            reply = await answer_privacy_payload(sender_id, payload, self.settings.database_url)
            return Turn(text=payload, intent="forget", confidence=1.0, replies=[reply])
        if not is_wellformed_payload(payload):
            return Turn(text=repair_surrogates(str(payload)[:80]), replies=[Reply("这个按钮已经失效了，请重新发一次你的问题。")])
        if payload in PRIVACY_COMMANDS:
            return await self._privacy_turn(sender_id, payload, payload)
        return await self._ask_rasa(sender_id, payload, channel)

    async def _privacy_turn(self, sender_id: str, command: str, text: str) -> Turn:
        """/privacy, /mydata and /forget are answered from the database, without Rasa."""
        reply = await reply_to_command(command, sender_id, self.settings.database_url)
        return Turn(text=text, intent=command.lstrip("/"), confidence=1.0, replies=[reply])

    def _flood_turn(self, sender_id: str) -> Turn | None:
        """None when the message may be answered; else the slow-down notice (or silence)."""
        verdict = self.flood.check(sender_id)
        if verdict is Verdict.ALLOW:
            return None
        if verdict is Verdict.NOTICE:
            log.info("flood control: %s sends too fast", mask_personal_numbers(sender_id))
            return Turn(text="", intent="flood", replies=[Reply(SLOW_DOWN_TEXT)])
        return Turn(text="", intent="flood", replies=[])

    async def _ask_rasa(self, sender_id: str, text: str, channel: str) -> Turn:
        started = time.perf_counter()
        activity = asyncio.ensure_future(note_user_activity(self.settings, sender_id, channel))
        try:
            answer = await self.rasa.send(sender_id, text, {"channel": channel})
        except Exception as exc:  # noqa: BLE001 — RasaUnavailable, or a garbled answer
            if isinstance(exc, RasaUnavailable):
                log.warning("Rasa unavailable (%s); answering in limited mode", exc)
            else:
                log.exception("unexpected answer from Rasa; answering in limited mode")
            self.limited_mode = True
            await self._warm_local_faq()
            return with_first_use_notice(self._limited_turn(text), await activity)
        if self.limited_mode:
            log.info("Rasa is back; leaving limited mode")
            self.limited_mode = False
        turn = with_first_use_notice(await self._turn_from(answer, text, sender_id), await activity)
        log.debug("turn for %s took %.1f ms", mask_personal_numbers(sender_id), (time.perf_counter() - started) * 1000)
        return turn

    async def _turn_from(self, answer: RasaAnswer, text: str, sender_id: str) -> Turn:
        replies: list[Reply] = []
        intent, confidence = answer.intent, answer.confidence
        for reply in replies_from_rasa(answer.messages):
            kind = str(reply.custom.get("type", "")) if reply.custom else ""
            if kind == "clarify":
                intent = "nlu_fallback"
            elif kind == "faq_answer" and reply.custom.get("faq_id"):
                intent = f"faq/{reply.custom['faq_id']}"
                confidence = float(reply.custom.get("confidence") or confidence)
            expander = _EXPANDERS.get(kind)
            if expander is not None:
                try:
                    replies.extend(await expander(reply.custom, sender_id))
                except Exception:  # noqa: BLE001 — an attachment must not cost the answer
                    log.exception("custom message %s failed", kind)
                if reply.text or reply.buttons:
                    replies.append(Reply(text=reply.text, buttons=reply.buttons))
                continue
            if reply.text or reply.buttons:
                replies.append(reply)
        if not replies:
            replies.append(Reply("我在想……请再说一遍你的问题好吗？"))
        return Turn(text=text, intent=intent, confidence=confidence, replies=replies)

    def _limited_turn(self, text: str) -> Turn:
        notice = "（助手暂时处于简化模式，只能回答常见问题，稍后会自动恢复。）"
        if text.startswith("/"):
            return Turn(text=text, replies=[Reply("系统正在恢复中，按钮暂时用不了。你可以直接打字问我常见问题。" + notice)], limited_mode=True)
        short = read_short_reply(text)
        if short is not None:  # 「在吗」「取消」 need no search, and would find nothing
            answer = LIMITED_SHORT_REPLIES.get(short, LIMITED_FEATURE_TEXT)
            return Turn(text=text, intent=short, confidence=1.0, replies=[Reply(answer + notice)], limited_mode=True)
        try:
            hit = self._local().best_match(text)
        except Exception:  # noqa: BLE001
            log.exception("local retrieval failed")
            hit = None
        if hit is None:
            return Turn(text=text, intent="nlu_fallback", replies=[Reply("抱歉，我暂时没找到答案。请换个说法，或稍后再试。" + notice)], limited_mode=True)
        entry, score = hit
        return Turn(text=text, intent=f"faq/{entry.id}", confidence=score, replies=[Reply(f"{entry.answer}\n\n{notice}")], limited_mode=True)

    async def aclose(self) -> None:
        await self.rasa.aclose()
        if self.services is not None:
            await asyncio.to_thread(self.services.stop)


async def build_assistant(settings: Settings, start_services: bool = True) -> Assistant:
    """Connect to Rasa (starting it and the action server when needed) and return the assistant."""
    from bot.brain import launcher
    from bot.storage.migrate import upgrade_database

    await asyncio.to_thread(upgrade_database, settings.database_url)
    services = None
    token = settings.rasa_token
    if start_services:
        services = await asyncio.to_thread(launcher.start_services, settings)
        token = services.rasa_token
        if services.managed:
            services.start_watchdog()
    rasa = RasaClient(settings.rasa_urls, token, settings.rasa_timeout_s, shared_locks=bool(settings.lock_store_url))
    _register_feature_expanders()
    return Assistant(settings, rasa, services)


def _register_feature_expanders() -> None:
    """Features that emit custom messages (checklist card, reminder list) register on import."""
    import bot.materials.expanders
    import bot.reminders.expanders  # noqa: F401
