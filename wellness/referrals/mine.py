"""What an officer sees of their own requests and the concerns they raised: status, who has
opened them, their data to download, and withdrawal (which destroys the case)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from wellness.accounts.models import User
from wellness.audit import service as audit
from wellness.cases import keyholding, state
from wellness.cases import service as cases
from wellness.cases.keyholding import held
from wellness.cases.models import Case
from wellness.cases.service import Reader
from wellness.extensions import db
from wellness.notifications import service as notifications
from wellness.transaction import use_case


@dataclass(frozen=True)
class MyReferral:
    case: Case
    role: str  # owner / reporter
    about: str | None = None  # for a concern: the colleague's name, from the reporter's index

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
    entries = {int(e["case"]): e for e in keyholding.index_entries(reader) if e.get("as") in ROLES}
    found = db.session.scalars(
        select(Case).where(Case.id.in_(entries)).order_by(Case.created_at.desc())
    ).all()
    return [
        MyReferral(case, entries[case.id]["as"], entries[case.id].get("about")) for case in found
    ]


ROLES = ("owner", "reporter")


@use_case
def withdraw(case_id: int, reader: Reader) -> None:
    """The officer withdraws their referral: keys and ciphertext destroyed, index updated."""
    case, _ = held(case_id, reader)  # the index can be stale: holding the key is the proof
    if case.assignee_id is not None:
        notifications.notify([case.assignee_id], "withdrawn")
    state.destroy([case_id])
    cases.remove_from_index(reader, case_id)


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
