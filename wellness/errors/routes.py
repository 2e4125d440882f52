"""Friendly error pages that reveal nothing: no stack, no input echoed, no detail."""

from __future__ import annotations

import contextlib
import sqlite3

import psycopg
from flask import Blueprint, Response, current_app, flash, redirect
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from wellness.cases.keyholding import CaseClosedError, NotSharedError
from wellness.errors.pages import MESSAGES, expired_form, render_error, render_standalone
from wellness.extensions import db
from wellness.logsafe import describe_exception
from wellness.main import drafts
from wellness.program import crisis

bp = Blueprint("errors", __name__)


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> Response | tuple[str, int]:
    """A form refused by its CSRF check: nothing was done. What was typed is kept only when
    the form carried this browser's own token, gone stale (main.drafts); a missing or forged
    token is refused outright, so no other site can plant text in someone's form."""
    return expired_form()


@bp.app_errorhandler(CaseClosedError)
def case_closed(error: CaseClosedError) -> Response:
    """Something sent to a closed case (from a page open since before it closed): nothing was
    done; back to that page, saying so."""
    flash(str(error))
    return redirect(drafts.page_of_this_form())


@bp.app_errorhandler(NotSharedError)
def not_shared(error: NotSharedError) -> tuple[str, int]:
    """A case that is not the reader's (or no longer exists) is simply not found."""
    return render_error(404)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_error(code if code in MESSAGES else 400 if code < 500 else 500)


@bp.app_errorhandler(InternalServerError)
def server_error(error: InternalServerError) -> tuple[str, int]:
    return render_error(500)  # already logged, safely, by WellnessFlask.log_exception


def _unreachable(error: SQLAlchemyError) -> bool:
    """The database cannot be reached or is too busy right now (worth a retry), as opposed to a
    mistake in a query or a missing migration (a 500, to be fixed)."""
    if isinstance(error, PoolTimeout) or getattr(error, "connection_invalidated", False):
        return True
    orig = getattr(error, "orig", None)
    if isinstance(orig, psycopg.OperationalError):
        state = getattr(orig, "sqlstate", None) or ""
        # 08: connection failures, 40: deadlock/serialization, 53: out of resources,
        # 57: shutdown or statement timeout; none (before a connection exists) too.
        return state[:2] in ("", "08", "40", "53", "57")
    if isinstance(orig, (psycopg.InterfaceError, sqlite3.InterfaceError)):
        return True
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig)
        return any(word in text for word in ("locked", "busy", "unable to open", "disk I/O"))
    return orig is None


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InterfaceError)
@bp.app_errorhandler(PoolTimeout)
def database_unavailable(error: SQLAlchemyError) -> tuple[str, int, dict[str, str]]:
    """The database cannot be reached: a calm 503 with the crisis numbers.

    The transaction is rolled back. A request writes what it was asked to do in one transaction,
    so either all of it was saved before the failure or none of it. Other database errors
    (a faulty query, a missing migration) are not hidden behind this page: they are a 500.
    """
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()
    if not _unreachable(error):
        current_app.logger.error("database error: %s", describe_exception(error))
        return (
            render_standalone("errors/unavailable.html", numbers=_numbers(), broken=True),
            500,
            {},
        )
    current_app.logger.error("database unavailable: %s", describe_exception(error))
    page = render_standalone("errors/unavailable.html", numbers=_numbers(), broken=False)
    return page, 503, {"Retry-After": "30"}


def _numbers() -> crisis.CrisisNumbers:
    return crisis.load(current_app.instance_path)
