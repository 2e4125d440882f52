"""What stays private, and its limits, told before anyone writes (PRODUCT.md flow 12).

Peer-support practice (the IACP Peer Support Guidelines, and agency policies built on them)
asks that a person hears, before they disclose, what stays private and what a peer supporter
must act on. The words are the agency's: the coordinator edits them; the defaults below were
written for this project from common peer-support policy, to be checked against the agency's
own policy and state law.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wellness.extensions import db
from wellness.program.models import AgencyText
from wellness.timeutil import utcnow
from wellness.transaction import use_case

SUMMARY_MAX, FULL_MAX = 600, 8000

DEFAULT_SUMMARY = (
    "What you write here is read only by the peer supporter who takes it (and by you). "
    "Command staff, your supervisor and IT cannot read it. The limits: if someone's life is in "
    "danger, if a child or an elder is being abused, or if a court orders it, a peer supporter "
    "may have to act or tell someone, and will tell you first whenever they can."
)

DEFAULT_FULL = """\
Talking to a peer supporter is confidential. What you tell them, and what you write here, stays \
between you and the people your request is shared with: the peer supporter who takes it, and a \
clinician or the coordinator only if you agree or one of the limits below applies. Your \
supervisor, command staff, internal affairs and IT cannot read it.

There are limits, and you should know them before you say anything:

- Danger to yourself: if you are at serious, immediate risk of ending your life, a peer \
supporter will act to keep you safe, which can mean calling emergency help.
- Danger to others: if you tell a peer supporter you intend to seriously harm someone, they \
must act to protect that person.
- Abuse of a child, an elder or a dependent adult: what the law requires to be reported will \
be reported.
- Some crimes: a peer supporter is not a priest or a lawyer. Telling them about a crime, \
especially one in progress or planned, may not be protected. The agency's policy and state \
law set where the line is.
- Court orders: a court can order a record or testimony. Peer-support privilege differs from \
state to state; a licensed clinician has duties of their own.

When a limit applies, the peer supporter shares only what is needed, with whom it is needed, \
and tells you first whenever they can.

What is not a limit: asking for help is never reported to your chain of command, never goes \
into your personnel file, and is never a reason for a fitness-for-duty review on its own.
"""


@dataclass(frozen=True)
class Limits:
    summary: str
    full: str


def current() -> Limits:
    """The agency's words, or the defaults until the coordinator writes their own."""
    rows = dict(db.session.execute(select(AgencyText.key, AgencyText.body)).all())
    return Limits(
        rows.get("limits_summary") or DEFAULT_SUMMARY, rows.get("limits_full") or DEFAULT_FULL
    )


@use_case
def save(summary: str, full: str, coordinator_id: int) -> None:
    """Save the coordinator's own summary and full text of the limits, with who and when (a
    text saved unchanged keeps its date: nothing changed)."""
    for key, body in (("limits_summary", summary.strip()), ("limits_full", full.strip())):
        row = db.session.get(AgencyText, key) or AgencyText(key=key)
        if row.body == body:
            continue
        row.body, row.updated_at, row.updated_by = body, utcnow(), coordinator_id
        db.session.add(row)


def paragraphs(text: str) -> list[tuple[str, list[str]]]:
    """The text as blocks for a page: ("p", [text]) or ("ul", [items]) (lines starting "- ")."""
    blocks: list[tuple[str, list[str]]] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append(("ul", [line[2:] for line in lines]))
        else:
            blocks.append(("p", [" ".join(lines)]))
    return blocks
