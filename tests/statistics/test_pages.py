"""Statistics through the pages: the coordinator's exact working view, and the releases every
other view and every export shows."""

from datetime import timedelta

from sqlalchemy import select

from tests.factories import login, make_user, self_referral
from wellness.accounts.models import Role
from wellness.cases import service as cases
from wellness.cases.models import Case
from wellness.extensions import db
from wellness.statistics import releases
from wellness.statistics.models import Release
from wellness.timeutil import frozen_at, utcnow


def test_coordinator_works_with_exact_figures_and_exports_only_releases(app, ctx):
    officer, counselor = make_user("jordan", Role.OFFICER), make_user("kelly", Role.COUNSELOR)
    for _ in range(7):
        self_referral(officer, urgency="routine", text="MARKER-TEXT")
    for _ in range(2):
        self_referral(None, urgency="soon", text="MARKER-TEXT")
    for case in db.session.scalars(select(Case)):
        case.contacted_at = cases.exact_created(case) + timedelta(minutes=30)
    db.session.commit()
    coordinator = app.test_client()
    login(coordinator, make_user("maria", Role.COORDINATOR))
    page = coordinator.get("/coordinator/statistics").get_data(as_text=True)
    month = utcnow().strftime("%Y-%m")
    assert f'<th scope="row">{month}</th><td>9</td>' in page  # exact, this month included
    assert "median 30 min" in page
    assert "MARKER" not in page
    assert "Jordan" not in page
    assert "nothing has been released yet" in page
    csv = coordinator.get("/statistics/releases.csv").get_data(as_text=True)
    assert csv.splitlines()[1:] == []  # no release yet: the exact numbers are never exported
    assert counselor.id


def test_the_scheduler_releases_each_ended_month_once_and_every_view_shows_it(app, ctx):
    officer = make_user("jordan", Role.OFFICER)
    make_user("kelly", Role.COUNSELOR)
    last_month = utcnow().replace(day=1) - timedelta(days=3)
    with frozen_at(last_month):
        for _ in range(12):
            self_referral(officer, text="MARKER")
    made = releases.make_due(utcnow().date())
    assert last_month.strftime("%Y-%m") in made
    assert releases.make_due(utcnow().date()) == []  # once
    stored = db.session.scalars(select(Release)).all()
    assert len(stored) == 12  # the last twelve ended months, each released once
    supervisor = app.test_client()
    login(supervisor, make_user("sgt", Role.SUPERVISOR))
    command = supervisor.get("/command/statistics").get_data(as_text=True)
    coordinator = app.test_client()
    login(coordinator, make_user("maria", Role.COORDINATOR))
    working = coordinator.get("/coordinator/statistics").get_data(as_text=True)
    for page in (command, working):
        assert "ε = 1.0 per release" in page
        assert "at most ε = 12.0 a year" in page
        assert "fewer than 5" in page  # the empty months
    csv_one = supervisor.get("/statistics/releases.csv").get_data()
    csv_two = coordinator.get("/statistics/releases.csv").get_data()
    assert csv_one == csv_two  # the same release for every role and format
    row = next(r for r in stored if r.period == last_month.strftime("%Y-%m"))
    assert f"{row.period},1.0,{releases.rules.shown(row.figures['total'])}" in csv_one.decode()
    assert "Download the releases as CSV" in command
