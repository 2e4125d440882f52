"""Who holds a case's data key: sealing it to each holder, the person's private index of their
own cases, unsealing it for a reader (``held``, the check every use of a case starts with), and
sharing it. Moving keys when a person's or the program's keys change is ``cases.rekeying``.

Every seal goes through ``seal_to``, which takes only a ``trust.TrustedKey``: a public key that
passed its check against the instance's signing key or pin (keys/trust.py). Nothing here
decrypts case content; ``cases.service`` does, and logs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from wellness.accounts.models import Role, User
from wellness.cases.models import OPEN_STATUSES, Case, CaseKey, KeyHolder
from wellness.crypto import envelope
from wellness.crypto.context import context
from wellness.crypto.errors import DecryptionError
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.keys import trust
from wellness.transaction import use_case


class NotSharedError(Exception):
    """The case is not shared with this person (or no longer exists): treat as not found."""


class CaseClosedError(Exception):
    """The case is closed: it can be read until it is destroyed, and nothing more is done
    with it (no message, note, contact, acceptance or hand-over)."""


def require_open(case: Case) -> None:
    """CaseClosedError unless the case is open: the server's own check, whatever a page (an
    old tab, a stale form) still offers."""
    if case.status not in OPEN_STATUSES:
        raise CaseClosedError("This case is closed: nothing more can be done with it.")


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
    """The associated data that binds a sealed case key to its case, kind of holder and person."""
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
    """The case's sealed key row for this kind of holder (and account, for ``KeyHolder.USER``),
    or None."""
    same_user = CaseKey.user_id.is_(None) if user_id is None else CaseKey.user_id == user_id
    return db.session.scalar(
        select(CaseKey).where(CaseKey.case_id == case_id, CaseKey.holder == holder, same_user)
    )


# --- the person's private index of their own cases -------------------------------------------


def add_to_index(reader: Reader, case_id: int, role: str, about: str | None = None) -> None:
    """Record in the person's own index that they asked for (or reported) this case; for a
    concern, whom it is about (the index is sealed to them: only they read it)."""
    keys.lock_index(reader.private_key)
    entries = keys.read_index(reader.account, reader.private_key)
    entry = {"case": case_id, "as": role, **({"about": about} if about else {})}
    keys.write_index(reader.account, reader.private_key, [*entries, entry])


def remove_from_index(reader: Reader, case_id: int) -> None:
    """Drop a case from the person's private index (withdrawn, or no longer there)."""
    keys.lock_index(reader.private_key)
    entries = keys.read_index(reader.account, reader.private_key)
    keys.write_index(
        reader.account, reader.private_key, [e for e in entries if e.get("case") != case_id]
    )


def index_entries(reader: Reader) -> list[dict]:
    """The person's own index: each case they asked for or reported, and in what capacity."""
    if reader.user is None:
        return []
    return list(keys.read_index(reader.user, reader.private_key))


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


def held(case_id: int, reader: Reader, kind: str | None = None) -> tuple[Case, bytes]:
    """The case (of ``kind``, if given) and its data key, for someone who holds it; otherwise
    NotSharedError, shown as "not found": a missing or destroyed case, a key row that is not
    theirs, a stale index entry. The one check every use of a case starts with."""
    case = db.session.get(Case, case_id)
    if case is None or case.content is None or (kind is not None and case.kind != kind):
        raise NotSharedError(case_id)
    return case, data_key(case, reader)


def recovery_data_key(case_id: int, recovery_private: bytes) -> bytes:
    """A case's data key opened with the program recovery key (nothing is decrypted or logged)."""
    recovery_row = key_row(case_id, KeyHolder.RECOVERY)
    if recovery_row is None:
        raise NotSharedError(case_id)
    return envelope.open_sealed(
        recovery_row.sealed_key, recovery_private, key_context(case_id, KeyHolder.RECOVERY, None)
    )


# --- sharing and moving -------------------------------------------------------------------------


@use_case
def share_case(case_id: int, reader: Reader, with_user: User, as_role: Role) -> None:
    """Seal the case's data key to one more person (by someone who can open it)."""
    case, key = held(case_id, reader)
    target = trust.case_key(with_user, as_role)
    unshare_case(case_id, with_user)
    seal_to(case, key, KeyHolder.USER, target)


@use_case
def unshare_case(case_id: int, user: User) -> None:
    """Remove one person's sealed key: they can no longer open the case."""
    db.session.execute(
        delete(CaseKey).where(
            CaseKey.case_id == case_id, CaseKey.holder == KeyHolder.USER, CaseKey.user_id == user.id
        )
    )
