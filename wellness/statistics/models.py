"""What retention leaves of a destroyed case: one id-free row for the program's statistics."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db


class ArchivedCase(db.Model):
    __tablename__ = "archived_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_month: Mapped[str] = mapped_column(String(7))  # "2026-11": no day, no case id
    kind: Mapped[str] = mapped_column(String(30))
    urgency: Mapped[str] = mapped_column(String(20))
    first_contact_minutes: Mapped[float | None] = mapped_column(Float)
