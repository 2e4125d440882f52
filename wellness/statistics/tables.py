"""De-identified program figures from plain case facts. Pure: no Flask, no database."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from wellness.statistics.suppression import Table, suppress, suppress_value

KINDS = ("self_referral", "concern", "supervisor_report", "critical_incident")
URGENCIES = ("routine", "soon", "crisis")


@dataclass(frozen=True)
class CaseFact:
    """What statistics may know of a case: no id, no person."""

    created: datetime
    kind: str
    urgency: str
    first_contact_minutes: float | None


def month_of(moment: datetime | date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def months_back(today: date, count: int) -> list[str]:
    """The ``count`` months ending with today's, oldest first."""
    year, month, out = today.year, today.month, []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def by_month(
    facts: Iterable[CaseFact],
    months: Sequence[str],
    field: str,
    columns: Sequence[str],
    hide_rows: frozenset[int] = frozenset(),
) -> Table:
    """Counts by month and ``field`` ('kind' or 'urgency'), suppressed."""
    index = {m: i for i, m in enumerate(months)}
    column = {c: j for j, c in enumerate(columns)}
    grid = [[0] * len(columns) for _ in months]
    for fact in facts:
        i, j = index.get(month_of(fact.created)), column.get(getattr(fact, field))
        if i is not None and j is not None:
            grid[i][j] += 1
    return suppress(months, columns, grid, hide_rows=hide_rows)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0.5 is the median); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class FirstContact:
    n: int
    median_minutes: float | None
    p90_minutes: float | None


def first_contact(facts: Iterable[CaseFact]) -> FirstContact:
    minutes = [f.first_contact_minutes for f in facts if f.first_contact_minutes is not None]
    return FirstContact(
        len(minutes),
        suppress_value(len(minutes), percentile(minutes, 0.5)),
        suppress_value(len(minutes), percentile(minutes, 0.9)),
    )


@dataclass(frozen=True)
class Completion:
    n: int
    rate: float | None  # answered / (answered + missed)


def checkin_completion(answered: int, missed: int) -> Completion:
    n = answered + missed
    return Completion(n, suppress_value(n, answered / n if n else None))
