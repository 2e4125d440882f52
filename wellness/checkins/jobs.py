"""The unattended work: dispatch due check-ins, mark missed ones, escalate missed deadlines.

Each job is one transaction (``transaction.use_case``), except dispatching, which commits
each batch it claims. Each job claims rows with one UPDATE ... RETURNING (with FOR UPDATE SKIP
LOCKED on PostgreSQL), and commits what it announces in the same transaction: two schedulers
never take the same row, and a crash loses nothing (the claim rolls back) and repeats nothing.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from wellness.accounts import directory
from wellness.accounts.models import Role
from wellness.cases.leads import hearers_of
from wellness.cases.models import Case, CaseEvent
from wellness.cases.service import exact_created_at
from wellness.checkins.models import MISSED, SCHEDULED, SENT, CheckIn
from wellness.crypto import fields
from wellness.extensions import db
from wellness.keyring import decrypt_field
from wellness.main import held, once
from wellness.notifications import service as notifications
from wellness.transaction import use_case


def dispatch_due_checkins(now: datetime, batch: int = 500) -> int:
    """Send every check-in due by ``now``; returns how many were sent."""
    pause = float(current_app.config.get("DISPATCH_PAUSE_SECONDS", 0))  # tests of crashes only
    total = 0
    while True:
        due = dict(
            db.session.execute(
                select(CheckIn.id, CheckIn.notify_token)
                .where(CheckIn.status == SCHEDULED, CheckIn.due_at <= now)
                .order_by(CheckIn.due_at, CheckIn.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            ).all()
        )
        # The status test makes the claim atomic where rows cannot be locked (SQLite): a row
        # another dispatcher took in between is simply not returned here.
        claimed = (
            db.session.execute(
                update(CheckIn)
                .where(CheckIn.id.in_(due), CheckIn.status == SCHEDULED)
                # the reminder goes now; who it went to need not be kept
                .values(status=SENT, sent_at=now, notify_token=None)
                .returning(CheckIn.id)
                .execution_options(synchronize_session=False)
            )
            .scalars()
            .all()
        )
        # Named officers get an e-mail that says only that a check-in is waiting: one per
        # check-in, queued for the whole batch at once.
        officers = [
            int(decrypt_field(fields.CHECKIN_NOTIFY, checkin_id, due[checkin_id]))
            for checkin_id in claimed
            if due[checkin_id]
        ]
        notifications.email_users(officers, "checkin")
        db.session.commit()
        if not claimed:
            return total
        total += len(claimed)
        if pause:
            time.sleep(pause)


@use_case
def mark_missed_checkins(now: datetime) -> int:
    """Check-ins sent long enough ago without an answer become missed; counselors are told."""
    cutoff = now - timedelta(hours=int(current_app.config["CHECKIN_MISSED_HOURS"]))
    stale = (
        select(CheckIn.id)
        .where(CheckIn.status == SENT, CheckIn.sent_at <= cutoff)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    case_ids = (
        db.session.execute(
            update(CheckIn)
            .where(CheckIn.id.in_(stale))
            .values(status=MISSED)
            .returning(CheckIn.case_id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    for case_id, assignee in _assignees(case_ids):
        notifications.notify([assignee], "checkin_missed", case_id)
    return len(case_ids)


@use_case
def escalate_first_contact(now: datetime) -> int:
    """Cases past their first-contact deadline go to the coordinator's attention, once."""
    minutes = current_app.config["FIRST_CONTACT_MINUTES"]
    escalated: list[int] = []
    for urgency in {"crisis", "soon", "routine"} | set(minutes):
        deadline = now - timedelta(minutes=int(minutes.get(urgency, minutes["routine"])))
        # The clear time is the hour's start (never later than the exact one): it picks the
        # candidates, and the exact time (class B) decides.
        candidates = db.session.execute(
            select(Case.id, Case.times, Case.created_at)
            .where(
                Case.urgency == urgency,
                Case.status == "new",
                Case.contacted_at.is_(None),
                Case.escalated_at.is_(None),
                Case.created_at <= deadline,
            )
            .with_for_update(skip_locked=True)
        ).all()
        late = [row.id for row in candidates if exact_created_at(*row) <= deadline]
        escalated += (
            db.session.execute(
                update(Case)
                .where(Case.id.in_(late), Case.escalated_at.is_(None))
                .values(escalated_at=now)
                .returning(Case.id)
                .execution_options(synchronize_session=False)
            )
            .scalars()
            .all()
        )
    coordinators = directory.ready_ids(Role.COORDINATOR)
    for case_id in escalated:
        db.session.add(CaseEvent(case_id=case_id, at=now, kind="first contact overdue"))
        # Only the coordinators clear of the case's conflicts (an anonymous request's: all
        # alike). None clear (the queue shows it to all), or a case from before that was kept:
        # every coordinator.
        hear = hearers_of(db.session.get(Case, case_id))
        notifications.notify(
            [c for c in coordinators if not hear or c in hear], "deadline_missed", case_id
        )
    return len(escalated)


def _assignees(case_ids: list[int]) -> list[tuple[int, int]]:
    if not case_ids:
        return []
    return db.session.execute(
        select(Case.id, Case.assignee_id).where(
            Case.id.in_(set(case_ids)), Case.assignee_id.is_not(None)
        )
    ).all()


@use_case
def purge_held() -> int:
    """Drop held pages and drafts never taken, and form tokens older than a day."""
    return held.purge() + once.purge()
