"""Rows the database cannot forge (SECURITY.md): accounts, their keys and authenticator, role
rows, role proposals, sign-in sessions and retired keys carry a MAC (``crypto/rowmac.py``) under
``instance/keys/rows.key``.

The app writes the MAC itself at every flush (SQLAlchemy mapper events), so no code path can
forget it, but **only over a row it trusts**: a new row, or one whose stored MAC verified over
the values it had before this change. A row the database alone wrote (or changed) keeps its bad
MAC whatever the app later writes into it, so it is never blessed by being touched.
``authentic`` is what every use checks (signing in, sessions, role checks, sealing, confirming);
``flask keys verify`` lists every row that fails.

A MAC cannot tell a row from an *earlier* genuine state of itself, put back from an older copy
of the database (a removed role, a password before its reset). So an account, its role rows
and its proposals carry, under their MAC, the number of the access log's latest account event
about it (``event_seq``, written by ``stamp`` whenever one is logged: a reset, a role change, a
disable, a confirmation), and ``current`` compares it with the log, whose own rollback shows
(audit/). An earlier state names an older event, and is refused like a forged one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import set_committed_value

from wellness.accounts.models import LoginSession, RoleGrant, User, UserRole
from wellness.audit import service as audit
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
        "public_key",
        "wrapped_private_key",
        "key_kdf",
        "recovery_sealed_key",
        "key_signature",
        "session_epoch",
        "case_index",  # an earlier release's index: read while they have no index row
        "event_seq",
    ),
    UserRole: ("user_id", "role", "endorsement", "event_seq"),
    RoleGrant: (
        "id",
        "user_id",
        "role",
        "proposed_by",
        "outcome",
        "decided_by",
        "signature",
        "event_seq",
    ),
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


_EVENTS = "wellness_latest_account_events"


def _latest_event(user_id: int) -> int:
    """The log's newest account event about ``user_id``, read once per transaction."""
    seen = db.session.info.setdefault(_EVENTS, {})
    if user_id not in seen:
        seen[user_id] = audit.latest_account_event(user_id)
    return seen[user_id]


def current(obj: Any) -> bool:
    """True when the row is the account's latest state: its ``event_seq`` is the log's newest
    account event about it (an account), or the account's own (a role row, a proposal)."""
    if hasattr(obj, "_get_current_object"):
        obj = obj._get_current_object()
    state = inspect(obj)
    if state.transient or state.pending:
        return True  # being made now: it names its account's event when stored
    if isinstance(obj, User):
        return obj.event_seq == _latest_event(obj.id)
    return obj.event_seq == obj.user.event_seq


def stamp(user: User, seq: int) -> None:
    """An account event about ``user`` was logged as entry ``seq``: the account, its role rows
    and its open proposals now name it (their MACs follow at the flush)."""
    user.event_seq = seq
    for row in user.role_rows:
        row.event_seq = seq
    for grant in db.session.scalars(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.outcome.is_(None))
    ):
        grant.event_seq = seq
    db.session.info.setdefault(_EVENTS, {})[user.id] = seq


def _forget_events(session: Any, *_: Any) -> None:
    session.info.pop(_EVENTS, None)


def trust_as_is(obj: Any) -> None:
    """Write a MAC over this row as it stands: only for ``keys adopt`` (trust on first use,
    once, when an instance of an earlier release gets its row key)."""
    obj.__dict__[_BLESS] = True
    obj.row_mac = rowmac.mac(row_key(), _table(obj), _current(obj))


def failing(model: type) -> Iterator[tuple[Any, str]]:
    """Every stored row of ``model`` that fails, and why (``keys verify``)."""
    for obj in db.session.scalars(select(model)):
        if not authentic(obj):
            yield obj, "row not written by this instance (its MAC does not verify)"
        elif model in (User, UserRole, RoleGrant) and not current(obj):
            yield obj, "an earlier state of the row, put back (it names an older account event)"


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
    if isinstance(obj, UserRole) and "user" in obj.__dict__:
        obj.event_seq = obj.user.event_seq  # a role row names its account's latest event
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


def _before_update(mapper: Mapper[Any], connection: Connection, obj: Any) -> None:
    """The MAC for the row as it will stand after this UPDATE, computed from the row as it
    stands in the database *now* (read under its lock), not as this session last loaded it:
    another transaction may have changed it since, and a MAC over stale values would break a
    genuine row, or bless a forged one."""
    names = COVERED[type(obj)]
    columns = [_PRESENCE.get(name, name) for name in names]
    table = mapper.local_table
    where = [table.c[c.key] == getattr(obj, c.key) for c in mapper.primary_key]
    stored = (
        connection.execute(
            select(*(table.c[c] for c in columns), table.c.row_mac).where(*where).with_for_update()
        )
        .mappings()
        .first()
    )
    if stored is None:
        return  # gone meanwhile: the UPDATE itself reports it
    before = [(n, _presence(n, stored[c])) for n, c in zip(names, columns, strict=True)]
    blessed = obj.__dict__.pop(_BLESS, False)
    if not blessed and not rowmac.verifies(row_key(), _table(obj), before, stored["row_mac"]):
        return  # not a row this instance wrote: it keeps its bad MAC
    state = inspect(obj)
    after = [
        (n, _value(obj, n) if state.attrs[c].history.has_changes() else value)
        for (n, value), c in zip(before, columns, strict=True)
    ]
    obj.row_mac = rowmac.mac(row_key(), _table(obj), after)


def _presence(name: str, value: object) -> object:
    return value is not None if name in _PRESENCE else value


def _keep_old_value(_target: Any, value: object, _old: object, _initiator: Any) -> object:
    return value


def listen() -> None:
    """Register the flush hooks once per process (the app factory). Every covered column keeps
    its old value when set (``active_history``), so the MAC it had can always be checked."""
    if not event.contains(Session, "after_commit", _forget_events):
        event.listen(Session, "after_commit", _forget_events)
        event.listen(Session, "after_rollback", _forget_events)
    for model, names in COVERED.items():
        if event.contains(model, "before_update", _before_update):
            continue
        event.listen(model, "before_insert", _before_insert)
        event.listen(model, "after_insert", _after_insert)
        event.listen(model, "before_update", _before_update)
        for name in (*names, "row_mac"):
            attribute = getattr(model, _PRESENCE.get(name, name))
            event.listen(attribute, "set", _keep_old_value, active_history=True, retval=True)
