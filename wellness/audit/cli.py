"""The access log from the command line: ``audit verify``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from wellness.audit import service as audit


@click.group("audit")
def audit_group() -> None:
    """The tamper-evident access log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify_command() -> None:
    """Check the access log's hash chain; exits 1 and names each problem if it was tampered with."""
    problems = audit.verify()
    if problems:
        for problem in problems:
            click.echo(f"PROBLEM: {problem}")
        raise click.ClickException(f"the access log has been tampered with ({len(problems)})")
    count, last = audit.checkpoint()
    click.echo(f"Access log intact: {count} entries; last entry MAC {last}.")
    click.echo(f"A signed checkpoint was added to {audit.checkpoint_path()}.")


def init_app(app: Flask) -> None:
    """Register the ``audit`` commands on the app's command line."""
    app.cli.add_command(audit_group)
