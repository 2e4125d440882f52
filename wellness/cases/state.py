"""Where a case's life ends: closing it, stopping its check-ins, destroying it. The one place
each is done (a counselor closing, a member declining outreach, a coordinator's cancel, the
officer's withdrawal, retention), in the caller's transaction.

A destroyed case leaves nothing that ties a person or a time to it: deleting its row takes (ON
DELETE CASCADE) every sealed key, the ciphertext, messages, notes, check-ins, timeline events
and the anonymous receipt; the notices about it go too; and its log key, so the access log's
entries about it (which still verify) point at nothing. What stays is one id-free row for the
statistics (month, kind, urgency, minutes to first contact).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, delete, update

from wellness.cases.models import OPEN_STATUSES, Case, CaseEvent
from wellness.cases.service import exact_created_at
from wellness.checkins.models import CANCELLED, SCHEDULED, CheckIn
from wellness.extensions import db
from wellness.notifications.models import Notification
from wellness.statistics.models import ArchivedCase
from wellness.statistics.tables import month_of
from wellness.timeutil import as_utc


def cancel_checkins(case_id: int, checkin_id: int | None = None) -> None:
    """Stop a case's scheduled check-ins (or one of them); who to remind is forgotten at once."""
    only = () if checkin_id is None else (CheckIn.id == checkin_id,)
    db.session.execute(
        update(CheckIn)
        .where(CheckIn.case_id == case_id, CheckIn.status == SCHEDULED, *only)
        .values(status=CANCELLED, notify_token=None)
    )


def close(case: Case, outcome: str, event: str, actor_id: int | None, at: datetime) -> None:
    """Close an open case with a generic outcome: its check-ins stop and the timeline says so.
    ``at`` is the clear close time (the hour, when it is the member's own act)."""
    if case.status not in OPEN_STATUSES:
        raise ValueError(f"case {case.id} is not open")
    case.status = "referred out" if outcome == "referred out" else "closed"
    case.outcome, case.closed_at = outcome, at
    cancel_checkins(case.id)
    db.session.add(CaseEvent(case_id=case.id, at=at, actor_id=actor_id, kind=event))


def destroy(case_ids: Iterable[int], *also: ColumnElement[bool]) -> list[int]:
    """Delete these cases (those still matching ``also``) and archive what the DELETE returned:
    two destroyers at once archive nothing twice. In the caller's transaction."""
    wanted = list(case_ids)
    if not wanted:
        return []
    gone = db.session.execute(
        delete(Case)
        .where(Case.id.in_(wanted), *also)
        .returning(Case.id, Case.times, Case.created_at, Case.kind, Case.urgency, Case.contacted_at)
    ).all()
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
    if ids:
        db.session.execute(delete(Notification).where(Notification.case_id.in_(ids)))
    return ids
