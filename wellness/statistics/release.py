"""Program figures that leave the coordinator: one differentially private release per completed
period, made once with OpenDP and never recomputed. Pure: plain counts in, a release out.

Command staff are the people officers fear most, and small-cell suppression gave way to
arithmetic within a table, across views and across time. So every figure that leaves the
coordinator is a *release*: counts for one completed month (or quarter), each with noise from
OpenDP's Laplace mechanism on integers, so that whether any one request was made changes what is
published only a little — however the published numbers are added, subtracted or compared.

The unit protected is one request (a case). A case counts once in the by-kind counts, once in
the by-urgency counts and once in the first-contact counts, and at most ``CHECKIN_CLIP``
check-ins of a case count in the completion counts. The release's budget ε is split between the
case counts (three quarters) and the check-in counts (a quarter), each noised as one vector whose
L1 sensitivity is how much one case can move it; OpenDP checks that each part spends no more
than its share. Post-processing (which spends nothing): counts are integers, never below zero;
the total is the sum of the by-kind counts, and the by-urgency and first-contact counts are
adjusted to add up to it too; a count under 5 is shown as "fewer than 5".

Someone who asks in every period of a year is covered by ε per release, so by up to
ε × (releases a year) over the year (the budget shown with the figures).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import opendp.prelude as dp

# OpenDP asks to opt in to components outside its vetted core; the Laplace mechanism on
# integers is one of them.
dp.enable_features("contrib")

KINDS = ("self_referral", "concern", "supervisor_report", "critical_incident")
URGENCIES = ("routine", "soon", "crisis")
# Minutes to first contact, as buckets with an upper bound each (None: later than the last).
CONTACT_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("within 15 minutes", 15),
    ("within an hour", 60),
    ("within a day", 1440),
    ("within 3 days", 4320),
    ("later", None),
)
CHECKIN_CLIP = 2  # check-ins of one case that count in one release
SMALL = 5
CASE_SHARE = 0.75  # of the budget; the rest goes to the check-in counts


@dataclass(frozen=True)
class PeriodFacts:
    """What a period's release is made from: one entry per case, no id, no person."""

    kinds: Sequence[str]  # the kind of each case made in the period
    urgencies: Sequence[str]
    contact_minutes: Sequence[float]  # for each case contacted
    checkins: Sequence[tuple[int, int]]  # (answered, missed) for each case, in the period


def _noisy(counts: list[int], sensitivity: int, epsilon: float) -> list[int]:
    """OpenDP's Laplace mechanism on an integer vector; checks the privacy it spends."""
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    scale = sensitivity / epsilon
    measurement = space >> dp.m.then_laplace(scale=scale)
    spent = measurement.map(sensitivity)
    if spent > epsilon * (1 + 1e-9):
        raise ValueError(f"the release would spend {spent} > {epsilon}")
    return list(measurement(counts))


def scales(epsilon: float) -> tuple[float, float]:
    """The Laplace scale of the case counts and of the check-in counts for a budget ε."""
    return 3 / (epsilon * CASE_SHARE), CHECKIN_CLIP / (epsilon * (1 - CASE_SHARE))


def margin_95(scale: float) -> int:
    """About how far a published count strays from the true one, 19 times in 20."""
    return math.ceil(scale * math.log(20))


def _bucket(minutes: float) -> int:
    for index, (_, limit) in enumerate(CONTACT_BUCKETS):
        if limit is None or minutes <= limit:
            return index
    return len(CONTACT_BUCKETS) - 1


def _clip(pairs: Sequence[tuple[int, int]]) -> tuple[int, int]:
    answered = missed = 0
    for a, m in pairs:
        a = min(a, CHECKIN_CLIP)
        answered, missed = answered + a, missed + min(m, CHECKIN_CLIP - a)
    return answered, missed


def make(facts: PeriodFacts, epsilon: float) -> dict[str, Any]:
    """The release of one period: noisy, post-processed, ready to store and show."""
    kind_counts = [sum(1 for k in facts.kinds if k == kind) for kind in KINDS]
    urgency_counts = [sum(1 for u in facts.urgencies if u == level) for level in URGENCIES]
    bucket_counts = [0] * len(CONTACT_BUCKETS)
    for minutes in facts.contact_minutes:
        bucket_counts[_bucket(minutes)] += 1
    # One case moves three counts by one each: L1 sensitivity 3.
    noisy = _noisy(kind_counts + urgency_counts + bucket_counts, 3, epsilon * CASE_SHARE)
    kinds = _floor(noisy[: len(KINDS)])
    total = sum(kinds)
    urgencies = _to_total(_floor(noisy[len(KINDS) : len(KINDS) + len(URGENCIES)]), total)
    buckets = _floor(noisy[len(KINDS) + len(URGENCIES) :])
    if sum(buckets) > total:  # never more contacted than made
        buckets = _to_total(buckets, total)
    check_budget = epsilon * (1 - CASE_SHARE)
    answered, missed = _floor(_noisy(list(_clip(facts.checkins)), CHECKIN_CLIP, check_budget))
    return {
        "epsilon": epsilon,
        "total": total,
        "by_kind": dict(zip(KINDS, kinds, strict=True)),
        "by_urgency": dict(zip(URGENCIES, urgencies, strict=True)),
        "first_contact": dict(zip((b for b, _ in CONTACT_BUCKETS), buckets, strict=True)),
        "first_contact_median": _median(buckets),
        "checkins": {"answered": answered, "missed": missed},
    }


def _floor(values: list[int]) -> list[int]:
    return [max(0, int(v)) for v in values]


def _to_total(values: list[int], total: int) -> list[int]:
    """Scale non-negative integers to add up to ``total`` (largest remainders), so a table's
    parts and its total agree. Post-processing: it spends no privacy."""
    current = sum(values)
    if total <= 0:
        return [0] * len(values)
    if current == 0:
        values, current = [1] * len(values), len(values)
    shares = [v * total / current for v in values]
    out = [math.floor(s) for s in shares]
    order = sorted(range(len(values)), key=lambda i: shares[i] - out[i], reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _median(buckets: list[int]) -> str | None:
    """The bucket holding the middle contact, or None when there are too few to say."""
    n = sum(buckets)
    if n < SMALL:
        return None
    running = 0
    for (label, _), count in zip(CONTACT_BUCKETS, buckets, strict=True):
        running += count
        if running * 2 >= n:
            return label
    return None


def shown(value: int | None) -> str:
    """How a released count is shown: small ones as 'fewer than 5'."""
    if value is None:
        return ""
    return f"fewer than {SMALL}" if value < SMALL else str(value)


def completion_rate(release: dict[str, Any]) -> float | None:
    """The share of a release's check-ins answered, or None when fewer than SMALL were
    answered or missed."""
    answered, missed = release["checkins"]["answered"], release["checkins"]["missed"]
    n = answered + missed
    return None if n < SMALL else answered / n
