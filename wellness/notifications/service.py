"""The one place notifications are sent. Their wording (notifications.wording) names no one and
nothing: no name, topic or content."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update

from wellness.accounts import directory
from wellness.accounts.models import Role
from wellness.extensions import db
from wellness.notifications import mail, push
from wellness.notifications.addresses import email_addresses
from wellness.notifications.models import Notification
from wellness.notifications.wording import MESSAGES
from wellness.timeutil import floor_hour, utcnow
from wellness.transaction import use_case


def notify(user_ids: Iterable[int], kind: str, case_id: int | None = None) -> None:
    """In-app notice and e-mail for each staff user (committed with the caller's transaction)."""
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    staff = sorted(set(user_ids))
    # To the hour: a notice is written when a case is, and when a case was made points at who.
    now = floor_hour(utcnow())
    for user_id in staff:
        db.session.add(Notification(user_id=user_id, kind=kind, case_id=case_id, created_at=now))
    email_users(staff, kind)


def email_users(user_ids: list[int], kind: str) -> None:
    """One e-mail of ``kind`` per entry of ``user_ids`` (a user may appear more than once),
    to those who gave an address: one query for the addresses, one insert for the outbox."""
    addresses = email_addresses(user_ids) if user_ids else {}
    mail.queue_many([addresses[u] for u in user_ids if u in addresses], kind)
    push_users(user_ids)


def push_users(user_ids: list[int]) -> None:
    """A content-free push to every browser ``user_ids`` turned push on in (opt-in)."""
    push.queue_for(list(user_ids))


def operators(*roles: Role) -> list[int]:
    """Ready accounts holding any of ``roles`` (default: admins and coordinators)."""
    return directory.ready_ids(*(roles or (Role.ADMIN, Role.COORDINATOR)))


def alert_operators(kind: str, *roles: Role) -> None:
    """A content-free alert to admins and coordinators (or ``roles``), once until read."""
    waiting = set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == kind, Notification.read_at.is_(None)
            )
        )
    )
    notify([u for u in operators(*roles) if u not in waiting], kind)


def unread(user_id: int, limit: int = 20) -> list[Notification]:
    """The person's unread notifications, newest first (at most ``limit``)."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc())
            .limit(limit)
        )
    )


def unread_count(user_id: int) -> int:
    """How many notifications the person has not read."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


@use_case
def mark_read(user_id: int) -> None:
    """Mark all the person's unread notifications read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
