"""The unattended jobs, from the command line: ``scheduler`` (runs them until stopped) and
``run-jobs`` (once, for cron or to catch up by hand)."""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from wellness.checkins import jobs, scheduler
from wellness.timeutil import utcnow
from wellness.training import jobs as training_jobs


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the unattended jobs (check-ins, escalations, e-mail) until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler.run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("run-jobs")
@with_appcontext
@click.option(
    "--only",
    type=click.Choice(["dispatch", "missed", "escalate", "mail", "training"]),
    default=None,
    help="Run one job instead of all.",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 10_000),
    default=500,
    help="Check-ins claimed per transaction.",
)
def run_jobs_command(only: str | None, batch: int) -> None:
    """Run every unattended job once (for cron, or to catch up by hand), the training
    record's (the day's bulletin, overdue reminders) included."""
    now = utcnow()
    counts = {} if only == "training" else jobs.run_all(now, only=only, batch=batch)
    if only in (None, "training"):
        counts |= training_jobs.run(now)
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))


def init_app(app: Flask) -> None:
    """Register ``scheduler`` and ``run-jobs`` on the app's command line."""
    app.cli.add_command(scheduler_command)
    app.cli.add_command(run_jobs_command)
