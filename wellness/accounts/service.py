"""Account operations: one function per thing a person does. Owns the transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from wellness.accounts import passwords, totp
from wellness.accounts.models import (
    STAFF_ROLES,
    CounselorProfile,
    LoginSession,
    Role,
    User,
    UserRole,
)
from wellness.crypto import keypairs
from wellness.crypto.context import context
from wellness.crypto.errors import CryptoError, DecryptionError
from wellness.extensions import db
from wellness.keyring import decrypt_field, encrypt_field
from wellness.keys import service as keys
from wellness.timeutil import as_utc, utcnow

PENDING_LOGIN_SECONDS = 300


class AccountError(Exception):
    """Base for account failures; the message is safe to show to the person."""


class InvalidCredentialsError(AccountError):
    pass


class AccountLockedError(AccountError):
    pass


class InvalidTotpError(AccountError):
    pass


class UsernameTakenError(AccountError):
    pass


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    lockout: timedelta


def hasher() -> PasswordHasher:
    return current_app.extensions["wellness_password_hasher"]


def login_policy() -> LoginPolicy:
    cfg = current_app.config
    return LoginPolicy(cfg["LOGIN_MAX_FAILURES"], timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"]))


def normalise_username(username: str) -> str:
    return username.strip().lower()


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


def create_user(
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[Role],
    unit_id: int | None = None,
    must_change_password: bool = False,
) -> User:
    """Create an account; raises UsernameTakenError or passwords.WeakPasswordError."""
    username = normalise_username(username)
    passwords.check_strength(password, username)
    if find_user(username) is not None:
        raise UsernameTakenError("That username is already in use.")
    user = User(
        username=username,
        display_name=display_name.strip(),
        unit_id=unit_id,
        password_hash=hasher().hash(password),
        must_change_password=must_change_password,
        role_rows=[UserRole(role=Role(r)) for r in set(roles)],
    )
    if user.has_role(Role.COUNSELOR):
        user.counselor = CounselorProfile()
    keys.give_new_keypair(user, password)
    db.session.add(user)
    db.session.commit()
    return user


# One answer for a wrong password, an unknown username and a locked account, so that sign-in
# says nothing about which accounts exist or are locked.
SIGN_IN_FAILED = (
    "Sign-in failed. Check your username and password. After several failed "
    "tries, wait 15 minutes before trying again."
)


def authenticate(username: str, password: str, policy: LoginPolicy) -> User:
    """Check a password; count failures and lock the account after too many."""
    user = find_user(username)
    if user is None or not user.active:
        passwords.verify(hasher(), _DUMMY_HASH.get(), password)  # same time as a real check
        raise InvalidCredentialsError(SIGN_IN_FAILED)
    good = passwords.verify(hasher(), user.password_hash, password)  # even when locked: timing
    if _locked(user):
        raise AccountLockedError(SIGN_IN_FAILED)
    if not good:
        record_failure(user, policy)
        raise InvalidCredentialsError(SIGN_IN_FAILED)
    user.failed_logins = 0
    user.locked_until = None
    if hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hasher().hash(password)
    db.session.commit()
    return user


def _locked(user: User) -> bool:
    return user.locked_until is not None and as_utc(user.locked_until) > utcnow()


def record_failure(user: User, policy: LoginPolicy) -> None:
    """Count a failed password or code atomically (parallel attempts all count), lock at the
    limit."""
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
    db.session.commit()
    db.session.refresh(user)


def unlock(user: User, password: str) -> bytes:
    """The person's private key, with their password."""
    return keys.unlock(user, password)


def sign_in(username: str, password: str, policy: LoginPolicy) -> tuple[User, bytes]:
    """Check the password and unlock the person's private key with it."""
    user = authenticate(username, password, policy)
    try:
        private = keys.unlock(user, password)
    except CryptoError as exc:  # the hash matched but the key did not open: never sign in
        raise InvalidCredentialsError("Wrong username or password.") from exc
    if keys.claim_inbox(user, private):  # entries left while they were away (incident, restore)
        db.session.commit()
    return user, private


class _DummyHash:
    """A hash of nothing, made lazily with the app's parameters, for unknown usernames."""

    def get(self) -> str:
        ext = current_app.extensions
        if "wellness_dummy_hash" not in ext:
            ext["wellness_dummy_hash"] = hasher().hash(secrets.token_hex(16))
        return ext["wellness_dummy_hash"]


