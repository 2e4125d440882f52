"""The coordinator's exact working figures from plain case facts. Pure: no Flask, no database.

These never leave the coordinator (PRODUCT.md flow 9): command staff and every export see the
differentially private releases of statistics/release.py instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

KINDS = ("self_referral", "concern", "supervisor_report", "critical_incident")
URGENCIES = ("routine", "soon", "crisis")


@dataclass(frozen=True)
class CaseFact:
    """What statistics may know of a case: no id, no person."""

    created: datetime
    kind: str
    urgency: str
    first_contact_minutes: float | None


@dataclass(frozen=True)
class Grid:
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]

    @property
    def row_totals(self) -> tuple[int, ...]:
        return tuple(sum(row) for row in self.cells)

    @property
    def column_totals(self) -> tuple[int, ...]:
        return tuple(sum(col) for col in zip(*self.cells, strict=True)) if self.cells else ()

    @property
    def total(self) -> int:
        return sum(self.row_totals)


def month_of(moment: datetime | date) -> str:
    """The month key the tables use: '2026-11' for any moment in November 2026."""
    return f"{moment.year:04d}-{moment.month:02d}"


def months_back(today: date, count: int) -> list[str]:
    """The ``count`` months ending with today's, oldest first."""
    year, month, out = today.year, today.month, []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def by_month(
    facts: Iterable[CaseFact], months: Sequence[str], field: str, columns: Sequence[str]
) -> Grid:
    """Counts by month and ``field`` ('kind' or 'urgency')."""
    index = {m: i for i, m in enumerate(months)}
    column = {c: j for j, c in enumerate(columns)}
    grid = [[0] * len(columns) for _ in months]
    for fact in facts:
        i, j = index.get(month_of(fact.created)), column.get(getattr(fact, field))
        if i is not None and j is not None:
            grid[i][j] += 1
    return Grid(tuple(months), tuple(columns), tuple(tuple(row) for row in grid))


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
    """How many cases had a first contact, and the median and 90th percentile minutes to it."""
    minutes = [f.first_contact_minutes for f in facts if f.first_contact_minutes is not None]
    return FirstContact(len(minutes), percentile(minutes, 0.5), percentile(minutes, 0.9))


@dataclass(frozen=True)
class Completion:
    n: int
    rate: float | None  # answered / (answered + missed)


def checkin_completion(answered: int, missed: int) -> Completion:
    """How many check-ins were answered or missed, and the share answered (None if none)."""
    n = answered + missed
    return Completion(n, answered / n if n else None)
