"""The scheduler process: ``flask --app wellness scheduler``. Never started by create_app.

Several may run at once (one per box, or two for resilience): every job claims its rows
atomically, so work is shared, never done twice.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from wellness.audit import service as audit
from wellness.cases.retention import purge_closed_cases
from wellness.checkins import jobs
from wellness.extensions import db
from wellness.keys import audit_keys
from wellness.keys import service as keys
from wellness.logsafe import describe_exception
from wellness.statistics import releases
from wellness.timeutil import utcnow
from wellness.training import jobs as training_jobs

log = logging.getLogger(__name__)


def tick(app: Flask) -> dict[str, int]:
    """One pass of the frequent jobs (``jobs.run_all``); returns their counts, logged when any
    work was done."""
    with app.app_context():
        now = utcnow()
        counts = jobs.run_all(now, batch=int(app.config["DISPATCH_BATCH"]))
        # The training record's jobs, apart: the scheduler runs both sides of the training
        # wall, and neither side's jobs read the other's tables.
        counts |= training_jobs.run(now)
    if any(counts.values()):
        log.info("scheduler: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def _retention(app: Flask) -> None:
    result = purge_closed_cases(utcnow(), int(app.config["RETENTION_DAYS"]))
    log.info("retention: %d closed cases destroyed", len(result.case_ids))


def _releases(_app: Flask) -> None:
    made = releases.make_due(utcnow().date())
    if made:
        log.info("statistics: released %s", ", ".join(made))


DAILY = (
    ("retention", _retention),
    ("access log check", lambda _app: audit.daily_check()),
    ("key check", lambda _app: audit_keys.daily_check()),
    ("row versions", lambda _app: keys.refresh_row_versions()),
    ("statistics release", _releases),
)


def daily(app: Flask) -> None:
    """Retention, the access log's check and signed checkpoint, the key check, the row-version
    refresh and the release of any period that has ended (each on its own: one failing does
    not stop the others)."""
    with app.app_context():
        for name, job in DAILY:
            try:
                job(app)
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                log.error("%s failed to run: %s", name, describe_exception(exc))


def run_forever(app: Flask) -> None:
    """Run ``tick`` every SCHEDULER_INTERVAL_SECONDS and ``daily`` at 03:17 UTC, until stopped."""
    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        "interval",
        args=[app],
        seconds=app.config["SCHEDULER_INTERVAL_SECONDS"],
        max_instances=1,
        coalesce=True,
        id="wellness-jobs",
    )
    scheduler.add_job(
        daily,
        "cron",
        args=[app],
        hour=3,
        minute=17,
        max_instances=1,
        coalesce=True,
        id="wellness-retention",
    )
    log.info("scheduler started")
    scheduler.start()
