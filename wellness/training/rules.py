"""Training rules. Pure: no Flask, no database.

When a bulletin is due, what a bulletin and a policy file look like, when an acknowledgment is
overdue, and what a member's completion is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

WORKING_DAYS = frozenset({0, 1, 2, 3, 4})  # Monday to Friday
ANSWERS_MIN, ANSWERS_MAX = 2, 5
WINDOW_DAYS = 30  # the completion supervisors see


@dataclass(frozen=True)
class PolicyFields:
    title: str
    body: str
    changes: str


@dataclass(frozen=True)
class BulletinFields:
    title: str
    topic: str
    situation: str
    question: str
    answers: tuple[str, ...]
    correct: int
    why: str
    ask: str


class BulletinError(ValueError):
    """A bulletin that cannot be answered as written."""


def is_working_day(day: date) -> bool:
    return day.weekday() in WORKING_DAYS


def publication_due(local_now: datetime, hour: int) -> bool:
    """A bulletin goes out on a working day once the agency's clock reaches ``hour``."""
    return is_working_day(local_now.date()) and local_now.hour >= hour


def working_days_before(day: date, count: int) -> list[date]:
    """The ``count`` working days before ``day``, oldest first."""
    found: list[date] = []
    current = day
    while len(found) < count:
        current -= timedelta(days=1)
        if is_working_day(current):
            found.append(current)
    return found[::-1]


def window_start(day: date) -> date:
    """The first day of the ``WINDOW_DAYS`` days that end with ``day``."""
    return day - timedelta(days=WINDOW_DAYS - 1)


def ack_overdue(
    published_on: date, joined_at: datetime, today: date, now: datetime, days: int
) -> bool:
    """An acknowledgment is overdue ``days`` after the version was published, or after the
    member joined if later: the one rule for the report and the reminder (jobs.remind_overdue
    asks the database the same)."""
    return published_on <= today - timedelta(days=days) and joined_at <= now - timedelta(days=days)


def check_bulletin(fields: BulletinFields) -> None:
    """BulletinError unless it has a few distinct answers and exactly one is the policy's."""
    answers = [a.strip() for a in fields.answers if a.strip()]
    if not ANSWERS_MIN <= len(answers) <= ANSWERS_MAX:
        raise BulletinError(f"Give between {ANSWERS_MIN} and {ANSWERS_MAX} answers.")
    if len({a.casefold() for a in answers}) != len(answers):
        raise BulletinError("Two answers are the same.")
    if not 0 <= fields.correct < len(answers):
        raise BulletinError("Choose which answer is the policy's.")


def completion(published: list[date], answered: list[date], since: date) -> tuple[int, int]:
    """(answered, published) over bulletins published on or after ``since`` (the window's
    start, or the day a member joined within it): ``answered`` holds the publication days of
    the bulletins the member answered."""
    return sum(1 for day in answered if day >= since), sum(1 for day in published if day >= since)


def percent(answered: int, due: int) -> int | None:
    return None if due == 0 else round(100 * answered / due)


def small_number(text: str | None, default: int) -> int:
    """A small whole number typed into a form or an address (a page, a place in the queue), or
    ``default`` for anything else."""
    return int(text) if text and re.fullmatch(r"[0-9]{1,6}", text) else default


def csv_cell(value: object) -> str:
    """A value for a CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# The seed files (wellness/training/seed): a policy is "key: value" lines, a blank line and
# Markdown; bulletins are "## title" blocks of "key: value" lines and "- [ ]" / "- [x]" answers.
_FIELD = re.compile(r"^(topic|situation|question|why|ask): (.+)$")
_ANSWER = re.compile(r"^- \[( |x)\] (.+)$")


def parse_policy(text: str) -> tuple[int, PolicyFields]:
    """A policy file: its version number and fields."""
    head, _, body = text.partition("\n\n")
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    return int(meta["version"]), PolicyFields(meta["title"], body.strip(), meta["changes"])


def parse_bulletins(text: str) -> list[BulletinFields]:
    """Every bulletin in a bulletins file, in order; BulletinError on one that is malformed."""
    found = []
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title, *lines = block.strip().splitlines()
        meta: dict[str, str] = {}
        answers: list[str] = []
        correct = -1
        for line in lines:
            if field := _FIELD.match(line):
                meta[field.group(1)] = field.group(2).strip()
            elif answer := _ANSWER.match(line):
                if answer.group(1) == "x":
                    correct = len(answers) if correct == -1 else -2
                answers.append(answer.group(2).strip())
        missing = {"topic", "situation", "question", "why", "ask"} - set(meta)
        if missing:
            raise BulletinError(f"bulletin {title!r} has no {', '.join(sorted(missing))}")
        fields = BulletinFields(
            title.strip(),
            meta["topic"],
            meta["situation"],
            meta["question"],
            tuple(answers),
            correct,
            meta["why"],
            meta["ask"],
        )
        check_bulletin(fields)
        found.append(fields)
    return found
