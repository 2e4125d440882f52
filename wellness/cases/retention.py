"""Retention: closed cases are destroyed after the retention period (crypto-shredding).

Destroyed by cases.state.destroy: nothing of the case stays but one id-free ArchivedCase row
(month, kind, urgency, time to first contact) so the program's statistics still add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from wellness.cases import state
from wellness.cases.models import CLOSED_STATUSES, Case
from wellness.extensions import db
from wellness.transaction import use_case


@dataclass(frozen=True)
class RetentionResult:
    cutoff: datetime
    case_ids: list[int]
    dry_run: bool


@use_case
def purge_closed_cases(now: datetime, days: int, dry_run: bool = False) -> RetentionResult:
    """Destroy cases closed more than ``days`` ago (or, dry run, list them)."""
    cutoff = now - timedelta(days=days)
    due = db.session.scalars(
        select(Case)
        .where(Case.status.in_(CLOSED_STATUSES), Case.closed_at <= cutoff)
        .order_by(Case.id)
        .with_for_update(skip_locked=True)
    ).all()
    ids = [case.id for case in due]
    if dry_run:
        db.session.rollback()  # (releases the rows' locks; nothing was changed)
        return RetentionResult(cutoff, ids, True)
    # Delete first and archive what the DELETE returns: a second purge running at the same
    # time deletes (and so archives) nothing twice.
    ids = state.destroy(ids, Case.status.in_(CLOSED_STATUSES))
    return RetentionResult(cutoff, ids, False)
