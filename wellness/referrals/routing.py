"""Who gets a referral (PRODUCT.md flow 4). Pure: plain data in, a decision and its reasons out.

The rules, all of them, in one place (SECURITY.md and the README point here).

Conflicts: a case never goes to (nor is it ever handed on to, nor queued for) anyone who
  1. is the person it is about;
  2. made the report;
  3. is in the subject's chain of command (supervises the subject's unit or any unit above it);
  4. works under the subject (in a unit the subject supervises, or any unit below it);
  5. works in the subject's unit or one of its sub-units (by default; an agency may allow it);
  6. is involved in the same critical incident, for an incident's outreach.
These hold for counselors chosen by routing, for coordinators a queued case is opened to, and
for a counselor picked by hand on transfer or reassignment (``conflict``).

One exception, by design: an anonymous request's unit is used once, to route it, and kept
nowhere. A counselor handing it on later, or a coordinator reassigning it, is not stopped from
choosing someone in the officer's unit; the case page asks them to check with the officer
first (through the case's messages) before handing it on.

Capacity: only counselors marked available and under their caseload cap take routine and soon
requests.

Crisis: an available on-call counselor (lowest caseload among them); if none, any available
counselor (caps do not hold a crisis back); nobody marked away is ever paged. The coordinator is
told at the same time in every case, and if nobody can be paged the case goes to the
coordinator's queue with an alert (never silent, never nobody: the services see to the alert).

The officer's own choices (issue 17): people they named as not wanted are excluded like a
conflict, everywhere (routing, transfer, reassignment, the queue's coordinators); a person they
asked for is chosen when no conflict forbids it and they are not away or full (for a crisis,
when they are not away), and otherwise routing refuses (``PickUnavailable``) before anything is
stored, so the officer can choose again: someone else, or the team's choice. A crisis is never
sent back: it is routed like any crisis, and the officer told afterwards.

Preferences: supporter type, language, specialty (any of the topics chosen) and whom the
counselor serves (a family member or a retiree asking), relaxed one at a time, most expendable
first (specialty, then type, then who they serve, then language), when nobody meets them all.
Lowest caseload wins; ties are drawn fairly.

Every decision carries its reasons (kept inside the encrypted case) and a summary (kept in
clear) that says only how the rules ended: counts of exclusions could point at an anonymous
officer's unit. For an anonymous request the unit is private: no reason mentions it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace


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
    serves: frozenset[str] = frozenset()  # "members", "families", "retirees"


@dataclass(frozen=True)
class Request:
    crisis: bool = False
    supporter_type: str | None = None  # None: no preference
    language: str | None = None
    specialties: frozenset[str] = frozenset()  # the topics chosen; a counselor with any matches
    subject_id: int | None = None  # the officer the case is about, when known
    subject_unit_id: int | None = None
    subject_units: frozenset[int] = frozenset()  # the subject's unit and its sub-units
    chain_of_command: frozenset[int] = frozenset()  # supervisors above the subject
    subordinate_units: frozenset[int] = frozenset()  # units the subject heads, and below
    reporter_id: int | None = None
    involved: frozenset[int] = frozenset()  # everyone in the same critical incident
    avoid_subject_unit: bool = True
    # The unit was given only to keep the request away from colleagues (anonymous form): no
    # reason may mention it, since which counselors it excluded would say which unit it is.
    private_unit: bool = False
    pick: int | None = None  # the person the officer asked for, if any
    not_wanted: frozenset[int] = frozenset()  # people the officer does not want
    group: str | None = None  # "families" or "retirees" when such a person asks

    @property
    def units(self) -> frozenset[int]:
        if self.subject_units:
            return self.subject_units
        return frozenset() if self.subject_unit_id is None else frozenset({self.subject_unit_id})


@dataclass(frozen=True)
class Decision:
    counselor_id: int | None  # None: the coordinator's queue
    alert_coordinator: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    summary: str = ""
    # A crisis the on-call rota could not take: an available counselor was paged instead.
    fallback: bool = False
    # A crisis whose officer asked for someone who could not take it: routed like any crisis
    # (a crisis is never sent back to be asked again).
    pick_passed_over: bool = False


SUBJECT, REPORTER = "is the person the referral is about", "made the report"
CHAIN, UNDER = "is in the subject's chain of command", "works under the subject"
UNIT, INCIDENT = "works in the subject's unit", "is involved in the same incident"
NOT_WANTED = "is someone the officer asked not to have"


class PickUnavailable(Exception):
    """The person the officer asked for cannot take this request now. ``why`` is for the
    routing tests only: the officer is told the same plain words whatever it is."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why
        self.key_alert = False  # their key failed its check: the alert must still be raised


