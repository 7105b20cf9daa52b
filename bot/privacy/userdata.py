"""Everything stored about one user: describe it (/mydata) and delete it (/forget).

The tables are discovered from ``Base.metadata`` rather than listed by hand, so a feature that
adds a table later is covered without touching this module: a table belongs to the user when it
has a ``user_id`` or ``sender_id`` column, or a foreign key into a table that belongs to the
user (reminder deliveries hang off reminders, for example). Rasa's tracker (table ``events``,
created by its SQL tracker store in the same database) is handled by ``sender_id`` as well.

Deletion runs children first in one transaction, so it does not depend on ON DELETE CASCADE
being enforced (SQLite enforces it only with ``PRAGMA foreign_keys=ON``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, MetaData, Select, Table, delete, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from bot.config import TIMEZONE
from bot.storage.db import engine_for, with_db_retry
from bot.text import mask_personal_numbers

RASA_EVENTS_TABLE = "events"
MAX_LISTED = 10


@dataclass(frozen=True)
class OwnedTable:
    """A table holding rows of the user, and the condition that selects those rows."""

    table: Table
    condition: ColumnElement[bool]
    depth: int  # 0 = users, 1 = points at the user directly, 2+ = through another table


def _url(database_url: str | None) -> str:
    if database_url:
        return database_url
    from bot.config import load_settings

    return load_settings().database_url


def _metadata() -> MetaData:
    from bot.storage.all_models import Base

    return Base.metadata


def owned_tables(sender_id: str, user_id: int | None, existing: set[str]) -> list[OwnedTable]:
    """Tables (that exist in the database) with rows of this user, parents before children."""
    metadata = _metadata()
    users: Table = metadata.tables["users"]
    found: dict[str, OwnedTable] = {}
    if "users" in existing:
        found["users"] = OwnedTable(users, users.c.sender_id == sender_id, 0)
    for table in metadata.sorted_tables:
        if table.name == "users" or table.name not in existing:
            continue
        if "user_id" in table.c and user_id is not None:
            found[table.name] = OwnedTable(table, table.c.user_id == user_id, 1)
        elif "sender_id" in table.c:
            found[table.name] = OwnedTable(table, table.c.sender_id == sender_id, 1)
    changed = True
    while changed:  # follow foreign keys into owned tables until nothing new turns up
        changed = False
        for table in metadata.sorted_tables:
            if table.name in found or table.name not in existing:
                continue
            for fk in table.foreign_keys:
                parent = found.get(fk.column.table.name)
                if parent is None:
                    continue
                parent_column: Column[Any] = parent.table.c[fk.column.name]
                keys = select(parent_column).where(parent.condition)
                found[table.name] = OwnedTable(table, fk.parent.in_(keys), parent.depth + 1)
                changed = True
                break
    return sorted(found.values(), key=lambda owned: owned.depth)


def _existing_tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def _user_id(conn: Connection, sender_id: str, existing: set[str]) -> int | None:
    if "users" not in existing:
        return None
    users: Table = _metadata().tables["users"]
    value = conn.scalar(select(users.c.id).where(users.c.sender_id == sender_id))
    return int(value) if value is not None else None


def user_row_counts(sender_id: str, database_url: str | None = None) -> dict[str, int]:
    """Rows per table that belong to ``sender_id`` (only tables with at least one row),
    Rasa's tracker included as ``events``."""
    engine = engine_for(_url(database_url))

    def work() -> dict[str, int]:
        counts: dict[str, int] = {}
        with engine.connect() as conn:
            existing = _existing_tables(conn)
            user_id = _user_id(conn, sender_id, existing)
            for owned in owned_tables(sender_id, user_id, existing):
                n = conn.scalar(select(func.count()).select_from(owned.table).where(owned.condition))
                if n:
                    counts[owned.table.name] = int(n)
            if RASA_EVENTS_TABLE in existing and RASA_EVENTS_TABLE not in counts:
                n = conn.scalar(
                    text(f"SELECT count(*) FROM {RASA_EVENTS_TABLE} WHERE sender_id = :s"), {"s": sender_id}
                )
                if n:
                    counts[RASA_EVENTS_TABLE] = int(n)
        return counts

    return with_db_retry(work)


