"""What the web layer keeps for a few minutes: pages to show once after a redirect, and the
one-time tokens of forms already acted on (wellness/main/held.py, once.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db
from wellness.timeutil import utcnow


class HeldPage(db.Model):
    """Held for one display: ``box`` is encrypted under a key only the browser holds."""

    __tablename__ = "held_pages"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # a hash of the handle
    box: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UsedToken(db.Model):
    """A form's one-time token, once acted on: a hash and the hour, naming nothing."""

    __tablename__ = "used_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