_PRIVATE = (CHAIN, UNDER, UNIT)  # reasons that would point at an anonymous officer's unit


def conflict(c: Counselor, r: Request) -> str | None:
    """Why this person may never hold this request, or None."""
    if r.subject_id is not None and c.id == r.subject_id:
        return SUBJECT
    if r.reporter_id is not None and c.id == r.reporter_id:
        return REPORTER
    if c.id in r.chain_of_command:
        return CHAIN
    if c.unit_id is not None and c.unit_id in r.subordinate_units:
        return UNDER
    if r.avoid_subject_unit and c.unit_id is not None and c.unit_id in r.units:
        return UNIT
    if c.id in r.involved:
        return INCIDENT
    if c.id in r.not_wanted:
        return NOT_WANTED
    return None


def _capacity(c: Counselor) -> str | None:
    if not c.available:
        return "is away"
    if c.caseload >= c.cap:
        return "is at their caseload cap"
    return None


def _preferences(r: Request) -> list[tuple[str, object]]:
    wanted = [
        ("language", r.language),
        ("group served", r.group),
        ("supporter type", r.supporter_type),
        ("specialty", r.specialties),
    ]
    return [(name, value) for name, value in wanted if value]


def _meets(c: Counselor, name: str, value: object) -> bool:
    if name == "supporter type":
        return c.supporter_type == value
    if name == "group served":
        return value in c.serves
    have = {x.casefold() for x in (c.languages if name == "language" else c.specialties)}
    wanted = value if isinstance(value, frozenset) else frozenset({value})
    return any(str(w).casefold() in have for w in wanted)


def _overlap(c: Counselor, r: Request) -> int:
    return len({s.casefold() for s in r.specialties} & {s.casefold() for s in c.specialties})


def clear_of_conflicts(
    roster: Sequence[Counselor], request: Request, reasons: list[str] | None = None
) -> list[Counselor]:
    """Those of ``roster`` no conflict rule excludes; each exclusion noted in ``reasons``."""
    clear, excluded = [], {}
    for person in roster:
        why = conflict(person, request)
        if why is None:
            clear.append(person)
        elif not (request.private_unit and why in _PRIVATE):  # excluded, and not written down
            excluded[why] = excluded.get(why, 0) + 1
            if reasons is not None:
                reasons.append(f"excluded #{person.id}: {why}")
    if reasons is not None:
        reasons.extend(f"{n} excluded: {why}" for why, n in sorted(excluded.items()))
    return clear


def pick_problem(request: Request, roster: Sequence[Counselor]) -> str | None:
    """Why the person the officer asked for cannot take this request now, or None if they
    can (or nobody was asked for): not on the team's roster, a conflict, away, or full (caps
    do not hold a crisis back)."""
    if request.pick is None:
        return None
    person = next((c for c in roster if c.id == request.pick), None)
    if person is None:
        return "not on the roster"
    why = conflict(person, request)
    if why is not None:
        return why
    if request.crisis:
        return None if person.available else "is away"
    return _capacity(person)


