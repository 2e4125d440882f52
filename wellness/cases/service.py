"""Case content: the one place it is encrypted, opened (and logged), and destroyed.

Who holds a case's key, and how it moves, is ``cases.keyholding``.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from wellness.accounts.models import Role, User
from wellness.audit import service as audit
from wellness.cases import keyholding
from wellness.cases.keyholding import (
    CaseClosedError,
    NotSharedError,
    Reader,
    data_key,
    held,
    own_case_ids,
    remove_from_index,
    seal_to,
)
from wellness.cases.models import OPEN_STATUSES, Case, CaseEvent, KeyHolder, Message
from wellness.crypto import fields, records
from wellness.crypto.errors import DecryptionError
from wellness.extensions import db
from wellness.keyring import decrypt_field, encrypt_field
from wellness.keys import service as keys
from wellness.keys import trust
from wellness.notifications import service as notifications
from wellness.referrals.models import Receipt
from wellness.timeutil import as_utc, floor_hour, utcnow
from wellness.transaction import use_case

__all__ = [
    "CaseClosedError",
    "NotSharedError",
    "Reader",
    "data_key",
    "own_case_ids",
    "remove_from_index",
]


CONTENT_STEP = 1024


def encode_content(content: dict[str, Any]) -> bytes:
    """JSON padded with spaces to a 1 KiB step: the size of a case says nothing about how long
    the names in it are (JSON ignores the trailing spaces)."""
    text = json.dumps(content).encode()
    return text + b" " * (-len(text) % CONTENT_STEP)


def exact_created(case: Case) -> datetime:
    """When a case was made, to the second (class B); the clear column says only the hour."""
    return exact_created_at(case.id, case.times, case.created_at)


def exact_created_at(case_id: int, times: str | None, clear: datetime) -> datetime:
    """The same, from the columns alone (for queries that do not load whole cases)."""
    if times:
        data = json.loads(decrypt_field(fields.CASE_TIMES, case_id, times))
        return datetime.fromisoformat(data["created"])
    return as_utc(clear)  # cases of earlier releases


def create_case(
    kind: str,
    urgency: str,
    content: dict[str, Any],
    owner: Reader | None,
    share_with: list[User],
    receipt_public: bytes | None = None,
    reporter: Reader | None = None,
    owner_account: User | None = None,
    share_as: Role = Role.COUNSELOR,
) -> Case:
    """Store a new case encrypted under its own data key, sealed to each holder and recovery.

    Only keys that pass their check are sealed to (keys/trust.py): a planted or altered key is
    skipped and reported, and the case is still saved, sealed to the pinned recovery key. The
    owner (the officer who asked) gets a sealed key that names nobody, and the case goes into
    their private index. The clear creation time says only the hour; the exact time is class B.
    """
    now = utcnow()
    case = Case(
        kind=kind,
        urgency=urgency,
        status="new",
        created_at=floor_hour(now),
        log_key=secrets.token_bytes(32),
    )
    db.session.add(case)
    db.session.flush()
    key = records.new_data_key()
    case.content = records.encrypt(
        key, encode_content(content), fields.CASE_CONTENT.context(case.id)
    )
    case.times = encrypt_field(
        fields.CASE_TIMES, case.id, json.dumps({"created": now.isoformat()}).encode()
    )
    seal_to(case, key, KeyHolder.RECOVERY, trust.recovery_key())
    for user in share_with:
        with contextlib.suppress(trust.UntrustedKeyError):  # skipped, and reported
            seal_to(case, key, KeyHolder.USER, trust.case_key(user, share_as))
    if owner is not None and owner.user is not None:
        with contextlib.suppress(trust.UntrustedKeyError):
            seal_to(case, key, KeyHolder.OWNER, trust.own_key(owner.user))
            keyholding.add_to_index(owner, case.id, "owner")
    if owner_account is not None:  # someone who did not ask (an incident): public key only
        with contextlib.suppress(trust.UntrustedKeyError):
            seal_to(case, key, KeyHolder.OWNER, trust.own_key(owner_account))
            keys.post_to_inbox(owner_account, [{"case": case.id, "as": "owner"}])
    if receipt_public is not None:
        keyholding.seal_to_receipt(case, key, receipt_public)
    if reporter is not None:  # a reporter can find the case's status, never open it
        with contextlib.suppress(trust.UntrustedKeyError):
            about = (content.get("subject") or {}).get("name")
            keyholding.add_to_index(reporter, case.id, "reporter", about)
    return case


KIND_LABELS = {
    "concern": "concern from a colleague",
    "supervisor_report": "supervisor's concern report",
    "critical_incident": "critical incident outreach",
}


def labels(found: list[Case]) -> dict[int, str]:
    """What each case is, in words staff read on every list: an anonymous or a named request,
    a concern, a report, an incident's outreach. (Whether a request is anonymous is already
    known from its receipt row: this shows nothing the database does not.)"""
    ids = [c.id for c in found if c.kind == "self_referral"]
    anonymous = set(
        db.session.scalars(select(Receipt.case_id).where(Receipt.case_id.in_(ids))) if ids else ()
    )
    return {
        c.id: KIND_LABELS.get(c.kind)
        or ("anonymous request" if c.id in anonymous else "named request")
        for c in found
    }


def open_caseloads() -> dict[int, int]:
    """Open cases per assigned counselor (routing's lowest-caseload rule, the team page)."""
    return dict(
        db.session.execute(
            select(Case.assignee_id, func.count())
            .where(Case.status.in_(OPEN_STATUSES))
            .group_by(Case.assignee_id)
        ).all()
    )


@use_case
def open_case(case_id: int, reader: Reader, reason: str) -> dict[str, Any]:
    """Decrypt a case's content for someone it is shared with, and log that it happened."""
    return open_case_page(case_id, reader, reason).content


@dataclass(frozen=True)
class ThreadMessage:
    sender: str
    counselor_id: int | None
    created_at: datetime
    body: str


@dataclass(frozen=True)
class CaseView:
    case: Case
    content: dict[str, Any]
    messages: list[ThreadMessage]
    # The unsealed data key, for the same page's notes and check-in answers (already logged).
    key: bytes = field(repr=False, default=b"")


@use_case
def open_case_page(case_id: int, reader: Reader, reason: str) -> CaseView:
    """Decrypt a case's content and its messages, writing one access-log entry."""
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise NotSharedError(case_id)
    key = data_key(case, reader)
    audit.record(*reader.log_identity, case.id, "read", reason)  # logged before anything opens
    content = json.loads(records.decrypt(key, case.content, fields.CASE_CONTENT.context(case.id)))
    rows = db.session.scalars(
        select(Message).where(Message.case_id == case.id).order_by(Message.created_at, Message.id)
    )
    messages = [ThreadMessage(m.sender, m.counselor_id, *_read_message(m, key)) for m in rows]
    return CaseView(case, content, messages, key)


UNREADABLE = "[This message cannot be read: it was altered after it was written.]"


def _read_message(message: Message, key: bytes) -> tuple[datetime, str]:
    try:
        plain = records.decrypt(key, message.body, fields.MESSAGE_BODY.context(message.id))
    except DecryptionError:  # tampered in the database: say so, do not fail the page
        return as_utc(message.created_at), UNREADABLE
    return _decode_message(plain, message.created_at)


_TIMED = b"\x01"  # a message body that carries its exact time (earlier releases: text only)


def _encode_message(text: str, at: datetime) -> bytes:
    micros = int(at.timestamp() * 1_000_000)
    return _TIMED + micros.to_bytes(8, "big") + text.encode()


def _decode_message(plain: bytes, clear_at: datetime) -> tuple[datetime, str]:
    """The exact time (class A, inside the body) and the text; the clear column says the hour."""
    if plain[:1] == _TIMED and len(plain) >= 9:
        micros = int.from_bytes(plain[1:9], "big")
        return datetime.fromtimestamp(micros / 1_000_000, UTC), plain[9:].decode()
    return clear_at, plain.decode()


@use_case
def post_message(case_id: int, reader: Reader, body: str) -> Message:
    """Add an encrypted message to the thread, as the counselor or as the officer who asked."""
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise NotSharedError(case_id)
    key = data_key(case, reader)
    keyholding.require_open(case)
    sender, counselor_id = reader.log_identity
    now = utcnow()
    message = Message(
        case_id=case.id,
        sender=sender,
        counselor_id=counselor_id,
        body=b"",
        created_at=floor_hour(now),
    )
    db.session.add(message)
    db.session.flush()
    message.body = records.encrypt(
        key, _encode_message(body, now), fields.MESSAGE_BODY.context(message.id)
    )
    if sender in ("counselor", "coordinator"):
        _first_contact(case, reader.account.id, "first contact: a message")
        # A named officer who turned push on is told that a reply is waiting (never what, nor
        # on which request: the push says what every notice says). Who asked is read from the
        # case, here, by its holder: nothing in clear names them.
        owner = _named_owner(case, key, reader)
        if owner is not None:
            notifications.push_users([owner])
    if sender not in ("counselor", "coordinator") and case.assignee_id is not None:
        # The officer wrote: tell the counselor, in the same transaction as the message.
        notifications.notify([case.assignee_id], "message", case.id)
    return message


def _named_owner(case: Case, key: bytes, reader: Reader) -> int | None:
    """The account that asked, for a named self-referral (None for anonymous or concerns).
    Reading it is a decryption of the case's content, logged like any other."""
    if case.kind != "self_referral":
        return None
    audit.record(*reader.log_identity, case.id, "read", "to tell the person a reply is waiting")
    content = json.loads(records.decrypt(key, case.content, fields.CASE_CONTENT.context(case.id)))
    who = content.get("who") if content.get("named") else None
    return who.get("user_id") if isinstance(who, dict) else None


@use_case
def record_contact(case_id: int, reader: Reader) -> None:
    """The counselor has reached the person: the reporter may now be told so."""
    case, _ = held(case_id, reader)  # only someone holding the case may say so
    keyholding.require_open(case)
    _first_contact(case, reader.account.id, "first contact")


def _first_contact(case: Case, actor_id: int, event: str) -> None:
    """The first time someone holding the case reaches the person: the clock stops, the
    timeline says so, and a reporter may now be told that someone has reached out."""
    if case.contacted_at is not None:
        return
    case.contacted_at = utcnow()
    if case.status == "new":
        case.status = "contacted"
    db.session.add(CaseEvent(case_id=case.id, actor_id=actor_id, kind=event))
