"""What each reminder message says (Simplified Chinese) and which buttons it carries.

Facts used here — the 30-day window, the 60-day grace period, years restarting after it —
come from the constants in ``bot.reminders.schedule`` so text and schedule cannot disagree.
"""

from __future__ import annotations

import json
from datetime import date

from bot.reminders.schedule import GRACE_DAYS, RENEWAL_WINDOW_DAYS, Stage, grace_deadline
from bot.replies import Button


def format_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def reminder_payload(intent: str, reminder_id: int) -> str:
    """A Rasa button payload naming one reminder, e.g. ``/reminder_done{"reminder_id":"12"}``."""
    return f"/{intent}" + json.dumps({"reminder_id": str(reminder_id)}, separators=(",", ":"))


def stage_buttons(reminder_id: int) -> list[Button]:
    return [
        Button("✅ 已办好", reminder_payload("reminder_done", reminder_id)),
        Button("📅 加到日历", reminder_payload("reminder_calendar", reminder_id)),
    ]


def stage_text(label: str, expiry: date, stage: Stage, today: date) -> str:
    """The body of one reminder; day counts are computed from ``today`` so a late message is
    still correct."""
    who = f"（{label}）" if label and label != "本人" else ""
    days_left = (expiry - today).days
    deadline = grace_deadline(expiry)
    grace_left = (deadline - today).days
    if stage in {Stage.WINDOW_OPEN, Stage.NUDGE_7D, Stage.NUDGE_1D}:
        when = "明天" if days_left == 1 else "今天" if days_left == 0 else f"还有{days_left}天"
        opening = (
            f"⏰ 居住证{who}签注提醒：{format_day(expiry)}到期，{when}。"
            if stage is not Stage.WINDOW_OPEN
            else f"⏰ 居住证{who}可以续签了：它在{format_day(expiry)}到期，"
            f"到期前{RENEWAL_WINDOW_DAYS}天内就能办签注，现在正好在这段时间里。"
        )
        return (
            f"{opening}\n"
            "在随申办里搜索“居住证”可以网上办理，也可以去就近的社区事务受理服务中心。\n"
            "办好以后点「✅ 已办好」，我就不再提醒这一年的了。"
        )
    if stage is Stage.GRACE:
        return (
            f"⚠️ 居住证{who}已在{format_day(expiry)}到期，暂时不能正常使用。\n"
            f"还来得及：到期后{GRACE_DAYS}天内补办签注，居住年限可以接着算。"
            f"请在{format_day(deadline)}前办好（还剩{grace_left}天）。\n"
            "办好后点「✅ 已办好」。"
        )
    return (
        f"❗ 最后提醒：居住证{who}补办签注只剩{grace_left}天，{format_day(deadline)}截止。\n"
        "过了这一天再办，居住年限一般要从补办那天重新算，积分、子女入学和居转户都可能受影响。"
        "拿不准的话可以打12345或问社区事务受理服务中心。"
    )


def late_note(due_day: date) -> str:
    return f"（这条提醒本该在{due_day.month}月{due_day.day}日发出，因为系统停机晚到了，抱歉。）"


def compose_reminder(
    reminder_id: int, label: str, expiry: date, stage: Stage, today: date, late_since: date | None
) -> tuple[str, list[Button]]:
    text = stage_text(label, expiry, stage, today)
    if late_since is not None:
        text = f"{text}\n{late_note(late_since)}"
    return text, stage_buttons(reminder_id)
