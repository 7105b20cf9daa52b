"""Privacy notice on first use, reminder consent, and the per-user activity counters.

Every write goes through ``with_db_retry`` so a brief database outage costs a retry, not a
crash. ``note_activity`` is best-effort on purpose: when the database stays down the
conversation goes on without the counters (the pipeline catches and logs the error).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select, update

from bot.storage.base import utcnow
from bot.storage.db import engine_for, session_scope, with_db_retry
from bot.storage.models import User
from bot.storage.users import get_or_create_user, get_user

PRIVACY_NOTICE_TEXT = (
    "🔒 隐私说明\n"
    "• 你发来的照片只在内存里检查，检查完立刻丢弃，不会存下来。\n"
    "• 我们保存的内容：聊天账号编号、对话记录（用来接上下文）、你设置的续签提醒、"
    "保存的材料清单、你对回答的评价，以及没答好的问题（用来改进回答）。\n"
    "• 身份证号和手机号在保存前和日志里都会自动遮住。\n"
    "• 设置续签提醒前，会先问你是否同意。\n"
    "• 发送 /mydata 或「我的数据」查看我们保存的全部内容，发送 /forget 或「删除我的数据」全部删除。\n"
    "本助手不是政府官方渠道，具体办理以上海市官方平台和窗口为准。"
)

PRIVACY_FIRST_USE_TEXT = (
    "🔒 小提示：照片只在内存里检查、不会保存；身份证号和手机号会自动遮住。"
    "发送 /privacy 了解详情，/mydata 查看、/forget 删除你的数据。"
)

REMINDER_CONSENT_TEXT = (
    "设置续签提醒需要保存你的居住证到期日和聊天账号，只用来按时给你发提醒。"
    "同意保存吗？以后随时可以发送 /forget 全部删除。"
)


def _url(database_url: str | None) -> str:
    if database_url:
        return database_url
    from bot.config import load_settings

    return load_settings().database_url


def has_reminder_consent(sender_id: str, database_url: str | None = None) -> bool:
    """True once the user agreed to have a reminder stored (read-only; no row is created)."""
    url = _url(database_url)

    def work() -> bool:
        with session_scope(url) as session:
            consent = session.scalar(select(User.reminder_consent).where(User.sender_id == sender_id))
            return bool(consent)

    return with_db_retry(work)


def give_reminder_consent(sender_id: str, database_url: str | None = None) -> None:
    """Record the user's consent (creates the user row when it does not exist yet)."""
    url = _url(database_url)

    def work() -> None:
        with session_scope(url) as session:
            get_or_create_user(session, sender_id).reminder_consent = True

    with_db_retry(work)


def withdraw_reminder_consent(sender_id: str, database_url: str | None = None) -> None:
    url = _url(database_url)

    def work() -> None:
        with session_scope(url) as session:
            user = get_user(session, sender_id)
            if user is not None:
                user.reminder_consent = False

    with_db_retry(work)


def note_activity(sender_id: str, database_url: str | None = None) -> bool:
    """Count one message of ``sender_id``; True when this is their first contact, i.e. the
    short privacy notice should go with this answer (it is then marked as shown).

    Runs on every message, so the usual case is one statement: bump the counters of an existing
    user and read back whether the notice was shown. Marking it shown is a conditional update,
    so of two workers answering the same new user only one shows the notice.
    """
    url = _url(database_url)
    users = cast(Table, User.__table__)

    def work() -> bool:
        with engine_for(url).begin() as connection:
            counted = connection.execute(
                update(users)
                .where(users.c.sender_id == sender_id)
                .values(last_seen_at=utcnow(), message_count=users.c.message_count + 1)
                .returning(users.c.privacy_notice_shown)
            ).first()
        if counted is not None and counted.privacy_notice_shown:
            return False
        with session_scope(url) as session:
            user = get_or_create_user(session, sender_id)
            if counted is None:  # a new user: this message was not counted above
                user.last_seen_at = utcnow()
                user.message_count = (user.message_count or 0) + 1
            session.flush()
            marked = session.execute(
                update(users)
                .where(users.c.sender_id == sender_id, users.c.privacy_notice_shown.is_(False))
                .values(privacy_notice_shown=True)
            )
            return bool(getattr(marked, "rowcount", 0))

    return with_db_retry(work)


def mark_notice_shown(sender_id: str, database_url: str | None = None) -> None:
    """/privacy was read: no need for the short notice on the next message."""
    url = _url(database_url)

    def work() -> None:
        with session_scope(url) as session:
            get_or_create_user(session, sender_id).privacy_notice_shown = True

    with_db_retry(work)
