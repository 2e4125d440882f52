"""Rotating the server key: re-encrypt every class-B field to a new key, then retire the old."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wellness.crypto import serverkeys
from wellness.crypto.fields import SERVER_FIELDS, ServerField
from wellness.extensions import db
from wellness.keyring import key_dir, server_keyring


def model_of(field: ServerField) -> type[db.Model]:  # type: ignore[name-defined]
    """The model whose table holds ``field`` (every class-B field: crypto.fields)."""
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == field.table:
            return mapper.class_
    raise LookupError(f"no model for table {field.table}")


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
        model = model_of(field)
        column = getattr(model, field.column)
        rows = db.session.scalars(select(model).where(column.is_not(None)).with_for_update()).all()
        for row in rows:
            token = getattr(row, field.column)
            if not ring.is_current(token):
                plain = ring.decrypt(token, field.context(row.id))
                setattr(row, field.column, ring.encrypt(plain, field.context(row.id), field.bucket))
                count += 1
    db.session.commit()
    return count
