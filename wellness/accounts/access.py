"""Who may open a page: the one place role checks are made for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, session
from flask_login import current_user, login_required

from wellness.accounts import sessions
from wellness.accounts.models import Role


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed in and holding at least one of ``roles``; otherwise 403 (or the sign-in page)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_private_key() -> bytes:
    """The signed-in person's private key, unwrapped for this request only."""
    return sessions.session_private_key(session["sid"], session["skey"])
