"""Rows the database cannot forge (SECURITY.md): accounts, their keys and authenticator, role
rows, role proposals, sign-in sessions and retired keys carry a MAC (``crypto/rowmac.py``) under
``instance/keys/rows.key``.

The app writes the MAC itself at every flush (SQLAlchemy mapper events), so no code path can
forget it, but **only over a row it trusts**: a new row, or one whose stored MAC verified over
the values it had before this change. A row the database alone wrote (or changed) keeps its bad
MAC whatever the app later writes into it, so it is never blessed by being touched.
``authentic`` is what every use checks (signing in, sessions, role checks, sealing, confirming);
``flask keys verify`` lists every row that fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value

from wellness.accounts.models import LoginSession, RoleGrant, User, UserRole
from wellness.crypto import rowmac
from wellness.extensions import db
from wellness.keyring import row_key
from wellness.keys.models import RetiredUserKey

# What each MAC covers: the primary key first, then every column that decides who can read or
# sign in. Left out on purpose: counters and clocks the app bumps in bulk (failed_logins,
# locked_until, last_seen_at), times, what only routes a content-free notice (email_token),
# and the directory (name, unit: like the units table, they decide which *confirmed* reader a
# case goes to, never who can be one).
COVERED: dict[type, tuple[str, ...]] = {
    User: (
        "id",
        "username",
        "active",
        "password_hash",
        "must_change_password",
        "totp_secret",
        "totp_state",
        "public_key",
        "wrapped_private_key",
        "key_kdf",
        "recovery_sealed_key",
        "key_signature",
        "session_epoch",
        "case_index",  # an earlier release's index: read while they have no index row
    ),
    UserRole: ("user_id", "role", "endorsement"),
    RoleGrant: ("id", "user_id", "role", "proposed_by", "outcome", "decided_by", "signature"),
    LoginSession: ("id", "user_tag", "verified", "wrapped_private_key", "enrol_secret"),
    RetiredUserKey: (
        "id",
        "user_id",
        "public_key",
        "recovery_sealed_key",
        "case_index",
        "restored",
    ),
}
# Covered as "set or not": a time's exact value is not what anyone forges.
_PRESENCE = {"restored": "restored_at"}
_BLESS = "_wellness_row_trusted"


def _value(obj: Any, name: str) -> object:
    if name in _PRESENCE:
        return getattr(obj, _PRESENCE[name]) is not None
    return getattr(obj, name)


def _table(obj: Any) -> str:
    return type(obj).__tablename__


def _current(obj: Any) -> list[tuple[str, object]]:
    return [(name, _value(obj, name)) for name in COVERED[type(obj)]]


def _stored(obj: Any) -> tuple[list[tuple[str, object]], bytes | None] | None:
    """The values and MAC as they stand in the database (before any change not yet flushed);
    None when an old value is not known."""
    state = inspect(obj)
    values: list[tuple[str, object]] = []
    for name in (*COVERED[type(obj)], "row_mac"):
        column = _PRESENCE.get(name, name)
        if column in state.expired_attributes or column in state.unloaded:
            getattr(obj, column)  # load it: a value never read cannot be compared
        history = state.attrs[column].history
        if history.deleted:
            old = history.deleted[0]
        elif history.unchanged:
            old = history.unchanged[0]
        elif not history.added:
            old = None
        else:
            return None
        if name in _PRESENCE:
            old = old is not None
        values.append((name, old))
    mac = values.pop()[1]
    return values, mac if isinstance(mac, bytes | bytearray | memoryview) else None


def authentic(obj: Any) -> bool:
    """True when the row, as stored, carries this instance's MAC (a row not yet stored is the
    app's own). Every use of an account, role, session or retired key checks this first."""
    if hasattr(obj, "_get_current_object"):  # flask_login's current_user
        obj = obj._get_current_object()
    state = inspect(obj)
    if state.transient or state.pending:
        return True
    stored = _stored(obj)
    if stored is None:
        return False
    values, mac = stored
    return rowmac.verifies(row_key(), _table(obj), values, mac)


def trust_as_is(obj: Any) -> None:
    """Write a MAC over this row as it stands: only for ``keys adopt`` (trust on first use,
    once, when an instance of an earlier release gets its row key)."""
    obj.__dict__[_BLESS] = True
    obj.row_mac = rowmac.mac(row_key(), _table(obj), _current(obj))


def failing(model: type) -> Iterator[Any]:
    """Every stored row of ``model`` whose MAC does not verify (``keys verify``)."""
    for obj in db.session.scalars(select(model)):
        if not authentic(obj):
            yield obj


# --- written at every flush ---------------------------------------------------------------


def _identity_known(mapper: Mapper[Any], obj: Any) -> bool:
    return all(getattr(obj, column.key) is not None for column in mapper.primary_key)


def _default(mapper: Mapper[Any], name: str) -> object:
    """What the INSERT will store for a column left unset: its Python default, or NULL."""
    default = mapper.columns[name].default
    if default is None or not default.is_scalar and not default.is_callable:
        return None
    return default.arg(None) if default.is_callable else default.arg  # type: ignore[operator]


def _before_insert(mapper: Mapper[Any], _connection: Connection, obj: Any) -> None:
    for name in COVERED[type(obj)]:
        column = _PRESENCE.get(name, name)
        if column not in obj.__dict__ and not mapper.columns[column].primary_key:
            # Set now, so the MAC covers what is stored and later checks know the old value.
            setattr(obj, column, _default(mapper, column))
    if _identity_known(mapper, obj):
        obj.row_mac = rowmac.mac(row_key(), _table(obj), _current(obj))


def _after_insert(mapper: Mapper[Any], connection: Connection, obj: Any) -> None:
    if obj.row_mac is not None:
        return
    # The id came from the database: the MAC, which covers it, is written right after.
    mac = rowmac.mac(row_key(), _table(obj), _current(obj))
    table = mapper.local_table
    where = [table.c[c.key] == getattr(obj, c.key) for c in mapper.primary_key]
    connection.execute(update(table).where(*where).values(row_mac=mac))
    set_committed_value(obj, "row_mac", mac)


def _before_update(_mapper: Mapper[Any], _connection: Connection, obj: Any) -> None:
    if obj.__dict__.pop(_BLESS, False) or _trusted_before(obj):
        obj.row_mac = rowmac.mac(row_key(), _table(obj), _current(obj))


def _trusted_before(obj: Any) -> bool:
    stored = _stored(obj)
    if stored is None:
        return False
    values, mac = stored
    return rowmac.verifies(row_key(), _table(obj), values, mac)


def _keep_old_value(_target: Any, value: object, _old: object, _initiator: Any) -> object:
    return value


def listen() -> None:
    """Register the flush hooks once per process (the app factory). Every covered column keeps
    its old value when set (``active_history``), so the MAC it had can always be checked."""
    for model, names in COVERED.items():
        if event.contains(model, "before_update", _before_update):
            continue
        event.listen(model, "before_insert", _before_insert)
        event.listen(model, "after_insert", _after_insert)
        event.listen(model, "before_update", _before_update)
        for name in (*names, "row_mac"):
            attribute = getattr(model, _PRESENCE.get(name, name))
            event.listen(attribute, "set", _keep_old_value, active_history=True, retval=True)
