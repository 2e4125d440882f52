"""Small numbers the coordinator's own pages keep back. Pure: no Flask, no database.

Figures that leave the coordinator are differentially private releases (statistics/release.py);
this is only for a coordinator's page where a small count beside a known list could say who
did what (how many of an incident's few members declined follow-up).
"""

from __future__ import annotations

THRESHOLD = 5


def suppress_value(n: int, value: float | None, threshold: int = THRESHOLD) -> float | None:
    """A figure over ``n`` people (a count of declines, a rate), hidden when ``n`` is small."""
    return None if n < threshold else value
