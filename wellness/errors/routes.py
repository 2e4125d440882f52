"""Friendly error pages that reveal nothing: no stack, no input echoed, no detail."""

from __future__ import annotations

import contextlib
import sqlite3

import psycopg
from flask import Blueprint, current_app, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from wellness.extensions import db
from wellness.logsafe import describe_exception
from wellness.program import crisis

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: (
        "This request could not be used",
        "The form may have expired. Go back, reload the page and try again.",
    ),
    403: ("Not available to you", "Your account does not have access to this page."),
    404: ("Page not found", "There is nothing here. Check the address or go back to the start."),
    405: ("Not allowed", "That action cannot be done this way."),
    413: (
        "Too much to send",
        "What you sent is larger than this service accepts. Please shorten it.",
    ),
    429: ("Too many attempts", "Please wait a few minutes before trying again."),
    500: (
        "Something went wrong on our side",
        "Nothing you did caused this. Please try again in a moment.",
    ),
    503: ("Temporarily unavailable", "The service is briefly unavailable. Please try again soon."),
}


def render_error(code: int) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message), code


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_error(400)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_error(code if code in MESSAGES else 400 if code < 500 else 500)


@bp.app_errorhandler(InternalServerError)
def server_error(error: InternalServerError) -> tuple[str, int]:
    return render_error(500)  # already logged, safely, by WellnessFlask.log_exception


def render_standalone(template: str, **context: object) -> str:
    """Render a page that must work with the database down (the crisis numbers, the 503 page).

    Context processors are skipped on purpose: they look at the signed-in account, which means
    the database, and one failing there would turn a calm page into a bare error.
    """
    return current_app.jinja_env.get_template(template).render(**context)


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
