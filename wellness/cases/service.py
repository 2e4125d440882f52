"""Case content: the one place it is encrypted, shared, opened (and logged), and destroyed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from wellness.accounts.models import User
from wellness.audit import service as audit
from wellness.cases.models import Case, CaseKey, KeyHolder
from wellness.crypto import envelope, records
from wellness.crypto.context import context
from wellness.crypto.errors import DecryptionError
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.keys.models import RetiredUserKey
from wellness.timeutil import utcnow


class NotSharedError(Exception):
    """The case is not shared with this person (or no longer exists): treat as not found."""


@dataclass(frozen=True)
class Reader:
    """Someone opening a case: their account, their unlocked private key, and in what capacity."""

    user: User
    private_key: bytes
    as_owner: bool = False


def _key_context(case_id: int, holder: KeyHolder, user_id: int | None) -> bytes:
    return context("case_keys", case_id, f"{holder.value}:{user_id or ''}")


def _content_context(case_id: int) -> bytes:
    return context("cases", case_id, "content")


def _seal_to(
    case: Case, data_key: bytes, holder: KeyHolder, public: bytes, user_id: int | None = None
) -> CaseKey:
    sealed = envelope.seal(data_key, public, _key_context(case.id, holder, user_id))
    row = CaseKey(case_id=case.id, holder=holder, user_id=user_id, sealed_key=sealed)
    db.session.add(row)
    return row


def create_case(
    kind: str, urgency: str, content: dict[str, Any], owner: Reader | None, share_with: list[User]
) -> Case:
    """Store a new case encrypted under its own data key, sealed to each holder and recovery.

    The owner (the officer who asked) gets a sealed key that names nobody, and the case goes
    into their private index, rewritten with their key so it stays one padded box.
    """
    case = Case(kind=kind, urgency=urgency, status="new")
    db.session.add(case)
    db.session.flush()
    data_key = records.new_data_key()
    case.content = records.encrypt(
        data_key, json.dumps(content).encode(), _content_context(case.id)
    )
    _seal_to(case, data_key, KeyHolder.RECOVERY, keys.recovery_public_key())
    for user in share_with:
        _seal_to(case, data_key, KeyHolder.USER, user.public_key, user.id)
    if owner is not None:
        _seal_to(case, data_key, KeyHolder.OWNER, owner.user.public_key)
        entries = keys.read_index(owner.user, owner.private_key)
        keys.write_index(owner.user, [*entries, {"case": case.id, "as": "owner"}])
    db.session.commit()
    return case


def _key_row(case_id: int, holder: KeyHolder, user_id: int | None = None) -> CaseKey | None:
    same_user = CaseKey.user_id.is_(None) if user_id is None else CaseKey.user_id == user_id
    return db.session.scalar(
        select(CaseKey).where(CaseKey.case_id == case_id, CaseKey.holder == holder, same_user)
    )


def own_case_ids(reader: Reader) -> list[int]:
    """The cases this person asked for, from their private index."""
    entries = keys.read_index(reader.user, reader.private_key)
    return [int(e["case"]) for e in entries if e.get("as") == "owner"]


def _data_key(case: Case, reader: Reader) -> bytes:
    if reader.as_owner:
        if case.id not in own_case_ids(reader):
            raise NotSharedError(case.id)
        holder, user_id = KeyHolder.OWNER, None
    else:
        holder, user_id = KeyHolder.USER, reader.user.id
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
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise NotSharedError(case_id)
    data_key = _data_key(case, reader)
    content = json.loads(records.decrypt(data_key, case.content, _content_context(case.id)))
    if reader.as_owner:  # the log must not say who asked
        audit.record("owner", None, case.id, "read", reason)
    else:
        audit.record("counselor", reader.user.id, case.id, "read", reason)
    return content


def share_case(case_id: int, reader: Reader, with_user: User) -> None:
    """Seal the case's data key to one more person (by someone who can open it)."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotSharedError(case_id)
    data_key = _data_key(case, reader)
    db.session.execute(
        delete(CaseKey).where(
            CaseKey.case_id == case.id,
            CaseKey.holder == KeyHolder.USER,
            CaseKey.user_id == with_user.id,
        )
    )
    _seal_to(case, data_key, KeyHolder.USER, with_user.public_key, with_user.id)
    db.session.commit()


def unshare_case(case_id: int, user: User) -> None:
    """Remove one person's sealed key: they can no longer open the case."""
    db.session.execute(
        delete(CaseKey).where(
            CaseKey.case_id == case_id, CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id
        )
    )
    db.session.commit()


def shred_case(case_id: int) -> None:
    """Crypto-shredding: every sealed copy of the data key and the ciphertext are deleted."""
    case = db.session.get(Case, case_id)
    if case is None:
        return
    db.session.execute(delete(CaseKey).where(CaseKey.case_id == case.id))
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
        keys.append_to_index(user, entries)
        retired.restored_at = utcnow()
    db.session.commit()
    return restored


def _reseal(row: CaseKey, recovery_private: bytes, public: bytes) -> None:
    recovery_row = _key_row(row.case_id, KeyHolder.RECOVERY)
    if recovery_row is None:
        raise NotSharedError(row.case_id)
    data_key = envelope.open_sealed(
        recovery_row.sealed_key,
        recovery_private,
        _key_context(row.case_id, KeyHolder.RECOVERY, None),
    )
    row.sealed_key = envelope.seal(
        data_key, public, _key_context(row.case_id, row.holder, row.user_id)
    )
