"""The chain of command, from the server's own command line: ``create-unit``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from wellness.accounts.signin import find_user
from wellness.agency import service as agency
from wellness.agency.models import Unit
from wellness.extensions import db


def unit_id_or_fail(name: str | None) -> int | None:
    """The id of the unit called ``name`` (None for none), or a command-line error."""
    if not name:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        raise click.ClickException(f"no unit named {name!r}")
    return unit.id


@click.command("create-unit")
@with_appcontext
@click.argument("name")
@click.option("--parent", default=None, help="Name of the unit it reports to.")
@click.option("--supervisor", default=None, help="Username of its supervisor.")
def create_unit_command(name: str, parent: str | None, supervisor: str | None) -> None:
    """Add a unit to the chain of command."""
    boss = find_user(supervisor) if supervisor else None
    if supervisor and boss is None:
        raise click.ClickException(f"no user named {supervisor!r}")
    supervisor_id = boss.id if boss else None
    try:
        agency.save_unit(None, name, unit_id_or_fail(parent), supervisor_id)
    except agency.UnitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Unit {name!r} created.")


def init_app(app: Flask) -> None:
    """Register ``create-unit`` on the app's command line."""
    app.cli.add_command(create_unit_command)
