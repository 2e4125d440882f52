"""Program-wide key material kept in the database: public halves and sealed boxes only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db
from wellness.timeutil import utcnow


class RecoveryKey(db.Model):
    """The public half of the program recovery key; the private half is on paper, offline."""

    __tablename__ = "recovery_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RetiredUserKey(db.Model):
    """A keypair replaced by a password reset, sealed to recovery until access is restored."""

    __tablename__ = "retired_user_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    recovery_sealed_key: Mapped[bytes] = mapped_column(LargeBinary)
    # Earlier releases copied the index here; it now stays in case_indexes, found again with
    # the retired key when access is restored.
    case_index: Mapped[bytes | None] = mapped_column(LargeBinary)
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    restored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # This instance's MAC over the row (keys/rows.py).
    row_mac: Mapped[bytes | None] = mapped_column(LargeBinary)


class IndexInbox(db.Model):
    """Index entries waiting for someone who was not signed in when they were made (an incident
    outreach, a restore). Sealed to that person's key and padded like every index, with no user
    id: a database copy cannot tell whom a box is for, and each person's own index keeps its
    one-box size until they sign in and take theirs."""

    __tablename__ = "index_inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    box: Mapped[bytes] = mapped_column(LargeBinary)


class CaseIndex(db.Model):
    """A person's private index of their own cases, under a handle only their private key
    derives. Made with their first entry, never in a transaction that writes their account (so
    not even PostgreSQL's row versions tie the two), and rewritten with every other index daily:
    no column, size step or row version says whose it is."""

    __tablename__ = "case_indexes"
    __table_args__ = {"sqlite_with_rowid": False}

    handle: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    box: Mapped[bytes] = mapped_column(LargeBinary)
