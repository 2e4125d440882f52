"""Releases (statistics/release.py): OpenDP's noise, post-processing, and what a curious reader
of thousands of generated agencies' releases can work out."""

import random
from collections import Counter

import pytest

from wellness.statistics import release

KINDS, URGENCIES = release.KINDS, release.URGENCIES


def facts(kinds, urgencies, minutes=(), checkins=()):
    return release.PeriodFacts(list(kinds), list(urgencies), list(minutes), list(checkins))


def random_agency(rng: random.Random) -> release.PeriodFacts:
    n = rng.choice([rng.randrange(0, 6), rng.randrange(5, 40)])
    kinds = [rng.choices(KINDS, weights=(6, 2, 1, 1))[0] for _ in range(n)]
    urgencies = [rng.choices(URGENCIES, weights=(7, 2, 1))[0] for _ in range(n)]
    minutes = [rng.choice([10, 45, 600, 3000, 9000]) for _ in range(rng.randrange(0, n + 1))]
    checkins = [(rng.randrange(0, 3), rng.randrange(0, 2)) for _ in range(rng.randrange(0, 5))]
    return facts(kinds, urgencies, minutes, checkins)


def test_a_release_is_whole_consistent_and_never_negative():
    rng = random.Random(7)
    for _ in range(500):
        made = release.make(random_agency(rng), 1.0)
        values = [
            *made["by_kind"].values(),
            *made["by_urgency"].values(),
            *made["first_contact"].values(),
            *made["checkins"].values(),
        ]
        assert all(isinstance(v, int) and v >= 0 for v in values)
        assert sum(made["by_kind"].values()) == made["total"]
        assert sum(made["by_urgency"].values()) == made["total"]
        assert sum(made["first_contact"].values()) <= made["total"]


def test_the_noise_is_what_the_budget_says():
    """Laplace with scale 3/(0.75 ε) on the case counts: measured spread against the formula."""
    truth = facts(["self_referral"] * 30, ["routine"] * 30)
    draws = [release.make(truth, 1.0)["by_kind"]["concern"] for _ in range(3000)]  # true 0
    scale, _ = release.scales(1.0)
    assert scale == 4.0
    inside = sum(d <= release.margin_95(scale) for d in draws) / len(draws)
    assert 0.93 <= inside <= 0.995  # about 19 in 20 within the margin the page states
    spread = sum(draws) / len(draws)
    assert 1.0 < spread < 2.5  # a zero floored at 0: the mean of |Laplace| / 2 is scale / 2


def test_small_counts_are_shown_as_fewer_than_five():
    assert release.shown(0) == "fewer than 5"
    assert release.shown(4) == "fewer than 5"
    assert release.shown(5) == "5"


def test_a_bigger_budget_means_less_noise_and_opendp_confirms_what_is_spent():
    assert release.scales(4.0)[0] < release.scales(1.0)[0]
    space = release.dp.vector_domain(release.dp.atom_domain(T=int)), release.dp.l1_distance(T=int)
    measurement = space >> release.dp.m.then_laplace(scale=release.scales(1.0)[0])
    assert measurement.map(3) == pytest.approx(0.75)  # the case counts' share of ε = 1


def test_a_curious_reader_of_thousands_of_agencies_recovers_small_cells_by_chance_only():
    """The attack that broke suppression (3,282 of 5,000 data sets gave a small cell away):
    total minus the shown cells. Against releases it names the true small count no more often
    than the noise happens to land on it."""
    rng = random.Random(11)
    tried = right = 0
    for _ in range(4000):
        true_kinds = Counter()
        n = rng.randrange(6, 30)
        kinds = [rng.choices(KINDS, weights=(6, 2, 1, 1))[0] for _ in range(n)]
        true_kinds.update(kinds)
        made = release.make(facts(kinds, ["routine"] * n), 1.0)
        shown = made["by_kind"]
        for target in KINDS:
            if not 1 <= true_kinds[target] <= 4:
                continue
            others = sum(v for k, v in shown.items() if k != target)
            guess = made["total"] - others  # the subtraction attack
            tried += 1
            right += guess == true_kinds[target]
    assert tried > 2000
    assert right / tried < 0.2  # by luck of the noise, not by arithmetic


def test_across_time_a_late_request_changes_nothing_already_released():
    """A release is a stored value: adding a request to its period afterwards cannot show,
    because nothing recomputes it (tests/attacks/test_command_staff.py proves it end to end).
    Here: two releases of the same facts differ by noise, so a single request's effect is
    lost in it."""
    base = facts(["self_referral"] * 9, ["routine"] * 9)
    plus_one = facts(["self_referral"] * 9 + ["concern"], ["routine"] * 9 + ["crisis"])
    a = [release.make(base, 1.0)["by_urgency"]["crisis"] for _ in range(2000)]
    b = [release.make(plus_one, 1.0)["by_urgency"]["crisis"] for _ in range(2000)]
    overlap = sum(min(Counter(a)[v], Counter(b)[v]) for v in set(a) | set(b)) / 2000
    assert overlap > 0.6  # the two worlds are hard to tell apart from one release
