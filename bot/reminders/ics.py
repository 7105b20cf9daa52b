"""Export a reminder as an iCalendar (.ics) file so the deadline lands in the phone's calendar.

Written by hand (RFC 5545): CRLF line ends, lines folded at 75 octets without splitting a
UTF-8 character, TEXT values escaped. One all-day VEVENT on the expiry date with alarms
30, 7 and 1 days before, plus a second event on the last day of the grace period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.reminders.messages import format_day
from bot.reminders.schedule import GRACE_DAYS, grace_deadline

PRODID = "-//juzhuzheng-bot//reminders//ZH"
ALARM_DAYS_BEFORE = (30, 7, 1)


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def fold_line(line: str) -> str:
    """Split ``line`` into ≤ 75-octet pieces joined by CRLF + space (RFC 5545 §3.1)."""
    out: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
            limit = 74  # continuation lines start with one space
        else:
            current += char
    out.append(current)
    return "\r\n ".join(out)


def _event(uid: str, day: date, summary: str, description: str, stamp: str,
           alarms: tuple[int, ...]) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        "TRANSP:TRANSPARENT",
    ]
    for days in alarms:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape_text(summary)}",
            f"TRIGGER:-P{days}D",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


def reminder_calendar(reminder_id: int, label: str, expiry: date,
                      now: datetime | None = None) -> bytes:
    """The .ics file for one reminder (UTF-8 bytes)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    who = "" if label in ("", "本人") else f"（{label}）"
    deadline = grace_deadline(expiry)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *_event(
            f"reminder-{reminder_id}-{expiry:%Y%m%d}@juzhuzheng-bot",
            expiry,
            f"居住证{who}到期",
            f"居住证在{format_day(expiry)}到期。到期前30天内可以办理签注（随申办或社区事务受理服务中心）。",
            stamp,
            ALARM_DAYS_BEFORE,
        ),
        *_event(
            f"reminder-{reminder_id}-{expiry:%Y%m%d}-grace@juzhuzheng-bot",
            deadline,
            f"居住证{who}补办签注最后一天",
            f"到期后{GRACE_DAYS}天内补办签注，居住年限可以连续计算；今天是最后一天。",
            stamp,
            (7,),
        ),
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold_line(line) for line in lines) + "\r\n").encode("utf-8")


def calendar_file_name(expiry: date) -> str:
    return f"juzhuzheng-{expiry:%Y%m%d}.ics"
