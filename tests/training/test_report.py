"""Tracking: supervisors see their units and those below, coordinators and admins the agency;
completion only, never which answer."""

import csv
import io
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, select

from tests.factories import login, make_user
from wellness.accounts.models import User
from wellness.extensions import db
from wellness.timeutil import utcnow
from wellness.training import report as completion
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


def test_an_unconfirmed_coordinator_role_row_does_not_widen_a_supervisors_view(app, agency, client):
    import pyotp

    from wellness.accounts import service as accounts
    from wellness.accounts.models import Role, UserRole

    # as a database writer would add it: no endorsement, so the role holds nowhere
    cpl = agency["cpl"]
    db.session.add(UserRole(user_id=cpl.id, role=Role.COORDINATOR))
    accounts.set_totp_secret(cpl, pyotp.random_base32())  # staff now: a second factor
    db.session.commit()
    login(client, cpl)
    page = client.get("/training/team").get_data(as_text=True)
    assert "Jordan" in page
    assert "Dana" not in page
    assert "Every member of the agency" not in page
    assert client.get("/training/manage/policy").status_code == 403


def test_a_member_who_joined_within_the_month_counts_from_that_day(app, agency, client):
    with app.app_context():
        queued = training.queued()
        today = training.today()
        for days_ago, bulletin in zip((20, 15, 5), queued, strict=False):
            bulletin.published_on = today - timedelta(days=days_ago)
        for user in db.session.scalars(select(User)):
            user.created_at = utcnow() - timedelta(days=90)
        jordan = db.session.get(User, agency["jordan"].id)
        jordan.created_at = utcnow() - timedelta(days=10)
        db.session.commit()
        # Jordan answered the two older ones (still readable) but not the one since joining
        training.answer(jordan.id, queued[0], today)
        training.answer(jordan.id, queued[1], today)
        rows = {
            r.name: r for r in completion.report(None, training.current_policy(), today, 14).rows
        }
    assert (rows["Jordan"].answered, rows["Jordan"].due) == (0, 2)  # the 5-days-ago one and today's
    assert (rows["Sam"].answered, rows["Sam"].due) == (0, 4)


def test_the_report_selects_members_without_a_list_of_ids(app, agency):
    from tests.training.test_wall import statements

    with app.app_context():
        for n in range(40):
            make_user(f"member{n}")
        db.session.commit()
        with statements() as seen, _parameters() as counts:
            completion.report(None, training.current_policy(), training.today(), 14)
    assert seen
    assert max(counts) < 10  # a list of member ids would be one parameter per member


@contextmanager
def _parameters():
    counts = []

    def record(conn, cursor, statement, parameters, *args):
        counts.append(len(parameters or ()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield counts
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
