"""The unattended jobs' runners: ``flask --app wellness scheduler`` (runs them until stopped;
``make run`` starts one) and ``flask --app wellness run-jobs`` (once, for cron or to catch up
by hand). Both run the one table of jobs in ``wellness.jobs``. Never started by create_app.

Several may run at once (one per box, or two for resilience): every job claims its rows
atomically, and the daily jobs claim their day, so work is shared, never done twice.
"""

from __future__ import annotations

import logging

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from wellness import jobs
from wellness.timeutil import utcnow

log = logging.getLogger(__name__)


def tick(app: Flask) -> dict[str, int]:
    """One pass of the frequent jobs; returns their counts, logged when any work was done."""
    with app.app_context():
        counts = jobs.run(jobs.FREQUENT, app, utcnow())
    if any(counts.values()):
        log.info("scheduler: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def daily(app: Flask) -> dict[str, int]:
    """The daily jobs (retention, the access log's check and checkpoint, the key check, the
    row-version refresh, the release of any period that has ended), once a day."""
    with app.app_context():
        counts = jobs.run_daily_once(app, utcnow())
    if counts:
        log.info("daily: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


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
        id="wellness-daily",
    )
    log.info("scheduler started")
    scheduler.start()


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the unattended jobs (check-ins, escalations, e-mail, the daily jobs) until
    stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("run-jobs")
@with_appcontext
@click.option(
    "--only",
    type=click.Choice(jobs.NAMES),
    default=None,
    help="Run one job (or 'training': both of its jobs) instead of all, now.",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 10_000),
    default=None,
    help="Check-ins claimed per transaction (default: DISPATCH_BATCH).",
)
def run_jobs_command(only: str | None, batch: int | None) -> None:
    """Run every unattended job once, the scheduler's frequent ones and, if no process has
    today, the daily ones (for cron, or to catch up by hand)."""
    app, now = current_app._get_current_object(), utcnow()  # type: ignore[attr-defined]
    if batch is not None:
        app.config["DISPATCH_BATCH"] = batch
    if only:
        counts = jobs.run(jobs.named(only), app, now)
    else:
        counts = jobs.run(jobs.FREQUENT, app, now) | jobs.run_daily_once(app, now)
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))


def init_app(app: Flask) -> None:
    """Register ``scheduler`` and ``run-jobs`` on the app's command line."""
    app.cli.add_command(scheduler_command)
    app.cli.add_command(run_jobs_command)
