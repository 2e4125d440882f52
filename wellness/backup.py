"""Backup and restore of the database as an encrypted, integrity-checked archive.

The database is written table by table as JSON lines (the same on SQLite and PostgreSQL, and
restorable from one to the other), then sealed with crypto.archive under the operator's
passphrase. The instance keys go into a separate archive, and only when asked: a stolen backup
alone then holds nothing but ciphertext. Restore checks the whole archive before it writes
anything, and writes in one transaction.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.exc import DataError, IntegrityError

from wellness.crypto import archive, kdf, keyfiles
from wellness.extensions import db
from wellness.transaction import read_snapshot, use_case

FORMAT = "wellness-backup-1"


class RestoreError(Exception):
    """The archive cannot be restored; nothing was written."""


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"b": base64.b64encode(value).decode()}
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, raw),) = value.items()
        if kind == "b":
            return base64.b64decode(raw)
        if kind == "t":
            return datetime.fromisoformat(raw)
        if kind == "d":
            return date.fromisoformat(raw)
    return value


def _lines(conn: Connection) -> Iterator[bytes]:
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    yield json.dumps({"format": FORMAT, "revision": revision}).encode() + b"\n"
    for table in db.metadata.sorted_tables:
        columns = [c.name for c in table.columns]
        yield json.dumps({"table": table.name, "columns": columns}).encode() + b"\n"
        for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
            yield json.dumps([_encode(v) for v in row]).encode() + b"\n"


def _params() -> kdf.KdfParams:
    cfg = current_app.config
    return kdf.new_params(
        cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"]
    )


def backup(path: str | os.PathLike[str], passphrase: str) -> int:
    """Write the database to an encrypted archive at ``path``; returns the rows written."""
    rows = 0
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as plain:
        db.session.rollback()  # the dump reads on its own connection, in one snapshot
        with read_snapshot() as conn:
            for line in _lines(conn):
                plain.write(line)
                rows += not line.startswith(b"{")
        plain.seek(0)
        with keyfiles.open_private(path) as out:
            archive.encrypt_stream(plain, out, passphrase, _params())
    return rows


def backup_keys(path: str | os.PathLike[str], passphrase: str) -> int:
    """The instance's keys (server keys, cookie key) in their own archive, for when asked."""
    instance = Path(current_app.instance_path)
    wanted = [
        instance / "secret_key",
        *sorted((instance / "keys").glob("*.key")),
        instance / "keys" / "recovery.pin",
        instance / "audit-checkpoints.log",
        instance / "audit-head",
    ]
    files = {
        str(p.relative_to(instance)): base64.b64encode(p.read_bytes()).decode()
        for p in wanted
        if p.is_file()
    }
    with keyfiles.open_private(path) as out:
        archive.encrypt_stream(io.BytesIO(json.dumps(files).encode()), out, passphrase, _params())
    return len(files)


def _open(path: str | os.PathLike[str], passphrase: str) -> bytes:
    out = io.BytesIO()
    try:
        with open(path, "rb") as src:
            archive.decrypt_stream(src, out, passphrase)
    except OSError as exc:
        raise RestoreError(f"cannot read {path}: {exc.strerror}") from exc
    except archive.ArchiveError as exc:
        raise RestoreError(str(exc)) from exc
    return out.getvalue()


def _parse(plain: bytes) -> tuple[str, dict[str, tuple[list[str], list[list[Any]]]]]:
    """Every table's rows, checked against this version's schema before anything is written."""
    lines = plain.splitlines()
    try:
        head = json.loads(lines[0])
        if head.get("format") != FORMAT:
            raise RestoreError("not a database backup")
        tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
        current = None
        for line in lines[1:]:
            item = json.loads(line)
            if isinstance(item, dict):
                current = item["table"]
                tables[current] = (item["columns"], [])
            elif current is not None:
                tables[current][1].append([_decode(v) for v in item])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise RestoreError("the backup's contents are not readable") from exc
    known = {t.name: [c.name for c in t.columns] for t in db.metadata.sorted_tables}
    for name, (columns, _rows) in tables.items():
        if known.get(name) != columns:
            raise RestoreError(f"table {name!r} does not match this version; upgrade first")
    return head.get("revision"), tables


@use_case
def restore(path: str | os.PathLike[str], passphrase: str) -> int:
    """Replace the database's contents with the archive's; RestoreError (nothing written) if it
    is damaged, truncated, from another schema version, or the passphrase is wrong."""
    revision, tables = _parse(_open(path, passphrase))
    current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision != current:
        raise RestoreError(f"the backup is from schema {revision}, this database is {current}")
    try:
        count = _write(tables)
    except (IntegrityError, DataError) as exc:  # rows that do not fit together: nothing kept
        raise RestoreError(f"the backup's rows do not fit together ({type(exc).__name__})") from exc
    return count


def _write(tables: dict[str, tuple[list[str], list[list[Any]]]]) -> int:
    """Replace every table's rows in one transaction; returns the rows written."""
    deferred = []  # foreign keys that form a cycle (units <-> users): filled in afterwards
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    count = 0
    for table in db.metadata.sorted_tables:
        columns, rows = tables.get(table.name, ([], []))
        # Keys that point back into a cycle or at the same table are set once all rows exist.
        cyclic = [
            fk.parent.name for fk in table.foreign_keys if fk.use_alter or fk.column.table is table
        ]
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            later = {name: values.pop(name) for name in cyclic if values.get(name) is not None}
            values.update(dict.fromkeys(later))
            db.session.execute(insert(table).values(**values))
            if later:
                deferred.append((table, values, later))
            count += 1
    for table, values, later in deferred:
        keys = {c.name: values[c.name] for c in table.primary_key.columns}
        db.session.execute(update(table).filter_by(**keys).values(**later))
    _reset_sequences()
    db.session.flush()  # rows that do not fit together fail here, inside restore's try
    return count


def _reset_sequences() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            name, column = table.name, pk[0].name  # from the models, never from input
            highest = f"COALESCE((SELECT MAX({column}) FROM {name}), 0) + 1"  # noqa: S608
            sequence = f"pg_get_serial_sequence('{name}', '{column}')"
            db.session.execute(text(f"SELECT setval({sequence}, {highest}, false)"))


def restore_keys(path: str | os.PathLike[str], passphrase: str) -> int:
    """Put the keys archive's files into an instance folder that has none."""
    try:
        files = json.loads(_open(path, passphrase))
    except ValueError as exc:
        raise RestoreError("not a keys backup") from exc
    instance = Path(current_app.instance_path)
    if (instance / "keys").exists() and any((instance / "keys").glob("*.key")):
        raise RestoreError("this instance already has keys; restore them into a new one")
    if any(not _KEY_FILE.match(name) for name in files):
        raise RestoreError("unexpected file in the keys backup")
    for name, data in files.items():
        target = instance / name
        if name == "secret_key" and target.exists():
            target.unlink()
        keyfiles.create_key_file(target, base64.b64decode(data))
    return len(files)


# What a keys archive may hold (and nothing with a path of its own).
_KEY_FILE = re.compile(
    r"^(secret_key|keys/[a-z0-9-]+\.(key|pin)|audit-checkpoints\.log|audit-head)$"
)
