"""A counselor's caseload, as their dashboard shows it: new cases (first-contact clocks
running), the ongoing ones, check-ins due today, waiting for an answer, and answered this week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from wellness.cases.models import OPEN_STATUSES, Case
from wellness.checkins.models import ANSWERED, MISSED, SCHEDULED, SENT, CheckIn
from wellness.extensions import db
from wellness.timeutil import as_utc, from_zone, to_zone


@dataclass(frozen=True)
class Caseload:
    new: list[Case]
    ongoing: list[Case]
    today: list[CheckIn]  # scheduled, due by the end of the day
    waiting: list[CheckIn]  # sent or missed: waiting for the officer's answer
    answered: list[CheckIn]  # in the last week


def of(counselor_id: int, now: datetime, zone: str = "UTC") -> Caseload:
    """The open cases assigned to ``counselor_id`` and their check-ins that matter now; "today"
    is the agency's day (``zone``)."""
    mine = list(
        db.session.scalars(
            select(Case)
            .where(Case.assignee_id == counselor_id, Case.status.in_(OPEN_STATUSES))
            .order_by(Case.created_at)
        )
    )
    local = to_zone(now, zone)
    end_of_day = from_zone(
        local.replace(hour=23, minute=59, second=59, microsecond=0, tzinfo=None), zone
    )
    week_ago = now - timedelta(days=7)
    # Every check-in of the open cases just read, by case id only, sorted out here: with any
    # status condition in the query, SQLite's planner walks the status index instead (every
    # answered check-in in the database). An open case has a handful of check-ins.
    listed = [
        ci
        for ci in db.session.scalars(
            select(CheckIn)
            .where(CheckIn.case_id.in_([c.id for c in mine]))
            .order_by(CheckIn.due_at)
        )
        if (ci.status == SCHEDULED and as_utc(ci.due_at) <= end_of_day)
        or ci.status in (SENT, MISSED)
        or (ci.status == ANSWERED and ci.answered_at and as_utc(ci.answered_at) >= week_ago)
    ]
    return Caseload(
        new=[c for c in mine if c.status == "new"],
        ongoing=[c for c in mine if c.status != "new"],
        today=[c for c in listed if c.status == SCHEDULED],
        waiting=[c for c in listed if c.status in (SENT, MISSED)],
        answered=[c for c in listed if c.status == ANSWERED],
    )
