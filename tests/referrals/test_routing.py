"""Routing against a table of roster scenarios, including every conflict-of-interest rule."""

import random

import pytest

from wellness.referrals.routing import Counselor, Request, clear_of_conflicts, route

PEER_A = Counselor(
    1, unit_id=10, supporter_type="peer", languages=frozenset({"English"}), caseload=2
)
PEER_B = Counselor(
    2,
    unit_id=20,
    supporter_type="peer",
    languages=frozenset({"English", "Spanish"}),
    specialties=frozenset({"alcohol"}),
    caseload=3,
)
CLINICIAN = Counselor(
    3,
    unit_id=30,
    supporter_type="clinician",
    caseload=5,
    specialties=frozenset({"trauma"}),
    languages=frozenset({"English"}),
)
CHAPLAIN = Counselor(
    4, unit_id=30, supporter_type="chaplain", caseload=1, languages=frozenset({"English"})
)
ON_CALL = Counselor(
    5,
    unit_id=40,
    supporter_type="peer",
    on_call=True,
    available=False,
    caseload=9,
    cap=9,
    languages=frozenset({"English"}),
)
AWAY = Counselor(6, unit_id=50, supporter_type="peer", available=False, caseload=0)
ON_CALL_OK = Counselor(8, unit_id=60, supporter_type="peer", on_call=True, caseload=4)
FULL = Counselor(7, unit_id=50, supporter_type="peer", caseload=8, cap=8)
ROSTER = [PEER_A, PEER_B, CLINICIAN, CHAPLAIN, ON_CALL, AWAY, FULL]

SCENARIOS = [
    # (name, request, roster, expected counselor or None for the coordinator's queue)
    ("lowest caseload wins", Request(), ROSTER, 4),
    ("away counselors are skipped", Request(), [AWAY, PEER_B], 2),
    ("counselors at their cap are skipped", Request(), [FULL, PEER_B], 2),
    ("nobody available goes to the coordinator", Request(), [AWAY, FULL], None),
    ("empty roster goes to the coordinator", Request(), [], None),
    ("supporter type is honoured", Request(supporter_type="clinician"), ROSTER, 3),
    ("peer preference picks the lighter peer", Request(supporter_type="peer"), ROSTER, 1),
    ("language is honoured", Request(language="spanish"), ROSTER, 2),
    ("specialty is honoured", Request(specialties=frozenset({"Alcohol"})), ROSTER, 2),
    (
        "specialty relaxed when nobody has it",
        Request(specialties=frozenset({"gambling"})),
        ROSTER,
        4,
    ),
    (
        "every topic counts, not only the first",
        Request(specialties=frozenset({"gambling", "trauma"})),
        ROSTER,
        3,
    ),
    (
        "the counselor matching more of the topics wins over a lighter one",
        Request(specialties=frozenset({"alcohol", "grief"})),
        [
            Counselor(1, 10, "peer", specialties=frozenset({"alcohol"}), caseload=0),
            Counselor(2, 20, "peer", specialties=frozenset({"alcohol", "grief"}), caseload=4),
        ],
        2,
    ),
    (
        "type relaxed before language",
        Request(supporter_type="chaplain", language="Spanish"),
        ROSTER,
        2,
    ),
    ("never the subject themself", Request(subject_id=4), ROSTER, 1),
    ("never the reporter", Request(reporter_id=4), ROSTER, 1),
    ("never the subject's direct supervisor", Request(chain_of_command=frozenset({4})), ROSTER, 1),
    ("never anyone higher in the chain", Request(chain_of_command=frozenset({4, 1})), ROSTER, 2),
    ("not from the subject's unit by default", Request(subject_unit_id=30), ROSTER, 1),
    (
        "same unit allowed when the agency allows it",
        Request(subject_unit_id=30, avoid_subject_unit=False),
        ROSTER,
        4,
    ),
    (
        "conflicts beat preferences",
        Request(supporter_type="chaplain", subject_unit_id=30),
        ROSTER,
        1,
    ),
    (
        "all conflicted goes to the coordinator",
        Request(subject_unit_id=10, chain_of_command=frozenset({2, 3, 4})),
        [PEER_A, PEER_B, CLINICIAN, CHAPLAIN],
        None,
    ),
    (
        "crisis never pages an on-call counselor marked away: an available one instead",
        Request(crisis=True),
        ROSTER,
        4,
    ),
    (
        "crisis prefers an available on-call counselor, even a busier one, even at cap",
        Request(crisis=True),
        [PEER_A, Counselor(9, 60, "peer", on_call=True, caseload=8, cap=8)],
        9,
    ),
    (
        "crisis: an available on-call beats an on-call marked away",
        Request(crisis=True),
        [ON_CALL, Counselor(9, 60, "peer", on_call=True, caseload=7)],
        9,
    ),
    (
        "crisis: the available fallback respects the conflicts",
        Request(crisis=True, subject_unit_id=30, chain_of_command=frozenset({1, 2})),
        [PEER_A, PEER_B, CLINICIAN, CHAPLAIN, AWAY],
        None,
    ),
    (
        "crisis with nobody available at all alerts the coordinator",
        Request(crisis=True),
        [AWAY],
        None,
    ),
    (
        "crisis never to an on-call in the chain of command",
        Request(crisis=True, chain_of_command=frozenset({8})),
        [ON_CALL_OK, PEER_A],
        1,
    ),
    (
        "crisis never to an on-call in the subject's unit",
        Request(crisis=True, subject_unit_id=60),
        [ON_CALL_OK, PEER_A],
        1,
    ),
    (
        "crisis with two available on call picks the lighter",
        Request(crisis=True),
        [ON_CALL_OK, Counselor(10, 70, "peer", on_call=True, caseload=0)],
        10,
    ),
    ("crisis with nobody on call pages an available counselor", Request(crisis=True), [PEER_A], 1),
    (
        "the subject's unit includes its sub-units",
        Request(subject_unit_id=20, subject_units=frozenset({20, 30})),
        ROSTER,
        1,
    ),
    (
        "nobody who works under the subject (a lieutenant's case)",
        Request(subject_id=99, subordinate_units=frozenset({30, 10})),
        ROSTER,
        2,
    ),
    (
        "nobody involved in the same incident gets a colleague's outreach",
        Request(involved=frozenset({4, 1})),
        ROSTER,
        2,
    ),
    (
        "a reporter who is also on call is never paged for their own report",
        Request(crisis=True, reporter_id=8),
        [ON_CALL_OK, PEER_A],
        1,
    ),
]


