"""The coordinator's exact working figures, from class-C facts (and the exact creation times,
class B, for time to first contact). They never leave the coordinator: see releases.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from wellness.cases.models import OPEN_STATUSES, Case
from wellness.cases.service import exact_created_at
from wellness.checkins.models import ANSWERED, MISSED, CheckIn
from wellness.extensions import db
from wellness.statistics import tables
from wellness.statistics.models import ArchivedCase
from wellness.timeutil import as_utc


@dataclass(frozen=True)
class Working:
    months: list[str]
    by_kind: tables.Grid
    by_urgency: tables.Grid
    first_contact: tables.FirstContact
    completion: tables.Completion
    open_cases: int


def facts() -> list[tables.CaseFact]:
    """Every case ever made, live or purged by retention, as id-free facts."""
    live = db.session.execute(
        select(Case.id, Case.times, Case.created_at, Case.kind, Case.urgency, Case.contacted_at)
    ).all()
    out = [
        tables.CaseFact(
            as_utc(created), kind, urgency, _minutes(case_id, times, created, contacted)
        )
        for case_id, times, created, kind, urgency, contacted in live
    ]
    archived = db.session.execute(
        select(
            ArchivedCase.created_month,
            ArchivedCase.kind,
            ArchivedCase.urgency,
            ArchivedCase.first_contact_minutes,
        )
    ).all()
    for month, kind, urgency, minutes in archived:
        year, mon = map(int, month.split("-"))
        out.append(tables.CaseFact(as_utc(datetime(year, mon, 15)), kind, urgency, minutes))
    return out


def _minutes(
    case_id: int, times: str | None, created: datetime, contacted: datetime | None
) -> float | None:
    """Minutes to first contact, from the exact creation time (class B)."""
    if contacted is None:
        return None
    return (as_utc(contacted) - exact_created_at(case_id, times, created)).total_seconds() / 60


def working(today: date, months: int = 12) -> Working:
    """The last ``months`` months (the current one included), exact."""
    all_facts = facts()
    labels = tables.months_back(today, months)
    counts = dict(
        db.session.execute(
            select(CheckIn.status, func.count())
            .where(CheckIn.status.in_((ANSWERED, MISSED)))
            .group_by(CheckIn.status)
        ).all()
    )
    open_cases = db.session.scalar(
        select(func.count()).select_from(Case).where(Case.status.in_(OPEN_STATUSES))
    )
    return Working(
        labels,
        tables.by_month(all_facts, labels, "kind", tables.KINDS),
        tables.by_month(all_facts, labels, "urgency", tables.URGENCIES),
        tables.first_contact(all_facts),
        tables.checkin_completion(counts.get(ANSWERED, 0), counts.get(MISSED, 0)),
        open_cases or 0,
    )
