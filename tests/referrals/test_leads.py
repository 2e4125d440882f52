"""Only the coordinators clear of a case's conflicts hear of it, see it in the queue and may
assign it; an anonymous request is heard of by every coordinator alike and its key rows look
alike, so neither who was told nor who holds a key says which unit it came from."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import login, make_user, post, reader
from tests.referrals.conftest import concern, holders, kinds, nobody_available
from wellness.accounts.models import Role
from wellness.cases import leads, lifecycle
from wellness.cases import service as cases
from wellness.cases.models import Case, CaseKey, KeyHolder
from wellness.cases.service import NotSharedError
from wellness.checkins import jobs
from wellness.extensions import db
from wellness.referrals import service as referrals
from wellness.timeutil import frozen_at, utcnow


def test_a_queued_case_is_shown_and_assignable_only_by_the_coordinators_clear_of_it(app, team):
    nobody_available(team)
    # about someone in Support: the Support coordinator works in the subject's unit
    case, result = concern(team["officer"], team["peer_support"], urgency="soon")
    assert result.told == "coordinators"
    assert leads.leads_of(case) == {team["lead_hq"].id}
    assert "queue" in kinds(team["lead_hq"])
    assert "queue" not in kinds(team["lead_support"])  # not even told it exists
    pages = {}
    for key in ("lead_hq", "lead_support"):
        client = app.test_client()
        login(client, team[key])
        pages[key] = client.get("/coordinator/queue").get_data(as_text=True)
    assert f"#{case.id} concern" in pages["lead_hq"]
    assert f"#{case.id} " not in pages["lead_support"]
    # the recovery code does not let the conflicted coordinator pick who counsels it
    with pytest.raises(lifecycle.LifecycleError, match="clear of this case's conflicts"):
        lifecycle.reassign(
            case.id,
            reader(team["lead_support"]),
            team["peer_north"],
            app.config["TEST_RECOVERY_CODE"],
        )
    assert db.session.get(Case, case.id).assignee_id is None
    # a missed first-contact deadline is told to the same coordinators only
    with frozen_at(utcnow() + timedelta(days=2)):
        assert jobs.escalate_first_contact(utcnow()) == 1
    assert "deadline_missed" in kinds(team["lead_hq"])
    assert "deadline_missed" not in kinds(team["lead_support"])


def test_an_anonymous_request_is_heard_of_alike_and_its_key_rows_look_alike(app, team):
    nobody_available(team)
    result = referrals.submit_anonymous_referral(
        referrals.SelfReferral(
            ["stress"], "MARKER-ANON", "routine", unit_id=team["units"]["support"].id
        )
    )
    case = db.session.get(Case, result.case_id)
    # the Support coordinator is in the officer's unit: cannot open it...
    assert leads.leads_of(case) == {team["lead_hq"].id}
    with pytest.raises(NotSharedError):
        cases.open_case(case.id, reader(team["lead_support"]), "case page")
    assert cases.open_case(case.id, reader(team["lead_hq"]), "case page")
    # ...but a database reader sees both coordinators told, and both holding a key of one size
    assert "queue" in kinds(team["lead_hq"])
    assert "queue" in kinds(team["lead_support"])
    assert holders(case) == {team["lead_hq"].id, team["lead_support"].id}
    rows = db.session.scalars(
        select(CaseKey).where(CaseKey.case_id == case.id, CaseKey.holder == KeyHolder.USER)
    ).all()
    assert len({(len(r.sealed_key), r.sealed_key[:1]) for r in rows}) == 1
    # and its routing summary says nothing of who was passed over
    assert "unit" not in case.routing_summary


def test_an_anonymous_crisis_does_not_say_the_on_call_counselor_was_passed_over(team):
    from wellness.accounts import service as accounts

    # the only on-call counselor works in the officer's unit: someone else is paged
    accounts.save_counselor_profile(team["peer_north"], on_call=True, available=True)
    accounts.save_counselor_profile(team["peer_support"], on_call=False, available=True)
    result = referrals.submit_anonymous_referral(
        referrals.SelfReferral([], "MARKER", "crisis", unit_id=team["units"]["north"].id)
    )
    case = db.session.get(Case, result.case_id)
    assert case.assignee_id == team["peer_support"].id
    assert result.fallback  # the officer is told the truth: nobody on call was free for them
    assert case.routing_summary == "Crisis: paged an available counselor."
    # the same crisis, named, from someone outside North says which stage it was
    named = referrals.submit_self_referral(
        referrals.SelfReferral([], "MARKER", "crisis"), reader(team["colleague"], as_owner=True)
    )
    assert db.session.get(Case, named.case_id).routing_summary.startswith(
        "Crisis: available on-call"
    )


def test_a_concern_reaches_the_counselor_who_knows_what_it_is_about(team):
    alcohol = make_user("peer.alcohol", Role.COUNSELOR, unit=team["units"]["hq"])
    from wellness.accounts import service as accounts

    accounts.save_counselor_profile(alcohol, specialties=["alcohol"])
    for _ in range(3):
        case, _ = concern(team["officer"], team["colleague"], behaviours=["alcohol"])
        assert case.assignee_id == alcohol.id


def test_the_queue_page_gives_every_field_its_own_id(app, team):
    nobody_available(team)
    for _ in range(3):
        concern(team["officer"], team["colleague"])
    client = app.test_client()
    login(client, team["lead_hq"])
    page = client.get("/coordinator/queue").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert len(re.findall(r'<label for="to-\d+"', page)) >= 3


def test_a_leads_value_is_padded_and_bound_to_its_case(app, team):
    nobody_available(team)
    first, _ = concern(team["officer"], team["colleague"])
    second, _ = concern(team["lead_hq"], team["colleague"])
    assert leads.leads_of(second) == {team["lead_support"].id}
    assert len(first.leads) == len(second.leads)  # one coordinator clear or two: same size
    # a database writer moves the value that names only lead_support to the other case
    first.leads = second.leads
    db.session.commit()
    # it does not verify there: nobody is taken to be clear, so every coordinator sees the
    # case, needing the recovery code to assign it, and nothing of it is shown
    assert leads.leads_of(first) == set()
    client = app.test_client()
    login(client, team["lead_hq"])
    page = client.get("/coordinator/queue")
    assert page.status_code == 200
    card = page.get_data(as_text=True).split(f"#{first.id} concern")[1].split("</li>")[0]
    assert "recovery code" in card
    assert "MARKER" not in card


def test_a_risky_result_is_sent_even_if_it_does_not_score_and_an_expired_page_sends_nothing(
    app, team
):
    client = app.test_client()
    sent = post(
        client,
        "/help/reach-out",
        {"screener": "phq9", "screener_answers": "", "named": "0"},
        token_from="/screeners/phq9",
        follow_redirects=True,
    )
    assert sent.status_code == 200
    assert "Your receipt code" in sent.get_data(as_text=True)
    assert db.session.scalars(select(Case)).one().urgency == "crisis"
    expired = app.test_client().post("/help/reach-out", data={"named": "0"})
    page = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert "Nothing was sent yet" in page
    assert 'href="tel:988"' in page
    assert db.session.query(Case).count() == 1


def test_an_attached_result_with_blank_answers_is_a_form_error_not_a_server_error(app, team):
    client = app.test_client()
    page = post(
        client,
        "/help/anonymous",
        {"urgency": "routine", "unit": 0, "screener": "phq9", "screener_answers": ""},
        token_from="/help/anonymous",
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert "The questionnaire result could not be attached." in page.get_data(as_text=True)
    assert db.session.query(Case).count() == 0


def test_the_case_page_of_an_anonymous_request_asks_before_handing_it_on(app, team):
    result = referrals.submit_anonymous_referral(
        referrals.SelfReferral([], "MARKER", "routine", unit_id=team["units"]["hq"].id)
    )
    holder = db.session.get(Case, result.case_id).assignee_id
    counselor = next(team[k] for k in ("peer_north", "peer_support") if team[k].id == holder)
    client = app.test_client()
    login(client, counselor)
    page = client.get(f"/cases/{result.case_id}").get_data(as_text=True)
    assert "Ask the officer in a message before handing it on" in page
