"""Scheduling rules: first-contact deadlines and check-in plans. Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

# PRODUCT.md flow 7: +24 h, +72 h, +7 d, +30 d, +90 d after a critical incident.
CRITICAL_INCIDENT_PLAN = (24, 72, 168, 720, 2160)
MAX_PLAN_STEPS = 12
MAX_OFFSET_HOURS = 24 * 366


class PlanError(ValueError):
    """A plan that cannot be used; the message says why."""


def parse_offsets(text: str) -> tuple[int, ...]:
    """'24, 72, 168' -> (24, 72, 168): hours after the start, increasing, within a year."""
    try:
        hours = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError as exc:
        raise PlanError("Use whole numbers of hours, separated by commas.") from exc
    if not hours or len(hours) > MAX_PLAN_STEPS:
        raise PlanError(f"Give between 1 and {MAX_PLAN_STEPS} check-ins.")
    if any(h <= 0 or h > MAX_OFFSET_HOURS for h in hours):
        raise PlanError("Each check-in must be between 1 hour and a year after the start.")
    if list(hours) != sorted(set(hours)):
        raise PlanError("List the hours in increasing order, without repeats.")
    return hours


def plan_times(start: datetime, offsets: tuple[int, ...]) -> list[datetime]:
    """When each check-in of a plan falls due."""
    try:
        return [start + timedelta(hours=h) for h in offsets]
    except OverflowError as exc:
        raise PlanError("Choose a start date within the next few years.") from exc


def first_contact_deadline(
    created_at: datetime, urgency: str, minutes_by_urgency: Mapping[str, int]
) -> datetime:
    """When the first contact is due for a case of this urgency."""
    return created_at + timedelta(
        minutes=minutes_by_urgency.get(urgency, minutes_by_urgency["routine"])
    )


@dataclass(frozen=True)
class Clock:
    overdue: bool
    minutes: int  # left, or past due when overdue

    @property
    def words(self) -> str:
        """'due in 3 h 20 min' / 'overdue by 15 min', for a volunteer glancing at the screen."""
        span = _span(self.minutes)
        return f"overdue by {span}" if self.overdue else f"due in {span}"


def clock(now: datetime, deadline: datetime) -> Clock:
    """How far ``now`` is from ``deadline``: whole minutes left, or overdue once it has passed."""
    seconds = (deadline - now).total_seconds()
    return Clock(seconds < 0, int(abs(seconds) // 60))


def _span(minutes: int) -> str:
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def duration_in_words(minutes: int) -> str:
    """'15 minutes', 'a day', '3 days', '2 hours': how soon someone can expect contact."""
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(minutes / 60)
    if hours < 24:
        return "an hour" if hours == 1 else f"{hours} hours"
    days = round(hours / 24)
    return "a day" if days == 1 else f"{days} days"
