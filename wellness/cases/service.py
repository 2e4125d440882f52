"""Case content: the one place it is encrypted, shared, opened (and logged), and destroyed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from wellness.accounts.models import Role, User
from wellness.audit import service as audit
from wellness.cases.models import OPEN_STATUSES, Case, CaseKey, KeyHolder, Message, Note
from wellness.checkins.models import CheckIn
from wellness.crypto import envelope, records
from wellness.crypto.context import context
from wellness.crypto.errors import DecryptionError, RecoveryCodeError
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.keys.models import RetiredUserKey
from wellness.referrals.models import Receipt
from wellness.timeutil import utcnow


class NotSharedError(Exception):
    """The case is not shared with this person (or no longer exists): treat as not found."""


@dataclass(frozen=True)
class Reader:
    """Someone opening a case: their account, their unlocked private key, and in what capacity.

    ``user`` is None for an anonymous officer, whose key comes from their receipt code.
    """

    user: User | None
    private_key: bytes
    as_owner: bool = False
    by_receipt: bool = False

    @property
    def holder(self) -> KeyHolder:
        if self.by_receipt:
            return KeyHolder.RECEIPT
        return KeyHolder.OWNER if self.as_owner else KeyHolder.USER

    @property
    def account(self) -> User:
        """The signed-in account behind this reader (an anonymous reader has none)."""
        if self.user is None:
            raise NotSharedError("this needs a signed-in account")
        return self.user

    @property
    def log_identity(self) -> tuple[str, int | None]:
        """How the access log names this reader: the officer who asked is never named."""
        if self.by_receipt:
            return "anonymous", None
        if self.as_owner:
            return "owner", None
        user = self.account
        lead = user.has_role(Role.COORDINATOR) and not user.has_role(Role.COUNSELOR)
        return ("coordinator" if lead else "counselor"), user.id


def _key_context(case_id: int, holder: KeyHolder, user_id: int | None) -> bytes:
    return context("case_keys", case_id, f"{holder.value}:{user_id or ''}")


def _content_context(case_id: int) -> bytes:
    return context("cases", case_id, "content")


def seal_to(
    case: Case, data_key: bytes, holder: KeyHolder, public: bytes, user_id: int | None = None
) -> CaseKey:
    sealed = envelope.seal(data_key, public, _key_context(case.id, holder, user_id))
    row = CaseKey(case_id=case.id, holder=holder, user_id=user_id, sealed_key=sealed)
    db.session.add(row)
    return row


def create_case(
    kind: str,
    urgency: str,
    content: dict[str, Any],
    owner: Reader | None,
    share_with: list[User],
    receipt_public: bytes | None = None,
    reporter: Reader | None = None,
    commit: bool = True,
    owner_account: User | None = None,
) -> Case:
    """Store a new case encrypted under its own data key, sealed to each holder and recovery.

    The owner (the officer who asked) gets a sealed key that names nobody, and the case goes
    into their private index, rewritten with their key so it stays one padded box.
    """
    case = Case(kind=kind, urgency=urgency, status="new")
    db.session.add(case)
    db.session.flush()
    key = records.new_data_key()
    case.content = records.encrypt(key, json.dumps(content).encode(), _content_context(case.id))
    seal_to(case, key, KeyHolder.RECOVERY, keys.recovery_public_key())
    for user in share_with:
        seal_to(case, key, KeyHolder.USER, user.public_key, user.id)
    if owner is not None and owner.user is not None:
        seal_to(case, key, KeyHolder.OWNER, owner.user.public_key)
        _add_to_index(owner, case.id, "owner")
    if owner_account is not None:  # someone who did not ask (an incident): public key only
        seal_to(case, key, KeyHolder.OWNER, owner_account.public_key)
        keys.post_to_inbox(owner_account, [{"case": case.id, "as": "owner"}])
    if receipt_public is not None:
        seal_to(case, key, KeyHolder.RECEIPT, receipt_public)
    if reporter is not None:  # a reporter can find the case's status, never open it
        _add_to_index(reporter, case.id, "reporter")
    if commit:
        db.session.commit()
    return case


def _add_to_index(reader: Reader, case_id: int, role: str) -> None:
    keys.lock_account(reader.account)
    entries = keys.read_index(reader.account, reader.private_key)
    keys.write_index(reader.account, [*entries, {"case": case_id, "as": role}])


def remove_from_index(reader: Reader, case_id: int) -> None:
    """Drop a case from the person's private index (withdrawn, or no longer there)."""
    keys.lock_account(reader.account)
    entries = keys.read_index(reader.account, reader.private_key)
    keys.write_index(reader.account, [e for e in entries if e.get("case") != case_id])


