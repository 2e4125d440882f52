"""How soon someone must be reached. Pure: no Flask.

A concern that signals danger is a crisis whatever urgency the reporter chose: statements about
self-harm or suicide, threats to harm others, or access to weapons while in crisis. Statements
of hopelessness make it at least "soon". A self-referral is a crisis when the officer says so,
or when an attached screener signals risk (PHQ-9 item 9 above 0).
"""

from __future__ import annotations

from collections.abc import Iterable

ORDER = ("routine", "soon", "crisis")
DANGER = frozenset({"self-harm", "threats", "weapons"})
WORRYING = frozenset({"hopelessness"})


def at_least(urgency: str, floor: str) -> str:
    """The more urgent of the two."""
    return max(urgency, floor, key=lambda u: ORDER.index(u) if u in ORDER else 0)


def concern_urgency(chosen: str, behaviours: Iterable[str]) -> str:
    """The urgency a concern is handled with, given what the reporter ticked."""
    seen = set(behaviours)
    if seen & DANGER:
        return "crisis"
    if seen & WORRYING:
        return at_least(chosen, "soon")
    return chosen if chosen in ORDER else "routine"


def self_referral_urgency(chosen: str, screener_risk: bool) -> str:
    """The urgency a self-referral is handled with: a crisis if a screener signals risk,
    otherwise what the officer chose."""
    return "crisis" if screener_risk else (chosen if chosen in ORDER else "routine")
