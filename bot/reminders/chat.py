"""What the reminder dialog says: questions, confirmations, lists — channel-free.

The Rasa actions in ``bot.actions.reminders`` stay thin and call these functions; every reply is
a ``Reply`` whose buttons carry Rasa payloads (Telegram shows them as inline buttons, the
console as numbered choices).
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import UTC, date, datetime

from bot.reminders.dates import DateError, DateParse
from bot.reminders.messages import format_day, reminder_payload
from bot.reminders.schedule import (
    STAGE_ORDER,
    Stage,
    daytime_send_hour,
    plan_cycle,
    shanghai_today,
)
from bot.reminders.service import ReminderView
from bot.replies import Button, Reply

WEEKDAYS = "一二三四五六日"
LABEL_CHOICES = ("本人", "配偶", "孩子", "父母")
MAX_LABEL_CHARS = 8
_LABEL_SYNONYMS = {
    "本人": ("我", "我的", "自己", "我自己", "本人"),
    "配偶": ("老婆", "老公", "爱人", "妻子", "丈夫", "太太", "先生", "媳妇", "配偶"),
    "孩子": ("儿子", "女儿", "孩子", "小孩", "娃"),
    "父母": ("爸爸", "妈妈", "父亲", "母亲", "爸妈", "父母"),
}
_PICK_YEAR = re.compile(r"^\d{4}$")
_PICK_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_PICK_DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
STAGE_WORDS = {
    Stage.WINDOW_OPEN: "可以开始续签时",
    Stage.NUDGE_7D: "到期前7天",
    Stage.NUDGE_1D: "到期前1天",
    Stage.GRACE: "到期后第二天",
    Stage.LAST_CHANCE: "补办期结束前一周",
}


def now_utc() -> datetime:
    """The real time, or BOT_CLOCK (ISO) when set for demos and tests."""
    from bot.config import load_settings

    override = load_settings().clock_override
    if override:
        moment = datetime.fromisoformat(override)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def payload(intent: str, **entities: str) -> str:
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def with_weekday(day: date) -> str:
    return f"{format_day(day)}（星期{WEEKDAYS[day.weekday()]}）"


# --- asking for the date (typed, or year → month → day buttons) -----------------------------

def ask_expiry(today: date, partial: str | None) -> Reply:
    """The date question; with a partial pick, the next level of the date picker."""
    if partial and _PICK_YEAR.match(partial):
        year = int(partial)
        months = [m for m in range(1, 13) if date(year, m, calendar.monthrange(year, m)[1]) >= today]
        return Reply(
            f"{year}年的几月？",
            [Button(f"{m}月", payload("reminder_pick", pick=f"{year}-{m:02d}")) for m in months]
            + [Button("↩️ 重新选年份", payload("reminder_pick", pick="restart"))],
        )
    if partial and (month_match := _PICK_MONTH.match(partial)):
        year, month = int(month_match.group(1)), int(month_match.group(2))
        last = calendar.monthrange(year, month)[1]
        days = [d for d in range(1, last + 1) if date(year, month, d) >= today]
        return Reply(
            f"{year}年{month}月的几号？",
            [Button(f"{d}日", payload("reminder_pick", pick=f"{year}-{month:02d}-{d:02d}"))
             for d in days]
            + [Button("↩️ 重新选年份", payload("reminder_pick", pick="restart"))],
        )
    return Reply(
        "你的居住证哪天到期？卡面上或随申办里的「有效期限」最后那个日期就是。\n"
        "直接打字告诉我就行，比如「2027年3月5日」「明年三月五号」；也可以点按钮一步步选。",
        [Button(f"{y}年", payload("reminder_pick", pick=str(y))) for y in (today.year, today.year + 1)]
        + [Button("取消", payload("cancel"))],
    )


def picked_text(pick: str) -> tuple[str | None, str | None]:
    """A date-picker press → (text to parse as the date, new partial pick)."""
    if _PICK_DAY.match(pick):
        return pick, None
    if _PICK_YEAR.match(pick) or _PICK_MONTH.match(pick):
        return None, pick
    return None, None  # "restart" or garbage: back to the first question


def refusal(result: DateParse) -> Reply:
    """Why a date was not accepted, and what to do instead. An expired permit has no renewal
    window left to remind of: the next step is to renew, then set the reminder for the new date."""
    if result.error in (DateError.EXPIRED_IN_GRACE, DateError.EXPIRED_LAPSED):
        return Reply(
            result.reason + "\n过期的证提醒不了续签。办好签注后，把新的到期日发给我，我再帮你设提醒；"
            "如果刚才的日期打错了，直接重新输入正确的到期日就行。"
        )
    return Reply(result.reason + "\n请重新告诉我到期日。")


def confirm_date(expiry: date, today: date) -> Reply:
    days = (expiry - today).days
    when = "就是今天" if days == 0 else f"还有{days}天"
    return Reply(
        f"我记下的到期日是 {with_weekday(expiry)}，离今天{when}。对吗？",
        [Button("✅ 对", payload("affirm")), Button("✏️ 不对，重新输入", payload("deny"))],
    )


def ask_label() -> Reply:
    return Reply(
        "这张居住证是谁的？家里有好几张也没关系，每张单独设提醒。",
        [Button(label, payload("inform_reminder_label", reminder_label=label)) for label in LABEL_CHOICES],
    )


def label_outside_form(label: str | None) -> Reply:
    """「本人」「配偶」 said when no reminder is being set up: ask what it is for."""
    heard = f"收到「{label}」。" if label else "收到。"
    return Reply(
        f"{heard}不过我这会儿没在问你问题。想给居住证设续签提醒、或按自己的情况列材料清单，"
        "点下面的按钮；有别的问题直接问我就行。",
        [Button("设置续签提醒", payload("remind_me")), Button("列材料清单", payload("start_materials")),
         Button("我能问什么", payload("help"))],
    )


def normalise_label(text: str) -> str | None:
    """A short label for the permit's holder (「老婆的」→ 配偶); ``None`` if unusable."""
    cleaned = re.sub(r"[\s的。，,.!！]+$", "", text.strip())
    cleaned = re.sub(r"的$", "", cleaned)
    if not cleaned or cleaned.startswith("/"):
        return None
    for label, words in _LABEL_SYNONYMS.items():
        if cleaned in words or cleaned.rstrip("的") in words:
            return label
    return cleaned if len(cleaned) <= MAX_LABEL_CHARS else None