def forget_user(sender_id: str, database_url: str | None = None) -> dict[str, int]:
    """Delete every row of ``sender_id`` (children first) and Rasa's tracker events for it,
    in one transaction. Returns rows deleted per table."""
    engine = engine_for(_url(database_url))

    def work() -> dict[str, int]:
        deleted: dict[str, int] = {}
        with engine.begin() as conn:
            existing = _existing_tables(conn)
            user_id = _user_id(conn, sender_id, existing)
            for owned in reversed(owned_tables(sender_id, user_id, existing)):
                result = conn.execute(delete(owned.table).where(owned.condition))
                if result.rowcount:
                    deleted[owned.table.name] = int(result.rowcount)
            if RASA_EVENTS_TABLE in existing and RASA_EVENTS_TABLE not in deleted:
                result = conn.execute(
                    text(f"DELETE FROM {RASA_EVENTS_TABLE} WHERE sender_id = :s"), {"s": sender_id}
                )
                if result.rowcount:
                    deleted[RASA_EVENTS_TABLE] = int(result.rowcount)
        return deleted

    return with_db_retry(work)


# ---------------------------------------------------------------- /mydata


def _when(value: Any) -> str:
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _short(value: Any, limit: int = 60) -> str:
    text_value = mask_personal_numbers(" ".join(str(value).split()))
    return text_value if len(text_value) <= limit else text_value[: limit - 1] + "…"


def _rows(conn: Connection, owned: OwnedTable, order: str | None = None) -> list[Any]:
    query: Select[Any] = select(owned.table).where(owned.condition)
    if order and order in owned.table.c:
        query = query.order_by(owned.table.c[order].desc())
    return list(conn.execute(query.limit(MAX_LISTED)).mappings())


CHANNEL_NAMES = {"tg": "Telegram", "telegram": "Telegram", "console": "本地对话"}


def _describe_user(row: Any) -> list[str]:
    lines = [
        "【基本信息】",
        f"• 账号编号：{row['sender_id']}（{CHANNEL_NAMES.get(row['channel'], row['channel'])}）",
        f"• 第一次使用：{_when(row['created_at'])}，最近一次：{_when(row['last_seen_at'])}",
        f"• 发过的消息数：{row['message_count']}",
        f"• 续签提醒授权：{'已同意' if row['reminder_consent'] else '未同意'}",
        f"• 已看过隐私提示：{'是' if row['privacy_notice_shown'] else '否'}",
    ]
    if row.get("blocked"):
        lines.append("• 你曾经屏蔽过本助手（屏蔽期间我们不发提醒）")
    return lines


REMINDER_STATES = {"active": "进行中", "done": "已结束", "failed": "发送失败", "inactive": "已关闭"}


def _describe_reminders(rows: list[Any], total: int) -> list[str]:
    lines = [f"【续签提醒】共 {total} 条"]
    for row in rows:
        state = REMINDER_STATES.get(str(row.get("state")), str(row.get("state")))
        due = f"，下次提醒 {_when(row['next_due_at'])}" if row.get("next_due_at") else ""
        lines.append(f"• {row.get('label', '')}：到期日 {_when(row.get('expiry_date'))}，{state}{due}")
    return lines


def _describe_checklists(rows: list[Any], total: int) -> list[str]:
    lines = [f"【保存的材料清单】共 {total} 份"]
    for row in rows:
        answers = row.get("answers") or {}
        if isinstance(answers, str):
            try:
                answers = json.loads(answers)
            except ValueError:
                answers = {}
        shown = "，".join(f"{k}={_short(v, 20)}" for k, v in dict(answers).items())
        lines.append(f"• {_when(row['created_at'])}：{_short(shown, 120) or '（无回答）'}")
    return lines


