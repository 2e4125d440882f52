"""Never lose typing: when a form is sent after the session ended (the idle limit passed, or
the page expired), what was typed into it is held (``main.held``: server-side, encrypted under
a key only the browser holds, for a few minutes) and put back into the same form once the
person has signed in again. Secrets (passwords, codes) are never kept; nothing is sent on the
person's behalf.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import g, request
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from wellness.main import held

KIND = "draft"
ANY_AGE = 10 * 365 * 24 * 3600  # an expired page is exactly the case here: its age is no bar
NOT_KEPT = frozenset(
    {"csrf_token", "_from", "once", "username", "password", "current", "new", "confirm"}
    | {"code", "recovery_code", "safety_code"}
    | {"start", "ask_for"}  # a button opening a form: nothing typed
    | {"choice"}  # a training bulletin's answer: never kept anywhere (SECURITY.md)
)


def page_of_this_form() -> str:
    """The page the form was on (its ``_from`` field, from the one CSRF macro; pages send no
    Referer): where the person returns to after signing in again. Only a path on this site."""
    given = request.form.get("_from", "")
    parts = urlsplit(given)
    if given.startswith("/") and not given.startswith("//") and not parts.netloc:
        return parts.path
    return request.path


def restorable() -> bool:
    """Whether this browser has typing held, to be put back after signing in."""
    return held.holds(KIND)


def keep() -> str | None:
    """Hold what this POST carried for the page it came from; return that page, or None when
    nothing worth keeping was typed."""
    typed = {
        name: value
        for name, value in request.form.items()
        if name not in NOT_KEPT and isinstance(value, str) and value.strip()
    }
    if request.method != "POST" or not typed or not _from_this_browser():
        return None
    page = page_of_this_form()
    # With the form it came from (its endpoint): a page with two forms (a note and a message)
    # gets it back in that form only.
    held.hold(KIND, {"endpoint": request.endpoint, "fields": typed}, path=page)
    return page


def _from_this_browser() -> bool:
    """Whether the form carried this browser's own CSRF token, however old: only then was it
    filled in on this site, by this person. Another site's POST (which never carries the
    session cookie, nor a token matching it) cannot plant text in someone's form."""
    try:
        validate_csrf(request.form.get("csrf_token"), time_limit=ANY_AGE)
    except ValidationError:
        return False
    return True


def restored() -> dict[str, Any]:
    """What was typed on this page before the session ended (taken once, on a GET):
    ``{"endpoint": the form's, "fields": {name: text}}``, or empty."""
    if "draft_restored" not in g:
        g.draft_restored = (
            (held.take(KIND, path=request.path) or {}) if request.method == "GET" else {}
        )
    return g.draft_restored
