"""Putting a new case in someone's hands: the roster, the conflict facts about the person a
case is about, routing (``referrals.routing``, pure), and what happens when routing finds no
one. Never silent, never nobody: every case reaches a person, or raises an alert people see.

- A counselor: the case is sealed to them and they are told (a crisis: paged).
- Nobody eligible: the case goes to the coordinator's queue, sealed only to coordinators who
  pass the same conflict rules as counselors (never the subject, the reporter, or anyone in the
  subject's chain of command, under the subject, or in the subject's unit).
- No coordinator clear of the conflicts either: sealed to the recovery key only; admins,
  available coordinators and on-call counselors are alerted (content-free) that a case needs
  someone outside the conflict, and the coordinator's queue shows it until someone assigns it
  with the recovery code.
- A crisis: the coordinators are told at the same time, whoever is paged.
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from wellness.accounts import directory
from wellness.accounts.models import CounselorProfile, Role, User, UserRole
from wellness.agency import chain
from wellness.agency import service as agency
from wellness.cases import service as cases
from wellness.cases.leads import hearers_of, set_leads
from wellness.cases.models import Case, CaseKey, KeyHolder
from wellness.cases.service import Reader
from wellness.extensions import db
from wellness.keys import trust
from wellness.notifications import service as notifications
from wellness.referrals import routing

log = logging.getLogger(__name__)


def roster() -> list[routing.Counselor]:
    """Every active, confirmed counselor with their profile and current open caseload."""
    loads = cases.open_caseloads()
    # Only the columns routing reads: whole User objects (keys, hashes, roles) for hundreds of
    # counselors were most of a submission's time.
    rows = db.session.execute(
        select(
            User.id,
            User.unit_id,
            CounselorProfile.supporter_type,
            CounselorProfile.specialties,
            CounselorProfile.languages,
            CounselorProfile.available,
            CounselorProfile.on_call,
            CounselorProfile.caseload_cap,
            CounselorProfile.serves,
        )
        .join(CounselorProfile, CounselorProfile.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        # confirmed by a coordinator (the endorsement itself is checked before sealing)
        .where(UserRole.role == Role.COUNSELOR, UserRole.endorsement.is_not(None), *directory.READY)
    ).all()
    return [
        routing.Counselor(
            id=row.id,
            unit_id=row.unit_id,
            supporter_type=str(row.supporter_type),
            specialties=frozenset(row.specialties or []),
            languages=frozenset(row.languages or []),
            available=row.available,
            on_call=row.on_call,
            caseload=loads.get(row.id, 0),
            cap=row.caseload_cap,
            serves=frozenset(row.serves or ()),
        )
        for row in rows
    ]


def about(
    subject_id: int | None, unit_id: int | None, reporter_id: int | None = None, **wishes: Any
) -> routing.Request:
    """A routing request with the conflict facts about the person a case concerns: their unit
    and its sub-units, the supervisors above it, and the units they themselves head."""
    parents, bosses = agency.parent_map(), agency.supervisor_map()
    return routing.Request(
        subject_id=subject_id,
        subject_unit_id=unit_id,
        subject_units=frozenset(chain.descendants(unit_id, parents)) if unit_id else frozenset(),
        chain_of_command=frozenset(chain.supervisors_above(unit_id, parents, bosses))
        if unit_id
        else frozenset(),
        subordinate_units=frozenset(chain.units_under(subject_id, parents, bosses))
        if subject_id
        else frozenset(),
        reporter_id=reporter_id,
        **wishes,
    )


def conflict_for(content: dict[str, Any], person: User) -> str | None:
    """Why ``person`` may not hold this case (routing's conflict rules), or None: for a
    counselor picked by hand on transfer or reassignment."""
    subject = content.get("subject") or content.get("who") or {}
    subject_id = subject.get("user_id") if isinstance(subject, dict) else None
    reporter = content.get("reporter") or {}
    reporter_id = reporter.get("user_id") if isinstance(reporter, dict) else None
    account = db.session.get(User, subject_id) if subject_id else None
    request = about(
        subject_id,
        account.unit_id if account else None,
        reporter_id,
        involved=frozenset(content.get("involved") or ()),
        not_wanted=frozenset((content.get("choice") or {}).get("not_wanted") or ()),
    )
    return routing.conflict(routing.Counselor(person.id, person.unit_id, "peer"), request)


@dataclass(frozen=True)
class Placed:
    """Where a new case went, for the officer's confirmation page to say so truthfully."""

    case: Case
    decision: routing.Decision
    told: str  # "counselor", "coordinators", "outside" (someone outside a conflict), "nobody"


def route_and_store(
    kind: str,
    urgency: str,
    content: dict[str, Any],
    request: routing.Request,
    owner: Reader | None = None,
    reporter: Reader | None = None,
    receipt_public: bytes | None = None,
    owner_account: User | None = None,
) -> Placed:
    """Route a new case and store it, sealed to whoever routing found (in the caller's
    transaction), and tell them; see the module docstring for when that is nobody."""
    decision, counselor = _decide(request)
    leads = coordinators_clear_of(request)
    queue = [] if counselor else leads
    reasons = list(decision.reasons)
    if counselor is None and not queue:
        reasons.append("no coordinator is clear of the conflicts: only the recovery key holds it")
    case = cases.create_case(
        kind,
        urgency,
        {**content, "routing": reasons},
        owner,
        [counselor] if counselor else queue,
        receipt_public=receipt_public,
        reporter=reporter,
        owner_account=owner_account,
        share_as=Role.COUNSELOR if counselor else Role.COORDINATOR,
    )
    case.assignee_id = decision.counselor_id
    case.routing_summary = decision.summary[:400]
    lead_ids = [u.id for u in leads]
    everyone = [u.id for u in directory.ready(Role.COORDINATOR)]
    set_leads(case, lead_ids, everyone if request.private_unit else lead_ids)
    if request.private_unit and not counselor:
        _decoys(case, queue)
    return Placed(case, decision, _tell(case, request, counselor, queue, leads))


def _decoys(case: Case, queue: list[User]) -> None:
    """An anonymous request in the queue: rows for the coordinators the private unit kept it
    from, holding nothing, so that who holds a key does not say which unit it came from."""
    real = db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id)).first()
    size = len(real.sealed_key) if real is not None else 1169
    holding = {u.id for u in queue}
    for lead in directory.ready(Role.COORDINATOR):
        if lead.id not in holding:
            db.session.add(
                CaseKey(
                    case_id=case.id,
                    holder=KeyHolder.USER,
                    user_id=lead.id,
                    sealed_key=b"\x02" + secrets.token_bytes(size - 1),
                )
            )


