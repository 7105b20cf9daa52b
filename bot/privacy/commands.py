"""/privacy, /mydata, /forget (with confirmation), /stats — channel-neutral, async.

Channels (Telegram, console) only render what these return. The confirmation button of /forget
carries its creation time, so an old or replayed confirmation does nothing: the user has to ask
again. It can only ever delete the data of the chat that pressed it.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.privacy.consent import PRIVACY_NOTICE_TEXT, mark_notice_shown
from bot.privacy.stats import stats_text
from bot.privacy.userdata import describe_user_data, forget_user
from bot.replies import Button, Reply

log = logging.getLogger(__name__)

FORGET_PREFIX = "privacy:forget:"
KEEP_PAYLOAD = "privacy:keep"
CONFIRM_VALID_S = 600

FORGET_QUESTION = (
    "确定要删除我们保存的关于你的全部数据吗？包括续签提醒、材料清单、评价和对话记录。"
    "删除后无法恢复，提醒也不会再发给你。\n"
    "要删除请点下面的「确认删除」按钮，直接打字回复不会删除任何数据。"
)
FORGET_DONE = "已经删除了你的全部数据。之后如果再发消息，会当作新用户重新开始。"
FORGET_CANCELLED = "好的，什么都没有删除。"
FORGET_EXPIRED = "这个确认按钮已经过期了。如果还想删除，请重新发送 /forget。"
DB_TROUBLE = "数据暂时读不到，请过一会儿再试。"
NOT_ALLOWED = "没有这个命令。发送 /help 看看我能帮你做什么。"


COMMANDS = ("/privacy", "/mydata", "/forget")


def forget_confirmation(now: float | None = None) -> Reply:
    stamp = int(now if now is not None else time.time())
    return Reply(
        text=FORGET_QUESTION,
        buttons=[
            Button("确认删除", f"{FORGET_PREFIX}{stamp}"),
            Button("取消", KEEP_PAYLOAD),
        ],
    )


def is_privacy_payload(payload: str) -> bool:
    return payload == KEEP_PAYLOAD or payload.startswith(FORGET_PREFIX)


async def privacy_reply(sender_id: str, database_url: str) -> Reply:
    try:
        await asyncio.to_thread(mark_notice_shown, sender_id, database_url)
    except Exception:  # noqa: BLE001 — the notice matters more than the flag
        log.warning("could not mark the privacy notice as shown", exc_info=True)
    return Reply(PRIVACY_NOTICE_TEXT)


async def mydata_reply(sender_id: str, database_url: str) -> Reply:
    try:
        return Reply(await asyncio.to_thread(describe_user_data, sender_id, database_url))
    except Exception:  # noqa: BLE001
        log.exception("could not describe the stored data")
        return Reply(DB_TROUBLE)


async def reply_to_command(command: str, sender_id: str, database_url: str) -> Reply:
    """The answer to one of :data:`COMMANDS`, sent as a command or typed in words."""
    if command == "/privacy":
        return await privacy_reply(sender_id, database_url)
    if command == "/mydata":
        return await mydata_reply(sender_id, database_url)
    if command == "/forget":
        return forget_confirmation()
    raise ValueError(f"not a privacy command: {command}")


async def answer_privacy_payload(
    sender_id: str, payload: str, database_url: str, now: float | None = None
) -> Reply:
    """The user pressed 确认删除 or 取消 under the /forget question."""
    if payload == KEEP_PAYLOAD:
        return Reply(FORGET_CANCELLED)
    try:
        stamp = int(payload[len(FORGET_PREFIX) :])
    except ValueError:
        return Reply(FORGET_EXPIRED)
    current = now if now is not None else time.time()
    if not 0 <= current - stamp <= CONFIRM_VALID_S:
        return Reply(FORGET_EXPIRED)
    try:
        deleted = await asyncio.to_thread(forget_user, sender_id, database_url)
    except Exception:  # noqa: BLE001
        log.exception("forget failed")
        return Reply(DB_TROUBLE)
    log.info("forgot a user on request: %s", {k: v for k, v in sorted(deleted.items())})
    return Reply(FORGET_DONE)


async def stats_reply(is_admin: bool, database_url: str) -> Reply:
    if not is_admin:
        return Reply(NOT_ALLOWED)
    try:
        return Reply(await asyncio.to_thread(stats_text, database_url))
    except Exception:  # noqa: BLE001
        log.exception("could not collect stats")
        return Reply(DB_TROUBLE)
