"""checkins/ics.py: a check-in as a calendar event that says nothing (no app)."""

from datetime import UTC, datetime

from wellness.checkins import ics

PRIVATE = b"\x01" * 32


def test_the_event_says_reminder_and_a_link_and_nothing_else():
    start = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)
    text = ics.calendar_event("uid@x", start, datetime(2026, 12, 3, tzinfo=UTC), "https://w.test/")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:Reminder\r\n" in text
    assert "DTSTART:20261204T153000Z\r\n" in text
    lines = [line.split(":", 1)[0] for line in text.strip().split("\r\n")]
    assert set(lines) <= {
        "BEGIN", "VERSION", "PRODID", "METHOD", "UID", "DTSTAMP", "DTSTART", "DURATION",
        "SUMMARY", "DESCRIPTION", "URL", "END",
    }  # fmt: skip


def test_the_uid_is_stable_for_its_holder_and_ties_to_nothing_stored():
    uid = ics.calendar_uid(PRIVATE, 7)
    assert uid == ics.calendar_uid(PRIVATE, 7)  # the calendar updates, never duplicates
    assert uid != ics.calendar_uid(PRIVATE, 8)
    assert uid != ics.calendar_uid(b"\x02" * 32, 7)  # keyed with the person's own key
    assert len(uid.split("@")[0]) == 32
