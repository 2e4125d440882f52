"""Key commands for the server's operator: ``flask --app wellness keys verify | status | adopt``,
``rotate-recovery``, ``rotate-keys`` (the server key) and ``confirm-person``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from wellness.accounts import grants
from wellness.accounts.signin import find_user
from wellness.audit import service as audit
from wellness.cases import rekeying
from wellness.crypto import keypairs, recovery
from wellness.crypto.errors import RecoveryCodeError
from wellness.extensions import db
from wellness.keyring import (
    create_instance_secrets,
    create_signing_key,
    has_row_key,
    has_signing_key,
    pin_recovery_key,
)
from wellness.keys import audit_keys, rotation
from wellness.keys.models import RecoveryKey

RECOVERY_BANNER = """
================================ PROGRAM RECOVERY CODE ================================
    {code}

This code is shown ONLY NOW and is stored nowhere. Print it or write it down and keep it
offline (for example sealed in the clinical coordinator's safe). When someone forgets their
password, the coordinator enters it to restore their access to their cases. Without it, cases
of anyone who loses their password cannot be recovered by anyone.
=======================================================================================
"""


@click.group("keys")
def keys_group() -> None:
    """Keys the database cannot forge: check them, count them, adopt them after an upgrade."""


@keys_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check every stored public key, endorsement and the recovery key against the instance's
    signing key and pin; exits 1 naming every row that fails."""
    report = audit_keys.verify_keys()
    for note in report.notes:
        click.echo(f"note: {note}")
    if report.problems:
        for problem in report.problems:
            click.echo(f"PROBLEM: {problem}")
        raise click.ClickException(
            f"{len(report.problems)} stored keys failed their check: nothing is sealed to them"
        )
    click.echo("Every stored key checks out.")


@keys_group.command("status")
@with_appcontext
def status_command() -> None:
    """How many keys and sealed boxes are post-quantum (hybrid) and how many still classical."""
    status = audit_keys.box_status()
    for name, counts in status.items():
        parts = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "none"
        click.echo(f"{name}: {parts}")
    left = audit_keys.classical_count(status)
    click.echo(
        f"{left} still classical: each is re-sealed when its holder next signs in (accounts), "
        "uses their code (receipts), or by rotate-recovery (the recovery key)."
        if left
        else "Everything is sealed with the hybrid post-quantum KEM."
    )


def _read_code(path: str | None, prompt: str) -> str:
    if path:
        return Path(path).read_text("utf-8").strip()
    return click.prompt(prompt, hide_input=True)


@keys_group.command("adopt")
@with_appcontext
@click.option("--recovery-code-file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--trust-current",
    is_flag=True,
    help="Pin the one recovery key stored now, without the code (trust on first use).",
)
def adopt_command(recovery_code_file: str | None, trust_current: bool) -> None:
    """Upgrading an instance made by an earlier release: create the signing key, pin the
    recovery key, sign the keys and confirm the roles people hold today; or, for an instance
    that has those, create the row key and authenticate the account, role and session rows as
    they stand. Trust on first use: runs once."""
    if has_signing_key():
        if has_row_key():
            raise click.ClickException("this instance already has its keys: nothing to adopt")
        create_instance_secrets()
        count = audit_keys.trust_current_rows()
        click.echo(f"Row key created: {count} account, role and session rows authenticated.")
        return
    rows = db.session.scalars(select(RecoveryKey)).all()
    if trust_current:
        if len(rows) != 1:
            raise click.ClickException(
                f"{len(rows)} recovery keys are stored: give the recovery code to pick the real one"
            )
        chosen = rows[0]
    else:
        private = _decode(_read_code(recovery_code_file, "Program recovery code"))
        chosen = next((r for r in rows if keypairs.public_of(private) == r.public_key), None)
        if chosen is None:
            raise click.ClickException("no stored recovery key matches that code")
    create_signing_key()
    create_instance_secrets()
    pin_recovery_key(chosen.public_key)
    audit_keys.trust_current_rows()
    for skipped in audit_keys.endorse_existing():
        click.echo(f"not confirmed: {skipped}")
    count, _ = audit.head()
    audit.checkpoint(keyed_from=count + 1)
    click.echo("Keys adopted: signing key created, recovery key pinned, accounts signed.")


def _decode(code: str) -> bytes:
    try:
        return recovery.decode(code)
    except RecoveryCodeError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("rotate-recovery")
@with_appcontext
@click.option("--recovery-code-file", type=click.Path(exists=True, dir_okay=False))
def rotate_recovery_command(recovery_code_file: str | None) -> None:
    """Replace the program recovery key by a post-quantum one; prints the new code once."""
    old = _read_code(recovery_code_file, "Current program recovery code")
    try:
        count = rekeying.rotate_recovery(
            old, lambda code: click.echo(RECOVERY_BANNER.format(code=code))
        )
    except RecoveryCodeError as exc:
        raise click.ClickException(f"nothing changed: {exc}") from exc
    click.echo(f"{count} sealed boxes moved to the new recovery key. The old code is useless now.")


@click.command("confirm-person")
@with_appcontext
@click.argument("username")
@click.option(
    "--safety-code",
    prompt="Safety code they read to you from their Account page",
    help="The code on the person's own Account page, read out by them.",
)
def confirm_person_command(username: str, safety_code: str) -> None:
    """Confirm a counselor or coordinator from the server itself (the first coordinator, or
    when no other coordinator can), once the safety code they read out matches their key."""
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    try:
        grants.confirm_person(user, None, safety_code)
    except grants.GrantError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{user.username} confirmed: they can receive cases.")


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-encrypt every server-key field to a new key and delete the old key files."""
    result = rotation.rotate()
    click.echo(
        f"Server key {result.new_key_id} is active; {result.re_encrypted} values "
        f"re-encrypted; retired keys: {result.retired_key_ids or 'none'}."
    )


def init_app(app: Flask) -> None:
    """Register the key commands on the app's command line."""
    for command in (
        keys_group,
        rotate_recovery_command,
        confirm_person_command,
        rotate_keys_command,
    ):
        app.cli.add_command(command)
