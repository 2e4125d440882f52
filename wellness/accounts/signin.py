"""Signing in: the password (Argon2id, lockout), the authenticator code (TOTP), and the key
the password unlocks. One answer for every failure, so sign-in says nothing about accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select, update

from wellness.accounts import passwords, totp
from wellness.accounts.models import STAFF_ROLES, AuthenticatorStep, User
from wellness.cases import rekeying
from wellness.crypto import envelope, fields, keypairs
from wellness.crypto.errors import CryptoError, DecryptionError
from wellness.extensions import db
from wellness.keyring import decrypt_field, encrypt_field
from wellness.keys import service as keys
from wellness.keys import trust
from wellness.timeutil import as_utc, utcnow
from wellness.transaction import insert_unless_present, use_case


class AccountError(Exception):
    """Base for account failures; the message is safe to show to the person."""


class InvalidCredentialsError(AccountError):
    pass


class AccountLockedError(AccountError):
    pass


class InvalidTotpError(AccountError):
    pass


class TotpReusedError(InvalidTotpError):
    """The code was right but already used: not counted as a failure."""


# One answer for a wrong password, an unknown username and a locked account, so that sign-in
# says nothing about which accounts exist or are locked.
SIGN_IN_FAILED = (
    "Sign-in failed. Check your username and password. After several failed "
    "tries, wait 15 minutes before trying again."
)


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    lockout: timedelta


def hasher() -> PasswordHasher:
    """The app's Argon2id password hasher, made once from the ARGON2_* settings."""
    return current_app.extensions["wellness_password_hasher"]


def login_policy() -> LoginPolicy:
    """The lockout rule from the settings: how many failures lock an account, and for how long."""
    cfg = current_app.config
    return LoginPolicy(cfg["LOGIN_MAX_FAILURES"], timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"]))


def normalise_username(username: str) -> str:
    """A username as it is stored and looked up: trimmed, lower case."""
    return username.strip().lower()


def find_user(username: str) -> User | None:
    """The account with this username (normalised first), or None."""
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


# A wrong password is a refusal that keeps its count (transaction.use_case).
@use_case(keep=(InvalidCredentialsError,))
def authenticate(username: str, password: str, policy: LoginPolicy) -> User:
    """Check a password; count failures and lock the account after too many."""
    user = find_user(username)
    if user is None or not user.active:
        passwords.verify(hasher(), _dummy_hash(), password)  # same time as a real check
        raise InvalidCredentialsError(SIGN_IN_FAILED)
    good = passwords.verify(hasher(), user.password_hash, password)  # even when locked: timing
    if not trust.account_ok(user):
        # A row this instance never wrote, or whose password, key or authenticator was
        # swapped in the database: never signed in, whatever the password (keys/rows.py).
        trust.report_failure(f"sign-in refused: account {user.id}'s row fails its check")
        raise InvalidCredentialsError(SIGN_IN_FAILED)
    if locked(user):
        raise AccountLockedError(SIGN_IN_FAILED)
    if not good:
        record_failure(user, policy)
        raise InvalidCredentialsError(SIGN_IN_FAILED)
    if user.failed_logins or user.locked_until is not None:  # no write at all when nothing to clear
        user.failed_logins, user.locked_until = 0, None
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    return user


def locked(user: User) -> bool:
    """True while the account is locked out after too many failures."""
    return user.locked_until is not None and as_utc(user.locked_until) > utcnow()


def record_failure(user: User, policy: LoginPolicy) -> None:
    """Count a failed password or code atomically (parallel attempts all count), lock at the
    limit (in the caller's transaction: a refusal that keeps it)."""
    count = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if count >= policy.max_failures:
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_logins=0, locked_until=utcnow() + policy.lockout)
        )
    db.session.refresh(user)


def sign_in(username: str, password: str, policy: LoginPolicy) -> tuple[User, bytes]:
    """Check the password and unlock the person's private key with it, then fold in the index
    entries left while they were away.

    Two transactions, on purpose: the first may write the account row (a failure count
    cleared, a hash or key upgraded), the second the person's own index. Written together,
    the database engine's own row versions (PostgreSQL's xmin) would tie that index, and so
    every request in it, to the account (SECURITY.md)."""
    user, private = _unlock(username, password, policy)
    _claim_inbox(user, private)
    return user, private


@use_case(keep=(InvalidCredentialsError,))
def _unlock(username: str, password: str, policy: LoginPolicy) -> tuple[User, bytes]:
    """The password step. A classical key of an earlier release is replaced by a hybrid one
    here, with everything it opened re-sealed: the password is at hand, and nothing else can
    do it."""
    user = authenticate(username, password, policy)
    try:
        private = keys.unlock(user, password)
    except CryptoError as exc:  # the hash matched but the key did not open: never sign in
        raise InvalidCredentialsError(SIGN_IN_FAILED) from exc
    if not _key_is_theirs(user, private):
        trust.report_failure(f"sign-in refused: account {user.id}'s key is not its endorsed key")
        raise InvalidCredentialsError(SIGN_IN_FAILED)
    if not keypairs.is_hybrid(user.public_key) and not user.must_change_password:
        private = rekeying.replace_keypair(user, private, password, upgrade=True)
    return user, private


