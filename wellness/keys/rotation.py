"""Rotating the server key: re-encrypt every class-B field to a new key, then retire the old."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from wellness.accounts.models import User
from wellness.accounts.signin import totp_context
from wellness.cases import leads
from wellness.cases.models import Case
from wellness.checkins.models import CheckIn, Outbox
from wellness.crypto import serverkeys
from wellness.crypto.context import context
from wellness.extensions import db
from wellness.keyring import key_dir, server_keyring
from wellness.notifications import addresses
from wellness.notifications.mail import address_context


@dataclass(frozen=True)
class ServerField:
    model: type
    attribute: str
    context: Callable[[object], bytes]
    bucket: int = 64  # the smallest padded size (serverkeys.BUCKETS)


# Every column kept under the server key (SECURITY.md, class B). A new one is added here.
SERVER_FIELDS = [
    ServerField(User, "totp_secret", totp_context),  # type: ignore[arg-type]
    ServerField(
        User,
        "email_token",
        lambda u: addresses.address_context(u.id),  # type: ignore[attr-defined]
        addresses.ADDRESS_BUCKET,
    ),
    ServerField(CheckIn, "notify_token", lambda c: context("check_ins", c.id, "notify")),  # type: ignore[attr-defined]
    ServerField(Outbox, "to_token", lambda row: address_context(row.id), addresses.ADDRESS_BUCKET),
    ServerField(Case, "times", lambda c: context("cases", c.id, "times")),  # type: ignore[attr-defined]
    ServerField(Case, "leads", lambda c: context("cases", c.id, "leads"), leads.BUCKET),  # type: ignore[attr-defined]
]


@dataclass(frozen=True)
class RotationResult:
    new_key_id: int
    re_encrypted: int
    retired_key_ids: list[int]


def rotate() -> RotationResult:
    """Add a key, move every class-B value onto it, then delete the older key files.

    Running processes switch to the new key as soon as its file exists (keyring.encrypt_field),
    and the sweep repeats until no row names an older key, so a value written during the
    rotation is moved too before its key is deleted.
    """
    new_id = serverkeys.add_key(key_dir())
    ring = server_keyring(reload=True)
    count = 0
    while moved := _sweep(ring, new_id):
        count += moved
    retired = sorted(key_id for key_id in serverkeys.key_files(key_dir()) if key_id < new_id)
    for key_id in retired:
        serverkeys.key_files(key_dir())[key_id].unlink()
    server_keyring(reload=True)
    return RotationResult(new_id, count, retired)


def _sweep(ring: serverkeys.ServerKeyring, new_id: int) -> int:
    """Re-encrypt, under row locks, every value not yet under ``new_id``; commit; count them."""
    count = 0
    for field in SERVER_FIELDS:
        column = getattr(field.model, field.attribute)
        rows = db.session.scalars(
            select(field.model).where(column.is_not(None)).with_for_update()
        ).all()
        for row in rows:
            token = getattr(row, field.attribute)
            if not ring.is_current(token):
                plain = ring.decrypt(token, field.context(row))
                setattr(row, field.attribute, ring.encrypt(plain, field.context(row), field.bucket))
                count += 1
    db.session.commit()
    return count
