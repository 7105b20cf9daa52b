"""Usage numbers for the operators (/stats, ADMIN_IDS only): counts, never message contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection

from bot.storage.base import utcnow
from bot.storage.db import engine_for, with_db_retry


@dataclass(frozen=True)
class Stats:
    users: int
    active_7d: int
    messages: int
    fallbacks: int
    helpful: int
    not_helpful: int
    reminders_active: int
    reminders_sent: int
    checklists: int

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.messages if self.messages else 0.0


def _count(conn: Connection, existing: set[str], table_name: str, *conditions: object) -> int:
    from bot.storage.all_models import Base

    table = Base.metadata.tables.get(table_name)
    if table is None or table_name not in existing:
        return 0
    query = select(func.count()).select_from(table)
    for condition in conditions:
        query = query.where(condition(table))  # type: ignore[operator]
    return int(conn.scalar(query) or 0)


def collect_stats(database_url: str) -> Stats:
    from bot.storage.all_models import Base

    engine = engine_for(database_url)

    def work() -> Stats:
        with engine.connect() as conn:
            existing = set(inspect(conn).get_table_names())
            users = Base.metadata.tables["users"]
            week_ago = utcnow() - timedelta(days=7)
            return Stats(
                users=_count(conn, existing, "users"),
                active_7d=_count(conn, existing, "users", lambda t: t.c.last_seen_at >= week_ago),
                messages=int(conn.scalar(select(func.coalesce(func.sum(users.c.message_count), 0))) or 0)
                if "users" in existing
                else 0,
                fallbacks=_count(conn, existing, "fallback_questions"),
                helpful=_count(conn, existing, "feedback", lambda t: t.c.helpful.is_(True)),
                not_helpful=_count(conn, existing, "feedback", lambda t: t.c.helpful.is_(False)),
                reminders_active=_count(conn, existing, "reminders", lambda t: t.c.state == "active"),
                reminders_sent=_count(conn, existing, "reminder_deliveries", lambda t: t.c.status == "sent"),
                checklists=_count(conn, existing, "checklists"),
            )

    return with_db_retry(work)


def stats_text(database_url: str) -> str:
    s = collect_stats(database_url)
    return "\n".join(
        [
            "📊 使用统计",
            f"• 用户：{s.users}（近 7 天活跃 {s.active_7d}）",
            f"• 收到的消息：{s.messages}",
            f"• 没把握的问题：{s.fallbacks}（占消息的 {s.fallback_rate:.1%}）",
            f"• 回答评价：👍 {s.helpful} / 👎 {s.not_helpful}",
            f"• 续签提醒：进行中 {s.reminders_active}，已发出 {s.reminders_sent}",
            f"• 保存的材料清单：{s.checklists}",
        ]
    )
