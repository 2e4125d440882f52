"""Who holds a role and is ready to be told something or given work: the one rule for choosing
recipients. Ready: the account is active and its owner has chosen their own password (until
then their key is wrapped under a one-time password an admin saw). For the roles that read
cases, also confirmed by a coordinator (an endorsement, checked in full before any sealing by
``keys.trust``). Coordinators and admins (few, and the ones told of alerts and made leads of
queued cases) are ready only on account and role rows this instance wrote (``keys.rows``);
counselors are checked in full by ``keys.trust`` before anything is sealed to them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select

from wellness.accounts.models import CASE_ROLES, Role, User, UserRole
from wellness.extensions import db
from wellness.keys import rows

CHECKED = frozenset({Role.COORDINATOR, Role.ADMIN})

READY = (User.active.is_(True), User.must_change_password.is_(False))


def _holding(*roles: Role) -> tuple[Any, ...]:
    confirmed = (UserRole.endorsement.is_not(None),) if roles and set(roles) <= CASE_ROLES else ()
    return (UserRole.role.in_(roles), *confirmed, *READY)


def _written_here(user: User, row: UserRole) -> bool:
    return row.role not in CHECKED or (rows.authentic(row) and rows.authentic(user))


def ready(role: Role, *extra: Any) -> list[User]:
    """Ready accounts holding ``role`` (and matching ``extra`` conditions)."""
    found = db.session.execute(
        select(User, UserRole)
        .join(UserRole, UserRole.user_id == User.id)
        .where(*_holding(role), *extra)
    ).all()
    return [user for user, row in found if _written_here(user, row)]


def ready_ids(*roles: Role) -> list[int]:
    """Ids of ready accounts holding any of ``roles``, for notices."""
    found = db.session.execute(
        select(User, UserRole).join(UserRole, UserRole.user_id == User.id).where(*_holding(*roles))
    ).all()
    return sorted({user.id for user, row in found if _written_here(user, row)})


def ready_names(role: Role) -> list[Row[tuple[int, str]]]:
    """(id, display_name) of ready accounts holding ``role``, by name: for choice lists."""
    return list(
        db.session.execute(
            select(User.id, User.display_name)
            .join(UserRole, UserRole.user_id == User.id)
            .where(*_holding(role))
            .order_by(User.display_name)
        ).all()
    )
