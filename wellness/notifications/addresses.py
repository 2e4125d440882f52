"""Where notices go: each person's e-mail address, class B under the server key.

The scheduler needs them with no one signed in (PRODUCT.md). Tokens are padded to one size, so
their length does not say how long an address is.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from wellness.accounts.models import User
from wellness.crypto import fields
from wellness.extensions import db
from wellness.keyring import decrypt_field, encrypt_field


def email_address(user: User) -> str | None:
    """Where to send ``user``'s notices, if they gave an address."""
    if not user.email_token:
        return None
    return decrypt_field(fields.USER_EMAIL, user.id, user.email_token).decode()


# Ids per query: a database takes only so many parameters in one statement (PostgreSQL's
# driver, 65,535), and a day's bulletin goes to every member.
CHUNK = 10_000


def email_addresses(user_ids: Iterable[int]) -> dict[int, str]:
    """Addresses of those of ``user_ids`` who gave one, a query per 10,000 ids (for batches of
    notices)."""
    wanted = sorted(set(user_ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = db.session.execute(
            select(User.id, User.email_token).where(
                User.id.in_(wanted[start : start + CHUNK]), User.email_token.is_not(None)
            )
        ).all()
        found |= {
            row.id: decrypt_field(fields.USER_EMAIL, row.id, row.email_token).decode()
            for row in rows
        }
    return found


def set_email_address(user: User, address: str | None) -> str | None:
    """Store a new address (or none); returns the old one if it changed, so it can be told."""
    old = email_address(user)
    user.email_token = (
        encrypt_field(fields.USER_EMAIL, user.id, address.encode()) if address else None
    )
    return old if old and old != address else None
