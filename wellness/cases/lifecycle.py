"""A case's life with its counselor: accept, note, refer out, transfer, reassign, close.

new -> contacted -> active -> closed (or referred out). Every step is a CaseEvent (class C: what
happened, never what was said); notes and where someone was referred are class A.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, delete, select

from wellness.accounts import directory
from wellness.accounts.models import Role, User
from wellness.audit import service as audit
from wellness.cases import keyholding, state
from wellness.cases import service as cases
from wellness.cases.keyholding import held
from wellness.cases.leads import leads_of
from wellness.cases.models import Case, CaseEvent, CaseKey, KeyHolder, Note
from wellness.cases.service import NotSharedError, Reader
from wellness.crypto import fields, records
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.keys import trust
from wellness.notifications import service as notifications
from wellness.program.models import Resource
from wellness.referrals import assignment
from wellness.timeutil import utcnow
from wellness.transaction import use_case

OUTCOMES = {
    "resolved": "Resolved",
    "declined": "Support declined",
    "no contact": "Could not make contact",
    "referred out": "Referred out",
}


class LifecycleError(Exception):
    """A step that cannot be taken now; the message says why."""


def _require_open(case: Case) -> None:
    try:
        keyholding.require_open(case)
    except keyholding.CaseClosedError as exc:
        raise LifecycleError(str(exc)) from None


def _event(case: Case, actor: User | None, kind: str) -> None:
    db.session.add(CaseEvent(case_id=case.id, actor_id=actor.id if actor else None, kind=kind))


@use_case
def accept(case_id: int, reader: Reader) -> None:
    """The counselor takes the case on (after first contact it becomes active)."""
    case, _ = held(case_id, reader)
    _require_open(case)
    if case.accepted_at is None:
        case.accepted_at = utcnow()
        case.status = "active" if case.status == "contacted" else case.status
        _event(case, reader.account, "accepted")


@use_case
def add_note(case_id: int, reader: Reader, body: str) -> None:
    """An encrypted note on the case, for whoever holds it."""
    case, key = held(case_id, reader)
    _require_open(case)
    note = Note(case_id=case.id, author_id=reader.account.id, body=b"")
    db.session.add(note)
    db.session.flush()
    note.body = records.encrypt(key, body.encode(), fields.NOTE_BODY.context(note.id))
    if case.status == "contacted":
        case.status = "active"
    _event(case, reader.account, "note added")


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
            records.decrypt(key, n.body, fields.NOTE_BODY.context(n.id)).decode(),
        )
        for n in rows
    ]


def events(case_id: int) -> list[CaseEvent]:
    """The case's timeline: every CaseEvent, oldest first."""
    return list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )


@use_case
def close(
    case_id: int, reader: Reader, outcome: str, note: str = "", resource: Resource | None = None
) -> None:
    """Close with an outcome; a referral out records where to in an encrypted note."""
    if outcome not in OUTCOMES:
        raise LifecycleError("Choose an outcome.")
    case, _ = held(case_id, reader)
    _require_open(case)  # closing twice would move closed_at and postpone retention
    if resource is not None:
        note = f"Referred to {resource.name} ({resource.kind}). {note}".strip()
    if note:
        add_note(case_id, reader, note)
    state.close(case, outcome, f"closed: {OUTCOMES[outcome].lower()}", reader.account.id, utcnow())


def _move(case: Case, data_key: bytes, to: User, actor: User, kind: str) -> None:
    """Seal the key to ``to``, take it from everyone else holding it by name, and reassign."""
    if not to.active or not to.has_role(Role.COUNSELOR) or to.must_change_password:
        # (a first own password still to choose: their key is under one the admin saw)
        raise LifecycleError("Choose an active counselor who has signed in.")
    why = _conflict(case, data_key, to, actor)
    if why:  # (a refusal: the read stays logged, see transfer and reassign)
        raise LifecycleError(f"That counselor {why}: choose someone else.")
    try:
        target = trust.case_key(to, Role.COUNSELOR)
    except trust.UntrustedKeyError:
        raise LifecycleError(  # (a refusal: the alert the failing key raised stays)
            "That counselor cannot receive cases until a coordinator confirms them."
        ) from None
    db.session.execute(
        delete(CaseKey).where(CaseKey.case_id == case.id, CaseKey.holder == KeyHolder.USER)
    )
    cases.seal_to(case, data_key, KeyHolder.USER, target)
    case.assignee_id = to.id
    _event(case, actor, kind)
    notifications.notify([to.id], "assigned", case.id)


# A refused hand-off keeps what it logged (the conflict check's read, a failing key's alert):
# both are raised before anything else changes (transaction.use_case).
@use_case(keep=(LifecycleError,))
def transfer(case_id: int, reader: Reader, to: User) -> None:
    """The counselor hands the case on: the old counselor can no longer open it."""
    case, key = held(case_id, reader)
    _require_open(case)
    if to.id == reader.account.id:
        raise LifecycleError("Choose someone else.")
    _move(case, key, to, reader.account, "transferred")


@use_case(keep=(LifecycleError,))
def reassign(case_id: int, coordinator: Reader, to: User, recovery_code: str | None) -> None:
    """The coordinator assigns a case: with their own key (queued cases are shared with them),
    or, for a case they do not hold, with the program recovery code (nothing is read). Only a
    coordinator clear of the case's conflicts may, unless none is (``cases.leads``)."""
    case = db.session.get(Case, case_id)
    if case is None or case.content is None:
        raise NotSharedError(case_id)
    _require_open(case)  # a stale queue page never hands on a closed case
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
    return directory.ready_names(Role.COUNSELOR)


def _conflict(case: Case, data_key: bytes, to: User, actor: User) -> str | None:
    """The routing rules hold for a hand-picked counselor too: never the person the case is
    about, the reporter, or anyone in the subject's chain of command or unit.

    Reading who the case is about is a decryption of its content, so it is logged like any."""
    ctx = fields.CASE_CONTENT.context(case.id)
    content = json.loads(records.decrypt(data_key, case.content, ctx))
    lead = actor.has_role(Role.COORDINATOR) and not actor.has_role(Role.COUNSELOR)
    audit.record(
        "coordinator" if lead else "counselor",
        actor.id,
        case.id,
        "read",
        "conflict check before handing the case on",
    )
    return assignment.conflict_for(content, to)
