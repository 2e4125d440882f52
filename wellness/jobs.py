"""Every unattended job, once: the one table that the scheduler (``flask scheduler``) and
``flask run-jobs`` (cron, or by hand) both run, and the one loop that runs them.

Frequent jobs run at every pass. Daily jobs run once per UTC day, whichever runs first: the
scheduler at 03:17, or the first ``run-jobs`` of the day (a cron install, which has no long
running scheduler, releases figures, destroys closed cases and checks the access log too). The
day is claimed with one insert into ``daily_runs``: two schedulers, or a scheduler and a cron
job, run the daily jobs once. A failing job is rolled back and logged (its kind and place,
never its message) and stops none of the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask, current_app
from sqlalchemy import Date, DateTime
from sqlalchemy.orm import Mapped, mapped_column

from wellness.accounts.sessions import purge_stale_sessions
from wellness.audit import service as audit
from wellness.cases.retention import purge_closed_cases
from wellness.checkins import jobs as checkins
from wellness.extensions import db
from wellness.keys import audit_keys
from wellness.keys import service as keys
from wellness.logsafe import describe_exception
from wellness.notifications import mail
from wellness.statistics import releases
from wellness.training import jobs as training
from wellness.transaction import insert_unless_present

log = logging.getLogger(__name__)


class DailyRun(db.Model):
    """That the daily jobs of this UTC day were started (by whichever process came first)."""

    __tablename__ = "daily_runs"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Job:
    name: str  # for ``run-jobs --only``
    label: str  # what its count is called in the log and on the command line
    run: Callable[[Flask, datetime], object]


def _count(value: object) -> int:
    if isinstance(value, int):
        return value
    return len(value) if isinstance(value, list | tuple | set) else 0


FREQUENT: tuple[Job, ...] = (
    Job(
        "dispatch",
        "dispatched",
        lambda app, now: checkins.dispatch_due_checkins(now, int(app.config["DISPATCH_BATCH"])),
    ),
    Job("missed", "missed", lambda app, now: checkins.mark_missed_checkins(now)),
    Job("escalate", "escalated", lambda app, now: checkins.escalate_first_contact(now)),
    Job("mail", "emailed", lambda app, now: mail.send_outbox(now, mail.mailer_from_config())),
    # idle and abandoned sign-ins go even when nobody signs in: no wrapped key lingers
    Job("sessions", "sessions purged", lambda app, now: purge_stale_sessions()),
    # pages held for one display, kept typing and used form tokens expire unread
    Job("held", "held pages purged", lambda app, now: checkins.purge_held()),
    # The training record's jobs: the scheduler runs both sides of the training wall, and
    # neither side's jobs read the other's tables.
    Job("bulletins", "bulletins published", lambda app, now: training.publish_due(now)),
    Job("reminders", "policy reminders", lambda app, now: training.remind_overdue(now)),
)

DAILY: tuple[Job, ...] = (
    Job(
        "retention",
        "closed cases destroyed",
        lambda app, now: purge_closed_cases(now, int(app.config["RETENTION_DAYS"])).case_ids,
    ),
    Job("audit", "access log problems", lambda app, now: audit.daily_check(now)),
    Job("keys", "key problems", lambda app, now: audit_keys.daily_check()),
    Job("rows", "row versions rewritten", lambda app, now: keys.refresh_row_versions()),
    Job("releases", "periods released", lambda app, now: releases.make_due(now.date())),
)

GROUPS = {"training": ("bulletins", "reminders")}


def run(jobs: Iterable[Job], app: Flask, now: datetime) -> dict[str, int]:
    """Run ``jobs`` in order, each on its own: a failure is rolled back, logged, and counted
    as -1; the others go on. Returns each job's count."""
    counts = {}
    for job in jobs:
        try:
            counts[job.label] = _count(job.run(app, now))
        except Exception as exc:  # noqa: BLE001  one failing job must not stop the others
            db.session.rollback()
            log.error("job %s failed: %s", job.name, describe_exception(exc))
            counts[job.label] = -1
    return counts


def claim_day(now: datetime) -> bool:
    """Claim today's daily run (UTC); True for the one process that gets it."""
    claimed = db.session.scalar(
        insert_unless_present(DailyRun)
        .values(day=now.date(), started_at=now)
        .returning(DailyRun.day)
    )
    db.session.commit()
    return claimed is not None


def run_daily_once(app: Flask, now: datetime) -> dict[str, int]:
    """The daily jobs, if no process has run them today."""
    return run(DAILY, app, now) if claim_day(now) else {}


def named(only: str) -> tuple[Job, ...]:
    """The job (or group of jobs) ``run-jobs --only`` names."""
    wanted = GROUPS.get(only, (only,))
    return tuple(job for job in (*FREQUENT, *DAILY) if job.name in wanted)


def run_named(only: str, now: datetime) -> dict[str, int]:
    """One job (or group) by name, now, in the current app (``run-jobs --only``, tests)."""
    return run(named(only), current_app._get_current_object(), now)  # type: ignore[attr-defined]


NAMES = sorted({job.name for job in (*FREQUENT, *DAILY)} | set(GROUPS))
