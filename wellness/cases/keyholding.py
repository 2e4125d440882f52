"""Who holds a case's data key: sealing it to each holder, unsealing it for a reader, and
moving it when keys change (sharing, a restore after a reset, a new keypair).

Every seal goes through ``seal_to``, which takes only a ``trust.TrustedKey``: a public key that
passed its check against the instance's signing key or pin (keys/trust.py). Nothing here
decrypts case content; ``cases.service`` does, and logs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select

from wellness.accounts.models import CASE_ROLES, Role, User
from wellness.audit import service as audit
from wellness.cases.models import Case, CaseKey, KeyHolder
from wellness.crypto import envelope, keypairs, recovery
from wellness.crypto.context import context
from wellness.crypto.errors import DecryptionError, RecoveryCodeError
from wellness.extensions import db
from wellness.keyring import pin_recovery_key, pinned_recovery_key
from wellness.keys import service as keys
from wellness.keys import trust
from wellness.keys.models import RecoveryKey, RetiredUserKey
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


def key_context(case_id: int, holder: KeyHolder, user_id: int | None) -> bytes:
    return context("case_keys", case_id, f"{holder.value}:{user_id or ''}")


def seal_to(case: Case, data_key: bytes, holder: KeyHolder, key: trust.TrustedKey) -> CaseKey:
    """Seal the case's data key to one checked public key (the only way a key row is made)."""
    user_id = key.user_id if holder is KeyHolder.USER else None
    sealed = envelope.seal(data_key, key.public, key_context(case.id, holder, user_id))
    row = CaseKey(case_id=case.id, holder=holder, user_id=user_id, sealed_key=sealed)
    db.session.add(row)
    return row


def seal_to_receipt(case: Case, data_key: bytes, public: bytes) -> CaseKey:
    """Seal to the key an anonymous officer's receipt code derives (made in memory just now)."""
    return seal_to(case, data_key, KeyHolder.RECEIPT, trust.TrustedKey(None, public))


def key_row(case_id: int, holder: KeyHolder, user_id: int | None = None) -> CaseKey | None:
    same_user = CaseKey.user_id.is_(None) if user_id is None else CaseKey.user_id == user_id
    return db.session.scalar(
        select(CaseKey).where(CaseKey.case_id == case_id, CaseKey.holder == holder, same_user)
    )


# --- the person's private index of their own cases -------------------------------------------


def add_to_index(reader: Reader, case_id: int, role: str) -> None:
    """Record in the person's own index that they asked for (or reported) this case."""
    keys.lock_index(reader.private_key)
    entries = keys.read_index(reader.account, reader.private_key)
    keys.write_index(reader.account, reader.private_key, [*entries, {"case": case_id, "as": role}])


def remove_from_index(reader: Reader, case_id: int) -> None:
    """Drop a case from the person's private index (withdrawn, or no longer there)."""
    keys.lock_index(reader.private_key)
    entries = keys.read_index(reader.account, reader.private_key)
    keys.write_index(
        reader.account, reader.private_key, [e for e in entries if e.get("case") != case_id]
    )


def own_case_ids(reader: Reader, role: str = "owner") -> list[int]:
    """The cases this person asked for (or, with role 'reporter', reported), from their index."""
    if reader.user is None:
        return []
    entries = keys.read_index(reader.user, reader.private_key)
    return [int(e["case"]) for e in entries if e.get("as") == role]


# --- unsealing ----------------------------------------------------------------------------------


def data_key(case: Case, reader: Reader) -> bytes:
    """The case's data key, unsealed with the reader's private key; NotSharedError if not theirs."""
    holder = reader.holder
    if holder is KeyHolder.OWNER and case.id not in own_case_ids(reader):
        raise NotSharedError(case.id)
    user_id = reader.user.id if holder is KeyHolder.USER and reader.user else None
    row = key_row(case.id, holder, user_id)
    if row is None:
        raise NotSharedError(case.id)
    try:
        return envelope.open_sealed(
            row.sealed_key, reader.private_key, key_context(case.id, holder, user_id)
        )
    except DecryptionError as exc:  # e.g. sealed to a key retired by a password reset
        raise NotSharedError(case.id) from exc


