"""A check-in as a calendar event (RFC 5545). Pure. It says 'Check-in' and a link, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_event(uid: str, start: datetime, now: datetime, base_url: str) -> str:
    """A one-event calendar for a check-in; no name, topic or case detail."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//wellness//check-in//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(start)}",
        "DURATION:PT10M",
        "SUMMARY:Check-in",
        f"DESCRIPTION:Sign in to answer: {base_url}",
        f"URL:{base_url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