def _key_row(case_id: int, holder: KeyHolder, user_id: int | None = None) -> CaseKey | None:
    same_user = CaseKey.user_id.is_(None) if user_id is None else CaseKey.user_id == user_id
    return db.session.scalar(
        select(CaseKey).where(CaseKey.case_id == case_id, CaseKey.holder == holder, same_user)
    )


def open_caseloads() -> dict[int, int]:
    """Open cases per assigned counselor (routing's lowest-caseload rule, the team page)."""
    return dict(
        db.session.execute(
            select(Case.assignee_id, func.count())
            .where(Case.status.in_(OPEN_STATUSES))
            .group_by(Case.assignee_id)
        ).all()
    )


def own_case_ids(reader: Reader, role: str = "owner") -> list[int]:
    """The cases this person asked for (or, with role 'reporter', reported), from their index."""
    if reader.user is None:
        return []
    entries = keys.read_index(reader.user, reader.private_key)
    return [int(e["case"]) for e in entries if e.get("as") == role]


def data_key(case: Case, reader: Reader) -> bytes:
    """The case's data key, unsealed with the reader's private key; NotSharedError if not theirs."""
    holder = reader.holder
    if holder is KeyHolder.OWNER and case.id not in own_case_ids(reader):
        raise NotSharedError(case.id)
    user_id = reader.user.id if holder is KeyHolder.USER and reader.user else None
    row = _key_row(case.id, holder, user_id)
    if row is None:
        raise NotSharedError(case.id)
    try:
        return envelope.open_sealed(
            row.sealed_key, reader.private_key, _key_context(case.id, holder, user_id)
        )
    except DecryptionError as exc:  # e.g. sealed to a key retired by a password reset
        raise NotSharedError(case.id) from exc


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


def open_case_page(case_id: int, reader: Reader, reason: str) -> CaseView:
    """Decrypt a case's content and its messages, writing one access-log entry."""
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise NotSharedError(case_id)
    key = data_key(case, reader)
    content = json.loads(records.decrypt(key, case.content, _content_context(case.id)))
    rows = db.session.scalars(
        select(Message).where(Message.case_id == case.id).order_by(Message.created_at, Message.id)
    )
    messages = [
        ThreadMessage(
            m.sender,
            m.counselor_id,
            m.created_at,
            records.decrypt(key, m.body, _message_context(m.id)).decode(),
        )
        for m in rows
    ]
    audit.record(*reader.log_identity, case.id, "read", reason)
    return CaseView(case, content, messages, key)


def _message_context(message_id: int) -> bytes:
    return context("messages", message_id, "body")


def post_message(case_id: int, reader: Reader, body: str) -> Message:
    """Add an encrypted message to the thread, as the counselor or as the officer who asked."""
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise NotSharedError(case_id)
    key = data_key(case, reader)
    sender, counselor_id = reader.log_identity
    message = Message(case_id=case.id, sender=sender, counselor_id=counselor_id, body=b"")
    db.session.add(message)
    db.session.flush()
    message.body = records.encrypt(key, body.encode(), _message_context(message.id))
    if sender in ("counselor", "coordinator") and case.contacted_at is None:
        case.contacted_at = utcnow()
        case.status = "contacted" if case.status == "new" else case.status
    if sender not in ("counselor", "coordinator") and case.assignee_id is not None:
        # The officer wrote: tell the counselor, in the same transaction as the message.
        from wellness.notifications import service as notifications

        notifications.notify([case.assignee_id], "message", case.id)
    db.session.commit()
    return message


def share_case(case_id: int, reader: Reader, with_user: User) -> None:
    """Seal the case's data key to one more person (by someone who can open it)."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotSharedError(case_id)
    key = data_key(case, reader)
    db.session.execute(
        delete(CaseKey).where(
            CaseKey.case_id == case.id,
            CaseKey.holder == KeyHolder.USER,
            CaseKey.user_id == with_user.id,
        )
    )
    seal_to(case, key, KeyHolder.USER, with_user.public_key, with_user.id)
    db.session.commit()


def unshare_case(case_id: int, user: User) -> None:
    """Remove one person's sealed key: they can no longer open the case."""
    db.session.execute(
        delete(CaseKey).where(
            CaseKey.case_id == case_id, CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id
        )
    )
    db.session.commit()


