"""The policy and the bulletins: reading, publishing, acknowledging and answering (the
completion report is ``training.report``). Reads and writes only the training tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, exists, func, inspect, select, update
from sqlalchemy.exc import IntegrityError

from wellness.extensions import db
from wellness.timeutil import to_zone, utcnow
from wellness.training import rules
from wellness.training.models import (
    Bulletin,
    BulletinAnswer,
    PolicyAcknowledgment,
    PolicyVersion,
)
from wellness.transaction import insert_unless_present, use_case

TOPICS = {
    "backup": "Backup",
    "specialist": "Specialist units",
    "supervisor": "A supervisor's advice",
    "colleague": "A colleague",
    "self": "Looking after yourself",
}
SEED = Path(__file__).parent / "seed"


class PublishClashError(ValueError):
    """Someone else published a version at the same moment."""


def today() -> date:
    """The agency's day (its ``TIMEZONE``): what the record keeps and bulletins are dated by."""
    return to_zone(utcnow(), current_app.config["TIMEZONE"]).date()


# The policy ---------------------------------------------------------------------------------


def current_policy() -> PolicyVersion | None:
    """The latest version (the one members are asked to acknowledge), if any was published."""
    return db.session.scalar(select(PolicyVersion).order_by(PolicyVersion.number.desc()).limit(1))


def policy_versions() -> list[PolicyVersion]:
    """Every version, newest first."""
    return list(db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.number.desc())))


def policy_version(number: int) -> PolicyVersion | None:
    return db.session.scalar(select(PolicyVersion).where(PolicyVersion.number == number))


@use_case
def publish_policy(fields: rules.PolicyFields, by: int | None, on: date) -> PolicyVersion:
    """A new version, numbered after the latest; every member is asked to acknowledge it at
    their next sign-in."""
    latest = db.session.scalar(select(func.max(PolicyVersion.number))) or 0
    version = PolicyVersion(
        number=latest + 1,
        title=fields.title.strip(),
        body=fields.body.strip(),
        changes=fields.changes.strip(),
        published_on=on,
        published_by=by,
    )
    db.session.add(version)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise PublishClashError(
            "Someone published a version at the same moment. Read it, then publish yours."
        ) from exc
    return version


def acknowledged_on(user_id: int, version_id: int) -> date | None:
    return db.session.scalar(
        select(PolicyAcknowledgment.acknowledged_on).where(
            PolicyAcknowledgment.user_id == user_id, PolicyAcknowledgment.version_id == version_id
        )
    )


def acknowledgments(user_id: int) -> dict[int, date]:
    """Version id -> the day the member acknowledged it."""
    rows = db.session.execute(
        select(PolicyAcknowledgment.version_id, PolicyAcknowledgment.acknowledged_on).where(
            PolicyAcknowledgment.user_id == user_id
        )
    )
    return dict(rows.all())


@use_case
def acknowledge(user_id: int, version: PolicyVersion, on: date) -> bool:
    """Record "I have read and understand" (once: a second time changes nothing); True if
    recorded now."""
    return _insert_new(
        PolicyAcknowledgment, {"user_id": user_id, "version_id": version.id, "acknowledged_on": on}
    )


def _insert_new(model: type, values: dict[str, object]) -> bool:
    """Insert a row unless its key is taken (a repeat, or twice at once: the first stands);
    True if new."""
    # RETURNING, not the row count: PostgreSQL's driver reports -1 for this statement.
    key = inspect(model).primary_key[0]
    return (
        db.session.scalar(insert_unless_present(model).values(**values).returning(key)) is not None
    )


def needs_acknowledgment(user_id: int) -> bool:
    """A current version exists and the member has not acknowledged it."""
    return waiting(user_id, today()).policy


# What waits for a member ----------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    policy: bool  # the current version waits for their acknowledgment
    bulletin_id: int | None  # today's bulletin, unanswered

    def __bool__(self) -> bool:
        return self.policy or self.bulletin_id is not None


def waiting(user_id: int, day: date) -> Waiting:
    """What the training page has for the member now, in one query (shown on every page)."""
    latest = (
        select(PolicyVersion.id).order_by(PolicyVersion.number.desc()).limit(1).scalar_subquery()
    )
    todays = select(Bulletin.id).where(Bulletin.published_on == day).scalar_subquery()
    row = db.session.execute(
        select(
            latest,
            exists().where(
                PolicyAcknowledgment.user_id == user_id, PolicyAcknowledgment.version_id == latest
            ),
            todays,
            exists().where(BulletinAnswer.user_id == user_id, BulletinAnswer.bulletin_id == todays),
        )
    ).one()
    version, acked, bulletin, answered = row
    return Waiting(version is not None and not acked, None if answered else bulletin)


# Bulletins -----------------------------------------------------------------------------------


def queued() -> list[Bulletin]:
    """Bulletins not yet published, in the order they will go out."""
    return list(
        db.session.scalars(
            select(Bulletin)
            .where(Bulletin.published_on.is_(None))
            .order_by(Bulletin.position, Bulletin.id)
        )
    )


