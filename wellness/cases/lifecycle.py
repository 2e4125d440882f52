"""A case's life with its counselor: accept, note, refer out, transfer, reassign, close.

new -> contacted -> active -> closed (or referred out). Every step is a CaseEvent (class C: what
happened, never what was said); notes and where someone was referred are class A.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, delete, select

from wellness.accounts.models import Role, User, UserRole
from wellness.audit import service as audit
from wellness.cases import keyholding
from wellness.cases import service as cases
from wellness.cases.leads import leads_of
from wellness.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseKey, KeyHolder, Note
from wellness.cases.service import NotSharedError, Reader
from wellness.checkins.models import SCHEDULED, CheckIn
from wellness.crypto import records
from wellness.crypto.context import context
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.keys import trust
from wellness.notifications import service as notifications
from wellness.program.models import Resource
from wellness.referrals import assignment
from wellness.timeutil import utcnow

OUTCOMES = {
    "resolved": "Resolved",
    "declined": "Support declined",
    "no contact": "Could not make contact",
    "referred out": "Referred out",
}


class LifecycleError(Exception):
    """A step that cannot be taken now; the message says why."""


def _require_open(case_id: int) -> None:
    case = db.session.get(Case, case_id)
    if case is not None and case.status not in OPEN_STATUSES:
        raise LifecycleError("This case is closed.")


def _held(case_id: int, reader: Reader) -> tuple[Case, bytes]:
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise NotSharedError(case_id)
    return case, cases.data_key(case, reader)


def _event(case: Case, actor: User | None, kind: str) -> None:
    db.session.add(CaseEvent(case_id=case.id, actor_id=actor.id if actor else None, kind=kind))


def accept(case_id: int, reader: Reader) -> None:
    case, _ = _held(case_id, reader)
    if case.accepted_at is None:
        case.accepted_at = utcnow()
        case.status = "active" if case.status == "contacted" else case.status
        _event(case, reader.account, "accepted")
    db.session.commit()


def add_note(case_id: int, reader: Reader, body: str, commit: bool = True) -> None:
    case, key = _held(case_id, reader)
    note = Note(case_id=case.id, author_id=reader.account.id, body=b"")
    db.session.add(note)
    db.session.flush()
    note.body = records.encrypt(key, body.encode(), context("notes", note.id, "body"))
    if case.status == "contacted":
        case.status = "active"
    _event(case, reader.account, "note added")
    if commit:
        db.session.commit()


@dataclass(frozen=True)
class NoteView:
    author_id: int | None
    created_at: datetime
    body: str


def read_notes(case_id: int, key: bytes) -> list[NoteView]:
    """Notes, decrypted with a key the caller unsealed (and logged) for this page."""
    rows = db.session.scalars(select(Note).where(Note.case_id == case_id).order_by(Note.created_at))
    return [
        NoteView(
            n.author_id,
            n.created_at,
            records.decrypt(key, n.body, context("notes", n.id, "body")).decode(),
        )
        for n in rows
    ]


def events(case_id: int) -> list[CaseEvent]:
    return list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )


def close(
    case_id: int, reader: Reader, outcome: str, note: str = "", resource: Resource | None = None
) -> None:
    """Close with an outcome; a referral out records where to in an encrypted note."""
    if outcome not in OUTCOMES:
        raise LifecycleError("Choose an outcome.")
    _require_open(case_id)  # closing twice would move closed_at and postpone retention
    if resource is not None:
        note = f"Referred to {resource.name} ({resource.kind}). {note}".strip()
    if note:
        add_note(case_id, reader, note, commit=False)  # committed with the close, below
    case, _ = _held(case_id, reader)
    case.status = "referred out" if outcome == "referred out" else "closed"
    case.outcome, case.closed_at = outcome, utcnow()
    db.session.query(CheckIn).filter(
        CheckIn.case_id == case.id, CheckIn.status == SCHEDULED
    ).update({"status": "cancelled", "notify_token": None})
    _event(case, reader.account, f"closed: {OUTCOMES[outcome].lower()}")
    db.session.commit()


def _move(case: Case, data_key: bytes, to: User, actor: User, kind: str) -> None:
    """Seal the key to ``to``, take it from everyone else holding it by name, and reassign."""
    if not to.active or not to.has_role(Role.COUNSELOR) or to.must_change_password:
        # (a first own password still to choose: their key is under one the admin saw)
        raise LifecycleError("Choose an active counselor who has signed in.")
    why = _conflict(case, data_key, to, actor)
    if why:
        db.session.commit()  # the read is logged even though the hand-off is refused
        raise LifecycleError(f"That counselor {why}: choose someone else.")
    try:
        target = trust.case_key(to, Role.COUNSELOR)
    except trust.UntrustedKeyError:
        db.session.commit()  # keep the alert a failing key raised
        raise LifecycleError(
            "That counselor cannot receive cases until a coordinator confirms them."
        ) from None
    db.session.execute(
        delete(CaseKey).where(CaseKey.case_id == case.id, CaseKey.holder == KeyHolder.USER)
    )
    cases.seal_to(case, data_key, KeyHolder.USER, target)
    case.assignee_id = to.id
    _event(case, actor, kind)
    notifications.notify([to.id], "assigned", case.id)
    db.session.commit()


def transfer(case_id: int, reader: Reader, to: User) -> None:
    """The counselor hands the case on: the old counselor can no longer open it."""
    case, key = _held(case_id, reader)
    if to.id == reader.account.id:
        raise LifecycleError("Choose someone else.")
    _move(case, key, to, reader.account, "transferred")


def reassign(case_id: int, coordinator: Reader, to: User, recovery_code: str | None) -> None:
    """The coordinator assigns a case: with their own key (queued cases are shared with them),
    or, for a case they do not hold, with the program recovery code (nothing is read). Only a
    coordinator clear of the case's conflicts may, unless none is (``cases.leads``)."""
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise NotSharedError(case_id)
    clear = leads_of(case)
    if clear and coordinator.account.id not in clear:
        # the recovery code must not let a coordinator in a conflict pick who counsels the case
        raise LifecycleError("A coordinator clear of this case's conflicts will assign it.")
    try:
        key = cases.data_key(case, coordinator)
    except NotSharedError:
        if not recovery_code:
            raise LifecycleError(
                "This case is not shared with you: enter the program recovery code to reassign it."
            ) from None
        key = keyholding.recovery_data_key(case.id, keys.recovery_private_key(recovery_code))
    _move(case, key, to, coordinator.account, "reassigned by the coordinator")


def counselors() -> list[Row[tuple[int, str]]]:
    """Counselors a case can be handed to (active, past their first own password), as rows of
    ``id`` and ``display_name``: choice lists need no more than that."""
    return list(
        db.session.execute(
            select(User.id, User.display_name)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == Role.COUNSELOR,
                UserRole.endorsement.is_not(None),  # confirmed by a coordinator
                User.active.is_(True),
                User.must_change_password.is_(False),
            )
            .order_by(User.display_name)
        ).all()
    )


def _conflict(case: Case, data_key: bytes, to: User, actor: User) -> str | None:
    """The routing rules hold for a hand-picked counselor too: never the person the case is
    about, the reporter, or anyone in the subject's chain of command or unit.

    Reading who the case is about is a decryption of its content, so it is logged like any."""
    ctx = context("cases", case.id, "content")
    content = json.loads(records.decrypt(data_key, case.content, ctx))
    lead = actor.has_role(Role.COORDINATOR) and not actor.has_role(Role.COUNSELOR)
    audit.record(
        "coordinator" if lead else "counselor",
        actor.id,
        case.id,
        "read",
        "conflict check before handing the case on",
        commit=False,
    )
    return assignment.conflict_for(content, to)
