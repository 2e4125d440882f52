"""The unattended jobs with a controllable clock: due, missed, escalated; and answering."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import login, make_user, post, reader, self_referral
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.cases.models import CaseEvent
from wellness.checkins import jobs
from wellness.checkins import service as checkins
from wellness.checkins.models import CheckIn, Outbox
from wellness.extensions import db
from wellness.jobs import run_named
from wellness.notifications.models import Notification
from wellness.timeutil import frozen_at, utcnow


@pytest.fixture
def people(ctx):
    officer = make_user("jordan", Role.OFFICER)
    accounts.set_email_address(officer, "jordan@example.org")
    counselor = make_user("kelly", Role.COUNSELOR)
    accounts.save_counselor_profile(counselor, on_call=True)
    coordinator = make_user("maria", Role.COORDINATOR)
    db.session.commit()
    return {"officer": officer, "counselor": counselor, "coordinator": coordinator}


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def kinds_for(user):
    return {
        n.kind
        for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    }


def test_check_in_is_sent_when_due_then_missed_and_the_counselor_told(app, people):
    t0 = utcnow()
    with frozen_at(t0):
        case, _ = self_referral(people["officer"])
        checkins.schedule(case.id, reader(people["counselor"]), [t0 + timedelta(days=1)])
    with frozen_at(t0 + timedelta(hours=23)):
        assert run_named("dispatch", utcnow()) == {"dispatched": 0}
    with frozen_at(t0 + timedelta(days=1, minutes=1)):
        assert run_named("dispatch", utcnow()) == {"dispatched": 1}
        assert run_named("dispatch", utcnow()) == {"dispatched": 0}  # never twice
    assert count(Outbox) == 1  # the officer's "check-in waiting" e-mail, queued
    assert db.session.scalars(select(CheckIn)).one().status == "sent"
    with frozen_at(t0 + timedelta(days=1, hours=47)):
        assert jobs.mark_missed_checkins(utcnow()) == 0
    with frozen_at(t0 + timedelta(days=3, hours=1)):
        assert jobs.mark_missed_checkins(utcnow()) == 1
    db.session.expire_all()
    assert db.session.scalars(select(CheckIn)).one().status == "missed"
    assert "checkin_missed" in kinds_for(people["counselor"])


def test_first_contact_deadline_escalates_to_the_coordinator_once(app, people):
    t0 = utcnow()
    with frozen_at(t0):
        crisis, _ = self_referral(people["officer"], urgency="crisis")
        routine, _ = self_referral(None, urgency="routine")
    with frozen_at(t0 + timedelta(minutes=14)):
        assert jobs.escalate_first_contact(utcnow()) == 0
    with frozen_at(t0 + timedelta(minutes=16)):
        assert jobs.escalate_first_contact(utcnow()) == 1
        assert jobs.escalate_first_contact(utcnow()) == 0
    assert "deadline_missed" in kinds_for(people["coordinator"])
    assert (
        count(CaseEvent, CaseEvent.case_id == crisis.id, CaseEvent.kind == "first contact overdue")
        == 1
    )
    with frozen_at(t0 + timedelta(days=3, minutes=1)):
        assert jobs.escalate_first_contact(utcnow()) == 1  # the routine one, at 72 h
    db.session.expire_all()
    assert db.session.get(type(routine), routine.id).escalated_at is not None


def test_a_contacted_case_is_never_escalated(app, people):
    t0 = utcnow()
    with frozen_at(t0):
        case, _ = self_referral(people["officer"], urgency="crisis")
        from wellness.cases import service as cases

        cases.record_contact(case.id, reader(people["counselor"]))
    with frozen_at(t0 + timedelta(hours=1)):
        assert jobs.escalate_first_contact(utcnow()) == 0


def test_named_officer_answers_and_the_counselor_reads_it(app, people):
    t0 = utcnow()
    with frozen_at(t0):
        case, _ = self_referral(people["officer"])
        checkins.schedule(case.id, reader(people["counselor"]), [t0 + timedelta(hours=2)])
    with frozen_at(t0 + timedelta(hours=3)):
        jobs.dispatch_due_checkins(utcnow())
        officer = app.test_client()
        login(officer, people["officer"])
        page = officer.get("/me/check-ins").get_data(as_text=True)
        checkin_id = re.search(r'name="checkin" value="(\d+)"', page).group(1)
        post(
            officer,
            "/me/check-ins",
            {
                "checkin": checkin_id,
                "rating": "2",
                "wants_contact": "y",
                "text": "MARKER-ANSWER rough week",
            },
            token_from="/me/check-ins",
        )
    checkin = db.session.scalars(select(CheckIn)).one()
    db.session.refresh(checkin)
    assert checkin.status == "answered"
    assert b"MARKER" not in checkin.answer
    assert "checkin_answered" in kinds_for(people["counselor"])
    counselor = app.test_client()
    login(counselor, people["counselor"])
    page = counselor.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "2/5" in page
    assert "wants contact" in page
    assert "MARKER-ANSWER rough week" in page


def test_anonymous_officer_answers_with_the_receipt(app, people):
    t0 = utcnow()
    with frozen_at(t0):
        case, code = self_referral(None)
        checkins.schedule(case.id, reader(people["counselor"]), [t0 + timedelta(hours=1)])
    with frozen_at(t0 + timedelta(hours=2)):
        jobs.dispatch_due_checkins(utcnow())
    assert count(Outbox) == 0  # nobody to e-mail: anonymous means anonymous
    client = app.test_client()
    page = post(
        client, "/receipt", {"code": code}, token_from="/receipt", follow_redirects=True
    ).get_data(as_text=True)
    assert "A check-in is waiting" in page
    checkin_id = re.search(r'name="checkin" value="(\d+)"', page).group(1)
    post(
        client,
        "/receipt/check-in",
        {"checkin": checkin_id, "code": code, "rating": "4"},
        token_from="/receipt",
        follow_redirects=True,
    )
    db.session.expire_all()
    assert db.session.scalars(select(CheckIn)).one().status == "answered"


def test_someone_elses_check_in_cannot_be_answered(app, people):
    t0 = utcnow()
    with frozen_at(t0):
        case, _ = self_referral(people["officer"])
        checkins.schedule(case.id, reader(people["counselor"]), [t0 + timedelta(hours=1)])
    with frozen_at(t0 + timedelta(hours=2)):
        jobs.dispatch_due_checkins(utcnow())
    checkin = db.session.scalars(select(CheckIn)).one()
    other = app.test_client()
    login(other, make_user("sam", Role.OFFICER))
    post(other, "/me/check-ins", {"checkin": checkin.id, "rating": "5"}, token_from="/me/check-ins")
    db.session.refresh(checkin)
    assert checkin.status == "sent"
    assert other.get(f"/me/check-ins/{checkin.id}.ics").status_code == 404


def test_calendar_entry_carries_no_content(app, people):
    case, _ = self_referral(people["officer"], text="MARKER-TEXT")
    checkin = checkins.schedule(
        case.id, reader(people["counselor"]), [utcnow() + timedelta(days=2)]
    )[0]
    client = app.test_client()
    login(client, people["officer"])
    response = client.get(f"/me/check-ins/{checkin.id}.ics")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert "SUMMARY:Reminder" in body
    assert "BEGIN:VEVENT" in body
    for secret in ("MARKER", "Jordan", "jordan", "stress", "kelly", "Kelly"):
        assert secret not in body


def test_check_ins_only_go_to_the_person_who_asked(app, people):
    from wellness.referrals import service as referrals

    subject = make_user("sam", Role.OFFICER)
    result = referrals.submit_concern(
        referrals.ConcernReport(subject, [], "worried", "routine"), reader(people["officer"])
    )
    with pytest.raises(checkins.CheckInError):
        checkins.schedule(
            result.case_id, reader(people["counselor"]), [utcnow() + timedelta(days=1)]
        )


def test_an_absurd_check_in_id_is_not_a_server_error(app, people):
    officer = app.test_client()
    login(officer, people["officer"])
    response = post(
        officer,
        "/me/check-ins",
        {"checkin": "99999999999999999999", "rating": "3"},
        token_from="/me/check-ins",
    )
    assert response.status_code < 500