_DUMMY_HASH = _DummyHash()


def needs_second_factor(user: User) -> bool:
    return bool(user.roles & STAFF_ROLES) or user.totp_enrolled


def check_totp(user: User, code: str, new_secret: str | None = None) -> None:
    """Accept a TOTP code once; ``new_secret`` is given during enrolment, before it is saved.

    Wrong codes count toward the same lockout as wrong passwords.
    """
    if _locked(user):
        raise InvalidTotpError(SIGN_IN_FAILED)
    secret = new_secret or totp_secret(user)
    if secret is None:
        raise InvalidTotpError("No authenticator is set up for this account.")
    step = totp.matching_step(secret, code, utcnow(), user.totp_last_step)
    if step is None:
        record_failure(user, login_policy())
        raise InvalidTotpError("That code is not valid. Enter the current 6-digit code.")
    # Conditional, so two requests racing with the same code cannot both pass.
    taken = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        db.session.rollback()
        raise InvalidTotpError("That code has been used. Wait for the next one.")
    if new_secret:
        set_totp_secret(user, new_secret)
    user.totp_last_step = step
    user.failed_logins = 0
    db.session.commit()


def totp_context(user: User) -> bytes:
    return context("users", user.id, "totp_secret")


def totp_secret(user: User) -> str | None:
    """The TOTP secret, kept under the server key so a database copy alone cannot clone it."""
    if user.totp_secret is None:
        return None
    return decrypt_field(user.totp_secret, totp_context(user)).decode()


def email_address(user: User) -> str | None:
    """Where to send notices (class B: the scheduler needs it with no one signed in)."""
    if not user.email_token:
        return None
    return decrypt_field(user.email_token, context("users", user.id, "email")).decode()


def email_addresses(user_ids: Iterable[int]) -> dict[int, str]:
    """Addresses of those of ``user_ids`` who gave one, in one query (for batches of notices)."""
    rows = db.session.execute(
        select(User.id, User.email_token).where(
            User.id.in_(set(user_ids)), User.email_token.is_not(None)
        )
    ).all()
    return {
        row.id: decrypt_field(row.email_token, context("users", row.id, "email")).decode()
        for row in rows
    }


def set_email_address(user: User, address: str | None) -> None:
    user.email_token = (
        encrypt_field(address.encode(), context("users", user.id, "email")) if address else None
    )


