"""Regression tests for the second review's findings."""

from datetime import timedelta

import pytest

from tests.factories import login, make_unit, make_user, post, reader, self_referral
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.cases import lifecycle
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.checkins import rules
from wellness.checkins import service as checkins
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.referrals import mine
from wellness.timeutil import utcnow


def test_a_stale_index_entry_cannot_withdraw_someone_elses_case(app, ctx):
    alice, bob = make_user("alice", Role.OFFICER), make_user("bob", Role.OFFICER)
    make_user("kelly", Role.COUNSELOR)
    bobs, _ = self_referral(bob, text="MARKER-BOB")
    # Alice's index names Bob's case (as after a purge and an id reused).
    alice_reader = reader(alice, as_owner=True)
    keys.write_index(alice, alice_reader.private_key, [{"case": bobs.id, "as": "owner"}])
    db.session.commit()
    with pytest.raises(cases.NotSharedError):
        mine.withdraw(bobs.id, alice_reader)
    assert db.session.get(Case, bobs.id).status == "new"


def test_transfer_refuses_the_subjects_chain_and_unready_accounts(app, ctx):
    unit = make_unit("North")
    sgt = make_user("sgt", Role.SUPERVISOR, Role.COUNSELOR)
    from wellness.agency import service as agency

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


def test_absurd_ids_and_dates_are_not_server_errors(app, ctx):
    kelly = make_user("kelly", Role.COUNSELOR)
    client = app.test_client()
    login(client, kelly)
    assert client.get("/cases/99999999999999999999").status_code == 404
    with pytest.raises(rules.PlanError):
        rules.plan_times(utcnow().replace(year=9999, month=12, day=31), (24,))
    officer = app.test_client()
    login(officer, make_user("jordan", Role.OFFICER))
    response = post(
        officer,
        "/me/check-ins",
        {"checkin": "99999999999999999999", "rating": "3"},
        token_from="/me/check-ins",
    )
    assert response.status_code < 500
