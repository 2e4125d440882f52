"""A check-in as a calendar event (RFC 5545). Pure. It says 'Reminder' and a link, nothing else:
a calendar is often shared or synced to a work account."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_uid(private: bytes, checkin_id: int) -> str:
    """A UID that looks random and says nothing the database could tie to a case: keyed with
    the person's own private key, so the same check-in keeps the same UID for them (a calendar
    updates the event rather than adding it twice)."""
    key = HKDF(hashes.SHA256(), 32, salt=None, info=b"wellness calendar uid").derive(private)
    digest = hmac.new(key, str(checkin_id).encode(), "sha256").hexdigest()
    return f"{digest[:32]}@wellness"


def calendar_event(uid: str, start: datetime, now: datetime, base_url: str) -> str:
    """A one-event calendar for a check-in; no name, topic or case detail."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//wellness//notice//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(start)}",
        "DURATION:PT10M",
        "SUMMARY:Reminder",
        f"DESCRIPTION:Sign in: {base_url}",
        f"URL:{base_url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