def set_totp_secret(user: User, secret: str) -> None:
    user.totp_secret = encrypt_field(secret.encode(), totp_context(user))
    user.totp_last_step = None


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one. The private key is re-wrapped; a
    first password (after a one-time one) gets a fresh keypair instead."""
    if not passwords.verify(hasher(), user.password_hash, current):
        raise InvalidCredentialsError("Your current password is not right.")
    passwords.check_strength(new, user.username)
    private = keys.unlock(user, current)
    if user.must_change_password:
        from wellness.cases.service import rekey_account  # cases import accounts: import late

        rekey_account(user, private, new)
    else:
        keys.rewrap(user, private, new)
    user.password_hash = hasher().hash(new)
    user.must_change_password = False
    # Every other session of theirs ends: a stolen one must not outlive the change.
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.commit()


def reset_password(user: User) -> str:
    """Admin reset: a one-time password and a new keypair; every session ended.

    The old keypair is retired; what was shared with it opens again only after a coordinator
    restores access with the program recovery code.
    """
    temporary = passwords.temporary_password()
    keys.replace_after_reset(user, temporary)
    user.password_hash = hasher().hash(temporary)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.commit()
    return temporary


def reset_second_factor(user: User) -> None:
    """Admin reset of a lost authenticator: the person enrols again at next sign-in."""
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.commit()


def update_user(
    user: User, display_name: str, unit_id: int | None, roles: Iterable[Role], active: bool
) -> None:
    """Admin edit of an account; the last active admin cannot be demoted or switched off."""
    wanted = {Role(r) for r in roles}
    losing_admin = (
        Role.ADMIN in user.roles and user.active and (Role.ADMIN not in wanted or not active)
    )
    if losing_admin and _count_active_admins() <= 1:
        raise AccountError("This is the last active admin; make someone else admin first.")
    user.display_name = display_name.strip()
    user.unit_id = unit_id
    user.active = active
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    user.role_rows.extend(UserRole(role=r) for r in wanted - user.roles)
    if Role.COUNSELOR in wanted and user.counselor is None:
        user.counselor = CounselorProfile()
    if not active:
        db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.commit()


def save_counselor_profile(user: User, **fields: object) -> None:
    """Set supporter type, specialties, languages, availability, on-call and caseload cap."""
    profile = user.counselor or CounselorProfile(user=user)
    for name, value in fields.items():
        if not hasattr(CounselorProfile, name):
            raise AttributeError(name)
        setattr(profile, name, value)
    db.session.add(profile)
    db.session.commit()


def _count_active_admins() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(UserRole)
            .join(User)
            .where(UserRole.role == Role.ADMIN, User.active.is_(True))
        )
        or 0
    )


# --- server-side sessions -------------------------------------------------------------------


def idle_timeout(user: User) -> timedelta:
    cfg = current_app.config
    minutes = cfg["IDLE_TIMEOUT_STAFF_MINUTES"] if user.is_staff else cfg["IDLE_TIMEOUT_MINUTES"]
    return timedelta(minutes=minutes)


def start_session(user: User, private: bytes, verified: bool) -> tuple[str, bytes]:
    """Open a server-side session holding the private key wrapped under a fresh session key.

    The session key goes only to the browser (in the signed cookie), the wrapped key only to
    the database: neither a database copy nor a stolen cookie alone opens the private key.
    """
    purge_stale_sessions()
    sid = secrets.token_urlsafe(32)
    session_key = secrets.token_bytes(32)
    wrapped = keypairs.wrap_private(private, session_key, _session_ctx(sid))
    db.session.add(
        LoginSession(id=sid, user_id=user.id, verified=verified, wrapped_private_key=wrapped)
    )
    db.session.commit()
    return sid, session_key


def purge_stale_sessions() -> int:
    """Drop abandoned sign-ins and idle sessions, so no wrapped key outlives its use."""
    cfg, now = current_app.config, utcnow()
    longest_idle = max(cfg["IDLE_TIMEOUT_STAFF_MINUTES"], cfg["IDLE_TIMEOUT_MINUTES"])
    abandoned = db.session.execute(
        delete(LoginSession).where(
            LoginSession.verified.is_(False),
            LoginSession.created_at < now - timedelta(seconds=PENDING_LOGIN_SECONDS),
        )
    ).rowcount
    idle = db.session.execute(
        delete(LoginSession).where(
            LoginSession.last_seen_at < now - timedelta(minutes=longest_idle)
        )
    ).rowcount
    return abandoned + idle


def _session_ctx(sid: str) -> bytes:
    return context("login_sessions", sid, "private_key")


def pending_user(sid: str, user_id: int) -> User | None:
    """The user of a session still waiting for its second factor, if it is fresh."""
    row = db.session.get(LoginSession, sid)
    if row is None or row.verified or row.user_id != user_id:
        return None
    if utcnow() - as_utc(row.created_at) > timedelta(seconds=PENDING_LOGIN_SECONDS):
        end_session(sid)
        return None
    return row.user


def mark_verified(sid: str) -> None:
    row = db.session.get(LoginSession, sid)
    if row is not None:
        row.verified = True
        row.last_seen_at = utcnow()
        db.session.commit()


def resume_session(sid: str, user_id: int) -> User | None:
    """The user of a live session, refreshing its idle clock; None if ended or idle too long."""
    row = db.session.get(LoginSession, sid)
    if row is None or not row.verified or row.user_id != user_id or not row.user.active:
        return None
    now = utcnow()
    if now - as_utc(row.last_seen_at) > idle_timeout(row.user):
        end_session(sid)
        return None
    if now - as_utc(row.last_seen_at) > timedelta(seconds=30):  # spare a write per request
        row.last_seen_at = now
        db.session.commit()
    return row.user


def session_private_key(sid: str, session_key: bytes) -> bytes:
    """The signed-in person's private key for this request; DecryptionError if it cannot open."""
    row = db.session.get(LoginSession, sid)
    if row is None:
        raise DecryptionError("session has ended")
    return keypairs.unwrap_private(row.wrapped_private_key, session_key, _session_ctx(sid))


def end_session(sid: str) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.id == sid))
    db.session.commit()
