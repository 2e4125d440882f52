"""Command line: ``flask --app wellness init | create-user | demo``."""

from __future__ import annotations

import click
import flask_migrate
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from wellness.accounts import passwords
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.agency.models import Unit
from wellness.crypto import serverkeys
from wellness.extensions import db
from wellness.keyring import key_dir


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database schema and the server keys (refuses if keys exist)."""
    if serverkeys.key_files(key_dir()):
        raise click.ClickException(
            f"{key_dir()} already holds server keys: this instance is initialised. "
            "Refusing to overwrite keys (that would make encrypted data unreadable)."
        )
    flask_migrate.upgrade()
    key_id = serverkeys.add_key(key_dir())
    click.echo(f"Database ready. Server key {key_id} written to {key_dir()} (mode 0600).")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option("--unit", "unit_name", default=None, help="Name of the user's unit.")
def create_user_command(
    username: str, display_name: str, roles: tuple[str, ...], unit_name: str | None
) -> None:
    """Create an account with a one-time password, printed once."""
    unit_id = None
    if unit_name:
        unit = db.session.scalar(select(Unit).where(Unit.name == unit_name))
        if unit is None:
            raise click.ClickException(f"no unit named {unit_name!r}")
        unit_id = unit.id
    password = passwords.temporary_password()
    try:
        accounts.create_user(
            username,
            display_name,
            password,
            [Role(r) for r in roles],
            unit_id=unit_id,
            must_change_password=True,
        )
    except (accounts.AccountError, passwords.WeakPasswordError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {accounts.normalise_username(username)}. One-time password: {password}")
    click.echo("They choose their own password at first sign-in.")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Fill an empty database with a demo agency and print its sign-ins."""
    from wellness import demo

    try:
        logins = demo.build()
    except demo.DemoError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(demo.describe(logins))


def init_app(app: Flask) -> None:
    for command in (init_command, create_user_command, demo_command):
        app.cli.add_command(command)
