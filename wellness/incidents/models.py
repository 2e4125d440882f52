"""Critical incidents (PRODUCT.md flow 7). Who was involved is kept only inside each member's
encrypted case, never in this table."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db
from wellness.timeutil import utcnow

INCIDENT_KINDS = (
    "officer-involved shooting",
    "line-of-duty death",
    "line-of-duty injury",
    "child death",
    "mass-casualty event",
    "suicide of a colleague",
    "other",
)


class Incident(db.Model):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)
    plan_offsets_hours: Mapped[str] = mapped_column(String(200))
    member_count: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
