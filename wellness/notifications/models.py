"""In-app notifications. They say only that something is waiting, never what or about whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db
from wellness.timeutil import utcnow


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PushSubscription(db.Model):
    """A browser's Web Push subscription, given by its owner (opt-in). ``box`` holds the push
    service's endpoint and the browser's keys, encrypted under the server key (class B: the
    scheduler must push with nobody signed in); removed when the push service says it is gone."""

    __tablename__ = "push_subscriptions"
    # Ids never reused (SQLite would hand a deleted row's id on): a queued push names one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)  # one row per browser
    box: Mapped[str] = mapped_column(Text)  # a server-key token (crypto.fields.PUSH_SUBSCRIPTION)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