def record_contact(case_id: int, reader: Reader) -> None:
    """The counselor has reached the person: the reporter may now be told so."""
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise NotSharedError(case_id)
    data_key(case, reader)  # only someone holding the case may say so
    case.contacted_at = case.contacted_at or utcnow()
    if case.status == "new":
        case.status = "contacted"
    db.session.commit()


def shred_case(case_id: int) -> None:
    """Crypto-shredding: every sealed copy of the data key and the ciphertext are deleted."""
    case = db.session.get(Case, case_id)
    if case is None:
        return
    db.session.execute(delete(CaseKey).where(CaseKey.case_id == case.id))
    # Everything else that belongs to the case goes too: check-ins (whose reminder token names
    # the officer), notes, messages, the anonymous receipt.
    for model in (Message, Note, CheckIn, Receipt):
        db.session.execute(delete(model).where(model.case_id == case.id))
    case.content = None
    case.status = "destroyed"
    case.shredded_at = utcnow()
    db.session.commit()


def restore_access(user: User, recovery_code: str, coordinator: User) -> int:
    """After a password reset, re-seal what the person could open to their new key.

    Needs the recovery code (RecoveryCodeError otherwise); without it nothing is recoverable.
    Returns how many cases were restored. Keys are rewritten in place and the person's own
    cases are not logged one by one, so nothing links them to the cases they asked about.
    """
    if user.must_change_password:
        # Their current key is wrapped under a one-time password someone else has seen.
        raise RecoveryCodeError("they must sign in and choose their own password first")
    recovery_private = keys.recovery_private_key(recovery_code)
    restored = 0
    for row in db.session.scalars(
        select(CaseKey).where(CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id)
    ).all():
        _reseal(row, recovery_private, user.public_key)
        audit.record(
            "coordinator",
            coordinator.id,
            row.case_id,
            "restore access",
            "re-sealed after a password reset",
            commit=False,
        )
        restored += 1
    for retired in db.session.scalars(
        select(RetiredUserKey).where(
            RetiredUserKey.user_id == user.id, RetiredUserKey.restored_at.is_(None)
        )
    ).all():
        entries = keys.read_retired_index(retired, keys.open_retired(retired, recovery_private))
        for entry in entries:
            row = _key_row(int(entry["case"]), KeyHolder.OWNER)
            if entry.get("as") == "owner" and row is not None:
                _reseal(row, recovery_private, user.public_key)
                restored += 1
        keys.post_to_inbox(user, entries)
        retired.restored_at = utcnow()
    db.session.commit()
    return restored


def recovery_data_key(case_id: int, recovery_private: bytes) -> bytes:
    """A case's data key opened with the program recovery key (nothing is decrypted or logged)."""
    recovery_row = _key_row(case_id, KeyHolder.RECOVERY)
    if recovery_row is None:
        raise NotSharedError(case_id)
    return envelope.open_sealed(
        recovery_row.sealed_key, recovery_private, _key_context(case_id, KeyHolder.RECOVERY, None)
    )


def _reseal(row: CaseKey, recovery_private: bytes, public: bytes) -> None:
    key = recovery_data_key(row.case_id, recovery_private)
    row.sealed_key = envelope.seal(key, public, _key_context(row.case_id, row.holder, row.user_id))


def rekey_account(user: User, old_private: bytes, new_password: str) -> None:
    """A fresh keypair for someone choosing their first password, with everything the old key
    opened re-sealed to the new one (rows rewritten in place).

    The old key was wrapped under a one-time password the admin saw; it must not stay useful.
    """
    keys.lock_account(user)
    entries = keys.read_index(user, old_private)
    shared = db.session.scalars(
        select(CaseKey).where(CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id)
    ).all()
    owned = [
        row
        for e in entries
        if e.get("as") == "owner"
        for row in [_key_row(int(e["case"]), KeyHolder.OWNER)]
        if row is not None
    ]
    opened = []
    for row in [*shared, *owned]:
        ctx = _key_context(row.case_id, row.holder, row.user_id)
        try:
            opened.append((row, envelope.open_sealed(row.sealed_key, old_private, ctx)))
        except DecryptionError:
            continue  # not sealed to this key (e.g. still waiting for a restore)
    keys.give_new_keypair(user, new_password)
    for row, key in opened:
        row.sealed_key = envelope.seal(
            key, user.public_key, _key_context(row.case_id, row.holder, row.user_id)
        )
    keys.write_index(user, entries)
