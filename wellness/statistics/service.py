"""Program statistics from the database: only class C facts, aggregated and suppressed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from wellness.cases.models import OPEN_STATUSES, Case
from wellness.cases.service import exact_created_at
from wellness.checkins.models import ANSWERED, MISSED, CheckIn
from wellness.extensions import db
from wellness.statistics import tables
from wellness.statistics.models import ArchivedCase
from wellness.statistics.suppression import Table
from wellness.timeutil import as_utc


@dataclass(frozen=True)
class Report:
    months: list[str]
    by_kind: Table
    by_urgency: Table
    first_contact: tables.FirstContact
    completion: tables.Completion
    open_cases: int | None


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
        out.append(tables.CaseFact(as_utc(_mid(year, mon)), kind, urgency, minutes))
    return out


def _minutes(
    case_id: int, times: str | None, created: datetime, contacted: datetime | None
) -> float | None:
    """Minutes to first contact, from the exact creation time (class B)."""
    if contacted is None:
        return None
    return (as_utc(contacted) - exact_created_at(case_id, times, created)).total_seconds() / 60


def _mid(year: int, month: int) -> datetime:
    return datetime(year, month, 15)


def report(today: date, months: int = 12, completed_only: bool = False) -> Report:
    """The program's figures. ``completed_only`` (the command view) leaves out the month in
    progress and live counts, which would show a single new referral the day it is made."""
    all_facts = facts()
    last = today.replace(day=1) - timedelta(days=1) if completed_only else today
    labels = tables.months_back(last, months)
    counts = dict(
        db.session.execute(
            select(CheckIn.status, func.count())
            .where(CheckIn.status.in_((ANSWERED, MISSED)))
            .group_by(CheckIn.status)
        ).all()
    )
    open_cases = (
        db.session.scalar(
            select(func.count()).select_from(Case).where(Case.status.in_(OPEN_STATUSES))
        )
        or 0
    )
    by_kind, by_urgency = _consistent(all_facts, labels)
    return Report(
        labels,
        by_kind,
        by_urgency,
        tables.first_contact(all_facts),
        tables.checkin_completion(counts.get(ANSWERED, 0), counts.get(MISSED, 0)),
        None if completed_only else (open_cases if open_cases == 0 or open_cases >= 5 else None),
    )


def _consistent(all_facts: list[tables.CaseFact], labels: list[str]) -> tuple[Table, Table]:
    """Both tables share each month's total: a month hidden in one is hidden in the other."""
    hidden: frozenset[int] = frozenset()
    while True:
        by_kind = tables.by_month(all_facts, labels, "kind", tables.KINDS, hidden)
        by_urgency = tables.by_month(all_facts, labels, "urgency", tables.URGENCIES, hidden)
        now_hidden = frozenset(
            i
            for i in range(len(labels))
            if by_kind.row_totals[i] is None or by_urgency.row_totals[i] is None
        )
        if now_hidden == hidden:
            return by_kind, by_urgency
        hidden = now_hidden


def to_csv(result: Report) -> str:
    """The same suppressed tables as the page, as CSV (hidden cells are empty)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    for title, table in (
        ("referrals by kind", result.by_kind),
        ("referrals by urgency", result.by_urgency),
    ):
        writer.writerow([title, *table.columns, "total"])
        for month, row, total in zip(table.rows, table.cells, table.row_totals, strict=True):
            writer.writerow(
                [month, *("" if v is None else v for v in row), "" if total is None else total]
            )
        writer.writerow(
            [
                "total",
                *("" if v is None else v for v in table.column_totals),
                "" if table.total is None else table.total,
            ]
        )
        writer.writerow([])
    fc = result.first_contact
    writer.writerow(["time to first contact (minutes)", "n", "median", "90th percentile"])
    writer.writerow(["", fc.n, _blank(fc.median_minutes), _blank(fc.p90_minutes)])
    writer.writerow(["check-in completion", "n", "rate"])
    writer.writerow(["", result.completion.n, _blank(result.completion.rate)])
    return out.getvalue()


def _blank(value: float | None) -> str | float:
    return "" if value is None else round(value, 3)
