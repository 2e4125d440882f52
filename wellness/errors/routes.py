"""Friendly error pages that reveal nothing: no stack, no input echoed, no detail."""

from __future__ import annotations

import contextlib

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


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InterfaceError)
@bp.app_errorhandler(PoolTimeout)
def database_unavailable(error: SQLAlchemyError) -> tuple[str, int, dict[str, str]]:
    """The database cannot be reached: a calm 503 with the crisis numbers, and nothing saved.

    The transaction is rolled back (a request commits once, at its end, so nothing of it was
    kept). The page is standalone: it must not look up the account, which needs the database.
    """
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()
    current_app.logger.error("database unavailable: %s", describe_exception(error))
    numbers = crisis.load(current_app.instance_path)
    page = render_template("errors/unavailable.html", numbers=numbers)
    return page, 503, {"Retry-After": "30"}
