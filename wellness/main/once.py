"""A form that must not be acted on twice (a reload, a double tap, Back and send again): each
carries a one-time token, made when the page is drawn. The first submission with it is
remembered, in the same transaction as what it did; a repeat is recognised and does nothing.

Only a hash of the token is kept, with the hour, and it names nothing it was used for: a
remembered token says that some form was sent, not which or by whom. Purged after a day.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from wellness.extensions import db
from wellness.main.models import UsedToken
from wellness.timeutil import floor_hour, utcnow
from wellness.transaction import use_case

R = TypeVar("R")
KEEP = timedelta(days=1)


class AlreadyDone(Exception):
    """This form was sent before (the same one-time token): nothing was done again."""


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _hash(token: str) -> str:
    return hashlib.sha256(b"wellness once\0" + token.encode()).hexdigest()


@use_case
def run(token: str | None, action: Callable[[], R]) -> R:
    """``action()`` unless ``token`` was used already (AlreadyDone); both commit together, so a
    failed action leaves the token unused. A form without a token (an old page) just runs."""
    if token:
        # No savepoint: SQLite's driver commits a savepoint opened outside a transaction when
        # it is released, which would keep the token of an action that then failed. A repeat
        # is found here, or (two at once) by the unique key, which fails the whole transaction.
        if db.session.get(UsedToken, _hash(token)) is not None:
            raise AlreadyDone
        db.session.add(UsedToken(id=_hash(token), at=floor_hour(utcnow())))
        try:
            db.session.flush()
        except IntegrityError:
            raise AlreadyDone from None
    return action()


@use_case
def purge() -> int:
    """Forget tokens older than a day (a page that old is refused as expired anyway)."""
    cutoff = utcnow() - KEEP
    return db.session.execute(delete(UsedToken).where(UsedToken.at < cutoff)).rowcount
