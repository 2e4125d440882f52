"""Retention from the command line: ``retention`` (the scheduler also runs it daily)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from wellness.cases.retention import purge_closed_cases
from wellness.timeutil import utcnow


@click.command("retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="List what would be destroyed; change nothing.")
def retention_command(dry_run: bool) -> None:
    """Destroy cases closed longer ago than RETENTION_DAYS (the scheduler does this daily)."""
    result = purge_closed_cases(utcnow(), int(current_app.config["RETENTION_DAYS"]), dry_run)
    verb = "would be destroyed" if dry_run else "destroyed"
    click.echo(
        f"{len(result.case_ids)} cases closed before {result.cutoff:%Y-%m-%d} {verb}"
        + (f": {', '.join(f'#{i}' for i in result.case_ids)}" if result.case_ids else ".")
    )


def init_app(app: Flask) -> None:
    """Register ``retention`` on the app's command line."""
    app.cli.add_command(retention_command)
