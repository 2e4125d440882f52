"""Command line: ``flask --app wellness init | create-user | demo``."""

from __future__ import annotations

import logging
from pathlib import Path

import click
import flask_migrate
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from wellness.accounts import passwords
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.agency import service as agency
from wellness.agency.models import Unit
from wellness.audit import service as audit
from wellness.crypto import serverkeys
from wellness.crypto.keyfiles import lock_down
from wellness.extensions import db
from wellness.keyring import key_dir
from wellness.keys import cli as keys_cli
from wellness.keys import rotation
from wellness.keys import service as keys
from wellness.keys.cli import RECOVERY_BANNER


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
    key_id = keys.initialise_instance()
    code = keys.create_recovery_key()
    lock_down(current_app.instance_path)
    click.echo(
        f"Database ready. Server key {key_id}, signing key and audit key written to "
        f"{key_dir()} (owner-only)."
    )
    click.echo(RECOVERY_BANNER.format(code=code))


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-encrypt every server-key field to a new key and delete the old key files."""
    result = rotation.rotate()
    click.echo(
        f"Server key {result.new_key_id} is active; {result.re_encrypted} values "
        f"re-encrypted; retired keys: {result.retired_key_ids or 'none'}."
    )


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the unattended jobs (check-ins, escalations, e-mail) until stopped."""
    from flask import current_app

    from wellness.checkins import scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler.run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("run-jobs")
@with_appcontext
@click.option(
    "--only",
    type=click.Choice(["dispatch", "missed", "escalate", "mail"]),
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
    """Run every unattended job once (for cron, or to catch up by hand)."""
    from wellness.checkins import jobs
    from wellness.timeutil import utcnow

    counts = jobs.run_all(utcnow(), only=only, batch=batch)
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))


@click.command("retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="List what would be destroyed; change nothing.")
def retention_command(dry_run: bool) -> None:
    """Destroy cases closed longer ago than RETENTION_DAYS (the scheduler does this daily)."""
    from flask import current_app

    from wellness.cases.retention import purge_closed_cases
    from wellness.timeutil import utcnow

    result = purge_closed_cases(utcnow(), int(current_app.config["RETENTION_DAYS"]), dry_run)
    verb = "would be destroyed" if dry_run else "destroyed"
    click.echo(
        f"{len(result.case_ids)} cases closed before {result.cutoff:%Y-%m-%d} {verb}"
        + (f": {', '.join(f'#{i}' for i in result.case_ids)}" if result.case_ids else ".")
    )


def _passphrase(path: str | None, confirm: bool) -> str:
    if path:
        value = Path(path).read_text(encoding="utf-8").strip()
    else:
        value = click.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm)
    if len(value) < 12:
        raise click.ClickException("use a passphrase of at least 12 characters")
    return value


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--keys-file",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write the instance keys, to this separate file.",
)
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False), default=None)
def backup_command(path: str, keys_file: str | None, passphrase_file: str | None) -> None:
    """Write an encrypted, integrity-checked archive of the database (keys only if asked)."""
    from wellness import backup

    passphrase = _passphrase(passphrase_file, confirm=True)
    rows = backup.backup(path, passphrase)
    click.echo(f"{rows} rows written to {path}.")
    if keys_file:
        click.echo(
            f"{backup.backup_keys(keys_file, passphrase)} key files written to "
            f"{keys_file}. Store it apart from the database backup."
        )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--keys-file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Restore the instance keys from this file first (into an instance without keys).",
)
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False), default=None)
def restore_command(path: str, keys_file: str | None, passphrase_file: str | None) -> None:
    """Replace the database with an archive's contents, after checking the whole archive."""
    from wellness import backup

    passphrase = _passphrase(passphrase_file, confirm=False)
    flask_migrate.upgrade()
    try:
        if keys_file:
            click.echo(f"{backup.restore_keys(keys_file, passphrase)} key files restored.")
        click.echo(f"{backup.restore(path, passphrase)} rows restored from {path}.")
    except backup.RestoreError as exc:
        raise click.ClickException(f"nothing restored: {exc}") from exc


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
    unit_id = _unit_id(unit_name)
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


def _user(username: str):  # type: ignore[no-untyped-def]
    user = accounts.find_user(username)
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user


def _unit_id(name: str | None) -> int | None:
    if not name:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        raise click.ClickException(f"no unit named {name!r}")
    return unit.id


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
    user = _user(username)
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
    user = _user(username)
    click.echo(f"One-time password for {user.username}: {accounts.reset_password(user)}")


@click.command("reset-authenticator")
@with_appcontext
@click.argument("username")
def reset_authenticator_command(username: str) -> None:
    """Remove a lost authenticator (e.g. the only admin's); they enrol again at next sign-in."""
    user = _user(username)
    accounts.reset_second_factor(user)
    click.echo(f"{user.username} will set up a new authenticator at their next sign-in.")


@click.command("create-unit")
@with_appcontext
@click.argument("name")
@click.option("--parent", default=None, help="Name of the unit it reports to.")
@click.option("--supervisor", default=None, help="Username of its supervisor.")
def create_unit_command(name: str, parent: str | None, supervisor: str | None) -> None:
    """Add a unit to the chain of command."""
    supervisor_id = _user(supervisor).id if supervisor else None
    try:
        agency.save_unit(None, name, _unit_id(parent), supervisor_id)
    except agency.UnitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Unit {name!r} created.")


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
    for command in (
        init_command,
        create_user_command,
        set_roles_command,
        reset_password_command,
        reset_authenticator_command,
        create_unit_command,
        demo_command,
        rotate_keys_command,
        audit_group,
        scheduler_command,
        run_jobs_command,
        retention_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
    keys_cli.init_app(app)
