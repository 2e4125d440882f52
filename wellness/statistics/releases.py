"""Making and reading the program's releases (statistics/release.py says what one is).

The scheduler makes the release of each completed period once, the day after it ends; two
schedulers racing make it once (the period is unique). A release is never recomputed: a late
change to an old month changes nothing already published.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wellness.cases.models import Case
from wellness.cases.service import exact_created_at
from wellness.checkins.models import ANSWERED, MISSED, CheckIn
from wellness.extensions import db
from wellness.statistics import release as rules
from wellness.statistics.models import ArchivedCase, Release
from wellness.timeutil import as_utc
from wellness.transaction import use_case

KEEP = {"month": 12, "quarter": 8}  # how many periods back are shown (and made at first)


@dataclass(frozen=True)
class Period:
    label: str  # "2026-11" or "2026-Q4"
    start: date
    end: date  # the first day after it

    @property
    def months(self) -> list[str]:
        out, year, month = [], self.start.year, self.start.month
        while date(year, month, 1) < self.end:
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        return out


def _kind() -> str:
    kind = current_app.config["RELEASE_PERIOD"]
    return kind if kind in KEEP else "month"


def period_containing(day: date, kind: str) -> Period:
    """The month (or quarter, if ``kind`` says so) that ``day`` falls in."""
    if kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        start = date(day.year, first, 1)
        end = date(day.year + (first == 10), 1 if first == 10 else first + 3, 1)
        return Period(f"{day.year:04d}-Q{(first - 1) // 3 + 1}", start, end)
    start = date(day.year, day.month, 1)
    end = date(day.year + (day.month == 12), 1 if day.month == 12 else day.month + 1, 1)
    return Period(f"{day.year:04d}-{day.month:02d}", start, end)


def completed_periods(today: date, kind: str, count: int) -> list[Period]:
    """The ``count`` periods before the one ``today`` is in, oldest first."""
    periods, current = [], period_containing(today, kind)
    for _ in range(count):
        current = period_containing(date.fromordinal(current.start.toordinal() - 1), kind)
        periods.append(current)
    return periods[::-1]


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def facts_for(period: Period) -> rules.PeriodFacts:
    """The period's cases (live, and destroyed ones' id-free archive rows) and check-ins."""
    start, end = _moment(period.start), _moment(period.end)
    live = db.session.execute(
        select(
            Case.id, Case.times, Case.created_at, Case.kind, Case.urgency, Case.contacted_at
        ).where(Case.created_at >= start, Case.created_at < end)
    ).all()
    kinds, urgencies, minutes = [], [], []
    for case_id, times, created, kind, urgency, contacted in live:
        kinds.append(kind)
        urgencies.append(urgency)
        if contacted is not None:
            exact = exact_created_at(case_id, times, created)
            minutes.append((as_utc(contacted) - exact).total_seconds() / 60)
    for kind, urgency, waited in db.session.execute(
        select(ArchivedCase.kind, ArchivedCase.urgency, ArchivedCase.first_contact_minutes).where(
            ArchivedCase.created_month.in_(period.months)
        )
    ):
        kinds.append(kind)
        urgencies.append(urgency)
        if waited is not None:
            minutes.append(waited)
    per_case: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for case_id, status in db.session.execute(
        select(CheckIn.case_id, CheckIn.status).where(
            CheckIn.status.in_((ANSWERED, MISSED)), CheckIn.sent_at >= start, CheckIn.sent_at < end
        )
    ):
        per_case[case_id][0 if status == ANSWERED else 1] += 1
    return rules.PeriodFacts(kinds, urgencies, minutes, [tuple(v) for v in per_case.values()])


@use_case
@use_case
def make_due(today: date) -> list[str]:
    """Make the release of every completed period that has none yet; returns their labels.
    Each is made once: a second scheduler racing this one finds the period taken. (Its own
    transaction: before, the scheduler's daily pass made them and never committed them.)"""
    kind, made = _kind(), []
    epsilon = float(current_app.config["RELEASE_EPSILON"])
    have = set(db.session.scalars(select(Release.period)))
    for period in completed_periods(today, kind, KEEP[kind]):
        if period.label in have:
            continue
        figures = rules.make(facts_for(period), epsilon)
        try:
            with db.session.begin_nested():
                db.session.add(Release(period=period.label, epsilon=epsilon, figures=figures))
        except IntegrityError:
            continue  # another scheduler made it first: theirs stands
        made.append(period.label)
    return made


def published(today: date) -> list[Release]:
    """The releases of the periods shown, oldest first (missing ones not yet made)."""
    kind = _kind()
    labels = [p.label for p in completed_periods(today, kind, KEEP[kind])]
    rows = {
        r.period: r for r in db.session.scalars(select(Release).where(Release.period.in_(labels)))
    }
    return [rows[label] for label in labels if label in rows]


def yearly_budget(epsilon: float) -> float:
    """What a year of releases can spend on someone who asks in every period."""
    return epsilon * (12 if _kind() == "month" else 4)


def to_csv(releases: list[Release]) -> str:
    """The releases as CSV: the same numbers, and the same "fewer than 5", as every page."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["period", "epsilon", "total", *(f"kind: {k}" for k in rules.KINDS)]
    header += [f"urgency: {u}" for u in rules.URGENCIES]
    header += [f"first contact {b}" for b, _ in rules.CONTACT_BUCKETS]
    header += ["first contact median", "check-ins answered", "check-ins missed"]
    writer.writerow(header)
    for row in releases:
        f = row.figures
        writer.writerow(
            [
                row.period,
                row.epsilon,
                rules.shown(f["total"]),
                *(rules.shown(f["by_kind"][k]) for k in rules.KINDS),
                *(rules.shown(f["by_urgency"][u]) for u in rules.URGENCIES),
                *(rules.shown(f["first_contact"][b]) for b, _ in rules.CONTACT_BUCKETS),
                f["first_contact_median"] or "",
                rules.shown(f["checkins"]["answered"]),
                rules.shown(f["checkins"]["missed"]),
            ]
        )
    return out.getvalue()
