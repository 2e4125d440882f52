"""Asking for help: self-referrals (named or anonymous), concern reports, receipts, withdrawal."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from wellness.accounts.models import CounselorProfile, Role, User, UserRole
from wellness.agency import chain
from wellness.agency import service as agency
from wellness.audit import service as audit
from wellness.cases import keyholding
from wellness.cases import service as cases
from wellness.cases.models import Case, KeyHolder
from wellness.cases.service import Reader
from wellness.crypto import envelope, kdf, keypairs, receipts
from wellness.extensions import db
from wellness.keyring import receipt_pepper
from wellness.keys import trust
from wellness.notifications import service as notifications
from wellness.referrals import routing
from wellness.referrals.models import Receipt
from wellness.referrals.screeners import Result

# Nothing is sealed to someone before they choose their own password: until then their key is
# wrapped under a one-time password the admin saw.
_READY = (User.active.is_(True), User.must_change_password.is_(False))


class ReceiptNotFoundError(Exception):
    """No referral matches the code (or the code is malformed)."""


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
    routed: bool
    receipt_code: str | None = None


def _crisis(urgency: str, screener: Result | None) -> bool:
    return urgency == "crisis" or bool(screener and screener.risk)


def roster() -> list[routing.Counselor]:
    """Every active counselor with their profile and current open caseload."""
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
        )
        .join(CounselorProfile, CounselorProfile.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        # confirmed by a coordinator (the endorsement itself is checked before sealing)
        .where(UserRole.role == Role.COUNSELOR, UserRole.endorsement.is_not(None), *_READY)
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
        )
        for row in rows
    ]


def chain_of(unit_id: int | None) -> frozenset[int]:
    if unit_id is None:
        return frozenset()
    return frozenset(chain.supervisors_above(unit_id, agency.parent_map(), agency.supervisor_map()))


def route_and_store(
    kind: str,
    urgency: str,
    content: dict[str, Any],
    request: routing.Request,
    owner: Reader | None = None,
    reporter: Reader | None = None,
    receipt_public: bytes | None = None,
    owner_account: User | None = None,
) -> tuple[Case, routing.Decision]:
    decision, counselor = _decide(request)
    share = [counselor] if counselor else _coordinators()
    content = {**content, "routing": list(decision.reasons)}
    case = cases.create_case(
        kind,
        urgency,
        content,
        owner,
        share,
        receipt_public=receipt_public,
        reporter=reporter,
        commit=False,
        owner_account=owner_account,
        share_as=Role.COUNSELOR if counselor else Role.COORDINATOR,
    )
    case.assignee_id = decision.counselor_id
    case.routing_summary = decision.summary[:400]
    if counselor is not None:
        notifications.notify(
            [counselor.id], "crisis" if request.crisis else "new_referral", case.id
        )
    else:
        kind_ = "crisis_unrouted" if request.crisis else "queue"
        notifications.notify([u.id for u in _coordinators()], kind_, case.id)
    return case, decision


def _decide(request: routing.Request) -> tuple[routing.Decision, User | None]:
    """Route, and if the chosen counselor's key or endorsement fails its check (reported by
    keys.trust), route again without them: a planted key never receives a case."""
    candidates = roster()
    while True:
        decision = routing.route(request, candidates, random.SystemRandom())
        if decision.counselor_id is None:
            return decision, None
        counselor = db.session.get(User, decision.counselor_id)
        try:
            trust.case_key(counselor, Role.COUNSELOR)
        except trust.UntrustedKeyError:
            candidates = [c for c in candidates if c.id != counselor.id]
            continue
        return decision, counselor


def _coordinators() -> list[User]:
    """Coordinators a queued case can be sealed to (confirmed; checked again when sealed)."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.COORDINATOR, UserRole.endorsement.is_not(None), *_READY)
        )
    )


