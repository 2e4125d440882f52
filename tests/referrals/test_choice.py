"""The officer's choices in routing (issue 17), as plain data: a person asked for is honoured
unless a conflict, absence or a full caseload forbids it (then routing refuses before anything
is stored); people not wanted are never chosen, nor handed the case later; a family member or
a retiree is routed to someone who serves them when anyone does."""

import random

import pytest

from wellness.referrals.routing import (
    NOT_WANTED,
    Counselor,
    PickUnavailable,
    Request,
    conflict,
    pick_problem,
    route,
)

KELLY = Counselor(1, unit_id=10, supporter_type="peer", caseload=1)
LUIS = Counselor(2, unit_id=20, supporter_type="peer", caseload=4, serves=frozenset({"families"}))
AWAY = Counselor(3, unit_id=30, supporter_type="chaplain", available=False)
FULL = Counselor(4, unit_id=30, supporter_type="clinician", caseload=5, cap=5)
RETIREE_PEER = Counselor(
    5, unit_id=30, supporter_type="peer", caseload=6, serves=frozenset({"retirees"})
)
TEAM = [KELLY, LUIS, AWAY, FULL, RETIREE_PEER]


def routed(request: Request, roster=TEAM) -> int | None:  # type: ignore[no-untyped-def]
    return route(request, roster, random.Random(7)).counselor_id


def test_a_person_asked_for_is_chosen_over_a_lower_caseload():
    decision = route(Request(pick=LUIS.id), TEAM, random.Random(1))
    assert decision.counselor_id == LUIS.id  # though Kelly has fewer cases
    assert decision.summary == "Routed to the supporter the officer asked for."
    assert "asked for by the officer: honoured" in decision.reasons


@pytest.mark.parametrize(
    ("request_", "why"),
    [
        (Request(pick=AWAY.id), "is away"),
        (Request(pick=FULL.id), "is at their caseload cap"),
        (Request(pick=KELLY.id, subject_id=99, subject_unit_id=10), "works in the subject's unit"),
        (Request(pick=KELLY.id, subject_id=KELLY.id), "is the person the referral is about"),
        (
            Request(pick=KELLY.id, chain_of_command=frozenset({KELLY.id})),
            "is in the subject's chain of command",
        ),
        (Request(pick=77), "not on the roster"),
    ],
)
def test_a_pick_that_cannot_be_honoured_is_refused_before_anything_is_chosen(request_, why):
    assert pick_problem(request_, TEAM) == why
    with pytest.raises(PickUnavailable) as refused:
        route(request_, TEAM, random.Random(1))
    assert refused.value.why == why


def test_a_crisis_pick_ignores_the_cap_and_is_never_sent_back():
    assert routed(Request(pick=FULL.id, crisis=True)) == FULL.id
    decision = route(Request(pick=FULL.id, crisis=True), TEAM)
    assert decision.summary == "Crisis: paged the supporter the officer asked for."
    assert not decision.pick_passed_over
    # Asked for someone away: paged like any crisis (never them), the officer told after.
    away = route(Request(pick=AWAY.id, crisis=True), TEAM, random.Random(1))
    assert away.counselor_id not in (AWAY.id, None)
    assert away.pick_passed_over
    assert away.reasons[0].startswith("asked for someone who could not take it now")


def test_people_not_wanted_are_never_chosen_even_when_they_alone_are_free():
    for seed in range(30):
        chosen = route(Request(not_wanted=frozenset({KELLY.id})), TEAM, random.Random(seed))
        assert chosen.counselor_id not in (KELLY.id, None)
    only_kelly = route(Request(not_wanted=frozenset({KELLY.id})), [KELLY, AWAY], random.Random(1))
    assert only_kelly.counselor_id is None  # to the coordinator's queue, never to Kelly
    crisis = route(
        Request(crisis=True, not_wanted=frozenset({KELLY.id})), [KELLY], random.Random(1)
    )
    assert crisis.counselor_id is None


def test_not_wanted_is_a_conflict_so_it_holds_on_transfer_and_reassignment_too():
    assert conflict(KELLY, Request(not_wanted=frozenset({KELLY.id}))) == NOT_WANTED
    assert conflict(LUIS, Request(not_wanted=frozenset({KELLY.id}))) is None


def test_a_pick_someone_does_not_want_is_refused():
    with pytest.raises(PickUnavailable):
        route(Request(pick=LUIS.id, not_wanted=frozenset({LUIS.id})), TEAM)


@pytest.mark.parametrize(
    ("group", "expected"), [("families", LUIS.id), ("retirees", RETIREE_PEER.id)]
)
def test_families_and_retirees_go_to_someone_who_serves_them(group, expected):
    # Kelly has the lowest caseload, but serves neither.
    assert routed(Request(group=group)) == expected


def test_the_group_is_relaxed_when_nobody_serves_it():
    decision = route(Request(group="families"), [KELLY], random.Random(1))
    assert decision.counselor_id == KELLY.id
    assert any("group served" in r for r in decision.reasons)


def test_with_no_choice_routing_is_unchanged():
    assert routed(Request()) == KELLY.id  # lowest caseload
