"""The error pages' words, and rendering a page that must work with the database down; used by
the error handlers (``errors.routes``) and by pages that answer an error their own way."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template

from wellness.main import drafts

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
    """The calm error page for ``code``: no stack, no input echoed, no detail."""
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=message), code


def render_standalone(template: str, **context: object) -> str:
    """Render a page that must work with the database down (the crisis numbers, the 503 page).

    Context processors are skipped on purpose: they look at the signed-in account, which means
    the database, and one failing there would turn a calm page into a bare error.
    """
    return current_app.jinja_env.get_template(template).render(**context)


def expired_form() -> Response | tuple[str, int]:
    """A form sent from a page open too long (its CSRF token expired): nothing was done.
    What was typed is kept and put back in the same form, which is shown again."""
    page = drafts.keep()
    if page is None:
        return render_error(400)
    flash(
        "The page had been open too long, so nothing was sent. What you typed is back in the "
        "form: please send it again."
    )
    return redirect(page)
