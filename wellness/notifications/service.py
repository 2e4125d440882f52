"""The one place notifications are sent. Wording is fixed here: no name, topic or content."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update

from wellness.extensions import db
from wellness.notifications.models import Notification
from wellness.timeutil import utcnow

MESSAGES = {
    "new_referral": "A new referral is waiting for you.",
    "crisis": "A crisis referral needs you now.",
    "queue": "A referral is waiting in the coordinator's queue.",
    "crisis_unrouted": "A crisis referral has no on-call counselor. It needs someone now.",
    "message": "There is a new message on one of your cases.",
    "withdrawn": "A referral you were handling has been withdrawn.",
    "reply": "Someone has replied to your referral.",
    "checkin": "You have a check-in waiting.",
    "checkin_answered": "A check-in on one of your cases has been answered.",
    "checkin_missed": "A check-in on one of your cases was not answered.",
    "deadline_missed": "A referral has passed its first-contact deadline.",
    "assigned": "A case has been assigned to you.",
    "declined": "Someone has declined follow-up on one of your cases.",
}


def notify(user_ids: Iterable[int], kind: str, case_id: int | None = None) -> None:
    """In-app notice and e-mail for each staff user (committed with the caller's transaction)."""
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    staff = sorted(set(user_ids))
    for user_id in staff:
        db.session.add(Notification(user_id=user_id, kind=kind, case_id=case_id))
    email_users(staff, kind)


def email_users(user_ids: list[int], kind: str) -> None:
    """One e-mail of ``kind`` per entry of ``user_ids`` (a user may appear more than once),
    to those who gave an address: one query for the addresses, one insert for the outbox."""
    from wellness.accounts.service import email_addresses
    from wellness.notifications import mail

    addresses = email_addresses(user_ids) if user_ids else {}
    mail.queue_many([addresses[u] for u in user_ids if u in addresses], kind)


def unread(user_id: int, limit: int = 20) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc())
            .limit(limit)
        )
    )


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
