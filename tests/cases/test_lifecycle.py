"""A case's life through the counselor's and coordinator's pages."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import login, make_unit, make_user, post, reader, self_referral
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.agency import service as agency
from wellness.cases import lifecycle
from wellness.cases import service as cases
from wellness.cases.models import Case, CaseEvent, Note
from wellness.checkins import service as checkins
from wellness.checkins.models import CheckIn, PlanTemplate
from wellness.extensions import db
from wellness.program.models import Resource
from wellness.timeutil import as_utc, frozen_at, utcnow


@pytest.fixture
def team(app, ctx):
    people = {
        "officer": make_user("jordan", Role.OFFICER),
        "kelly": make_user("kelly", Role.COUNSELOR),
        "luis": make_user("luis", Role.COUNSELOR),
        "maria": make_user("maria", Role.COORDINATOR),
    }
    accounts.save_counselor_profile(people["luis"], available=False)  # everything goes to kelly
    return people


def client(app, user):
    c = app.test_client()
    login(c, user)
    return c


def test_dashboard_shows_the_first_contact_clock(app, team):
    t0 = utcnow()
    with frozen_at(t0):
        self_referral(team["officer"], urgency="soon")
    with frozen_at(t0 + timedelta(hours=20)):
        page = client(app, team["kelly"]).get("/cases/").get_data(as_text=True)
    assert "Needs first contact (1)" in page
    assert "First contact due in 4 h 0 min" in page
    with frozen_at(t0 + timedelta(hours=25)):
        page = client(app, team["kelly"]).get("/cases/").get_data(as_text=True)
    assert "overdue by 1 h 0 min" in page


def test_accept_contact_note_and_plan(app, team):
    case, _ = self_referral(team["officer"])
    kelly = client(app, team["kelly"])
    url = f"/cases/{case.id}"
    post(kelly, f"{url}/contacted", token_from=url)
    post(kelly, f"{url}/accept", token_from=url)
    post(kelly, f"{url}/note", {"body": "MARKER-NOTE called him, agreed to meet"}, token_from=url)
    start = (utcnow() + timedelta(hours=1)).replace(second=0, microsecond=0)
    db.session.add(PlanTemplate(name="Critical incident", offsets_hours="24,72,168,720,2160"))
    db.session.commit()
    plan_id = db.session.scalar(
        select(PlanTemplate.id).where(PlanTemplate.name == "Critical incident")
    )
    post(
        kelly,
        f"{url}/plan",
        {"template": plan_id, "start": start.strftime("%Y-%m-%dT%H:%M")},
        token_from=url,
    )
    page = kelly.get(url).get_data(as_text=True)
    assert "MARKER-NOTE called him" in page
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "active"
    assert case.accepted_at
    assert case.contacted_at
    dues = [
        as_utc(c.due_at) - start
        for c in db.session.scalars(select(CheckIn).order_by(CheckIn.due_at))
    ]
    assert dues == [timedelta(hours=h) for h in (24, 72, 168, 720, 2160)]
    assert b"MARKER" not in db.session.scalars(select(Note.body)).one()
    kinds = [e.kind for e in db.session.scalars(select(CaseEvent).order_by(CaseEvent.id))]
    assert kinds == ["first contact", "accepted", "note added", "check-ins scheduled"]


def test_a_check_in_in_the_past_is_refused(app, team):
    case, _ = self_referral(team["officer"])
    kelly = client(app, team["kelly"])
    url = f"/cases/{case.id}"
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = post(
        kelly, f"{url}/check-ins", {"due_at": past}, token_from=url, follow_redirects=True
    ).get_data(as_text=True)
    assert "Choose a time in the future" in page
    assert db.session.scalar(select(CheckIn.id)) is None


def test_transfer_leaves_the_old_counselor_unable_to_decrypt(app, team):
    case, _ = self_referral(team["officer"])
    kelly = client(app, team["kelly"])
    url = f"/cases/{case.id}"
    response = post(kelly, f"{url}/transfer", {"to": team["luis"].id}, token_from=url)
    assert response.headers["Location"].endswith("/cases/")
    with pytest.raises(cases.NotSharedError):
        cases.open_case(case.id, reader(team["kelly"]), "after transfer")
    assert cases.open_case(case.id, reader(team["luis"]), "new counselor")["text"]
    assert kelly.get(url).status_code == 404
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id == team["luis"].id


def test_close_with_a_referral_out_keeps_where_to_encrypted(app, team):
    db.session.add(Resource(name="MARKER-PROGRAM Recovery Center", kind="treatment program"))
    db.session.commit()
    resource_id = db.session.scalar(select(Resource.id))
    case, _ = self_referral(team["officer"])
    from wellness.checkins import service as checkins

    checkins.schedule(case.id, reader(team["kelly"]), [utcnow() + timedelta(days=3)])
    kelly = client(app, team["kelly"])
    url = f"/cases/{case.id}"
    post(
        kelly,
        f"{url}/close",
        {"outcome": "referred out", "resource": resource_id, "note": ""},
        token_from=url,
    )
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "referred out"
    assert case.outcome == "referred out"
    assert db.session.scalars(select(CheckIn.status)).one() == "cancelled"
    note = db.session.scalars(select(Note.body)).one()
    assert b"MARKER-PROGRAM" not in note  # the treatment program says what it was about
    assert "MARKER-PROGRAM" in kelly.get(url).get_data(as_text=True)


def test_coordinator_assigns_from_the_queue_with_their_own_key(app, team):
    accounts.save_counselor_profile(team["kelly"], available=False)
    case, _ = self_referral(team["officer"])
    assert case.assignee_id is None
    maria = client(app, team["maria"])
    post(
        maria,
        f"/coordinator/cases/{case.id}/reassign",
        {"to": team["luis"].id},
        token_from="/coordinator/queue",
    )
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id == team["luis"].id
    assert cases.open_case(case.id, reader(team["luis"]), "assigned")["text"]
    with pytest.raises(cases.NotSharedError):  # the coordinator's own copy is gone again
        cases.open_case(case.id, reader(team["maria"]), "after assigning")


def test_reassigning_a_case_the_coordinator_does_not_hold_needs_the_recovery_code(app, team):
    case, _ = self_referral(team["officer"])
    maria = client(app, team["maria"])
    url = f"/coordinator/cases/{case.id}/reassign"
    page = post(
        maria, url, {"to": team["luis"].id}, token_from="/coordinator/queue", follow_redirects=True
    ).get_data(as_text=True)
    assert "enter the program recovery code" in page
    page = post(
        maria,
        url,
        {"to": team["luis"].id, "recovery_code": "wrong"},
        token_from="/coordinator/queue",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "was not reassigned" in page
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id == team["kelly"].id
    post(
        maria,
        url,
        {"to": team["luis"].id, "recovery_code": app.config["TEST_RECOVERY_CODE"]},
        token_from="/coordinator/queue",
    )
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id == team["luis"].id
    with pytest.raises(cases.NotSharedError):
        cases.open_case(case.id, reader(team["kelly"]), "after reassignment")


def test_coordinator_sets_availability_and_edits_resources_and_plans(app, team):
    maria = client(app, team["maria"])
    post(
        maria,
        f"/coordinator/team/{team['kelly'].id}",
        {"on_call": "y"},
        token_from="/coordinator/team/",
    )
    db.session.expire_all()
    profile = team["kelly"].counselor
    db.session.refresh(profile)
    assert profile.on_call
    assert not profile.available
    post(
        maria,
        "/coordinator/resources",
        {"name": "EAP", "kind": "EAP", "active": "y"},
        token_from="/coordinator/resources",
    )
    assert db.session.scalar(select(Resource.name)) == "EAP"
    bad = post(
        maria,
        "/coordinator/plans",
        {"name": "Odd", "offsets": "72,24"},
        token_from="/coordinator/plans",
    )
    assert "increasing order" in bad.get_data(as_text=True)
    post(
        maria,
        "/coordinator/plans",
        {"name": "Weekly", "offsets": "168, 336"},
        token_from="/coordinator/plans",
    )
    assert (
        db.session.scalar(select(PlanTemplate.offsets_hours).where(PlanTemplate.name == "Weekly"))
        == "168,336"
    )


def test_transfer_refuses_the_subjects_chain_and_unready_accounts(app, ctx):
    unit = make_unit("North")
    sgt = make_user("sgt", Role.SUPERVISOR, Role.COUNSELOR)
    agency.save_unit(unit, "North", None, sgt.id)
    officer = make_user("jordan", Role.OFFICER, unit=unit)
    kelly = make_user("kelly", Role.COUNSELOR)
    fresh = make_user("newbie", Role.COUNSELOR)
    accounts.reset_password(fresh)  # must choose their own password first
    case, _ = self_referral(officer)
    assert case.assignee_id == kelly.id
    with pytest.raises(lifecycle.LifecycleError, match="chain of command"):
        lifecycle.transfer(case.id, reader(kelly), sgt)
    with pytest.raises(lifecycle.LifecycleError, match="signed in"):
        lifecycle.transfer(case.id, reader(kelly), fresh)
    choices = [row.id for row in lifecycle.counselors()]
    assert kelly.id in choices
    assert fresh.id not in choices


def test_coordinator_messages_are_labelled_and_count_as_contact(app, ctx):
    officer = make_user("jordan", Role.OFFICER)
    coordinator = make_user("maria", Role.COORDINATOR)
    case, _ = self_referral(officer, urgency="crisis")  # nobody on call: the queue
    assert case.assignee_id is None
    cases.post_message(case.id, reader(coordinator), "call me now")
    db.session.expire_all()
    assert db.session.get(Case, case.id).contacted_at is not None
    client = app.test_client()
    login(client, officer)
    page = client.get(f"/me/referrals/{case.id}").get_data(as_text=True)
    assert "Coordinator ·" in page
    assert "You ·" not in page


def test_closed_cases_take_no_new_check_ins(app, ctx):
    officer, kelly = make_user("jordan", Role.OFFICER), make_user("kelly", Role.COUNSELOR)
    case, _ = self_referral(officer)
    lifecycle.close(case.id, reader(kelly), "resolved")
    with pytest.raises(checkins.CheckInError, match="closed"):
        checkins.schedule(case.id, reader(kelly), [utcnow() + timedelta(days=1)])
    with pytest.raises(lifecycle.LifecycleError, match="closed"):
        lifecycle.close(case.id, reader(kelly), "resolved")


def test_an_absurd_case_id_is_not_found_rather_than_a_server_error(app, ctx):
    kelly = make_user("kelly", Role.COUNSELOR)
    client = app.test_client()
    login(client, kelly)
    assert client.get("/cases/99999999999999999999").status_code == 404