def _tell(
    case: Case,
    request: routing.Request,
    counselor: User | None,
    queue: list[User],
    leads: list[User],
) -> str:
    """Tell whoever now holds the case (and, for a crisis, the coordinators at once); returns
    who was told. For an anonymous request every coordinator hears alike, so that who was told
    says nothing about the unit it came from."""
    hear = sorted(hearers_of(case) or ())
    if counselor is not None:
        notifications.notify(
            [counselor.id], "crisis" if request.crisis else "new_referral", case.id
        )
        if request.crisis:
            notifications.notify([u for u in hear if u != counselor.id], "crisis_routed", case.id)
        return "counselor"
    if queue:
        kind = "crisis_unrouted" if request.crisis else "queue"
        notifications.notify(hear if request.private_unit else [u.id for u in queue], kind, case.id)
        return "coordinators"
    outside = _someone_outside(request)
    if outside:
        notifications.notify(outside, "needs_outside", case.id)
        return "outside"
    log.error("case %d reached nobody: no one outside its conflicts can be told", case.id)
    return "nobody"


def _decide(request: routing.Request) -> tuple[routing.Decision, User | None]:
    """Route, and if the chosen counselor's key or endorsement fails its check (reported by
    keys.trust), route again without them: a planted key never receives a case."""
    candidates, passed_over = roster(), False
    while True:
        decision = routing.route(request, candidates, random.SystemRandom())
        if passed_over:
            decision = replace(decision, pick_passed_over=True)
        if decision.counselor_id is None:
            return decision, None
        counselor = db.session.get(User, decision.counselor_id)
        try:
            trust.case_key(counselor, Role.COUNSELOR)
        except trust.UntrustedKeyError:
            if counselor.id == request.pick and not request.crisis:
                # The person asked for: the officer is asked to choose again, and nothing is
                # stored, so the key alert (queued, then rolled back) is raised again apart.
                refused = routing.PickUnavailable("key check failed")
                refused.key_alert = True
                raise refused from None
            if counselor.id == request.pick:  # a crisis is never sent back: anyone who can
                request, passed_over = replace(request, pick=None), True
            candidates = [c for c in candidates if c.id != counselor.id]
            continue
        return decision, counselor


def coordinators_clear_of(request: routing.Request) -> list[User]:
    """Confirmed coordinators whom no conflict rule keeps from this case."""
    people = directory.ready(Role.COORDINATOR)
    clear = {
        c.id
        for c in routing.clear_of_conflicts(
            [routing.Counselor(u.id, u.unit_id, "") for u in people], request
        )
    }
    return [u for u in people if u.id in clear]


def _someone_outside(request: routing.Request) -> list[int]:
    """Who is alerted when nobody clear of the conflicts holds a case (the alert says nothing
    about it): admins, available coordinators and on-call counselors outside the conflict;
    failing those, any active counselor outside it; never someone the case is about."""
    on_call = (
        CounselorProfile.on_call.is_(True),
        CounselorProfile.available.is_(True),
        User.id == CounselorProfile.user_id,
    )
    admins = directory.ready(Role.ADMIN)
    for group in (
        [*directory.ready(Role.COORDINATOR), *directory.ready(Role.COUNSELOR, *on_call), *admins],
        directory.ready(Role.COUNSELOR),
    ):
        clear = routing.clear_of_conflicts(
            [routing.Counselor(u.id, u.unit_id, "") for u in group], request
        )
        if clear:
            return sorted({c.id for c in clear})
    return []