def recovery_data_key(case_id: int, recovery_private: bytes) -> bytes:
    """A case's data key opened with the program recovery key (nothing is decrypted or logged)."""
    recovery_row = key_row(case_id, KeyHolder.RECOVERY)
    if recovery_row is None:
        raise NotSharedError(case_id)
    return envelope.open_sealed(
        recovery_row.sealed_key, recovery_private, key_context(case_id, KeyHolder.RECOVERY, None)
    )


# --- sharing and moving -------------------------------------------------------------------------


def share_case(case_id: int, reader: Reader, with_user: User, as_role: Role) -> None:
    """Seal the case's data key to one more person (by someone who can open it)."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotSharedError(case_id)
    key = data_key(case, reader)
    target = trust.case_key(with_user, as_role)
    unshare_case(case_id, with_user, commit=False)
    seal_to(case, key, KeyHolder.USER, target)
    db.session.commit()


def unshare_case(case_id: int, user: User, commit: bool = True) -> None:
    """Remove one person's sealed key: they can no longer open the case."""
    db.session.execute(
        delete(CaseKey).where(
            CaseKey.case_id == case_id, CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id
        )
    )
    if commit:
        db.session.commit()


def _reseal(row: CaseKey, recovery_private: bytes, public: bytes) -> None:
    key = recovery_data_key(row.case_id, recovery_private)
    row.sealed_key = envelope.seal(key, public, key_context(row.case_id, row.holder, row.user_id))


class RestoreError(Exception):
    """Access cannot be restored yet; the message says what to do first."""


def restore_access(user: User, recovery_code: str, coordinator: User, safety_code: str) -> int:
    """After a password reset, re-seal what the person could open to their new key.

    Needs the recovery code (RecoveryCodeError otherwise); without it nothing is recoverable.
    The coordinator must have compared the safety code the person read out (so the account is
    theirs, not an admin's who reset it), and a counselor or coordinator must have been
    confirmed again. Only what the person's *retired* keys really opened is re-sealed: a key
    row or an index entry the database alone could have written opens with none of them and
    is left alone. Returns how many cases were restored. Keys are rewritten in place and the
    person's own cases are not logged one by one, so nothing links them to what they asked.
    """
    if user.must_change_password:
        # Their current key is wrapped under a one-time password someone else has seen.
        raise RecoveryCodeError("they must sign in and choose their own password first")
    if not trust.safety_code_matches(user, safety_code):
        raise RestoreError(trust.SAFETY_CODE_MISMATCH)
    public = trust.own_key(user).public
    recovery_private = keys.recovery_private_key(recovery_code)
    retired = db.session.scalars(
        select(RetiredUserKey).where(
            RetiredUserKey.user_id == user.id, RetiredUserKey.restored_at.is_(None)
        )
    ).all()
    old_keys = [keys.open_retired(r, recovery_private) for r in retired]
    restored = _restore_shared(user, old_keys, recovery_private, coordinator)
    for row, old_private in zip(retired, old_keys, strict=True):
        kept = []
        for entry in keys.read_retired_index(row, old_private):
            key = key_row(int(entry["case"]), KeyHolder.OWNER)
            if entry.get("as") != "owner":
                kept.append(entry)  # a concern they raised: its status only, no key
            elif key is not None and _opens(key, [old_private]):
                _reseal(key, recovery_private, public)
                kept.append(entry)
                restored += 1
        keys.post_to_inbox(user, kept)
        keys.drop_index(old_private)
        row.case_index, row.restored_at = None, utcnow()
    db.session.commit()
    return restored


def _restore_shared(
    user: User, old_keys: list[bytes], recovery_private: bytes, coordinator: User
) -> int:
    """Cases shared with the person as a counselor or coordinator, re-sealed once they have
    been confirmed again (each re-seal logged)."""
    rows = [
        row
        for row in db.session.scalars(
            select(CaseKey).where(CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id)
        ).all()
        if _opens(row, old_keys)
    ]
    if not rows:
        return 0
    confirmed = [r for r in sorted(user.roles & CASE_ROLES) if trust.endorsed(user, r)]
    if not confirmed:
        raise RestoreError(
            "Confirm them on the team page first (their safety code): the cases shared with "
            "them as a counselor or coordinator are restored only then."
        )
    target = trust.case_key(user, confirmed[0]).public
    for row in rows:
        _reseal(row, recovery_private, target)
        audit.record(
            "coordinator",
            coordinator.id,
            row.case_id,
            "restore access",
            "re-sealed after a password reset",
            commit=False,
        )
    return len(rows)


