"""The completion report supervisors, coordinators and admins see: who has acknowledged the
current policy version and how many of the last 30 days' bulletins each member answered; as a
page and as CSV. Completion only: which answer anyone chose is not kept."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, select

from wellness.accounts.models import User
from wellness.agency.chain import units_under
from wellness.agency.models import Unit
from wellness.extensions import db
from wellness.timeutil import as_utc, to_zone, utcnow
from wellness.training import rules
from wellness.training.models import Bulletin, BulletinAnswer, PolicyAcknowledgment, PolicyVersion


def scope(user: User, whole_agency: bool) -> set[int] | None:
    """The units whose members' record ``user`` sees: None for the whole agency (the caller
    says so for coordinators and admins whose role holds: ``access.holds``), else the units
    they supervise and every unit below them (maybe none)."""
    if whole_agency:
        return None
    rows = db.session.execute(select(Unit.id, Unit.parent_id, Unit.supervisor_id)).all()
    parent_of = {row.id: row.parent_id for row in rows}
    supervisor_of = {row.id: row.supervisor_id for row in rows}
    return units_under(user.id, parent_of, supervisor_of)


@dataclass(frozen=True)
class MemberRow:
    name: str
    unit: str
    acknowledged_on: date | None
    overdue: bool
    answered: int
    due: int

    @property
    def percent(self) -> int | None:
        return rules.percent(self.answered, self.due)


@dataclass(frozen=True)
class Report:
    version: PolicyVersion | None
    since: date
    published: int
    rows: list[MemberRow]

    @property
    def not_acknowledged(self) -> list[MemberRow]:
        return [row for row in self.rows if self.version and row.acknowledged_on is None]


def report(
    units: set[int] | None, version: PolicyVersion | None, day: date, ack_days: int
) -> Report:
    """Each active member of ``units`` (None: everyone): whether they acknowledged the current
    ``version``, and how many of the bulletins of the last 30 days they answered (counted from the
    day they joined, if later). Never what they chose: it is not kept. Members are selected by
    a subquery, never a list of ids, so the agency's size is no limit."""
    zone = current_app.config["TIMEZONE"]
    since, now = rules.window_start(day), utcnow()
    in_scope = select(User.id).where(User.active.is_(True))
    if units is not None:
        in_scope = in_scope.where(User.unit_id.in_(units or {-1}))
    people = db.session.execute(
        select(User.id, User.display_name, User.created_at, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.id.in_(in_scope))
        .order_by(Unit.name, User.display_name, User.id)
    ).all()
    acks: dict[int, date] = {}
    if version is not None:
        acks = dict(
            db.session.execute(
                select(PolicyAcknowledgment.user_id, PolicyAcknowledgment.acknowledged_on).where(
                    PolicyAcknowledgment.version_id == version.id,
                    PolicyAcknowledgment.user_id.in_(in_scope),
                )
            ).all()
        )
    window = and_(Bulletin.published_on >= since, Bulletin.published_on <= day)
    published = [d for d in db.session.scalars(select(Bulletin.published_on).where(window)) if d]
    answers = (
        select(BulletinAnswer.user_id)
        .join(Bulletin, Bulletin.id == BulletinAnswer.bulletin_id)
        .where(window, BulletinAnswer.user_id.in_(in_scope))
    )
    counts = dict(
        db.session.execute(answers.add_columns(func.count()).group_by(BulletinAnswer.user_id)).all()
    )
    # Those who joined within the window count from the day they joined: their answers by day.
    joined = {p.id: to_zone(p.created_at, zone).date() for p in people}
    recent = {user_id for user_id, on in joined.items() if on > since}
    answered_days: dict[int, list[date]] = {}
    if recent:
        for user_id, on in db.session.execute(
            answers.add_columns(Bulletin.published_on).where(
                BulletinAnswer.user_id.in_(in_scope.where(User.created_at >= _start_of(since)))
            )
        ):
            answered_days.setdefault(user_id, []).append(on)
    rows = []
    for person in people:
        if person.id in recent:
            done, due = rules.completion(
                published, answered_days.get(person.id, []), joined[person.id]
            )
        else:
            done, due = counts.get(person.id, 0), len(published)
        acked = acks.get(person.id)
        overdue = (
            version is not None
            and acked is None
            and rules.ack_overdue(
                version.published_on, as_utc(person.created_at), day, now, ack_days
            )
        )
        rows.append(
            MemberRow(person.display_name, person.name or "No unit", acked, overdue, done, due)
        )
    return Report(version, since, len(published), rows)


def _start_of(day: date) -> datetime:
    """The first moment of ``day`` in UTC, a day early: a bound that misses no one who joined
    on it, whatever the agency's zone."""
    return datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=UTC)


def to_csv(found: Report) -> str:
    """The report as CSV: completion only (there is no record of which answer anyone chose)."""
    out = io.StringIO()
    writer = csv.writer(out)
    version = found.version.number if found.version else ""
    writer.writerow(
        [
            "name",
            "unit",
            f"policy version {version} acknowledged on",
            "acknowledgment overdue",
            f"bulletins answered since {found.since.isoformat()}",
            "bulletins published to them",
        ]
    )
    for row in found.rows:
        writer.writerow(
            [
                rules.csv_cell(row.name),
                rules.csv_cell(row.unit),
                row.acknowledged_on.isoformat() if row.acknowledged_on else "",
                "yes" if row.overdue else "no",
                row.answered,
                row.due,
            ]
        )
    return out.getvalue()
