"""Retention: closed cases are destroyed after the retention period (crypto-shredding).

Every sealed key, the ciphertext, messages, notes, check-ins and the receipt go with the case
row; what stays is one id-free ArchivedCase row (month, kind, urgency, time to first contact)
so the program's statistics still add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from wellness.cases.models import Case
from wellness.cases.service import exact_created_at
from wellness.extensions import db
from wellness.statistics.models import ArchivedCase
from wellness.statistics.tables import month_of
from wellness.timeutil import as_utc

CLOSED = ("closed", "referred out")


@dataclass(frozen=True)
class RetentionResult:
    cutoff: datetime
    case_ids: list[int]
    dry_run: bool


def purge_closed_cases(now: datetime, days: int, dry_run: bool = False) -> RetentionResult:
    """Destroy cases closed more than ``days`` ago (or, dry run, list them)."""
    cutoff = now - timedelta(days=days)
    due = db.session.scalars(
        select(Case)
        .where(Case.status.in_(CLOSED), Case.closed_at <= cutoff)
        .order_by(Case.id)
        .with_for_update(skip_locked=True)
    ).all()
    ids = [case.id for case in due]
    if dry_run:
        db.session.rollback()
        return RetentionResult(cutoff, ids, True)
    # Delete first and archive what the DELETE returns: a second purge running at the same
    # time deletes (and so archives) nothing twice.
    # ON DELETE CASCADE takes keys, messages, notes, check-ins, events and the receipt.
    gone = (
        db.session.execute(
            delete(Case)
            .where(Case.id.in_(ids), Case.status.in_(CLOSED))
            .returning(
                Case.id, Case.times, Case.created_at, Case.kind, Case.urgency, Case.contacted_at
            )
        ).all()
        if ids
        else []
    )
    for case_id, times, created, kind, urgency, contacted in gone:
        minutes = None
        if contacted is not None:
            exact = exact_created_at(case_id, times, created)
            minutes = (as_utc(contacted) - exact).total_seconds() / 60
        db.session.add(
            ArchivedCase(
                created_month=month_of(created),
                kind=kind,
                urgency=urgency,
                first_contact_minutes=minutes,
            )
        )
    ids = [row[0] for row in gone]
    db.session.commit()
    return RetentionResult(cutoff, ids, False)
