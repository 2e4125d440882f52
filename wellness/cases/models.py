"""Cases: what was asked, encrypted under the case's own data key, and who holds that key."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wellness.extensions import db
from wellness.timeutil import utcnow

# A case someone is still working: counts toward caseloads and shows on the dashboard.
OPEN_STATUSES = ("new", "contacted", "active")
CLOSED_STATUSES = ("closed", "referred out")


class KeyHolder(enum.StrEnum):
    USER = "user"  # a counselor or coordinator the case is shared with (named: routing needs it)
    OWNER = "owner"  # the officer who asked: never named in the database
    RECOVERY = "recovery"  # the program recovery key
    RECEIPT = "receipt"  # an anonymous officer, through the key their receipt code derives


class Case(db.Model):
    __tablename__ = "cases"
    # Never reuse the id of a destroyed case (SQLite would): an old index entry must not come
    # to point at someone else's case.
    __table_args__ = (
        # routing's open-caseload count reads only the open cases' entries
        Index("ix_cases_status_assignee", "status", "assignee_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="new")
    urgency: Mapped[str] = mapped_column(String(20), default="routine")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # To the hour: when someone asked is a clue to who asked. The exact times deadlines need
    # are class B, in ``times``.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    times: Mapped[str | None] = mapped_column(String(255))
    # Keys the access log's references to this case; deleted with the case, after which the
    # log's entries about it point at nothing (they still verify).
    log_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # Class B: which coordinators are clear of this case's conflicts (referrals.assignment);
    # only they hear of it or see it in the queue.
    leads: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    contacted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the first-contact deadline passed and the coordinator was told.
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Generic only ("resolved", "referred out", "declined"): where to is inside a note.
    outcome: Mapped[str | None] = mapped_column(String(30))
    # Counts only ("3 eligible; 2 excluded: in the subject's unit"): never a name or a unit.
    routing_summary: Mapped[str] = mapped_column(String(400), default="")
    # Class A: JSON (what was written, topics, who it is about, who asked) under the data key.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    shredded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )

    keys: Mapped[list[CaseKey]] = relationship(back_populates="case", cascade="all, delete-orphan")


class CaseKey(db.Model):
    """The case's data key sealed to one holder; deleting every row shreds the case."""

    __tablename__ = "case_keys"
    __table_args__ = (Index("ix_case_keys_case_holder", "case_id", "holder", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    holder: Mapped[KeyHolder] = mapped_column(
        Enum(
            KeyHolder,
            name="key_holder",
            native_enum=False,
            length=20,
            values_callable=lambda members: [m.value for m in members],
        )
    )
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)  # only for USER holders
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship(back_populates="keys")


class Message(db.Model):
    """One message in a case's thread; the body is class A under the case's data key."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # counselor / owner / anonymous. The officer is never named, even when signed in.
    sender: Mapped[str] = mapped_column(String(20))
    counselor_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class CaseEvent(db.Model):
    """The timeline of a case: what happened and when, never what was said (class C)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))


class Note(db.Model):
    """A counselor's note on a case: class A under the case's data key."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[bytes] = mapped_column(LargeBinary)
