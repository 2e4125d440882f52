"""Who gets a referral (PRODUCT.md flow 4). Pure: plain data in, a decision and its reasons out.

Hard rules first — never the subject, never the reporter, never anyone in the subject's chain of
command, by default nobody from the subject's own unit, only available counselors under their cap.
Then the officer's preferences (supporter type, language, specialty), relaxed one at a time, most
expendable first, when nobody meets them all. Lowest caseload wins; ties are drawn fairly.
Crisis goes to an on-call counselor (availability and caps do not hold anyone back), and with
none, to the coordinator with an alert.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Counselor:
    id: int
    unit_id: int | None
    supporter_type: str
    specialties: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    available: bool = True
    on_call: bool = False
    caseload: int = 0
    cap: int = 10


@dataclass(frozen=True)
class Request:
    crisis: bool = False
    supporter_type: str | None = None  # None: no preference
    language: str | None = None
    specialty: str | None = None
    subject_id: int | None = None  # the officer the case is about, when known
    subject_unit_id: int | None = None
    chain_of_command: frozenset[int] = frozenset()  # supervisors above the subject
    reporter_id: int | None = None
    avoid_subject_unit: bool = True
    # The unit was given only to keep the request away from colleagues (anonymous form): no
    # reason may mention it, since which counselors it excluded would say which unit it is.
    private_unit: bool = False


@dataclass(frozen=True)
class Decision:
    counselor_id: int | None  # None: the coordinator's queue
    alert_coordinator: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)

    summary: str = ""

    # The summary is kept in clear, so it says only how the rules ended: counts of exclusions
    # would narrow down an anonymous officer's unit, or which colleague asked. The full reasons
    # go inside the encrypted case.


CHAIN = "is in the subject's chain of command"
UNIT = "works in the subject's unit"


def conflict(c: Counselor, r: Request) -> str | None:
    """Why this counselor may never hold this request, or None."""
    if r.subject_id is not None and c.id == r.subject_id:
        return "is the person the referral is about"
    if r.reporter_id is not None and c.id == r.reporter_id:
        return "made the report"
    if c.id in r.chain_of_command:
        return CHAIN
    if r.avoid_subject_unit and r.subject_unit_id is not None and c.unit_id == r.subject_unit_id:
        return UNIT
    return None


def _capacity(c: Counselor, r: Request) -> str | None:
    if r.crisis:
        return None if c.on_call else "is not on call"
    if not c.available:
        return "is away"
    if c.caseload >= c.cap:
        return "is at their caseload cap"
    return None


def _preferences(r: Request) -> list[tuple[str, object]]:
    wanted = [
        ("language", r.language),
        ("supporter type", r.supporter_type),
        ("specialty", r.specialty),
    ]
    return [(name, value) for name, value in wanted if value]


def _meets(c: Counselor, name: str, value: object) -> bool:
    text = str(value).casefold()
    if name == "language":
        return text in {x.casefold() for x in c.languages}
    if name == "supporter type":
        return c.supporter_type == value
    return text in {x.casefold() for x in c.specialties}


def route(
    request: Request, roster: Sequence[Counselor], rng: random.Random | None = None
) -> Decision:
    """Choose a counselor for ``request`` from ``roster``, with every reason for the choice."""
    rng = rng or random.SystemRandom()
    reasons: list[str] = []
    eligible: list[Counselor] = []
    excluded: dict[str, int] = {}
    for counselor in roster:
        why = conflict(counselor, request) or _capacity(counselor, request)
        if why and request.private_unit and why in (CHAIN, UNIT):
            continue  # excluded, and not written down: it would point at the unit
        if why:
            reasons.append(f"excluded #{counselor.id}: {why}")
            excluded[why] = excluded.get(why, 0) + 1
        else:
            eligible.append(counselor)
    reasons.extend(f"{n} excluded: {why}" for why, n in sorted(excluded.items()))
    preferences = _preferences(request)
    while eligible:
        matching = [c for c in eligible if all(_meets(c, n, v) for n, v in preferences)]
        if matching:
            return _pick(matching, request, reasons, rng)
        dropped = preferences.pop()  # specialty first, then supporter type, then language
        reasons.append(f"nobody eligible matched the {dropped[0]} asked for; that wish was relaxed")
    kind = "on-call counselor" if request.crisis else "eligible counselor"
    reasons.append(f"no {kind}: sent to the coordinator's queue")
    return Decision(
        None,
        alert_coordinator=True,
        reasons=tuple(reasons),
        summary=f"No {kind}: coordinator's queue.",
    )


def _pick(
    candidates: list[Counselor], request: Request, reasons: list[str], rng: random.Random
) -> Decision:
    lowest = min(c.caseload for c in candidates)
    tied = sorted((c for c in candidates if c.caseload == lowest), key=lambda c: c.id)
    chosen = rng.choice(tied)
    if request.private_unit:  # counts would tell how many the unit rule excluded
        reasons.append("chosen by lowest caseload among the eligible counselors")
    else:
        reasons.append(
            f"{len(candidates)} eligible; lowest caseload {lowest}"
            + (f", drawn from {len(tied)} tied" if len(tied) > 1 else "")
        )
    if request.crisis:
        reasons.append("crisis: routed to an on-call counselor")
    summary = (
        "Crisis: on-call counselor."
        if request.crisis
        else "Routed by the rules: lowest caseload among eligible counselors."
    )
    return Decision(chosen.id, alert_coordinator=False, reasons=tuple(reasons), summary=summary)
