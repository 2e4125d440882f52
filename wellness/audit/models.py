"""The append-only, hash-chained access log of every decryption of case content."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db
from wellness.timeutil import utcnow

REASON_MAX = 120


class AccessLogEntry(db.Model):
    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # counselor / coordinator / owner / recovery. The owner (who asked) is never named here.
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the log outlives users
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)  # entries of earlier releases
    # HMAC of the case id under the case's own log key, which is destroyed with the case.
    case_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    # The account a role change or reset was about (no case involved).
    account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # 1: earlier releases' unkeyed SHA-256 chain; 2: HMAC with instance/keys/audit.key;
    # 3: the same, naming the case by ``case_ref``.
    mac_version: Mapped[int] = mapped_column(Integer, default=3)
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(db.Model):
    """One row: the last entry written. Taking its row lock serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    # HMAC over (seq, last_hash): the head cannot be set back by someone without the key.
    mac: Mapped[str | None] = mapped_column(String(64))
