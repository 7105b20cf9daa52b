"""The .ics export: valid iCalendar structure, folding, alarms."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.reminders.ics import fold_line, reminder_calendar

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_calendar_has_an_all_day_event_on_the_expiry_with_three_alarms() -> None:
    data = reminder_calendar(12, "配偶", date(2027, 3, 5), now=NOW)
    lines = unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    first_event = lines[lines.index("BEGIN:VEVENT"):lines.index("END:VEVENT")]
    assert "DTSTART;VALUE=DATE:20270305" in first_event
    assert "DTEND;VALUE=DATE:20270306" in first_event
    assert [x for x in first_event if x.startswith("TRIGGER")] == [
        "TRIGGER:-P30D", "TRIGGER:-P7D", "TRIGGER:-P1D"]
    assert "SUMMARY:居住证（配偶）到期" in first_event
    assert "DTSTAMP:20261127T080000Z" in first_event
    # The grace-period deadline is a second event, 60 days after expiry.
    assert "DTSTART;VALUE=DATE:20270504" in lines


def test_every_physical_line_is_crlf_terminated_and_at_most_75_octets() -> None:
    data = reminder_calendar(1, "本人", date(2027, 3, 5), now=NOW)
    assert b"\n" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75


def test_folding_never_splits_a_chinese_character() -> None:
    line = "DESCRIPTION:" + "居住证到期提醒" * 20
    folded = fold_line(line)
    pieces = folded.split("\r\n ")
    assert "".join(pieces) == line
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)


def test_text_values_are_escaped() -> None:
    from bot.reminders.ics import escape_text

    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    summary = next(x for x in unfold(reminder_calendar(1, "本人", date(2027, 3, 5), now=NOW))
                   if x.startswith("SUMMARY:"))
    assert summary == "SUMMARY:居住证到期"  # 本人 needs no label
