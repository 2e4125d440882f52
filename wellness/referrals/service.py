"""Asking for help: self-referrals (named or anonymous) and concern reports.

Where a request goes is ``referrals.assignment``; finding an anonymous request by its receipt
code is ``referrals.receipt_lookup``; what the officer sees of their own is ``referrals.mine``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from wellness.accounts.models import User
from wellness.cases.service import Reader
from wellness.crypto import receipts
from wellness.extensions import db
from wellness.notifications import service as notifications
from wellness.referrals import assignment, receipt_lookup, routing, urgency
from wellness.referrals.models import Receipt
from wellness.referrals.screeners import Result
from wellness.transaction import use_case


class ColleagueNotFoundError(Exception):
    """The name matches nobody, or several people; ``candidates`` lists close matches."""

    def __init__(self, candidates: list[User]) -> None:
        super().__init__("colleague not found")
        self.candidates = candidates


@dataclass(frozen=True)
class SelfReferral:
    topics: list[str]
    text: str
    urgency: str
    supporter_type: str | None = None
    language: str | None = None
    contact_method: str = ""
    contact_details: str = ""
    contact_time: str = ""
    screener: Result | None = None
    unit_id: int | None = None  # anonymous only: keeps it away from their own unit
    # The officer's choices (routing.py): someone asked for, people not wanted, and who is
    # asking when it is not a member (anonymous form: a family member or a retiree).
    ask_for: int | None = None
    not_wanted: tuple[int, ...] = ()
    group: str | None = None
    outside_unit: bool = False  # anonymous: asked for someone outside their unit (kept, so a
    # counselor handing it on is reminded; the unit itself is never kept)


PickUnavailable = routing.PickUnavailable  # the person asked for cannot take it: nothing stored


@use_case
def raise_key_alert() -> None:
    """A key check failed during a sending that was then refused: alert admins and
    coordinators all the same (content-free), in a transaction of its own."""
    notifications.alert_operators("key_alert")


@dataclass(frozen=True)
class ConcernReport:
    subject: User
    behaviours: list[str]
    text: str
    urgency: str
    critical_incident: bool = False
    supervisor_report: bool = False
    observed_on: str = ""
    actions_taken: str = ""


@dataclass(frozen=True)
class Submitted:
    case_id: int
    crisis: bool
    routed: bool  # a counselor has it (else the coordinator's queue, or an alert)
    receipt_code: str | None = None
    urgency: str = "routine"  # what it is handled as (a concern may be escalated)
    contact_given: bool = True  # an anonymous officer who left no way to reach them: False
    told: str = "counselor"  # who was told: counselor / coordinators / outside / nobody
    fallback: bool = False  # a crisis paged to an available counselor, nobody on call being free
    pick_passed_over: bool = False  # a crisis: the person asked for could not take it now


def _submitted(placed: assignment.Placed, crisis: bool, **extra: Any) -> Submitted:
    return Submitted(
        placed.case.id,
        crisis,
        placed.decision.counselor_id is not None,
        told=placed.told,
        fallback=placed.decision.fallback,
        pick_passed_over=placed.decision.pick_passed_over,
        **extra,
    )


def _crisis(level: str, screener: Result | None) -> bool:
    return urgency.self_referral_urgency(level, bool(screener and screener.risk)) == "crisis"


def _wishes(referral: SelfReferral, crisis: bool) -> dict[str, Any]:
    return {
        "crisis": crisis,
        "supporter_type": referral.supporter_type,
        "language": referral.language,
        "specialties": frozenset(referral.topics),  # every topic chosen counts
        "pick": referral.ask_for,
        "not_wanted": frozenset(referral.not_wanted),
        "group": referral.group,
    }


def _referral_content(referral: SelfReferral) -> dict[str, Any]:
    return {
        "topics": referral.topics,
        "text": referral.text,
        "urgency": referral.urgency,
        "supporter_type": referral.supporter_type,
        "language": referral.language,
        # Kept inside the case: the not-wanted list holds on every later hand-over.
        "choice": {
            "asked_for": referral.ask_for,
            "not_wanted": list(referral.not_wanted),
            "outside_unit": referral.outside_unit,
        },
        "asker": referral.group or "member",
        "contact": {
            "method": referral.contact_method,
            "details": referral.contact_details,
            "time": referral.contact_time,
        },
        "screener": None
        if referral.screener is None
        else {
            "name": referral.screener.screener,
            "answers": list(referral.screener.answers),
            "score": referral.screener.score,
            "band": referral.screener.band.label,
            "risk": referral.screener.risk,
        },
    }


@use_case
def submit_self_referral(referral: SelfReferral, officer: Reader) -> Submitted:
    """A named request for help from a signed-in officer."""
    user = officer.account
    crisis = _crisis(referral.urgency, referral.screener)
    content = {
        "type": "self_referral",
        "named": True,
        **_referral_content(referral),
        "who": {
            "user_id": user.id,
            "name": user.display_name,
            "username": user.username,
            "unit": user.unit.name if user.unit else None,
        },
    }
    request = assignment.about(user.id, user.unit_id, **_wishes(referral, crisis))
    placed = assignment.route_and_store(
        "self_referral", "crisis" if crisis else referral.urgency, content, request, owner=officer
    )
    return _submitted(placed, crisis, urgency="crisis" if crisis else referral.urgency)


@use_case
def submit_anonymous_referral(referral: SelfReferral) -> Submitted:
    """A request for help with no account: the receipt code is returned once and kept nowhere."""
    crisis = _crisis(referral.urgency, referral.screener)
    code = receipts.new_code()
    params = receipt_lookup.bucket_params(receipts.tag(code))
    pair = receipts.derive_keypair(code, params)
    content = {"type": "self_referral", "named": False, **_referral_content(referral)}
    # The form says the unit is not stored: it routes, and no reason may mention it.
    request = assignment.about(
        None, referral.unit_id, private_unit=True, **_wishes(referral, crisis)
    )
    placed = assignment.route_and_store(
        "self_referral",
        "crisis" if crisis else referral.urgency,
        content,
        request,
        receipt_public=pair.public,
    )
    db.session.add(
        Receipt(
            case_id=placed.case.id,
            tag=receipts.tag(code),
            kdf=params.encode(),
            public_key=pair.public,
        )
    )
    return _submitted(
        placed,
        crisis,
        receipt_code=code,
        urgency="crisis" if crisis else referral.urgency,
        contact_given=bool(referral.contact_details),
    )


@use_case
def submit_concern(report: ConcernReport, reporter: Reader) -> Submitted:
    """A colleague concern or a supervisor's concern report; the reporter learns only status."""
    user, subject = reporter.account, report.subject
    level = urgency.concern_urgency(report.urgency, report.behaviours)
    content = {
        "type": "supervisor_report" if report.supervisor_report else "concern",
        "subject": {
            "user_id": subject.id,
            "name": subject.display_name,
            "username": subject.username,
            "unit": subject.unit.name if subject.unit else None,
        },
        "reporter": {"user_id": user.id, "name": user.display_name, "username": user.username},
        "behaviours": report.behaviours,
        "critical_incident": report.critical_incident,
        "text": report.text,
        "urgency": level,
        "urgency_chosen": report.urgency,
        "observed_on": report.observed_on,
        "actions_taken": report.actions_taken,
    }
    request = assignment.about(
        subject.id,
        subject.unit_id,
        user.id,
        crisis=level == "crisis",
        specialties=_concern_specialties(report),
    )
    kind = "supervisor_report" if report.supervisor_report else "concern"
    placed = assignment.route_and_store(kind, level, content, request, reporter=reporter)
    return _submitted(placed, level == "crisis", urgency=level)


