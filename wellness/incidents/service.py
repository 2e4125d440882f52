"""Critical incidents: outreach and a follow-up plan for every member involved; anyone may
decline, and their plan stops."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from wellness.accounts.models import User
from wellness.cases import state
from wellness.cases.keyholding import Reader, held
from wellness.cases.models import OPEN_STATUSES, Case
from wellness.checkins import rules
from wellness.checkins import service as checkins
from wellness.extensions import db
from wellness.incidents.models import Incident
from wellness.notifications import service as notifications
from wellness.referrals import assignment
from wellness.statistics.suppression import suppress_value
from wellness.timeutil import floor_hour, utcnow
from wellness.transaction import use_case

MAX_MEMBERS = 200


class IncidentError(Exception):
    """An incident that cannot be recorded as given; the message says why."""


def find_members(usernames: list[str]) -> list[User]:
    """Active accounts for the given usernames; IncidentError naming any that are unknown."""
    wanted = sorted({u.strip().lower() for u in usernames if u.strip()})
    if not wanted:
        raise IncidentError("Name at least one member involved.")
    if len(wanted) > MAX_MEMBERS:
        raise IncidentError(f"At most {MAX_MEMBERS} members per incident.")
    found = db.session.scalars(
        select(User).where(User.username.in_(wanted), User.active.is_(True))
    ).all()
    missing = sorted(set(wanted) - {u.username for u in found})
    if missing:
        raise IncidentError("No active account for: " + ", ".join(missing[:10]))
    waiting = sorted(u.username for u in found if u.must_change_password)
    if waiting:
        # Their key is still under a one-time password the admin saw: nothing is sealed to it.
        raise IncidentError(
            "These members have not chosen their own password yet: " + ", ".join(waiting[:10])
        )
    return list(found)


@use_case
def record(
    kind: str,
    occurred_on: date,
    members: list[User],
    offsets: tuple[int, ...],
    coordinator: User,
    start: datetime | None = None,
) -> Incident:
    """The incident, and for each member a routed outreach case and a follow-up plan."""
    start = start or utcnow()
    incident = Incident(
        kind=kind,
        occurred_on=occurred_on,
        member_count=len(members),
        plan_offsets_hours=",".join(map(str, offsets)),
        created_by=coordinator.id,
    )
    db.session.add(incident)
    db.session.flush()
    involved = frozenset(m.id for m in members)
    for member in members:
        content = {
            "type": "critical_incident",
            "named": True,
            "urgency": "soon",
            "incident": {"kind": kind, "date": occurred_on.isoformat()},
            "who": {
                "user_id": member.id,
                "name": member.display_name,
                "username": member.username,
                "unit": member.unit.name if member.unit else None,
            },
            "text": f"Outreach after a {kind} on {occurred_on:%d %b %Y}. Follow-up check-ins "
            "are planned; the member may decline them.",
            # Nobody involved in the incident is given a colleague's outreach for it, on
            # routing or on any later transfer.
            "involved": sorted(involved),
        }
        request = assignment.about(
            member.id,
            member.unit_id,
            specialties=frozenset({"critical incident"}),
            involved=involved,
        )
        case = assignment.route_and_store(
            "critical_incident", "soon", content, request, owner_account=member
        ).case
        case.incident_id = incident.id
        checkins.add(case.id, rules.plan_times(start, offsets), member.id, coordinator.id)
    return incident


@use_case
def decline(case_id: int, member: Reader) -> None:
    """The member declines: scheduled check-ins stop and the counselor is told."""
    # the index can be stale: holding the key is the proof
    case, _ = held(case_id, member, kind="critical_incident")
    if case.status not in OPEN_STATUSES:
        return
    # The member's own act: its time in clear only to the hour (it points at who).
    state.close(case, "declined", "declined by the member", None, floor_hour(utcnow()))
    if case.assignee_id is not None:
        notifications.notify([case.assignee_id], "declined", case.id)


def overview() -> list[tuple[Incident, int]]:
    """Incidents, newest first, with how many members declined."""
    rows = db.session.scalars(select(Incident).order_by(Incident.occurred_on.desc())).all()
    declined = dict(
        db.session.execute(
            select(Case.incident_id, db.func.count())
            .where(Case.outcome == "declined", Case.incident_id.is_not(None))
            .group_by(Case.incident_id)
        ).all()
    )
    # Few members: a count of declines would say who declined.
    return [
        (incident, suppress_value(incident.member_count, declined.get(incident.id, 0)))
        for incident in rows
    ]
