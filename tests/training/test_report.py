"""Tracking: supervisors see their units and those below, coordinators and admins the agency;
completion only, never which answer."""

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from tests.factories import login
from wellness.accounts.models import User
from wellness.extensions import db
from wellness.timeutil import utcnow
from wellness.training import service as training
from wellness.training.models import Bulletin


def _answer_and_ack(app, people):
    with app.app_context():
        version = training.current_policy()
        bulletin = db.session.scalar(select(Bulletin).where(Bulletin.published_on.is_not(None)))
        training.acknowledge(people["sam"].id, version, training.today())
        training.answer(people["jordan"].id, bulletin, training.today())
        # everyone joined long ago: the month counts from its start
        for user in db.session.scalars(select(User)):
            user.created_at = utcnow() - timedelta(days=90)
        db.session.commit()


def test_a_supervisor_sees_their_units_and_those_below_and_no_one_else(app, agency, client):
    _answer_and_ack(app, agency)
    login(client, agency["sgt"])
    page = client.get("/training/team").get_data(as_text=True)
    for name in ("Jordan", "Sam", "Cpl", "Sgt"):
        assert name in page
    for name in ("Dana", "Kelly", "Maria", "Alex"):
        assert name not in page
    assert "Not yet acknowledged: version 1" in page
    waiting = page.split("Not yet acknowledged")[1].split("Bulletins since")[0]
    assert "Jordan" in waiting
    assert "Sam" not in waiting
    assert "1 of 1" in page  # Jordan answered today's


def test_a_supervisor_lower_down_sees_only_their_own_unit(app, agency, client):
    login(client, agency["cpl"])
    page = client.get("/training/team").get_data(as_text=True)
    assert "Jordan" in page
    assert "Sam" not in page
    assert "Dana" not in page


def test_a_supervisor_of_no_unit_is_told_so(app, agency, client, ctx):
    from tests.factories import make_user
    from wellness.accounts.models import Role

    lone = make_user("lone", Role.OFFICER, Role.SUPERVISOR)
    login(client, lone)
    page = client.get("/training/team").get_data(as_text=True)
    assert "You do not supervise a unit" in page
    assert "Jordan" not in page


def test_coordinators_and_admins_see_the_agency(app, agency, client):
    for who in ("maria", "alex"):
        fresh = app.test_client()
        login(fresh, agency[who])
        page = fresh.get("/training/team").get_data(as_text=True)
        for name in ("Jordan", "Sam", "Dana", "Kelly"):
            assert name in page


def test_the_csv_is_completion_only(app, agency, client):
    _answer_and_ack(app, agency)
    with app.app_context():
        sam = db.session.get(User, agency["sam"].id)
        sam.display_name = '=HYPERLINK("http://x")'
        db.session.commit()
        bulletin = db.session.scalar(select(Bulletin).where(Bulletin.published_on.is_not(None)))
        answer_texts = list(bulletin.answers)
    login(client, agency["sgt"])
    response = client.get("/training/team.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:2] == ["name", "unit"]
    assert "acknowledged on" in rows[0][2]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Jordan", '\'=HYPERLINK("http://x")', "Cpl", "Sgt"}
    assert by_name['\'=HYPERLINK("http://x")'][2] == training.today().isoformat()
    assert by_name["Jordan"][2:] == ["", "no", "1", "1"]
    text = response.get_data(as_text=True)
    for answer in answer_texts:  # nothing of what anyone chose, not even the answers
        assert answer not in text


def test_an_officer_and_a_counselor_get_no_report(app, agency, client):
    for who in ("jordan", "kelly"):
        fresh = app.test_client()
        login(fresh, agency[who])
        assert fresh.get("/training/team").status_code == 403
        assert fresh.get("/training/team.csv").status_code == 403
