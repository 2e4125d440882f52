"""Server-side sign-in sessions that name no one, even to someone holding the server's keys.

The browser holds a random session id and a random session key (in the signed cookie). The
database holds only a hash of the id, the private key wrapped under the session key, and a tag
over (account, the account's session epoch) keyed with the session key. So:

- a database copy plus the secret key cannot forge a cookie for a live session (the id is only
  hashed, and the tag needs the session key);
- no one can tell from the database whose session a row is, or line up a person's activity
  with the time a case was made (SECURITY.md, metadata);
- changing the account's epoch ends every session of that account at once;
- a session row (or an account row) this instance did not write signs nobody in, even with a
  cookie signed by a stolen secret key: each carries the instance's MAC (``keys/rows.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_

from wellness.accounts.models import LoginSession, User
from wellness.crypto import fields, keypairs, records
from wellness.crypto.errors import DecryptionError
from wellness.extensions import db
from wellness.keys import trust
from wellness.keys.rows import authentic
from wellness.timeutil import as_utc, floor_minute, utcnow
from wellness.transaction import use_case

PENDING_LOGIN_SECONDS = 300


def idle_timeout(user: User) -> timedelta:
    """How long ``user``'s session may go unused before it ends (staff have their own setting)."""
    cfg = current_app.config
    minutes = cfg["IDLE_TIMEOUT_STAFF_MINUTES"] if user.is_staff else cfg["IDLE_TIMEOUT_MINUTES"]
    return timedelta(minutes=minutes)


def _row_id(sid: str) -> str:
    return hashlib.sha256(b"wellness session\0" + sid.encode()).hexdigest()


def _tag(session_key: bytes, user: User) -> bytes:
    message = b"wellness session user\0" + str(user.id).encode() + b"\0" + user.session_epoch
    return hmac.new(session_key, message, "sha256").digest()


def _ctx(sid: str) -> bytes:
    return fields.SESSION_PRIVATE_KEY.context(_row_id(sid))


@use_case
def start_session(user: User, private: bytes, verified: bool) -> tuple[str, bytes]:
    """Open a session holding the private key wrapped under a fresh session key.

    The session key goes only to the browser, the wrapped key only to the database: neither a
    database copy nor a stolen cookie alone opens the private key.
    """
    purge_stale_sessions()
    sid, session_key = secrets.token_urlsafe(32), secrets.token_bytes(32)
    db.session.add(
        LoginSession(
            id=_row_id(sid),
            user_tag=_tag(session_key, user),
            verified=verified,
            last_seen_at=floor_minute(utcnow()),
            wrapped_private_key=keypairs.wrap_private(private, session_key, _ctx(sid)),
        )
    )
    return sid, session_key


def _row(sid: str, session_key: bytes, user: User | None) -> LoginSession | None:
    """The session row, if it exists and belongs to ``user`` (checked with the session key)."""
    row = db.session.get(LoginSession, _row_id(sid))
    if row is None or user is None:
        return None
    if not hmac.compare_digest(row.user_tag, _tag(session_key, user)):
        return None
    if not authentic(row) or not trust.account_ok(user):
        # Only someone who can write the database (and sign cookies) gets here.
        _report("a session row or its account was not written by this instance")
        return None
    return row


@use_case
def _report(what: str) -> None:
    """The alert is kept even when the page that found it writes nothing."""
    trust.report_failure(what)


@use_case
def purge_stale_sessions() -> int:
    """Drop abandoned sign-ins and idle sessions, so no wrapped key outlives its use."""
    cfg, now = current_app.config, utcnow()
    longest_idle = max(cfg["IDLE_TIMEOUT_STAFF_MINUTES"], cfg["IDLE_TIMEOUT_MINUTES"])
    pending_cutoff = now - timedelta(seconds=PENDING_LOGIN_SECONDS)
    return db.session.execute(
        delete(LoginSession).where(
            or_(
                and_(LoginSession.verified.is_(False), LoginSession.last_seen_at < pending_cutoff),
                LoginSession.last_seen_at < now - timedelta(minutes=longest_idle),
            )
        )
    ).rowcount


def pending_user(sid: str, session_key: bytes, user_id: int) -> User | None:
    """The user of a session still waiting for its second factor, if it is fresh."""
    user = db.session.get(User, user_id)
    row = _row(sid, session_key, user)
    if row is None or row.verified:
        return None
    if utcnow() - as_utc(row.last_seen_at) > timedelta(seconds=PENDING_LOGIN_SECONDS):
        end_session(sid)
        return None
    return user


@use_case
def mark_verified(sid: str) -> None:
    """The second factor was given: the session may now be used."""
    row = db.session.get(LoginSession, _row_id(sid))
    if row is not None:
        row.verified = True
        row.last_seen_at = floor_minute(utcnow())


def resume_session(sid: str, session_key: bytes, user_id: int) -> User | None:
    """The user of a live session, refreshing its idle clock; None if ended or idle too long.
    Runs on every request: it writes (and commits) only when the clock moves a minute on, so
    a page's own reads are not cut off by a commit that changed nothing."""
    user = db.session.get(User, user_id)
    row = _row(sid, session_key, user)
    if row is None or not row.verified or user is None or not user.active:
        return None
    now = utcnow()
    if now - as_utc(row.last_seen_at) > idle_timeout(user):
        end_session(sid)
        return None
    if floor_minute(now) > as_utc(row.last_seen_at):  # one write a minute at most
        _touch(row, floor_minute(now))
    return user


@use_case
def _touch(row: LoginSession, minute: datetime) -> None:
    row.last_seen_at = minute


def session_private_key(sid: str, session_key: bytes) -> bytes:
    """The signed-in person's private key for this request; DecryptionError if it cannot open."""
    row = db.session.get(LoginSession, _row_id(sid))
    if row is None:
        raise DecryptionError("session has ended")
    return keypairs.unwrap_private(row.wrapped_private_key, session_key, _ctx(sid))


@use_case
def enrol_secret(sid: str, session_key: bytes, make: Callable[[], str]) -> str:
    """The authenticator secret being enrolled in this session, made on first ask: kept in the
    session row encrypted under the session key, never in the cookie."""
    row = db.session.get(LoginSession, _row_id(sid))
    if row is None:
        raise DecryptionError("session has ended")
    ctx = fields.ENROL_SECRET.context(row.id)
    if row.enrol_secret is not None:
        return records.decrypt(session_key, row.enrol_secret, ctx).decode()
    secret = make()
    row.enrol_secret = records.encrypt(session_key, secret.encode(), ctx)
    return secret


@use_case
def end_session(sid: str) -> None:
    """Sign this session out (its row, and the wrapped key in it, are deleted)."""
    db.session.execute(delete(LoginSession).where(LoginSession.id == _row_id(sid)))


def end_all_sessions(user: User) -> None:
    """Every session of ``user`` stops working (in the caller's transaction): their rows no
    longer match, and are purged once idle."""
    user.session_epoch = secrets.token_bytes(16)
