"""Two people for every account that will read cases (SECURITY.md, separation of duties).

An admin proposes a counselor or coordinator role; a coordinator confirms it. A coordinator
also confirms a counselor or coordinator after a reset of their password or authenticator,
before new cases reach them again. Confirming means typing the *safety code* the person reads
out from their own Account page (in person, or by a phone number known to be theirs): the
server compares it with the key the account holds now, so the account is theirs and nobody
else's, and only then endorses their key for the role (keys/trust.py). A proposal carries the
server's signature, so a role_grants row the database alone wrote (or re-pointed at another
account) is refused. Nobody confirms themselves; the first coordinator is confirmed with the
server's own command line.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wellness.accounts.models import CASE_ROLES, CounselorProfile, Role, RoleGrant, User, UserRole
from wellness.accounts.signin import AccountError
from wellness.audit import service as audit
from wellness.crypto import signing
from wellness.extensions import db
from wellness.keyring import signing_key
from wellness.keys import rows, trust
from wellness.notifications import service as notifications
from wellness.timeutil import utcnow
from wellness.transaction import use_case


class GrantError(AccountError):
    """A proposal or confirmation that cannot be made; the message says why."""


@dataclass(frozen=True)
class Waiting:
    """An account a coordinator is asked about: a proposed role, or a confirmation after a reset."""

    user: User
    roles: list[Role]
    grant: RoleGrant | None  # None: a confirmation after a reset

    @property
    def ready(self) -> bool:
        """Only someone who chose their own password can be confirmed (else an admin saw it)."""
        return not self.user.must_change_password and self.user.active


def _log(user: User, actor: User | None, action: str, kind: str = "coordinator") -> None:
    seq = audit.record_account_event(user.id, kind, actor.id if actor else None, action)
    rows.stamp(user, seq)  # the account's rows name it: an older copy no longer passes


def propose(user: User, role: Role, admin: User) -> RoleGrant:
    """An admin proposes ``role`` for ``user`` (in the caller's transaction)."""
    if role not in CASE_ROLES:
        raise GrantError("Only counselor and coordinator roles need a coordinator's confirmation.")
    if user.has_role(Role.ADMIN):
        raise GrantError("An administrator account cannot also be a counselor or coordinator.")
    existing = db.session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.outcome.is_(None)
        )
    )
    if existing is not None:
        return existing
    grant = RoleGrant(user_id=user.id, role=role, proposed_by=admin.id)
    db.session.add(grant)
    db.session.flush()
    grant.signature = signing.sign(signing_key(), _statement(grant))
    _log(user, admin, f"role proposed: {role}", kind="admin")
    notifications.notify(notifications.operators(Role.COORDINATOR), "account_change")
    return grant


def waiting() -> list[Waiting]:
    """What coordinators are asked to confirm: proposed roles, then people after a reset."""
    grants = db.session.scalars(
        select(RoleGrant).where(RoleGrant.outcome.is_(None)).order_by(RoleGrant.proposed_at)
    ).all()
    # Rows the database alone wrote (a proposal, a role row, an account) are not offered for
    # confirmation: ``keys verify`` and the daily key check name them instead.
    out = [
        Waiting(g.user, [g.role], g)
        for g in grants
        if rows.authentic(g) and rows.current(g) and trust.account_ok(g.user)
    ]
    unconfirmed = db.session.scalars(
        select(UserRole)
        .join(User)
        .where(
            UserRole.role.in_(CASE_ROLES),
            UserRole.endorsement.is_(None),
            User.active.is_(True),
        )
    ).all()
    by_user: dict[int, Waiting] = {}
    for row in unconfirmed:
        if not trust.role_row_ok(row.user, row.role):
            continue
        item = by_user.setdefault(row.user_id, Waiting(row.user, [], None))
        item.roles.append(row.role)
    return out + sorted(by_user.values(), key=lambda w: w.user.display_name)


def pending_for(user: User) -> list[RoleGrant]:
    """Proposals for ``user`` still waiting for a coordinator."""
    return list(
        db.session.scalars(
            select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.outcome.is_(None))
        )
    )


def _statement(grant: RoleGrant) -> bytes:
    return signing.grant(grant.id, grant.user_id, grant.role, grant.proposed_by or 0)