def _faq_title(faq_id: str) -> str:
    try:
        from bot.knowledge import faq_base

        entry = faq_base().get(faq_id)
    except Exception:  # noqa: BLE001 — the id is still a fine description
        entry = None
    return entry.question if entry is not None else faq_id


def _describe_feedback(rows: list[Any], total: int) -> list[str]:
    lines = [f"【你对回答的评价】共 {total} 条"]
    for row in rows:
        mark = "👍" if row.get("helpful") else "👎"
        lines.append(f"• {_when(row['created_at'])} {mark} 「{_faq_title(str(row.get('faq_id', '')))}」")
    return lines


def _describe_fallbacks(rows: list[Any], total: int) -> list[str]:
    lines = [f"【没答好的问题（已遮住证件号和手机号）】共 {total} 条"]
    lines += [f"• {_when(row['created_at'])}「{_short(row.get('text', ''))}」" for row in rows]
    return lines


DESCRIBERS = {
    "reminders": _describe_reminders,
    "checklists": _describe_checklists,
    "feedback": _describe_feedback,
    "fallback_questions": _describe_fallbacks,
}
QUIET_LABELS = {"reminder_deliveries": "已发出的提醒记录"}


def _describe_tracker(conn: Connection, sender_id: str) -> list[str]:
    row = conn.execute(
        text(
            f"SELECT count(*) AS n, min(timestamp) AS first, max(timestamp) AS last, "
            f"sum(CASE WHEN type_name = 'user' THEN 1 ELSE 0 END) AS said "
            f"FROM {RASA_EVENTS_TABLE} WHERE sender_id = :s"
        ),
        {"s": sender_id},
    ).mappings().one()
    if not row["n"]:
        return []
    lines = [
        "【对话记录】",
        f"• 你发过 {int(row['said'] or 0)} 条消息，连同我的回答共 {int(row['n'])} 条记录"
        f"（{_when(row['first'])} 至 {_when(row['last'])}）",
    ]
    recent = conn.execute(
        text(
            f"SELECT timestamp, data FROM {RASA_EVENTS_TABLE} WHERE sender_id = :s "
            f"AND type_name = 'user' ORDER BY id DESC LIMIT 5"
        ),
        {"s": sender_id},
    ).all()
    for stamp, data in recent:
        try:
            said = json.loads(data).get("text") or ""
        except (ValueError, AttributeError):
            said = ""
        if said:
            lines.append(f"• {_when(stamp)}「{_short(said)}」")
    return lines


def describe_user_data(sender_id: str, database_url: str | None = None) -> str:
    """A Chinese summary of everything stored about ``sender_id`` (for /mydata)."""
    engine = engine_for(_url(database_url))

    def work() -> str:
        sections: list[list[str]] = []
        with engine.connect() as conn:
            existing = _existing_tables(conn)
            user_id = _user_id(conn, sender_id, existing)
            for owned in owned_tables(sender_id, user_id, existing):
                name = owned.table.name
                total = int(conn.scalar(select(func.count()).select_from(owned.table).where(owned.condition)) or 0)
                if not total:
                    continue
                if name == "users":
                    sections.append(_describe_user(_rows(conn, owned)[0]))
                elif name in DESCRIBERS:
                    sections.append(DESCRIBERS[name](_rows(conn, owned, "created_at"), total))
                else:
                    label = QUIET_LABELS.get(name, f"其他记录（{name}）")
                    sections.append([f"【{label}】共 {total} 条"])
            if RASA_EVENTS_TABLE in existing:
                tracker = _describe_tracker(conn, sender_id)
                if tracker:
                    sections.append(tracker)
        if not sections:
            return "我们没有保存任何关于你的数据。"
        body = "\n\n".join("\n".join(section) for section in sections)
        return (
            f"我们保存的关于你的全部数据：\n\n{body}\n\n"
            "照片不会保存。想全部删除，请发送 /forget。"
        )

    return with_db_retry(work)
