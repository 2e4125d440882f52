"""Something a page must show once after a redirect (the receipt code on "your request was
sent"), or what someone typed when their session ended: held server-side for a few minutes,
encrypted under a key only the browser holds, and gone once taken.

The browser's (signed, not encrypted) session cookie holds the row's handle and its key; the
database holds only a hash of the handle and the box. So neither a copy of the database nor the
cookie alone reads what is held, nothing is in a URL, and a reload after it was taken finds
nothing: the page says so instead of doing the work again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any

from flask import session
from sqlalchemy import delete

from wellness.crypto import fields, records
from wellness.crypto.errors import DecryptionError
from wellness.extensions import db
from wellness.main.models import HeldPage
from wellness.timeutil import as_utc, floor_minute, utcnow
from wellness.transaction import use_case

KEEP = timedelta(minutes=15)
SLOTS = "held"


def _row_id(handle: str) -> str:
    return hashlib.sha256(b"wellness held\0" + handle.encode()).hexdigest()


def _from_secret(secret: str) -> tuple[str, bytes]:
    """The handle and key of a page held under a form's one-time token (a random secret only
    the page that carried it knows)."""
    handle = hashlib.sha256(b"wellness held handle\0" + secret.encode()).hexdigest()
    return handle, hashlib.sha256(b"wellness held key\0" + secret.encode()).digest()


@use_case
def hold(
    kind: str, value: dict[str, Any], path: str | None = None, secret: str | None = None
) -> None:
    """Keep ``value`` for this browser until ``take(kind)`` (at most ``KEEP``); with ``path``,
    only a request for that page may take it. With ``secret`` (the form's one-time token), a
    repeat of the same form can ``claim`` it, should this answer never reach the browser."""
    slots = dict(session.get(SLOTS) or {})
    if kind in slots:  # one of each kind at a time: the newest wins
        db.session.execute(delete(HeldPage).where(HeldPage.id == _row_id(slots[kind][0])))
    if secret:
        handle, key = _from_secret(secret)
    else:
        handle, key = secrets.token_urlsafe(24), secrets.token_bytes(32)
    row_id = _row_id(handle)
    plain = json.dumps({"kind": kind, "value": value}).encode()
    box = records.encrypt(key, plain, fields.HELD_BOX.context(row_id))
    db.session.add(HeldPage(id=row_id, box=box, created_at=floor_minute(utcnow())))
    slots[kind] = [handle, key, path, session.get("_user_id")]  # (whose session held it)
    session[SLOTS] = slots


def take(kind: str, path: str | None = None) -> dict[str, Any] | None:
    """What was held for this browser, once: the row is deleted as it is read. Something held
    for another page stays held. (No database work at all when nothing is held.)"""
    slots = dict(session.get(SLOTS) or {})
    entry = slots.get(kind)
    if entry is None or (len(entry) > 2 and entry[2] is not None and entry[2] != path):
        return None
    del slots[kind]
    session[SLOTS] = slots
    return _take_row(kind, entry[0], entry[1])


@use_case
def _take_row(kind: str, handle: str, key: bytes) -> dict[str, Any] | None:
    row = db.session.get(HeldPage, _row_id(handle))
    if row is None:
        return None
    db.session.delete(row)
    if utcnow() - as_utc(row.created_at) > KEEP:
        return None
    try:
        held = json.loads(records.decrypt(key, row.box, fields.HELD_BOX.context(row.id)))
    except (DecryptionError, ValueError):
        return None
    return held["value"] if held.get("kind") == kind else None


def claim(kind: str, secret: str, path: str | None = None) -> None:
    """A form sent twice (a double tap: the browser dropped the first answer, whose cookie
    named what was held): let this browser take what the first sending held under the form's
    one-time token, if it is still there. Nothing is read or written here."""
    handle, key = _from_secret(secret)
    slots = dict(session.get(SLOTS) or {})
    slots[kind] = [handle, key, path, session.get("_user_id")]  # (whose session held it)
    session[SLOTS] = slots


def holds(kind: str) -> bool:
    """Whether something of ``kind`` is held for this browser (without taking it)."""
    return kind in (session.get(SLOTS) or {})


def keep_across_sign_in(user_id: int, kinds: tuple[str, ...]) -> dict[str, Any]:
    """The handles to carry over when the session is cleared at sign-in: only of ``kinds``,
    and only what this same person's session held (typing kept at an idle sign-out goes back
    to them, never to whoever signs in next on the browser, nor from a session nobody was
    signed in to)."""
    slots = {
        kind: entry
        for kind, entry in (session.get(SLOTS) or {}).items()
        if kind in kinds and len(entry) > 3 and entry[3] == str(user_id)
    }
    return {SLOTS: slots} if slots else {}


@use_case
def purge() -> int:
    """Drop what was never taken, once it is older than ``KEEP``."""
    cutoff = utcnow() - KEEP
    return db.session.execute(delete(HeldPage).where(HeldPage.created_at < cutoff)).rowcount
