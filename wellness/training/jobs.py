"""The training record's unattended work: publish the day's bulletin and send overdue
reminders. Each is one statement that claims its work (an UPDATE or INSERT that only one
scheduler can win, the database's unique keys deciding), and announces it in the same
transaction: two schedulers never publish two bulletins in a day or remind anyone twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Date, exists, func, literal, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from wellness.accounts.models import User
from wellness.extensions import db
from wellness.notifications import mail
from wellness.notifications.addresses import email_addresses
from wellness.timeutil import to_zone
from wellness.training import emails, rules
from wellness.training.models import (
    Bulletin,
    PolicyAcknowledgment,
    PolicyReminder,
    PolicyVersion,
)
from wellness.transaction import insert_unless_present, use_case


def _members() -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.active.is_(True))))


@use_case
def publish_due(now: datetime) -> int:
    """On a working day, from BULLETIN_HOUR in the agency's zone: the next queued bulletin is
    published (once a day, whatever runs this), and every member is e-mailed its title and link
    (those with an address); the training link shows it as new in the app. Returns 1 or 0."""
    local = to_zone(now, current_app.config["TIMEZONE"])
    if not rules.publication_due(local, int(current_app.config["BULLETIN_HOUR"])):
        return 0
    day = local.date()
    queue, todays = aliased(Bulletin), aliased(Bulletin)
    first = (
        select(queue.id)
        .where(queue.published_on.is_(None))
        .order_by(queue.position, queue.id)
        .limit(1)
        .scalar_subquery()
    )
    try:
        published = db.session.scalar(
            update(Bulletin)
            .where(
                Bulletin.id == first,
                Bulletin.published_on.is_(None),
                ~exists().where(todays.published_on == day),
            )
            .values(published_on=day)
            .returning(Bulletin.id)
            .execution_options(synchronize_session=False)
        )
    except IntegrityError:  # another scheduler published today's at the same moment
        db.session.rollback()
        return 0
    if published is None:
        return 0
    _email(_members(), emails.kind(emails.BULLETIN, published))
    return 1


@use_case
def remind_overdue(now: datetime) -> int:
    """One e-mail to each member who has not acknowledged the current version ACK_DAYS after it
    was published (or after they joined, if later), exactly once: the reminder's row is
    inserted by the same statement that finds them. Returns how many were reminded."""
    days = int(current_app.config["POLICY_ACK_DAYS"])
    day = to_zone(now, current_app.config["TIMEZONE"]).date()
    latest = select(func.max(PolicyVersion.number)).scalar_subquery()
    due = (
        select(User.id, PolicyVersion.id, literal(day, Date()))
        .join(PolicyVersion, true())
        .where(
            PolicyVersion.number == latest,
            PolicyVersion.published_on <= day - timedelta(days=days),
            User.active.is_(True),
            User.created_at <= now - timedelta(days=days),
            ~exists().where(
                PolicyAcknowledgment.user_id == User.id,
                PolicyAcknowledgment.version_id == PolicyVersion.id,
            ),
            ~exists().where(
                PolicyReminder.user_id == User.id, PolicyReminder.version_id == PolicyVersion.id
            ),
        )
    )
    rows = db.session.execute(
        insert_unless_present(PolicyReminder)
        .from_select(["user_id", "version_id", "sent_on"], due)
        .returning(PolicyReminder.user_id, PolicyReminder.version_id)
    ).all()
    if not rows:
        return 0
    number = db.session.scalar(select(PolicyVersion.number).where(PolicyVersion.id == rows[0][1]))
    _email([user_id for user_id, _ in rows], emails.kind(emails.POLICY, number or 0))
    return len(rows)


def _email(user_ids: list[int], kind: str) -> None:
    addresses = email_addresses(user_ids)
    mail.queue_many([addresses[u] for u in sorted(addresses)], kind)
