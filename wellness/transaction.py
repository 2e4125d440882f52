"""One transaction per use case.

A *use case* is what a route, a scheduled job or a command calls: submit a request, close a
case, reset a password. It is decorated with ``@use_case`` and is the only thing that commits:
at its end if it returns, or it rolls back if it raises. A use case called from inside another
joins the outer one's transaction (only the outermost commits), so a service never commits in
the middle of someone else's work, and a failure in the second half of a use case leaves nothing
of the first half saved.

One exception, named where it is used: a *refusal* (``keep=``) that is raised after only the
access log was written (a conflict found by reading who a case is about; a key that failed its
check, which raised an alert) keeps what was logged: the read happened, and the alert must be
seen. Such a refusal is raised before anything else is changed.

Work that goes through a backlog in batches commits each batch itself and is not a use case in
this sense: dispatching check-ins, sending the e-mail outbox (a claim, then each message once
sent), re-encrypting under a new server key; so does the recovery-key rotation, whose pin file
moves with its commit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from wellness.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

_depth: ContextVar[int] = ContextVar("use_case_depth", default=0)


def use_case(
    func: Callable[P, R] | None = None, *, keep: tuple[type[BaseException], ...] = ()
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Commit once at the end of the outermost use case; roll back if it raises, except for
    the refusals in ``keep`` (see the module docstring)."""

    def decorate(inner: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(inner)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            outermost = _depth.get() == 0
            token = _depth.set(_depth.get() + 1)
            try:
                result = inner(*args, **kwargs)
                if outermost:
                    db.session.commit()
                return result
            except keep:
                if outermost:
                    db.session.commit()
                raise
            except BaseException:
                if outermost:
                    db.session.rollback()
                raise
            finally:
                _depth.reset(token)

        return run

    return decorate if func is None else decorate(func)


@contextmanager
def read_snapshot() -> Iterator[Connection]:
    """A connection whose reads all see one moment, for work that must read several tables
    consistently while others keep writing (a backup; checking the access log against its
    head). Read-only on PostgreSQL (REPEATABLE READ); one read transaction on SQLite."""
    if db.engine.dialect.name == "postgresql":
        with (
            db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            conn.begin(),
        ):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            yield conn
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("BEGIN")  # SQLite: a read transaction holds one snapshot
        try:
            yield conn
        finally:
            conn.exec_driver_sql("COMMIT")


def insert_unless_present(model: type[db.Model]):  # type: ignore[name-defined,no-untyped-def]
    """An INSERT of ``model`` that skips a row whose key is already taken (ON CONFLICT DO
    NOTHING, on PostgreSQL and SQLite alike): how two writers at once leave exactly one row."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing()