@pytest.mark.parametrize(
    ("name", "request_", "roster", "expected"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
def test_routing_table(name, request_, roster, expected):
    decision = route(request_, roster, random.Random(1))
    assert decision.counselor_id == expected
    assert decision.alert_coordinator is (expected is None)
    assert decision.reasons  # every decision can be explained


def test_there_are_at_least_twenty_scenarios():
    assert len(SCENARIOS) >= 20


def test_ties_are_drawn_fairly():
    twins = [Counselor(i, unit_id=i, supporter_type="peer", caseload=2) for i in (1, 2, 3)]
    picks = [route(Request(), twins, random.Random(seed)).counselor_id for seed in range(300)]
    assert min(picks.count(i) for i in (1, 2, 3)) > 60


def test_reasons_name_each_exclusion_but_the_summary_names_nobody():
    decision = route(
        Request(subject_unit_id=30, chain_of_command=frozenset({1})), ROSTER, random.Random(1)
    )
    assert "excluded #1: is in the subject's chain of command" in decision.reasons
    assert "excluded #3: works in the subject's unit" in decision.reasons
    assert "2 excluded: works in the subject's unit" in decision.reasons
    assert decision.summary == "Routed by the rules: lowest caseload among eligible counselors."


def test_crisis_reasons_say_which_fallback_was_taken():
    decision = route(Request(crisis=True), [ON_CALL, PEER_A], random.Random(1))
    assert decision.counselor_id == PEER_A.id
    assert decision.fallback
    assert "crisis: no available on-call counselor" in decision.reasons
    assert "crisis: paged an available counselor" in decision.reasons
    assert (
        decision.summary == "Crisis: no on-call counselor available; paged an available counselor."
    )
    nobody = route(Request(crisis=True), [ON_CALL, AWAY], random.Random(1))
    assert nobody.counselor_id is None
    assert nobody.alert_coordinator
    assert nobody.summary == "Crisis: nobody available: coordinator alerted."


def test_a_private_unit_is_never_written_into_the_reasons():
    request = Request(subject_unit_id=30, private_unit=True)
    decision = route(request, ROSTER, random.Random(1))
    assert decision.counselor_id == 1
    text = " ".join(decision.reasons)
    assert "unit" not in text
    assert "#3" not in text
    assert "#4" not in text  # the two in unit 30 are not even listed as excluded
    assert "eligible;" not in text  # no counts


def test_clear_of_conflicts_applies_the_same_rules_to_coordinators():
    lead = Counselor(50, unit_id=30, supporter_type="")
    outside = Counselor(51, unit_id=99, supporter_type="")
    for request in (
        Request(subject_id=50),
        Request(reporter_id=50),
        Request(chain_of_command=frozenset({50})),
        Request(subject_unit_id=30),
        Request(subordinate_units=frozenset({30})),
    ):
        assert clear_of_conflicts([lead, outside], request) == [outside], request
