"""People, from the server's own command line: ``create-user``, ``set-roles``,
``reset-password``, ``reset-authenticator``. The server's operator is trusted with what these do
(SECURITY.md): roles given here are confirmed at once."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from wellness.accounts import passwords
from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User
from wellness.agency.cli import unit_id_or_fail


def user_or_fail(username: str) -> User:
    """The account named ``username``, or a command-line error saying there is none."""
    user = accounts.find_user(username)
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user


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
    unit_id = unit_id_or_fail(unit_name)
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


@click.command("set-roles")
@with_appcontext
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
def set_roles_command(username: str, roles: tuple[str, ...]) -> None:
    """Replace a user's roles."""
    user = user_or_fail(username)
    try:  # the server's own command line: roles are given (and confirmed) directly
        accounts.update_user(
            user, user.display_name, user.unit_id, [Role(r) for r in roles], user.active
        )
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.username}: {', '.join(sorted(roles))}")


@click.command("reset-password")
@with_appcontext
@click.argument("username")
def reset_password_command(username: str) -> None:
    """Give a user a one-time password (printed once) and sign them out everywhere."""
    user = user_or_fail(username)
    click.echo(f"One-time password for {user.username}: {accounts.reset_password(user)}")


@click.command("reset-authenticator")
@with_appcontext
@click.argument("username")
def reset_authenticator_command(username: str) -> None:
    """Remove a lost authenticator (e.g. the only admin's); they enrol again at next sign-in."""
    user = user_or_fail(username)
    accounts.reset_second_factor(user)
    click.echo(f"{user.username} will set up a new authenticator at their next sign-in.")


def init_app(app: Flask) -> None:
    """Register the account commands on the app's command line."""
    for command in (
        create_user_command,
        set_roles_command,
        reset_password_command,
        reset_authenticator_command,
    ):
        app.cli.add_command(command)