def _opens(row: CaseKey, privates: list[bytes]) -> bool:
    """Was this key row really sealed to one of these keys (not planted)?"""
    ctx = key_context(row.case_id, row.holder, row.user_id)
    for private in privates:
        try:
            envelope.open_sealed(row.sealed_key, private, ctx)
        except DecryptionError:
            continue
        return True
    return False


def replace_keypair(user: User, old_private: bytes, password: str, upgrade: bool = False) -> bytes:
    """A fresh (hybrid) keypair, with everything the old key opened re-sealed to it in place;
    returns the new private key.

    For someone choosing their first own password (the old key was wrapped under a one-time
    password an admin saw: it must not stay useful), and, with ``upgrade``, for moving a
    classical key of an earlier release to a post-quantum one at sign-in. Only an upgrade keeps
    the person's confirmed roles: they proved they hold the old key, and nobody else saw it.
    """
    kept_roles = (
        [r.role for r in user.role_rows if r.endorsement and trust.endorsed(user, r.role)]
        if upgrade
        else []
    )
    entries = keys.read_index(user, old_private)
    shared = db.session.scalars(
        select(CaseKey).where(CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id)
    ).all()
    owned = [
        row
        for e in entries
        if e.get("as") == "owner"
        for row in [key_row(int(e["case"]), KeyHolder.OWNER)]
        if row is not None
    ]
    opened = []
    for row in [*shared, *owned]:
        ctx = key_context(row.case_id, row.holder, row.user_id)
        try:
            opened.append((row, envelope.open_sealed(row.sealed_key, old_private, ctx)))
        except DecryptionError:
            continue  # not sealed to this key (e.g. still waiting for a restore)
    keys.drop_index(old_private)
    new_private = keys.give_new_keypair(user, password)
    for row, key in opened:
        row.sealed_key = envelope.seal(
            key, user.public_key, key_context(row.case_id, row.holder, row.user_id)
        )
    keys.write_index(user, new_private, entries)
    trust.withdraw_endorsements(user)
    for role in kept_roles:
        trust.endorse(user, role)
    return new_private


def rotate_recovery(old_code: str, show: Callable[[str], None]) -> int:
    """A new (hybrid) program recovery key: every box sealed to the old one is re-sealed to it,
    and the pin is replaced. Returns how many boxes were re-sealed.

    Needs the old code: without it nothing sealed to the old key could be re-sealed. The new
    code is handed to ``show`` before anything is committed: if the commit then fails, the old
    code still works; once it succeeds, the new code has been shown.
    """
    old_private = keys.recovery_private_key(old_code)
    new = keypairs.generate()
    count = 0
    for row in db.session.scalars(select(CaseKey).where(CaseKey.holder == KeyHolder.RECOVERY)):
        ctx = key_context(row.case_id, KeyHolder.RECOVERY, None)
        key = envelope.open_sealed(row.sealed_key, old_private, ctx)
        row.sealed_key = envelope.seal(key, new.public, ctx)
        count += 1
    for holder in [*db.session.scalars(select(User)), *db.session.scalars(select(RetiredUserKey))]:
        ctx = keys.recovery_context(holder.public_key)
        private = envelope.open_sealed(holder.recovery_sealed_key, old_private, ctx)
        holder.recovery_sealed_key = envelope.seal(private, new.public, ctx)
        count += 1
    db.session.execute(delete(RecoveryKey))
    db.session.add(RecoveryKey(public_key=new.public))
    show(recovery.encode(new.private))
    # The pin moves first, and back if the commit fails: never a database sealed to one key
    # while the pin names another.
    old_public = pinned_recovery_key()
    pin_recovery_key(new.public, replace=True)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        if old_public is not None:
            pin_recovery_key(old_public, replace=True)
        raise
    return count