def _referral_content(referral: SelfReferral) -> dict[str, Any]:
    return {
        "topics": referral.topics,
        "text": referral.text,
        "urgency": referral.urgency,
        "supporter_type": referral.supporter_type,
        "language": referral.language,
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
    request = routing.Request(
        crisis=crisis,
        supporter_type=referral.supporter_type,
        language=referral.language,
        specialty=referral.topics[0] if referral.topics else None,
        subject_id=user.id,
        subject_unit_id=user.unit_id,
        chain_of_command=chain_of(user.unit_id),
    )
    case, decision = route_and_store(
        "self_referral", "crisis" if crisis else referral.urgency, content, request, owner=officer
    )
    db.session.commit()
    return Submitted(case.id, crisis, decision.counselor_id is not None)


def submit_anonymous_referral(referral: SelfReferral) -> Submitted:
    """A request for help with no account: the receipt code is returned once and kept nowhere."""
    crisis = _crisis(referral.urgency, referral.screener)
    code = receipts.new_code()
    params = _bucket_params(receipts.tag(code))
    pair = receipts.derive_keypair(code, params)
    content = {"type": "self_referral", "named": False, **_referral_content(referral)}
    request = routing.Request(
        crisis=crisis,
        supporter_type=referral.supporter_type,
        language=referral.language,
        specialty=referral.topics[0] if referral.topics else None,
        subject_unit_id=referral.unit_id,
        chain_of_command=chain_of(referral.unit_id),
        private_unit=True,  # the form says the unit is not stored: not even in the reasons
    )
    case, decision = route_and_store(
        "self_referral",
        "crisis" if crisis else referral.urgency,
        content,
        request,
        receipt_public=pair.public,
    )
    db.session.add(
        Receipt(
            case_id=case.id, tag=receipts.tag(code), kdf=params.encode(), public_key=pair.public
        )
    )
    db.session.commit()
    return Submitted(case.id, crisis, decision.counselor_id is not None, receipt_code=code)


def submit_concern(report: ConcernReport, reporter: Reader) -> Submitted:
    """A colleague concern or a supervisor's concern report; the reporter learns only status."""
    user, subject = reporter.account, report.subject
    crisis = report.urgency == "crisis"
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
        "urgency": report.urgency,
        "observed_on": report.observed_on,
        "actions_taken": report.actions_taken,
    }
    request = routing.Request(
        crisis=crisis,
        subject_id=subject.id,
        subject_unit_id=subject.unit_id,
        chain_of_command=chain_of(subject.unit_id),
        reporter_id=user.id,
        specialty="critical incident" if report.critical_incident else None,
    )
    kind = "supervisor_report" if report.supervisor_report else "concern"
    case, decision = route_and_store(kind, report.urgency, content, request, reporter=reporter)
    db.session.commit()
    return Submitted(case.id, crisis, decision.counselor_id is not None)


def conflict_for(content: dict[str, Any], counselor: User) -> str | None:
    """Why ``counselor`` may not hold this case (routing's conflict rules), or None."""
    subject_id = (content.get("subject") or content.get("who") or {}).get("user_id")
    reporter_id = (content.get("reporter") or {}).get("user_id")
    subject = db.session.get(User, subject_id) if subject_id else None
    unit_id = subject.unit_id if subject else None
    request = routing.Request(
        subject_id=subject_id,
        subject_unit_id=unit_id,
        chain_of_command=chain_of(unit_id),
        reporter_id=reporter_id,
    )
    roster_entry = routing.Counselor(counselor.id, counselor.unit_id, "peer")
    return routing.conflict(roster_entry, request)


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


def _bucket_params(bucket: int) -> kdf.KdfParams:
    """The derivation every receipt in ``bucket`` shares (cost never below t=1, 1 MiB)."""
    cfg = current_app.config
    return receipts.bucket_params(
        bucket,
        receipt_pepper(),
        max(1, int(cfg["RECEIPT_ARGON2_TIME_COST"])),
        max(1024, int(cfg["RECEIPT_ARGON2_MEMORY_KIB"])),
    )


def open_by_receipt(code: str) -> tuple[int, Reader]:
    """The case and a reader for an anonymous officer's receipt code (slow on purpose).

    One derivation whether the code's bucket is empty, holds someone else's receipt or holds
    this one: every receipt in a bucket shares the bucket's salt, so the time a look-up takes
    says nothing about which codes exist. (Receipts of earlier releases, each with a salt of
    its own, cost one more until their code is next used, which moves them over.)
    """
    try:
        bucket = receipts.tag(code)
    except receipts.ReceiptError as exc:
        raise ReceiptNotFoundError from exc
    current = _bucket_params(bucket).encode()
    candidates = db.session.scalars(select(Receipt).where(Receipt.tag == bucket)).all()
    seeds = {
        stored: receipts.derive_seed(code, kdf.KdfParams.decode(stored))
        for stored in {current, *(r.kdf for r in candidates)}
    }
    for receipt in candidates:
        hybrid = keypairs.is_hybrid(receipt.public_key)
        pair = receipts.keypair_from_seed(seeds[receipt.kdf], hybrid)
        if pair.public == receipt.public_key:
            if receipt.kdf != current or not hybrid:
                pair = _move_receipt(receipt, pair, seeds[current], current)
            return receipt.case_id, Reader(None, pair.private, by_receipt=True)
    raise ReceiptNotFoundError