def ask_consent(consent_text: str) -> Reply:
    return Reply(consent_text, [Button("同意，保存", payload("affirm")), Button("不用了", payload("deny"))])


# --- results ----------------------------------------------------------------------------------

def upcoming_lines(reminder: ReminderView, now: datetime, send_hour: int) -> list[str]:
    """The stages still ahead, in words (「到期前7天：2027年2月26日 上午9点」)."""
    hour = daytime_send_hour(send_hour)
    lines = []
    for planned in plan_cycle(reminder.expiry_date, send_hour):
        if planned.due_at > now and STAGE_ORDER.index(planned.stage) >= STAGE_ORDER.index(Stage(reminder.stage)):
            day = shanghai_today(planned.due_at)
            lines.append(f"• {STAGE_WORDS[planned.stage]}：{format_day(day)} {hour}点")
    return lines


def saved(reminder: ReminderView, now: datetime, send_hour: int) -> Reply:
    lines = upcoming_lines(reminder, now, send_hour)
    today = shanghai_today(now)
    status = ""
    if (reminder.expiry_date - today).days <= 30:
        status = "\n现在已经在续签时间里了，建议这几天就去办：随申办搜索“居住证”，或去社区事务受理服务中心。"
    schedule = "\n".join(lines) if lines else "• 这一轮已经没有要发的提醒了"
    return Reply(
        f"好了 ✅ 已为「{reminder.label}」设置续签提醒，到期日 {format_day(reminder.expiry_date)}。\n"
        f"我会在这些时候提醒你：\n{schedule}{status}\n"
        "办好签注后点提醒里的「✅ 已办好」，我就按新的到期日继续提醒。",
        [Button("📅 加到日历", reminder_payload("reminder_calendar", reminder.id)),
         Button("我的提醒", payload("reminders_list"))],
    )


def not_saved() -> Reply:
    return Reply("好的，没有保存任何信息。需要的时候说「到期前提醒我」就行。")


def cancelled() -> Reply:
    return Reply("好的，提醒先不设了。想设的时候说「到期前提醒我」。")


def not_yours() -> Reply:
    return Reply("这个提醒在你的账号里找不到了（可能已经删除，或按钮来自别人的消息）。"
                 "发送「我的提醒」看看你现在有哪些提醒。",
                 [Button("我的提醒", payload("reminders_list"))])


def reminder_list(reminders: list[ReminderView], now: datetime) -> Reply:
    if not reminders:
        return Reply("你还没有设置续签提醒。", [Button("设置续签提醒", payload("remind_me"))])
    lines = []
    buttons: list[Button] = []
    states = {"active": "", "done": "（本轮提醒已结束）", "failed": "（发送失败，已暂停）",
              "inactive": "（已暂停）"}
    for n, reminder in enumerate(reminders, 1):
        next_due = ""
        if reminder.state == "active" and reminder.next_due_at is not None:
            due = reminder.next_due_at if reminder.next_due_at.tzinfo else reminder.next_due_at.replace(tzinfo=UTC)
            next_due = f"，下一条提醒 {format_day(shanghai_today(due))}"
        lines.append(f"{n}. {reminder.label}：{format_day(reminder.expiry_date)}到期"
                     f"{next_due}{states.get(reminder.state, '')}")
        buttons += [
            Button(f"✏️ 改日期（{reminder.label}）", reminder_payload("reminder_change", reminder.id)),
            Button(f"🗑 删除（{reminder.label}）", reminder_payload("reminder_delete", reminder.id)),
            Button(f"📅 日历（{reminder.label}）", reminder_payload("reminder_calendar", reminder.id)),
        ]
    buttons.append(Button("➕ 再加一张", payload("remind_me")))
    return Reply("你的续签提醒：\n" + "\n".join(lines), buttons)


def renewed(reminder: ReminderView) -> Reply:
    return Reply(
        f"太好了 🎉 「{reminder.label}」这一轮不再催你了。新的到期日我先按一年后算："
        f"{format_day(reminder.expiry_date)}，下一轮提醒会照这个日期来。\n"
        "签注后的有效期以随申办或卡面显示为准；如果不是这一天，点「✏️ 改日期」告诉我。",
        [Button("✏️ 改日期", reminder_payload("reminder_change", reminder.id)),
         Button("📅 加到日历", reminder_payload("reminder_calendar", reminder.id))],
    )


def deleted(label: str) -> Reply:
    return Reply(f"已删除「{label}」的续签提醒。", [Button("我的提醒", payload("reminders_list"))])


def calendar_intro() -> Reply:
    return Reply("这是日历文件，打开后存进手机日历：到期日前30天、7天、1天都会响铃，补办截止日也在里面。")


def change_intro(reminder: ReminderView) -> Reply:
    return Reply(f"好的，改一下「{reminder.label}」的到期日（现在是 {format_day(reminder.expiry_date)}）。")
