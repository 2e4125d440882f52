"""Scheduling and answering check-ins."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from wellness.cases import service as cases
from wellness.cases import state
from wellness.cases.keyholding import held
from wellness.cases.models import OPEN_STATUSES, Case, CaseEvent
from wellness.cases.service import Reader
from wellness.checkins import rules
from wellness.checkins.models import (
    ANSWERED,
    MISSED,
    SCHEDULED,
    SENT,
    CheckIn,
    PlanTemplate,
)
from wellness.crypto import fields, records
from wellness.extensions import db
from wellness.keyring import encrypt_field
from wellness.notifications import service as notifications
from wellness.timeutil import floor_hour, utcnow
from wellness.transaction import use_case

ANSWERABLE = (SENT, MISSED)


class CheckInError(Exception):
    """A check-in that cannot be scheduled or answered; the message says why."""


@use_case
def schedule(case_id: int, reader: Reader, due_times: list[datetime]) -> list[CheckIn]:
    """Add check-ins to a case the counselor holds; the officer is reminded when each is due."""
    now = utcnow()
    if not due_times or any(t <= now for t in due_times):
        raise CheckInError("Choose a time in the future.")
    case = db.session.get(Case, case_id)
    if case is not None and case.status not in OPEN_STATUSES:
        raise CheckInError("This case is closed.")
    content = cases.open_case(case_id, reader, "scheduling a check-in")
    if content.get("type") not in ("self_referral", "critical_incident"):
        raise CheckInError("Check-ins go to the person who asked for help; this case has none.")
    owner_id = (content.get("who") or {}).get("user_id")  # None: anonymous, uses the receipt
    return add(case_id, due_times, owner_id, reader.account.id)


def add(
    case_id: int, due_times: list[datetime], owner_id: int | None, created_by: int | None
) -> list[CheckIn]:
    """Insert check-ins (in the caller's transaction); ``owner_id`` is who to remind."""
    made = []
    for due in due_times:
        checkin = CheckIn(case_id=case_id, due_at=due, status=SCHEDULED, created_by=created_by)
        db.session.add(checkin)
        db.session.flush()
        if owner_id is not None:
            checkin.notify_token = encrypt_field(
                fields.CHECKIN_NOTIFY, checkin.id, str(owner_id).encode()
            )
        made.append(checkin)
    db.session.add(CaseEvent(case_id=case_id, actor_id=created_by, kind="check-ins scheduled"))
    return made


def schedule_plan(
    case_id: int, reader: Reader, template: PlanTemplate, start: datetime
) -> list[CheckIn]:
    """Schedule a plan template's check-ins, counted from ``start`` (see ``schedule``)."""
    return schedule(
        case_id, reader, rules.plan_times(start, rules.parse_offsets(template.offsets_hours))
    )


@use_case
def cancel(checkin_id: int, case_id: int) -> None:
    """Cancel one scheduled check-in of a case (the route has checked the case is held)."""
    state.cancel_checkins(case_id, checkin_id)


def for_case(case_id: int) -> list[CheckIn]:
    """The case's check-ins, in the order they fall due."""
    return list(
        db.session.scalars(
            select(CheckIn).where(CheckIn.case_id == case_id).order_by(CheckIn.due_at)
        )
    )


def waiting_for_answer(case_ids: list[int]) -> list[CheckIn]:
    """Check-ins the officer can answer now, on the given cases."""
    if not case_ids:
        return []
    return list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.case_id.in_(case_ids), CheckIn.status.in_(ANSWERABLE))
            .order_by(CheckIn.due_at)
        )
    )


def upcoming(case_ids: list[int]) -> list[CheckIn]:
    """Scheduled check-ins on the given cases, soonest first."""
    if not case_ids:
        return []
    return list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.case_id.in_(case_ids), CheckIn.status == SCHEDULED)
            .order_by(CheckIn.due_at)
        )
    )


@dataclass(frozen=True)
class Answer:
    rating: int  # 1 (struggling) .. 5 (doing well)
    wants_contact: bool
    text: str


@use_case
def answer(checkin_id: int, reader: Reader, given: Answer) -> None:
    """Store the officer's answer encrypted for the counselor, and tell the counselor."""
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None or checkin.status not in ANSWERABLE:
        raise CheckInError("This check-in is not open for an answer.")
    case, key = held(checkin.case_id, reader)  # only the officer (or their receipt) holds it
    now = utcnow()
    body = json.dumps(
        {
            "rating": given.rating,
            "wants_contact": given.wants_contact,
            "text": given.text,
            "at": now.isoformat(),  # exact, for the counselor; in clear only the hour
        }
    ).encode()
    checkin.answer = records.encrypt(key, body, fields.CHECKIN_ANSWER.context(checkin.id))
    checkin.status, checkin.answered_at = ANSWERED, floor_hour(now)
    if case.assignee_id is not None:
        notifications.notify([case.assignee_id], "checkin_answered", case.id)


def read_answers(case_id: int, key: bytes) -> dict[int, dict[str, Any]]:
    """Answers on a case, decrypted with a data key the caller already unsealed (and logged)."""
    out = {}
    for checkin in for_case(case_id):
        if checkin.answer is not None:
            plain = records.decrypt(key, checkin.answer, fields.CHECKIN_ANSWER.context(checkin.id))
            out[checkin.id] = json.loads(plain)
    return out


@use_case
def ensure_default_templates() -> None:
    """The plans every agency starts with, made once."""
    if db.session.scalar(select(PlanTemplate.id).limit(1)) is None:
        db.session.add(
            PlanTemplate(
                name="After a critical incident",
                offsets_hours=",".join(map(str, rules.CRITICAL_INCIDENT_PLAN)),
            )
        )
        db.session.add(PlanTemplate(name="Weekly for a month", offsets_hours="168,336,504,672"))


__all__ = ["ANSWERED", "MISSED", "Answer", "CheckInError"]