def recent_bulletins(day: date) -> list[Bulletin]:
    """Bulletins published in the 30 days that end with ``day``, newest first."""
    return list(
        db.session.scalars(
            select(Bulletin)
            .where(Bulletin.published_on >= rules.window_start(day), Bulletin.published_on <= day)
            .order_by(Bulletin.published_on.desc())
        )
    )


def published_bulletin(bulletin_id: int, day: date) -> Bulletin | None:
    """A bulletin members may read: published, on or before ``day``."""
    return db.session.scalar(
        select(Bulletin).where(
            Bulletin.id == bulletin_id,
            Bulletin.published_on.is_not(None),
            Bulletin.published_on <= day,
        )
    )


def answered(user_id: int, bulletin_ids: list[int]) -> dict[int, date]:
    """Of ``bulletin_ids``, those the member answered -> the day."""
    if not bulletin_ids:
        return {}
    rows = db.session.execute(
        select(BulletinAnswer.bulletin_id, BulletinAnswer.answered_on).where(
            BulletinAnswer.user_id == user_id, BulletinAnswer.bulletin_id.in_(bulletin_ids)
        )
    )
    return dict(rows.all())


@use_case
def answer(user_id: int, bulletin: Bulletin, on: date) -> None:
    """Record that the member answered (once). Which answer they chose is not kept anywhere."""
    _insert_new(BulletinAnswer, {"user_id": user_id, "bulletin_id": bulletin.id, "answered_on": on})


def _write(bulletin: Bulletin, fields: rules.BulletinFields) -> None:
    rules.check_bulletin(fields)
    answers = [a.strip() for a in fields.answers if a.strip()]
    bulletin.title, bulletin.topic = fields.title.strip(), fields.topic
    bulletin.situation, bulletin.question = fields.situation.strip(), fields.question.strip()
    bulletin.answers, bulletin.correct = answers, fields.correct
    bulletin.why, bulletin.ask = fields.why.strip(), fields.ask.strip()


@use_case
def add_bulletin(fields: rules.BulletinFields) -> Bulletin:
    """Put a bulletin at the end of the queue (BulletinError if it cannot be answered)."""
    last = db.session.scalar(select(func.max(Bulletin.position))) or 0
    bulletin = Bulletin(position=last + 1)
    _write(bulletin, fields)
    db.session.add(bulletin)
    db.session.flush()
    return bulletin


class AlreadyPublishedError(ValueError):
    """A published bulletin stays as members read it."""


@use_case
def edit_bulletin(bulletin: Bulletin, fields: rules.BulletinFields) -> None:
    _hold_queued(bulletin)
    _write(bulletin, fields)


def _hold_queued(bulletin: Bulletin) -> None:
    """Take the bulletin's row while it is still queued, so the scheduler cannot publish it
    until this transaction ends (it waits, then publishes what was saved); AlreadyPublishedError
    if it was published (or removed) since the page was drawn."""
    held = db.session.execute(
        update(Bulletin)
        .where(Bulletin.id == bulletin.id, Bulletin.published_on.is_(None))
        .values(position=Bulletin.position)
        .execution_options(synchronize_session=False)
    ).rowcount
    if held != 1:
        raise AlreadyPublishedError("This bulletin is published: it stays as members read it.")


@use_case
def move_bulletin(bulletin: Bulletin, place: int) -> None:
    """Put a queued bulletin at ``place`` in the queue (1 = next to go out): a place, not a
    step, so sending the same move twice moves it once."""
    _hold_queued(bulletin)
    line = queued()
    if bulletin not in line:
        raise AlreadyPublishedError("This bulletin is published: it is no longer in the queue.")
    line.remove(bulletin)
    line.insert(max(0, min(place - 1, len(line))), bulletin)
    for number, item in enumerate(line, start=1):
        item.position = number


@use_case
def remove_bulletin(bulletin: Bulletin) -> None:
    """Out of the queue, only while it is still queued (checked by the delete itself)."""
    gone = db.session.execute(
        delete(Bulletin)
        .where(Bulletin.id == bulletin.id, Bulletin.published_on.is_(None))
        .execution_options(synchronize_session=False)
    ).rowcount
    if gone != 1:
        raise AlreadyPublishedError("This bulletin is published: it stays as members read it.")


# Seeding ------------------------------------------------------------------------------------


def seed(on: date, by: int | None = None) -> tuple[int, int]:
    """The policy and bulletins the project ships (original text), into an empty training
    record (in the caller's transaction): (policy versions, bulletins) added."""
    added = (0, 0)
    if current_policy() is None:
        _, fields = rules.parse_policy((SEED / "policy.md").read_text(encoding="utf-8"))
        publish_policy(fields, by, on)
        added = (1, 0)
    if db.session.scalar(select(Bulletin.id).limit(1)) is None:
        items = rules.parse_bulletins((SEED / "bulletins.md").read_text(encoding="utf-8"))
        for fields in items:
            add_bulletin(fields)
        added = (added[0], len(items))
    return added
