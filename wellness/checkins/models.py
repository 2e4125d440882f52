"""Follow-up check-ins: rows in the database are the schedule (the scheduler only reads them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db
from wellness.timeutil import utcnow

# scheduled -> sent -> answered | missed; or cancelled.
SCHEDULED, SENT, ANSWERED = "scheduled", "sent", "answered"
MISSED, CANCELLED = "missed", "cancelled"


class CheckIn(db.Model):
    __tablename__ = "check_ins"
    __table_args__ = (Index("ix_check_ins_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default=SCHEDULED)
    # Class B: who to remind, under the server key (the scheduler runs with no one signed in).
    # Empty for anonymous officers, who see check-ins on their receipt page.
    notify_token: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Class A: the officer's answers, under the case's data key.
    answer: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanTemplate(db.Model):
    """A named series of check-ins (hours after the start), editable by the coordinator."""

    __tablename__ = "plan_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    offsets_hours: Mapped[str] = mapped_column(String(200))  # "24,72,168,720,2160"


class Outbox(db.Model):
    """E-mails waiting to go; written in the same transaction as what they announce."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "claimed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_token: Mapped[str] = mapped_column(String(600))  # class B: the address, server key
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
