"""The training record's tables (class C: agency material and an identified training record).

Every time kept here is a day, not a moment: acknowledging or answering often follows signing in,
and this record must not say when anyone was signed in (SECURITY.md, "The training wall"). No
column points at anything on the confidential side, and no column there points here.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db

TITLE_MAX = 120
CHANGES_MAX = 500
POLICY_MAX = 40_000
BULLETIN_TEXT_MAX = 1_000
ANSWER_MAX = 300


class PolicyVersion(db.Model):
    """One published version of the help-seeking policy; versions are never changed or removed,
    so every member can read what they acknowledged."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered safely (library.render)
    changes: Mapped[str] = mapped_column(String(CHANGES_MAX))  # "what changed", in a sentence
    published_on: Mapped[date] = mapped_column(Date)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PolicyAcknowledgment(db.Model):
    """A member's "I have read and understand" for one version, on a day."""

    __tablename__ = "policy_acknowledgments"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("policy_versions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    acknowledged_on: Mapped[date] = mapped_column(Date)


class PolicyReminder(db.Model):
    """The one reminder a member gets for a version still unacknowledged when it is overdue:
    its key makes the scheduler send it exactly once."""

    __tablename__ = "policy_reminders"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("policy_versions.id", ondelete="CASCADE"), primary_key=True
    )
    sent_on: Mapped[date] = mapped_column(Date)


class Bulletin(db.Model):
    """A daily training bulletin: a situation, a question, answers (one is the policy's), why,
    and a line on how to ask. Queued by ``position`` until the scheduler publishes it on a
    working day; ``published_on`` is unique, so two schedulers can never publish two in a day."""

    __tablename__ = "bulletins"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    topic: Mapped[str] = mapped_column(String(40))
    situation: Mapped[str] = mapped_column(String(BULLETIN_TEXT_MAX))
    question: Mapped[str] = mapped_column(String(ANSWER_MAX))
    answers: Mapped[list[str]] = mapped_column(JSON)
    correct: Mapped[int] = mapped_column(Integer)  # index into answers
    why: Mapped[str] = mapped_column(String(BULLETIN_TEXT_MAX))
    ask: Mapped[str] = mapped_column(String(ANSWER_MAX))
    published_on: Mapped[date | None] = mapped_column(Date, unique=True)


class BulletinAnswer(db.Model):
    """That a member answered a bulletin, and on which day: never which answer they chose."""

    __tablename__ = "bulletin_answers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bulletin_id: Mapped[int] = mapped_column(
        ForeignKey("bulletins.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    answered_on: Mapped[date] = mapped_column(Date)