# What a concern is about, in the words counselors list as specialties (referral topics).
CONCERN_SPECIALTIES = {"critical incident", "alcohol", "family", "sleep"}


def _concern_specialties(report: ConcernReport) -> frozenset[str]:
    chosen = set(report.behaviours) & CONCERN_SPECIALTIES
    if report.critical_incident:
        chosen.add("critical incident")
    return frozenset(chosen)


def find_colleague(text: str, reporter: User) -> User:
    """The colleague meant, by username or full name; ColleagueNotFoundError when unsure."""
    text = " ".join(text.split())
    exact = db.session.scalar(
        select(User).where(User.username == text.lower(), User.active.is_(True))
    )
    if exact is None:
        named = db.session.scalars(
            select(User)
            .where(func.lower(User.display_name) == text.lower(), User.active.is_(True))
            .limit(2)
        ).all()
        exact = named[0] if len(named) == 1 else None
    if exact is not None and exact.id != reporter.id:
        return exact
    close = (
        db.session.scalars(
            select(User)
            .where(
                User.display_name.ilike(f"%{_escape_like(text)}%", escape="\\"),
                User.active.is_(True),
                User.id != reporter.id,
            )
            .order_by(User.display_name)
            .limit(5)
        ).all()
        if text
        else []
    )
    raise ColleagueNotFoundError(list(close))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