@use_case
def _claim_inbox(user: User, private: bytes) -> None:
    """Entries left while they were away, and the case keys some carry, re-sealed to them."""
    rekeying.take_case_keys(user, keys.claim_inbox(user, private))


def _key_is_theirs(user: User, private: bytes) -> bool:
    """The unwrapped private key is the one the account's public key (and, once they chose
    their own password, the server's signature) says it is: a wrapped key swapped in the
    database opens, but is not theirs."""
    try:
        matches = keypairs.public_of(private) == user.public_key
    except CryptoError:
        return False
    signed = user.must_change_password or trust.own_key_ok(user)
    return matches and signed


def _dummy_hash() -> str:
    """A hash of nothing, made once with the app's parameters, for unknown usernames."""
    ext = current_app.extensions
    if "wellness_dummy_hash" not in ext:
        ext["wellness_dummy_hash"] = hasher().hash(secrets.token_hex(16))
    return ext["wellness_dummy_hash"]


def needs_second_factor(user: User) -> bool:
    """True when signing in takes an authenticator code too: every staff account, and anyone
    who enrolled one."""
    return bool(user.roles & STAFF_ROLES) or user.totp_enrolled


# --- the authenticator ----------------------------------------------------------------------


def totp_secret(user: User) -> str | None:
    """The TOTP secret, kept under the server key so a database copy alone cannot clone it."""
    if user.totp_secret is None:
        return None
    return decrypt_field(fields.USER_TOTP, user.id, user.totp_secret).decode()


def set_totp_secret(user: User, secret: str) -> None:
    """Keep a new TOTP secret under the server key (the step last used with the old one no
    longer matters: steps only move forward)."""
    user.totp_secret = encrypt_field(fields.USER_TOTP, user.id, secret.encode())


def _step_handle(private: bytes) -> bytes:
    """Where a person's last step is kept: derived from their private key, like their index."""
    info = b"wellness authenticator step handle v1"
    return HKDF(hashes.SHA256(), 32, salt=None, info=info).derive(private)


def _lock_step(handle: bytes) -> AuthenticatorStep:
    """The step row, made if missing and locked (a row lock on PostgreSQL, the write lock on
    SQLite), so check-and-set is one step: two requests with the same code cannot both pass
    (the step is sealed, so the database cannot compare it)."""
    db.session.execute(insert_unless_present(AuthenticatorStep).values(handle=handle, box=b""))
    db.session.execute(
        update(AuthenticatorStep)
        .where(AuthenticatorStep.handle == handle)
        .values(box=AuthenticatorStep.box)
        .execution_options(synchronize_session=False)
    )
    row = db.session.get(AuthenticatorStep, handle)
    db.session.refresh(row)
    return row


def _last_step(row: AuthenticatorStep | None, user: User, private: bytes) -> int | None:
    if row is None or not row.box:
        return None
    try:
        return int(envelope.open_sealed(row.box, private, fields.TOTP_STATE.context(user.id)))
    except (DecryptionError, ValueError):
        return None  # sealed to a key replaced since (a reset): no step to compare


def _seal_step(user: User, step: int) -> bytes:
    try:
        public = trust.own_key(user).public
    except trust.UntrustedKeyError:
        return b""
    return envelope.seal(str(step).encode(), public, fields.TOTP_STATE.context(user.id))


REUSED = "That code has been used already. Wait for the next code and enter it."


# A wrong code is a refusal that keeps its count (transaction.use_case).
@use_case(keep=(InvalidTotpError,))
def check_totp(user: User, code: str, private: bytes, new_secret: str | None = None) -> None:
    """Accept a TOTP code once; ``new_secret`` is given during enrolment, before it is saved.
    ``private`` is the person's key, unlocked by the password step.

    Wrong codes count toward the same lockout as wrong passwords; a right code used already
    (signing in twice in one 30-second window) is said to be so, and does not count. A right
    code writes the person's step row and never their account row; a wrong one writes the
    account row (the count) and never touches the step row; enrolment saves the secret and
    writes no step. So no transaction ties the step row to the account (SECURITY.md).
    """
    if locked(user):
        raise InvalidTotpError(SIGN_IN_FAILED)
    secret = new_secret or totp_secret(user)
    if secret is None:
        raise InvalidTotpError("No authenticator is set up for this account.")
    handle = _step_handle(private)
    last = (
        None if new_secret else _last_step(db.session.get(AuthenticatorStep, handle), user, private)
    )
    step = totp.matching_step(secret, code, utcnow(), last)
    if step is None:
        if last is not None and totp.matching_step(secret, code, utcnow(), None) is not None:
            raise TotpReusedError(REUSED)
        record_failure(user, login_policy())
        raise InvalidTotpError("That code is not valid. Enter the current 6-digit code.")
    if new_secret:
        set_totp_secret(user, new_secret)
        user.failed_logins = 0
        return
    row = _lock_step(handle)  # and read again under the lock: one use, however many at once
    if totp.matching_step(secret, code, utcnow(), _last_step(row, user, private)) is None:
        raise TotpReusedError(REUSED)
    row.box = _seal_step(user, step)


@use_case
def clear_failures(user: User) -> None:
    """After a right code: the failure count starts again, in a transaction of its own (the
    one that wrote the step row must not write the account row)."""
    if user.failed_logins:
        user.failed_logins = 0
