"""The coordinator's queue: what waits for a counselor, what missed its first-contact
deadline, and recent routing decisions, each shown only to the coordinators clear of the
case's conflicts (``cases.leads``). A case every coordinator is in a conflict with is shown to
all of them, without content, so that someone assigns it with the recovery code.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wellness.accounts.models import User
from wellness.cases.leads import leads_of
from wellness.cases.models import OPEN_STATUSES, Case, CaseKey, KeyHolder
from wellness.extensions import db

RECENT = 50


@dataclass(frozen=True)
class Card:
    case: Case
    counselor: str | None = None  # who has it (overdue and recent lists)
    unheld: bool = False  # every coordinator is in a conflict with it: recovery code needed


URGENT_FIRST = {"crisis": 0, "soon": 1, "routine": 2}


@dataclass(frozen=True)
class Queue:
    waiting: list[Card]  # crisis first, then what needs someone outside a conflict, oldest first
    late: list[Card]
    recent: list[Card]

    @property
    def crisis_waiting(self) -> int:
        return sum(1 for card in self.waiting if card.case.urgency == "crisis")

    @property
    def unheld(self) -> int:
        return sum(1 for card in self.waiting if card.unheld)

    @property
    def needs_action(self) -> bool:
        return bool(self.waiting or self.late)


def for_coordinator(coordinator_id: int) -> Queue:
    """The queue as this coordinator sees it: cases waiting, overdue for first contact, and
    recent; each only if they are clear of it, it predates leads, or no coordinator is."""
    unheld_ids = {c.id for c in unheld_cases()}

    def shown(case: Case) -> tuple[bool, bool]:
        leads = leads_of(case)
        unheld = case.id in unheld_ids
        # a case from before leads were kept: shown to every coordinator, as that release did
        return (leads is None or coordinator_id in leads or unheld), unheld

    waiting = []
    for case in db.session.scalars(
        select(Case)
        .where(Case.assignee_id.is_(None), Case.status.in_(OPEN_STATUSES))
        .order_by(Case.created_at, Case.id)
    ):
        visible, unheld = shown(case)
        if visible:
            waiting.append(Card(case, unheld=unheld))
    late = _with_counselor(
        select(Case, User.display_name)
        .outerjoin(User, User.id == Case.assignee_id)
        .where(
            Case.escalated_at.is_not(None),
            Case.contacted_at.is_(None),
            Case.status.in_(OPEN_STATUSES),
        )
        .order_by(Case.created_at, Case.id),
        shown,
    )
    recent = _with_counselor(
        select(Case, User.display_name)
        .outerjoin(User, User.id == Case.assignee_id)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(RECENT),
        shown,
    )
    waiting.sort(key=lambda card: (URGENT_FIRST.get(card.case.urgency, 3), not card.unheld))
    return Queue(waiting, late, recent)


def unheld_cases() -> list[Case]:
    """Open, unassigned cases no coordinator is clear of: only the recovery key holds them."""
    held = set(db.session.scalars(select(CaseKey.case_id).where(CaseKey.holder == KeyHolder.USER)))
    unheld = []
    for case in db.session.scalars(
        select(Case)
        .where(Case.assignee_id.is_(None), Case.status.in_(OPEN_STATUSES))
        .order_by(Case.created_at, Case.id)
    ):
        leads = leads_of(case)
        if leads == set() or (leads is None and case.id not in held):
            unheld.append(case)
    return unheld


def _with_counselor(query, shown) -> list[Card]:  # type: ignore[no-untyped-def]
    cards = []
    for case, name in db.session.execute(query).all():
        visible, unheld = shown(case)
        if visible:
            cards.append(Card(case, name, unheld))
    return cards