def _move_receipt(
    receipt: Receipt, old: keypairs.Keypair, seed: bytes, params: str
) -> keypairs.Keypair:
    """Move a receipt of an earlier release onto its bucket's salt and a hybrid key."""
    new = receipts.keypair_from_seed(seed)
    row = keyholding.key_row(receipt.case_id, KeyHolder.RECEIPT)
    if row is not None:
        ctx = keyholding.key_context(receipt.case_id, KeyHolder.RECEIPT, None)
        row.sealed_key = envelope.seal(
            envelope.open_sealed(row.sealed_key, old.private, ctx), new.public, ctx
        )
    receipt.kdf, receipt.public_key = params, new.public
    db.session.commit()
    return new


@dataclass(frozen=True)
class MyReferral:
    case: Case
    role: str  # owner / reporter

    @property
    def status_for_them(self) -> str:
        return status_for_officer(self.case, self.role)


def status_for_officer(case: Case, role: str) -> str:
    """What the person who asked (or reported) is told. A reporter learns only two facts."""
    if case.status == "destroyed":
        return "Closed"
    if case.contacted_at is not None:
        return "Someone has reached out"
    if role == "reporter":
        return "Received"
    return (
        "Received — waiting for a counselor"
        if case.assignee_id is None
        else "Received — a counselor has it"
    )


def my_referrals(reader: Reader) -> list[MyReferral]:
    """Cases the person asked for and concerns they raised, newest first."""
    roles = {cid: "owner" for cid in cases.own_case_ids(reader, "owner")}
    roles.update({cid: "reporter" for cid in cases.own_case_ids(reader, "reporter")})
    found = db.session.scalars(
        select(Case).where(Case.id.in_(roles)).order_by(Case.created_at.desc())
    ).all()
    return [MyReferral(case, roles[case.id]) for case in found]


def withdraw(case_id: int, reader: Reader) -> None:
    """The officer withdraws their referral: keys and ciphertext destroyed, index updated."""
    if case_id not in cases.own_case_ids(reader):
        raise cases.NotSharedError(case_id)
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise cases.NotSharedError(case_id)
    cases.data_key(case, reader)  # the index can be stale: holding the key is the proof
    if case.assignee_id is not None:
        notifications.notify([case.assignee_id], "withdrawn")
    cases.shred_case(case_id)
    cases.remove_from_index(reader, case_id)
    db.session.commit()


@dataclass(frozen=True)
class AccessLine:
    who: str
    at: Any
    why: str


def access_log_for_officer(case_id: int) -> list[AccessLine]:
    """Who opened this case and when, as the officer it is about sees it."""
    entries = audit.entries_for_case(case_id)
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    names = (
        dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    labels = {"owner": "You", "anonymous": "You (with your receipt)"}
    lines = []
    for e in entries:
        who = (
            labels.get(e.actor_kind)
            or f"{names.get(e.actor_id, 'A former team member')} ({e.actor_kind})"
        )
        lines.append(AccessLine(who, e.at, e.reason))
    return lines


def export(reader: Reader) -> dict[str, Any]:
    """Everything about the person's own referrals, for download (each read is logged)."""
    user = reader.account
    out: dict[str, Any] = {
        "account": {
            "username": user.username,
            "name": user.display_name,
            "unit": user.unit.name if user.unit else None,
            "roles": sorted(r.value for r in user.roles),
        },
        "referrals": [],
        "concerns_raised": [],
    }
    for item in my_referrals(reader):
        if item.role == "reporter":
            out["concerns_raised"].append(
                {
                    "id": item.case.id,
                    "status": item.status_for_them,
                    "created_at": item.case.created_at.isoformat(),
                }
            )
            continue
        view = cases.open_case_page(item.case.id, reader, "export of own data")
        out["referrals"].append(
            {
                "id": item.case.id,
                "created_at": item.case.created_at.isoformat(),
                "status": item.status_for_them,
                # how routing chose is about the counselors, not the officer: not exported
                "content": {k: v for k, v in view.content.items() if k != "routing"},
                "messages": [
                    {"from": m.sender, "at": m.created_at.isoformat(), "text": m.body}
                    for m in view.messages
                ],
                "access_log": [
                    {"who": line.who, "at": line.at.isoformat(), "why": line.why}
                    for line in access_log_for_officer(item.case.id)
                ],
            }
        )
    return out
