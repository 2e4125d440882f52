"""The command line's own commands (``flask --app wellness init | demo | backup | restore``), and
registering every domain's: accounts, agency, audit, cases, check-ins, keys."""

from __future__ import annotations

from pathlib import Path

import click
import flask_migrate
from flask import Flask, current_app
from flask.cli import with_appcontext

from wellness import backup, demo, scheduler
from wellness.accounts import cli as accounts_cli
from wellness.agency import cli as agency_cli
from wellness.audit import cli as audit_cli
from wellness.audit import service as audit
from wellness.cases import cli as cases_cli
from wellness.checkins.service import ensure_default_templates
from wellness.crypto import serverkeys
from wellness.crypto.keyfiles import lock_down
from wellness.keyring import key_dir
from wellness.keys import cli as keys_cli
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
    ensure_default_templates()
    lock_down(current_app.instance_path)
    click.echo(
        f"Database ready. Server key {key_id}, signing key and audit key written to "
        f"{key_dir()} (owner-only)."
    )
    click.echo(RECOVERY_BANNER.format(code=code))


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
    passphrase = _passphrase(passphrase_file, confirm=False)
    flask_migrate.upgrade()
    try:
        if keys_file:
            click.echo(f"{backup.restore_keys(keys_file, passphrase)} key files restored.")
        click.echo(f"{backup.restore(path, passphrase)} rows restored from {path}.")
        count, _ = audit.rebaseline()
        click.echo(
            f"The access log now starts a new baseline at its restored {count} entries (a "
            "signed 'restored' checkpoint records it)."
        )
    except backup.RestoreError as exc:
        raise click.ClickException(f"nothing restored: {exc}") from exc


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Fill an empty database with a demo agency and print its sign-ins."""
    try:
        logins = demo.build()
    except demo.DemoError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(demo.describe(logins))


def init_app(app: Flask) -> None:
    """Register the app's own commands and every domain's on the command line."""
    for command in (init_command, demo_command, backup_command, restore_command):
        app.cli.add_command(command)
    for domain in (accounts_cli, agency_cli, audit_cli, cases_cli, keys_cli, scheduler):
        domain.init_app(app)
