"""Routing, crisis and concern rules at the edges, through the real services (issue 13): the
queue respects conflicts, nothing is silent, crises fall back to someone available, danger in a
concern escalates it, conflicts hold in both directions, and the limits of confidentiality are
told before anyone writes."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import login, make_user, post, reader
from tests.referrals.conftest import concern, holders, kinds, nobody_available
from wellness.accounts import service as accounts
from wellness.accounts.models import Role, User
from wellness.cases import lifecycle
from wellness.cases import service as cases
from wellness.cases.models import Case, CaseKey, KeyHolder
from wellness.extensions import db
from wellness.incidents import service as incidents
from wellness.program import queue as queues
from wellness.referrals import service as referrals


def test_a_queued_case_is_opened_only_to_coordinators_clear_of_the_conflicts(team):
    nobody_available(team)
    # about someone in Support: the Support coordinator works in the subject's unit
    case, _ = concern(team["officer"], team["peer_support"])
    assert case.assignee_id is None
    assert holders(case) == {team["lead_hq"].id}
    # about a coordinator: never opened to them, whoever else is
    case, _ = concern(team["officer"], team["lead_hq"])
    assert team["lead_hq"].id not in holders(case)
    # reported by a coordinator: not opened to the reporter
    case, _ = concern(team["lead_hq"], team["colleague"])
    assert team["lead_hq"].id not in holders(case)
    assert holders(case) == {team["lead_support"].id}


def test_with_every_coordinator_in_a_conflict_the_case_waits_sealed_to_recovery_and_alerts(
    app, team
):
    nobody_available(team)
    # a coordinator reports a concern about the other coordinator
    case, result = concern(team["lead_support"], team["lead_hq"], urgency="soon")
    assert holders(case) == set()
    rows = {k.holder for k in db.session.scalars(select(CaseKey).where(CaseKey.case_id == case.id))}
    assert rows == {KeyHolder.RECOVERY}  # (and the reporter's index, which holds no key)
    assert result.told == "outside"
    # someone sees it, never silent: not the admin (in the subject's unit) nor the subject;
    # nobody outside the conflict being on call, every counselor clear of it
    assert "needs_outside" not in kinds(team["admin"])
    assert "needs_outside" not in kinds(team["lead_hq"])
    assert "needs_outside" in kinds(team["peer_support"])
    assert "needs_outside" in kinds(team["peer_north"])
    assert case.id in {c.id for c in queues.unheld_cases()}
    # the queue shows it, without content, until someone assigns it with the recovery code
    lead = app.test_client()
    login(lead, team["lead_support"])
    page = lead.get("/coordinator/queue").get_data(as_text=True)
    assert "Needs someone outside a conflict of interest" in page
    assert "MARKER" not in page
    accounts.save_counselor_profile(team["peer_support"], available=True)
    lifecycle.reassign(
        case.id,
        reader(team["lead_support"]),
        team["peer_support"],
        app.config["TEST_RECOVERY_CODE"],
    )
    assert cases.open_case(case.id, reader(team["peer_support"]), "case page")
    assert case.id not in {c.id for c in queues.unheld_cases()}
    assert result.urgency == "soon"


def test_a_crisis_never_pages_someone_away_and_falls_back_to_anyone_available(team):
    accounts.save_counselor_profile(team["peer_support"], on_call=True, available=False)
    accounts.save_counselor_profile(team["peer_north"], on_call=False, available=True)
    case, result = concern(team["colleague"], team["colleague"], urgency="crisis")
    assert result.routed
    assert case.assignee_id == team["peer_north"].id  # outside South, available though off call
    assert "crisis" in kinds(team["peer_north"])
    assert "crisis" not in kinds(team["peer_support"])  # away: never paged
    assert "crisis_routed" in kinds(team["lead_support"])  # told at the same time
    assert "Crisis: no on-call counselor available" in case.routing_summary


def test_a_crisis_with_nobody_available_reaches_the_coordinators_and_the_officer_is_told(app, team):
    nobody_available(team)
    client = app.test_client()
    login(client, team["officer"])
    page = post(
        client,
        "/help/self",
        {"urgency": "crisis", "contact_method": "phone"},
        token_from="/help/self",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Nobody could be paged at once" in page
    assert 'href="tel:911"' in page
    case = db.session.scalars(select(Case)).one()
    assert holders(case) == {team["lead_support"].id, team["lead_hq"].id}
    assert "crisis_unrouted" in kinds(team["lead_hq"])


@pytest.mark.parametrize(
    ("ticked", "chosen", "handled_as"),
    [
        (["self-harm"], "routine", "crisis"),
        (["threats"], "routine", "crisis"),
        (["weapons"], "soon", "crisis"),
        (["hopelessness"], "routine", "soon"),
        (["hopelessness"], "crisis", "crisis"),
        (["sleep", "anger"], "routine", "routine"),
    ],
)
def test_a_concern_that_signals_danger_escalates(app, team, ticked, chosen, handled_as):
    case, result = concern(team["officer"], team["colleague"], chosen, ticked)
    assert case.urgency == handled_as
    assert result.crisis is (handled_as == "crisis")


def test_the_reporter_of_an_escalated_concern_sees_the_crisis_numbers(app, team):
    client = app.test_client()
    login(client, team["officer"])
    page = post(
        client,
        "/help/concern",
        {"colleague": "sam", "urgency": "routine", "behaviours": ["self-harm"]},
        token_from="/help/concern",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "If someone is in danger now, call 911" in page
    assert "Because of what you noticed, this is being handled as a crisis" in page


def test_a_lieutenants_case_never_goes_to_someone_who_works_under_him(team):
    accounts.save_counselor_profile(team["peer_support"], available=False)
    result = referrals.submit_self_referral(
        referrals.SelfReferral(["stress"], "MARKER-LT", "routine"),
        reader(team["lt"], as_owner=True),
    )
    case = db.session.get(Case, result.case_id)
    assert case.assignee_id != team["peer_north"].id  # North is under Patrol, which he heads
    assert case.assignee_id is None


def test_the_subjects_unit_includes_its_sub_units(team):
    accounts.save_counselor_profile(team["peer_support"], available=False)
    case, _ = concern(team["officer"], team["lt"])  # the lieutenant's unit is Patrol
    assert case.assignee_id != team["peer_north"].id  # North sits inside Patrol


def test_nobody_involved_in_an_incident_gets_a_colleagues_outreach(team):
    make_user("peer.hq", Role.COUNSELOR, unit=team["units"]["hq"])
    incident = incidents.record(
        "officer-involved shooting",
        date.today(),
        [team["officer"], team["peer_support"]],
        (24, 72),
        team["lead_support"],
    )
    outreach = db.session.scalars(select(Case).where(Case.incident_id == incident.id)).all()
    for case in outreach:
        assert case.assignee_id != team["peer_support"].id  # involved: never a colleague's
    # ...and a hand-picked transfer keeps the rule: the colleague's outreach is refused to
    # them because they were involved (their own, because it is about them)
    refusals = set()
    for case in outreach:
        holder = db.session.get(User, case.assignee_id)
        with pytest.raises(lifecycle.LifecycleError) as refused:
            lifecycle.transfer(case.id, reader(holder), team["peer_support"])
        refusals.add(str(refused.value))
    assert refusals == {
        "That counselor is involved in the same incident: choose someone else.",
        "That counselor is the person the referral is about: choose someone else.",
    }


def test_the_reporter_rule_holds_for_transfer_and_reassignment(app, team):
    reporter = make_user("peer.reporter", Role.COUNSELOR, unit=team["units"]["hq"])
    case, _ = concern(reporter, team["colleague"])
    holder = db.session.get(User, case.assignee_id)
    assert holder.id != reporter.id
    with pytest.raises(lifecycle.LifecycleError, match="made the report"):
        lifecycle.transfer(case.id, reader(holder), reporter)
    with pytest.raises(lifecycle.LifecycleError, match="made the report"):
        lifecycle.reassign(
            case.id, reader(team["lead_hq"]), reporter, app.config["TEST_RECOVERY_CODE"]
        )


def test_every_form_that_takes_free_text_tells_the_limits_first(app, team):
    case, _ = concern(team["colleague"], team["officer"])
    client = app.test_client()
    pages = ["/help/anonymous"]
    login(client, team["officer"])
    referrals.submit_self_referral(
        referrals.SelfReferral(["stress"], "MARKER", "routine"),
        reader(team["officer"], as_owner=True),
    )
    mine = re.search(
        r'href="(/me/referrals/\d+)"', client.get("/me/referrals").get_data(as_text=True)
    )
    pages += ["/help/self", "/help/concern", mine.group(1)]
    seen = 0
    for path in pages:
        page = client.get(path).get_data(as_text=True)
        assert "<textarea" in page, path
        assert page.index('href="/privacy"') < page.index("<textarea"), path
        assert "a court orders it" in page, path
        seen += 1
    code = referrals.submit_anonymous_referral(
        referrals.SelfReferral(["stress"], "MARKER", "routine")
    ).receipt_code
    receipt = post(
        app.test_client(), "/receipt", {"code": code}, token_from="/receipt", follow_redirects=True
    )
    page = receipt.get_data(as_text=True)
    assert page.index('href="/privacy"') < page.index("<textarea")
    seen += 1
    staff = app.test_client()
    login(staff, db.session.get(User, case.assignee_id))
    assert "a court orders it" in staff.get(f"/cases/{case.id}").get_data(as_text=True)
    sup = app.test_client()
    login(sup, team["lt"])
    assert 'href="/privacy"' in sup.get("/help/report").get_data(as_text=True)
    assert seen == 5


def test_the_coordinator_writes_the_limits_and_every_form_shows_their_words(app, team):
    lead = app.test_client()
    login(lead, team["lead_support"])
    post(
        lead,
        "/coordinator/privacy",
        {
            "summary": "MARKER-POLICY Our limits are set by policy 4.12.",
            "full": "First paragraph.\n\n- danger to life\n- a court order",
        },
        token_from="/coordinator/privacy",
    )
    assert "MARKER-POLICY" in app.test_client().get("/help/anonymous").get_data(as_text=True)
    privacy = app.test_client().get("/privacy").get_data(as_text=True)
    assert "<li>danger to life</li>" in privacy
    assert "How it is kept private" in privacy


def test_after_sending_the_officer_is_told_when_to_expect_contact_and_how_to_check_back(app, team):
    anonymous = app.test_client()
    page = post(
        anonymous,
        "/help/anonymous",
        {"urgency": "soon", "topics": ["sleep"], "unit": 0},
        token_from="/help/anonymous",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "within <strong>a day</strong>" in page
    assert 'href="/receipt"' in page
    named = app.test_client()
    login(named, team["officer"])
    page = post(
        named,
        "/help/self",
        {"urgency": "routine", "topics": ["sleep"], "contact_method": "phone"},
        token_from="/help/self",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "within <strong>3 days</strong>" in page
    assert 'href="/me/referrals"' in page
