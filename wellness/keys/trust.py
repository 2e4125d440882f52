"""Which public keys the app may seal to: only those the database alone cannot forge.

The database is untrusted storage (PRODUCT.md). A public key read from it is used only when:

- the program recovery key matches the fingerprint ``init`` pinned in ``instance/keys``;
- a person's key carries the server's signature over (account, key) — made only when the
  person chose their own password, so never for a key wrapped under a one-time password an
  admin saw;
- a case is sealed to someone *as a counselor or coordinator* only when their role row carries
  the server's endorsement over (account, role, key), made when a coordinator confirmed the
  person (``accounts/grants.py``) — never by an admin alone, never for an admin account;
- and in every case the account row and the role row are ones this instance wrote: their MAC
  (``keys/rows.py``) verifies, so a whole account or role row inserted into the database, or an
  account whose password, wrapped key or authenticator was swapped, is never signed, endorsed,
  sealed to or let in.

A key that fails its check is never sealed to: the caller skips it, a line without content is
logged, and admins and coordinators get a content-free alert. ``flask keys verify`` lists every
failing row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from wellness.accounts.models import CASE_ROLES, Role, User, UserRole
from wellness.crypto import keypairs, signing
from wellness.crypto.errors import CryptoError
from wellness.extensions import db
from wellness.keyring import pinned_recovery_key, signing_key
from wellness.keys import rows
from wellness.keys.models import RecoveryKey
from wellness.notifications import service as notifications

log = logging.getLogger(__name__)


class KeysNotInitialisedError(CryptoError):
    """No recovery key yet: run ``flask --app wellness init``."""


class UntrustedKeyError(CryptoError):
    """A stored public key failed its check (planted or altered): nothing is sealed to it."""


@dataclass(frozen=True)
class TrustedKey:
    """A public key that passed its check, and the account it belongs to (None: recovery)."""

    user_id: int | None
    public: bytes


def recovery_key() -> TrustedKey:
    """The program recovery public key pinned by ``init`` in the instance folder.

    Sealing never takes it from the database; a row there that is not the pinned key (planted,
    or the real one altered) is reported, and changes nothing."""
    pinned = pinned_recovery_key()
    if pinned is None:
        raise KeysNotInitialisedError(
            "the recovery key is not pinned: run 'flask --app wellness init' (new install) or "
            "'flask --app wellness keys adopt' (upgrade)"
        )
    stored = db.session.scalars(select(RecoveryKey.public_key)).all()
    if stored != [pinned]:
        report_failure("the recovery key rows in the database are not the pinned recovery key")
    return TrustedKey(None, pinned)


def account_ok(user: User) -> bool:
    """True when the account row is one this instance wrote (its MAC verifies), in its latest
    state (not an earlier one put back: keys/rows.py)."""
    return rows.authentic(user) and rows.current(user)


def require_account(user: User) -> None:
    """UntrustedKeyError (reported) for an account row this instance did not write: it is never
    signed, endorsed, confirmed or signed in."""
    if not account_ok(user):
        report_failure(f"account {user.id}: its row was not written by this instance")
        raise UntrustedKeyError(f"account {user.id}")


def sign_own_key(user: User) -> None:
    """Sign ``user``'s current public key as theirs (they just chose their own password)."""
    require_account(user)
    user.key_signature = signing.sign(signing_key(), signing.user_key(user.id, user.public_key))


def own_key_ok(user: User) -> bool:
    """True when ``user``'s public key carries a valid server signature as theirs."""
    message = signing.user_key(user.id, user.public_key)
    return account_ok(user) and signing.verifies(
        signing_key().public_key(), user.key_signature, message
    )


def own_key(user: User) -> TrustedKey:
    """``user``'s public key for sealing their own records (index, own case), if it checks."""
    if not own_key_ok(user):
        report_failure(f"the public key of account {user.id} does not carry a valid signature")
        raise UntrustedKeyError(f"account {user.id}")
    return TrustedKey(user.id, user.public_key)


def _role_row(user: User, role: Role) -> UserRole | None:
    return next((row for row in user.role_rows if row.role == role), None)


def role_row_ok(user: User, role: Role) -> bool:
    """True when ``user`` has a ``role`` row this instance wrote, on an account it wrote: a
    role row inserted into the database gives nothing, not even an officer's pages."""
    row = _role_row(user, role)
    return row is not None and rows.authentic(row) and rows.current(row) and account_ok(user)


def endorse(user: User, role: Role) -> None:
    """Endorse ``user``'s current key for ``role`` (a coordinator confirmed the person)."""
    if role not in CASE_ROLES:
        raise ValueError(f"{role} is not a role that receives cases")
    if user.has_role(Role.ADMIN):
        raise UntrustedKeyError("an administrator account never receives cases")
    require_account(user)
    row = _role_row(user, role)
    if row is not None and not (rows.authentic(row) and rows.current(row)):
        report_failure(f"account {user.id}: its {role} row was not written by this instance")
        raise UntrustedKeyError(f"account {user.id}")
    if row is None:
        row = UserRole(role=role)
        user.role_rows.append(row)
    row.endorsement = signing.sign(signing_key(), signing.role(user.id, role, user.public_key))


def withdraw_endorsements(user: User) -> None:
    """After a reset: the account receives no new cases until someone confirms the person."""
    for row in user.role_rows:
        row.endorsement = None


def endorsed(user: User, role: Role) -> bool:
    """True when ``user`` may be sealed cases as ``role`` (own key and endorsement valid)."""
    row = _role_row(user, role)
    if row is None or row.endorsement is None or user.has_role(Role.ADMIN):
        return False
    if not rows.authentic(row) or not rows.current(row):
        return False
    message = signing.role(user.id, role, user.public_key)
    return own_key_ok(user) and signing.verifies(
        signing_key().public_key(), row.endorsement, message
    )


def case_key(user: User, role: Role) -> TrustedKey:
    """``user``'s key for sealing a case to them as ``role``; UntrustedKeyError otherwise.

    An empty endorsement means "waiting for confirmation" (not an attack); one that does not
    verify is reported."""
    row = _role_row(user, role)
    if row is not None and not role_row_ok(user, role):
        report_failure(f"account {user.id}: its {role} row was not written by this instance")
        raise UntrustedKeyError(f"account {user.id}")
    if row is None or row.endorsement is None:
        raise UntrustedKeyError(f"account {user.id} is not confirmed as {role}")
    if not endorsed(user, role):
        report_failure(f"account {user.id}: its key or {role} endorsement does not verify")
        raise UntrustedKeyError(f"account {user.id}")
    return TrustedKey(user.id, user.public_key)


def safety_code_matches(user: User, typed: str | None) -> bool:
    """Is ``typed`` (read out by the person from their Account page) their key's safety code?
    Confirming a person on this is what ties an account to the human behind it."""

    def clean(text: str) -> str:
        return "".join(text.split()).upper()

    return bool(typed) and clean(typed or "") == clean(keypairs.safety_code(user.public_key))


SAFETY_CODE_MISMATCH = (
    "That safety code does not match this account's key. Ask them to read it again from their "
    "Account page; if it still differs, this may not be their account."
)


def report_failure(what: str) -> None:
    """Log (no content: ids and what failed) and alert admins and coordinators, content-free."""
    log.error("key check failed: %s", what)
    notifications.alert_operators("key_alert")
