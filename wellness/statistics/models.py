"""What retention leaves of a destroyed case: one id-free row for the program's statistics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db
from wellness.timeutil import utcnow


class ArchivedCase(db.Model):
    __tablename__ = "archived_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_month: Mapped[str] = mapped_column(String(7))  # "2026-11": no day, no case id
    kind: Mapped[str] = mapped_column(String(30))
    urgency: Mapped[str] = mapped_column(String(20))
    first_contact_minutes: Mapped[float | None] = mapped_column(Float)


class Release(db.Model):
    """The figures of one completed period, made once (differentially private) and never
    recomputed: what command staff and every export see (statistics/release.py)."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)  # "2026-11" or "2026-Q4"
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    epsilon: Mapped[float] = mapped_column(Float)
    figures: Mapped[dict] = mapped_column(JSON)
