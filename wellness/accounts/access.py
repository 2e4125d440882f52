"""Who may open a page: the one place role checks are made for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, session, url_for
from flask_login import current_user, login_required

from wellness.accounts import sessions
from wellness.accounts.models import CASE_ROLES, Role
from wellness.keys import trust


def holds(user: Any, role: Role) -> bool:
    """``user`` holds ``role``: a role row this instance wrote (keys/rows.py), so a role row
    written into the database opens nothing; and a role that reads cases counts only once a
    coordinator has confirmed the person (its endorsement verifies), so an account taken over
    by a reset opens no counselor or coordinator page."""
    if not user.has_role(role) or not trust.role_row_ok(user, role):
        return False
    return role not in CASE_ROLES or trust.endorsed(user, role)


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed in and holding at least one of ``roles``; otherwise 403 (or the sign-in page)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not any(holds(current_user, role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def start_page(user: Any) -> str:
    """Where someone lands after signing in: where their work is. The coordinator's queue
    (what needs action first), a counselor's cases, administration, or the officer's own
    requests."""
    for role, endpoint in (
        (Role.COORDINATOR, "program.queue"),
        (Role.COUNSELOR, "cases.my_cases"),
        (Role.ADMIN, "admin.users"),
    ):
        if holds(user, role):
            return url_for(endpoint)
    return url_for("referrals.my_referrals")


def safe_next(value: str | None) -> str | None:
    """A path on this site to return to (after signing in, or acknowledging the policy): never
    another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else None


def current_private_key() -> bytes:
    """The signed-in person's private key, unwrapped for this request only."""
    return sessions.session_private_key(session["sid"], session["skey"])
