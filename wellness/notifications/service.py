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
}


def notify(user_ids: Iterable[int], kind: str, case_id: int | None = None) -> None:
    """Queue a notification for each user (committed with the caller's transaction)."""
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    for user_id in set(user_ids):
        db.session.add(Notification(user_id=user_id, kind=kind, case_id=case_id))


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