def route(
    request: Request, roster: Sequence[Counselor], rng: random.Random | None = None
) -> Decision:
    """Choose a counselor for ``request`` from ``roster``, with every reason for the choice.
    A person asked for by the officer is chosen if they can take it, else PickUnavailable."""
    rng = rng or random.SystemRandom()
    if request.pick is not None:
        why = pick_problem(request, roster)
        if why is not None and request.crisis:
            decision = route(replace(request, pick=None), roster, rng)
            passed = "asked for someone who could not take it now: routed as any crisis"
            return replace(decision, reasons=(passed, *decision.reasons), pick_passed_over=True)
        if why is not None:
            raise PickUnavailable(why)
        summary = "Routed to the supporter the officer asked for."
        if request.crisis:
            summary = "Crisis: paged the supporter the officer asked for."
        return Decision(request.pick, False, ("asked for by the officer: honoured",), summary)
    reasons: list[str] = []
    clear = clear_of_conflicts(roster, request, reasons)
    if request.crisis:
        return _route_crisis(request, clear, reasons, rng)
    eligible = []
    for counselor in clear:
        why = _capacity(counselor)
        if why:
            reasons.append(f"excluded #{counselor.id}: {why}")
        else:
            eligible.append(counselor)
    chosen = _choose(eligible, request, reasons, rng)
    if chosen is not None:
        return Decision(
            chosen,
            False,
            tuple(reasons),
            "Routed by the rules: lowest caseload among eligible counselors.",
        )
    reasons.append("no eligible counselor: sent to the coordinator's queue")
    return Decision(None, True, tuple(reasons), "No eligible counselor: coordinator's queue.")


_CRISIS_STAGES: tuple[tuple[str, Callable[[Counselor], bool], str], ...] = (
    (
        "available on-call counselor",
        lambda c: c.on_call and c.available,
        "Crisis: available on-call counselor.",
    ),
    (
        "available counselor",
        lambda c: c.available,
        "Crisis: no on-call counselor available; paged an available counselor.",
    ),
)


def _route_crisis(
    request: Request, clear: list[Counselor], reasons: list[str], rng: random.Random
) -> Decision:
    """On call and available first; then anyone available; never someone marked away.

    For an anonymous request the stage is not written down: that the on-call counselor was
    passed over could mean they work in the officer's unit."""
    for stage, (label, fits, summary) in enumerate(_CRISIS_STAGES):
        eligible = [c for c in clear if fits(c)]
        chosen = _choose(eligible, request, reasons, rng)
        if chosen is not None:
            if request.private_unit:
                reasons.append("crisis: paged an available counselor")
                summary = "Crisis: paged an available counselor."
            else:
                reasons.append(f"crisis: paged an {label}")
            return Decision(chosen, False, tuple(reasons), summary, fallback=stage > 0)
        if not request.private_unit:
            reasons.append(f"crisis: no {label}")
    reasons.append("crisis: nobody available to page: sent to the coordinator's queue, alerted")
    return Decision(None, True, tuple(reasons), "Crisis: nobody available: coordinator alerted.")


def _choose(
    eligible: list[Counselor], request: Request, reasons: list[str], rng: random.Random
) -> int | None:
    """Preferences relaxed one at a time, then the lowest caseload (ties drawn fairly)."""
    preferences = _preferences(request)
    while eligible:
        matching = [c for c in eligible if all(_meets(c, n, v) for n, v in preferences)]
        if matching:
            if any(name == "specialty" for name, _ in preferences):
                most = max(_overlap(c, request) for c in matching)
                matching = [c for c in matching if _overlap(c, request) == most]
            return _pick(matching, request, reasons, rng)
        dropped = preferences.pop()  # specialty first, then supporter type, then language
        reasons.append(f"nobody eligible matched the {dropped[0]} asked for; that wish was relaxed")
    return None


def _pick(
    candidates: list[Counselor], request: Request, reasons: list[str], rng: random.Random
) -> int:
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
    return chosen.id