def _check_grant(grant: RoleGrant) -> None:
    if not (rows.authentic(grant) and rows.current(grant)) or not signing.verifies(
        signing_key().public_key(), grant.signature, _statement(grant)
    ):
        trust.report_failure(f"role grant {grant.id} does not carry a valid signature")
        raise GrantError(  # a refusal: the alert stays (approve keeps it)
            "This proposal was not made through the admin pages, or was changed in the "
            "database since (it carries no valid signature). It is refused, and IT has been "
            "alerted."
        )


def check_safety_code(user: User, typed: str) -> None:
    """The code the person read out must be the one their account's key gives now."""
    if not trust.safety_code_matches(user, typed):
        raise GrantError(trust.SAFETY_CODE_MISMATCH)


def _check_confirmer(user: User, coordinator: User | None) -> None:
    if not trust.account_ok(user):
        trust.report_failure(f"confirmation refused: account {user.id}'s row fails its check")
        raise GrantError(
            "This account was not made through this site (its record fails its check). It "
            "cannot be confirmed, and IT has been alerted."
        )
    if coordinator is not None:
        if coordinator.id == user.id:
            raise GrantError("Nobody confirms themselves: ask another coordinator.")
        if not trust.endorsed(coordinator, Role.COORDINATOR):
            raise GrantError("Only a confirmed coordinator can confirm someone.")
    if user.has_role(Role.ADMIN):
        raise GrantError("An administrator account cannot also be a counselor or coordinator.")
    if user.must_change_password or not user.active:
        raise GrantError(
            "They have not chosen their own password yet: ask them to sign in first, then "
            "compare the safety code on their Account page."
        )


# A refused proposal keeps the alert a bad signature or a forged row raised; every refusal is
# raised before anything else changes (transaction.use_case).
@use_case(keep=(GrantError,))
def approve(grant: RoleGrant, coordinator: User | None, safety_code: str) -> None:
    """A coordinator (or the server's CLI, ``coordinator`` None) confirms a proposed role,
    having compared the person's safety code."""
    if grant.outcome is not None:
        raise GrantError("This proposal has already been answered.")
    _check_grant(grant)
    user = grant.user
    _check_confirmer(user, coordinator)
    check_safety_code(user, safety_code)
    if grant.role == Role.COUNSELOR and user.counselor is None:
        user.counselor = CounselorProfile()
    trust.endorse(user, grant.role)
    grant.outcome, grant.decided_by, grant.decided_at = (
        "approved",
        coordinator.id if coordinator else None,
        utcnow(),
    )
    _log(user, coordinator, f"role granted: {grant.role}")
    tell_coordinators()


@use_case
def refuse(grant: RoleGrant, coordinator: User) -> None:
    """A coordinator turns a proposed role down."""
    if grant.outcome is not None:
        raise GrantError("This proposal has already been answered.")
    grant.outcome, grant.decided_by, grant.decided_at = "refused", coordinator.id, utcnow()
    _log(grant.user, coordinator, f"role refused: {grant.role}")


@use_case(keep=(GrantError,))
def confirm_person(user: User, coordinator: User | None, safety_code: str) -> None:
    """After a reset (or for the CLI's first coordinator): endorse every case role they hold
    for their current key, once their safety code matches. ``coordinator`` None: the server's
    own command line."""
    roles = sorted(user.roles & CASE_ROLES)
    if not roles:
        raise GrantError("They hold no role that receives cases.")
    _check_confirmer(user, coordinator)
    check_safety_code(user, safety_code)
    for role in roles:
        if not trust.role_row_ok(user, role):
            trust.report_failure(f"confirmation refused: account {user.id}'s {role} row")
            raise GrantError(
                "One of their roles was not given through this site (its record fails its "
                "check). Nothing was confirmed, and IT has been alerted."
            )
    for role in roles:
        trust.endorse(user, role)
    _log(user, coordinator, "person confirmed: " + ", ".join(roles))
    tell_coordinators()


def tell_coordinators() -> None:
    """Every confirmation reaches every coordinator, in the app and by the neutral e-mail: a
    coordinator's account used by someone else cannot add a reader quietly."""
    notifications.notify(notifications.operators(Role.COORDINATOR), "role_confirmed")
