"""People and their accounts: create, edit, change or reset a password or authenticator.

Separation of duties (SECURITY.md): an admin account never holds a role that reads cases;
giving someone such a role takes an admin's proposal and a coordinator's confirmation
(``accounts.grants``); a reset of a counselor's or coordinator's password or authenticator
stops new cases reaching them until a coordinator confirms the person again. Every role change
and reset is written to the access log and told to the person and the coordinators.

Signing in is ``accounts.signin``; sessions are ``accounts.sessions``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from wellness import characters
from wellness.accounts import grants, passwords, sessions
from wellness.accounts.models import CASE_ROLES, CounselorProfile, Role, User, UserRole
from wellness.accounts.signin import (
    AccountError,
    InvalidCredentialsError,
    InvalidTotpError,
    LoginPolicy,
    TotpReusedError,
    find_user,
    hasher,
    login_policy,
    normalise_username,
    set_totp_secret,
    totp_secret,
)
from wellness.audit import service as audit
from wellness.cases import rekeying
from wellness.extensions import db
from wellness.keys import rows, trust
from wellness.keys import service as keys
from wellness.notifications import mail
from wellness.notifications import service as notifications
from wellness.notifications.addresses import email_address, email_addresses, set_email_address
from wellness.transaction import use_case

__all__ = [
    "AccountError",
    "InvalidCredentialsError",
    "InvalidTotpError",
    "LoginPolicy",
    "TotpReusedError",
    "email_address",
    "email_addresses",
    "find_user",
    "login_policy",
    "normalise_username",
    "set_totp_secret",
    "totp_secret",
]

SEPARATION = (
    "An administrator account cannot also be a counselor or coordinator: IT must never be "
    "able to read cases. Use a separate account."
)


class UsernameTakenError(AccountError):
    pass


def check_text(*values: str) -> None:
    """AccountError for a name with a character that may not be stored (``wellness.characters``),
    whichever way it came: a form, the command line, the demo."""
    if any(characters.refused(value) for value in values):
        raise AccountError(characters.MESSAGE)


def check_separation(roles: Iterable[Role]) -> None:
    """AccountError if ``roles`` would make an admin a counselor or coordinator too: IT never
    reads cases."""
    roles = set(roles)
    if Role.ADMIN in roles and roles & CASE_ROLES:
        raise AccountError(SEPARATION)


@use_case
def create_user(
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[Role],
    unit_id: int | None = None,
    must_change_password: bool = False,
) -> User:
    """Create an account; raises UsernameTakenError, AccountError or WeakPasswordError.

    Called by the server's own tools (CLI, demo) and, without case roles, by the admin pages.
    A one-time password (``must_change_password``) leaves the key unsigned and case roles
    unconfirmed until the person chooses their own password and a coordinator confirms them.
    """
    return new_user(username, display_name, password, roles, unit_id, must_change_password)


def new_user(
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[Role],
    unit_id: int | None,
    must_change_password: bool,
) -> User:
    """The account, its keys and (for the server's own tools) confirmed roles, uncommitted."""
    check_text(username, display_name)
    username = normalise_username(username)
    roles = {Role(r) for r in roles}
    check_separation(roles)
    passwords.check_strength(password, username)
    if find_user(username) is not None:
        raise UsernameTakenError("That username is already in use.")
    user = User(
        username=username,
        display_name=display_name.strip(),
        unit_id=unit_id,
        password_hash=hasher().hash(password),
        must_change_password=must_change_password,
        role_rows=[UserRole(role=r) for r in roles],
    )
    if user.has_role(Role.COUNSELOR):
        user.counselor = CounselorProfile()
    keys.give_new_keypair(user, password, own_password=not must_change_password)
    if not must_change_password:  # the server's own tools vouch for the person
        for role in roles & CASE_ROLES:
            trust.endorse(user, role)
    return user


@use_case
def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one. The private key is re-wrapped; a
    first password (after a one-time one) gets a fresh keypair instead."""
    if not passwords.verify(hasher(), user.password_hash, current):
        raise InvalidCredentialsError("Your current password is not right.")
    passwords.check_strength(new, user.username)
    private = keys.unlock(user, current)
    if user.must_change_password:
        rekeying.replace_keypair(user, private, new)
    else:
        keys.rewrap(user, private, new)
    user.password_hash = hasher().hash(new)
    user.must_change_password = False
    sessions.end_all_sessions(user)  # a stolen session must not outlive the change


def log_account_event(user: User, actor: User | None, action: str) -> None:
    """An account event in the access log (no case; the admin, or the server's CLI); the
    account's rows then name it (an older copy of them no longer passes)."""
    seq = audit.record_account_event(user.id, "admin", actor.id if actor else None, action)
    rows.stamp(user, seq)


def _tell(user: User, kind: str, actor: User | None, action: str) -> None:
    """Log an account event, tell the person, and tell coordinators if it concerns a case role."""
    log_account_event(user, actor, action)
    notifications.notify([user.id], kind)
    if user.roles & CASE_ROLES:
        notifications.notify(notifications.operators(Role.COORDINATOR), "account_change")


@use_case
def reset_password(user: User, actor: User | None = None) -> str:
    """Admin reset: a one-time password and a new keypair; every session ended.

    The old keypair is retired; what was shared with it opens again only after a coordinator
    restores access with the program recovery code. A counselor or coordinator receives no new
    cases until a coordinator confirms the person.
    """
    temporary = passwords.temporary_password()
    keys.replace_after_reset(user, temporary)
    trust.withdraw_endorsements(user)
    user.password_hash = hasher().hash(temporary)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    sessions.end_all_sessions(user)
    _tell(user, "password_reset", actor, "password reset")
    return temporary


@use_case
def reset_second_factor(user: User, actor: User | None = None) -> None:
    """Admin reset of a lost authenticator: the person enrols again at next sign-in. A
    counselor or coordinator is not sent cases until a coordinator confirms the person."""
    user.totp_secret = None
    trust.withdraw_endorsements(user)
    sessions.end_all_sessions(user)
    _tell(user, "authenticator_reset", actor, "authenticator reset")


@use_case
def update_user(
    user: User,
    display_name: str,
    unit_id: int | None,
    roles: Iterable[Role],
    active: bool,
    actor: User | None = None,
) -> list[Role]:
    """Edit an account. Returns the case roles asked for but not given.

    With ``actor`` (an admin, from the admin pages) a case role the person lacks is only
    proposed, for a coordinator to confirm (``accounts.grants``); from the server's CLI
    (no actor) it is given, and confirmed if the person has their own password. Removing a
    role needs no second person. The last active admin cannot be demoted or switched off.
    """
    check_text(display_name)
    wanted = {Role(r) for r in roles}
    check_separation(wanted)
    losing_admin = (
        Role.ADMIN in user.roles and user.active and (Role.ADMIN not in wanted or not active)
    )
    if losing_admin and _count_active_admins() <= 1:
        raise AccountError("This is the last active admin; make someone else admin first.")
    new_case_roles = sorted((wanted - user.roles) & CASE_ROLES)
    if actor is not None:
        wanted -= set(new_case_roles)
    removed = user.roles - wanted
    if user.roles & CASE_ROLES and unit_id != user.unit_id:  # shapes routing: told
        log_account_event(user, actor, "unit changed")
    if active != user.active:  # logged for everyone: an older copy cannot re-enable anyone
        log_account_event(user, actor, "account enabled" if active else "account disabled")
    user.display_name, user.unit_id, user.active = display_name.strip(), unit_id, active
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    user.role_rows.extend(UserRole(role=r) for r in wanted - user.roles)
    if Role.COUNSELOR in wanted and user.counselor is None:
        user.counselor = CounselorProfile()
    for role in sorted(removed):
        log_account_event(user, actor, f"role removed: {role}")
    if actor is None:
        granted = new_case_roles if not user.must_change_password else []
        for role in granted:
            trust.endorse(user, role)
            log_account_event(user, actor, f"role granted: {role}")
        if granted:
            grants.tell_coordinators()
    else:
        for role in new_case_roles:
            grants.propose(user, role, actor)
    if not active:
        sessions.end_all_sessions(user)
    return new_case_roles if actor is not None else []


@use_case
def set_notice_address(user: User, address: str | None) -> None:
    """Change where notices go; the old address is told, so a quiet redirection shows."""
    old = set_email_address(user, address)
    if old:
        mail.queue(old, "email_changed")


@use_case
def save_counselor_profile(user: User, **fields: object) -> None:
    """Set supporter type, specialties, languages, availability, on-call and caseload cap."""
    profile = user.counselor or CounselorProfile(user=user)
    for name, value in fields.items():
        if not hasattr(CounselorProfile, name):
            raise AttributeError(name)
        setattr(profile, name, value)
    db.session.add(profile)


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
